"""ms.train.Model, the training wrappers, loss scaling and callbacks."""

from __future__ import annotations

import io
import sys
from typing import Any

import numpy as np
import pytest

import minispore as ms
from minispore import nn
from minispore.amp import DynamicLossScaleManager, FixedLossScaleManager
from minispore.dataset import NumpySlicesDataset
from minispore.train import Callback, History, LossMonitor, Model, ProgressBar, RunContext, TimeMonitor


def _data(n: int = 64, poison_batch: int | None = None) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 6)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int32) + (x[:, 1] > 0).astype(np.int32)
    if poison_batch is not None:
        x[poison_batch * 16] = np.inf
    return x, y


def _dataset(x: np.ndarray[Any, Any], y: np.ndarray[Any, Any]) -> Any:
    return NumpySlicesDataset({"data": x, "label": y}, shuffle=False).batch(16)


class Net(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Dense(6, 8)
        self.fc2 = nn.Dense(8, 3)
        self.relu = nn.ReLU()

    def construct(self, x: ms.Tensor) -> ms.Tensor:
        out: ms.Tensor = self.fc2(self.relu(self.fc1(x)))
        return out


def _net(seed: int = 3) -> Net:
    ms.set_seed(seed)
    return Net()


def _snapshot(net: nn.Cell, opt: nn.Momentum) -> list[np.ndarray[Any, Any]]:
    return (
        [p.asnumpy() for p in net.get_parameters()] + [m.asnumpy() for m in opt.moments] + [opt.global_step.asnumpy()]
    )


def test_model_train_matches_a_manual_value_and_grad_loop(device: str) -> None:
    x, y = _data()
    net_a, net_b = _net(), _net()
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    opt_a = nn.Momentum(net_a.trainable_params(), 0.05, 0.9, weight_decay=1e-3)
    opt_b = nn.Momentum(net_b.trainable_params(), 0.05, 0.9, weight_decay=1e-3)
    Model(net_a, loss_fn, opt_a).train(2, _dataset(x, y))

    def forward(data: ms.Tensor, label: ms.Tensor) -> ms.Tensor:
        out: ms.Tensor = loss_fn(net_b(data), label)
        return out

    grad_fn = ms.value_and_grad(forward, None, opt_b.parameters)
    net_b.set_train()
    for _ in range(2):
        for data, label in _dataset(x, y).create_tuple_iterator():
            _, grads = grad_fn(data, label)
            opt_b(grads)
    for a, b in zip(_snapshot(net_a, opt_a), _snapshot(net_b, opt_b)):
        np.testing.assert_array_equal(a, b)


def test_fixed_loss_scale_without_drop_matches_plain_training(device: str) -> None:
    """Power-of-two scaling is exact, so FixedLossScaleManager(128, False) with the optimizer's
    loss_scale=128 reproduces unscaled training bit for bit (MindSpore's verified behaviour)."""
    x, y = _data()
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    net_a, net_b = _net(), _net()
    opt_a = nn.Momentum(net_a.trainable_params(), 0.05, 0.9)
    opt_b = nn.Momentum(net_b.trainable_params(), 0.05, 0.9, loss_scale=128.0)
    Model(net_a, loss_fn, opt_a).train(1, _dataset(x, y))
    manager = FixedLossScaleManager(128.0, drop_overflow_update=False)
    Model(net_b, loss_fn, opt_b, loss_scale_manager=manager).train(1, _dataset(x, y))
    for a, b in zip(net_a.get_parameters(), net_b.get_parameters()):
        np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())


class Recorder(Callback):
    def __init__(self, net: nn.Cell, opt: nn.Momentum) -> None:
        self.net, self.opt = net, opt
        self.states: list[list[np.ndarray[Any, Any]]] = []
        self.outputs: list[Any] = []

    def on_train_step_end(self, run_context: RunContext) -> None:
        self.states.append(_snapshot(self.net, self.opt))
        self.outputs.append(run_context.original_args().net_outputs)


