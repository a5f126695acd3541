"""Elementwise functions and their derivatives."""

from __future__ import annotations

from typing import Any

import numpy as np

from minispore.autograd import Function
from minispore.backend.protocol import Array, BinaryOp, UnaryOp
from minispore.functions.broadcast import unbroadcast
from minispore.functions.constants import scalar


def _const(fn: Function, like: Array, value: float) -> Array:
    return scalar(fn.backend, value, like.dtype)


class _Unary(Function):
    op: UnaryOp

    def forward(self, x: Array) -> Array:
        self.x = x
        self.out = self.backend.unary(self.op, x)
        return self.out


class Neg(_Unary):
    op = UnaryOp.NEG

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        return (self.backend.unary(UnaryOp.NEG, grad),)


class Exp(_Unary):
    op = UnaryOp.EXP
    auto_precision = "float32"  # MindSpore's auto black list

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        return (self.backend.binary(BinaryOp.MUL, grad, self.out),)


class Log(_Unary):
    op = UnaryOp.LOG
    auto_precision = "float32"  # MindSpore's auto black list

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        return (self.backend.binary(BinaryOp.DIV, grad, self.x),)


class Sqrt(_Unary):
    op = UnaryOp.SQRT

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        b = self.backend
        twice = b.binary(BinaryOp.MUL, self.out, _const(self, self.out, 2.0))
        return (b.binary(BinaryOp.DIV, grad, twice),)


class Abs(_Unary):
    op = UnaryOp.ABS

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        return (self.backend.binary(BinaryOp.MUL, grad, self.backend.unary(UnaryOp.SIGN, self.x)),)


class Sin(_Unary):
    op = UnaryOp.SIN

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        return (self.backend.binary(BinaryOp.MUL, grad, self.backend.unary(UnaryOp.COS, self.x)),)


class Cos(_Unary):
    op = UnaryOp.COS

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        b = self.backend
        return (b.binary(BinaryOp.MUL, grad, b.unary(UnaryOp.NEG, b.unary(UnaryOp.SIN, self.x))),)


class Tanh(_Unary):
    op = UnaryOp.TANH

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        b = self.backend
        one_minus_sq = b.binary(BinaryOp.SUB, _const(self, grad, 1.0), b.binary(BinaryOp.MUL, self.out, self.out))
        return (b.binary(BinaryOp.MUL, grad, one_minus_sq),)


class Sigmoid(_Unary):
    op = UnaryOp.SIGMOID

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        b = self.backend
        slope = b.binary(BinaryOp.MUL, self.out, b.binary(BinaryOp.SUB, _const(self, grad, 1.0), self.out))
        return (b.binary(BinaryOp.MUL, grad, slope),)


class _Piecewise(_Unary):
    """Functions with a zero derivative almost everywhere (sign, floor, ceil)."""

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        return (self.backend.full(tuple(self.x.shape), 0, grad.dtype),)


class Sign(_Piecewise):
    op = UnaryOp.SIGN


class Floor(_Piecewise):
    op = UnaryOp.FLOOR


class Ceil(_Piecewise):
    op = UnaryOp.CEIL


class ReLU(Function):
    """``max(x, 0)`` with MindSpore's derivative (its ReluGrad kernel): the upstream gradient
    where the output is positive, ``+0.0`` elsewhere, even where that gradient is NaN or
    infinite (a product with the mask would let those through as NaN).

    The forward is one pass and keeps only its output (``y > 0`` exactly where ``x > 0``).
    The backward is a comparison and a select; on the CPU the select is compiled (NumPy's
    ``where`` on a random mask is about 15x slower than the product it replaces).
    """

    def forward(self, x: Array) -> Array:
        self.out = self.backend.binary(BinaryOp.MAXIMUM, x, _const(self, x, 0))
        return self.out

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        b = self.backend
        positive = b.binary(BinaryOp.GT, self.out, _const(self, self.out, 0))
        return (b.where(positive, grad, _const(self, grad, 0)),)


class _Binary(Function):
    op: BinaryOp

    def forward(self, x: Array, y: Array) -> Array:
        self.x, self.y = x, y
        return self.backend.binary(self.op, x, y)

    def reduce_pair(self, gx: Array | None, gy: Array | None) -> tuple[Array | None, ...]:
        b = self.backend
        return (
            unbroadcast(b, gx, tuple(self.x.shape)) if gx is not None and self.needs_grad[0] else None,
            unbroadcast(b, gy, tuple(self.y.shape)) if gy is not None and self.needs_grad[1] else None,
        )


