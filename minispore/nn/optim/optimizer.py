"""``nn.Optimizer``: what every MindSpore optimizer shares.

It parses ``params`` (Parameters or group dicts), the learning rate in all its forms,
the weight decay and the loss scale, with MindSpore's checks and exception types, and
owns ``global_step``. It also owns the fused update: per (group, dtype, device) one
:class:`~.flat_buffers.FlatGroup`, and :meth:`Optimizer._fused_update` that runs a
rule over all of them. Subclasses define their state buffers, their rule and
``construct(gradients)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from minispore.common import dtype as mstype
from minispore.common.parameter import Parameter, ParameterTuple
from minispore.common.tensor import Tensor
from minispore.common.validation import as_float_at_least
from minispore.nn.cell import Cell, CellList
from minispore.nn.optim.flat_buffers import FlatGroups
from minispore.nn.optim.host_values import StepCounter
from minispore.nn.optim.learning_rate import ConstantLR, LearningRate, ListLR, RoundedConstantLR, parse_learning_rate
from minispore.nn.optim.param_groups import ParameterGroup, check_parameters, parse_groups
from minispore.nn.optim.rules import UpdateRule
from minispore.nn.optim.weight_decay import FixedWeightDecay, WeightDecay, default_decay_filter, parse_weight_decay


class StepValues(NamedTuple):
    """The host values of one optimizer call, read before anything is written.

    Attributes:
        grads: the checked gradients, in ``optimizer.parameters`` order.
        lrs: each group's learning rate at this step (float32 values).
        wds: each group's weight decay times the loss scale (float32 values).
        grad_scale: ``float32(1 / loss_scale)``, or None without a loss scale.
        exact: every gradient has its parameter's shape, dtype and device (the fused path
            then hands the gradients to the backend as they are, with no per-gradient check).
    """

    grads: tuple[Tensor, ...]
    lrs: list[float]
    wds: list[float]
    grad_scale: float | None
    exact: bool = False


@dataclass(frozen=True)
class ParamRecord:
    """One optimized parameter: its group and the options that apply to it.

    Attributes:
        param: the Parameter.
        group: its :class:`~.param_groups.ParameterGroup` (learning rate, weight decay).
        group_index: the group's position in ``Optimizer.groups``.
        decay: whether weight decay applies to it.
        grad_centralization: whether its group enables gradient centralization.
    """

    param: Parameter
    group: ParameterGroup
    group_index: int
    decay: bool
    grad_centralization: bool


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
        fused: run the fused update (default); ``False`` runs the readable per-tensor
            reference update instead.
    """

    decay_filter: Callable[[Parameter], bool] = staticmethod(default_decay_filter)
    _prim = "Optimizer"
    _centralizes = True
    """Whether the gradient pre-pass centralizes (``AdamWeightDecay`` has no pre-pass)."""

    def __init__(self, learning_rate: Any, parameters: Any, weight_decay: Any = 0.0, loss_scale: Any = 1.0) -> None:
        super().__init__(auto_prefix=False)
        items = check_parameters(parameters)
        self.loss_scale = as_float_at_least(self._prim, "loss_scale", loss_scale, 0.0, strict=True)
        self._check_loss_scale_reciprocal(weight_decay)
        self._counter = StepCounter()
        self.global_step = self._counter.parameter
        default_lr = parse_learning_rate(learning_rate, self._prim)
        self.is_group = isinstance(items[0], dict)
        self.is_group_params_ordered = False
        if self.is_group:
            groups, ordered, self.is_group_params_ordered = parse_groups(
                items, default_lr, weight_decay, self.loss_scale, self._prim
            )
        else:
            wd = parse_weight_decay(weight_decay, self.loss_scale, self._prim)
            groups, ordered = [ParameterGroup(list(items), default_lr, wd, False, has_own_lr=False)], list(items)
        self._check_unique_names(ordered)
        self.groups = groups
        index_of = {id(p): k for k, g in enumerate(groups) for p in g.params}
        self._records = tuple(self._record(p, groups[index_of[id(p)]], index_of[id(p)]) for p in ordered)
        self.is_group_lr = any(g.has_own_lr for g in groups)
        self.dynamic_lr = any(g.lr.is_dynamic for g in groups) or default_lr.is_dynamic
        self.dynamic_weight_decay = any(g.weight_decay.is_dynamic for g in groups)
        self._default_lr = default_lr
        self.learning_rate = self._exposed_learning_rate()
        self._parameters = ParameterTuple(ordered)
        self.init_learning_rate = (
            learning_rate.asnumpy().tolist() if isinstance(learning_rate, Tensor) else learning_rate
        )
        self.fused = True
        self._gradient_signature: list[Any] | None = None
        self._states: tuple[ParameterTuple, ...] = ()
        self._flat = FlatGroups([], [], [], [], [])

    def _check_loss_scale_reciprocal(self, weight_decay: Any) -> None:
        """Reject loss scales whose float32 reciprocal, or product with the weight decay, is not finite."""
        with np.errstate(over="ignore", divide="ignore"):
            reciprocal = np.float32(1.0 / self.loss_scale)
            decay = weight_decay if isinstance(weight_decay, float | int) and not isinstance(weight_decay, bool) else 0
            scaled = np.float32(float(decay) * self.loss_scale)
        if not np.isfinite(reciprocal) or not np.isfinite(scaled):
            raise ValueError(
                f"For '{self._prim}', 'loss_scale' must keep 1/loss_scale and weight_decay*loss_scale finite "
                f"in float32, but got loss_scale={self.loss_scale!r} (weight_decay={weight_decay!r}). "
                "Use a loss scale between about 1e-30 and 1e30, such as 1024.0."
            )

    def _record(self, param: Parameter, group: ParameterGroup, index: int) -> ParamRecord:
        decays = group.weight_decay.active and (self.is_group or self.decay_filter(param))
        return ParamRecord(param, group, index, decays, group.grad_centralization)

    @property
    def decay_flags(self) -> tuple[bool, ...]:
        """Whether weight decay applies to each parameter, in ``parameters`` order."""
        return tuple(r.decay for r in self._records)

    @property
    def grad_centralization_flags(self) -> tuple[bool, ...]:
        """Whether each parameter's group enables gradient centralization."""
        return tuple(r.grad_centralization for r in self._records)

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
            rate = g.lr.parameter if isinstance(g.lr, ConstantLR) else None
            if isinstance(g.lr, ListLR):
                rate = g.lr.cell.learning_rate
            if rate is not None and id(rate) not in names:
                rate.name = f"learning_rate_group_{k}" if g.has_own_lr else "learning_rate"
                names[id(rate)] = rate.name
        exposed = [r.group.lr.exposed for r in self._records]  # aligned with optimizer.parameters
        if self.dynamic_lr:
            return CellList([e for e in exposed if isinstance(e, Cell)], auto_prefix=False)
        return ParameterTuple(e for e in exposed if isinstance(e, Parameter))

    @property
    def parameters(self) -> ParameterTuple:
        """The optimized parameters, in the order the gradient tuple must follow."""
        return self._parameters

    # state buffers and the fused update ----------------------------------------------
    def _make_states(self, *prefixes: str, inits: Sequence[str] = ()) -> tuple[ParameterTuple, ...]:
        """One buffer per parameter and prefix, named ``<prefix>.<param name>``, as MindSpore's ``clone``.

        ``inits`` gives each prefix's initializer (``"zeros"`` by default, ``"ones"``).
        """
        seen: set[int] = set()
        for p in self.parameters:
            if id(p) in seen:
                raise ValueError(
                    f"The value Parameter (name={prefixes[0]}.{p.name}, shape={p.shape}, dtype={p.dtype}, "
                    f"requires_grad={p.requires_grad}) , its name '{prefixes[0]}.{p.name}' already exists. "
                    "Each parameter may appear once in 'params'."
                )
            seen.add(id(p))
        inits = tuple(inits) or ("zeros",) * len(prefixes)
        self._states = tuple(self.parameters.clone(prefix=p, init=i) for p, i in zip(prefixes, inits))
        records = self._records
        self._flat = FlatGroups(
            [r.param for r in records],
            [r.group_index for r in records],
            self._states,
            [r.decay for r in records],
            [r.grad_centralization and self._centralizes for r in records],
        )
        return self._states

    def _check_states(self) -> None:
        """Every check of the state buffers, before anything is written.

        Raises:
            ValueError: a parameter or state changed shape after the optimizer was built,
                or a group now spans devices.
        """
        if self.fused:
            self._flat.check_bound(self._prim)
            return
        for states in self._states:
            for p, s in zip(self.parameters, states):
                if s.shape != p.shape:
                    raise ValueError(
                        f"For '{self._prim}', the shape of parameter '{p.name}' changed from {s.shape} to {p.shape} after the "
                        "optimizer was created; create the optimizer again."
                    )

    def _begin_step(self, gradients: Any, floats: tuple[mstype.DType, ...]) -> StepValues:
        """Every check of a call, then ``global_step += 1``; the call's host values.

        The gradients, the learning rates (a list rate past its end raises here) and the
        state buffers are all checked before anything is written.
        """
        grads, exact = self._check_gradients(gradients, floats)
        step = self.current_step()
        lrs = [float(g.lr.value_at(step)) for g in self.groups]
        wds = [float(g.weight_decay.value_at(step)) for g in self.groups]
        self._check_states()
        self._increment_step(step)
        return StepValues(grads, lrs, wds, self._grad_scale(), exact)

    def _fused_update(
        self,
        rule: UpdateRule,
        options: frozenset[str],
        values: StepValues,
        scalars: Callable[[int], tuple[float, ...]],
    ) -> tuple[bool, ...]:
        """Run ``rule`` over every flat group; ``scalars(group index)`` gives the rule's own
        host scalars (the weight decay and the loss-scale factor are appended here)."""
        if values.grad_scale is not None:
            options = options | {"scale"}
        gs = 1.0 if values.grad_scale is None else values.grad_scale
        self._flat.apply(
            rule, lambda g: options, lambda g: (*scalars(g), values.wds[g], gs), values.grads, values.exact
        )
        return (True,) * len(values.grads)

    # reading the schedule ------------------------------------------------------------
    def current_step(self) -> int:
        """``global_step`` as an int (the value before this call's increment), read on the host."""
        return self._counter.value

    def _increment_step(self, step: int) -> None:
        self._counter.advance(step)

    def _lr_tensor(self, lr: LearningRate, step: int) -> Parameter | Tensor:
        if isinstance(lr, ConstantLR) and not isinstance(lr, RoundedConstantLR):
            return lr.parameter
        return Tensor(lr.value_at(step))

    def get_lr(self) -> Any:
        """The learning rate for the current step: a Parameter (fixed), a scalar Tensor
        (dynamic), or a tuple with one entry per parameter (grouped rates)."""
        step = self.current_step()
        if self.is_group_lr:
            return tuple(self._lr_tensor(r.group.lr, step) for r in self._records)
        return self._lr_tensor(self._default_lr, step)

    def get_lr_parameter(self, param: Parameter | Sequence[Parameter]) -> Any:
        """The learning-rate Parameter (or schedule Cell) of one parameter or of a list.

        A list or Tensor rate gives its 1-D Parameter of rates, as in MindSpore.

        Raises:
            TypeError: an element is not a Parameter.
            ValueError: a parameter this optimizer does not update.
        """
        index = {id(r.param): r for r in self._records}

        def one(p: Parameter) -> Any:
            if not isinstance(p, Parameter):
                raise TypeError(
                    f"For 'get_lr_parameter', the 'param' must be a Parameter or a list of Parameters, "
                    f"but got an element of type {type(p).__name__}."
                )
            if id(p) not in index:
                raise ValueError(
                    f"For 'get_lr_parameter', the parameter '{p.name}' is not optimized by this optimizer."
                )
            lr = index[id(p)].group.lr
            # MindSpore unwraps the cells around a list or a constant rate to their Parameter.
            if isinstance(lr, ListLR):
                return lr.cell.learning_rate
            return lr.parameter if isinstance(lr, ConstantLR) else lr.exposed

        if isinstance(param, Parameter):
            return one(param)
        return [one(p) for p in param]

    @property
    def weight_decay(self) -> Any:
        """MindSpore's attribute: the weight decay times the loss scale, as a float32 Tensor
        (ungrouped) or a tuple with one per parameter (grouped); a dynamic one is its Cell."""
        if self.is_group:
            return tuple(_exposed_weight_decay(r.group.weight_decay) for r in self._records)
        return _exposed_weight_decay(self.groups[0].weight_decay)

    def get_weight_decay(self) -> Any:
        """The weight decay for the current step (already multiplied by ``loss_scale``)."""
        step = self.current_step()
        if self.is_group:
            return tuple(Tensor(r.group.weight_decay.value_at(step)) for r in self._records)
        return Tensor(self.groups[0].weight_decay.value_at(step))

    def _grad_scale(self) -> float | None:
        """``float32(1 / loss_scale)``, or None without a loss scale."""
        return None if self.loss_scale == 1.0 else float(np.float32(1.0 / self.loss_scale))

    def _check_gradients(self, gradients: Any, floats: tuple[mstype.DType, ...]) -> tuple[tuple[Tensor, ...], bool]:
        """MindSpore's checks of the gradient tuple (spec §1.2, §1.4), with its exception types.

        Returns:
            The gradients, and whether each has exactly its parameter's shape, dtype and
            device (the common case, checked with one comparison).
        """
        if not isinstance(gradients, tuple | list):
            raise TypeError(
                f"For '{self._prim}', 'gradients' must be a tuple of Tensors aligned with optimizer.parameters, "
                f"but got {type(gradients).__name__}."
            )
        if len(gradients) != len(self._parameters):
            raise RuntimeError(
                f"The tuples in HyperMap should have the same length: the optimizer has {len(self._parameters)} "
                f"parameters but got {len(gradients)} gradients. Pass one gradient per optimizer.parameters entry."
            )
        grads = tuple(gradients)
        try:  # the common case (every gradient's shape, dtype and device as its parameter's): one comparison
            if [(g._data.shape, g._data.dtype, g._backend) for g in grads] == self._gradient_signature:
                return grads, True
        except AttributeError:  # not a Tensor: the full check names it
            pass
        for p, g in zip(self._parameters, grads):
            check_gradient(self._prim, p, g, floats)
        params = self._parameters
        if all(p._data.dtype.kind == "f" for p in params):
            self._gradient_signature = [(p._data.shape, p._data.dtype, p._backend) for p in params]
        return grads, False


