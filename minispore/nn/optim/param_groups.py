"""Parsing ``params`` for an optimizer: a list of Parameters, or MindSpore's group dicts.

A group dict holds ``params`` and optionally ``lr``, ``weight_decay`` and
``grad_centralization``; a dict holding only ``order_params`` re-sorts the optimizer's
parameters. Missing keys fall back to the optimizer's own arguments.
"""

from __future__ import annotations

import collections.abc
from dataclasses import dataclass
from typing import Any

from minispore.common.parameter import Parameter
from minispore.nn.optim.learning_rate import ConstantLR, LearningRate, ListLR, RoundedConstantLR, parse_learning_rate
from minispore.nn.optim.weight_decay import WeightDecay, parse_weight_decay

GROUP_KEYS = ("params", "lr", "weight_decay", "grad_centralization", "order_params")


@dataclass(eq=False)
class ParameterGroup:
    """Parameters that share a learning rate, a weight decay and a centralization flag."""

    params: list[Parameter]
    lr: LearningRate
    weight_decay: WeightDecay
    grad_centralization: bool
    has_own_lr: bool


def check_parameters(params: Any) -> list[Any]:
    """MindSpore's first checks on ``params``; returns it as a list.

    Raises:
        ValueError: None or empty.
        TypeError: not Iterable, or elements that are not all Parameters or all dicts.
    """
    if params is None:
        raise ValueError("For 'Optimizer', the argument parameters can not be None. Pass net.trainable_params().")
    if not isinstance(params, collections.abc.Iterable):
        raise TypeError(
            f"For 'Optimizer', the argument 'parameters' must be Iterable type, but got {type(params).__name__}. "
            "Pass net.trainable_params()."
        )
    items = list(params)
    if not items:
        raise ValueError("For 'Optimizer', the argument 'parameters' must not be empty.")
    if not (all(isinstance(p, Parameter) for p in items) or all(isinstance(p, dict) for p in items)):
        kinds = sorted({type(p).__name__ for p in items})
        raise TypeError(
            "For 'Optimizer', all elements of the argument 'parameters' must be 'Parameter' or 'dict', "
            f"please check the 'parameters', but got {', '.join(kinds)}. A single Parameter must be wrapped in a list."
        )
    return items


def _group_params(group: dict[str, Any], seen: set[str]) -> list[Parameter]:
    if "params" not in group:
        raise KeyError(
            f"For 'Optimizer', every group dict needs the key 'params' (its Parameters), but got the keys "
            f"{sorted(group)}. Add 'params': [...] to the group."
        )
    raw = group["params"]
    if not isinstance(raw, collections.abc.Iterable):
        raise TypeError(f"For 'Optimizer', the group 'params' must be Iterable, but got {type(raw).__name__}.")
    params = list(raw)
    if not params:
        raise ValueError("For 'Optimizer', the argument group `params` must not be empty.")
    for p in params:
        if not isinstance(p, Parameter):
            raise TypeError(
                f"For 'Optimizer', the elements of a group's 'params' must be Parameter, but got {type(p).__name__}."
            )
        if p.name in seen:
            raise RuntimeError(
                f"For 'Optimizer', the {p.name} parameter already exists, it does not support repeated setting. "
                "Please check whether the optimizer parameter has been set multiple times."
            )
        seen.add(p.name)
    return params


def parse_groups(
    groups: list[dict[str, Any]],
    default_lr: LearningRate,
    default_weight_decay: Any,
    loss_scale: float,
    prim: str,
) -> tuple[list[ParameterGroup], list[Parameter], bool]:
    """Build the groups and the optimizer's parameter order (``order_params`` applied).

    Returns:
        The groups, the parameters in optimizer order, and whether ``order_params`` set it.

    Raises:
        KeyError: an unknown key, or a group without ``params``.
        ValueError / TypeError / RuntimeError: as MindSpore (spec §3).
    """
    order: list[Parameter] | None = None
    parsed: list[ParameterGroup] = []
    seen: set[str] = set()
    any_group_lr = any("lr" in g for g in groups if "order_params" not in g)
    for g in groups:
        unknown = [k for k in g if k not in GROUP_KEYS]
        if unknown:
            raise KeyError(f"The key in group params must be one of in {list(GROUP_KEYS)}, but got {unknown[0]!r}.")
        if "order_params" in g:
            if len(g) > 1:
                raise ValueError(
                    "For 'Optimizer', the order params dict in group parameters should only include the "
                    f"'order_params' key, but got {g.keys()}."
                )
            if not isinstance(g["order_params"], collections.abc.Iterable):
                raise TypeError(
                    f"For 'Optimizer', 'order_params' must be Iterable, but got {type(g['order_params']).__name__}."
                )
            order = list(g["order_params"])
            continue
        params = _group_params(g, seen)
        lr = parse_learning_rate(g["lr"], prim) if "lr" in g else default_lr
        wd = parse_weight_decay(g.get("weight_decay", default_weight_decay), loss_scale, prim)
        gc = g.get("grad_centralization", False)
        if not isinstance(gc, bool):
            raise TypeError(
                f"For 'Optimizer', the 'gradients_centralization' must be bool type, but got {type(gc)}. "
                "Pass True or False."
            )
        parsed.append(ParameterGroup(params, lr, wd, gc, has_own_lr="lr" in g))
    _check_dynamic_lengths(default_lr, parsed)
    if any_group_lr and (default_lr.is_dynamic or any(grp.lr.is_dynamic for grp in parsed)):
        _round_constants(parsed)
    flat = [p for grp in parsed for p in grp.params]
    if order is not None:
        flat = _apply_order(order, flat)
    return parsed, flat, order is not None


def _check_dynamic_lengths(default_lr: LearningRate, groups: list[ParameterGroup]) -> None:
    lengths = {lr.length for lr in [default_lr, *(g.lr for g in groups)] if isinstance(lr, ListLR)}
    if len(lengths) > 1:
        raise ValueError(
            "For 'Optimizer', the Tensor type dynamic learning rate in group must be the same size as the argument "
            f"'learning_rate', but got lengths {sorted(lengths)}."
        )


def _round_constants(groups: list[ParameterGroup]) -> None:
    for g in groups:
        if isinstance(g.lr, ConstantLR) and not isinstance(g.lr, RoundedConstantLR):
            g.lr = RoundedConstantLR.sharing(g.lr)


def _apply_order(order: list[Any], flat: list[Parameter]) -> list[Parameter]:
    if len(order) != len(flat):
        raise ValueError(
            "For 'Optimizer',the length of order parameters must be the same as the length of group parameters, "
            f"but got order parameters' length {len(order)}, group parameters' length {len(flat)}."
        )
    order_names = [getattr(p, "name", p) for p in order]
    grouped = {p.name for p in flat}
    for name in order_names:
        if name not in grouped or order_names.count(name) > 1:
            what = "twice" if name in grouped else "but no group holds it"
            # MindSpore raises list.index's ValueError ("'b' is not in list"); same type, clearer words.
            raise ValueError(
                f"For 'Optimizer', 'order_params' must list each grouped parameter once, but got {name!r} {what}. "
                f"The grouped parameters are {sorted(grouped)}."
            )
    positions = [order_names.index(p.name) for p in flat]
    return [p for _, p in sorted(zip(positions, flat), key=lambda item: item[0])]
