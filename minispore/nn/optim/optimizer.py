"""``nn.Optimizer``: what every MindSpore optimizer shares.

It parses ``params`` (Parameters or group dicts), the learning rate in all its forms,
the weight decay and the loss scale, with MindSpore's checks and exception types, and
owns ``global_step``. Subclasses implement ``construct(gradients)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from minispore.common.parameter import Parameter, ParameterTuple
from minispore.common.tensor import Tensor
from minispore.nn.cell import Cell, CellList
from minispore.nn.optim._checks import as_float_at_least
from minispore.nn.optim.learning_rate import ConstantLR, LearningRate, RoundedConstantLR, parse_learning_rate
from minispore.nn.optim.param_groups import ParameterGroup, check_parameters, parse_groups
from minispore.nn.optim.weight_decay import default_decay_filter, parse_weight_decay


class Optimizer(Cell):
    """Base class of optimizers (MindSpore's ``nn.Optimizer``).

    Args:
        learning_rate: float/int (``>= 0``), a 0-d Tensor (fixed), a 1-D Tensor or any
            Iterable (one rate per step), or a ``LearningRateSchedule``.
        parameters: a list of Parameters, or of group dicts with keys ``params``,
            ``lr``, ``weight_decay``, ``grad_centralization`` (or a lone ``order_params``).
        weight_decay: float/int ``>= 0``, or a Cell mapping ``global_step`` to a decay.
        loss_scale: float ``> 0`` (an int is converted); gradients are multiplied by
            ``1 / loss_scale`` and the weight decay is stored as ``wd * loss_scale``.

    Attributes:
        decay_filter: decides, for ungrouped parameters, which ones are decayed
            (:func:`default_decay_filter`: names without ``beta`` or ``gamma``).
            Override it in a subclass to change the mask.
    """

    decay_filter: Callable[[Parameter], bool] = staticmethod(default_decay_filter)
    _prim = "Optimizer"

    def __init__(self, learning_rate: Any, parameters: Any, weight_decay: Any = 0.0, loss_scale: Any = 1.0) -> None:
        super().__init__(auto_prefix=False)
        items = check_parameters(parameters)
        self.loss_scale = as_float_at_least(loss_scale, "loss_scale", self._prim, 0.0, strict=True)
        self.global_step = Parameter(Tensor(np.zeros((1,), np.int32)), name="global_step")
        default_lr = parse_learning_rate(learning_rate, self._prim)
        self.is_group = isinstance(items[0], dict)
        if self.is_group:
            groups, ordered = parse_groups(items, learning_rate, default_lr, weight_decay, self.loss_scale, self._prim)
        else:
            wd = parse_weight_decay(weight_decay, self.loss_scale, self._prim)
            groups, ordered = [ParameterGroup(list(items), default_lr, wd, False, has_own_lr=False)], list(items)
        self._check_unique_names(ordered)
        self.groups = groups
        group_of = {id(p): g for g in groups for p in g.params}
        self._param_groups = [group_of[id(p)] for p in ordered]
        self._group_index = [next(k for k, g in enumerate(groups) if g is pg) for pg in self._param_groups]
        self.is_group_lr = any(g.has_own_lr for g in groups)
        self.dynamic_lr = any(g.lr.is_dynamic for g in groups) or default_lr.is_dynamic
        self.dynamic_weight_decay = any(g.weight_decay.is_dynamic for g in groups)
        self._default_lr = default_lr
        self.learning_rate = self._exposed_learning_rate()
        self._parameters = ParameterTuple(ordered)
        self.decay_flags = tuple(self._decays(p, g) for p, g in zip(ordered, self._param_groups))
        self.grad_centralization_flags = tuple(g.grad_centralization for g in self._param_groups)
        self.init_learning_rate = (
            learning_rate.asnumpy().tolist() if isinstance(learning_rate, Tensor) else learning_rate
        )

    def _decays(self, param: Parameter, group: ParameterGroup) -> bool:
        if not group.weight_decay.active:
            return False
        return True if self.is_group else self.decay_filter(param)

    def _check_unique_names(self, params: Sequence[Parameter]) -> None:
        seen: dict[str, Parameter] = {}
        for p in params:
            other = seen.get(p.name)
            if other is not None and other is not p:
                raise ValueError(
                    f"The value {p!r} , its name '{p.name}' already exists. Please set a unique name for the parameter."
                )
            seen[p.name] = p

    def _exposed_learning_rate(self) -> Any:
        if not self.is_group_lr:
            return self._default_lr.exposed
        names: dict[int, str] = {}
        for k, g in enumerate(self.groups):
            if isinstance(g.lr, ConstantLR) and id(g.lr.parameter) not in names:
                g.lr.parameter.name = f"learning_rate_group_{k}" if g.has_own_lr else "learning_rate"
                names[id(g.lr.parameter)] = g.lr.parameter.name
        exposed = [g.lr.exposed for g in self._param_groups_in_order()]
        if self.dynamic_lr:
            return CellList([e for e in exposed if isinstance(e, Cell)])
        return ParameterTuple(e for e in exposed if isinstance(e, Parameter))

    def _param_groups_in_order(self) -> list[ParameterGroup]:
        return [g for g in self.groups for _ in g.params]

    @property
    def parameters(self) -> ParameterTuple:
        """The optimized parameters, in the order the gradient tuple must follow."""
        return self._parameters

    # reading the schedule ------------------------------------------------------------
    def current_step(self) -> int:
        """``global_step`` as an int (the value before this call's increment)."""
        return int(self.global_step.asnumpy().reshape(-1)[0])

    def _lr_tensor(self, lr: LearningRate, step: int) -> Parameter | Tensor:
        if isinstance(lr, ConstantLR) and not isinstance(lr, RoundedConstantLR):
            return lr.parameter
        return Tensor(lr.value_at(step))

    def get_lr(self) -> Any:
        """The learning rate for the current step: a Parameter (fixed), a scalar Tensor
        (dynamic), or a tuple with one entry per parameter (grouped rates)."""
        step = self.current_step()
        if self.is_group_lr:
            return tuple(self._lr_tensor(g.lr, step) for g in self._param_groups)
        return self._lr_tensor(self._default_lr, step)

    def get_lr_parameter(self, param: Parameter | Sequence[Parameter]) -> Any:
        """The learning-rate Parameter (or schedule Cell) of one parameter or of a list."""
        index = {id(p): i for i, p in enumerate(self._parameters)}

        def one(p: Parameter) -> Any:
            if id(p) not in index:
                raise ValueError(
                    f"For 'get_lr_parameter', the parameter '{p.name}' is not optimized by this optimizer."
                )
            return self._param_groups[index[id(p)]].lr.exposed

        if isinstance(param, Parameter):
            return one(param)
        return [one(p) for p in param]

    def get_weight_decay(self) -> Any:
        """The weight decay for the current step (already multiplied by ``loss_scale``)."""
        step = self.current_step()
        if self.is_group:
            return tuple(Tensor(g.weight_decay.value_at(step)) for g in self._param_groups)
        return Tensor(self.groups[0].weight_decay.value_at(step))

    def _increment_step(self, step: int) -> None:
        counter = self.global_step
        counter._rebind(counter.backend.from_numpy(np.array([step + 1], dtype=np.int32)), counter.backend)
