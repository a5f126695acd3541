"""Save each optimizer's state with MindSpore 2.10 ``save_checkpoint`` for the checkpoint interop tests.

Run with the MindSpore virtual environment::

    /work/msvenv/bin/python recording/record_checkpoints.py --out tests/fixtures/checkpoint

Writes ``mindspore_<opt>.ckpt`` for ``sgd``, ``adam``, ``adam_amsgrad``, ``adam_weight_decay``,
``rmsprop``, ``rmsprop_centered`` and ``experimental_adamw``: the optimizer built on
``nn.Dense(3, 2).trainable_params()`` (``weight`` (2, 3), ``bias`` (2,)) after two calls with
fixed gradients. ``mindspore_optimizers_expected.json`` lists, for each file, what
``load_checkpoint`` returns: ``{name, dtype, shape, value}`` in file order.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from golden import write_json

WEIGHT = np.array([[0.5, -1.0, 0.25], [1.5, 0.0, -0.5]], np.float32)
BIAS = np.array([0.3, -0.1], np.float32)
GRADS = [
    (np.array([[0.2, -0.4, 0.6], [1.0, 0.5, -0.3]], np.float32), np.array([0.7, -0.9], np.float32)),
    (np.array([[-0.1, 0.3, 0.2], [0.4, -0.6, 0.1]], np.float32), np.array([-0.2, 0.5], np.float32)),
]
OPTIMIZERS: dict[str, tuple[str, dict[str, Any]]] = {
    "sgd": ("nn.SGD", {"learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
    "adam": ("nn.Adam", {"learning_rate": 0.01, "weight_decay": 0.01}),
    "adam_amsgrad": ("nn.Adam", {"learning_rate": 0.01, "use_amsgrad": True}),
    "adam_weight_decay": ("nn.AdamWeightDecay", {"learning_rate": 0.01, "weight_decay": 0.01}),
    "rmsprop": ("nn.RMSProp", {"learning_rate": 0.01, "momentum": 0.9}),
    "rmsprop_centered": ("nn.RMSProp", {"learning_rate": 0.01, "centered": True}),
    "experimental_adamw": ("experimental.optim.AdamW", {"lr": 0.01, "weight_decay": 0.01}),
}


def describe(params: dict[str, Any]) -> list[dict[str, Any]]:
    """``load_checkpoint``'s result as JSON entries, in order."""
    out: list[dict[str, Any]] = []
    for name, value in params.items():
        array = value.asnumpy()
        out.append({"name": name, "dtype": str(value.dtype), "shape": list(array.shape), "value": array.tolist()})
    return out


def main() -> None:
    import mindspore as ms
    from mindspore import nn
    from mindspore.experimental import optim

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    ms.set_context(mode=ms.PYNATIVE_MODE, device_target="CPU")
    expected: dict[str, Any] = {}
    for key, (cls, kwargs) in OPTIMIZERS.items():
        dense = nn.Dense(3, 2)
        dense.weight.set_data(ms.Tensor(WEIGHT))
        dense.bias.set_data(ms.Tensor(BIAS))
        module, name = cls.rsplit(".", 1)
        factory = getattr(optim if module.startswith("experimental") else nn, name)
        opt = factory(dense.trainable_params(), **kwargs)
        for g in GRADS:
            opt(tuple(ms.Tensor(x) for x in g))
        path = args.out / f"mindspore_{key}.ckpt"
        if path.exists():
            path.unlink()
        ms.save_checkpoint(opt, str(path))
        os.chmod(path, 0o644)
        expected[path.name] = {
            "optimizer": f"mindspore.{cls}",
            "kwargs": kwargs,
            "entries": describe(ms.load_checkpoint(str(path))),
        }
        print(path.name, [e["name"] for e in expected[path.name]["entries"]])
    write_json(args.out / "mindspore_optimizers_expected.json", expected)


if __name__ == "__main__":
    main()
