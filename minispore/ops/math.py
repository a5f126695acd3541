"""Elementwise arithmetic, comparisons, reductions and matmul on Tensors."""

from __future__ import annotations

import builtins
from typing import Any

from minispore.backend.protocol import ArgReduceOp, BinaryOp
from minispore.common import dtype as mstype
from minispore.common.tensor import Tensor
from minispore.functions import elementwise as ew
from minispore.functions import linalg, reduce
from minispore.functions.movement import BroadcastTo, Reshape
from minispore.ops._convert import cast_to, normalize_axes, on_backend, operands


def _float(x: Tensor) -> Tensor:
    return x if x.dtype.is_floating else cast_to(x, mstype.float32)


def add(x: Any, y: Any) -> Tensor:
    """``x + y`` with broadcasting."""
    return ew.Add.apply(*operands(x, y, "Add"))


def sub(x: Any, y: Any) -> Tensor:
    """``x - y`` with broadcasting."""
    return ew.Sub.apply(*operands(x, y, "Sub"))


def mul(x: Any, y: Any) -> Tensor:
    """``x * y`` with broadcasting."""
    return ew.Mul.apply(*operands(x, y, "Mul"))


def div(x: Any, y: Any) -> Tensor:
    """True division; integer operands give Float32."""
    a, b = operands(x, y, "Div")
    return ew.Div.apply(_float(a), _float(b))


def floor_divide(x: Any, y: Any) -> Tensor:
    """``floor(x / y)`` in the operands' dtype."""
    a, b = operands(x, y, "FloorDiv")
    return cast_to(ew.Floor.apply(div(a, b)), a.dtype)


def pow(x: Any, y: Any) -> Tensor:
    """``x ** y``."""
    return ew.Pow.apply(*operands(x, y, "Pow"))


def maximum(x: Any, y: Any) -> Tensor:
    """Elementwise maximum ``out = max(x, y)``, with broadcasting; ties split the gradient equally."""
    return ew.Maximum.apply(*operands(x, y, "Maximum"))


def minimum(x: Any, y: Any) -> Tensor:
    """Elementwise minimum ``out = min(x, y)``, with broadcasting; ties split the gradient equally."""
    return ew.Minimum.apply(*operands(x, y, "Minimum"))


def _compare(op: BinaryOp, x: Any, y: Any, name: str) -> Tensor:
    return ew.Compare.apply(*operands(x, y, name), op=op)


def equal(x: Any, y: Any) -> Tensor:
    """Elementwise ``x == y`` as a Bool tensor, with broadcasting."""
    return _compare(BinaryOp.EQ, x, y, "Equal")


def not_equal(x: Any, y: Any) -> Tensor:
    """Elementwise ``x != y`` as a Bool tensor, with broadcasting."""
    return _compare(BinaryOp.NE, x, y, "NotEqual")


def less(x: Any, y: Any) -> Tensor:
    """Elementwise ``x < y`` as a Bool tensor, with broadcasting."""
    return _compare(BinaryOp.LT, x, y, "Less")


def less_equal(x: Any, y: Any) -> Tensor:
    """Elementwise ``x <= y`` as a Bool tensor, with broadcasting."""
    return _compare(BinaryOp.LE, x, y, "LessEqual")


def greater(x: Any, y: Any) -> Tensor:
    """Elementwise ``x > y`` as a Bool tensor, with broadcasting."""
    return _compare(BinaryOp.GT, x, y, "Greater")


def greater_equal(x: Any, y: Any) -> Tensor:
    """Elementwise ``x >= y`` as a Bool tensor, with broadcasting."""
    return _compare(BinaryOp.GE, x, y, "GreaterEqual")


def logical_and(x: Any, y: Any) -> Tensor:
    """Elementwise ``x and y`` (nonzero is true) as a Bool tensor, with broadcasting."""
    return _compare(BinaryOp.LOGICAL_AND, x, y, "LogicalAnd")


