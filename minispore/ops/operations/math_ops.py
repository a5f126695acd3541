"""Reduction, matrix-product, sum and cast primitives (``P.ReduceMean``, ``P.MatMul``, ``P.AddN``, …).

Each runs on the differentiable functions of :mod:`minispore.ops`, so gradients flow
through them under ``ms.value_and_grad`` without gradient code of their own.
"""

from __future__ import annotations

from typing import Any

from minispore.common import dtype as mstype
from minispore.common.tensor import Tensor
from minispore.ops import math as m
from minispore.ops._convert import cast_to
from minispore.ops.array import swapaxes
from minispore.ops.operations.primitive import Primitive, int_attr, tensor_arg

# MindSpore's type ids, as Argmax's ``output_type`` attribute shows them.
_TYPE_IDS = {mstype.int32: 34, mstype.int64: 35}


class AddN(Primitive):
    """The elementwise sum of a tuple or list of tensors of one shape."""

    def __init__(self) -> None:
        super().__init__(type(self).__name__)

    def __call__(self, inputs: Any) -> Tensor:
        if not isinstance(inputs, tuple | list) or not inputs:
            raise TypeError(f"For '{self.name}', the input must be a non-empty tuple or list of Tensors.")
        total = tensor_arg(self.name, "inputs", inputs[0])
        for t in inputs[1:]:
            if tensor_arg(self.name, "inputs", t).shape != total.shape:
                raise ValueError(f"For '{self.name}', all inputs must have shape {total.shape}, but got {t.shape}.")
            total = m.add(total, t)
        return total


class Argmax(Primitive):
    """The index of the first maximum along ``axis``, as Int32 or Int64 (``output_type``)."""

    def __init__(self, axis: int = -1, output_type: mstype.DType = mstype.int32) -> None:
        super().__init__(type(self).__name__)
        if output_type not in _TYPE_IDS:
            raise TypeError(f"For '{self.name}', 'output_type' must be int32 or int64, but got {output_type}.")
        self.axis, self.output_type = int_attr(self.name, "axis", axis), output_type
        self.attrs.update(axis=axis, output_type=_TYPE_IDS[output_type])

    def __call__(self, x: Any) -> Tensor:
        return cast_to(m.argmax(tensor_arg(self.name, "x", x), self.axis), self.output_type)


class _Reduce(Primitive):
    """``P.ReduceX(keep_dims)(x, axis=())``: ``axis=()`` reduces every axis."""

    def __init__(self, keep_dims: bool = False) -> None:
        super().__init__(type(self).__name__)
        self.add_prim_attr("keep_dims", keep_dims)
        self.keep_dims = bool(keep_dims)

    def __call__(self, x: Any, axis: Any = ()) -> Tensor:
        t = tensor_arg(self.name, "x", x)
        axes = None if _every_axis(axis) else axis
        return self._reduce(t, axes)

    def _reduce(self, x: Tensor, axis: Any) -> Tensor:
        raise NotImplementedError


class ReduceMean(_Reduce):
    """The mean over ``axis``; integer inputs give a truncated mean in their own dtype.

    .. math::
        out = \\frac{1}{\\prod_{a \\in axis} n_a} \\sum_{axis} x

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore.ops import operations as P
        >>> x = ms.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
        >>> P.ReduceMean(keep_dims=True)(x, 1).asnumpy()
        array([[1.],
               [4.]], dtype=float32)
    """

    def _reduce(self, x: Tensor, axis: Any) -> Tensor:
        return _same_dtype(m.mean(x, axis, keep_dims=self.keep_dims), x)


class ReduceSum(_Reduce):
    """The sum over ``axis``, in the input's dtype; with ``skip_mode=True`` an empty ``axis`` returns ``x``."""

    def __init__(self, keep_dims: bool = False, skip_mode: bool = False) -> None:
        super().__init__(keep_dims)
        self.add_prim_attr("skip_mode", skip_mode)
        self.skip_mode = bool(skip_mode)

    def __call__(self, x: Any, axis: Any = ()) -> Tensor:
        if self.skip_mode and _every_axis(axis):
            return tensor_arg(self.name, "x", x)
        return super().__call__(x, axis)

    def _reduce(self, x: Tensor, axis: Any) -> Tensor:
        return _same_dtype(m.sum(x, axis, keepdims=self.keep_dims), x)


