"""Replay the MindSpore 2.10 mixed-precision recordings of ``recording/record_amp.py``.

``tests/amp`` uses these helpers; they ship with minispore so that a third-party backend
can replay the same cases.

``minispore/testing/data/amp/amp_lenet.{json,npz}`` holds, per case, the losses of 3
``nn.Momentum(0.01, 0.9)`` steps, the step-0 output, the dtypes MindSpore reported and
``delta/<name> = float16(final - init)`` for every parameter.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

import minispore as ms
from minispore import nn
from minispore.testing.cases import DATA
from minispore.testing.lenet import LeNet5

LOSS_RTOL = 1e-4
PARAM_ATOL = 1e-3


def load() -> tuple[dict[str, Any], dict[str, np.ndarray[Any, Any]]]:
    meta = json.loads((DATA / "amp" / "amp_lenet.json").read_text())
    with np.load(DATA / "amp" / "amp_lenet.npz", allow_pickle=False) as npz:
        return meta, {k: npz[k] for k in npz.files}


META, ARRAYS = load()


class LeNet5BN(LeNet5):
    """LeNet5 with a BatchNorm2d after each convolution (the recording's second network)."""

    def __init__(self) -> None:
        super().__init__()
        self.bn1 = nn.BatchNorm2d(6)
        self.bn2 = nn.BatchNorm2d(16)

    def construct(self, x: ms.Tensor) -> ms.Tensor:
        x = self.max_pool2d(self.relu(self.bn1(self.conv1(x))))
        x = self.max_pool2d(self.relu(self.bn2(self.conv2(x))))
        x = self.relu(self.fc1(self.flatten(x)))
        x = self.relu(self.fc2(x))
        out: ms.Tensor = self.fc3(x)
        return out


def make_net(bn: bool) -> LeNet5:
    net = LeNet5BN() if bn else LeNet5()
    for p in net.get_parameters():
        key = f"init/{p.name}"
        if key in ARRAYS:
            p.set_data(ms.Tensor(ARRAYS[key]))
    return net


def apply_level(net: nn.Cell, level: str) -> nn.Cell:
    if level in ("O0", "O1", "O2", "O3", "auto"):
        return ms.amp.auto_mixed_precision(net, level)
    if level == "custom_white_dense":
        return ms.amp.custom_mixed_precision(net, white_list=[nn.Dense])
    assert level == "custom_black_bn"
    return ms.amp.custom_mixed_precision(net, black_list=[nn.BatchNorm2d])


def batch(step: int) -> tuple[ms.Tensor, ms.Tensor]:
    images = ARRAYS["images_uint8"][step].astype(np.float32) / np.float32(255.0)
    return ms.Tensor(images), ms.Tensor(ARRAYS["labels"][step])


def dtype_name(t: ms.Tensor) -> str:
    return t.dtype.name.lower()


def state(net: nn.Cell) -> dict[str, np.ndarray[Any, Any]]:
    return {p.name: p.asnumpy() for p in net.get_parameters()}


def check_params(net: nn.Cell, start: dict[str, np.ndarray[Any, Any]], key: str) -> None:
    """Every parameter equals MindSpore's ``init + delta`` within ``PARAM_ATOL``."""
    for name, value in state(net).items():
        expected = start[name] + ARRAYS[f"{key}/delta/{name}"].astype(np.float32)
        np.testing.assert_allclose(value, expected, rtol=0, atol=PARAM_ATOL, err_msg=f"{key}: {name}")


def check_losses(losses: list[float], key: str) -> None:
    np.testing.assert_allclose(np.array(losses, np.float32), ARRAYS[f"{key}/losses"], rtol=LOSS_RTOL, err_msg=key)


class LossRecorder(ms.train.Callback):
    """The loss of every training step of ``Model.train``."""

    def __init__(self) -> None:
        self.losses: list[float] = []

    def on_train_step_end(self, run_context: Any) -> None:
        out = run_context.original_args().net_outputs
        self.losses.append(float((out[0] if isinstance(out, tuple) else out).asnumpy()))
