"""Loss scaling with overflow detection: the update cells and the training step using them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minispore.common.tensor import Tensor
from minispore.grad import value_and_grad
from minispore.nn.cell import Cell
from minispore.nn.optim.optimizer import Optimizer
from minispore.ops import math as m


def gradients_overflow(grads: Sequence[Tensor]) -> bool:
    """Whether any gradient holds an inf or NaN (one host read for all of them).

    ``sum(g * 0)`` is 0 for finite gradients and NaN as soon as one element is not finite.
    """
    total: Tensor | None = None
    with np.errstate(invalid="ignore", over="ignore"):
        for g in grads:
            probe = m.sum(m.mul(g, 0.0))
            total = probe if total is None else m.add(total, probe)
    return total is not None and not bool(np.isfinite(total.asnumpy()).all())


class DynamicLossScaleUpdateCell(Cell):
    """MindSpore's dynamic rule, applied after each step's overflow check.

    On overflow the scale becomes ``max(scale / scale_factor, 1)``; after
    ``scale_window`` steps without overflow it is multiplied by ``scale_factor``.
    ``cur_iter`` starts at 1 and ``last_overflow_iter`` at 0, as in MindSpore.
    """

    def __init__(self, loss_scale_value: float, scale_factor: float, scale_window: int) -> None:
        super().__init__()
        self.scale_factor = float(scale_factor)
        self.scale_window = int(scale_window)
        self.loss_scale = float(loss_scale_value)
        self.cur_iter = 1
        self.last_overflow_iter = 0

    def get_loss_scale(self) -> float:
        return self.loss_scale

    def construct(self, overflow: bool) -> bool:
        scale = max(self.loss_scale / self.scale_factor, 1.0) if overflow else self.loss_scale
        should_inc = self.cur_iter - self.last_overflow_iter >= self.scale_window
        if overflow or should_inc:
            self.last_overflow_iter = self.cur_iter
        if should_inc and not overflow:
            scale *= self.scale_factor
        self.loss_scale = scale
        self.cur_iter += 1
        return overflow


class FixedLossScaleUpdateCell(Cell):
    """A constant scale; overflowing steps are still detected and skipped."""

    def __init__(self, loss_scale_value: float) -> None:
        super().__init__()
        self.loss_scale = float(loss_scale_value)

    def get_loss_scale(self) -> float:
        return self.loss_scale

    def construct(self, overflow: bool) -> bool:
        return overflow


class TrainOneStepWithLossScaleCell(Cell):
    """A training step with loss scaling: scale, differentiate, unscale, check, update.

    The loss is differentiated with sensitivity ``scale``; the gradients are divided by
    ``scale`` before the optimizer sees them; if any is inf or NaN the optimizer is not
    called, so parameters, moments and ``global_step`` stay as they were. The update
    cell then adjusts the scale.

    Args:
        network: a Cell returning the loss.
        optimizer: the optimizer (its own ``loss_scale`` should stay 1.0).
        scale_sense: a :class:`DynamicLossScaleUpdateCell`, a
            :class:`FixedLossScaleUpdateCell`, or a number (a fixed scale).

    Returns:
        ``(loss, overflow, scale)`` as MindSpore's cell does.
    """

    def __init__(self, network: Cell, optimizer: Optimizer, scale_sense: Cell | float | Tensor) -> None:
        super().__init__(auto_prefix=False)
        self.network = network
        self.optimizer = optimizer
        self.weights = optimizer.parameters
        if isinstance(scale_sense, DynamicLossScaleUpdateCell | FixedLossScaleUpdateCell):
            self.scale_sense: DynamicLossScaleUpdateCell | FixedLossScaleUpdateCell = scale_sense
        elif isinstance(scale_sense, int | float | Tensor):
            self.scale_sense = FixedLossScaleUpdateCell(float(scale_sense))
        else:
            raise TypeError(
                "For 'TrainOneStepWithLossScaleCell', 'scale_sense' must be a DynamicLossScaleUpdateCell, "
                f"a FixedLossScaleUpdateCell or a number, but got {type(scale_sense).__name__}."
            )
        self._grad_fn = value_and_grad(network, None, self.weights, sens_param=True)

    def construct(self, *inputs: Any) -> tuple[Tensor, bool, float]:
        scale = self.scale_sense.get_loss_scale()
        # Overflow is expected here (it is what the scale probes for): no NumPy warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            loss, grads = self._grad_fn(*inputs, scale)
            unscaled = tuple(m.mul(g, np.float32(1.0 / scale).item()) for g in grads)
            overflow = gradients_overflow(unscaled)
        self.scale_sense(overflow)
        if not overflow:
            self.optimizer(unscaled)
        return loss, overflow, scale
