"""Float16 products are float32 products rounded once: MindSpore CPU's MatMul and Conv2D bits."""

from __future__ import annotations

import numpy as np

import minispore as ms
from minispore.testing import amp as replay

A = replay.ARRAYS


def test_float16_matmul_equals_mindspores(device: str) -> None:
    out = ms.ops.matmul(ms.Tensor(A["kernels/matmul_a"]), ms.Tensor(A["kernels/matmul_b"]))
    assert out.dtype == ms.float16
    np.testing.assert_array_equal(out.asnumpy(), A["kernels/matmul_out"])


def test_float16_conv2d_equals_mindspores(device: str) -> None:
    out = ms.ops.conv2d(ms.Tensor(A["kernels/conv_x"]), ms.Tensor(A["kernels/conv_w"]))
    assert out.dtype == ms.float16
    np.testing.assert_array_equal(out.asnumpy(), A["kernels/conv_out"])


def test_float16_conv2d_gradients_stay_within_float16_rounding(device: str) -> None:
    x = ms.Tensor(A["kernels/conv_x"])
    w = ms.Tensor(A["kernels/conv_w"])
    _, (gx, gw) = ms.value_and_grad(lambda x, w: ms.ops.conv2d(x, w).sum(), (0, 1))(x, w)
    x32, w32 = (ms.Tensor(t.asnumpy().astype(np.float32)) for t in (x, w))
    _, (ex, ew) = ms.value_and_grad(lambda x, w: ms.ops.conv2d(x, w).sum(), (0, 1))(x32, w32)
    assert gx.dtype == gw.dtype == ms.float16
    # Each gradient is a float16 matmul (float32 sums, rounded) followed by a sum of those
    # rounded terms (col2im for x, the batch for w): within a few float16 ulps of float32.
    for got, want in ((gx, ex), (gw, ew)):
        scale = float(np.abs(want.asnumpy()).max())
        np.testing.assert_allclose(got.asnumpy().astype(np.float32), want.asnumpy(), rtol=0, atol=4e-3 * scale)
