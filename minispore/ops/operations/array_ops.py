"""Shape, movement, selection, creation and assignment primitives (``P.Reshape``, ``P.Gather``,
``P.OneHot``, ``P.Assign``, …)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minispore.common import dtype as mstype
from minispore.common.tensor import Tensor
from minispore.ops import array as a
from minispore.ops._convert import cast_to
from minispore.ops.math import where
from minispore.ops.operations.primitive import Primitive, axis_attr, int_attr, tensor_arg


class _Plain(Primitive):
    """A primitive without attributes."""

    def __init__(self) -> None:
        super().__init__(type(self).__name__)


class Reshape(_Plain):
    """``x`` with the same elements in ``shape`` (a tuple or list; one entry may be -1)."""

    def __call__(self, x: Any, shape: Sequence[int]) -> Tensor:
        return a.reshape(tensor_arg(self.name, "input_x", x), shape)


class Flatten(_Plain):
    """``(N, ...)`` to ``(N, prod(...))``; a 1-D input becomes ``(N, 1)``.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore.ops import operations as P
        >>> P.Flatten()(ms.Tensor(np.ones((2, 3, 4), np.float32))).shape
        (2, 12)
    """

    def __call__(self, x: Any) -> Tensor:
        t = tensor_arg(self.name, "input_x", x)
        if t.ndim == 0:
            raise RuntimeError(f"For '{self.name}', the input must have at least 1 dimension, but got a scalar.")
        return a.reshape(t, (t.shape[0], int(np.prod(t.shape[1:], dtype=np.int64))))


class Transpose(_Plain):
    """``x`` with its axes permuted by ``perm`` (a tuple or list of all axes)."""

    def __call__(self, x: Any, perm: Sequence[int]) -> Tensor:
        t = tensor_arg(self.name, "input_x", x)
        if len(perm) != t.ndim:
            raise ValueError(
                f"For '{self.name}', size of perm should equal to rank of x, but got {len(perm)} and {t.ndim}!"
            )
        return a.transpose(t, perm)


class Concat(Primitive):
    """Join a tuple or list of tensors along ``axis`` (``P.Concat(axis)((x, y))``)."""

    def __init__(self, axis: int = 0) -> None:
        super().__init__(type(self).__name__)
        self.add_prim_attr("axis", axis)
        self.axis = int_attr(self.name, "axis", axis)

    def __call__(self, tensors: Sequence[Tensor]) -> Tensor:
        if not isinstance(tensors, list | tuple):
            raise TypeError(
                f"For '{self.name}', the input must be a tuple or list of Tensors, but got {type(tensors).__name__}."
            )
        return a.concat([tensor_arg(self.name, "tensors", t) for t in tensors], self.axis)


class Squeeze(Primitive):
    """Drop axes of length 1: all of them for ``axis=()``, else the listed ones.

    As MindSpore 2.10's CPU kernel, a listed axis whose length is not 1 is left in place.
    """

    def __init__(self, axis: int | Sequence[int] = ()) -> None:
        super().__init__(type(self).__name__)
        self.axis = axis_attr(self.name, axis)
        self.add_prim_attr("axis", self.axis if isinstance(self.axis, tuple) else (self.axis,))

    def __call__(self, x: Any) -> Tensor:
        t = tensor_arg(self.name, "input", x)
        axes = self.attrs["axis"]
        if not axes:
            return a.squeeze(t)
        rank = max(t.ndim, 1)
        if any(not -rank <= ax < rank for ax in axes):
            raise ValueError(f"For '{self.name}', 'axis' {axes} is out of range: expected values in [{-rank}, {rank}).")
        wanted = {ax % rank for ax in axes}
        return a.reshape(t, tuple(n for i, n in enumerate(t.shape) if not (i in wanted and n == 1)))


class ExpandDims(_Plain):
    """Insert an axis of length 1 at ``axis``, in ``[-rank - 1, rank]``."""

    def __call__(self, x: Any, axis: int) -> Tensor:
        return a.expand_dims(tensor_arg(self.name, "input_x", x), int_attr(self.name, "axis", axis))


class Shape(_Plain):
    """The shape of ``x`` as a tuple of ints."""

    def __call__(self, x: Any) -> tuple[int, ...]:
        return tensor_arg(self.name, "input_x", x).shape


class OnesLike(_Plain):
    """Ones of ``x``'s shape and dtype."""

    def __call__(self, x: Any) -> Tensor:
        return a.ones_like(tensor_arg(self.name, "input_x", x))


class ZerosLike(_Plain):
    """Zeros of ``x``'s shape and dtype."""

    def __call__(self, x: Any) -> Tensor:
        return a.zeros_like(tensor_arg(self.name, "input_x", x))


