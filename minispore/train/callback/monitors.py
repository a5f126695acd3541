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


class LossMonitor(Callback):
    """Print the loss every ``per_print_times`` steps: ``epoch: 1 step: 1, loss is 2.30``.

    Raises:
        ValueError: the loss is NaN or infinite (training stops).
    """

    def __init__(self, per_print_times: int = 1) -> None:
        if isinstance(per_print_times, bool) or not isinstance(per_print_times, int) or per_print_times < 0:
            raise ValueError(f"For 'LossMonitor', 'per_print_times' must be an int >= 0, but got {per_print_times!r}.")
        self._per_print_times = per_print_times
        self._last_print_time = 0

    def on_train_step_end(self, run_context: RunContext) -> None:
        params = run_context.original_args()
        loss = loss_value(params.net_outputs)
        cur = step_in_epoch(params)
        if loss is not None and (math.isnan(loss) or math.isinf(loss)):
            raise ValueError(f"epoch: {params.cur_epoch_num} step: {cur}. Invalid loss {loss}, terminating training.")
        if self._per_print_times != 0 and params.cur_step_num - self._last_print_time >= self._per_print_times:
            self._last_print_time = params.cur_step_num
            print(f"epoch: {params.cur_epoch_num} step: {cur}, loss is {loss}", flush=True)

    def on_train_begin(self, run_context: RunContext) -> None:
        self._last_print_time = 0


class TimeMonitor(Callback):
    """Print each epoch's time: ``Train epoch time: 77.697 ms, per step time: 38.848 ms``."""

    def __init__(self, data_size: int | None = None, data_time: bool = False) -> None:
        if data_size is not None and (isinstance(data_size, bool) or not isinstance(data_size, int) or data_size <= 0):
            raise ValueError(f"For 'TimeMonitor', 'data_size' must be a positive int or None, but got {data_size!r}.")
        self.data_size = data_size
        self.data_time = data_time
        self._epoch_start = 0.0

    def on_train_epoch_begin(self, run_context: RunContext) -> None:
        self._epoch_start = time.perf_counter()

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        elapsed_ms = (time.perf_counter() - self._epoch_start) * 1000
        steps = self.data_size or run_context.original_args().batch_num
        print(f"Train epoch time: {elapsed_ms:.3f} ms, per step time: {elapsed_ms / max(steps, 1):.3f} ms", flush=True)


class History(Callback):
    """Record each epoch's last ``net_outputs`` (``history['net_output']``) and eval metrics."""

    def __init__(self) -> None:
        self.epoch: list[int] = []
        self.history: dict[str, list[Any]] = {}

    def on_train_begin(self, run_context: RunContext) -> None:
        self.epoch = []
        self.history = {}

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        params = run_context.original_args()
        self.epoch.append(int(params.cur_epoch_num))
        loss = loss_value(params.net_outputs)
        if loss is not None:
            self.history.setdefault("net_output", []).append(loss)
        for name, value in params.get("metrics", {}).items():
            self.history.setdefault(name, []).append(value)
