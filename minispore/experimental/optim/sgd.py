"""``mindspore.experimental.optim.SGD``: PyTorch's SGD signature on MindSpore's ``SGD`` kernel."""

from __future__ import annotations

from typing import Any

import numpy as np

from minispore.common.parameter import ParameterTuple
from minispore.common.tensor import Tensor
from minispore.experimental.optim.optimizer import Optimizer, check_hyper
from minispore.nn.optim.gradients import centralize
from minispore.nn.optim.rules import SGD as SGD_RULE


class SGD(Optimizer):
    r"""Stochastic gradient descent with PyTorch's arguments (MindSpore 2.10 ``experimental.optim``).

    Per parameter of a group (``wd``, ``u``, ``dampening`` the group's)::

        g = -g                                   # maximize
        g = g - mean(g, axes 1..n-1)             # grad_centralization (ndim >= 2, shape[1] % 16 == 0)
        g = g + p * wd                           # wd > 0
        accum = g  (first step)  or  accum * u + (1 - dampening) * g
        d = g + accum * u  if nesterov  else  accum          # u > 0; else d = g
        p = p - lr * d

    States ``accum.<name>`` and ``stat.<name>`` as ``nn.SGD``; ``lr`` is the group's
    ``learning_rate_group_<i>`` Parameter, which schedulers change.

    Args:
        params: Parameters or group dicts.
        lr: the learning rate (``>= 0``).
        momentum, dampening, weight_decay: floats ``>= 0``.
        nesterov: Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
        maximize: ascend instead of descend.
        grad_centralization: centralize the gradients of weights (MindSpore's extension).

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore.experimental import optim
        >>> w = ms.Parameter(np.ones(2, np.float32), name="w")
        >>> opt = optim.SGD([w], lr=0.1)
        >>> opt((ms.Tensor(np.ones(2, np.float32)),))
        (True,)
        >>> w.asnumpy()
        array([0.9, 0.9], dtype=float32)
    """

    _prim = "SGD"
    accum: ParameterTuple
    stat: ParameterTuple

    def __init__(
        self,
        params: Any,
        lr: Any,
        momentum: Any = 0.0,
        dampening: Any = 0.0,
        weight_decay: Any = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        grad_centralization: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "grad_centralization": grad_centralization,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for name in ("momentum", "dampening", "weight_decay"):
                check_hyper("SGD", name, group[name], 0.0)
            if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
                raise ValueError("For 'SGD', Nesterov momentum requires a momentum and zero dampening.")
        self._make_states("accum", "stat", inits=("zeros", "ones"))
        self._build_flat_groups(2, lambda group: group["weight_decay"] > 0)

    def construct(self, gradients: tuple[Tensor, ...]) -> tuple[bool, ...]:
        """Apply one update; ``gradients`` follows ``optimizer.parameters``."""
        grads = list(self._check_gradients(gradients))
        for k, group in enumerate(self.param_groups):
            if group["maximize"] or group["grad_centralization"]:
                for i in self._positions(k):
                    g = -grads[i] if group["maximize"] else grads[i]
                    grads[i] = centralize(g) if group["grad_centralization"] else g

        def options(group: dict[str, Any]) -> frozenset[str]:
            return frozenset(["momentum"] * (group["momentum"] > 0) + ["nesterov"] * bool(group["nesterov"]))

        def scalars(k: int) -> tuple[float, ...]:
            g = self.param_groups[k]
            values = (self.group_lr(k), g["momentum"], g["dampening"], g["weight_decay"], 1.0)
            return tuple(float(np.float32(v)) for v in values)

        return self._update(SGD_RULE, options, grads, scalars)