# The poisoned batch makes NumPy's matmul warn; the warning is the overflow these tests expect.
EXPECTED_OVERFLOW = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")


@EXPECTED_OVERFLOW
@pytest.mark.parametrize("manager_kind", ["fixed", "dynamic"])
def test_overflowing_step_is_skipped_with_nothing_changed(device: str, manager_kind: str) -> None:
    x, y = _data(poison_batch=2)
    net = _net()
    opt = nn.Momentum(net.trainable_params(), 0.05, 0.9)
    manager: Any = FixedLossScaleManager(64.0) if manager_kind == "fixed" else DynamicLossScaleManager(2.0**10, 2, 2)
    recorder = Recorder(net, opt)
    Model(net, nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean"), opt, loss_scale_manager=manager).train(
        1, _dataset(x, y), callbacks=[recorder]
    )
    overflow = [bool(o[1]) for o in recorder.outputs]
    assert overflow == [False, False, True, False]
    for a, b in zip(recorder.states[1], recorder.states[2]):
        np.testing.assert_array_equal(a, b)
    assert int(opt.global_step.asnumpy()[0]) == 3
    scales = [o[2] for o in recorder.outputs]
    if manager_kind == "fixed":
        assert scales == [64.0] * 4
    else:
        # window 2: grows after two clean steps, halves on overflow (MindSpore's update cell).
        assert scales == [1024.0, 1024.0, 2048.0, 1024.0]
        assert manager.get_loss_scale() == 1024.0


def test_dynamic_manager_host_rule() -> None:
    m = DynamicLossScaleManager(16, 2, 3)
    for overflow in (False, False, True, False, False, False):
        m.update_loss_scale(overflow)
    assert m.get_loss_scale() == 16.0
    m = DynamicLossScaleManager(2, 2, 1)
    m.update_loss_scale(True)
    m.update_loss_scale(True)
    assert m.get_loss_scale() == 1.0
    with pytest.raises(RuntimeError, match="consecutive overflows"):
        for _ in range(1002):
            m.update_loss_scale(True)


@pytest.mark.parametrize(
    ("kwargs", "exc"),
    [({"loss_scale": 0.5}, ValueError), ({"loss_scale": "1"}, TypeError), ({"drop_overflow_update": 1}, TypeError)],
)
def test_fixed_manager_validation(kwargs: dict[str, Any], exc: type[Exception]) -> None:
    with pytest.raises(exc):
        FixedLossScaleManager(**kwargs)