def logical_or(x: Any, y: Any) -> Tensor:
    """Elementwise ``x or y`` (nonzero is true) as a Bool tensor, with broadcasting."""
    return _compare(BinaryOp.LOGICAL_OR, x, y, "LogicalOr")


def logical_not(x: Tensor) -> Tensor:
    """Elementwise ``not x`` (nonzero is true) as a Bool tensor."""
    return equal(cast_to(x, mstype.bool_), False)


def neg(x: Tensor) -> Tensor:
    """Elementwise negation ``-x``."""
    return ew.Neg.apply(x)


def exp(x: Tensor) -> Tensor:
    """Elementwise ``e**x``; integer input gives Float32."""
    return ew.Exp.apply(_float(x))


def log(x: Tensor) -> Tensor:
    """Elementwise natural logarithm ``ln(x)``; integer input gives Float32."""
    return ew.Log.apply(_float(x))


def sqrt(x: Tensor) -> Tensor:
    """Elementwise square root ``x**0.5``; integer input gives Float32."""
    return ew.Sqrt.apply(_float(x))


def abs(x: Tensor) -> Tensor:
    """Elementwise absolute value ``|x|``; the gradient is ``sign(x)`` (0 at 0)."""
    return ew.Abs.apply(x)


def sign(x: Tensor) -> Tensor:
    """Elementwise sign: -1, 0 or 1 in the input's dtype."""
    return ew.Sign.apply(x)


def sin(x: Tensor) -> Tensor:
    """Elementwise sine (radians); integer input gives Float32."""
    return ew.Sin.apply(_float(x))


def cos(x: Tensor) -> Tensor:
    """Elementwise cosine (radians); integer input gives Float32."""
    return ew.Cos.apply(_float(x))


def tanh(x: Tensor) -> Tensor:
    """Elementwise hyperbolic tangent ``(e**x - e**-x) / (e**x + e**-x)``; integer input gives Float32."""
    return ew.Tanh.apply(_float(x))


def sigmoid(x: Tensor) -> Tensor:
    """Elementwise logistic function ``1 / (1 + e**-x)``; integer input gives Float32."""
    return ew.Sigmoid.apply(_float(x))


def relu(x: Tensor) -> Tensor:
    """``max(x, 0)``; its derivative is 0 at 0, as in MindSpore."""
    return ew.ReLU.apply(x)


def floor(x: Tensor) -> Tensor:
    """Elementwise largest integer ``<= x``, in the input's dtype (zero gradient)."""
    return ew.Floor.apply(x)


def ceil(x: Tensor) -> Tensor:
    """Elementwise smallest integer ``>= x``, in the input's dtype (zero gradient)."""
    return ew.Ceil.apply(x)


def square(x: Tensor) -> Tensor:
    """Elementwise ``x * x``."""
    return mul(x, x)


def reciprocal(x: Tensor) -> Tensor:
    """Elementwise ``1 / x``; integer input gives Float32."""
    return div(1.0, _float(x))


def where(condition: Tensor, x: Any, y: Any) -> Tensor:
    """Elements of ``x`` where ``condition`` holds, else of ``y`` (broadcast)."""
    a, b = operands(x, y, "Select")
    cond = cast_to(on_backend(condition, a), mstype.bool_)
    return ew.Where.apply(cond, a, b)


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Limit ``x`` to ``[min, max]`` (either bound may be None)."""
    out = x
    if min is not None:
        out = maximum(out, min)
    if max is not None:
        out = minimum(out, max)
    return out


clip = clamp


def sum(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Sum over ``axis`` (all axes when None); bools and ints sum as Int64."""
    axes = normalize_axes(axis, x.ndim, "ReduceSum")
    if not x.dtype.is_floating and x.dtype != mstype.int64:
        x = cast_to(x, mstype.int64)
    return reduce.Sum.apply(x, axes=axes, keepdims=keepdims)


