"""Host copies of an optimizer's small Parameters: re-read exactly when the Parameter changes."""

from __future__ import annotations

import numpy as np

import minispore as ms
from minispore import nn
from minispore.nn.optim.host_values import HostMirror, StepCounter


def _one(value: float) -> tuple[ms.Tensor, ...]:
    return (ms.Tensor(np.full(2, value, np.float32)),)


def test_learning_rate_set_between_steps_is_read_on_the_next(device: str) -> None:
    w = ms.Parameter(np.zeros(2, np.float32), name="w")
    opt = nn.Momentum([w], 0.5, 0.0)
    opt(_one(1.0))
    opt.learning_rate.set_data(ms.Tensor(np.float32(0.25)))
    opt(_one(1.0))
    np.testing.assert_array_equal(w.asnumpy(), [-0.75, -0.75])
    opt.learning_rate[()] = np.float32(2.0)  # item assignment replaces the value too
    opt(_one(1.0))
    np.testing.assert_array_equal(w.asnumpy(), [-2.75, -2.75])


def test_mirror_first_follows_the_parameter(device: str) -> None:
    p = ms.Parameter(ms.Tensor(np.float32(0.5)), name="lr")
    mirror = HostMirror(p)
    assert mirror.first() == np.float32(0.5) and mirror.first().dtype == np.float32
    p.set_data(ms.Tensor(np.float32(0.125)))
    assert mirror.first() == np.float32(0.125)


def test_step_counter_counts_on_the_device_and_rereads_a_set_value(device: str) -> None:
    counter = StepCounter()
    assert counter.value == 0
    counter.advance(0)
    counter.advance(counter.value)
    assert counter.value == 2 and counter.parameter.asnumpy().tolist() == [2]
    counter.parameter.set_data(ms.Tensor(np.array([7], np.int32)))
    assert counter.value == 7
    counter.advance(counter.value)
    assert counter.parameter.asnumpy().tolist() == [8] and counter.parameter.dtype == ms.int32


def test_step_counter_follows_its_parameter_to_another_device() -> None:
    counter = StepCounter("state_step", shape=())
    counter.advance(counter.value)
    other = ms.Tensor(np.array(5, np.int32))
    counter.parameter._rebind(other._data, other._backend)  # as Cell.to does
    assert counter.value == 5
    counter.advance(counter.value)
    assert counter.parameter.asnumpy().tolist() == 6


def test_a_float16_gradient_after_exact_ones_takes_the_checked_path(device: str) -> None:
    w = ms.Parameter(np.zeros(2, np.float32), name="w")
    opt = nn.Momentum([w], 1.0, 0.0)
    opt(_one(1.0))
    opt(_one(1.0))  # the signature is known: the exact path
    opt((ms.Tensor(np.full(2, 0.5, np.float16)),))
    np.testing.assert_array_equal(w.asnumpy(), [-2.5, -2.5])
