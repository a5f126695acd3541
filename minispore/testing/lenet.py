"""LeNet5 as in MindSpore's documentation, and the recorded 20-step training case.

The network is the one of MindSpore's docs (``docs/mindspore/code/lenet.py``); the
examples use it too. :func:`run_lenet_case` replays ``data/lenet/lenet5_plain``:
``value_and_grad`` + ``nn.Momentum(lr=0.01, momentum=0.9)`` on 20 fixed batches.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minispore.common.initializer import Initializer, Normal
from minispore.common.tensor import Tensor
from minispore.grad import value_and_grad
from minispore.nn.cell import Cell
from minispore.nn.layer import Conv2d, Dense, Flatten, MaxPool2d, ReLU
from minispore.nn.loss import SoftmaxCrossEntropyWithLogits
from minispore.nn.optim import Momentum
from minispore.testing.cases import DATA, CaseResult

RTOL, ATOL = 1e-4, 1e-6
PARAM_RTOL, PARAM_ATOL = 1e-4, 1e-5


class LeNet5(Cell):
    """conv(5x5, 6) -> relu -> maxpool -> conv(5x5, 16) -> relu -> maxpool -> 3 Dense layers.

    Args:
        num_class: number of classes.
        num_channel: input channels (1 for MNIST).
        dense_init: the Dense weights' initializer; MindSpore's docs use ``Normal(0.02)``.

    ``trainable_params()`` gives ``conv1.weight, conv2.weight, fc1.weight, fc1.bias, …,
    fc3.bias``, MindSpore's order.
    """

    def __init__(self, num_class: int = 10, num_channel: int = 1, dense_init: Initializer | str | None = None) -> None:
        super().__init__()
        init = Normal(0.02) if dense_init is None else dense_init
        self.conv1 = Conv2d(num_channel, 6, 5, pad_mode="valid")
        self.conv2 = Conv2d(6, 16, 5, pad_mode="valid")
        self.fc1 = Dense(16 * 5 * 5, 120, weight_init=init)
        self.fc2 = Dense(120, 84, weight_init=init)
        self.fc3 = Dense(84, num_class, weight_init=init)
        self.relu = ReLU()
        self.max_pool2d = MaxPool2d(kernel_size=2, stride=2)
        self.flatten = Flatten()

    def construct(self, x: Tensor) -> Tensor:
        x = self.max_pool2d(self.relu(self.conv1(x)))
        x = self.max_pool2d(self.relu(self.conv2(x)))
        x = self.flatten(x)
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        out: Tensor = self.fc3(x)
        return out


def load_lenet_case() -> tuple[dict[str, Any], dict[str, np.ndarray[Any, Any]]]:
    """The JSON description and the arrays of ``lenet5_plain``."""
    import json

    meta = json.loads((DATA / "lenet" / "lenet5_plain.json").read_text())
    with np.load(DATA / "lenet" / "lenet5_plain.npz", allow_pickle=False) as npz:
        return meta, {key: npz[key] for key in npz.files}


def _close(actual: Tensor, expected: np.ndarray[Any, Any], rtol: float, atol: float, what: str) -> None:
    np.testing.assert_allclose(actual.asnumpy(), expected, rtol=rtol, atol=atol, err_msg=what)


def _after_first_step(arrays: dict[str, np.ndarray[Any, Any]], name: str) -> np.ndarray[Any, Any]:
    """The weights after the first update.

    The recording's ``params_after_step0/*`` arrays are identical to ``final_params/*``
    (the recorder kept a reference to the live weights), so when that is the case the
    first update is checked against MindSpore's formula applied to the recorded
    step-0 gradients instead: ``v = g; p = init - v * float32(0.01)``.
    """
    recorded = arrays[f"params_after_step0/{name}"]
    if not np.array_equal(recorded, arrays[f"final_params/{name}"]):
        return recorded
    init, grad = arrays[f"init/{name}"], arrays[f"grads_step0/{name}"]
    return np.asarray(init - grad * np.float32(0.01), dtype=np.float32)


def run_lenet_case(steps: int | None = None) -> CaseResult:
    """Train the recorded LeNet5 on the default device and compare with MindSpore.

    Checks the step-0 logits and gradients, the weights after the first update, every
    step's loss, and (for the full 20 steps) the final weights, moments and logits, with
    the tolerances of the conformance README.
    """
    meta, arrays = load_lenet_case()
    n_steps = meta["n_steps"] if steps is None else steps
    net = LeNet5()
    weights = net.trainable_params()
    for p in weights:
        p.set_data(Tensor(arrays[f"init/{p.name}"]))
    loss_fn = SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    opt = Momentum(weights, learning_rate=0.01, momentum=0.9)

    def forward(x: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        logits = net(x)
        return loss_fn(logits, labels), logits

    grad_fn = value_and_grad(forward, None, opt.parameters, has_aux=True)

    def batch(s: int) -> tuple[Tensor, Tensor]:
        return Tensor(arrays["images_uint8"][s].astype(np.float32) / np.float32(255.0)), Tensor(arrays["labels"][s])

    for s in range(n_steps):
        (loss, logits), grads = grad_fn(*batch(s))
        np.testing.assert_allclose(loss.asnumpy(), arrays["losses"][s], rtol=RTOL, err_msg=f"loss at step {s}")
        if s == 0:
            _close(logits, arrays["logits_step0"], RTOL, ATOL, "logits at step 0")
            for p, g in zip(weights, grads):
                _close(g, arrays[f"grads_step0/{p.name}"], RTOL, ATOL, f"gradient of {p.name} at step 0")
        opt(grads)
        if s == 0:
            for p in weights:
                _close(p, _after_first_step(arrays, p.name), PARAM_RTOL, PARAM_ATOL, f"{p.name} after step 0")
    if n_steps == meta["n_steps"]:
        for p, m in zip(weights, opt.moments):
            _close(p, arrays[f"final_params/{p.name}"], PARAM_RTOL, PARAM_ATOL, f"final {p.name}")
            _close(m, arrays[f"final_moments/{p.name}"], PARAM_RTOL, PARAM_ATOL, f"final moments.{p.name}")
        _close(net(batch(0)[0]), arrays["final_logits_batch0"], RTOL, ATOL, "final logits of batch 0")
    return CaseResult("lenet5_plain", n_steps, exact=False)
