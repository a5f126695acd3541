"""Learning-rate schedules: Cells called with ``global_step`` that return the rate."""

from __future__ import annotations

from typing import Any

from minispore.common.tensor import Tensor
from minispore.nn.cell import Cell


class LearningRateSchedule(Cell):
    """Base class of schedules: ``construct(global_step)`` returns a float32 scalar Tensor.

    ``global_step`` is the optimizer's ``(1,)`` int32 step counter, read before it is
    incremented, so the first call sees 0.
    """

    def construct(self, global_step: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define construct(global_step).")
