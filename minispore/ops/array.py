"""Shape manipulation, indexing, creation and type conversion on Tensors."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np

from minispore.common import dtype as mstype
from minispore.common.dtype import DTypeLike
from minispore.common.tensor import Tensor, host_array
from minispore.functions import constants, movement
from minispore.ops._convert import cast_to, normalize_axes, on_backend


def cast(x: Tensor, dtype: DTypeLike) -> Tensor:
    """Convert ``x`` to ``dtype``; gradients flow back through float casts."""
    return cast_to(x, mstype.to_dtype(dtype))


def reshape(x: Tensor, shape: Sequence[int] | int) -> Tensor:
    """A tensor with the same elements in ``shape`` (one entry may be -1)."""
    target = _resolve_shape(x, (shape,) if isinstance(shape, int) else tuple(shape))
    return x if target == x.shape else movement.Reshape.apply(x, shape=target)


def _resolve_shape(x: Tensor, shape: tuple[int, ...]) -> tuple[int, ...]:
    dims = [int(d) for d in shape]
    if dims.count(-1) > 1 or builtins.any(d < -1 for d in dims):
        raise ValueError(f"For 'Reshape', 'shape' may hold one -1 and no other negatives, but got {shape}.")
    known = int(np.prod([d for d in dims if d != -1], dtype=np.int64))
    if -1 in dims:
        if known == 0 or x.size % known:
            raise ValueError(f"For 'Reshape', a tensor of shape {x.shape} cannot be reshaped to {shape}.")
        dims[dims.index(-1)] = x.size // known
    elif known != x.size:
        raise ValueError(
            f"For 'Reshape', the shape {shape} holds {known} elements but the tensor of shape {x.shape} has {x.size}."
        )
    return tuple(dims)


def transpose(x: Tensor, perm: Sequence[int]) -> Tensor:
    """Permute the axes of ``x``."""
    if builtins.any(not -x.ndim <= int(p) < x.ndim for p in perm):
        raise ValueError(f"For 'Transpose', 'perm' {tuple(perm)} holds an axis out of range for rank {x.ndim}.")
    axes = tuple(int(p) % builtins.max(x.ndim, 1) for p in perm)
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"For 'Transpose', 'perm' must permute the {x.ndim} axes, but got {tuple(perm)}.")
    return x if axes == tuple(range(x.ndim)) else movement.Transpose.apply(x, perm=axes)


permute = transpose


def swapaxes(x: Tensor, axis0: int, axis1: int) -> Tensor:
    """Exchange axes ``axis0`` and ``axis1`` (negative axes count from the end)."""
    perm = list(range(x.ndim))
    (a,), (b,) = normalize_axes(axis0, x.ndim, "Swapaxes"), normalize_axes(axis1, x.ndim, "Swapaxes")
    perm[a], perm[b] = perm[b], perm[a]
    return transpose(x, perm)


def flatten(x: Tensor, order: str = "C", *, start_dim: int = 1, end_dim: int = -1) -> Tensor:
    """Merge the axes ``start_dim..end_dim`` (MindSpore's ``ops.flatten`` starts at 1)."""
    if x.ndim == 0:
        return reshape(x, (1,))
    start, end = start_dim % x.ndim, end_dim % x.ndim
    if start > end:
        raise ValueError(f"For 'flatten', 'start_dim' {start_dim} must not come after 'end_dim' {end_dim}.")
    merged = int(np.prod(x.shape[start : end + 1], dtype=np.int64))
    return reshape(x, x.shape[:start] + (merged,) + x.shape[end + 1 :])


def squeeze(x: Tensor, axis: int | Sequence[int] | None = None) -> Tensor:
    """Drop axes of length 1 (all of them if ``axis`` is None)."""
    if axis is None:
        return reshape(x, tuple(d for d in x.shape if d != 1))
    axes = normalize_axes(axis, x.ndim, "Squeeze")
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(f"For 'Squeeze', axis {a} has length {x.shape[a]}, not 1 (shape {x.shape}).")
    return reshape(x, tuple(d for i, d in enumerate(x.shape) if i not in axes))


def expand_dims(x: Tensor, axis: int) -> Tensor:
    """Insert an axis of length 1 at ``axis``."""
    if not -x.ndim - 1 <= axis <= x.ndim:
        raise ValueError(f"For 'ExpandDims', 'axis' must be in [{-x.ndim - 1}, {x.ndim}], but got {axis}.")
    pos = axis % (x.ndim + 1)
    return reshape(x, x.shape[:pos] + (1,) + x.shape[pos:])


unsqueeze = expand_dims


def broadcast_to(x: Tensor, shape: Sequence[int]) -> Tensor:
    """Broadcast ``x`` to ``shape`` (-1 keeps the input's length)."""
    target = list(shape)
    offset = len(target) - x.ndim
    if offset < 0:
        raise ValueError(f"For 'BroadcastTo', cannot broadcast shape {x.shape} to fewer dimensions {tuple(shape)}.")
    for i, d in enumerate(x.shape):
        if target[offset + i] == -1:
            target[offset + i] = d
        elif d not in (1, target[offset + i]):
            raise ValueError(f"For 'BroadcastTo', cannot broadcast shape {x.shape} to {tuple(shape)}.")
    full = tuple(target)
    return x if full == x.shape else movement.BroadcastTo.apply(x, shape=full)


def concat(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    if not tensors:
        raise ValueError("For 'Concat', 'tensors' must not be empty.")
    first = tensors[0]
    if first.ndim == 0:
        raise ValueError("For 'Concat', the tensors must have at least 1 dimension; use ops.stack for scalars.")
    (ax,) = normalize_axes(axis, first.ndim, "Concat")
    dtype = first.dtype
    for t in tensors[1:]:
        dtype = mstype.promote(dtype, t.dtype)
        if t.ndim != first.ndim or t.shape[:ax] + t.shape[ax + 1 :] != first.shape[:ax] + first.shape[ax + 1 :]:
            raise ValueError(f"For 'Concat', shapes {first.shape} and {t.shape} differ outside axis {axis}.")
    return movement.Concat.apply(*(cast_to(t, dtype) for t in tensors), axis=ax)


cat = concat


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along a new axis."""
    return concat([expand_dims(t, axis) for t in tensors], axis)


def tile(input: Tensor, dims: Sequence[int]) -> Tensor:
    """``input`` repeated ``dims[i]`` times along each axis (``ops.tile``).

    A ``dims`` longer than the rank adds leading axes. Written as a broadcast of
    ``(1, d0, 1, d1, ...)`` to ``(m0, d0, m1, d1, ...)`` and a reshape, so it is
    differentiable.

    Example:
        >>> import minispore as ms
        >>> ms.ops.tile(ms.Tensor([[1, 2]]), (2, 2)).asnumpy()
        array([[1, 2, 1, 2],
               [1, 2, 1, 2]])
    """
    reps = tuple(int(d) for d in dims)
    if len(reps) < input.ndim or builtins.any(d < 0 for d in reps):
        raise ValueError(
            f"For 'Tile', 'dims' must hold a non-negative int for each of the {input.ndim} axes, but got {tuple(dims)}."
        )
    shape = (1,) * (len(reps) - input.ndim) + input.shape
    spread = reshape(input, tuple(v for d in shape for v in (1, d)))
    grown = broadcast_to(spread, tuple(v for m, d in zip(reps, shape) for v in (m, d)))
    return reshape(grown, tuple(m * d for m, d in zip(reps, shape)))


def stop_gradient(x: Tensor) -> Tensor:
    """The same values with no gradient flowing back."""
    return Tensor._from_array(x._data, x.backend)


def gather(x: Tensor, indices: Any, axis: int = 0, batch_dims: int = 0) -> Tensor:
    """Elements of ``x`` at integer ``indices`` along ``axis`` (``ops.gather``).

    With ``batch_dims = b``, the first ``b`` axes of ``x`` and ``indices`` are batch axes
    of equal lengths and each batch gathers from its own slice:
    ``out[i, ...] = gather(x[i], indices[i], axis - b)``.

    Raises:
        TypeError: indices that are not Int32 or Int64.
        IndexError: an index outside ``[-n, n)`` (``P.Gather`` raises RuntimeError, as
            MindSpore's kernel does).
        ValueError: an axis out of range, or ``batch_dims`` that do not fit.

    Example:
        >>> import minispore as ms
        >>> x = ms.Tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ms.ops.gather(x, ms.Tensor([[1], [0]], ms.int32), 1, batch_dims=1).asnumpy()
        array([[2.],
               [3.]], dtype=float32)
    """
    idx = on_backend(indices, x)
    if idx.dtype not in (mstype.int32, mstype.int64):
        raise TypeError(f"For 'Gather', 'indices' must be int32 or int64, but got {idx.dtype}.")
    (ax,) = normalize_axes(axis, x.ndim, "Gather")
    if batch_dims:
        return _batched_gather(x, idx, ax, batch_dims)
    host = idx.asnumpy()
    if host.size and (host.min() < -x.shape[ax] or host.max() >= x.shape[ax]):
        raise IndexError(
            f"For 'Gather', the indices must be in the range [{-x.shape[ax]}, {x.shape[ax]}), "
            f"but got values from {host.min()} to {host.max()}."
        )
    if host.size and host.min() < 0:
        idx = on_backend(np.where(host < 0, host + x.shape[ax], host), x)
    return movement.Take.apply(x, idx, axis=ax)


def _batched_gather(x: Tensor, idx: Tensor, axis: int, batch_dims: int) -> Tensor:
    """One ``gather`` per batch over the flattened leading ``batch_dims`` axes, stacked back."""
    b = batch_dims % builtins.max(idx.ndim, 1)
    if not 0 < b <= builtins.min(axis, idx.ndim) or x.shape[:b] != idx.shape[:b]:
        raise ValueError(
            f"For 'Gather', 'batch_dims' {batch_dims} must be at most 'axis' {axis} and the rank of the indices, "
            f"with equal batch shapes, but got input {x.shape} and indices {idx.shape}."
        )
    count = int(np.prod(x.shape[:b], dtype=np.int64))
    xs = reshape(x, (count, *x.shape[b:]))
    ids = reshape(idx, (count, *idx.shape[b:]))
    parts = [gather(xs[i], ids[i], axis - b) for i in range(count)]
    out = stack(parts) if parts else xs
    return reshape(out, x.shape[:b] + out.shape[1:])


def unique(input: Tensor) -> tuple[Tensor, Tensor]:
    """The distinct elements of ``input`` (flattened) in order of first appearance, and
    for each element of ``input`` the Int32 position of its value among them
    (``ops.unique``; the indices have ``input``'s shape). Not differentiable.

    Example:
        >>> import minispore as ms
        >>> y, idx = ms.ops.unique(ms.Tensor([[3, 1], [3, 2]], ms.int32))
        >>> y.asnumpy(), idx.asnumpy()
        (array([3, 1, 2], dtype=int32), array([[0, 1],
               [0, 2]], dtype=int32))
    """
    host = input.asnumpy()
    values, first, inverse = np.unique(host.reshape(-1), return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    positions = rank[inverse.reshape(-1)].astype(np.int32).reshape(host.shape)
    return on_backend(values[order], input), on_backend(positions, input)


def assign(variable: Tensor, value: Any) -> Tensor:
    """Write ``value`` into ``variable`` in place and return the new value (``ops.assign``).

    ``value`` (a Tensor, or data that makes one) must have ``variable``'s shape; its
    dtype is converted to ``variable``'s unless that would narrow a wider type (Float64
    into Float32). Not recorded for gradients.

    Raises:
        TypeError: ``variable`` is not a Tensor, or ``value`` needs a wider ``variable``.
        ValueError: a different rank or shape.

    Example:
        >>> import minispore as ms
        >>> p = ms.Parameter(ms.Tensor([1.0, 2.0]), name="p")
        >>> _ = ms.ops.assign(p, ms.Tensor([3.0, 4.0]))
        >>> p.asnumpy()
        array([3., 4.], dtype=float32)
    """
    op = "Assign"
    if not isinstance(variable, Tensor):
        raise TypeError(f"For '{op}', 'variable' must be a Tensor or Parameter, but got {type(variable).__name__}.")
    value = on_backend(value, variable)
    if value.shape != variable.shape:
        raise ValueError(
            f"For '{op}', 'value' must have the same shape as 'variable', but got 'value' shape: {value.shape}, "
            f"'variable' shape: {variable.shape}."
        )
    if mstype.promote(variable.dtype, value.dtype) != variable.dtype:
        raise TypeError(
            f"For '{op}', a 'value' of {value.dtype} cannot be written into a 'variable' of {variable.dtype} "
            f"without losing precision; cast it with value.astype(ms.{variable.dtype.name.lower()})."
        )
    variable[...] = value
    return detached_copy(variable)


def detached_copy(x: Tensor) -> Tensor:
    """A new Tensor with its own storage holding ``x``'s values, outside any gradient graph."""
    out = x.backend.full(x.shape, 0, x.dtype.np_dtype)
    x.backend.copy_into(out, x._data)
    return Tensor._from_array(out, x.backend)


def one_hot(indices: Tensor, depth: int, on_value: float = 1.0, off_value: float = 0.0, axis: int = -1) -> Tensor:
    """One-hot encoding of integer ``indices`` (a comparison, so it runs on any device)."""
    from minispore.ops.math import equal, where

    classes = Tensor._from_array(constants.arange(indices.backend, depth, np.dtype(np.int64)), indices.backend)
    hit = equal(expand_dims(cast(indices, mstype.int64), -1), classes)
    out = where(hit, on_value, off_value) if on_value != 1.0 or off_value != 0.0 else cast(hit, mstype.float32)
    if isinstance(on_value, float):
        out = cast(out, mstype.float32)
    return out if axis == -1 else movement_axis(out, axis)


def movement_axis(x: Tensor, axis: int) -> Tensor:
    """Move the last axis of ``x`` to ``axis``."""
    perm = list(range(x.ndim - 1))
    perm.insert(axis % x.ndim, x.ndim - 1)
    return transpose(x, perm)


def full(
    shape: Sequence[int] | int, fill_value: Any, dtype: DTypeLike | None = None, *, device: str | None = None
) -> Tensor:
    """A tensor of ``shape`` filled with ``fill_value``."""
    dims = (shape,) if isinstance(shape, int) else tuple(shape)
    want = mstype.to_dtype(dtype) if dtype is not None else None
    host = np.full(dims, host_array(fill_value, want))
    return Tensor(host, device=device)


def zeros(shape: Sequence[int] | int, dtype: DTypeLike = mstype.float32, *, device: str | None = None) -> Tensor:
    """A tensor of ``shape`` filled with 0.

    Args:
        shape: an int or a sequence of ints.
        dtype: the element type (Float32 by default).
        device: the device; the default device when None.

    Example:
        >>> import minispore as ms
        >>> ms.ops.zeros((2, 3)).shape
        (2, 3)
    """
    return full(shape, 0, dtype, device=device)


def ones(shape: Sequence[int] | int, dtype: DTypeLike = mstype.float32, *, device: str | None = None) -> Tensor:
    """A tensor of ``shape`` filled with 1.

    Args:
        shape: an int or a sequence of ints.
        dtype: the element type (Float32 by default).
        device: the device; the default device when None.
    """
    return full(shape, 1, dtype, device=device)


def zeros_like(x: Tensor, dtype: DTypeLike | None = None) -> Tensor:
    """A tensor of 0 with ``x``'s shape and device, in ``dtype`` (``x``'s dtype when None)."""
    return full(x.shape, 0, dtype or x.dtype, device=x.device)


def ones_like(x: Tensor, dtype: DTypeLike | None = None) -> Tensor:
    """A tensor of 1 with ``x``'s shape and device, in ``dtype`` (``x``'s dtype when None)."""
    return full(x.shape, 1, dtype or x.dtype, device=x.device)


def arange(start: float, end: float | None = None, step: float = 1, dtype: DTypeLike | None = None) -> Tensor:
    """Evenly spaced values in ``[start, end)``."""
    if end is None:
        start, end = 0, start
    host = np.arange(start, end, step)
    return Tensor(
        host, dtype=dtype if dtype is not None else (mstype.int64 if host.dtype.kind == "i" else mstype.float32)
    )
