"""Initial weights under ``set_seed`` are MindSpore 2.10's own (recorded by
``recording/initial_weights.py``), bit for bit."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minispore as ms
from minispore import nn
from minispore.common import philox
from minispore.common.initializer import (
    HeNormal,
    HeUniform,
    Initializer,
    Normal,
    TruncatedNormal,
    Uniform,
    XavierNormal,
    XavierUniform,
    initializer,
)

FIXTURE = Path(__file__).parents[1] / "fixtures" / "initializer" / "mindspore_initial_weights.npz"

INITS: list[tuple[str, Callable[[], Initializer], tuple[int, ...], Any]] = [
    ("normal_0.02", lambda: Normal(0.02), (120, 400), ms.float32),
    ("uniform", lambda: Uniform(), (7, 5), ms.float32),
    ("truncated_normal", lambda: TruncatedNormal(0.02), (33, 9), ms.float32),
    ("he_uniform_sqrt5", lambda: HeUniform(math.sqrt(5)), (16, 6, 5, 5), ms.float32),
    ("he_normal", lambda: HeNormal(mode="fan_out", nonlinearity="relu"), (8, 4, 3, 3), ms.float32),
    ("xavier_uniform", lambda: XavierUniform(gain=2.0), (10, 84), ms.float32),
    ("xavier_normal", lambda: XavierNormal(), (3, 1025), ms.float32),
    ("truncated_normal_wide", lambda: TruncatedNormal(1.0, 0.5, -1.0, 3.0), (2049,), ms.float32),
    ("normal_float16", lambda: Normal(0.5), (3, 5), ms.float16),
    ("uniform_float64", lambda: Uniform(0.3), (4,), ms.float64),
    ("normal_odd", lambda: Normal(1.0, 0.25), (5,), ms.float32),
]


class LeNet5(nn.Cell):
    """The docs' LeNet5 with every layer's default initializer (as recorded)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, pad_mode="valid")
        self.conv2 = nn.Conv2d(6, 16, 5, pad_mode="valid")
        self.relu = nn.ReLU()
        self.max_pool2d = nn.MaxPool2d(kernel_size=2, stride=2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Dense(16 * 5 * 5, 120)
        self.fc2 = nn.Dense(120, 84)
        self.fc3 = nn.Dense(84, 10)

    def construct(self, x: ms.Tensor) -> ms.Tensor:
        x = self.max_pool2d(self.relu(self.conv1(x)))
        x = self.max_pool2d(self.relu(self.conv2(x)))
        x = self.flatten(x)
        out: ms.Tensor = self.fc3(self.relu(self.fc2(self.relu(self.fc1(x)))))
        return out


@pytest.fixture(scope="module")
def recorded() -> dict[str, np.ndarray[Any, Any]]:
    with np.load(FIXTURE) as data:
        return {k: data[k] for k in data.files}


def test_lenet5_initial_weights_equal_mindspore_under_set_seed(recorded: dict[str, np.ndarray[Any, Any]]) -> None:
    ms.set_seed(1)
    net = LeNet5()
    params = net.trainable_params()
    assert [f"lenet5/{p.name}" for p in params] == [k for k in recorded if k.startswith("lenet5/")]
    for p in params:
        np.testing.assert_array_equal(p.asnumpy(), recorded[f"lenet5/{p.name}"], err_msg=p.name)


def test_first_loss_equals_mindspore(recorded: dict[str, np.ndarray[Any, Any]]) -> None:
    ms.set_seed(1)
    net = LeNet5()
    x = np.random.rand(4, 1, 32, 32).astype(np.float32)
    y = np.random.randint(0, 10, size=(4,)).astype(np.int32)
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")(net(ms.Tensor(x)), ms.Tensor(y))
    np.testing.assert_allclose(loss.asnumpy(), recorded["first_loss"], rtol=1e-6)


def test_every_initializer_draws_mindspore_numbers(recorded: dict[str, np.ndarray[Any, Any]]) -> None:
    ms.set_seed(7)
    for i, (name, make, shape, dtype) in enumerate(INITS):
        if i == 3:
            np.random.rand(3)
        values = ms.Parameter(initializer(make(), shape, dtype), name=name).asnumpy()
        assert values.dtype == recorded[f"init/{name}"].dtype, name
        np.testing.assert_array_equal(values, recorded[f"init/{name}"], err_msg=name)


def test_set_seed_seeds_numpy_like_mindspore() -> None:
    ms.set_seed(3)
    first = np.random.rand(2)
    ms.set_seed(3)
    np.testing.assert_array_equal(np.random.rand(2), first)


def test_stream_does_not_depend_on_how_it_is_split() -> None:
    whole = philox.philox_uint32(2**40 + 5, 11)
    np.testing.assert_array_equal(philox.philox_uint32(2**40 + 5, 6), whole[:6])
    values = philox.normal(123, 7, 0.0, 1.0)
    np.testing.assert_array_equal(philox.normal(123, 6, 0.0, 1.0), values[:6])


def test_truncated_normal_stays_in_bounds() -> None:
    values = philox.truncated_normal(99, 10000, -0.5, 0.25, 0.0, 1.0)
    assert values.min() >= -0.5
    assert values.max() <= 0.25
    assert values.min() < -0.49
    assert values.max() > 0.24


def test_negative_sigma_is_refused() -> None:
    with pytest.raises(ValueError, match="standard deviation"):
        initializer(Normal(-1.0), (2,))
