"""The compiled window kernels against the NumPy fallback they replace: equal bit for bit.

Both run in this process: the compiled ones through :mod:`minispore_numpy.windows`, the
fallback through :mod:`minispore.backend.array_ops`. Skipped where the kernels are not in use
(no compiler at install time, or ``MINISPORE_NATIVE=0``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from minispore_numpy import native, windows

from minispore.backend import array_ops as ops
from minispore.backend.protocol import Window2d

from .window_cases import windows as window_cases

if native.window_module is None:
    pytest.skip(f"compiled window kernels not in use: {native.WINDOW_STATUS.reason}", allow_module_level=True)

FLOATS = [np.dtype(np.float32), np.dtype(np.float64)]
parity = settings(max_examples=40, deadline=None)


def _values(data: st.DataObject, dtype: np.dtype[Any], shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
    """Small integers as floats (ties), with NaN and -inf sprinkled in."""
    elements = st.one_of(st.integers(-3, 3).map(float), st.sampled_from([np.nan, -np.inf]))
    return data.draw(hnp.arrays(dtype, shape, elements=elements))


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@parity
@given(data=st.data(), case=window_cases(), pad_value=st.sampled_from([0.0, -np.inf]))
def test_im2col_and_col2im_match_numpy(dtype: np.dtype[Any], data: st.DataObject, case: Any, pad_value: float) -> None:
    shape, window = case
    x = _values(data, dtype, shape)
    cols = windows.im2col(x, window, pad_value)
    np.testing.assert_array_equal(cols, ops.im2col(np, x, window, pad_value))
    finite = np.nan_to_num(cols, neginf=-5.0)
    np.testing.assert_array_equal(windows.col2im(finite, shape, window), ops.col2im(np, finite, shape, window))


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@parity
@given(data=st.data(), case=window_cases())
def test_max_pool2d_matches_numpy(dtype: np.dtype[Any], data: st.DataObject, case: Any) -> None:
    shape, window = case
    x = _values(data, dtype, shape)
    out, taps = windows.max_pool2d(x, window)
    ref_out, ref_taps = ops.max_pool2d(np, x, window)
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_array_equal(taps, ref_taps)
    specials = st.sampled_from([np.nan, np.inf, -np.inf, -0.0])
    grad = data.draw(hnp.arrays(dtype, out.shape, elements=st.one_of(st.floats(-4, 4, width=32), specials)))
    with np.errstate(invalid="ignore"):  # inf + -inf in one pixel: NaN, in both
        compiled = windows.max_pool2d_grad(grad, taps, shape, window)
        fallback = ops.max_pool2d_grad(np, grad, taps, shape, window)
    np.testing.assert_array_equal(compiled, fallback)
    np.testing.assert_array_equal(np.signbit(compiled), np.signbit(fallback))  # +0.0 where no window chose


def test_tiling_pool_takes_the_first_maximum() -> None:
    x = np.array([[[[1.0, 4.0, 2.0, 2.0], [4.0, 0.0, np.nan, 9.0]]]], np.float32)
    out, taps = windows.max_pool2d(x, Window2d((2, 2), (2, 2)))
    np.testing.assert_array_equal(out, [[[[4.0, np.nan]]]])
    np.testing.assert_array_equal(taps, [[[[1, 2]]]])
    dx = windows.max_pool2d_grad(np.array([[[[1.0, 2.0]]]], np.float32), taps, x.shape, Window2d((2, 2), (2, 2)))
    np.testing.assert_array_equal(dx, [[[[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0]]]])


PAIRS = [(2, 3, 28, 28), (3, 2, 10, 10), (1, 2, 7, 9), (2, 1, 6, 5), (1, 1, 2, 2), (1, 1, 1, 4), (1, 1, 2, 18)]
"""Shapes for 2x2 windows of stride 2: tiled (even sides), with a last row or column no
window reads (odd sides), rows of 1 to 14 windows (four a vector step, and the rest), and
one with no window at all."""


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("shape", PAIRS, ids=str)
@pytest.mark.parametrize("nan", [False, True], ids=["finite", "nan"])
def test_pairs_of_pixels_pool_like_the_exact_loop(dtype: np.dtype[Any], shape: tuple[int, ...], nan: bool) -> None:
    # The 2x2 stride-2 fast path against the fallback, bit for bit: ties (and -0.0 against
    # +0.0) keep the first tap, the first NaN wins (its rows take the exact loop), and the
    # gradient writes +0.0 where no window chose the pixel (the gradient holds -0.0, inf, NaN).
    rng = np.random.default_rng(sum(shape))
    x = rng.integers(-2, 3, shape).astype(dtype)
    x.flat[1::5] = -0.0
    if nan:
        x.flat[::13] = np.nan
        x.flat[2::9] = -np.inf
    window = Window2d((2, 2), (2, 2))
    out, taps = windows.max_pool2d(x, window)
    ref_out, ref_taps = ops.max_pool2d(np, x, window)
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_array_equal(np.signbit(out), np.signbit(ref_out))
    np.testing.assert_array_equal(taps, ref_taps)
    grad = rng.standard_normal(out.shape).astype(dtype)
    grad.flat[::5], grad.flat[1::6], grad.flat[2::11] = -0.0, np.inf, np.nan
    compiled = windows.max_pool2d_grad(grad, taps, shape, window)
    fallback = ops.max_pool2d_grad(np, grad, taps, shape, window)
    np.testing.assert_array_equal(compiled, fallback)
    np.testing.assert_array_equal(np.signbit(compiled), np.signbit(fallback))


def test_pool_gradient_ignores_what_its_output_buffer_held() -> None:
    # The wrapper hands the kernel an uninitialised array; the kernel zero-fills it where
    # windows do not tile the image (here overlapping 3x3 windows of stride 2).
    assert native.window_module is not None
    x = np.arange(49, dtype=np.float32).reshape(1, 1, 7, 7)
    for window in (Window2d((3, 3), (2, 2)), Window2d((2, 2), (2, 2))):
        out, taps = windows.max_pool2d(x, window)
        grad = np.ones(out.shape, np.float32)
        dx = np.full(x.shape, 7.0, np.float32)
        native.window_module.max_pool_grad(0, grad, taps, dx, windows._geometry(x.shape, window))
        np.testing.assert_array_equal(dx, ops.max_pool2d_grad(np, grad, taps, x.shape, window))


def test_kernels_check_buffer_sizes() -> None:
    x = np.zeros((1, 1, 4, 4), np.float32)
    window = Window2d((2, 2))
    geometry = windows._geometry((1, 1, 5, 4), window)
    cols = np.empty((1, 4, 12), np.float32)
    assert native.window_module is not None
    with pytest.raises(ValueError, match="im2col"):
        native.window_module.im2col(0, x, cols, geometry, 0.0)
