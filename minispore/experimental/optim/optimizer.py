"""The base of ``mindspore.experimental.optim``: PyTorch-style parameter groups on minispore's fused updates.

``param_groups`` is a list of dicts (``params`` and every hyper-parameter, defaults filled
in); each group's learning rate is a float32 Parameter ``learning_rate_group_<i>`` (in
``optimizer.lrs`` and ``param_groups[i]["lr"]``) that schedulers overwrite in place. The
update itself runs through the same flat buffers and update rules as ``nn`` optimizers:
one fused call per group and dtype.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from minispore.common import dtype as mstype
from minispore.common.parameter import Parameter, ParameterTuple
from minispore.common.tensor import Tensor
from minispore.nn.cell import Cell
from minispore.nn.optim.flat_buffers import FlatGroups
from minispore.nn.optim.host_values import HostMirror, StepCounter
from minispore.nn.optim.optimizer import check_gradient
from minispore.nn.optim.rules import UpdateRule

F32 = np.float32


def check_hyper(prim: str, name: str, value: Any, low: float, high: float = math.inf, high_open: bool = True) -> float:
    """PyTorch's checks of a hyper-parameter: a real number in ``[low, high)`` (or ``[low, high]``).

    Raises:
        TypeError: not an int or float.
        ValueError: outside the range ("Invalid learning rate: -0.1").
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"For '{prim}', '{name}' must be a float, but got {type(value).__name__}.")
    inside = low <= value < high if high_open else low <= value <= high
    if not inside:
        raise ValueError(f"For '{prim}', invalid {name.replace('_', ' ')}: {value}")
    return float(value)


class Optimizer(Cell):
    """Base class of ``mindspore.experimental.optim`` optimizers.

    Args:
        params: an iterable of Parameters, or of dicts with ``params`` and any
            hyper-parameter of the optimizer (the others take ``defaults``).
        defaults: the optimizer's hyper-parameters (``lr`` first).

    Raises:
        ValueError: no parameters, or a parameter in two groups.
        TypeError: an element that is not a Parameter.
    """

    _prim = "Optimizer"

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        super().__init__(auto_prefix=False)
        self.defaults = defaults
        items = list(params)
        if not items:
            raise ValueError(f"For '{self._prim}', the optimizer got an empty parameter list.")
        groups = items if isinstance(items[0], dict) else [{"params": items}]
        self.param_groups: list[dict[str, Any]] = []
        seen: set[int] = set()
        lrs = []
        self._initial_lrs: list[float] = []
        for k, group in enumerate(groups):
            if not isinstance(group, dict) or "params" not in group:
                raise TypeError(f"For '{self._prim}', every group must be a dict with 'params', but got {group!r}.")
            members = [group["params"]] if isinstance(group["params"], Parameter) else list(group["params"])
            for p in members:
                if not isinstance(p, Parameter):
                    raise TypeError(f"For '{self._prim}', 'params' must hold Parameters, but got {type(p).__name__}.")
                if id(p) in seen:
                    raise ValueError(f"For '{self._prim}', the parameter '{p.name}' appears in more than one group.")
                seen.add(id(p))
            filled = {**defaults, **{key: value for key, value in group.items() if key != "params"}}
            self._initial_lrs.append(self._check_lr(filled["lr"]))
            lr = Parameter(Tensor(F32(self._initial_lrs[-1])), name=f"learning_rate_group_{k}")
            lrs.append(lr)
            self.param_groups.append({"params": members, **filled, "lr": lr})
        self.lrs = lrs  # a list, as in MindSpore: checkpoints of the optimizer leave the rates out
        self._lr_mirrors = [HostMirror(lr) for lr in lrs]
        self._parameters = ParameterTuple(p for g in self.param_groups for p in g["params"])
        self._states: tuple[ParameterTuple, ...] = ()
        self._flat = FlatGroups([], [], [], [], [])
        self._counter = StepCounter("state_step", shape=())

    def _check_lr(self, lr: Any) -> float:
        return check_hyper(self._prim, "learning_rate", lr, 0.0)

    @property
    def parameters(self) -> ParameterTuple:
        """Every group's parameters, in group order: the order the gradient tuple follows."""
        return self._parameters

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for k, group in enumerate(self.param_groups):
            if k:
                lines.append("")
            lines.append(f"Parameter Group {k}")
            for key in sorted(group):
                if key == "params":
                    continue
                value = group[key]
                text = str(F32(value.asnumpy().reshape(()))) if isinstance(value, Parameter) else repr(value)
                lines.append(f"    {key}: {text}")
        lines.append(")")
        return "\n".join(lines)

    __str__ = __repr__

    def _positions(self, k: int) -> range:
        """The positions of group ``k``'s parameters in :attr:`parameters`."""
        start = sum(len(g["params"]) for g in self.param_groups[:k])
        return range(start, start + len(self.param_groups[k]["params"]))

    def group_lr(self, k: int) -> float:
        """Group ``k``'s current learning rate (float32), read on the host."""
        return float(F32(self._lr_mirrors[k].first()))

    # states and the fused update -----------------------------------------------------
    def _make_states(self, *prefixes: str, inits: Sequence[str] = ()) -> tuple[ParameterTuple, ...]:
        """One buffer per parameter and prefix, named ``<prefix>.<param name>``."""
        inits = tuple(inits) or ("zeros",) * len(prefixes)
        self._states = tuple(self._parameters.clone(prefix=p, init=i) for p, i in zip(prefixes, inits))
        for prefix, states in zip(prefixes, self._states):
            setattr(self, prefix, states)
        self.state_step = self._counter.parameter  # registered after the states, as MindSpore orders it
        return self._states

    def _build_flat_groups(self, fused_states: int, decays: Callable[[dict[str, Any]], bool]) -> None:
        """The flat buffers over the first ``fused_states`` states; ``decays(group)`` says
        whether the rule's weight decay applies to a group."""
        index = [k for k, group in enumerate(self.param_groups) for _ in group["params"]]
        decay = [decays(self.param_groups[k]) for k in index]
        self._flat = FlatGroups(self._parameters, index, self._states[:fused_states], decay, [False] * len(index))

    def _check_gradients(self, gradients: Any) -> tuple[Tensor, ...]:
        if not isinstance(gradients, tuple | list) or len(gradients) != len(self._parameters):
            count = len(gradients) if isinstance(gradients, tuple | list) else type(gradients).__name__
            raise ValueError(
                f"For '{self._prim}', 'gradients' must be a tuple with one gradient per parameter "
                f"({len(self._parameters)}), but got {count}."
            )
        for p, g in zip(self._parameters, gradients):
            if not (isinstance(g, Tensor) and g.shape == p.shape and g.dtype == p.dtype and g.backend is p.backend):
                check_gradient(self._prim, p, g, (mstype.float16, mstype.float32))
        return tuple(gradients)

    def _update(
        self,
        rule: UpdateRule,
        options: Callable[[dict[str, Any]], frozenset[str]],
        grads: Sequence[Tensor],
        scalars: Callable[[int], tuple[float, ...]],
    ) -> tuple[bool, ...]:
        """Check, count the step, and run ``rule`` over every flat group."""
        self._flat.check_bound(self._prim)
        self._counter.advance(self._counter.value)
        self._flat.apply(rule, lambda k: options(self.param_groups[k]), scalars, grads)
        return (True,) * len(grads)
