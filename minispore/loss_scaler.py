"""MindSpore's functional loss scaling (``mindspore.amp``): ``StaticLossScaler``,
``DynamicLossScaler`` and ``all_finite``, for training loops written with ``value_and_grad``.

A typical step::

    loss, grads = grad_fn(x, y)               # forward returns scaler.scale(loss)
    loss, grads = scaler.unscale(loss), scaler.unscale(grads)
    finite = ms.amp.all_finite(grads)
    scaler.adjust(finite)
    if finite:
        optimizer(grads)
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np

from minispore.common import dtype as mstype
from minispore.common.parameter import Parameter
from minispore.common.tensor import Tensor
from minispore.nn.wrap.loss_scale import gradients_overflow
from minispore.ops import math as m


def all_finite(inputs: Sequence[Tensor]) -> Tensor:
    """A scalar bool Tensor: True when no element of any tensor in ``inputs`` is inf or NaN.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> bool(ms.amp.all_finite((ms.Tensor([1.0]), ms.Tensor([np.inf]))))
        False
    """
    return Tensor(not gradients_overflow(tuple(inputs)))


def _scale_value(op: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"For '{op}', 'scale_value' must be a float or an int, but got {type(value).__name__}.")
    if value < 1.0:
        raise ValueError(f"The argument 'scale_value' must be > 1, but got {value}")
    return float(value)


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"The '{name}' must be int, but got '{type(value).__name__}'")
    if value <= 0:
        raise ValueError(f"The '{name}' must be a positive int, but got {value}.")
    return value


def _times(inputs: Any, factor: Tensor) -> Any:
    """``inputs * factor`` (a tensor or a tuple of them), ``factor`` cast to each input's dtype."""
    if isinstance(inputs, Tensor):
        return m.mul(inputs, factor.astype(inputs.dtype))
    return tuple(m.mul(t, factor.astype(t.dtype)) for t in inputs)


class LossScaler(ABC):
    """The interface of the functional loss scalers: ``scale``, ``unscale``, ``adjust``."""

    scale_value: Parameter

    def scale(self, inputs: Any) -> Any:
        """``inputs * scale_value``, for a Tensor or a tuple of Tensors, in each input's dtype."""
        return _times(inputs, self.scale_value)

    def unscale(self, inputs: Any) -> Any:
        """``inputs * (1 / scale_value)``, the reciprocal taken in float32 and cast to each input's dtype."""
        return _times(inputs, m.reciprocal(self.scale_value))

    @abstractmethod
    def adjust(self, grads_finite: Tensor) -> bool:
        """Update the scale after a step whose gradients were (not) finite."""


class StaticLossScaler(LossScaler):
    """A constant scale.

    Args:
        scale_value: the scale, ``>= 1``.

    Raises:
        TypeError: ``scale_value`` is not a number.
        ValueError: ``scale_value < 1``.

    Example:
        >>> import minispore as ms
        >>> ms.amp.StaticLossScaler(1024).scale(ms.Tensor(2.0)).item()
        2048.0
    """

    def __init__(self, scale_value: float) -> None:
        self.scale_value = Parameter(
            Tensor(_scale_value("StaticLossScaler", scale_value), mstype.float32), name="scale_value"
        )

    def adjust(self, grads_finite: Tensor) -> bool:
        """The scale is fixed: nothing changes; returns False."""
        return False


class DynamicLossScaler(LossScaler):
    """A scale that shrinks on overflow and grows after ``scale_window`` finite steps.

    After each step, with ``counter`` counting finite steps modulo ``scale_window``::

        finite and counter == scale_window - 1:  scale = scale * factor (if that is finite)
        not finite:                              scale = max(1, scale / factor)
        counter = (counter + 1) % scale_window if finite else 0

    Args:
        scale_value: the first scale, ``>= 1``.
        scale_factor: the factor, a positive int.
        scale_window: finite steps before growing, a positive int.

    Example:
        >>> import minispore as ms
        >>> s = ms.amp.DynamicLossScaler(1024, 2, 1000)
        >>> s.adjust(ms.Tensor(False)); s.scale_value.item()
        True
        512.0
    """

    def __init__(self, scale_value: float, scale_factor: int, scale_window: int) -> None:
        self.scale_value = Parameter(
            Tensor(_scale_value("DynamicLossScaler", scale_value), mstype.float32), name="scale_value"
        )
        self.scale_window = _positive_int("scale_window", scale_window)
        self.scale_factor = _positive_int("scale_factor", scale_factor)
        self.counter = Parameter(Tensor(0, mstype.int32), name="counter")

    def adjust(self, grads_finite: Tensor) -> bool:
        """Apply the rule above (float32 arithmetic, as MindSpore's); returns True."""
        finite = bool(grads_finite)
        scale, counter = np.float32(self.scale_value.item()), int(self.counter.item())
        if finite:
            grown = np.float32(scale * np.float32(self.scale_factor))
            if counter == self.scale_window - 1 and math.isfinite(grown):
                scale = grown
            counter = (counter + 1) % self.scale_window
        else:
            scale = max(np.float32(1.0), np.float32(scale / np.float32(self.scale_factor)))
            counter = 0
        self.scale_value.set_data(Tensor(scale, mstype.float32))
        self.counter.set_data(Tensor(counter, mstype.int32))
        return True
