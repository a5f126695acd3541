"""Record the callback trace of MindSpore 2.10's ``Model.fit`` (and ``Model.eval``).

Run with the real MindSpore 2.10.0 CPU wheel (numpy 1.26.4)::

    /work/msvenv/bin/python recording/model_fit.py

``ms.set_seed(1)``; ``nn.Dense(4, 3)`` trained with ``nn.Momentum(lr=0.1, momentum=0.9)``
on 16 rows of fixed data (``NumpySlicesDataset``, no shuffle, batch 4) and validated on
8 rows (batch 4) with ``metrics={"accuracy", "loss"}``. Two runs are traced:

- ``fit``: ``model.fit(4, train, valid, valid_frequency=2, initial_epoch=1,
  callbacks=[Tracer(), LossMonitor(3)])``;
- ``eval``: ``model.eval(valid, callbacks=[Tracer()])`` afterwards.

``Tracer`` records every ``on_*`` hook with ``mode``, ``cur_epoch_num``, ``cur_step_num``,
``batch_num``, ``epoch_num``, the sorted ``metrics`` keys and ``eval_results`` keys. It writes
``tests/fixtures/model/mindspore_fit_trace.json`` with both traces, the printed lines and
the metrics ``fit``'s last evaluation and ``eval`` returned.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import mindspore as ms
import numpy as np
from mindspore import nn
from mindspore.dataset import NumpySlicesDataset
from mindspore.train import Callback, LossMonitor, Model

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "model" / "mindspore_fit_trace.json"
HOOKS = [
    "on_train_begin", "on_train_epoch_begin", "on_train_step_begin", "on_train_step_end", "on_train_epoch_end",
    "on_train_end", "on_eval_begin", "on_eval_epoch_begin", "on_eval_step_begin", "on_eval_step_end",
    "on_eval_epoch_end", "on_eval_end",
]  # fmt: skip


def data(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(seed)
    x = rng.randn(rows, 4).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int32) + (x[:, 1] > 1).astype(np.int32)
    return x, y


class Tracer(Callback):
    def __init__(self) -> None:
        self.trace: list[list[Any]] = []


def _hook(name: str) -> Any:
    def record(self: Tracer, run_context: Any) -> None:
        p = run_context.original_args()
        self.trace.append([
            name, p.get("mode"), p.get("cur_epoch_num"), p.get("cur_step_num"), p.get("batch_num"),
            p.get("epoch_num"), sorted(p.get("metrics") or {}), sorted(p.get("eval_results") or {}),
        ])  # fmt: skip

    return record


for _name in HOOKS:
    setattr(Tracer, _name, _hook(_name))


def main() -> None:
    ms.set_seed(1)
    net = nn.Dense(4, 3)
    opt = nn.Momentum(net.trainable_params(), 0.1, 0.9)
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    model = Model(net, loss, opt, metrics={"accuracy", "loss"})
    train = NumpySlicesDataset(data(16, 0), column_names=["x", "y"], shuffle=False).batch(4)
    valid = NumpySlicesDataset(data(8, 1), column_names=["x", "y"], shuffle=False).batch(4)
    fit_tracer, eval_tracer = Tracer(), Tracer()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model.fit(4, train, valid, valid_frequency=2, initial_epoch=1, callbacks=[fit_tracer, LossMonitor(3)])
    result = model.eval(valid, callbacks=[eval_tracer])
    record = {
        "fit_trace": fit_tracer.trace,
        "fit_printed": printed.getvalue().splitlines(),
        "eval_trace": eval_tracer.trace,
        "eval_result": {k: float(v) for k, v in result.items()},
        "weights": {p.name: p.asnumpy().tolist() for p in net.trainable_params()},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
