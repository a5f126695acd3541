"""The cast rule of mixed precision, which every operation consults before it runs.

While a cell set up with ``Cell.to_float(dtype)`` runs, the rule casts the floating-point
inputs of each operation to ``dtype`` (MindSpore's PyNative rule for ``to_float``). A network
prepared with ``ms.amp.auto_mixed_precision(net, "auto")`` runs under a per-operation rule:
matrix products and convolutions take the low precision, the operations MindSpore lists as
unsafe in it (exp, log, pow, sums) take float32, and every other operation runs in the dtype
its inputs promote to. Casts are differentiable, so float32 Parameters receive float32
gradients. Rules nest as a stack: the innermost cell's rule applies.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import numpy as np

AutoKind: TypeAlias = Literal["", "low", "float32"]
"""How an operation is treated by the ``auto`` rule: ``"low"`` (MindSpore's auto white list),
``"float32"`` (its auto black list), or ``""`` (its inputs' own dtype)."""

_FLOAT32 = np.dtype(np.float32)


@dataclass(frozen=True)
class Precision:
    """One cast rule.

    Args:
        dtype: the low precision (``float16``), or ``float32`` for a cell kept in float32.
        per_operation: False for ``to_float`` (every operation casts to ``dtype``), True for
            the ``auto`` level (see the module docstring).
    """

    dtype: np.dtype[Any]
    per_operation: bool = False

    def target(self, kind: AutoKind) -> np.dtype[Any] | None:
        """The dtype an operation of ``kind`` casts its float inputs to, or None (no cast)."""
        if not self.per_operation:
            return self.dtype
        if kind == "low":
            return self.dtype
        return _FLOAT32 if kind == "float32" else None


class _State(threading.local):
    rule: Precision | None = None


_state = _State()


@contextmanager
def precision(rule: Precision | None) -> Iterator[None]:
    """Apply ``rule`` inside the block; ``None`` keeps the current rule."""
    previous = _state.rule
    if rule is not None:
        _state.rule = rule
    try:
        yield
    finally:
        _state.rule = previous


def current_precision() -> Precision | None:
    """The rule in force here, or None outside any mixed-precision cell."""
    return _state.rule