def _exposed_weight_decay(weight_decay: WeightDecay) -> Any:
    if isinstance(weight_decay, FixedWeightDecay):
        return Tensor(np.float32(weight_decay.scaled))
    return weight_decay.cell


def check_gradient(prim: str, p: Parameter, g: Any, floats: tuple[mstype.DType, ...]) -> None:
    """The full check of one gradient, with MindSpore's exception types (spec §1.2, §1.4).

    ``floats`` are the parameter dtypes the optimizer's kernel accepts.
    """
    if not isinstance(g, Tensor):
        raise TypeError(f"For '{prim}', the gradient of '{p.name}' must be a Tensor, but got {type(g).__name__}.")
    if p.dtype not in floats:
        names = [str(f).lower() for f in floats]
        allowed = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
        raise TypeError(f"For '{prim}', the parameter '{p.name}' must be {allowed}, but got {p.dtype}.")
    if g.shape != p.shape:
        raise ValueError(
            f"For '{prim}', the gradient_shape must be equal to variable_shape which is "
            f"{list(p.shape)}, but got {list(g.shape)} (parameter '{p.name}')."
        )
    if g.dtype not in (mstype.float16, mstype.float32, mstype.float64) or (
        p.dtype == mstype.float32 and g.dtype == mstype.float64
    ):
        raise TypeError(
            f"Data type conversion is not supported for a 'Parameter': the gradient of '{p.name}' is "
            f"{g.dtype} but the parameter is {p.dtype}. Cast the gradient to {p.dtype}."
        )
    if g.backend is not p.backend:
        raise ValueError(
            f"For '{prim}', the gradient of '{p.name}' is on {g.device} but the parameter is on {p.device}."
        )
