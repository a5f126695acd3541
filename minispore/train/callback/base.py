"""``Callback``, ``RunContext`` and the parameters a callback sees."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class CallbackParams(dict[str, Any]):
    """What ``run_context.original_args()`` returns: a dict with attribute access.

    Keys set by ``Model``: ``train_network``, ``network``, ``optimizer``, ``loss_fn``,
    ``train_dataset`` / ``valid_dataset``, ``epoch_num``, ``batch_num``,
    ``cur_epoch_num`` (1-based), ``cur_step_num`` (1-based, across epochs),
    ``net_outputs``, ``mode`` (``'train'`` or ``'eval'``) and ``metrics`` after eval.
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"The callback parameters have no {name!r}; available: {sorted(self)}.") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


class RunContext:
    """Handed to every callback hook; ``request_stop()`` ends training after this step."""

    def __init__(self, original_args: CallbackParams) -> None:
        if not isinstance(original_args, dict):
            raise TypeError(
                f"The argument 'original_args' of RunContext should be dict type, but got {type(original_args)}."
            )
        self._original_args = original_args
        self._stop_requested = False

    def original_args(self) -> CallbackParams:
        """The training state shared by the hooks: ``cur_epoch_num``, ``cur_step_num``, ``batch_num``, ``epoch_num``, ``net_outputs``, ``train_network``, ..."""
        return self._original_args

    def request_stop(self) -> None:
        """Ask ``Model.train`` to stop after the current step."""
        self._stop_requested = True

    def get_stop_requested(self) -> bool:
        """Whether a callback has called :meth:`request_stop`."""
        return self._stop_requested


class Callback:
    """Base class: override the hooks you need.

    As in MindSpore 2.x, each ``on_train_*`` and ``on_eval_*`` hook calls the older name
    (``begin``, ``epoch_begin``, ``step_begin``, ``step_end``, ``epoch_end``, ``end``) by
    default, so a callback that overrides ``step_end`` runs after training and evaluation
    steps alike. ``Model.fit`` refuses custom callbacks that define the older names.
    """

    def begin(self, run_context: RunContext) -> None:
        """Called once before training (old name)."""

    def epoch_begin(self, run_context: RunContext) -> None:
        """Called before each epoch (old name)."""

    def step_begin(self, run_context: RunContext) -> None:
        """Called before each step (old name)."""

    def step_end(self, run_context: RunContext) -> None:
        """Called after each step (old name)."""

    def epoch_end(self, run_context: RunContext) -> None:
        """Called after each epoch (old name)."""

    def end(self, run_context: RunContext) -> None:
        """Called once after training (old name)."""

    def on_train_begin(self, run_context: RunContext) -> None:
        """Called once before training; calls :meth:`begin` unless overridden."""
        self.begin(run_context)

    def on_train_epoch_begin(self, run_context: RunContext) -> None:
        """Called before each epoch; calls :meth:`epoch_begin` unless overridden."""
        self.epoch_begin(run_context)

    def on_train_step_begin(self, run_context: RunContext) -> None:
        """Called before each step; calls :meth:`step_begin` unless overridden."""
        self.step_begin(run_context)

    def on_train_step_end(self, run_context: RunContext) -> None:
        """Called after each step; calls :meth:`step_end` unless overridden."""
        self.step_end(run_context)

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        """Called after each epoch; calls :meth:`epoch_end` unless overridden."""
        self.epoch_end(run_context)

    def on_train_end(self, run_context: RunContext) -> None:
        """Called once after training; calls :meth:`end` unless overridden."""
        self.end(run_context)

    def on_eval_begin(self, run_context: RunContext) -> None:
        """Called once before evaluation."""
        self.begin(run_context)

    def on_eval_epoch_begin(self, run_context: RunContext) -> None:
        """Called before the evaluation pass."""
        self.epoch_begin(run_context)

    def on_eval_step_begin(self, run_context: RunContext) -> None:
        """Called before each evaluation step."""
        self.step_begin(run_context)

    def on_eval_step_end(self, run_context: RunContext) -> None:
        """Called after each evaluation step."""
        self.step_end(run_context)

    def on_eval_epoch_end(self, run_context: RunContext) -> None:
        """Called after the evaluation pass."""
        self.epoch_end(run_context)

    def on_eval_end(self, run_context: RunContext) -> None:
        """Called once after evaluation."""
        self.end(run_context)


class CallbackList(Callback):
    """Several callbacks called in order."""

    def __init__(self, callbacks: Callback | Iterable[Callback] | None) -> None:
        if callbacks is None:
            items: list[Callback] = []
        elif isinstance(callbacks, Callback):
            items = [callbacks]
        else:
            items = list(callbacks)
        for cb in items:
            if not isinstance(cb, Callback):
                raise TypeError(f"Each callback must be a Callback instance, but got {type(cb).__name__}.")
        self.callbacks = items

    def _each(self, hook: str, run_context: RunContext) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(run_context)

    def on_train_begin(self, run_context: RunContext) -> None:
        self._each("on_train_begin", run_context)

    def on_train_epoch_begin(self, run_context: RunContext) -> None:
        self._each("on_train_epoch_begin", run_context)

    def on_train_step_begin(self, run_context: RunContext) -> None:
        self._each("on_train_step_begin", run_context)

    def on_train_step_end(self, run_context: RunContext) -> None:
        self._each("on_train_step_end", run_context)

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        self._each("on_train_epoch_end", run_context)

    def on_train_end(self, run_context: RunContext) -> None:
        self._each("on_train_end", run_context)

    def on_eval_begin(self, run_context: RunContext) -> None:
        self._each("on_eval_begin", run_context)

    def on_eval_epoch_begin(self, run_context: RunContext) -> None:
        self._each("on_eval_epoch_begin", run_context)

    def on_eval_step_begin(self, run_context: RunContext) -> None:
        self._each("on_eval_step_begin", run_context)

    def on_eval_step_end(self, run_context: RunContext) -> None:
        self._each("on_eval_step_end", run_context)

    def on_eval_epoch_end(self, run_context: RunContext) -> None:
        self._each("on_eval_epoch_end", run_context)

    def on_eval_end(self, run_context: RunContext) -> None:
        self._each("on_eval_end", run_context)