class ReduceMax(_Reduce):
    """The maximum over ``axis``; tied maxima share the gradient equally."""

    def _reduce(self, x: Tensor, axis: Any) -> Tensor:
        return m.amax(x, axis, keepdims=self.keep_dims)


def _every_axis(axis: Any) -> bool:
    """MindSpore's ``axis=()``: reduce every axis."""
    return isinstance(axis, tuple | list) and not axis


def _same_dtype(out: Tensor, x: Tensor) -> Tensor:
    """Integer and bool reductions keep the input's dtype, as MindSpore's kernels do."""
    return out if x.dtype.is_floating else cast_to(out, x.dtype)


class MatMul(Primitive):
    """The product of two matrices, either transposed first.

    .. math::
        out = op_a(x) \\, op_b(y), \\quad op(t) = t^T \\text{ if transposed else } t

    Raises:
        ValueError: inputs that are not 2-D, or inner dimensions that differ.
        TypeError: inputs of different dtypes.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore.ops import operations as P
        >>> x = ms.Tensor(np.ones((2, 3), np.float32))
        >>> P.MatMul(transpose_b=True)(x, x).asnumpy()
        array([[3., 3.],
               [3., 3.]], dtype=float32)
    """

    def __init__(self, transpose_a: bool = False, transpose_b: bool = False) -> None:
        super().__init__(type(self).__name__)
        self.add_prim_attr("transpose_a", transpose_a)
        self.add_prim_attr("transpose_b", transpose_b)
        self.transpose_a, self.transpose_b = bool(transpose_a), bool(transpose_b)

    def __call__(self, x: Any, y: Any) -> Tensor:
        a, b = tensor_arg(self.name, "x", x), tensor_arg(self.name, "y", y)
        self._check_ranks(a, b)
        if a.dtype != b.dtype:
            raise TypeError(
                f"For '{self.name}', the type of 'x2' should be same as 'x1', but got 'x1' with type "
                f"Tensor[{a.dtype}] and 'x2' with type Tensor[{b.dtype}]."
            )
        a = swapaxes(a, -1, -2) if self.transpose_a else a
        b = swapaxes(b, -1, -2) if self.transpose_b else b
        if a.shape[-1] != b.shape[-2]:
            raise ValueError(
                f"For '{self.name}' the input dimensions must be equal, but got 'x1_col': {a.shape[-1]} "
                f"and 'x2_row': {b.shape[-2]}."
            )
        return m.matmul(a, b)

    def _check_ranks(self, a: Tensor, b: Tensor) -> None:
        if a.ndim != 2 or b.ndim != 2:
            raise ValueError(
                f"For '{self.name}', the inputs must both be 2-D, but got shapes {a.shape} and {b.shape}; "
                "use P.BatchMatMul or ops.matmul for batches."
            )


class BatchMatMul(MatMul):
    """Matrix products over the leading (batch) axes, which broadcast; both inputs have one rank >= 2."""

    def _check_ranks(self, a: Tensor, b: Tensor) -> None:
        if a.ndim < 2 or a.ndim != b.ndim:
            raise ValueError(
                f"For '{self.name}', the inputs must have the same rank, at least 2, but got shapes "
                f"{a.shape} and {b.shape}."
            )


class Cast(Primitive):
    """``x`` converted to a MindSpore dtype (``P.Cast()(x, ms.float16)``); float casts pass gradients."""

    def __init__(self) -> None:
        super().__init__(type(self).__name__)
        self.init_prim_io_names(["x", "dst_type"], ["output"])

    def __call__(self, x: Any, dtype: Any) -> Tensor:
        if not isinstance(dtype, mstype.DType):
            raise TypeError(f"For '{self.name}', the input 'dtype' should be mindspore dtype, but got {dtype}.")
        return cast_to(x if isinstance(x, Tensor) else Tensor(x), dtype)
