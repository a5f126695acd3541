"""Strided layouts in element units: the index arithmetic kernels are specialised on.

A PyOpenCL array is a buffer, a byte offset and byte strides. Kernels see the same thing
in elements: ``element(i_0, ..., i_k) = buffer[offset + sum(i_d * strides[d])]``.
Broadcast dimensions have stride 0. Before a launch, :func:`coalesce` merges the
dimensions that every operand walks contiguously, so that the common cases (same-shape
contiguous operands, a bias broadcast over rows) need one or two index divisions per
element, or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from math import prod
from typing import Any, NamedTuple

from minispore.backend.protocol import IndexKey, Shape

Strides = tuple[int, ...]


class Layout(NamedTuple):
    """Where an array's elements live inside its buffer, in elements."""

    offset: int
    shape: Shape
    strides: Strides

    @property
    def size(self) -> int:
        return prod(self.shape)

    @property
    def is_contiguous(self) -> bool:
        """C order with no gaps (dimensions of size 1 may have any stride)."""
        return all(
            stride == expected or n == 1
            for n, stride, expected in zip(self.shape, self.strides, contiguous_strides(self.shape))
        )


def layout_of(x: Any) -> Layout:
    """The :class:`Layout` of a PyOpenCL array."""
    item = x.dtype.itemsize
    return Layout(x.offset // item, tuple(x.shape), tuple(s // item for s in x.strides))


@lru_cache(maxsize=1024)
def dense_byte_strides(shape: Shape, itemsize: int) -> Strides:
    """Byte strides of a C-contiguous array of ``shape`` (a tuple): what PyOpenCL's
    ``strides`` reads for a new array, kept per shape because every launch asks."""
    return tuple(s * itemsize for s in contiguous_strides(shape))


def dense(x: Any) -> bool:
    """Whether the PyOpenCL array ``x`` has exactly the strides of a new C-contiguous array
    (a quick test, cached per shape: ``Layout.is_contiguous`` also accepts any stride on
    a dimension of size 1)."""
    return bool(x.strides == dense_byte_strides(x.shape, x.dtype.itemsize))


def is_contiguous(x: Any) -> bool:
    """Whether the PyOpenCL array ``x`` is C-contiguous at any offset: :func:`dense`, or
    (the slower test) :attr:`Layout.is_contiguous`."""
    return dense(x) or layout_of(x).is_contiguous


def contiguous_strides(shape: Shape) -> Strides:
    """Element strides of a C-contiguous array of ``shape``."""
    strides = []
    step = 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def broadcast_strides(layout: Layout, shape: Shape) -> Strides:
    """Strides that read ``layout`` broadcast to ``shape`` (0 along broadcast dimensions).

    Raises:
        ValueError: the shapes do not broadcast (NumPy's rule).
    """
    lead = len(shape) - len(layout.shape)
    if lead < 0:
        raise ValueError(f"Cannot broadcast an array of shape {layout.shape} to the smaller rank of {shape}.")
    strides = [0] * lead
    for n, stride, target in zip(layout.shape, layout.strides, shape[lead:]):
        if n == target:
            strides.append(stride)
        elif n == 1:
            strides.append(0)
        else:
            raise ValueError(f"Cannot broadcast an array of shape {layout.shape} to shape {shape}.")
    return tuple(strides)


def broadcast_shapes(*shapes: Shape) -> Shape:
    """NumPy's broadcast of ``shapes`` (tuples).

    Raises:
        ValueError: two shapes have different sizes, neither 1, along one dimension.
    """
    first = shapes[0]
    if all(s == first for s in shapes):
        return first
    return _broadcast_shapes(shapes)


@lru_cache(maxsize=1024)
def _broadcast_shapes(shapes: tuple[Shape, ...]) -> Shape:
    ndim = max(len(s) for s in shapes)
    result = []
    for d in range(ndim):
        sizes = {s[d - ndim + len(s)] for s in shapes if d - ndim + len(s) >= 0} - {1}
        if len(sizes) > 1:
            raise ValueError(f"Shapes {', '.join(map(str, shapes))} do not broadcast together.")
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


def coalesce(shape: Shape, strides: Sequence[Strides]) -> tuple[Shape, list[Strides]]:
    """Drop size-1 dimensions and merge neighbours that every operand walks contiguously.

    Dimension ``d`` merges into ``d + 1`` when, for every operand,
    ``strides[d] == strides[d + 1] * shape[d + 1]``. The element order is unchanged.
    """
    dims = [d for d, n in enumerate(shape) if n != 1]
    out_shape: list[int] = []
    out_strides: list[list[int]] = [[] for _ in strides]
    for d in dims:
        if out_shape and all(o[-1] == s[d] * shape[d] for s, o in zip(strides, out_strides)):
            out_shape[-1] *= shape[d]
            for s, o in zip(strides, out_strides):
                o[-1] = s[d]
        else:
            out_shape.append(shape[d])
            for s, o in zip(strides, out_strides):
                o.append(s[d])
    return tuple(out_shape), [tuple(o) for o in out_strides]


def reshaped(layout: Layout, shape: Shape) -> Layout | None:
    """``layout`` seen with ``shape`` (same size) without moving an element, or None when
    that needs a copy (NumPy's rule: each group of old dimensions that becomes a group of
    new ones must be walked with one stride).

    A broadcast weight ``(N, 1, O, D)`` with stride 0 on ``N`` becomes ``(N, O, D)``, and
    a transposed matrix with a new leading 1, as views, where a contiguous copy was taken.
    """
    if prod(shape) == 0:
        return Layout(layout.offset, tuple(shape), contiguous_strides(shape))
    old = [(n, st) for n, st in zip(layout.shape, layout.strides) if n != 1]
    strides = [0] * len(shape)
    oi = ni = 0
    while ni < len(shape) and oi < len(old):
        oj, nj = oi + 1, ni + 1
        old_size, new_size = old[oi][0], shape[ni]
        while old_size != new_size:
            if new_size < old_size:
                new_size *= shape[nj]
                nj += 1
            else:
                old_size *= old[oj][0]
                oj += 1
        if any(old[k][1] != old[k + 1][0] * old[k + 1][1] for k in range(oi, oj - 1)):
            return None
        strides[nj - 1] = old[oj - 1][1]
        for k in range(nj - 1, ni, -1):
            strides[k - 1] = strides[k] * shape[k]
        oi, ni = oj, nj
    return Layout(layout.offset, tuple(shape), tuple(strides))


def index_region(layout: Layout, key: IndexKey) -> Layout:
    """The elements that a normalized basic-indexing ``key`` selects (ints drop their axis).

    Raises:
        IndexError: ``key`` does not have one normalized entry per dimension.
    """
    if len(key) != len(layout.shape):
        raise IndexError(f"An index key needs one entry per dimension of {layout.shape}, but got {key!r}.")
    offset = layout.offset
    shape: list[int] = []
    strides: list[int] = []
    for k, n, stride in zip(key, layout.shape, layout.strides):
        if isinstance(k, slice):
            start, stop, step = k.start, k.stop, k.step
            if not (isinstance(step, int) and step > 0 and 0 <= start <= stop <= n):
                raise IndexError(f"Index key entry {k!r} is not normalized for a dimension of size {n}.")
            offset += start * stride
            shape.append(len(range(start, stop, step)))
            strides.append(stride * step)
        elif 0 <= k < n:
            offset += k * stride
        else:
            raise IndexError(f"Index {k!r} is out of range for a dimension of size {n}.")
    return Layout(offset, tuple(shape), tuple(strides))
