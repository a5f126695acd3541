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


def test_kernels_check_buffer_sizes() -> None:
    x = np.zeros((1, 1, 4, 4), np.float32)
    window = Window2d((2, 2))
    geometry = windows._geometry((1, 1, 5, 4), window)
    cols = np.empty((1, 4, 12), np.float32)
    assert native.window_module is not None
    with pytest.raises(ValueError, match="im2col"):
        native.window_module.im2col(0, x, cols, geometry, 0.0)
