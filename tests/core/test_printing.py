"""What scripts print: tensors, cells and ``LossMonitor`` lines read as MindSpore 2.10's
(recorded by ``recording/printing.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minispore as ms
from minispore import nn
from minispore.train import LossMonitor, RunContext
from minispore.train.callback import CallbackParams

RECORDED = json.loads((Path(__file__).parents[1] / "fixtures" / "printing" / "mindspore_printing.json").read_text())
SPACE = {"ms": ms, "np": np, "nn": nn}


@pytest.mark.parametrize("case", RECORDED["tensors"], ids=lambda c: c["expr"])
def test_tensor_repr_and_str(case: dict[str, str]) -> None:
    value = eval(case["expr"], SPACE)
    assert repr(value) == case["repr"]
    assert str(value) == case["str"]


@pytest.mark.parametrize("case", RECORDED["cells"], ids=lambda c: c["expr"])
def test_cell_repr(case: dict[str, str]) -> None:
    assert repr(eval(case["expr"], SPACE)) == case["repr"]


@pytest.mark.parametrize("case", RECORDED["loss_monitor"], ids=lambda c: c["expr"])
def test_loss_monitor_line(case: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    params = CallbackParams(
        cur_epoch_num=2, cur_step_num=3, batch_num=2, net_outputs=eval(case["expr"], SPACE), dataset_sink_mode=False
    )
    LossMonitor().on_train_step_end(RunContext(params))
    assert capsys.readouterr().out == case["printed"]


def test_print_shows_the_bare_array(capsys: pytest.CaptureFixture[str]) -> None:
    print(ms.Tensor([[1.0, 2.5]]), ms.Tensor(2))
    assert capsys.readouterr().out == "[[1.  2.5]] 2\n"


def test_custom_cell_repr_nests_children() -> None:
    class Net(nn.Cell):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.SequentialCell([nn.ReLU()])
            self.head = nn.ReLU()

        def construct(self, x: Any) -> Any:
            return self.head(self.body(x))

    assert repr(Net()) == "Net(\n  (body): SequentialCell(\n    (0): ReLU()\n  )\n  (head): ReLU()\n)"
    assert repr(nn.Cell()) == "Cell()"


def test_loss_monitor_arguments_and_nan() -> None:
    with pytest.raises(TypeError, match="per_print_times"):
        LossMonitor(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="per_print_times"):
        LossMonitor(-1)
    params = CallbackParams(cur_epoch_num=1, cur_step_num=1, batch_num=1, net_outputs=ms.Tensor(float("nan")))
    with pytest.raises(ValueError, match="loss is NAN or INF"):
        LossMonitor().on_train_step_end(RunContext(params))
