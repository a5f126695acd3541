"""Record what MindSpore 2.10 prints for tensors, cells and ``LossMonitor``.

Run with the real MindSpore 2.10.0 CPU wheel (numpy 1.26.4)::

    /work/msvenv/bin/python recording/printing.py

It writes ``tests/fixtures/printing/mindspore_printing.json``: for each expression of
``TENSORS`` its ``repr`` and ``str``; for each of ``CELLS`` its ``repr``; for each of
``MONITOR_OUTPUTS`` what ``LossMonitor`` prints when a step's ``net_outputs`` is that
value (step 3 of epoch 2, 2 steps per epoch). The expressions use ``ms``, ``np``, ``nn``.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import mindspore as ms
import numpy as np
from mindspore import nn
from mindspore.train import LossMonitor, RunContext

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "printing" / "mindspore_printing.json"

TENSORS = [
    "ms.Tensor(1.5)",
    "ms.Tensor(1.0)",
    "ms.Tensor(3)",
    "ms.Tensor(True)",
    "ms.Tensor(-2.5)",
    "ms.Tensor([1.5, 2.25])",
    "ms.Tensor([1, 2, 3])",
    "ms.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3) / 7)",
    "ms.Tensor(np.array([True, False]))",
    "ms.Tensor(np.float64(0.1))",
    "ms.Tensor(np.arange(2000, dtype=np.float32))",
    "ms.Tensor(np.zeros((2, 0), np.float32))",
    "ms.Tensor(np.float16(0.1))",
    "ms.Tensor(np.array(1e-8, np.float32))",
    "ms.Tensor(np.array([1e10, 1], np.float32))",
    "ms.Tensor(np.uint8(7))",
    "ms.Tensor(np.arange(24, dtype=np.int32).reshape(2, 3, 4))",
    "ms.Tensor(np.arange(3000, dtype=np.int32).reshape(3, 1000))",
    "ms.Tensor(np.array([-0.5, np.inf, np.nan], np.float32))",
    "ms.Tensor(np.array(np.nan, np.float32))",
    "ms.Parameter(ms.Tensor([1.0, 2.0]), name='w')",
]

CELLS = [
    "nn.ReLU()",
    "nn.Dense(3, 4)",
    "nn.Dense(3, 2, activation='relu')",
    "nn.MaxPool2d(2, 2)",
    "nn.SequentialCell([nn.Dense(3, 4), nn.ReLU()])",
    "nn.SequentialCell([nn.SequentialCell([nn.Dense(2, 2), nn.ReLU()]), nn.MaxPool2d(2, 2)])",
]

MONITOR_OUTPUTS = [
    "ms.Tensor(np.float32(1) / np.float32(3))",
    "(ms.Tensor(np.float32(1) / np.float32(3)), ms.Tensor(False), ms.Tensor(1024.0))",
    "ms.Tensor(np.array([0.5, 0.25], np.float32))",
]


def monitor_output(outputs: object) -> str:
    params = {"cur_epoch_num": 2, "cur_step_num": 3, "batch_num": 2, "net_outputs": outputs, "dataset_sink_mode": False}

    class Params(dict):  # MindSpore's _InternalCallbackParam: a dict with attribute access
        __getattr__ = dict.__getitem__

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        LossMonitor().on_train_step_end(RunContext(Params(params)))
    return buffer.getvalue()


def main() -> None:
    space = {"ms": ms, "np": np, "nn": nn}
    record = {
        "tensors": [{"expr": e, "repr": repr(eval(e, space)), "str": str(eval(e, space))} for e in TENSORS],
        "cells": [{"expr": e, "repr": repr(eval(e, space))} for e in CELLS],
        "loss_monitor": [{"expr": e, "printed": monitor_output(eval(e, space))} for e in MONITOR_OUTPUTS],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
