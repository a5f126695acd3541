"""Convolution and pooling over 2-D windows, on the backend's ``im2col`` and ``col2im``.

Every function here unfolds its input into columns (``(N, C*kh*kw, L)`` with ``L =
OH*OW`` window positions), works on the columns with matmul and reductions, and sends
gradients back through ``col2im``, the adjoint of ``im2col``. Pooling treats each
channel as its own one-channel image, ``(N*C, 1, H, W)``, so that the kernel taps sit
alone on axis 1 of the columns.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from minispore.autograd import Function
from minispore.backend.protocol import Array, Backend, BinaryOp, ReduceOp, Shape, Window2d
from minispore.functions.constants import scalar


def _planes(backend: Backend, x: Array) -> Array:
    """``(N, C, H, W)`` seen as ``N*C`` one-channel images ``(N*C, 1, H, W)``."""
    n, c, h, w = x.shape
    return backend.reshape(x, (n * c, 1, h, w))


def _taps(window: Window2d) -> int:
    return window.kernel[0] * window.kernel[1]


class Conv2d(Function):
    """Grouped 2-D cross-correlation of NCHW ``x`` with OIHW ``weight`` (MindSpore's Conv2D).

    With ``g`` groups, input channels and output channels are split into ``g`` equal
    blocks and block ``k`` of the output sees only block ``k`` of the input:

    .. math::
        y_{n,o,i,j} = \\sum_{c \\in G(o)} \\sum_{p,q} w_{o,c,p,q}\\,
        x_{n,c,\\,i s_h + p d_h - top,\\,j s_w + q d_w - left}

    The columns ``im2col(x)`` are seen as ``N*g`` matrices ``(C/g*kh*kw, L)``, one per
    sample and group, and each is multiplied by its group's kernel matrix in one batched
    matmul, so the forward pass never copies the columns. Backward:
    ``dx = col2im(W_g^T @ dY_ng)`` and ``dW_g = sum_n dY_ng @ cols_ng^T`` (see
    :meth:`_weight_grad` for the order of the product).
    """

    auto_precision = "low"  # MindSpore's auto white list: Conv2D

    def forward(self, x: Array, weight: Array, window: Window2d, groups: int) -> Array:
        b = self.backend
        n, _, h, w = x.shape
        out_channels = weight.shape[0]
        oh, ow = window.output_size(h, w)
        self.x_shape: Shape = tuple(x.shape)
        self.weight_shape: Shape = tuple(weight.shape)
        self.window = window
        cols = b.im2col(x, window, 0.0)
        depth = cols.shape[1] // groups
        cols = b.reshape(cols, (n * groups, depth, oh * ow))
        self.cols = cols if self.needs_grad[1] else None
        per_group = b.reshape(weight, (1, groups, out_channels // groups, depth))
        self.kernels = b.reshape(
            b.broadcast_to(per_group, (n, groups, out_channels // groups, depth)),
            (n * groups, out_channels // groups, depth),
        )
        return b.reshape(b.matmul(self.kernels, cols), (n, out_channels, oh, ow))

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        b = self.backend
        n = self.x_shape[0]
        batch, out_per_group, depth = self.kernels.shape
        grad_g = b.reshape(grad, (batch, out_per_group, grad.shape[2] * grad.shape[3]))
        gx = gw = None
        if self.needs_grad[0]:
            dcols = b.matmul(b.transpose(self.kernels, (0, 2, 1)), grad_g)
            gx = b.col2im(b.reshape(dcols, (n, batch // n * depth, dcols.shape[2])), self.x_shape, self.window)
        if self.needs_grad[1]:
            gw = self._weight_grad(grad_g, self.cols)
        return gx, gw

    def _weight_grad(self, grad_g: Array, cols: Array) -> Array:
        """``dW_g = sum_n dY_ng @ cols_ng^T``, as the per-sample products BLAS runs fastest.

        With few window positions ``L`` (no more than the patch depth), the products are
        taken as ``cols_ng @ dY_ng^T`` with both operands row-major, the transposed
        gradient first laid out row by row (a reshape to 2-D that cannot be a view):
        3.9x faster for LeNet's conv2 at batch 128 with OpenBLAS. With many positions
        (conv1: 784 against a depth of 25), ``dY_ng @ cols_ng^T`` is the fastest form.
        """
        b = self.backend
        n = self.x_shape[0]
        batch, out_per_group, positions = grad_g.shape
        depth = cols.shape[1]
        groups = batch // n
        if positions > depth:
            per_sample = b.matmul(grad_g, b.transpose(cols, (0, 2, 1)))
            return b.reduce(ReduceOp.SUM, b.reshape(per_sample, (n, *self.weight_shape)), (0,), keepdims=False)
        rows = b.reshape(b.transpose(grad_g, (0, 2, 1)), (batch * positions, out_per_group))
        per_sample = b.matmul(cols, b.reshape(rows, (batch, positions, out_per_group)))
        summed = b.reduce(ReduceOp.SUM, b.reshape(per_sample, (n, groups, depth, out_per_group)), (0,), False)
        return b.reshape(b.transpose(summed, (0, 2, 1)), self.weight_shape)


class MaxPool2d(Function):
    """Maximum over each window; the gradient goes to the first maximum (row-major order).

    .. math::
        y_{n,c,i,j} = \\max_{p,q} x_{n,c,\\,i s_h + p d_h - top,\\,j s_w + q d_w - left}

    Padding never wins: it reads :math:`-\\infty`. Ties send the whole gradient to the
    first maximal tap in row-major order (the backend's ``max_pool2d`` records it).
    """

    def forward(self, x: Array, window: Window2d) -> Array:
        self.x_shape: Shape = tuple(x.shape)
        self.window = window
        out, self.taps = self.backend.max_pool2d(x, window)
        return out

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        return (self.backend.max_pool2d_grad(grad, self.taps, self.x_shape, self.window),)


class MaxPool2dIndices(Function):
    """Where each window's first maximum sits: the flat index ``row * W + col`` (int64).

    This is the ``argmax`` output of MindSpore's ``MaxPool2d(return_indices=True)``;
    indices carry no gradient.
    """

    differentiable = False

    def forward(self, x: Array, window: Window2d) -> Array:
        b = self.backend
        n, c, h, w = x.shape
        taps = _taps(window)
        _, chosen_tap = b.max_pool2d(x, window)
        first = b.binary(
            BinaryOp.EQ,
            b.reshape(chosen_tap, (n * c, 1, chosen_tap.shape[2] * chosen_tap.shape[3])),
            b.from_numpy(np.arange(taps, dtype=np.int32).reshape(1, taps, 1)),
        )
        # Unfolding an image of pixel numbers gives each tap's source pixel; float32
        # holds them exactly up to 2**24 pixels per plane.
        pixels = b.from_numpy(np.arange(h * w, dtype=np.float32).reshape(1, 1, h, w))
        sources = b.im2col(pixels, window, -1.0)
        chosen = b.where(first, sources, scalar(b, 0.0, sources.dtype))
        flat = b.reduce(ReduceOp.SUM, chosen, (1,), keepdims=False)
        return b.reshape(b.cast(flat, np.dtype(np.int64)), (n, c, *window.output_size(h, w)))


def _window_counts(
    backend: Backend, height: int, width: int, window: Window2d, counted: Shape, dtype: np.dtype[Any]
) -> Array:
    """How many counted positions each window covers, as ``(1, 1, L)``.

    ``counted`` is the part ``(top, bottom, left, right)`` of ``window.padding`` that
    counts as real positions (MindSpore's ``count_include_pad``); the rest of the
    padding, and ``ceil_mode``'s overhang, does not count.
    """
    top, bottom, left, right = window.padding
    ct, cb, cl, cr = counted
    ones = backend.full((1, 1, height + ct + cb, width + cl + cr), 1, dtype)
    inner = dataclasses.replace(window, padding=(top - ct, bottom - cb, left - cl, right - cr))
    return backend.reduce(ReduceOp.SUM, backend.im2col(ones, inner, 0.0), (1,), keepdims=True)


class AvgPool2d(Function):
    """Mean over each window, divided by the number of counted positions.

    .. math::
        y_{n,c,i,j} = \\frac{1}{D_{i,j}} \\sum_{p,q} x_{n,c,\\,i s_h + p - top,\\,j s_w + q - left}

    ``D`` is ``divisor_override`` when given, else the window's counted positions (see
    :func:`_window_counts`): all taps in ``'valid'`` mode, the taps inside the image in
    ``'same'`` mode, and the taps inside the explicitly padded image in ``'pad'`` mode
    with ``count_include_pad``. Backward spreads ``dy / D`` evenly over each window.
    """

    def forward(self, x: Array, window: Window2d, counted: Shape, divisor_override: int | None) -> Array:
        b = self.backend
        n, c, h, w = x.shape
        self.x_shape: Shape = tuple(x.shape)
        self.window = window
        if divisor_override is None:
            self.divisor = _window_counts(b, h, w, window, counted, x.dtype)
        else:
            self.divisor = b.full((), divisor_override, x.dtype)
        cols = b.im2col(_planes(b, x), window, 0.0)
        sums = b.reduce(ReduceOp.SUM, cols, (1,), keepdims=True)
        return b.reshape(b.binary(BinaryOp.DIV, sums, self.divisor), (n, c, *window.output_size(h, w)))

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        b = self.backend
        n, c, h, w = self.x_shape
        share = b.binary(BinaryOp.DIV, b.reshape(grad, (n * c, 1, grad.shape[2] * grad.shape[3])), self.divisor)
        cols = b.broadcast_to(share, (n * c, _taps(self.window), share.shape[2]))
        return (b.reshape(b.col2im(cols, (n * c, 1, h, w), self.window), self.x_shape),)
