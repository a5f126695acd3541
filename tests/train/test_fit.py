"""``Model.fit`` against MindSpore 2.10's own trace (``recording/model_fit.py``): the
hooks in order with their parameters, what ``LossMonitor`` prints, the metrics."""

from __future__ import annotations

import ast
import contextlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minispore as ms
from minispore import nn
from minispore.dataset import NumpySlicesDataset
from minispore.train import Callback, History, LossMonitor, Model, RunContext, TimeMonitor

RECORDED = json.loads((Path(__file__).parents[1] / "fixtures" / "model" / "mindspore_fit_trace.json").read_text())
HOOKS = [
    "on_train_begin", "on_train_epoch_begin", "on_train_step_begin", "on_train_step_end", "on_train_epoch_end",
    "on_train_end", "on_eval_begin", "on_eval_epoch_begin", "on_eval_step_begin", "on_eval_step_end",
    "on_eval_epoch_end", "on_eval_end",
]  # fmt: skip


def _data(rows: int, seed: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    rng = np.random.RandomState(seed)
    x = rng.randn(rows, 4).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int32) + (x[:, 1] > 1).astype(np.int32)
    return x, y


class Tracer(Callback):
    def __init__(self) -> None:
        self.trace: list[list[Any]] = []


def _hook(name: str) -> Any:
    def record(self: Tracer, run_context: RunContext) -> None:
        p = run_context.original_args()
        self.trace.append([
            name, p.get("mode"), p.get("cur_epoch_num"), p.get("cur_step_num"), p.get("batch_num"),
            p.get("epoch_num"), sorted(p.get("metrics") or {}), sorted(p.get("eval_results") or {}),
        ])  # fmt: skip

    return record


for _name in HOOKS:
    setattr(Tracer, _name, _hook(_name))


def _model() -> tuple[Model, nn.Dense]:
    ms.set_seed(1)
    net = nn.Dense(4, 3)
    opt = nn.Momentum(net.trainable_params(), 0.1, 0.9)
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    return Model(net, loss, opt, metrics={"accuracy", "loss"}), net


def _datasets() -> tuple[Any, Any]:
    train = NumpySlicesDataset(_data(16, 0), column_names=["x", "y"], shuffle=False).batch(4)
    valid = NumpySlicesDataset(_data(8, 1), column_names=["x", "y"], shuffle=False).batch(4)
    return train, valid


def _numbers(line: str) -> tuple[str, list[float]]:
    """A printed line as its text without numbers, and the numbers (dict order ignored)."""
    if line.startswith("Eval result"):
        head, _, body = line.partition("metrics: ")
        values = ast.literal_eval(body)
        return head + str(sorted(values)), [values[k] for k in sorted(values)]
    head, _, loss = line.rpartition(" ")
    return head, [float(loss)]


def test_fit_matches_mindspore_trace_prints_and_weights(device: str) -> None:
    model, net = _model()
    train, valid = _datasets()
    tracer, eval_tracer = Tracer(), Tracer()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model.fit(4, train, valid, valid_frequency=2, initial_epoch=1, callbacks=[tracer, LossMonitor(3)])
    assert tracer.trace == RECORDED["fit_trace"]
    lines = printed.getvalue().splitlines()
    assert len(lines) == len(RECORDED["fit_printed"])
    for ours, theirs in zip(lines, RECORDED["fit_printed"]):
        (text, values), (want_text, want_values) = _numbers(ours), _numbers(theirs)
        assert text == want_text
        np.testing.assert_allclose(values, want_values, rtol=1e-5)
    result = model.eval(valid, callbacks=[eval_tracer])
    assert eval_tracer.trace == RECORDED["eval_trace"]
    assert sorted(result) == sorted(RECORDED["eval_result"])
    for name, value in RECORDED["eval_result"].items():
        np.testing.assert_allclose(result[name], value, rtol=1e-5)
    for p in net.trainable_params():
        np.testing.assert_allclose(p.asnumpy(), RECORDED["weights"][p.name], rtol=1e-5, atol=1e-7)


def test_fit_without_validation_trains_like_train() -> None:
    (model_a, net_a), (model_b, net_b) = _model(), _model()
    train, _ = _datasets()
    model_a.fit(2, train)
    model_b.train(2, train)
    for a, b in zip(net_a.trainable_params(), net_b.trainable_params()):
        np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())


def test_fit_valid_frequency_list_history_and_time_monitor(capsys: pytest.CaptureFixture[str]) -> None:
    model, _ = _model()
    train, valid = _datasets()
    history = History()
    model.fit(3, train, valid, valid_frequency=[1, 3], callbacks=[history, TimeMonitor()])
    assert history.epoch == {"epoch": [1, 2, 3]}
    assert len(history.history["net_output"]) == 3
    assert len(history.history["accuracy"]) == 2
    out = capsys.readouterr().out
    assert out.count("Train epoch time: ") == 3
    assert out.count("Eval epoch time: ") == 2


def test_custom_old_style_hooks_run_in_eval_and_are_refused_by_fit() -> None:
    model, _ = _model()
    train, valid = _datasets()
    steps: list[str] = []

    class OldStyle(Callback):
        def step_end(self, run_context: RunContext) -> None:
            steps.append(run_context.original_args().mode)

    model.eval(valid, callbacks=[OldStyle()])
    assert steps == ["eval", "eval"]
    model.train(1, train, callbacks=[OldStyle()])
    assert steps[2:] == ["train"] * 4
    with pytest.raises(ValueError, match="on_train"):
        model.fit(1, train, callbacks=[OldStyle()])


def test_fit_argument_errors() -> None:
    model, _ = _model()
    train, valid = _datasets()
    with pytest.raises(TypeError, match="valid_frequency"):
        model.fit(1, train, valid, valid_frequency=1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="dataset_sink_mode"):
        model.fit(1, train, dataset_sink_mode=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="initial_epoch"):
        model.fit(2, train, initial_epoch=2)
    with pytest.raises(ValueError, match="sink_size"):
        model.fit(1, train, sink_size=0)
    no_metrics = Model(nn.Dense(4, 3), nn.MSELoss(), nn.Momentum(nn.Dense(4, 3).trainable_params(), 0.1, 0.9))
    with pytest.raises(ValueError, match="metrics"):
        no_metrics.fit(1, train, valid)
    with pytest.raises(RuntimeError, match="optimizer"):
        Model(nn.Dense(4, 3), nn.MSELoss()).fit(1, train)


def test_run_context_needs_a_dict() -> None:
    with pytest.raises(TypeError, match="dict"):
        RunContext([])  # type: ignore[arg-type]
