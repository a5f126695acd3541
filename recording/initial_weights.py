"""Record MindSpore 2.10's initial weights under ``set_seed``, for minispore's tests.

Run with the real MindSpore 2.10.0 CPU wheel (numpy 1.26.4)::

    /work/msvenv/bin/python recording/initial_weights.py

It writes ``tests/fixtures/initializer/mindspore_initial_weights.npz`` with:

- ``lenet5/<param>``: the docs' LeNet5 (``Conv2d(1, 6, 5, pad_mode='valid')``,
  ``Conv2d(6, 16, 5, pad_mode='valid')``, ``Dense(400, 120)``, ``Dense(120, 84)``,
  ``Dense(84, 10)``, all default initializers) right after ``ms.set_seed(1)``;
- ``init/<name>``: after ``ms.set_seed(7)``, one Parameter per initializer below, in
  this order, with a ``np.random.rand(3)`` drawn between the third and the fourth (it
  advances the seed stream, as in a script that also uses NumPy's generator);
- ``first_loss``: the docs' LeNet5 (set_seed(1)) on ``np.random`` data drawn after the
  network: ``SoftmaxCrossEntropyWithLogits(sparse=True, reduction='mean')``.
"""

from __future__ import annotations

import math
from pathlib import Path

import mindspore as ms
import numpy as np
from mindspore import nn
from mindspore.common.initializer import (
    HeNormal,
    HeUniform,
    Normal,
    TruncatedNormal,
    Uniform,
    XavierNormal,
    XavierUniform,
    initializer,
)

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "initializer" / "mindspore_initial_weights.npz"

INITS = [
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

    def construct(self, x):  # type: ignore[no-untyped-def]
        x = self.max_pool2d(self.relu(self.conv1(x)))
        x = self.max_pool2d(self.relu(self.conv2(x)))
        x = self.flatten(x)
        return self.fc3(self.relu(self.fc2(self.relu(self.fc1(x)))))


def main() -> None:
    out: dict[str, np.ndarray] = {}
    ms.set_seed(1)
    net = LeNet5()
    for p in net.trainable_params():
        out[f"lenet5/{p.name}"] = p.asnumpy()
    x = np.random.rand(4, 1, 32, 32).astype(np.float32)
    y = np.random.randint(0, 10, size=(4,)).astype(np.int32)
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")(net(ms.Tensor(x)), ms.Tensor(y))
    out["first_loss"] = loss.asnumpy()
    ms.set_seed(7)
    for i, (name, make, shape, dtype) in enumerate(INITS):
        if i == 3:
            np.random.rand(3)
        out[f"init/{name}"] = ms.Parameter(initializer(make(), shape, dtype), name=name).asnumpy()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **out)
    print(f"wrote {OUT}: {len(out)} arrays; first loss {float(out['first_loss'])!r}")


if __name__ == "__main__":
    main()
