"""``nn.Momentum``: SGD with momentum, MindSpore's semantics, one fused update per group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minispore.common import dtype as mstype
from minispore.common.parameter import Parameter
from minispore.common.tensor import Tensor
from minispore.common.validation import check_bool
from minispore.nn.optim.gradients import prepared_grad
from minispore.nn.optim.host_values import HostMirror
from minispore.nn.optim.optimizer import Optimizer
from minispore.nn.optim.rules import MOMENTUM

_FLOATS = (mstype.float16, mstype.float32, mstype.float64)


class Momentum(Optimizer):
    r"""Stochastic gradient descent with momentum, exactly as MindSpore 2.10 computes it.

    Per parameter, per call, in this order (``ls`` the loss scale, ``wd`` its weight
    decay, ``u`` the momentum)::

        g = p * float32(wd * ls) + g     # where weight decay applies
        g = g - mean(g, axes 1..n-1)     # grad_centralization groups; ndim >= 2 and shape[1] % 16 == 0
        g = g * float32(1 / ls)          # if ls != 1
        v = v * u + g
        p = p - v * lr                           # use_nesterov=False
        p = p - (g * lr + (v * u) * lr)          # use_nesterov=True

    So the effective gradient is ``g / ls + wd * p``. ``lr`` is read at ``global_step``
    before it is incremented. The first three lines round to the parameter's dtype; the
    last three compute in float32 and round only when stored (MindSpore's CPU kernel: a
    float16 moment is stored as float16, but the parameter is updated from the unrounded
    float32 one). float64 parameters are computed in float32 throughout, as MindSpore's
    float32 learning rate and momentum make its kernel do. Where MindSpore's CPU build
    departs from its own documentation, minispore follows the documentation on every
    backend: Nesterov is honoured (the CPU kernel ignores it) and gradient centralization
    runs (the CPU build has no kernel and raises).

    The update runs as one backend call per parameter group and dtype over flat buffers
    (:class:`~minispore.nn.optim.flat_buffers.FlatGroup`) with the rule
    :data:`~minispore.nn.optim.rules.MOMENTUM`; set ``fused = False`` on the instance to
    use the per-tensor reference path (:func:`reference_update`) instead.

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
        self.use_nesterov = check_bool("Momentum", "use_nesterov", use_nesterov)
        self.momentum = Parameter(Tensor(np.float32(momentum)), name="momentum")
        self._momentum = HostMirror(self.momentum)
        (self.moments,) = self._make_states("moments")
        self.init_args = {
            "momentum": momentum,
            "weight_decay": weight_decay,
            "loss_scale": self.loss_scale,
            "use_nesterov": use_nesterov,
        }
        self._options = frozenset({"nesterov"} if use_nesterov else ())

    def construct(self, gradients: Sequence[Tensor]) -> tuple[bool, ...]:
        """Apply one update. ``gradients`` follows ``optimizer.parameters``.

        Returns:
            A tuple of ``True``, one per parameter.

        Raises:
            RuntimeError: the wrong number of gradients, or a dynamic learning rate past
                its end. Nothing changes when any check fails.
            ValueError / TypeError: a gradient of the wrong shape or dtype, or a parameter
                whose shape changed since the optimizer was built.
        """
        v = self._begin_step(gradients, _FLOATS)
        momentum = float(self._momentum.first())
        if self.fused:
            return self._fused_update(MOMENTUM, self._options, v, lambda g: (v.lrs[g], momentum))
        for r, moment, grad in zip(self._records, self.moments, v.grads):
            g = r.group_index
            decay = v.wds[g] if r.decay else None
            reference_update(
                r.param, moment, grad, v.lrs[g], momentum, decay, r.grad_centralization, v.grad_scale, self.use_nesterov
            )
        return (True,) * len(v.grads)


def momentum_step(
    param: Tensor,
    moment: Tensor,
    grad: Tensor,
    lr: float,
    momentum: float,
    weight_decay: float | None,
    centralized: bool,
    grad_scale: float | None,
    nesterov: bool,
) -> tuple[Tensor, Tensor]:
    """The readable per-tensor ``nn.Momentum`` update, written with Tensor ops: the new
    ``(param, moment)``, both float32.

    It is the specification the fused path is tested against (see ``Momentum``'s
    docstring for the formula and the dtypes each step computes in), and the arithmetic of
    ``P.ApplyMomentum`` (without the pre-pass).
    """
    g = prepared_grad(param, grad, weight_decay, centralized, grad_scale)
    p, v = param.astype(mstype.float32), moment.astype(mstype.float32)
    v = v * momentum + g
    p = p - (g * lr + (v * momentum) * lr) if nesterov else p - v * lr
    return p, v


def reference_update(
    param: Parameter,
    moment: Parameter,
    grad: Tensor,
    lr: float,
    momentum: float,
    weight_decay: float | None,
    centralized: bool,
    grad_scale: float | None,
    nesterov: bool,
) -> None:
    """:func:`momentum_step`, written into ``param`` and ``moment`` (cast to their dtype)."""
    p, v = momentum_step(param, moment, grad, lr, momentum, weight_decay, centralized, grad_scale, nesterov)
    moment.set_data(v)
    param.set_data(p)
