"""The rules ``Model.fit`` adds to training: when to evaluate, which callbacks see the
evaluation, and which callbacks ``fit`` refuses (MindSpore 2.10's behaviour)."""

from __future__ import annotations

from minispore.train.callback.base import Callback

OLD_HOOKS = frozenset({"begin", "end", "epoch_begin", "epoch_end", "step_begin", "step_end"})


def _builtin(cb: Callback) -> bool:
    """Whether ``cb`` is one of minispore's own callbacks (MindSpore's ``internal_cb_names``)."""
    from minispore.train import callback

    return type(cb).__name__ in callback.__all__


def due(epoch: int, valid_frequency: int | list[int]) -> bool:
    """Whether ``fit`` evaluates after ``epoch`` (1-based)."""
    return epoch % valid_frequency == 0 if isinstance(valid_frequency, int) else epoch in valid_frequency


def eval_callbacks(callbacks: list[Callback]) -> list[Callback]:
    """The callbacks that see ``fit``'s evaluations: the user's own, and ``TimeMonitor``."""
    from minispore.train.callback.monitors import TimeMonitor

    return [cb for cb in callbacks if not _builtin(cb) or isinstance(cb, TimeMonitor)]


def check_fit_callbacks(callbacks: Callback | list[Callback] | None) -> None:
    """Refuse custom callbacks that define the old hook names, as MindSpore's ``fit`` does.

    Raises:
        ValueError: a callback class of the user's defines ``step_end``, ``epoch_end``, …
    """
    items = [] if callbacks is None else [callbacks] if isinstance(callbacks, Callback) else list(callbacks)
    for cb in items:
        old = sorted(set(vars(type(cb))) & OLD_HOOKS) if not _builtin(cb) else []
        if old:
            hooks = ", ".join(f"on_train_{name}" for name in old)
            raise ValueError(
                f"For {type(cb).__name__} callback, {old} methods may not be supported in later version, "
                f"Use methods prefixed with 'on_train' or 'on_eval' instead when using customized callbacks "
                f"(here: {hooks})."
            )
