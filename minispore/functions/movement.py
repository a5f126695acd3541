"""Shape and data movement: reshape, transpose, broadcast, indexing, concat, gather."""

from __future__ import annotations

from minispore.autograd import Function
from minispore.backend.protocol import Array, IndexKey, Shape
from minispore.functions.broadcast import unbroadcast


class Reshape(Function):
    def forward(self, x: Array, shape: Shape) -> Array:
        self.shape = tuple(x.shape)
        return self.backend.reshape(x, shape)

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        return (self.backend.reshape(grad, self.shape),)


class Transpose(Function):
    def forward(self, x: Array, perm: tuple[int, ...]) -> Array:
        self.inverse = tuple(sorted(range(len(perm)), key=perm.__getitem__))
        return self.backend.transpose(x, perm)

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        return (self.backend.transpose(grad, self.inverse),)


class BroadcastTo(Function):
    def forward(self, x: Array, shape: Shape) -> Array:
        self.shape = tuple(x.shape)
        return self.backend.broadcast_to(x, shape)

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        return (unbroadcast(self.backend, grad, self.shape),)


class Index(Function):
    """Basic indexing; the gradient is scattered into zeros of the input's shape."""

    def forward(self, x: Array, key: IndexKey) -> Array:
        self.shape, self.key = tuple(x.shape), key
        return self.backend.index(x, key)

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        out = self.backend.full(self.shape, 0, grad.dtype)
        self.backend.setitem(out, self.key, grad)
        return (out,)


class Concat(Function):
    def forward(self, *xs: Array, axis: int) -> Array:
        self.axis = axis
        self.sizes = [x.shape[axis] for x in xs]
        return self.backend.concat(xs, axis)

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        grads: list[Array | None] = []
        start = 0
        for size, needed in zip(self.sizes, self.needs_grad):
            key = tuple(
                slice(start, start + size, 1) if i == self.axis else slice(0, n, 1) for i, n in enumerate(grad.shape)
            )
            grads.append(self.backend.index(grad, key) if needed else None)
            start += size
        return tuple(grads)


class Take(Function):
    """Gather along an axis with integer indices (no gradient for the indices)."""

    def forward(self, x: Array, indices: Array, axis: int) -> Array:
        self.shape, self.indices, self.axis = tuple(x.shape), indices, axis
        return self.backend.take(x, indices, axis)

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        return self.backend.scatter_add(self.shape, self.indices, grad, self.axis), None
