"""Loss scaling faults found by fuzzing (issue 10): D5 and D10."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import minispore as ms
from minispore import nn
from minispore.amp import DynamicLossScaleManager, FixedLossScaleManager
from minispore.dataset import NumpySlicesDataset
from minispore.train import Callback, Model, RunContext

NON_FINITE = [math.inf, -math.inf, math.nan]


def _step_cell(scale_sense: Any) -> nn.TrainOneStepWithLossScaleCell:
    net = nn.WithLossCell(nn.Dense(2, 2), nn.MSELoss())
    return nn.TrainOneStepWithLossScaleCell(net, nn.Momentum(net.trainable_params(), 0.1, 0.9), scale_sense)


# --- D5: non-finite scales ----------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [*NON_FINITE, 1e39, 2**1000])
def test_d5_dynamic_manager_rejects_non_finite_init_loss_scale(scale: float) -> None:
    with pytest.raises(ValueError, match=r"'init_loss_scale' must be a finite number >= 1"):
        DynamicLossScaleManager(init_loss_scale=scale)


@pytest.mark.parametrize("factor", [*NON_FINITE, 1e-300])
def test_d5_dynamic_manager_rejects_non_finite_scale_factor(factor: float) -> None:
    with pytest.raises(ValueError, match=r"'scale_factor' must be a finite number > 0"):
        DynamicLossScaleManager(scale_factor=factor)


@pytest.mark.parametrize("scale", [*NON_FINITE, 1e39])
def test_d5_fixed_manager_rejects_non_finite_loss_scale(scale: float) -> None:
    with pytest.raises(ValueError, match=r"'loss_scale' must be a finite number >= 1"):
        FixedLossScaleManager(scale)


@pytest.mark.parametrize("scale", [*NON_FINITE, 0.0, -1.0, 1e-45, 1e39])
def test_d5_d10_scale_sense_number_or_tensor_must_be_usable(scale: float) -> None:
    for sense in (scale, ms.Tensor(scale, ms.float64)):
        with pytest.raises(ValueError, match=r"For 'TrainOneStepWithLossScaleCell', 'scale_sense' must be a finite"):
            _step_cell(sense)


def test_scale_sense_tensor_must_hold_one_element() -> None:
    with pytest.raises(ValueError, match=r"must hold one element, but got shape \(2,\)"):
        _step_cell(ms.Tensor([2.0, 4.0]))
    assert _step_cell(ms.Tensor([8.0])).scale_sense.get_loss_scale() == 8.0


class _Steps(Callback):
    def __init__(self) -> None:
        self.overflows: list[bool] = []

    def on_train_step_end(self, run_context: RunContext) -> None:
        self.overflows.append(bool(run_context.original_args().net_outputs[1]))


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # the inf inputs, on purpose
def test_d5_consecutive_overflows_through_model_raise_after_1000() -> None:
    """MindSpore's Model hands each step's overflow to the manager, which raises once
    ``bad_step`` exceeds ``bad_step_max`` (1000): at the 1001st overflow in a row."""
    x = np.full((1200, 2), np.inf, np.float32)
    y = np.zeros((1200, 2), np.float32)
    x[0] = 1.0  # one clean step first: the count starts after it
    net = nn.Dense(2, 2)
    opt = nn.Momentum(net.trainable_params(), 0.1, 0.9)
    manager = DynamicLossScaleManager(2.0**10, 2, 50)
    steps = _Steps()
    model = Model(net, nn.MSELoss(), opt, loss_scale_manager=manager)
    data = NumpySlicesDataset({"x": x, "y": y}, shuffle=False).batch(1)
    with pytest.raises(RuntimeError, match="1001 consecutive overflows"):
        model.train(1, data, callbacks=[steps])
    assert steps.overflows == [False] + [True] * 1000  # the raising step ends before its callbacks
    assert manager.bad_step == 1001 and manager.get_loss_scale() == 1.0
    assert int(opt.global_step.asnumpy()[0]) == 1


# --- D10: update cells validated at construction ---------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "exc", "message"),
    [
        ((0.0, 2, 2), ValueError, "'loss_scale_value' must be a finite number > 0"),
        ((math.inf, 2, 2), ValueError, "'loss_scale_value' must be a finite number > 0"),
        ((1024, 0.0, 2), ValueError, "'scale_factor' must be a finite number > 0"),
        ((1024, -2, 2), ValueError, "'scale_factor' must be a finite number > 0"),
        ((1024, 2, 0), ValueError, "'scale_window' must be a positive int, but got 0"),
        ((1024, 2, 2.5), TypeError, "'scale_window' must be a positive int, but got float 2.5"),
        (("1024", 2, 2), TypeError, "'loss_scale_value' must be a float such as 1024.0, but got str"),
    ],
)
def test_d10_dynamic_update_cell_validates_at_construction(
    args: tuple[Any, Any, Any], exc: type[Exception], message: str
) -> None:
    with pytest.raises(exc, match=f"For 'DynamicLossScaleUpdateCell', {message}"):
        nn.DynamicLossScaleUpdateCell(*args)


def test_d10_fixed_update_cell_and_step_cell_validate_at_construction() -> None:
    with pytest.raises(ValueError, match="For 'FixedLossScaleUpdateCell', 'loss_scale_value' must be a finite"):
        nn.FixedLossScaleUpdateCell(0.0)
    with pytest.raises(ValueError, match="For 'TrainOneStepWithLossScaleCell', 'scale_sense' must be a finite"):
        _step_cell(0.0)


def test_d10_valid_window_still_follows_mindspore_rule() -> None:
    assert nn.DynamicLossScaleUpdateCell(np.float32(512), np.int64(2), 2).get_loss_scale() == 512.0
    cell = nn.DynamicLossScaleUpdateCell(1024, 2, 2)
    scales = []
    for overflow in (False, False, True, False):
        cell(overflow)
        scales.append(cell.get_loss_scale())
    assert scales == [1024.0, 2048.0, 1024.0, 1024.0]
