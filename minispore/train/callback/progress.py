"""A progress bar over training steps (a minispore addition).

On a terminal it uses tqdm when installed (``minispore[progress]``) and otherwise draws a
plain text bar, so a NumPy-only install still shows progress. When the output is not a
terminal (a log file, a pipe, CI), it writes one line per epoch instead of redrawing.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from minispore.train.callback.base import Callback, RunContext
from minispore.train.callback.monitors import loss_value


class _TextBar:
    """A minimal stand-in for tqdm.

    Interactive, it is one line redrawn at most ten times a second; otherwise it stays
    silent until :meth:`close`, which writes the epoch's summary as one line.
    """

    def __init__(self, total: int, desc: str, leave: bool, stream: TextIO, interactive: bool) -> None:
        self.total, self.desc, self.leave, self.stream = total, desc, leave, stream
        self.interactive = interactive
        self.count = 0
        self.postfix = ""
        self._start = time.perf_counter()
        self._drawn = 0.0

    def update(self, n: int) -> None:
        self.count += n
        now = time.perf_counter()
        if self.interactive and (now - self._drawn >= 0.1 or self.count >= self.total):
            self._drawn = now
            self._draw(now)

    def set_postfix(self, refresh: bool = False, **values: str) -> None:
        self.postfix = ", ".join(f"{k}={v}" for k, v in values.items())

    def _line(self, now: float) -> str:
        width = 30
        filled = width * self.count // max(self.total, 1)
        rate = self.count / max(now - self._start, 1e-9)
        bar = "=" * filled + ">" * (filled < width) + " " * (width - filled - 1)
        return f"{self.desc} [{bar}] {self.count}/{self.total} {rate:.1f} step/s {self.postfix}".rstrip()

    def _draw(self, now: float) -> None:
        self.stream.write("\r" + self._line(now))
        self.stream.flush()

    def close(self) -> None:
        if not self.interactive:
            self.stream.write(self._line(time.perf_counter()) + "\n")
        else:
            if self._drawn == 0.0 or self.count < self.total:
                self._draw(time.perf_counter())
            self.stream.write("\n" if self.leave else "\r")
        self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except ValueError:  # a closed stream
        return False


class ProgressBar(Callback):
    """Show a per-epoch progress bar with the running loss.

    On a terminal the bar is redrawn as steps finish (tqdm when installed). When ``stream``
    is not a terminal, each epoch writes a single line when it ends, such as
    ``epoch 1/10 [==============================] 125/125 41.7 step/s loss=0.3012``.

    Args:
        enable: False turns it into a no-op, so scripts can wire a ``--no-progress`` flag.
        leave: keep each epoch's finished bar on screen (a terminal only; a log always
            keeps its per-epoch lines).
        stream: where the bar is written; standard error by default.

    Example:
        >>> import io
        >>> from minispore.train import ProgressBar
        >>> bar = ProgressBar(stream=io.StringIO())  # not a terminal: one line per epoch
    """

    def __init__(self, enable: bool = True, leave: bool = True, stream: TextIO | None = None) -> None:
        self.enable = enable
        self.leave = leave
        self.stream = stream
        self._bar: Any = None

    def on_train_epoch_begin(self, run_context: RunContext) -> None:
        """Open the epoch's bar."""
        if not self.enable:
            return
        params = run_context.original_args()
        desc = f"epoch {params.cur_epoch_num}/{params.epoch_num}"
        stream = self.stream or sys.stderr
        if not _is_terminal(stream):
            self._bar = _TextBar(params.batch_num, desc, self.leave, stream, interactive=False)
            return
        try:
            from tqdm import tqdm
        except ImportError:
            self._bar = _TextBar(params.batch_num, desc, self.leave, stream, interactive=True)
        else:
            self._bar = tqdm(total=params.batch_num, desc=desc, leave=self.leave, unit="step", file=stream)

    def on_train_step_end(self, run_context: RunContext) -> None:
        """Advance the bar by one step and show the step's loss."""
        if self._bar is None:
            return
        loss = loss_value(run_context.original_args().net_outputs)
        if loss is not None:
            self._bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
        self._bar.update(1)

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        """Close the epoch's bar (in a log: write its one line)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
