"""``LossMonitor``, ``TimeMonitor`` and ``History``."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from minispore.common.tensor import Tensor
from minispore.train.callback.base import Callback, CallbackParams, RunContext


def loss_value(outputs: Any) -> float | None:
    """The scalar loss in a step's ``net_outputs`` (the first Tensor of a tuple)."""
    if isinstance(outputs, tuple | list) and outputs and isinstance(outputs[0], Tensor):
        outputs = outputs[0]
    if isinstance(outputs, Tensor):
        return float(np.mean(outputs.asnumpy()))
    if isinstance(outputs, int | float):
        return float(outputs)
    return None


def step_in_epoch(params: CallbackParams) -> int:
    return int((params.cur_step_num - 1) % params.batch_num + 1)


def printed_loss(outputs: Any) -> Any:
    """What ``LossMonitor`` prints for a step's ``net_outputs``, as MindSpore chooses it.

    A Tensor becomes the Python float of its mean (``loss is 0.3333333432674408``); from a
    tuple (a loss-scaled step's ``(loss, overflow, scale)``) the first Tensor is kept and
    prints as its bare array (``loss is 0.33333334``).
    """
    if isinstance(outputs, tuple | list):
        return outputs[0] if outputs and isinstance(outputs[0], Tensor) else outputs
    if isinstance(outputs, Tensor):
        return float(np.mean(outputs.asnumpy()))
    return outputs


class LossMonitor(Callback):
    """Print the loss every ``per_print_times`` steps: ``epoch: 1 step: 1, loss is 2.30``.

    In :meth:`Model.fit` it also prints the evaluation results at the end of each epoch
    that evaluated: ``Eval result: epoch 1, metrics: {'accuracy': 0.9}``.

    Raises:
        TypeError: ``per_print_times`` is not an int.
        ValueError: ``per_print_times`` is negative; or, during training, the loss is NaN
            or infinite (training stops).
    """

    def __init__(self, per_print_times: int = 1) -> None:
        if isinstance(per_print_times, bool) or not isinstance(per_print_times, int):
            raise TypeError(
                f"For 'LossMonitor', 'per_print_times' must be an int such as 1, but got {type(per_print_times).__name__}."
            )
        if per_print_times < 0:
            raise ValueError(f"For 'LossMonitor', 'per_print_times' must be an int >= 0, but got {per_print_times}.")
        self._per_print_times = per_print_times
        self._last_print_time = 0

    def step_end(self, run_context: RunContext) -> None:
        params = run_context.original_args()
        loss = printed_loss(params.net_outputs)
        epoch = params.get("cur_epoch_num", 1)
        cur = step_in_epoch(params)
        if isinstance(loss, float) and (math.isnan(loss) or math.isinf(loss)):
            raise ValueError(
                f"In epoch: {epoch} step: {cur}, loss is NAN or INF, training process cannot continue, "
                "terminating training."
            )
        if self._per_print_times == 0:
            return
        while params.cur_step_num <= self._last_print_time:  # a new training run restarted the count
            self._last_print_time -= max(self._per_print_times, 1)
        if params.cur_step_num - self._last_print_time >= self._per_print_times:
            self._last_print_time = params.cur_step_num
            print(f"epoch: {epoch} step: {cur}, loss is {loss}", flush=True)

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        params = run_context.original_args()
        metrics = params.get("metrics")
        if metrics:
            print(f"Eval result: epoch {int(params.cur_epoch_num)}, metrics: {metrics}")


class TimeMonitor(Callback):
    """Print each epoch's time: ``Train epoch time: 77.697 ms, per step time: 38.848 ms``.

    In ``Model.fit`` it also times the evaluations (``Eval epoch time: …``).
    """

    def __init__(self, data_size: int | None = None, data_time: bool = False) -> None:
        if data_size is not None and (isinstance(data_size, bool) or not isinstance(data_size, int) or data_size <= 0):
            raise ValueError(f"For 'TimeMonitor', 'data_size' must be a positive int or None, but got {data_size!r}.")
        self.data_size = data_size
        self.data_time = data_time
        self._epoch_start = 0.0

    def epoch_begin(self, run_context: RunContext) -> None:
        self._epoch_start = time.perf_counter()

    def epoch_end(self, run_context: RunContext) -> None:
        elapsed_ms = (time.perf_counter() - self._epoch_start) * 1000
        params = run_context.original_args()
        steps = params.get("batch_num") or self.data_size or 1
        mode = str(params.get("mode", "")).title()
        print(f"{mode} epoch time: {elapsed_ms:5.3f} ms, per step time: {elapsed_ms / steps:5.3f} ms", flush=True)


class History(Callback):
    """Record each epoch's number (``history.epoch == {'epoch': [1, 2]}``), the mean of its
    last ``net_outputs`` (``history.history['net_output']``) and, in ``fit``, its metrics."""

    def __init__(self) -> None:
        self.epoch: dict[str, list[int]] | None = None
        self.history: dict[str, list[Any]] = {}

    def begin(self, run_context: RunContext) -> None:
        self.epoch = {"epoch": []}

    def epoch_end(self, run_context: RunContext) -> None:
        params = run_context.original_args()
        assert self.epoch is not None
        self.epoch["epoch"].append(params.get("cur_epoch_num", 1))
        outputs = params.net_outputs
        if isinstance(outputs, tuple | list) and outputs and isinstance(outputs[0], Tensor):
            outputs = outputs[0]
        if isinstance(outputs, Tensor):
            outputs = np.mean(outputs.asnumpy())
        for name, value in {"net_output": outputs, **(params.get("metrics") or {})}.items():
            self.history.setdefault(name, []).append(value)
