"""A tqdm progress bar over training steps (a minispore addition; tqdm is optional)."""

from __future__ import annotations

from typing import Any

from minispore.train.callback.base import Callback, RunContext
from minispore.train.callback.monitors import loss_value


class ProgressBar(Callback):
    """Show a per-epoch progress bar with the running loss.

    Args:
        enable: False turns it into a no-op, so scripts can wire a ``--no-progress`` flag.
        leave: keep each epoch's finished bar on screen.

    Raises:
        ImportError: ``enable`` is True and tqdm is not installed (``pip install tqdm``
            or ``minispore[progress]``).
    """

    def __init__(self, enable: bool = True, leave: bool = True) -> None:
        self.enable = enable
        self.leave = leave
        self._bar: Any = None
        if enable:
            try:
                import tqdm  # noqa: F401
            except ImportError as exc:
                raise ImportError(
                    "ProgressBar needs tqdm: pip install tqdm (or minispore[progress]), or pass enable=False."
                ) from exc

    def on_train_epoch_begin(self, run_context: RunContext) -> None:
        if not self.enable:
            return
        from tqdm import tqdm

        params = run_context.original_args()
        self._bar = tqdm(
            total=params.batch_num,
            desc=f"epoch {params.cur_epoch_num}/{params.epoch_num}",
            leave=self.leave,
            unit="step",
        )

    def on_train_step_end(self, run_context: RunContext) -> None:
        if self._bar is None:
            return
        loss = loss_value(run_context.original_args().net_outputs)
        self._bar.update(1)
        if loss is not None:
            self._bar.set_postfix(loss=f"{loss:.4f}", refresh=False)

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