class Gather(Primitive):
    """Slices of ``input_params`` at ``input_indices`` along ``axis``; differentiable in ``input_params``.

    Raises:
        RuntimeError: an index outside ``[-n, n)``.
        TypeError: indices that are not Int32 or Int64.
    """

    def __init__(self, batch_dims: int = 0) -> None:
        super().__init__(type(self).__name__)
        self.add_prim_attr("batch_dims", batch_dims)
        self.batch_dims = int_attr(self.name, "batch_dims", batch_dims)

    def __call__(self, input_params: Any, input_indices: Any, axis: int) -> Tensor:
        x = tensor_arg(self.name, "input_params", input_params)
        try:
            return a.gather(x, input_indices, axis, self.batch_dims)
        except IndexError as exc:  # MindSpore's kernel reports a bad index as RuntimeError
            raise RuntimeError(str(exc)) from exc


class Unique(_Plain):
    """The distinct elements of a 1-D tensor in order of first appearance, and for each
    element the Int32 position of its value in that list. Not differentiable.

    Example:
        >>> import minispore as ms
        >>> from minispore.ops import operations as P
        >>> y, idx = P.Unique()(ms.Tensor([3, 1, 3, 2], ms.int32))
        >>> y.asnumpy(), idx.asnumpy()
        (array([3, 1, 2], dtype=int32), array([0, 1, 0, 2], dtype=int32))
    """

    def __init__(self) -> None:
        super().__init__()
        self.init_prim_io_names(["x"], ["output"])

    def __call__(self, x: Any) -> tuple[Tensor, Tensor]:
        t = tensor_arg(self.name, "x", x)
        if t.ndim != 1:
            raise RuntimeError(f"Rank of {self.name}'s input must be 1, but got shape {t.shape}.")
        return a.unique(t)


class Assign(_Plain):
    """Write ``value`` into ``variable`` in place and return the new value (``P.Assign()(p, v)``).

    Raises:
        ValueError: ``value`` has another rank or shape.
        TypeError: ``value``'s dtype would need a wider ``variable`` (Float64 into Float32).
    """

    def __init__(self) -> None:
        super().__init__()
        self.add_prim_attr("side_effect_mem", True)

    def __call__(self, variable: Any, value: Any) -> Tensor:
        return a.assign(variable, value)


class Tile(_Plain):
    """``x`` repeated ``multiples[i]`` times along each axis (``P.Tile()(x, multiples)``)."""

    def __call__(self, x: Any, multiples: Sequence[int]) -> Tensor:
        return a.tile(tensor_arg(self.name, "input", x), multiples)


class Fill(_Plain):
    """A tensor of ``shape`` filled with ``value`` (``P.Fill()(ms.float32, (2, 2), 1.5)``)."""

    def __call__(self, dtype: Any, shape: Sequence[int], value: Any) -> Tensor:
        return a.full(shape, value, dtype)


class OneHot(Primitive):
    """``on_value`` where an index names the class and ``off_value`` elsewhere, the classes on ``axis``.

    ``P.OneHot(axis=-1)(indices, depth, on_value, off_value)``: ``on_value`` and
    ``off_value`` are scalar Tensors whose dtype the output takes; an index outside
    ``[0, depth)`` gives a row of ``off_value``.

    Example:
        >>> import minispore as ms
        >>> from minispore.ops import operations as P
        >>> P.OneHot()(ms.Tensor([1, 0], ms.int32), 3, ms.Tensor(1.0), ms.Tensor(0.0)).asnumpy()
        array([[0., 1., 0.],
               [1., 0., 0.]], dtype=float32)
    """

    def __init__(self, axis: int = -1) -> None:
        super().__init__(type(self).__name__)
        self.add_prim_attr("axis", axis)
        self.axis = int_attr(self.name, "axis", axis)

    def __call__(self, indices: Any, depth: int, on_value: Any, off_value: Any) -> Tensor:
        idx = tensor_arg(self.name, "indices", indices)
        on, off = tensor_arg(self.name, "on_value", on_value), tensor_arg(self.name, "off_value", off_value)
        if idx.dtype not in (mstype.int32, mstype.int64):
            raise TypeError(f"For '{self.name}', 'indices' must be Int32 or Int64, but got {idx.dtype}.")
        if not -idx.ndim - 1 <= self.axis <= idx.ndim:
            raise ValueError(
                f"For '{self.name}', 'axis' must be in [{-idx.ndim - 1}, {idx.ndim}], but got {self.axis}."
            )
        hit = cast_to(a.one_hot(idx, int_attr(self.name, "depth", depth)), mstype.bool_)
        out = where(hit, on, off)
        return out if self.axis in (-1, idx.ndim) else a.movement_axis(out, self.axis)


class Select(_Plain):
    """Elements of ``x`` where ``condition`` holds, else of ``y`` (gradients flow to both)."""

    def __call__(self, condition: Any, x: Any, y: Any) -> Tensor:
        cond = tensor_arg(self.name, "condition", condition)
        if cond.dtype != mstype.bool_:
            raise TypeError(f"For '{self.name}', 'condition' must be a Bool tensor, but got {cond.dtype}.")
        return where(cond, x, y)


class Depend(Primitive):
    """``value`` itself: MindSpore's ordering hint for graph mode, a no-op when running eagerly."""

    def __init__(self) -> None:
        super().__init__(type(self).__name__)
        self.add_prim_attr("side_effect_propagate", 1)

    def __call__(self, value: Any, expr: Any) -> Any:
        return value
