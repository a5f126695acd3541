"""Scalar constants shared by the autograd Functions of one backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import minispore as ms
from minispore import ops
from minispore.backend import get_backend
from minispore.functions import constants


def test_one_fill_per_backend_dtype_and_value(device: str) -> None:
    b = get_backend(device)
    f32, f16 = np.dtype(np.float32), np.dtype(np.float16)
    zero = constants.scalar(b, 0.0, f32)
    assert constants.scalar(b, 0.0, f32) is zero
    assert constants.scalar(b, 0.0, f16) is not zero
    assert constants.scalar(b, -0.0, f32) is not zero
    np.testing.assert_array_equal(b.to_numpy(constants.scalar(b, -0.0, f32)), np.float32(-0.0))
    assert np.signbit(b.to_numpy(constants.scalar(b, -0.0, f32)))
    assert b.to_numpy(zero).shape == ()


def test_numpy_constants_are_read_only() -> None:
    zero = constants.scalar(get_backend("CPU"), 0.0, np.dtype(np.float32))
    with pytest.raises(ValueError, match="read-only"):
        zero[()] = 1.0


def test_relu_steps_reuse_one_zero(device: str, monkeypatch: pytest.MonkeyPatch) -> None:
    b = get_backend(device)
    fills: list[tuple[object, ...]] = []
    full = type(b).full

    def counting_full(self: Any, shape: tuple[int, ...], value: float, dtype: np.dtype[Any]) -> Any:
        fills.append((shape, value))
        return full(self, shape, value, dtype)

    monkeypatch.setattr(constants, "_CACHE", {})
    monkeypatch.setattr(type(b), "full", counting_full)
    x = ms.Tensor(np.array([-1.0, 2.0], np.float32))
    grad_fn = ms.grad(lambda t: ops.relu(t).sum())
    for _ in range(3):
        np.testing.assert_array_equal(grad_fn(x).asnumpy(), [0.0, 1.0])
    assert fills.count(((), 0)) == 1  # three forward and three backward passes, one zero


def test_the_cache_starts_over_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    b = get_backend("CPU")
    monkeypatch.setattr(constants, "_CACHE", {})
    monkeypatch.setattr(constants, "LIMIT", 3)
    for value in range(5):
        constants.scalar(b, float(value), np.dtype(np.float32))
    assert len(constants._CACHE) <= 3
