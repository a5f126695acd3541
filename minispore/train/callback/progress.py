"""A progress bar over training steps (a minispore addition).

It uses tqdm when installed (``minispore[progress]``) and otherwise draws a plain text
bar on standard error, so a NumPy-only install still shows progress.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from minispore.train.callback.base import Callback, RunContext
from minispore.train.callback.monitors import loss_value


class _TextBar:
    """A minimal stand-in for tqdm: one line, redrawn at most ten times a second."""

    def __init__(self, total: int, desc: str, leave: bool, stream: TextIO) -> None:
        self.total, self.desc, self.leave, self.stream = total, desc, leave, stream
        self.count = 0
        self.postfix = ""
        self._start = time.perf_counter()
        self._drawn = 0.0

    def update(self, n: int) -> None:
        self.count += n
        now = time.perf_counter()
        if now - self._drawn >= 0.1 or self.count >= self.total:
            self._drawn = now
            self._draw(now)

    def set_postfix(self, refresh: bool = False, **values: str) -> None:
        self.postfix = ", ".join(f"{k}={v}" for k, v in values.items())

    def _draw(self, now: float) -> None:
        width = 30
        filled = width * self.count // max(self.total, 1)
        rate = self.count / max(now - self._start, 1e-9)
        bar = "=" * filled + ">" * (filled < width) + " " * (width - filled - 1)
        self.stream.write(f"\r{self.desc} [{bar}] {self.count}/{self.total} {rate:.1f} step/s {self.postfix}")
        self.stream.flush()

    def close(self) -> None:
        if self._drawn == 0.0 or self.count < self.total:
            self._draw(time.perf_counter())
        self.stream.write("\n" if self.leave else "\r")
        self.stream.flush()


class ProgressBar(Callback):
    """Show a per-epoch progress bar with the running loss.

    Args:
        enable: False turns it into a no-op, so scripts can wire a ``--no-progress`` flag.
        leave: keep each epoch's finished bar on screen.
        stream: where the text bar is drawn when tqdm is not installed.
    """

    def __init__(self, enable: bool = True, leave: bool = True, stream: TextIO | None = None) -> None:
        self.enable = enable
        self.leave = leave
        self.stream = stream
        self._bar: Any = None

    def on_train_epoch_begin(self, run_context: RunContext) -> None:
        if not self.enable:
            return
        params = run_context.original_args()
        desc = f"epoch {params.cur_epoch_num}/{params.epoch_num}"
        try:
            from tqdm import tqdm
        except ImportError:
            self._bar = _TextBar(params.batch_num, desc, self.leave, self.stream or sys.stderr)
        else:
            self._bar = tqdm(total=params.batch_num, desc=desc, leave=self.leave, unit="step", file=self.stream)

    def on_train_step_end(self, run_context: RunContext) -> None:
        if self._bar is None:
            return
        loss = loss_value(run_context.original_args().net_outputs)
        if loss is not None:
            self._bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
        self._bar.update(1)

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
