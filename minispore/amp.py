"""Loss-scale managers (MindSpore's ``mindspore.amp``), and the mixed-precision API it
re-exports: ``auto_mixed_precision``, ``custom_mixed_precision``, ``build_train_network``,
``get_white_list``/``get_black_list`` (:mod:`minispore.mixed_precision`) and the functional
``StaticLossScaler``/``DynamicLossScaler``/``all_finite`` (:mod:`minispore.loss_scaler`).

Unlike MindSpore's CPU build, which refuses ``DynamicLossScaleManager`` and
``FixedLossScaleManager(drop_overflow_update=True)``, minispore runs both on every
backend: an overflowing step is skipped with nothing changed.
"""

from __future__ import annotations

import numpy as np

from minispore.nn.wrap.loss_scale import DynamicLossScaleUpdateCell, FixedLossScaleUpdateCell

_FLOAT32_MAX = float(np.finfo(np.float32).max)  # the scale multiplies float32 gradients


class LossScaleManager:
    """Base class of the loss-scale managers."""

    def get_loss_scale(self) -> float:
        """The current loss scale ``s``: the loss is multiplied by ``s`` before the backward pass and the gradients divided by ``s`` before the update."""
        raise NotImplementedError

    def get_update_cell(self) -> DynamicLossScaleUpdateCell | FixedLossScaleUpdateCell | None:
        """The Cell that ``TrainOneStepWithLossScaleCell`` uses to skip overflowing steps and adjust the scale, or None."""
        raise NotImplementedError

    def update_loss_scale(self, overflow: bool) -> None:
        """Adjust the scale after a step; ``overflow`` says whether its gradients were not finite."""
        raise NotImplementedError


class FixedLossScaleManager(LossScaleManager):
    """A constant loss scale.

    Args:
        loss_scale: the scale, ``>= 1`` and finite in float32.
        drop_overflow_update: skip steps whose gradients overflow (then ``Model``
            unscales the gradients itself); with False the gradients reach the optimizer
            scaled, and the optimizer's ``loss_scale`` must equal ``loss_scale``.

    Raises:
        ValueError: ``loss_scale`` is below 1, NaN, or beyond float32's range.

    Example:
        >>> from minispore.amp import FixedLossScaleManager
        >>> FixedLossScaleManager(128.0, drop_overflow_update=False).get_update_cell() is None
        True
    """

    def __init__(self, loss_scale: float = 128.0, drop_overflow_update: bool = True) -> None:
        if isinstance(loss_scale, bool) or not isinstance(loss_scale, int | float):
            raise TypeError(
                f"For 'FixedLossScaleManager', 'loss_scale' must be a float, but got {type(loss_scale).__name__}."
            )
        if not 1 <= loss_scale <= _FLOAT32_MAX:
            raise ValueError(
                f"For 'FixedLossScaleManager', 'loss_scale' must be a finite number >= 1 (float32: at most "
                f"{_FLOAT32_MAX:.4g}), but got {loss_scale}."
            )
        if not isinstance(drop_overflow_update, bool):
            raise TypeError(
                f"For 'FixedLossScaleManager', 'drop_overflow_update' must be a bool, but got "
                f"{type(drop_overflow_update).__name__}."
            )
        self._loss_scale = float(loss_scale)
        self._drop_overflow_update = drop_overflow_update

    def get_loss_scale(self) -> float:
        return self._loss_scale

    def get_drop_overflow_update(self) -> bool:
        """Whether a step whose gradients overflow is skipped (nothing is updated)."""
        return self._drop_overflow_update

    def update_loss_scale(self, overflow: bool) -> None:
        """A fixed scale never changes."""

    def get_update_cell(self) -> FixedLossScaleUpdateCell | None:
        return FixedLossScaleUpdateCell(self._loss_scale) if self._drop_overflow_update else None


