"""``nn.SGD``: stochastic gradient descent with momentum and dampening, MindSpore's semantics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minispore.common import dtype as mstype
from minispore.common.parameter import Parameter
from minispore.common.tensor import Tensor
from minispore.common.validation import check_type_bool, type_name
from minispore.nn.optim.gradients import prepared_grad
from minispore.nn.optim.host_values import HostMirror
from minispore.nn.optim.optimizer import Optimizer
from minispore.nn.optim.rules import SGD as SGD_RULE
from minispore.ops.math import where

_FLOATS = (mstype.float16, mstype.float32)


def _non_negative(name: str, value: Any) -> float:
    """SGD's own checks of ``momentum`` and ``dampening`` (an int is converted)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, float):
        raise TypeError(f"For 'SGD', the argument '{name}' must be float type, but got {type(value)}.")
    if value < 0.0:
        detail = f"'{name}' {value}" if name == "dampening" else f"{value}."
        raise ValueError(f"For 'SGD', the argument '{name}' must be at least 0.0, but got {detail}")
    return value


class SGD(Optimizer):
    r"""Stochastic gradient descent, exactly as MindSpore 2.10's CPU kernel computes it.

    Per parameter, per call, after the pre-pass shared by every optimizer (weight decay
    ``g = p * float32(wd * ls) + g``, gradient centralization, ``g = g * float32(1 / ls)``,
    all in the parameter's dtype)::

        if momentum > 0:
            if stat > 0:  accum = g;  stat = 0                  # the first step
            else:         accum = accum * u + (1 - dampening) * g
            d = g + accum * u  if nesterov  else  accum
        else:
            d = g
        p = p - lr * d

    ``stat`` starts at ones (state ``stat.<name>``) and ``accum`` at zeros (``accum.<name>``).
    The update is computed in float32 and stored in the parameter's dtype (float16 or
    float32; MindSpore's CPU kernel rejects float64).

    Args:
        params: Parameters, or group dicts (see :class:`Optimizer`).
        learning_rate: any learning-rate form (see :class:`Optimizer`); default 0.1.
        momentum: a float ``>= 0`` (an int is converted).
        dampening: a float ``>= 0``.
        weight_decay: a float ``>= 0`` (a dynamic weight decay is not supported, as in MindSpore).
        nesterov: Nesterov momentum; needs ``momentum > 0`` and ``dampening == 0``.
        loss_scale: a float ``> 0``.

    Raises:
        TypeError: a non-float ``momentum``/``dampening``, a non-bool ``nesterov``, or a
            dynamic weight decay.
        ValueError: a negative ``momentum``/``dampening``, or ``nesterov`` without momentum
            or with dampening.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore import nn
        >>> w = ms.Parameter(np.ones(2, np.float32), name="w")
        >>> opt = nn.SGD([w], learning_rate=0.1, momentum=0.9)
        >>> opt((ms.Tensor(np.ones(2, np.float32)),))
        (True,)
        >>> w.asnumpy()
        array([0.9, 0.9], dtype=float32)
    """

    _prim = "SGD"

    def __init__(
        self,
        params: Any,
        learning_rate: Any = 0.1,
        momentum: Any = 0.0,
        dampening: Any = 0.0,
        weight_decay: Any = 0.0,
        nesterov: Any = False,
        loss_scale: Any = 1.0,
    ) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        momentum = _non_negative("momentum", momentum)
        self.dampening = _non_negative("dampening", dampening)
        self.nesterov = check_type_bool("SGD", "nesterov", nesterov)
        if nesterov and (momentum <= 0.0 or self.dampening != 0.0):
            raise ValueError(
                "For 'SGD', if 'nesterov' is true, 'momentum' must be > 0.0 and 'dampening' must equal to 0.0, "
                f"but got 'momentum' {momentum}, 'dampening' {self.dampening}."
            )
        if self.dynamic_weight_decay:
            raise TypeError(
                "For 'SGD', dynamic weight decay is currently not supported, the argument 'weight_decay' or "
                f"'weight_decay' set in grouped 'params' must be float or int type, but got {type_name(weight_decay)}."
            )
        self.momentum = Parameter(Tensor(np.float32(momentum)), name="momentum")
        self._momentum = HostMirror(self.momentum)
        self.accum, self.stat = self._make_states("accum", "stat", inits=("zeros", "ones"))
        self._zeroed_stats: tuple[tuple[int, int], ...] | None = None
        self._options = frozenset((["momentum"] if momentum > 0.0 else []) + (["nesterov"] if nesterov else []))

    def _stat_signature(self) -> tuple[tuple[int, int], ...]:
        """Identifies the current ``stat`` values: unchanged since the last fused step means all 0."""
        return tuple((id(s._data), s.version) for s in self.stat)

    def construct(self, gradients: Sequence[Tensor]) -> tuple[bool, ...]:
        """Apply one update. ``gradients`` follows ``optimizer.parameters``.

        Returns:
            A tuple of ``True``, one per parameter.

        Raises:
            RuntimeError: the wrong number of gradients, or a dynamic learning rate past
                its end. Nothing changes when any check fails.
            TypeError / ValueError: a gradient of the wrong shape or dtype, or a float64
                or integer parameter.
        """
        v = self._begin_step(gradients, _FLOATS)
        momentum = float(self._momentum.first())
        if self.fused:
            started = "momentum" in self._options and self._stat_signature() == self._zeroed_stats
            options = self._options | {"started"} if started else self._options
            done = self._fused_update(SGD_RULE, options, v, lambda g: (v.lrs[g], momentum, self.dampening))
            self._zeroed_stats = self._stat_signature()  # a momentum step leaves every stat at 0
            return done
        for r, accum, stat, grad in zip(self._records, self.accum, self.stat, v.grads):
            g = r.group_index
            decay = v.wds[g] if r.decay else None
            reference_update(
                r.param,
                accum,
                stat,
                grad,
                v.lrs[g],
                momentum,
                self.dampening,
                decay,
                r.grad_centralization,
                v.grad_scale,
                self.nesterov,
            )
        return (True,) * len(v.grads)


def reference_update(
    param: Parameter,
    accum: Parameter,
    stat: Parameter,
    grad: Tensor,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float | None,
    centralized: bool,
    grad_scale: float | None,
    nesterov: bool,
) -> None:
    """The readable per-tensor ``nn.SGD`` update (see ``SGD``'s docstring), written with Tensor ops."""
    g = prepared_grad(param, grad, weight_decay, centralized, grad_scale)
    d = g
    if momentum > 0.0:
        first = stat.astype(mstype.float32) > 0
        later = accum.astype(mstype.float32) * momentum + (np.float32(1.0) - np.float32(dampening)) * g
        new_accum = where(first, g, later)
        accum.set_data(new_accum)
        stat.set_data(where(first, 0.0, stat.astype(mstype.float32)))
        d = g + new_accum * momentum if nesterov else new_accum
    param.set_data(param.astype(mstype.float32) - d * lr)
