"""Loss scaling with overflow detection: the update cells and the training step using them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minispore.common.tensor import Tensor
from minispore.common.validation import check_loss_scale, check_positive_int
from minispore.grad import value_and_grad
from minispore.nn.cell import Cell
from minispore.nn.optim.optimizer import Optimizer
from minispore.nn.wrap.grad_reducer import DataParallelStep
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

    Args:
        loss_scale_value: the first scale (see :func:`~minispore.common.validation.check_loss_scale`).
        scale_factor: the factor, a finite number ``> 0``.
        scale_window: clean steps before growing, a positive int.

    Raises:
        TypeError: an argument is not a number (``scale_window``: not an int).
        ValueError: an argument is out of range (MindSpore accepts these and fails later
            with a ``ZeroDivisionError``, or grows the scale every step for ``scale_window=0``).

    Example:
        >>> from minispore import nn
        >>> cell = nn.DynamicLossScaleUpdateCell(1024.0, 2, 1000)
        >>> cell(True); cell.get_loss_scale()
        True
        512.0
    """

    def __init__(self, loss_scale_value: float, scale_factor: float, scale_window: int) -> None:
        super().__init__()
        op = "DynamicLossScaleUpdateCell"
        self.loss_scale = check_loss_scale(op, "loss_scale_value", loss_scale_value)
        self.scale_factor = check_loss_scale(op, "scale_factor", scale_factor)
        self.scale_window = check_positive_int(op, "scale_window", scale_window)
        self.cur_iter = 1
        self.last_overflow_iter = 0

    def get_loss_scale(self) -> float:
        """The current loss scale."""
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
        self.loss_scale = check_loss_scale("FixedLossScaleUpdateCell", "loss_scale_value", loss_scale_value)

    def get_loss_scale(self) -> float:
        """The loss scale, which never changes."""
        return self.loss_scale

    def construct(self, overflow: bool) -> bool:
        return overflow


class TrainOneStepWithLossScaleCell(Cell):
    """A training step with loss scaling: scale, differentiate, unscale, check, update.

    The loss is differentiated with sensitivity ``scale``; the gradients are divided by
    ``scale`` before the optimizer sees them; if any is inf or NaN the optimizer is not
    called, so parameters, moments and ``global_step`` stay as they were. The update
    cell then adjusts the scale.

    In ``DATA_PARALLEL`` mode the unscaled gradients are reduced across ranks first
    (``self.grad_reducer``), and the overflow flag is ORed over the ranks, so every rank
    skips the same steps (MindSpore's order).

    Args:
        network: a Cell returning the loss.
        optimizer: the optimizer (its own ``loss_scale`` should stay 1.0).
        scale_sense: a :class:`DynamicLossScaleUpdateCell`, a
            :class:`FixedLossScaleUpdateCell`, or a fixed scale: a number or a
            one-element Tensor (MindSpore takes a Tensor only).

    Calling the cell runs one step and returns ``(loss, overflow, scale)``, as MindSpore's
    cell does.

    Raises:
        TypeError: ``scale_sense`` is of another type.
        ValueError: a fixed scale is not usable (see :func:`~minispore.common.validation.check_loss_scale`): 0, NaN
            and inf would make every step overflow, or divide by zero.
    """

    def __init__(self, network: Cell, optimizer: Optimizer, scale_sense: Cell | float | Tensor) -> None:
        super().__init__(auto_prefix=False)
        self.network = network
        self.optimizer = optimizer
        self.weights = optimizer.parameters
        if isinstance(scale_sense, DynamicLossScaleUpdateCell | FixedLossScaleUpdateCell):
            self.scale_sense: DynamicLossScaleUpdateCell | FixedLossScaleUpdateCell = scale_sense
        elif isinstance(scale_sense, int | float | Tensor):
            if isinstance(scale_sense, Tensor) and scale_sense.size != 1:
                raise ValueError(
                    "For 'TrainOneStepWithLossScaleCell', a Tensor 'scale_sense' must hold one element, but got "
                    f"shape {scale_sense.shape}."
                )
            value = scale_sense.item() if isinstance(scale_sense, Tensor) else scale_sense
            scale = check_loss_scale("TrainOneStepWithLossScaleCell", "scale_sense", value)
            self.scale_sense = FixedLossScaleUpdateCell(scale)
        else:
            raise TypeError(
                "For 'TrainOneStepWithLossScaleCell', 'scale_sense' must be a DynamicLossScaleUpdateCell, "
                f"a FixedLossScaleUpdateCell or a number, but got {type(scale_sense).__name__}."
            )
        self._grad_fn = value_and_grad(network, None, self.weights, sens_param=True)
        self._parallel = DataParallelStep(network, self.weights)
        self.grad_reducer = self._parallel.reducer

    def construct(self, *inputs: Any) -> tuple[Tensor, bool, float]:
        self._parallel.before_step()
        scale = self.scale_sense.get_loss_scale()
        # Overflow is expected here (it is what the scale probes for): no NumPy warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            loss, grads = self._grad_fn(*inputs, scale)
            unscaled = self._parallel.reduce(tuple(m.mul(g, np.float32(1.0 / scale).item()) for g in grads))
            overflow = self._parallel.any_rank(gradients_overflow(unscaled))
        self.scale_sense(overflow)
        if not overflow:
            self.optimizer(unscaled)
        return loss, overflow, scale
