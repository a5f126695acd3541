"""Float operands and one-hot's class table: filled once per device, equal to a fresh upload."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import minispore as ms
from minispore import ops


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("value", [0.1, -0.0, 1e-8, 65504.5, float("inf")])
def test_float_operand_rounds_as_an_uploaded_tensor(device: str, dtype: Any, value: float) -> None:
    x = ms.Tensor(np.array([1.0, -2.0, 3.5], dtype))
    with np.errstate(over="ignore"):  # float16 overflows to inf, on both sides
        expected = np.array([1.0, -2.0, 3.5], dtype) * np.asarray(value, dtype)
    for _ in range(2):  # the second call reads the kept constant
        with np.errstate(over="ignore"):
            got = (x * value).asnumpy()
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))


def test_float_operands_are_not_uploaded_again(device: str, monkeypatch: pytest.MonkeyPatch) -> None:
    x = ms.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    labels = ms.Tensor(np.array([2, 0], np.int32))
    ops.mean(x)
    ops.one_hot(labels, 3)
    uploads: list[Any] = []
    backend = x.backend
    original = type(backend).from_numpy

    def spy(self: Any, a: Any) -> Any:
        uploads.append(a)
        return original(self, a)

    monkeypatch.setattr(type(backend), "from_numpy", spy)
    assert float(ops.mean(x).asnumpy()) == 2.5
    np.testing.assert_array_equal(ops.one_hot(labels, 3).asnumpy(), [[0, 0, 1], [1, 0, 0]])
    assert uploads == []


def test_one_hot_tables_of_other_depths(device: str) -> None:
    labels = ms.Tensor(np.array([1, 3], np.int64))
    np.testing.assert_array_equal(ops.one_hot(labels, 4).asnumpy(), np.eye(4, dtype=np.float32)[[1, 3]])
    np.testing.assert_array_equal(ops.one_hot(labels, 5).asnumpy(), np.eye(5, dtype=np.float32)[[1, 3]])
