"""``mindspore.experimental.optim.Adam`` and ``AdamW``: PyTorch's signatures, MindSpore 2.10's arithmetic."""

from __future__ import annotations

from typing import Any

import numpy as np

from minispore.common.parameter import ParameterTuple
from minispore.common.tensor import Tensor
from minispore.experimental.optim.optimizer import Optimizer, check_hyper
from minispore.nn.optim.adam import bias_corrected_lr
from minispore.nn.optim.rules import ADAM, EXPERIMENTAL_ADAMW

F32 = np.float32


def beta_power(beta: float, step: int) -> np.float32:
    """``beta ** step`` as MindSpore's ``Pow`` gives it: in double from the float32 beta, rounded once."""
    power: np.float32 = F32(np.float64(F32(beta)) ** step)
    return power


def _check_betas(prim: str, betas: Any) -> tuple[float, float]:
    if not isinstance(betas, tuple | list) or len(betas) != 2:
        raise TypeError(f"For '{prim}', 'betas' must be a tuple of two floats, but got {betas!r}.")
    for k, beta in enumerate(betas):
        check_hyper(prim, f"beta parameter at index {k}", beta, 0.0, 1.0)
    return float(betas[0]), float(betas[1])


class _AdamBase(Optimizer):
    """Argument checks and the ``maximize`` sign shared by Adam and AdamW."""

    exp_avg: ParameterTuple
    exp_avg_sq: ParameterTuple
    max_exp_avg_sq: ParameterTuple

    def _check(self) -> None:
        for group in self.param_groups:
            group["betas"] = tuple(_check_betas(self._prim, group["betas"]))
            check_hyper(self._prim, "epsilon value", group["eps"], 0.0)
            check_hyper(self._prim, "weight_decay value", group["weight_decay"], 0.0)
        self._make_states("exp_avg", "exp_avg_sq", "max_exp_avg_sq")

    def _signed(self, gradients: tuple[Tensor, ...]) -> list[Tensor]:
        grads = list(self._check_gradients(gradients))
        for k, group in enumerate(self.param_groups):
            if group["maximize"]:
                for i in self._positions(k):
                    grads[i] = -grads[i]
        return grads


class Adam(_AdamBase):
    r"""Adam with PyTorch's arguments, as MindSpore 2.10's ``experimental.optim.Adam`` computes it.

    Per call ``t = state_step`` (after its increment) and per group: ``g = -g`` (maximize),
    ``g = p * wd + g`` (``wd != 0``), then ``nn.Adam``'s update with
    ``lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t)`` (powers in double, rounded once). States
    ``exp_avg``, ``exp_avg_sq`` and ``max_exp_avg_sq``; as in MindSpore 2.10, ``amsgrad`` is
    accepted and shown but the update ignores it (``max_exp_avg_sq`` stays zero).

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore.experimental import optim
        >>> w = ms.Parameter(np.ones(2, np.float32), name="w")
        >>> opt = optim.Adam([w], lr=0.1)
        >>> opt((ms.Tensor(np.ones(2, np.float32)),))
        (True,)
        >>> w.asnumpy()
        array([0.90000004, 0.90000004], dtype=float32)
    """

    _prim = "Adam"

    def __init__(
        self,
        params: Any,
        lr: Any = 1e-3,
        betas: Any = (0.9, 0.999),
        eps: Any = 1e-8,
        weight_decay: Any = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad}
        super().__init__(params, {**defaults, "maximize": maximize})
        self._check()
        self._build_flat_groups(2, lambda group: group["weight_decay"] != 0)

    def construct(self, gradients: tuple[Tensor, ...]) -> tuple[bool, ...]:
        """Apply one update; ``gradients`` follows ``optimizer.parameters``."""
        grads = self._signed(gradients)

        def scalars(k: int) -> tuple[float, ...]:
            group, t = self.param_groups[k], self._counter.value
            b1, b2 = group["betas"]
            lr_t = bias_corrected_lr(self.group_lr(k), beta_power(b1, t), beta_power(b2, t))
            return tuple(float(F32(v)) for v in (lr_t, b1, b2, group["eps"], group["weight_decay"], 1.0))

        return self._update(ADAM, lambda group: frozenset(), grads, scalars)


class AdamW(_AdamBase):
    r"""AdamW with PyTorch's arguments, as MindSpore 2.10's ``experimental.optim.AdamW`` computes it.

    Per call ``t = state_step`` (after its increment), per group, in float32::

        p' = p * (1 - lr * wd)
        m = m * b1 + g * (1 - b1)
        v = v * b2 + (1 - b2) * (g * g)
        vmax = max(vmax, v)                                   # amsgrad
        denom = sqrt(v or vmax) / sqrt(1 - b2^t) + eps
        p = p' - (m / denom) * (lr / (1 - b1^t))

    (``g = -g`` first with ``maximize``; powers in double, rounded once.)

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore.experimental import optim
        >>> w = ms.Parameter(np.ones(2, np.float32), name="w")
        >>> opt = optim.AdamW([w], lr=0.1)
        >>> opt((ms.Tensor(np.ones(2, np.float32)),))
        (True,)
        >>> w.asnumpy()
        array([0.899, 0.899], dtype=float32)
    """

    _prim = "AdamW"

    def __init__(
        self,
        params: Any,
        lr: Any = 1e-3,
        betas: Any = (0.9, 0.999),
        eps: Any = 1e-8,
        weight_decay: Any = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad}
        super().__init__(params, {**defaults, "maximize": maximize})
        self._check()
        self._build_flat_groups(3, lambda group: False)

    def construct(self, gradients: tuple[Tensor, ...]) -> tuple[bool, ...]:
        """Apply one update; ``gradients`` follows ``optimizer.parameters``."""
        grads = self._signed(gradients)

        def scalars(k: int) -> tuple[float, ...]:
            group, t = self.param_groups[k], self._counter.value
            b1, b2 = group["betas"]
            one, lr = F32(1.0), F32(self.group_lr(k))
            decay_factor = F32(one - F32(lr * F32(group["weight_decay"])))
            step_size = F32(lr / F32(one - beta_power(b1, t)))
            sqrt_bc2 = F32(np.sqrt(F32(one - beta_power(b2, t))))
            values = (step_size, b1, b2, group["eps"], decay_factor, sqrt_bc2, 0.0, 1.0)
            return tuple(float(F32(v)) for v in values)

        def options(group: dict[str, Any]) -> frozenset[str]:
            return frozenset({"amsgrad"} if group["amsgrad"] else ())

        return self._update(EXPERIMENTAL_ADAMW, options, grads, scalars)