def mean(x: Tensor, axis: Any = None, keep_dims: bool = False) -> Tensor:
    """Arithmetic mean over ``axis``."""
    axes = normalize_axes(axis, x.ndim, "ReduceMean")
    count = 1
    for a in axes:
        count *= x.shape[a]
    total = sum(_float(x), axes, keepdims=keep_dims)
    return mul(total, 1.0 / builtins.max(count, 1))


def amax(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Maximum over ``axis``; ties share the gradient equally."""
    axes = normalize_axes(axis, x.ndim, "ReduceMax")
    _require_nonempty(x, "ReduceMax")
    return reduce.Max.apply(x, axes=axes, keepdims=keepdims)


def amin(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Minimum over ``axis``; ties share the gradient equally."""
    axes = normalize_axes(axis, x.ndim, "ReduceMin")
    _require_nonempty(x, "ReduceMin")
    return reduce.Min.apply(x, axes=axes, keepdims=keepdims)


def _require_nonempty(x: Tensor, op: str) -> None:
    if x.size == 0:
        raise ValueError(f"For '{op}', the input must not be empty, but got shape {x.shape}.")


def _arg(x: Tensor, op: ArgReduceOp, axis: int | None, keepdims: bool, name: str) -> Tensor:
    _require_nonempty(x, name)
    if axis is None:
        flat = Reshape.apply(x, shape=(x.size,))
        return reduce.ArgReduce.apply(flat, op=op, axis=0, keepdims=False)
    (ax,) = normalize_axes(axis, x.ndim, name) or (0,)
    return reduce.ArgReduce.apply(x, op=op, axis=ax, keepdims=keepdims)


def argmax(x: Tensor, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index (Int32) of the first maximum along ``axis`` (of the flattened tensor if None)."""
    return _arg(x, ArgReduceOp.ARGMAX, axis, keepdims, "Argmax")


def argmin(x: Tensor, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index (Int32) of the first minimum along ``axis`` (of the flattened tensor if None)."""
    return _arg(x, ArgReduceOp.ARGMIN, axis, keepdims, "Argmin")


def matmul(x: Any, y: Any) -> Tensor:
    """NumPy-style matrix product: 1-D operands are promoted, batch dimensions broadcast."""
    a, b = operands(x, y, "MatMul")
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"For 'MatMul', the inputs must have at least 1 dimension, but got {a.shape} and {b.shape}.")
    squeeze_a, squeeze_b = a.ndim == 1, b.ndim == 1
    if squeeze_a:
        a = Reshape.apply(a, shape=(1, a.shape[0]))
    if squeeze_b:
        b = Reshape.apply(b, shape=(b.shape[0], 1))
    if a.shape[-1] != b.shape[-2]:
        raise ValueError(f"For 'MatMul', the inner dimensions must match, but got shapes {a.shape} and {b.shape}.")
    batch = _broadcast_shape(a.shape[:-2], b.shape[:-2])
    if batch:
        n = 1
        for d in batch:
            n *= d
        a = Reshape.apply(BroadcastTo.apply(a, shape=batch + a.shape[-2:]), shape=(n,) + a.shape[-2:])
        b = Reshape.apply(BroadcastTo.apply(b, shape=batch + b.shape[-2:]), shape=(n,) + b.shape[-2:])
    out = linalg.MatMul.apply(a, b)
    shape = batch + out.shape[-2:]
    if squeeze_a:
        shape = shape[:-2] + shape[-1:]
    if squeeze_b:
        shape = shape[:-1]
    return Reshape.apply(out, shape=shape) if shape != out.shape else out


def _broadcast_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    out = []
    for i in range(1, builtins.max(len(a), len(b)) + 1):
        da = a[-i] if i <= len(a) else 1
        db = b[-i] if i <= len(b) else 1
        if da != db and 1 not in (da, db):
            raise ValueError(f"Shapes {a} and {b} cannot be broadcast together.")
        out.append(builtins.max(da, db))
    return tuple(reversed(out))
