"""``ops.conv2d``, ``ops.max_pool2d`` and ``ops.avg_pool2d``: values against direct NumPy loops,
gradients against finite differences, on every backend."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minispore as ms
from minispore import ops

from .gradcheck import SETTINGS, Host, check_gradients, require_float64


@dataclass(frozen=True)
class Geometry:
    """One convolution or pooling configuration and its input size."""

    size: tuple[int, int]
    kernel: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    mode: str
    padding: tuple[int, int, int, int]

    def pads(self) -> tuple[int, int, int, int]:
        """``(top, bottom, left, right)`` as MindSpore pads (the formula of its docs)."""
        if self.mode == "pad":
            return self.padding
        if self.mode == "valid":
            return (0, 0, 0, 0)
        out: list[int] = []
        for n, k, s, d in zip(self.size, self.kernel, self.stride, self.dilation):
            total = max((math.ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0)
            out += [total // 2, total - total // 2]
        return (out[0], out[1], out[2], out[3])


@st.composite
def geometries(draw: st.DrawFn, max_dilation: int = 2, pad_limit: bool = False) -> Geometry:
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, max_dilation)), draw(st.integers(1, max_dilation)))
    reach = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    mode = draw(st.sampled_from(["valid", "same", "pad"]))
    limits = [r // 2 if pad_limit else 2 for r in reach]
    padding = (0, 0, 0, 0)
    if mode == "pad":
        padding = tuple(draw(st.integers(0, limits[i // 2])) for i in range(4))  # type: ignore[assignment]
    size = (draw(st.integers(reach[0], reach[0] + 3)), draw(st.integers(reach[1], reach[1] + 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    return Geometry(size, kernel, stride, dilation, mode, padding)


def windows(x: Host, g: Geometry, fill: float) -> Host:
    """``(N, C, OH, OW, kh, kw)``: every window of ``x`` padded with ``fill``."""
    top, bottom, left, right = g.pads()
    padded = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=fill)
    (kh, kw), (sh, sw), (dh, dw) = g.kernel, g.stride, g.dilation
    oh = (padded.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (padded.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = np.empty((*x.shape[:2], oh, ow, kh, kw), dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)
            cols = slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)
            out[:, :, i, j] = padded[:, :, rows, cols]
    return out


def reference_conv2d(x: Host, w: Host, g: Geometry, groups: int) -> Host:
    patches = windows(x, g, 0.0)
    cin, cout = w.shape[1], w.shape[0] // groups
    blocks = [
        np.einsum("nchwkl,ockl->nohw", patches[:, k * cin : (k + 1) * cin], w[k * cout : (k + 1) * cout])
        for k in range(groups)
    ]
    return np.concatenate(blocks, axis=1)


def distinct(rng: np.random.Generator, shape: tuple[int, ...]) -> Host:
    """Values 0.3 apart in random order: pooling has no ties and no near-ties."""
    return rng.permutation(int(np.prod(shape))).reshape(shape) * 0.3 - 1.0


@st.composite
def conv_cases(draw: st.DrawFn) -> tuple[Geometry, int, int, int, int]:
    """A geometry, the batch, the groups, and the channels per group in and out."""
    return (
        draw(geometries()),
        draw(st.integers(1, 2)),
        draw(st.integers(1, 2)),
        draw(st.integers(1, 2)),
        draw(st.integers(1, 2)),
    )


def conv_call(g: Geometry, groups: int) -> Any:
    def call(x: ms.Tensor, w: ms.Tensor, b: ms.Tensor | None = None) -> ms.Tensor:
        padding = g.padding if g.mode == "pad" else 0
        return ops.conv2d(x, w, b, g.stride, g.mode, padding, g.dilation, groups)

    return call


@SETTINGS
@given(case=conv_cases(), seed=st.integers(0, 2**16))
def test_conv2d_matches_direct_loops(device: str, case: tuple[Geometry, int, int, int, int], seed: int) -> None:
    g, n, groups, cin, cout = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, groups * cin, *g.size)).astype(np.float32)
    w = rng.standard_normal((groups * cout, cin, *g.kernel)).astype(np.float32)
    out = conv_call(g, groups)(ms.Tensor(x), ms.Tensor(w))
    np.testing.assert_allclose(out.asnumpy(), reference_conv2d(x, w, g, groups), rtol=1e-5, atol=1e-5)


@SETTINGS
@given(case=conv_cases(), seed=st.integers(0, 2**16))
def test_conv2d_gradients(device: str, case: tuple[Geometry, int, int, int, int], seed: int) -> None:
    g, n, groups, cin, cout = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, groups * cin, *g.size))
    w = rng.standard_normal((groups * cout, cin, *g.kernel))
    b = rng.standard_normal(groups * cout)
    check_gradients(conv_call(g, groups), [x, w, b])


@pytest.mark.parametrize("size", [4, 12], ids=["few-positions", "many-positions"])
def test_grouped_conv2d_weight_gradient_in_both_product_orders(device: str, size: int) -> None:
    # 3x3 kernels on 2 channels per group: a depth of 18, against 4 or 100 window positions.
    rng = np.random.default_rng(size)
    x = rng.standard_normal((2, 4, size, size))
    w = rng.standard_normal((4, 2, 3, 3))
    check_gradients(conv_call(Geometry((size, size), (3, 3), (1, 1), (1, 1), "valid", (0, 0, 0, 0)), 2), [x, w])


def test_conv2d_same_padding_puts_the_odd_pixel_last(device: str) -> None:
    x = ms.Tensor(np.ones((1, 1, 7, 7), np.float32))
    w = ms.Tensor(np.ones((1, 1, 3, 3), np.float32))
    out = ops.conv2d(x, w, pad_mode="same", stride=2).asnumpy()[0, 0]
    # total padding 2 per axis: one row on top, one below; windows start at rows -1, 1, 3, 5.
    assert out.shape == (4, 4)
    np.testing.assert_array_equal(out[0], [4, 6, 6, 4])
    x6 = ms.Tensor(np.ones((1, 1, 6, 6), np.float32))
    out6 = ops.conv2d(x6, w, pad_mode="same", stride=2).asnumpy()[0, 0]
    # total padding 1: none on top, one row at the bottom.
    np.testing.assert_array_equal(out6[0], [9, 9, 6])
    np.testing.assert_array_equal(out6[:, 0], [9, 9, 6])


def pool_reference(x: Host, g: Geometry, kind: str) -> Host:
    if kind == "max":
        return np.asarray(windows(x, g, -np.inf).max(axis=(4, 5)))
    sums = windows(x, g, 0.0).sum(axis=(4, 5))
    inside = windows(np.ones((1, 1, *x.shape[2:])), g, 0.0).sum(axis=(4, 5))
    if g.mode == "pad":
        counted = windows(np.ones((1, 1, *x.shape[2:])), g, 1.0).sum(axis=(4, 5))
        return np.asarray(sums / counted)
    return np.asarray(sums / inside)


def pool_call(g: Geometry, kind: str) -> Any:
    def call(x: ms.Tensor) -> ms.Tensor:
        if kind == "max":
            return ops.max_pool2d(x, g.kernel, g.stride, g.padding, g.dilation, pad_mode=g.mode)
        return ops.avg_pool2d(x, g.kernel, g.stride, g.padding, pad_mode=g.mode)

    return call


@SETTINGS
@given(
    data=st.data(),
    kind=st.sampled_from(["max", "avg"]),
    n=st.integers(1, 2),
    c=st.integers(1, 2),
    seed=st.integers(0, 2**16),
)
def test_pooling_values_and_gradients(device: str, data: st.DataObject, kind: str, n: int, c: int, seed: int) -> None:
    g = data.draw(geometries(max_dilation=2 if kind == "max" else 1, pad_limit=True))
    x = distinct(np.random.default_rng(seed), (n, c, *g.size))
    require_float64()
    out = pool_call(g, kind)(ms.Tensor(x))
    np.testing.assert_allclose(out.asnumpy(), pool_reference(x, g, kind), rtol=1e-12, atol=1e-12)
    check_gradients(pool_call(g, kind), [x])


def test_max_pool2d_sends_a_tie_to_the_first_maximum(device: str) -> None:
    x = ms.Tensor(np.array([[[[1.0, 3.0], [3.0, 3.0]]]], np.float32))
    grad = ms.grad(lambda t: ops.max_pool2d(t, 2).sum())(x)
    np.testing.assert_array_equal(grad.asnumpy()[0, 0], [[0, 1], [0, 0]])


def test_max_pool2d_indices_point_at_the_first_maximum(device: str) -> None:
    x = np.array([[[[0, 9, 2, 9], [4, 5, 9, 7], [8, 1, 3, 3]]]], np.float32)
    out, idx = ops.max_pool2d(ms.Tensor(x), 2, 1, return_indices=True)
    assert idx.dtype == ms.int64
    np.testing.assert_array_equal(idx.asnumpy()[0, 0], [[1, 1, 3], [8, 6, 6]])
    np.testing.assert_array_equal(out.asnumpy()[0, 0], [[9, 9, 9], [8, 9, 9]])
    padded, pidx = ops.max_pool2d(ms.Tensor(x), 2, 2, padding=1, return_indices=True)
    np.testing.assert_array_equal(pidx.asnumpy()[0, 0], [[0, 1, 3], [8, 6, 7]])
    np.testing.assert_array_equal(padded.asnumpy()[0, 0], [[0, 9, 9], [8, 9, 7]])


def test_avg_pool2d_divisors(device: str) -> None:
    x = ms.Tensor(np.ones((1, 1, 3, 3), np.float32))
    included = ops.avg_pool2d(x, 2, 2, padding=1).asnumpy()[0, 0]
    np.testing.assert_allclose(included, [[0.25, 0.5], [0.5, 1.0]])
    excluded = ops.avg_pool2d(x, 2, 2, padding=1, count_include_pad=False).asnumpy()[0, 0]
    np.testing.assert_allclose(excluded, np.ones((2, 2)))
    same = ops.avg_pool2d(x, 2, 2, pad_mode="same").asnumpy()[0, 0]
    np.testing.assert_allclose(same, np.ones((2, 2)))
    fixed = ops.avg_pool2d(x, 2, 1, divisor_override=2).asnumpy()[0, 0]
    np.testing.assert_allclose(fixed, np.full((2, 2), 2.0))


def test_ceil_mode_adds_a_partial_window(device: str) -> None:
    x = np.arange(25, dtype=np.float32).reshape(1, 1, 5, 5)
    floor = ops.max_pool2d(ms.Tensor(x), 2, 2)
    ceil = ops.max_pool2d(ms.Tensor(x), 2, 2, ceil_mode=True)
    assert floor.shape == (1, 1, 2, 2)
    np.testing.assert_array_equal(ceil.asnumpy()[0, 0], [[6, 8, 9], [16, 18, 19], [21, 23, 24]])
    avg = ops.avg_pool2d(ms.Tensor(x), 2, 2, ceil_mode=True).asnumpy()[0, 0]
    # the overhang never counts: the last column averages 2 pixels, the corner 1
    np.testing.assert_allclose(avg[:, 2], [(4 + 9) / 2, (14 + 19) / 2, 24])


def test_pooling_accepts_unbatched_input(device: str) -> None:
    x = np.random.default_rng(0).standard_normal((3, 6, 6)).astype(np.float32)
    out = ops.max_pool2d(ms.Tensor(x), 2)
    assert out.shape == (3, 3, 3)
    np.testing.assert_array_equal(out.asnumpy(), ops.max_pool2d(ms.Tensor(x[None]), 2).asnumpy()[0])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda x, w: ops.conv2d(x, w, padding=1), ValueError, "'padding' must be 0 when 'pad_mode' is 'valid'"),
        (lambda x, w: ops.conv2d(x, w, pad_mode="full"), ValueError, "'pad_mode' must be one of"),
        (lambda x, w: ops.conv2d(x, w, groups=2), ValueError, "with C=2"),
        (lambda x, w: ops.conv2d(x.astype(ms.float64), w), TypeError, "must match the weight dtype Float32"),
        (lambda x, w: ops.conv2d(x.astype(ms.int32), w), TypeError, "float tensor"),
        (lambda x, w: ops.conv2d(x[:, :, :2, :2], w), ValueError, "smaller than the dilated kernel (3, 3)"),
        (lambda x, w: ops.conv2d(x, w, stride=0), ValueError, "'stride' must be positive"),
        (lambda x, w: ops.max_pool2d(x, (2, 2, 2)), ValueError, "'kernel_size' must be an int or a tuple of 2"),  # type: ignore[arg-type]
        (lambda x, w: ops.max_pool2d(x, 2.0), TypeError, "'kernel_size' must be an int"),  # type: ignore[call-overload]
        (lambda x, w: ops.avg_pool2d(x, 2, divisor_override=0), ValueError, "'divisor_override' must be a positive"),
    ],
)
def test_window_argument_errors(device: str, call: Any, error: type[Exception], message: str) -> None:
    x = ms.Tensor(np.zeros((1, 1, 5, 5), np.float32))
    w = ms.Tensor(np.zeros((2, 1, 3, 3), np.float32))
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(x, w)