class Add(_Binary):
    op = BinaryOp.ADD

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        return self.reduce_pair(grad, grad)


class Sub(_Binary):
    op = BinaryOp.SUB

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        neg = self.backend.unary(UnaryOp.NEG, grad) if self.needs_grad[1] else None
        return self.reduce_pair(grad, neg)


class Mul(_Binary):
    op = BinaryOp.MUL

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        b = self.backend
        gx = b.binary(BinaryOp.MUL, grad, self.y) if self.needs_grad[0] else None
        gy = b.binary(BinaryOp.MUL, grad, self.x) if self.needs_grad[1] else None
        return self.reduce_pair(gx, gy)


class Div(_Binary):
    op = BinaryOp.DIV

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        b = self.backend
        gx = b.binary(BinaryOp.DIV, grad, self.y)
        gy = None
        if self.needs_grad[1]:
            # d(x/y)/dy = -(x/y) / y
            quotient = b.binary(BinaryOp.DIV, self.x, self.y)
            gy = b.unary(UnaryOp.NEG, b.binary(BinaryOp.MUL, gx, quotient))
        return self.reduce_pair(gx, gy)


class Pow(_Binary):
    op = BinaryOp.POW
    auto_precision = "float32"  # MindSpore's auto black list

    def forward(self, x: Array, y: Array) -> Array:
        self.out = super().forward(x, y)
        return self.out

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        b = self.backend
        gx = gy = None
        if self.needs_grad[0]:
            # y * x^(y-1), written as y * x^y / x would fail at x == 0.
            ym1 = b.binary(BinaryOp.SUB, self.y, _const(self, self.y, 1.0))
            gx = b.binary(BinaryOp.MUL, grad, b.binary(BinaryOp.MUL, self.y, b.binary(BinaryOp.POW, self.x, ym1)))
        if self.needs_grad[1]:
            positive = b.binary(BinaryOp.GT, self.x, _const(self, self.x, 0))
            safe_x = b.where(positive, self.x, _const(self, self.x, 1.0))
            log_x = b.where(positive, b.unary(UnaryOp.LOG, safe_x), _const(self, self.x, 0))
            gy = b.binary(BinaryOp.MUL, grad, b.binary(BinaryOp.MUL, self.out, log_x))
        return self.reduce_pair(gx, gy)


class _Select(_Binary):
    """maximum/minimum: the gradient goes to the selected operand (x on ties, as MindSpore)."""

    pick_x: BinaryOp

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        b = self.backend
        take_x = b.broadcast_to(b.binary(self.pick_x, self.x, self.y), tuple(grad.shape))
        zero = _const(self, grad, 0)
        return self.reduce_pair(b.where(take_x, grad, zero), b.where(take_x, zero, grad))


class Maximum(_Select):
    op = BinaryOp.MAXIMUM
    pick_x = BinaryOp.GE


class Minimum(_Select):
    op = BinaryOp.MINIMUM
    pick_x = BinaryOp.LE


class Compare(Function):
    """Comparisons and logical ops: boolean results, no gradient."""

    differentiable = False

    def forward(self, x: Array, y: Array, op: BinaryOp) -> Array:
        return self.backend.binary(op, x, y)


class Where(Function):
    """``where(condition, x, y)``; the condition gets no gradient."""

    def forward(self, condition: Array, x: Array, y: Array) -> Array:
        self.condition, self.x_shape, self.y_shape = condition, tuple(x.shape), tuple(y.shape)
        return self.backend.where(condition, x, y)

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        b = self.backend
        zero = _const(self, grad, 0)
        gx = unbroadcast(b, b.where(self.condition, grad, zero), self.x_shape) if self.needs_grad[1] else None
        gy = unbroadcast(b, b.where(self.condition, zero, grad), self.y_shape) if self.needs_grad[2] else None
        return None, gx, gy


class Cast(Function):
    """Dtype conversion; the gradient is cast back (none flows into integer inputs).

    An explicit cast is never re-cast by ``Cell.to_float`` (MindSpore's PyNative rule).
    """

    mixed_precision = False

    def forward(self, x: Array, dtype: np.dtype[Any]) -> Array:
        self.src = x.dtype
        return self.backend.cast(x, dtype)

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        if not np.issubdtype(self.src, np.floating):
            return (None,)
        return (self.backend.cast(grad, self.src),)
