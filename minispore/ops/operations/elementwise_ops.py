"""Elementwise primitives: arithmetic (``P.Add``, ``P.RealDiv``, …), functions (``P.Exp``,
``P.Sigmoid``, …) and comparisons (``P.Equal``, …).

Each runs on the differentiable functions of :mod:`minispore.ops.math`, so gradients flow
through them under ``ms.value_and_grad`` without gradient code of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minispore.common.tensor import Tensor
from minispore.ops import math as m
from minispore.ops._convert import cast_to, operands
from minispore.ops.operations.primitive import Primitive, tensor_arg


class _Binary(Primitive):
    """``fn(x, y)`` with broadcasting; Python numbers are accepted on either side."""

    fn: Callable[[Any, Any], Tensor]

    def __init__(self) -> None:
        super().__init__(type(self).__name__)

    def __call__(self, x: Any, y: Any) -> Tensor:
        if not isinstance(x, Tensor) and not isinstance(y, Tensor):
            x = Tensor(x)
        return self._compute(x, y)

    def _compute(self, x: Any, y: Any) -> Tensor:
        return type(self).fn(x, y)


class Add(_Binary):
    """``x + y`` (``P.Add()(x, y)``).

    Example:
        >>> import minispore as ms
        >>> from minispore.ops import operations as P
        >>> P.Add()(ms.Tensor([1.0, 2.0]), 1).asnumpy()
        array([2., 3.], dtype=float32)
    """

    fn = staticmethod(m.add)


class Sub(_Binary):
    """``x - y``."""

    fn = staticmethod(m.sub)


class Mul(_Binary):
    """``x * y``."""

    fn = staticmethod(m.mul)


class RealDiv(_Binary):
    """``x / y`` (IEEE division: ``x / 0`` is ``inf``); two integer operands give the
    quotient truncated toward zero in their dtype, as MindSpore's CPU kernel does."""

    fn = staticmethod(m.div)

    def _compute(self, x: Any, y: Any) -> Tensor:
        a, b = operands(x, y, self.name)
        out = m.div(a, b)
        return out if a.dtype.is_floating else cast_to(out, a.dtype)


class _Unary(Primitive):
    fn: Callable[[Tensor], Tensor]
    float_only = False

    def __init__(self) -> None:
        super().__init__(type(self).__name__)

    def __call__(self, x: Any) -> Tensor:
        t = tensor_arg(self.name, "x", x)
        if self.float_only and not t.dtype.is_floating:
            raise TypeError(
                f"For '{self.name}', the input must be a float tensor, as for MindSpore's CPU kernel, "
                f"but got {t.dtype}; cast it with x.astype(ms.float32)."
            )
        return type(self).fn(t)


class Square(_Unary):
    """``x * x`` in the input's dtype."""

    fn = staticmethod(m.square)


class Sqrt(_Unary):
    """``sqrt(x)``; integer inputs give Float32."""

    fn = staticmethod(m.sqrt)


class Exp(_Unary):
    """``e ** x`` of a float tensor."""

    fn = staticmethod(m.exp)
    float_only = True


class Log(_Unary):
    """The natural logarithm of a float tensor (``log(0) = -inf``, ``log(x < 0) = nan``)."""

    fn = staticmethod(m.log)
    float_only = True

    def __init__(self) -> None:
        super().__init__()
        self.attrs.update(cust_aicpu="Log", base=-1.0, scale=1.0, shift=0.0)


class Neg(_Unary):
    """``-x``."""

    fn = staticmethod(m.neg)


class Abs(_Unary):
    """``|x|`` (gradient ``sign(x)``)."""

    fn = staticmethod(m.abs)


class Sign(_Unary):
    """-1, 0 or 1 by the sign of ``x`` (zero gradient)."""

    fn = staticmethod(m.sign)


class Floor(_Unary):
    """The largest integer not above ``x`` (zero gradient)."""

    fn = staticmethod(m.floor)


class Reciprocal(_Unary):
    """``1 / x``."""

    fn = staticmethod(m.reciprocal)


class Sigmoid(_Unary):
    """``1 / (1 + e^{-x})``."""

    fn = staticmethod(m.sigmoid)


class Tanh(_Unary):
    """The hyperbolic tangent."""

    fn = staticmethod(m.tanh)


class Sin(_Unary):
    """The sine."""

    fn = staticmethod(m.sin)


class Cos(_Unary):
    """The cosine."""

    fn = staticmethod(m.cos)


class Maximum(_Binary):
    """The larger of ``x`` and ``y``; on ties the gradient goes to ``x``."""

    fn = staticmethod(m.maximum)


class Minimum(_Binary):
    """The smaller of ``x`` and ``y``; on ties the gradient goes to ``x``."""

    fn = staticmethod(m.minimum)


class Pow(_Binary):
    """``x ** y``."""

    fn = staticmethod(m.pow)


class FloorDiv(_Binary):
    """``floor(x / y)`` in the operands' dtype."""

    fn = staticmethod(m.floor_divide)


class Equal(_Binary):
    """``x == y`` as a Bool tensor."""

    fn = staticmethod(m.equal)


class NotEqual(_Binary):
    """``x != y`` as a Bool tensor."""

    fn = staticmethod(m.not_equal)


class Less(_Binary):
    """``x < y`` as a Bool tensor."""

    fn = staticmethod(m.less)


class LessEqual(_Binary):
    """``x <= y`` as a Bool tensor."""

    fn = staticmethod(m.less_equal)


class Greater(_Binary):
    """``x > y`` as a Bool tensor."""

    fn = staticmethod(m.greater)


class GreaterEqual(_Binary):
    """``x >= y`` as a Bool tensor."""

    fn = staticmethod(m.greater_equal)
