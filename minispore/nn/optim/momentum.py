"""``nn.Momentum``: SGD with momentum, MindSpore's semantics, one fused update per group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minispore.common import dtype as mstype
from minispore.common.parameter import Parameter, ParameterTuple
from minispore.common.tensor import Tensor
from minispore.nn.optim._checks import check_bool
from minispore.nn.optim.flat_buffers import FlatGroup, centralization_applies
from minispore.nn.optim.optimizer import Optimizer

_FLOATS = (mstype.float16, mstype.float32, mstype.float64)


class Momentum(Optimizer):
    r"""Stochastic gradient descent with momentum, exactly as MindSpore 2.10 computes it.

    Per parameter, per call, in this order (every step rounded to the parameter's dtype,
    ``ls`` the loss scale, ``wd`` its weight decay, ``u`` the momentum)::

        g = p * float32(wd * ls) + g     # where weight decay applies
        g = g - mean(g, axes 1..n-1)     # grad_centralization groups; ndim >= 2 and shape[1] % 16 == 0
        g = g * float32(1 / ls)          # if ls != 1
        v = v * u + g
        p = p - v * lr                           # use_nesterov=False
        p = p - (g * lr + (v * u) * lr)          # use_nesterov=True

    So the effective gradient is ``g / ls + wd * p``. ``lr`` is read at ``global_step``
    before it is incremented. Where MindSpore's CPU build departs from its own
    documentation, minispore follows the documentation on every backend: Nesterov is
    honoured (the CPU kernel ignores it) and gradient centralization runs (the CPU build
    has no kernel and raises).

    The update runs as one backend call per parameter group and dtype over flat buffers
    (:class:`~minispore.nn.optim.flat_buffers.FlatGroup`); set ``fused = False`` on the
    instance to use the per-tensor reference path instead.

    Args:
        params: Parameters, or group dicts (see :class:`Optimizer`).
        learning_rate: any learning-rate form (see :class:`Optimizer`).
        momentum: a float ``>= 0`` (no upper bound, as MindSpore).
        weight_decay: a float ``>= 0`` or a Cell of ``global_step``.
        loss_scale: a float ``> 0``.
        use_nesterov: whether to use Nesterov momentum.

    Raises:
        TypeError: ``momentum`` is not a float, or ``use_nesterov`` is not a bool.
        ValueError: ``momentum`` is negative.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore import nn
        >>> w = ms.Parameter(np.ones(2, np.float32), name="w")
        >>> opt = nn.Momentum([w], learning_rate=0.1, momentum=0.9)
        >>> opt((ms.Tensor(np.ones(2, np.float32)),))
        (True,)
        >>> w.asnumpy()
        array([0.9, 0.9], dtype=float32)
    """

    _prim = "Momentum"

    def __init__(
        self,
        params: Any,
        learning_rate: Any,
        momentum: Any,
        weight_decay: Any = 0.0,
        loss_scale: Any = 1.0,
        use_nesterov: Any = False,
    ) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        if isinstance(momentum, bool) or not isinstance(momentum, float):
            raise TypeError(
                f"For 'Momentum', the type of 'momentum' should be 'float', but got type '{type(momentum).__name__}'. "
                "Pass a float such as 0.9."
            )
        if momentum < 0.0:
            raise ValueError(f"For 'Momentum', the 'momentum' must be at least 0.0, but got {momentum}.")
        self.use_nesterov = check_bool(use_nesterov, "use_nesterov", "Momentum")
        self.momentum = Parameter(Tensor(np.float32(momentum)), name="momentum")
        self.moments = self._make_moments()
        self.init_args = {
            "momentum": momentum,
            "weight_decay": weight_decay,
            "loss_scale": self.loss_scale,
            "use_nesterov": use_nesterov,
        }
        self.fused = True
        self._flat_groups = self._build_flat_groups()

    def _make_moments(self) -> ParameterTuple:
        seen: set[int] = set()
        for p in self.parameters:
            if id(p) in seen:
                raise ValueError(
                    f"The value Parameter (name=moments.{p.name}, shape={p.shape}, dtype={p.dtype}, "
                    f"requires_grad={p.requires_grad}) , its name 'moments.{p.name}' already exists. "
                    "Each parameter may appear once in 'params'."
                )
            seen.add(id(p))
        return self.parameters.clone(prefix="moments", init="zeros")

    def _build_flat_groups(self) -> list[tuple[int, FlatGroup]]:
        """One :class:`FlatGroup` per (parameter group, dtype, device), with the group index."""
        buckets: dict[tuple[int, str, int], list[int]] = {}
        for i, p in enumerate(self.parameters):
            buckets.setdefault((self._group_index[i], p.dtype.name, id(p.backend)), []).append(i)
        flat = []
        for (g, _, _), idx in buckets.items():
            group = FlatGroup(
                [self.parameters[i] for i in idx],
                [self.moments[i] for i in idx],
                [self.decay_flags[i] for i in idx],
                [self.grad_centralization_flags[i] for i in idx],
            )
            flat.append((g, group))
        position = {id(p): i for i, p in enumerate(self.parameters)}
        self._flat_index = [[position[id(slot.param)] for slot in fg.slots] for _, fg in flat]
        return flat

    # checks ------------------------------------------------------------------------------
    def _check_gradients(self, gradients: Any) -> tuple[Tensor, ...]:
        if not isinstance(gradients, tuple | list):
            raise TypeError(
                f"For 'Momentum', 'gradients' must be a tuple of Tensors aligned with optimizer.parameters, "
                f"but got {type(gradients).__name__}."
            )
        if len(gradients) != len(self.parameters):
            raise RuntimeError(
                f"The tuples in HyperMap should have the same length: the optimizer has {len(self.parameters)} "
                f"parameters but got {len(gradients)} gradients. Pass one gradient per optimizer.parameters entry."
            )
        for p, g in zip(self.parameters, gradients):
            # The common case (same shape, dtype and device) costs three comparisons.
            if not (
                isinstance(g, Tensor)
                and g._data.shape == p._data.shape
                and g._data.dtype == p._data.dtype
                and g._backend is p._backend
                and p._data.dtype.kind == "f"
            ):
                _check_gradient(p, g)
        return tuple(gradients)

    # the step ----------------------------------------------------------------------------
    def construct(self, gradients: Sequence[Tensor]) -> tuple[bool, ...]:
        """Apply one update. ``gradients`` follows ``optimizer.parameters``.

        Returns:
            A tuple of ``True``, one per parameter.

        Raises:
            RuntimeError: the wrong number of gradients, or a dynamic learning rate past
                its end. Nothing changes when any check fails.
            ValueError / TypeError: a gradient of the wrong shape or dtype.
        """
        grads = self._check_gradients(gradients)
        step = self.current_step()
        lrs = [g.lr.value_at(step) for g in self.groups]
        wds = [g.weight_decay.value_at(step) for g in self.groups]
        grad_scale = None if self.loss_scale == 1.0 else float(np.float32(1.0 / self.loss_scale))
        momentum = float(self.momentum.asnumpy().reshape(()))
        self._increment_step(step)
        if self.fused:
            for (g, fg), index in zip(self._flat_groups, self._flat_index):
                fg.ensure_bound("Momentum")
                fg.apply(
                    [grads[i] for i in index], float(lrs[g]), momentum, float(wds[g]), grad_scale, self.use_nesterov
                )
        else:
            for i, (p, v, grad) in enumerate(zip(self.parameters, self.moments, grads)):
                g = self._group_index[i]
                reference_update(
                    p,
                    v,
                    grad,
                    float(lrs[g]),
                    momentum,
                    float(wds[g]) if self.decay_flags[i] else None,
                    self.grad_centralization_flags[i],
                    grad_scale,
                    self.use_nesterov,
                )
        return (True,) * len(self.parameters)


def _check_gradient(p: Parameter, g: Any) -> None:
    """The full check of one gradient, with MindSpore's exception types (spec §1.2, §1.4)."""
    if not isinstance(g, Tensor):
        raise TypeError(f"For 'Momentum', the gradient of '{p.name}' must be a Tensor, but got {type(g).__name__}.")
    if p.dtype not in _FLOATS:
        raise TypeError(
            f"For 'ApplyMomentum', the parameter '{p.name}' must be float16, float32 or float64, but got {p.dtype}."
        )
    if g.shape != p.shape:
        raise ValueError(
            f"For primitive[ApplyMomentum], the gradient_shape must be equal to variable_shape which is "
            f"{list(p.shape)}, but got {list(g.shape)} (parameter '{p.name}')."
        )
    if g.dtype not in _FLOATS or (p.dtype == mstype.float32 and g.dtype == mstype.float64):
        raise TypeError(
            f"Data type conversion is not supported for a 'Parameter': the gradient of '{p.name}' is "
            f"{g.dtype} but the parameter is {p.dtype}. Cast the gradient to {p.dtype}."
        )
    if g.backend is not p.backend:
        raise ValueError(
            f"For 'Momentum', the gradient of '{p.name}' is on {g.device} but the parameter is on {p.device}."
        )


def reference_update(
    param: Parameter,
    moment: Parameter,
    grad: Tensor,
    lr: float,
    momentum: float,
    weight_decay: float | None,
    centralize: bool,
    grad_scale: float | None,
    nesterov: bool,
) -> None:
    """The readable per-tensor ``nn.Momentum`` update, written with Tensor ops.

    It is the definition the fused path is tested against (see ``Momentum``'s docstring
    for the formula). float64 parameters are computed in float32, as MindSpore does.
    """
    work = mstype.float32 if param.dtype == mstype.float64 else param.dtype
    p, v, g = param.astype(work), moment.astype(work), grad.astype(work)
    if weight_decay is not None:
        g = p * weight_decay + g
    if centralize and centralization_applies(g.shape):
        g = g - g.mean(axis=tuple(range(1, g.ndim)), keep_dims=True)
    if grad_scale is not None:
        g = g * grad_scale
    v = v * momentum + g
    p = p - (g * lr + (v * momentum) * lr) if nesterov else p - v * lr
    moment.set_data(v)
    param.set_data(p)
