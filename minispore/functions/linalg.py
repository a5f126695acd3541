"""Matrix products."""

from __future__ import annotations

from minispore.autograd import Function
from minispore.backend.protocol import Array


def _swap_last(backend_ndim: int) -> tuple[int, ...]:
    return tuple(range(backend_ndim - 2)) + (backend_ndim - 1, backend_ndim - 2)


class MatMul(Function):
    """``a @ b`` for 2-D, or 3-D with equal batch sizes (callers broadcast first)."""

    auto_precision = "low"  # MindSpore's auto white list: MatMul, BatchMatMul

    def forward(self, a: Array, b: Array) -> Array:
        self.a, self.b = a, b
        return self.backend.matmul(a, b)

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        be = self.backend
        perm = _swap_last(len(grad.shape))
        ga = be.matmul(grad, be.transpose(self.b, perm)) if self.needs_grad[0] else None
        gb = be.matmul(be.transpose(self.a, perm), grad) if self.needs_grad[1] else None
        return ga, gb


class Linear(Function):
    """``x @ w.T`` for ``x`` of shape ``(n, in)`` and ``w`` of ``(out, in)``: a dense layer,
    MindSpore's ``MatMul(transpose_b=True)``.

    Backward gives ``dw = grad.T @ x``, laid out like ``w`` (MindSpore's formula), where
    ``matmul(x, transpose(w))`` gave the transpose of ``x.T @ grad``: a strided view that
    the optimizer then copied on every step.
    """

    auto_precision = "low"  # MindSpore's auto white list: MatMul

    def forward(self, x: Array, w: Array) -> Array:
        self.x, self.w = x, w
        return self.backend.matmul(x, self.backend.transpose(w, (1, 0)))

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        be = self.backend
        gx = be.matmul(grad, self.w) if self.needs_grad[0] else None
        gw = be.matmul(be.transpose(grad, (1, 0)), self.x) if self.needs_grad[1] else None
        return gx, gw
