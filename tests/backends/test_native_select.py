"""The NumPy backend's compiled select (``where``) against NumPy's ``where``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from minispore_numpy import NumpyBackend, native

CPU = NumpyBackend()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("other", ["array", "scalar"])
@pytest.mark.parametrize("shape", [(), (1,), (7,), (3, 5, 4)])
def test_where_equals_numpy_where(dtype: Any, other: str, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(0)
    condition = rng.random(shape) > 0.5
    x = rng.standard_normal(shape).astype(dtype)
    x.reshape(-1)[:2] = [np.nan, -np.inf][: x.size]
    y = rng.standard_normal(shape).astype(dtype) if other == "array" else np.array(-0.0, dtype)
    got = CPU.where(condition, x, y)
    expected = np.where(condition, x, y)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))


def test_where_outside_the_compiled_case_is_numpy_where() -> None:
    condition = np.array([[True, False], [False, True]])
    x = np.arange(4, dtype=np.float32).reshape(2, 2)
    for xs, ys in [
        (x.T, np.float32(9)),  # not contiguous
        (x.astype(np.float16), np.array(9, np.float16)),  # float16
        (x[:1], np.array([9, 8], np.float32)),  # broadcast
    ]:
        np.testing.assert_array_equal(CPU.where(condition, xs, ys), np.where(condition, xs, ys))


@pytest.mark.skipif(native.select_module is None, reason=f"compiled select not in use: {native.SELECT_STATUS.reason}")
def test_select_refuses_buffers_of_the_wrong_size() -> None:
    assert native.select_module is not None
    condition, x, out = np.ones(3, bool), np.ones(3, np.float32), np.empty(3, np.float32)
    with pytest.raises(ValueError, match="'select'"):
        native.select_module.select(0, condition, x, np.ones(2, np.float32), out)
    with pytest.raises(ValueError, match="dtype code"):
        native.select_module.select(2, condition, x, x, out)