class DynamicLossScaleManager(LossScaleManager):
    """A scale that halves on overflow and grows after ``scale_window`` clean steps.

    Args:
        init_loss_scale: the first scale, ``>= 1`` and finite in float32.
        scale_factor: the factor to shrink and grow by, ``> 0`` and finite.
        scale_window: clean steps before growing, a positive int.

    :class:`~minispore.train.Model` calls :meth:`update_loss_scale` after every step, as
    MindSpore's does, so more than 1000 overflowing steps in a row raise RuntimeError.

    Raises:
        ValueError: an argument is out of range, NaN or infinite (MindSpore accepts an
            infinite ``init_loss_scale``, with which every step overflows and is skipped).

    Example:
        >>> from minispore.amp import DynamicLossScaleManager
        >>> m = DynamicLossScaleManager(1024, 2, 2)
        >>> m.update_loss_scale(True); m.get_loss_scale()
        512.0
    """

    bad_step_max = 1000

    def __init__(self, init_loss_scale: float = 2.0**24, scale_factor: float = 2, scale_window: int = 2000) -> None:
        if (
            isinstance(init_loss_scale, bool)
            or not isinstance(init_loss_scale, int | float)
            or not 1 <= init_loss_scale <= _FLOAT32_MAX
        ):
            raise ValueError(
                f"For 'DynamicLossScaleManager', 'init_loss_scale' must be a finite number >= 1 (float32: at most "
                f"{_FLOAT32_MAX:.4g}), but got {init_loss_scale!r}."
            )
        if (
            isinstance(scale_factor, bool)
            or not isinstance(scale_factor, int | float)
            or not 0 < scale_factor <= _FLOAT32_MAX
            or not 1 / scale_factor <= _FLOAT32_MAX
        ):
            raise ValueError(
                f"For 'DynamicLossScaleManager', 'scale_factor' must be a finite number > 0, but got {scale_factor!r}."
            )
        if isinstance(scale_window, bool) or not isinstance(scale_window, int) or scale_window <= 0:
            raise ValueError(
                f"For 'DynamicLossScaleManager', 'scale_window' must be a positive int, but got {scale_window!r}."
            )
        self.loss_scale = float(init_loss_scale)
        self.scale_factor = float(scale_factor)
        self.scale_window = scale_window
        self.increase_ratio = self.scale_factor
        self.decrease_ratio = 1.0 / self.scale_factor
        self.cur_iter = 1
        self.last_overflow_iter = 0
        self.bad_step = 0

    def get_loss_scale(self) -> float:
        return self.loss_scale

    def update_loss_scale(self, overflow: bool) -> None:
        """MindSpore's host-side rule.

        Raises:
            RuntimeError: more than 1000 overflows in a row.
        """
        if overflow:
            self.loss_scale = max(self.loss_scale * self.decrease_ratio, 1.0)
            self.last_overflow_iter = self.cur_iter
            self.bad_step += 1
        else:
            if (self.cur_iter - self.last_overflow_iter) % self.scale_window == 0:
                self.loss_scale *= self.increase_ratio
            self.bad_step = 0
        if self.bad_step > self.bad_step_max:
            raise RuntimeError(
                f"Dynamic loss scale: {self.bad_step} consecutive overflows; the gradients are not finite at any "
                "scale. Check the data and the learning rate."
            )
        self.cur_iter += 1

    def get_update_cell(self) -> DynamicLossScaleUpdateCell:
        return DynamicLossScaleUpdateCell(self.loss_scale, self.scale_factor, self.scale_window)


# The mixed-precision API, re-exported under MindSpore's names (after the managers, which it uses).
from minispore.loss_scaler import DynamicLossScaler, LossScaler, StaticLossScaler, all_finite  # noqa: E402
from minispore.mixed_precision import (  # noqa: E402
    auto_mixed_precision,
    build_train_network,
    custom_mixed_precision,
    get_black_list,
    get_white_list,
)

__all__ = [
    "DynamicLossScaleManager",
    "DynamicLossScaler",
    "FixedLossScaleManager",
    "LossScaleManager",
    "LossScaler",
    "StaticLossScaler",
    "all_finite",
    "auto_mixed_precision",
    "build_train_network",
    "custom_mixed_precision",
    "get_black_list",
    "get_white_list",
]
