"""Weight decay as MindSpore's optimizers apply it: folded with the loss scale.

MindSpore stores ``wd * loss_scale`` and adds ``p * that`` to the *scaled* gradient, so
after the ``1 / loss_scale`` multiply the effective gradient is ``g / ls + wd * p``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minispore.common.parameter import Parameter
from minispore.common.validation import as_float_at_least
from minispore.nn.cell import Cell
from minispore.nn.optim.learning_rate import call_at_step


def default_decay_filter(param: Parameter) -> bool:
    """MindSpore's mask for ungrouped parameters: no decay for names with beta or gamma.

    The test is a substring test: ``bn.beta`` and ``ln.gamma_scale`` are skipped while
    ``alphabet`` is decayed. Grouped parameters are not filtered.
    """
    return "beta" not in param.name and "gamma" not in param.name


class FixedWeightDecay:
    """A constant decay; ``value_at`` gives ``float32(wd * loss_scale)`` (product in double)."""

    is_dynamic = False

    def __init__(self, weight_decay: float, loss_scale: float) -> None:
        self.weight_decay = weight_decay
        self.scaled = weight_decay * loss_scale
        self._value: np.float32 = np.float32(self.scaled)

    @property
    def active(self) -> bool:
        return self.weight_decay > 0.0

    def value_at(self, step: int) -> np.float32:
        return self._value


class DynamicWeightDecay:
    """A Cell called with ``global_step``; ``value_at`` gives ``cell(step) * float32(ls)``."""

    is_dynamic = True
    active = True

    def __init__(self, cell: Cell, loss_scale: float) -> None:
        self.cell = cell
        self.loss_scale = np.float32(loss_scale)

    def value_at(self, step: int) -> np.float32:
        scaled: np.float32 = np.float32(call_at_step(self.cell, step) * self.loss_scale)
        return scaled


WeightDecay = FixedWeightDecay | DynamicWeightDecay


def parse_weight_decay(value: Any, loss_scale: float, prim: str) -> WeightDecay:
    """Check a user's weight decay (int, float or Cell) and fold in the loss scale.

    Raises:
        TypeError: not an int, float or Cell (a Tensor or ``np.float32`` included).
        ValueError: negative or not finite.
    """
    if isinstance(value, Cell):
        return DynamicWeightDecay(value, loss_scale)
    if isinstance(value, bool | int | float):
        return FixedWeightDecay(as_float_at_least(prim, "weight_decay", value, 0.0, strict=False), loss_scale)
    raise TypeError(
        f"For 'Optimizer', the argument 'Weight_decay' must be int, float or Cell, but got {type(value).__name__}. "
        "Pass a float such as 1e-4, or a Cell that maps global_step to a decay."
    )
