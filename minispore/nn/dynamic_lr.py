"""Learning-rate lists (MindSpore's ``mindspore.nn.dynamic_lr``): one Python float per step.

Each function returns ``total_step`` floats computed in double precision, in the same
operation order as MindSpore, for an optimizer to index by ``global_step``. Step ``i``
belongs to epoch ``e = floor(i / step_per_epoch)``.

The argument checks here are shared with :mod:`minispore.nn.learning_rate_schedule` and
raise MindSpore's exception types: TypeError for a wrong type (an ``int`` where a float is
expected, a ``bool`` where an int is expected), ValueError for a value out of range.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from minispore.common.validation import check_bool, check_positive_int

__all__ = [
    "cosine_decay_lr",
    "exponential_decay_lr",
    "inverse_decay_lr",
    "natural_exp_decay_lr",
    "piecewise_constant_lr",
    "polynomial_decay_lr",
    "warmup_lr",
]

FloatBound = Literal["finite", "positive", "non-negative"]


def _got(value: object) -> str:
    return f"{type(value).__name__} {value!r}"


def _check_float(owner: str, name: str, value: object, bound: FloatBound) -> float:
    """``value`` as a finite Python float within ``bound``; an int is a TypeError, as in MindSpore."""
    example = "0.0" if bound == "non-negative" else "0.1"
    wanted = f"For '{owner}', '{name}' must be a {bound} float such as {example}"
    if not isinstance(value, float):
        fix = f" Write {float(value)!r} instead." if isinstance(value, int) and not isinstance(value, bool) else ""
        raise TypeError(f"{wanted}, but got {_got(value)}.{fix}")
    in_range = {"finite": True, "positive": value > 0.0, "non-negative": value >= 0.0}[bound]
    if not math.isfinite(value) or not in_range:
        raise ValueError(f"{wanted}, but got {value!r}.")
    return value


def _check_min_below_max(owner: str, min_lr: float, max_lr: float) -> None:
    if min_lr >= max_lr:
        raise ValueError(
            f"For '{owner}', 'max_lr' must be greater than 'min_lr', but got max_lr={max_lr!r} and "
            f"min_lr={min_lr!r}. Pass the larger rate as 'max_lr'."
        )


def _epochs(owner: str, total_step: object, step_per_epoch: object) -> list[int]:
    """The epoch ``floor(i / step_per_epoch)`` of each step ``i`` in ``range(total_step)``."""
    total = check_positive_int(owner, "total_step", total_step, numpy_ints=False)
    per_epoch = check_positive_int(owner, "step_per_epoch", step_per_epoch, numpy_ints=False)
    return [i // per_epoch for i in range(total)]


def _check_decay(
    owner: str, learning_rate: object, decay_rate: object, decay_epoch: object, is_stair: object
) -> tuple[float, float, int]:
    decay_epoch = check_positive_int(owner, "decay_epoch", decay_epoch, numpy_ints=False)
    learning_rate = _check_float(owner, "learning_rate", learning_rate, "positive")
    decay_rate = _check_float(owner, "decay_rate", decay_rate, "positive")
    check_bool(owner, "is_stair", is_stair)
    return learning_rate, decay_rate, decay_epoch


def piecewise_constant_lr(milestone: Sequence[int], learning_rates: Sequence[float]) -> list[float]:
    r"""A step function: ``learning_rates[j]`` for steps ``milestone[j-1] <= i < milestone[j]``.

    .. math::
        y[i] = x_j \quad \text{for } M_{j-1} \le i < M_j, \quad M_{-1} = 0

    Args:
        milestone: positive ints that never decrease; the last one is the list's length. An
            equal neighbour gives an empty segment, as in MindSpore (only a decrease is rejected).
        learning_rates: one finite float per milestone.

    Returns:
        ``milestone[-1]`` floats.

    Raises:
        TypeError: ``milestone`` or ``learning_rates`` is not a list or tuple, a milestone is
            not an int, or a rate is not a float.
        ValueError: the lengths differ, a milestone is ``<= 0`` or smaller than the one
            before it, or a rate is not finite.

    Example:
        >>> from minispore import nn
        >>> nn.piecewise_constant_lr([2, 5], [0.1, 0.05])
        [0.1, 0.1, 0.05, 0.05, 0.05]
    """
    owner = "piecewise_constant_lr"
    for name, seq, example in (("milestone", milestone, "[2, 5, 10]"), ("learning_rates", learning_rates, "[0.1]")):
        if not isinstance(seq, list | tuple):
            raise TypeError(f"For '{owner}', '{name}' must be a list or tuple such as {example}, but got {_got(seq)}.")
    if len(milestone) != len(learning_rates):
        raise ValueError(
            f"For '{owner}', 'milestone' and 'learning_rates' must have the same length, but got "
            f"{len(milestone)} and {len(learning_rates)}. Give one learning rate per milestone."
        )
    lr: list[float] = []
    last = 0
    for i, (item, rate) in enumerate(zip(milestone, learning_rates)):
        item = check_positive_int(owner, f"milestone[{i}]", item, numpy_ints=False)
        rate = _check_float(owner, f"learning_rates[{i}]", rate, "finite")
        if item < last:
            raise ValueError(
                f"For '{owner}', 'milestone' must not decrease, but got milestone[{i}]={item} after "
                f"milestone[{i - 1}]={last}. Sort the milestones."
            )
        lr += [rate] * (item - last)
        last = item
    return lr


def exponential_decay_lr(
    learning_rate: float,
    decay_rate: float,
    total_step: int,
    step_per_epoch: int,
    decay_epoch: int,
    is_stair: bool = False,
) -> list[float]:
    r"""Exponential decay per epoch.

    .. math::
        y[i] = \text{learning\_rate} \cdot \text{decay\_rate}^{e / \text{decay\_epoch}}

    with ``e / decay_epoch`` floored when ``is_stair``.

    Args:
        learning_rate: the rate at epoch 0, a positive float.
        decay_rate: the factor per ``decay_epoch`` epochs, a positive float.
        total_step: the list's length, a positive int.
        step_per_epoch: steps per epoch, a positive int.
        decay_epoch: epochs per factor of ``decay_rate``, a positive int.
        is_stair: decay in whole steps of ``decay_epoch`` epochs.

    Returns:
        ``total_step`` floats.

    Raises:
        TypeError: a rate is not a float, a count is not an int, or ``is_stair`` is not a bool.
        ValueError: a rate or count is ``<= 0``, or a rate is not finite.

    Example:
        >>> from minispore import nn
        >>> nn.exponential_decay_lr(0.1, 0.9, total_step=4, step_per_epoch=2, decay_epoch=1)
        [0.1, 0.1, 0.09000000000000001, 0.09000000000000001]
    """
    owner = "exponential_decay_lr"
    epochs = _epochs(owner, total_step, step_per_epoch)
    learning_rate, decay_rate, decay_epoch = _check_decay(owner, learning_rate, decay_rate, decay_epoch, is_stair)
    if is_stair:
        return [learning_rate * decay_rate ** (e // decay_epoch) for e in epochs]
    return [learning_rate * decay_rate ** (e / decay_epoch) for e in epochs]


def natural_exp_decay_lr(
    learning_rate: float,
    decay_rate: float,
    total_step: int,
    step_per_epoch: int,
    decay_epoch: int,
    is_stair: bool = False,
) -> list[float]:
    r"""Natural-exponential decay per epoch.

    .. math::
        y[i] = \text{learning\_rate} \cdot e^{-\text{decay\_rate} \cdot e'}

    with ``e' = e``, or ``floor(e / decay_epoch) * decay_epoch`` when ``is_stair``
    (without ``is_stair``, ``decay_epoch`` is only validated).

    Args:
        learning_rate: the rate at epoch 0, a positive float.
        decay_rate: the exponent per epoch, a positive float.
        total_step: the list's length, a positive int.
        step_per_epoch: steps per epoch, a positive int.
        decay_epoch: the stair width in epochs, a positive int.
        is_stair: decay in whole steps of ``decay_epoch`` epochs.

    Returns:
        ``total_step`` floats.

    Raises:
        TypeError: a rate is not a float, a count is not an int, or ``is_stair`` is not a bool.
        ValueError: a rate or count is ``<= 0``, or a rate is not finite.

    Example:
        >>> from minispore import nn
        >>> nn.natural_exp_decay_lr(0.1, 0.9, total_step=6, step_per_epoch=2, decay_epoch=2, is_stair=True)
        [0.1, 0.1, 0.1, 0.1, 0.016529888822158657, 0.016529888822158657]
    """
    owner = "natural_exp_decay_lr"
    epochs = _epochs(owner, total_step, step_per_epoch)
    learning_rate, decay_rate, decay_epoch = _check_decay(owner, learning_rate, decay_rate, decay_epoch, is_stair)
    if is_stair:
        epochs = [e // decay_epoch * decay_epoch for e in epochs]
    return [learning_rate * math.e ** (-decay_rate * e) for e in epochs]


def inverse_decay_lr(
    learning_rate: float,
    decay_rate: float,
    total_step: int,
    step_per_epoch: int,
    decay_epoch: int,
    is_stair: bool = False,
) -> list[float]:
    r"""Inverse-time decay per epoch.

    .. math::
        y[i] = \frac{\text{learning\_rate}}{1 + \text{decay\_rate} \cdot e / \text{decay\_epoch}}

    with ``e / decay_epoch`` floored when ``is_stair``.

    Args:
        learning_rate: the rate at epoch 0, a positive float.
        decay_rate: the slope of the denominator, a positive float.
        total_step: the list's length, a positive int.
        step_per_epoch: steps per epoch, a positive int.
        decay_epoch: epochs per unit of the denominator, a positive int.
        is_stair: decay in whole steps of ``decay_epoch`` epochs.

    Returns:
        ``total_step`` floats.

    Raises:
        TypeError: a rate is not a float, a count is not an int, or ``is_stair`` is not a bool.
        ValueError: a rate or count is ``<= 0``, or a rate is not finite.

    Example:
        >>> from minispore import nn
        >>> nn.inverse_decay_lr(0.1, 0.5, total_step=3, step_per_epoch=1, decay_epoch=1)
        [0.1, 0.06666666666666667, 0.05]
    """
    owner = "inverse_decay_lr"
    epochs = _epochs(owner, total_step, step_per_epoch)
    learning_rate, decay_rate, decay_epoch = _check_decay(owner, learning_rate, decay_rate, decay_epoch, is_stair)
    if is_stair:
        return [learning_rate / (1 + decay_rate * (e // decay_epoch)) for e in epochs]
    return [learning_rate / (1 + decay_rate * e / decay_epoch) for e in epochs]


def cosine_decay_lr(
    min_lr: float, max_lr: float, total_step: int, step_per_epoch: int, decay_epoch: int
) -> list[float]:
    r"""Cosine decay from ``max_lr`` to ``min_lr`` over ``decay_epoch`` epochs, then ``min_lr``.

    .. math::
        y[i] = \text{min\_lr} + \tfrac12 (\text{max\_lr} - \text{min\_lr})
               \left(1 + \cos\frac{\pi \min(e, \text{decay\_epoch})}{\text{decay\_epoch}}\right)

    Args:
        min_lr: the final rate, a float ``>= 0``.
        max_lr: the rate at epoch 0, a float ``> min_lr``.
        total_step: the list's length, a positive int.
        step_per_epoch: steps per epoch, a positive int.
        decay_epoch: epochs to reach ``min_lr``, a positive int.

    Returns:
        ``total_step`` floats.

    Raises:
        TypeError: a rate is not a float or a count is not an int.
        ValueError: ``min_lr < 0``, ``max_lr <= 0``, ``max_lr <= min_lr``, a count is
            ``<= 0``, or a rate is not finite.

    Example:
        >>> from minispore import nn
        >>> nn.cosine_decay_lr(0.01, 0.1, total_step=6, step_per_epoch=2, decay_epoch=2)
        [0.1, 0.1, 0.05500000000000001, 0.05500000000000001, 0.01, 0.01]
    """
    owner = "cosine_decay_lr"
    min_lr = _check_float(owner, "min_lr", min_lr, "non-negative")
    max_lr = _check_float(owner, "max_lr", max_lr, "positive")
    epochs = _epochs(owner, total_step, step_per_epoch)
    decay_epoch = check_positive_int(owner, "decay_epoch", decay_epoch, numpy_ints=False)
    _check_min_below_max(owner, min_lr, max_lr)
    delta = 0.5 * (max_lr - min_lr)
    return [min_lr + delta * (1 + math.cos(math.pi * min(e, decay_epoch) / decay_epoch)) for e in epochs]


def polynomial_decay_lr(
    learning_rate: float,
    end_learning_rate: float,
    total_step: int,
    step_per_epoch: int,
    decay_epoch: int,
    power: float,
    update_decay_epoch: bool = False,
) -> list[float]:
    r"""Polynomial decay from ``learning_rate`` to ``end_learning_rate``.

    .. math::
        y[i] = (\text{learning\_rate} - \text{end\_learning\_rate})
               (1 - e' / D)^{\text{power}} + \text{end\_learning\_rate}

    with ``e' = min(e, decay_epoch)`` and ``D = decay_epoch``; if ``update_decay_epoch``,
    ``e' = e`` and ``D = decay_epoch * max(ceil(e / decay_epoch), 1)``, so the decay restarts
    after every ``decay_epoch`` epochs.

    Args:
        learning_rate: the rate at epoch 0, a positive float.
        end_learning_rate: the final rate, a float ``>= 0``.
        total_step: the list's length, a positive int.
        step_per_epoch: steps per epoch, a positive int.
        decay_epoch: epochs to reach ``end_learning_rate``, a positive int.
        power: the exponent, a positive float.
        update_decay_epoch: restart the decay every ``decay_epoch`` epochs.

    Returns:
        ``total_step`` floats.

    Raises:
        TypeError: a rate or ``power`` is not a float, a count is not an int, or
            ``update_decay_epoch`` is not a bool.
        ValueError: ``learning_rate <= 0``, ``end_learning_rate < 0``, ``power <= 0``, a count
            is ``<= 0``, or a float is not finite.

    Example:
        >>> from minispore import nn
        >>> nn.polynomial_decay_lr(0.1, 0.01, total_step=6, step_per_epoch=2, decay_epoch=2, power=0.5)
        [0.1, 0.1, 0.07363961030678928, 0.07363961030678928, 0.01, 0.01]
    """
    owner = "polynomial_decay_lr"
    learning_rate = _check_float(owner, "learning_rate", learning_rate, "positive")
    end_learning_rate = _check_float(owner, "end_learning_rate", end_learning_rate, "non-negative")
    power = _check_float(owner, "power", power, "positive")
    epochs = _epochs(owner, total_step, step_per_epoch)
    decay_epoch = check_positive_int(owner, "decay_epoch", decay_epoch, numpy_ints=False)
    check_bool(owner, "update_decay_epoch", update_decay_epoch)
    delta = learning_rate - end_learning_rate
    lr = []
    for e in epochs:
        if update_decay_epoch:
            span, reached = decay_epoch * max(math.ceil(e / decay_epoch), 1), e
        else:
            span, reached = decay_epoch, min(e, decay_epoch)
        lr.append(delta * (1 - reached / span) ** power + end_learning_rate)
    return lr


def warmup_lr(learning_rate: float, total_step: int, step_per_epoch: int, warmup_epoch: int) -> list[float]:
    r"""Linear warm-up to ``learning_rate`` over ``warmup_epoch`` epochs, then constant.

    .. math::
        y[i] = \text{learning\_rate} \cdot \min(e, \text{warmup\_epoch}) / \text{warmup\_epoch}

    The whole first epoch gets 0, as in MindSpore.

    Args:
        learning_rate: the final rate, a float ``>= 0``.
        total_step: the list's length, a positive int.
        step_per_epoch: steps per epoch, a positive int.
        warmup_epoch: epochs to reach ``learning_rate``, a positive int.

    Returns:
        ``total_step`` floats.

    Raises:
        TypeError: ``learning_rate`` is not a float or a count is not an int.
        ValueError: ``learning_rate < 0`` or not finite, or a count is ``<= 0``.

    Example:
        >>> from minispore import nn
        >>> nn.warmup_lr(0.1, total_step=6, step_per_epoch=2, warmup_epoch=2)
        [0.0, 0.0, 0.05, 0.05, 0.1, 0.1]
    """
    owner = "warmup_lr"
    learning_rate = _check_float(owner, "learning_rate", learning_rate, "non-negative")
    warmup_epoch = check_positive_int(owner, "warmup_epoch", warmup_epoch, numpy_ints=False)
    epochs = _epochs(owner, total_step, step_per_epoch)
    return [learning_rate * min(e, warmup_epoch) / warmup_epoch for e in epochs]
