"""Learning-rate schedules: Cells called with ``global_step`` that return the rate.

The built-in schedules evaluate MindSpore's float32 graph on the host with NumPy: every
constant is rounded to float32 once, each ``+ - * /`` is a float32 operation in MindSpore's
order, and ``pow``/``sin`` are evaluated in double precision and rounded once (a correctly
rounded float32 result). That reproduces every value recorded from MindSpore 2.10 on CPU bit
for bit, where NumPy's own float32 ``pow``/``sin`` are off by up to 1 ulp. The optimizer
calls a schedule every step, so a few host scalar operations beat launching device kernels.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minispore.common.tensor import Tensor
from minispore.common.validation import check_bool, check_positive_int
from minispore.nn.cell import Cell
from minispore.nn.dynamic_lr import _check_float, _check_min_below_max

__all__ = [
    "CosineDecayLR",
    "ExponentialDecayLR",
    "InverseDecayLR",
    "LearningRateSchedule",
    "NaturalExpDecayLR",
    "PolynomialDecayLR",
    "WarmUpLR",
]

_HostArray = np.ndarray[Any, np.dtype[Any]]
_F32 = np.float32


class LearningRateSchedule(Cell):
    """Base class of schedules: ``construct(global_step)`` returns the float32 rate.

    ``global_step`` is the optimizer's ``(1,)`` int32 step counter, read before it is
    incremented, so the first call sees 0. The rate has the shape of ``global_step``, as in
    MindSpore (whose docs say ``()``, but a ``(1,)`` step gives a ``(1,)`` rate); an optimizer
    reshapes it.

    Unlike MindSpore 2.10, minispore also exports this class as ``nn.LearningRateSchedule``
    (MindSpore only has ``mindspore.nn.learning_rate_schedule.LearningRateSchedule``); both
    import paths work here.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> class Halving(nn.LearningRateSchedule):
        ...     def construct(self, global_step):
        ...         return 0.1 * 0.5 ** global_step.astype(ms.float32)
        >>> Halving()(ms.Tensor([2], ms.int32)).asnumpy()
        array([0.025], dtype=float32)
    """

    def construct(self, global_step: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define construct(global_step).")


def _host_steps(owner: str, global_step: Tensor | int) -> _HostArray:
    """``global_step`` as a host array: integer steps as int64, float steps unchanged."""
    if isinstance(global_step, Tensor):
        steps = global_step.asnumpy()
    elif isinstance(global_step, int | np.integer) and not isinstance(global_step, bool):
        steps = np.asarray(global_step)
    else:
        raise TypeError(
            f"For '{owner}', 'global_step' must be an int32 Tensor such as Tensor([0], ms.int32) or an int, "
            f"but got {type(global_step).__name__} {global_step!r}."
        )
    if steps.dtype.kind in "iu":
        return steps.astype(np.int64)
    if steps.dtype.kind == "f":
        return steps
    raise TypeError(f"For '{owner}', 'global_step' must hold integers, but got a Tensor of {steps.dtype}.")


def _pow(base: _HostArray, exponent: _HostArray | np.float32) -> _HostArray:
    """float32 ``base ** exponent``, correctly rounded (double precision, rounded once)."""
    return np.asarray(np.power(np.asarray(base, dtype=np.float64), np.asarray(exponent, dtype=np.float64)), dtype=_F32)


class _HostSchedule(LearningRateSchedule):
    """A built-in schedule: ``construct`` evaluates :meth:`_rate` on the host."""

    def construct(self, global_step: Tensor | int) -> Tensor:
        return Tensor(self._rate(_host_steps(type(self).__name__, global_step)))

    def _rate(self, steps: _HostArray) -> _HostArray:
        """The float32 rate at each step of ``steps`` (int64, or float as given), as an array."""
        raise NotImplementedError


class _DecaySchedule(_HostSchedule):
    """Shared arguments and checks of the exponential, natural-exponential and inverse decays."""

    def __init__(self, learning_rate: float, decay_rate: float, decay_steps: int, is_stair: bool = False) -> None:
        super().__init__()
        owner = type(self).__name__
        self.decay_steps = check_positive_int(owner, "decay_steps", decay_steps, numpy_ints=False)
        self.learning_rate = _check_float(owner, "learning_rate", learning_rate, "positive")
        self.decay_rate = _check_float(owner, "decay_rate", decay_rate, "positive")
        self.is_stair = check_bool(owner, "is_stair", is_stair)


class ExponentialDecayLR(_DecaySchedule):
    r"""Exponential decay: ``learning_rate * decay_rate ** p``.

    .. math::
        \text{lr}(s) = \text{learning\_rate} \cdot \text{decay\_rate}^{p},
        \quad p = s / \text{decay\_steps} \ (\text{floored if is\_stair})

    In float32: ``p = f32(s) / f32(decay_steps)``, then ``f32(lr) * pow(f32(rate), p)``.

    Args:
        learning_rate: the rate at step 0, a positive float (an int is a TypeError).
        decay_rate: the factor per ``decay_steps`` steps, a positive float.
        decay_steps: steps per factor of ``decay_rate``, a positive int.
        is_stair: decay in whole steps of ``decay_steps``.

    Raises:
        TypeError: a rate is not a float, ``decay_steps`` is not an int, or ``is_stair`` is
            not a bool.
        ValueError: a rate or ``decay_steps`` is ``<= 0``, or a rate is not finite.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.ExponentialDecayLR(0.1, 0.9, 4, is_stair=True)(ms.Tensor([4], ms.int32)).asnumpy()
        array([0.09], dtype=float32)
    """

    def _rate(self, steps: _HostArray) -> _HostArray:
        p = steps.astype(_F32) / _F32(self.decay_steps)
        if self.is_stair:
            p = np.floor(p)
        return np.asarray(_F32(self.learning_rate) * _pow(_F32(self.decay_rate), p), dtype=_F32)


class NaturalExpDecayLR(_DecaySchedule):
    r"""Natural-exponential decay: ``learning_rate * e ** (-decay_rate * p)``.

    .. math::
        \text{lr}(s) = \text{learning\_rate} \cdot e^{-\text{decay\_rate} \cdot p}

    with ``p = s``, or ``floor(s / decay_steps) * decay_steps`` when ``is_stair`` (MindSpore's
    code; its docstring's ``p = s / decay_steps`` is not what it computes). Without
    ``is_stair``, ``decay_steps`` is only validated. In float32:
    ``f32(lr) * pow(f32(e), f32(-rate) * p)``.

    Args:
        learning_rate: the rate at step 0, a positive float (an int is a TypeError).
        decay_rate: the exponent per step, a positive float.
        decay_steps: the stair width, a positive int.
        is_stair: decay in whole steps of ``decay_steps``.

    Raises:
        TypeError: a rate is not a float, ``decay_steps`` is not an int, or ``is_stair`` is
            not a bool.
        ValueError: a rate or ``decay_steps`` is ``<= 0``, or a rate is not finite.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.NaturalExpDecayLR(0.1, 0.9, 4, is_stair=True)(ms.Tensor([3], ms.int32)).asnumpy()
        array([0.1], dtype=float32)
    """

    def _rate(self, steps: _HostArray) -> _HostArray:
        p = steps.astype(_F32)
        if self.is_stair:
            width = _F32(self.decay_steps)
            p = np.floor(p / width) * width
        return np.asarray(_F32(self.learning_rate) * _pow(_F32(math.e), _F32(-self.decay_rate) * p), dtype=_F32)


class InverseDecayLR(_DecaySchedule):
    r"""Inverse-time decay: ``learning_rate / (1 + decay_rate * p)``.

    .. math::
        \text{lr}(s) = \frac{\text{learning\_rate}}{1 + \text{decay\_rate} \cdot p},
        \quad p = s / \text{decay\_steps} \ (\text{floored if is\_stair})

    Every operation is a float32 operation in this order.

    Args:
        learning_rate: the rate at step 0, a positive float (an int is a TypeError).
        decay_rate: the slope of the denominator, a positive float.
        decay_steps: steps per unit of ``p``, a positive int.
        is_stair: decay in whole steps of ``decay_steps``.

    Raises:
        TypeError: a rate is not a float, ``decay_steps`` is not an int, or ``is_stair`` is
            not a bool.
        ValueError: a rate or ``decay_steps`` is ``<= 0``, or a rate is not finite.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.InverseDecayLR(0.1, 1.0, 4)(ms.Tensor([4], ms.int32)).asnumpy()
        array([0.05], dtype=float32)
    """

    def _rate(self, steps: _HostArray) -> _HostArray:
        p = steps.astype(_F32) / _F32(self.decay_steps)
        if self.is_stair:
            p = np.floor(p)
        return np.asarray(_F32(self.learning_rate) / (_F32(1.0) + _F32(self.decay_rate) * p), dtype=_F32)


class CosineDecayLR(_HostSchedule):
    r"""Cosine decay from ``max_lr`` to ``min_lr`` over ``decay_steps``, then ``min_lr``.

    .. math::
        \text{lr}(s) = \text{min\_lr} + \tfrac12(\text{max\_lr} - \text{min\_lr})
            \left(1 + \cos\frac{\pi \min(s, D)}{D}\right)

    MindSpore (and minispore, for equal float32 values) computes the cosine as
    ``sin(pi * (p / D + 0.5))`` with ``p = f32(min(s, D))`` and ``delta = f32(0.5 * (max_lr - min_lr))``:
    ``f32(min_lr) + delta * (1 + sin(f32(pi) * (p / f32(D) + 0.5)))``.

    Args:
        min_lr: the final rate, a float ``>= 0``.
        max_lr: the rate at step 0, a float ``> min_lr``.
        decay_steps: ``D``, the steps to reach ``min_lr``, a positive int.

    Raises:
        TypeError: a rate is not a float or ``decay_steps`` is not an int.
        ValueError: ``min_lr < 0``, ``max_lr <= 0``, ``max_lr <= min_lr``, ``decay_steps <= 0``,
            or a rate is not finite.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.CosineDecayLR(0.01, 0.1, 4)(ms.Tensor([2], ms.int32)).asnumpy()
        array([0.055], dtype=float32)
    """

    def __init__(self, min_lr: float, max_lr: float, decay_steps: int) -> None:
        super().__init__()
        owner = type(self).__name__
        self.min_lr = _check_float(owner, "min_lr", min_lr, "non-negative")
        self.max_lr = _check_float(owner, "max_lr", max_lr, "positive")
        self.decay_steps = check_positive_int(owner, "decay_steps", decay_steps, numpy_ints=False)
        _check_min_below_max(owner, min_lr, max_lr)
        self.delta = 0.5 * (max_lr - min_lr)

    def _rate(self, steps: _HostArray) -> _HostArray:
        p = np.minimum(steps, self.decay_steps).astype(_F32)
        angle = _F32(math.pi) * (p / _F32(self.decay_steps) + _F32(0.5))
        cosine = np.sin(np.asarray(angle, dtype=np.float64)).astype(_F32)
        return np.asarray(_F32(self.min_lr) + _F32(self.delta) * (_F32(1.0) + cosine), dtype=_F32)


class PolynomialDecayLR(_HostSchedule):
    r"""Polynomial decay from ``learning_rate`` to ``end_learning_rate``.

    .. math::
        \text{lr}(s) = (\text{learning\_rate} - \text{end\_learning\_rate})
            (1 - s' / D')^{\text{power}} + \text{end\_learning\_rate}

    with ``s' = min(s, D)`` and ``D' = D``; if ``update_decay_steps``, ``s' = s`` and
    ``D' = D * max(ceil(s / D), 1)``, so the decay restarts after every ``D`` steps. In float32:
    ``f32(learning_rate - end_learning_rate) * pow(1 - s' / D', f32(power)) + f32(end_learning_rate)``.

    Args:
        learning_rate: the rate at step 0, a positive float.
        end_learning_rate: the final rate, a float ``>= 0``.
        decay_steps: ``D``, the steps to reach ``end_learning_rate``, a positive int.
        power: the exponent, a positive float.
        update_decay_steps: restart the decay every ``decay_steps`` steps.

    Raises:
        TypeError: a rate or ``power`` is not a float, ``decay_steps`` is not an int, or
            ``update_decay_steps`` is not a bool.
        ValueError: ``learning_rate <= 0``, ``end_learning_rate < 0``, ``decay_steps <= 0``,
            ``power <= 0``, or a float is not finite.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.PolynomialDecayLR(0.1, 0.01, 4, power=1.0)(ms.Tensor([2], ms.int32)).asnumpy()
        array([0.055], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: float,
        end_learning_rate: float,
        decay_steps: int,
        power: float,
        update_decay_steps: bool = False,
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        self.start_learning_rate = _check_float(owner, "learning_rate", learning_rate, "positive")
        self.end_learning_rate = _check_float(owner, "end_learning_rate", end_learning_rate, "non-negative")
        self.decay_steps = check_positive_int(owner, "decay_steps", decay_steps, numpy_ints=False)
        self.update_decay_steps = check_bool(owner, "update_decay_steps", update_decay_steps)
        self.power = _check_float(owner, "power", power, "positive")
        self.diff_learning_rate = learning_rate - end_learning_rate

    def _rate(self, steps: _HostArray) -> _HostArray:
        step = steps.astype(_F32)
        decay_steps = _F32(self.decay_steps)
        if self.update_decay_steps:
            span = decay_steps * np.maximum(np.ceil(step / decay_steps), _F32(1.0))
        else:
            step, span = np.minimum(step, decay_steps), decay_steps
        remaining = _F32(1.0) - step / span
        rate = _F32(self.diff_learning_rate) * _pow(remaining, _F32(self.power)) + _F32(self.end_learning_rate)
        return np.asarray(rate, dtype=_F32)


class WarmUpLR(_HostSchedule):
    r"""Linear warm-up to ``learning_rate`` over ``warmup_steps``, then constant.

    .. math::
        \text{lr}(s) = \text{learning\_rate} \cdot \min(s, W) / W

    In float32: ``f32(learning_rate) * (f32(min(s, W)) / f32(W))``. The rate is 0 at step 0,
    so the optimizer's first update does nothing, as in MindSpore.

    Args:
        learning_rate: the final rate, a float ``>= 0``.
        warmup_steps: ``W``, the steps to reach ``learning_rate``, a positive int.

    Raises:
        TypeError: ``learning_rate`` is not a float or ``warmup_steps`` is not an int.
        ValueError: ``learning_rate < 0`` or not finite, or ``warmup_steps <= 0``.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.WarmUpLR(0.1, 2)(ms.Tensor([1], ms.int32)).asnumpy()
        array([0.05], dtype=float32)
    """

    def __init__(self, learning_rate: float, warmup_steps: int) -> None:
        super().__init__()
        owner = type(self).__name__
        self.learning_rate = _check_float(owner, "learning_rate", learning_rate, "non-negative")
        self.warmup_steps = check_positive_int(owner, "warmup_steps", warmup_steps, numpy_ints=False)

    def _rate(self, steps: _HostArray) -> _HostArray:
        fraction = np.minimum(steps, self.warmup_steps).astype(_F32) / _F32(self.warmup_steps)
        return np.asarray(_F32(self.learning_rate) * fraction, dtype=_F32)