@pytest.mark.parametrize(
    "kwargs", [{"init_loss_scale": 0.5}, {"scale_factor": 0}, {"scale_window": 0}, {"scale_window": 2.5}]
)
def test_dynamic_manager_validation(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        DynamicLossScaleManager(**kwargs)


def test_eval_predict_and_errors(device: str) -> None:
    x, y = _data()
    net = _net()
    opt = nn.Momentum(net.trainable_params(), 0.05, 0.9)
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    model = Model(net, loss_fn, opt, metrics={"accuracy", "loss"})
    model.train(3, _dataset(x, y))
    result = model.eval(_dataset(x, y))
    assert set(result) == {"accuracy", "loss"}
    logits = net(ms.Tensor(x)).asnumpy()
    assert result["accuracy"] == pytest.approx(float((logits.argmax(1) == y).mean()))
    assert model.predict(ms.Tensor(x[:4])).shape == (4, 3)
    with pytest.raises(ValueError, match="metrics"):
        Model(net, loss_fn, opt).eval(_dataset(x, y))
    with pytest.raises(ValueError, match="'level' should be in"):
        Model(net, loss_fn, opt, amp_level="O4")
    with pytest.raises(ValueError, match="'epoch' must be a positive int"):
        model.train(0, _dataset(x, y))
    named = Model(net, loss_fn, opt, metrics={"acc": nn.Accuracy(), "top5": nn.Top5CategoricalAccuracy()})
    assert named.eval(_dataset(x, y))["top5"] == 1.0


@EXPECTED_OVERFLOW
def test_loss_monitor_format_and_invalid_loss(device: str, capsys: pytest.CaptureFixture[str]) -> None:
    x, y = _data(32)
    net = _net()
    opt = nn.Momentum(net.trainable_params(), 0.05, 0.9)
    model = Model(net, nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean"), opt)
    model.train(2, _dataset(x, y), callbacks=[LossMonitor(1), TimeMonitor()])
    lines = capsys.readouterr().out.splitlines()
    loss_lines = [ln for ln in lines if ln.startswith("epoch")]
    assert [ln.split(",")[0] for ln in loss_lines] == [
        "epoch: 1 step: 1",
        "epoch: 1 step: 2",
        "epoch: 2 step: 1",
        "epoch: 2 step: 2",
    ]
    assert all("loss is " in ln for ln in loss_lines)
    assert sum(ln.startswith("Train epoch time: ") and "per step time: " in ln for ln in lines) == 2
    bad_x, bad_y = _data(32, poison_batch=0)
    with pytest.raises(ValueError, match="loss is NAN or INF"):
        model.train(1, _dataset(bad_x, bad_y), callbacks=[LossMonitor()])


def test_run_context_stop_history_and_params(device: str) -> None:
    x, y = _data()
    net = _net()
    opt = nn.Momentum(net.trainable_params(), 0.05, 0.9)
    seen: list[tuple[int, int, int, int]] = []

    class StopAfterFive(Callback):
        def on_train_step_end(self, run_context: RunContext) -> None:
            p = run_context.original_args()
            seen.append((p.cur_epoch_num, p.cur_step_num, p.batch_num, p.epoch_num))
            assert p.train_network is not None and p.optimizer is opt
            if p.cur_step_num == 5:
                run_context.request_stop()

    history = History()
    Model(net, nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean"), opt).train(
        3, _dataset(x, y), callbacks=[StopAfterFive(), history]
    )
    assert seen == [(1, 1, 4, 3), (1, 2, 4, 3), (1, 3, 4, 3), (1, 4, 4, 3), (2, 5, 4, 3)]
    assert history.epoch == {"epoch": [1, 2]} and len(history.history["net_output"]) == 2
    assert int(opt.global_step.asnumpy()[0]) == 5


def test_train_one_step_cell_returns_unscaled_loss(device: str) -> None:
    x, y = _data(16)
    net = _net()
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    expected = float(loss_fn(net(ms.Tensor(x)), ms.Tensor(y)).asnumpy())
    opt = nn.Momentum(net.trainable_params(), 0.05, 0.9, loss_scale=8.0)
    step = nn.TrainOneStepCell(nn.WithLossCell(net, loss_fn), opt, sens=8.0)
    assert float(step(ms.Tensor(x), ms.Tensor(y)).asnumpy()) == pytest.approx(expected, rel=1e-6)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _train_with_bar(stream: io.StringIO) -> str:
    x, y = _data(32)
    net = _net()
    opt = nn.Momentum(net.trainable_params(), 0.05, 0.9)
    Model(net, nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean"), opt).train(
        2, _dataset(x, y), callbacks=[ProgressBar(stream=stream), ProgressBar(enable=False)]
    )
    return stream.getvalue()


def test_progress_bar_draws_on_a_terminal_without_tqdm(device: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now raises ImportError
    text = _train_with_bar(_Terminal())
    assert "\repoch 1/2 [" in text and "\repoch 2/2 [" in text and "2/2" in text and "loss=" in text


def test_progress_bar_writes_one_line_per_epoch_to_a_log(device: str) -> None:
    lines = _train_with_bar(io.StringIO()).splitlines(keepends=True)  # with or without tqdm installed
    assert len(lines) == 2, lines
    for epoch, line in enumerate(lines, 1):
        assert line.startswith(f"epoch {epoch}/2 [") and "] 2/2 " in line and "loss=" in line
        assert "\r" not in line and line.endswith("\n")
