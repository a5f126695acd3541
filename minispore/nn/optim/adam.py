"""``nn.Adam`` and ``nn.AdamWeightDecay`` with MindSpore's semantics, one fused update per group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minispore.backend.protocol import BinaryOp
from minispore.common import dtype as mstype
from minispore.common.parameter import Parameter
from minispore.common.tensor import Tensor
from minispore.common.validation import check_finite_at_least, check_float, check_open_range, check_type_bool
from minispore.nn.optim.gradients import prepared_grad
from minispore.nn.optim.host_values import HostMirror
from minispore.nn.optim.optimizer import Optimizer
from minispore.nn.optim.rules import ADAM, ADAM_AMSGRAD, ADAM_WEIGHT_DECAY
from minispore.ops.math import maximum, sqrt

F32 = np.float32


def check_adam_values(prim: str, beta1: Any, beta2: Any, eps: Any) -> tuple[float, float, float]:
    """MindSpore's checks of ``beta1``, ``beta2`` (floats in (0, 1)) and ``eps`` (a float > 0).

    Raises:
        TypeError: one of them is not a Python float (an int included).
        ValueError: out of range, or ``eps`` not finite.
    """
    for name, value in (("beta1", beta1), ("beta2", beta2), ("eps", eps)):
        check_float(prim, name, value)
    check_open_range(prim, "beta1", beta1, 0.0, 1.0)
    check_open_range(prim, "beta2", beta2, 0.0, 1.0)
    check_finite_at_least(prim, "eps", eps, 0.0, strict=True)
    return beta1, beta2, eps


def bias_corrected_lr(lr: float, beta1_power: np.float32, beta2_power: np.float32) -> np.float32:
    """``lr * sqrt(1 - beta2_power) / (1 - beta1_power)``, each operation in float32 (MindSpore's order)."""
    one = F32(1.0)
    corrected: np.float32 = F32(F32(F32(lr) * np.sqrt(F32(one - beta2_power))) / F32(one - beta1_power))
    return corrected


def _moments(m: Tensor, v: Tensor, g: Tensor, beta1: float, beta2: float) -> tuple[Tensor, Tensor]:
    """``m + (g - m) * (1 - b1)`` and ``v + (g * g - v) * (1 - b2)`` in float32."""
    b1, b2 = F32(beta1), F32(beta2)
    return m + (g - m) * (F32(1.0) - b1), v + (g * g - v) * (F32(1.0) - b2)


class Adam(Optimizer):
    r"""Adam (Kingma and Ba), as MindSpore 2.10 computes it.

    Per call, ``t`` counting from 1: ``beta1_power = beta1_power * b1`` and ``beta2_power =
    beta2_power * b2`` (float32 Parameters starting at 1), and on the host
    ``lr_t = lr * sqrt(1 - beta2_power) / (1 - beta1_power)``. Per parameter, after the
    pre-pass shared by every optimizer (weight decay, gradient centralization, loss scale)::

        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        m' = m * b1 + (1 - b1) * g  if use_nesterov  else  m
        p = p - (lr_t * m') / (sqrt(v) + eps)

    With ``use_amsgrad``: ``vhat = max(vhat, v)`` replaces ``v`` in the denominator. So
    ``eps`` is added to the square root of the *uncorrected* ``v``. Computed in float32,
    stored in the parameter's dtype (float16 or float32). MindSpore's CPU kernel contracts
    the moment updates into fused multiply-adds and runs a vector loop and a scalar tail
    that round differently; minispore rounds every operation, so it matches MindSpore to
    a few ulp rather than bit for bit (AMSGrad, a plain loop there, matches exactly).

    Args:
        params: Parameters, or group dicts (see :class:`Optimizer`).
        learning_rate: any learning-rate form; default 1e-3.
        beta1: the decay rate of the first moment, a float in (0, 1).
        beta2: the decay rate of the second moment, a float in (0, 1).
        eps: a float > 0.
        use_locking: accepted for compatibility (updates never race here).
        use_nesterov: Nesterov momentum.
        weight_decay: a float ``>= 0`` or a Cell of ``global_step``.
        loss_scale: a float ``> 0``.
        use_amsgrad: keep the running maximum of ``v`` (state ``vhat.<name>``).
        **kwargs: ``use_lazy`` and ``use_offload`` (bools): accepted; gradients are dense
            here, so both run the same update.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore import nn
        >>> w = ms.Parameter(np.ones(2, np.float32), name="w")
        >>> opt = nn.Adam([w], learning_rate=0.1)
        >>> opt((ms.Tensor(np.ones(2, np.float32)),))
        (True,)
        >>> w.asnumpy()
        array([0.90000004, 0.90000004], dtype=float32)
    """

    _prim = "Adam"

    def __init__(
        self,
        params: Any,
        learning_rate: Any = 1e-3,
        beta1: Any = 0.9,
        beta2: Any = 0.999,
        eps: Any = 1e-8,
        use_locking: Any = False,
        use_nesterov: Any = False,
        weight_decay: Any = 0.0,
        loss_scale: Any = 1.0,
        use_amsgrad: Any = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        unknown = set(kwargs) - {"use_lazy", "use_offload"}
        if unknown:
            raise KeyError(
                "For 'Adam', invalid keys are passed as kwargs, supported keys are 'use_lazy' and'use_offload', "
                f"but got {kwargs.keys()}."
            )
        self.beta1_value, self.beta2_value, self.eps_value = check_adam_values("Adam", beta1, beta2, eps)
        flags = {"use_locking": use_locking, "use_nesterov": use_nesterov, "use_amsgrad": use_amsgrad}
        flags.update({k: kwargs.get(k, False) for k in ("use_lazy", "use_offload")})
        for name, value in flags.items():
            check_type_bool("Adam", name, value)
        if flags["use_lazy"] and flags["use_offload"]:
            raise ValueError(
                "For 'Adam', 'use_lazy' and 'use_offload' can not both be True."
                f"But got use_lazy={flags['use_lazy']}, use_offload={flags['use_offload']}."
            )
        if use_amsgrad and (flags["use_lazy"] or flags["use_offload"]):
            raise ValueError(
                "For lazy Adam and Adam with offload, there is no parameter named 'use_amsgrad'."
                f"but got 'use_amsgrad'={use_amsgrad}."
            )
        self.use_locking, self.use_nesterov, self.use_amsgrad = use_locking, use_nesterov, use_amsgrad
        self.use_lazy, self.use_offload = flags["use_lazy"], flags["use_offload"]
        self.beta1 = Tensor(F32(beta1))
        self.beta2 = Tensor(F32(beta2))
        self.eps = Tensor(F32(eps))
        self.beta1_power = Parameter(Tensor(F32(1.0)), name="beta1_power")
        self.beta2_power = Parameter(Tensor(F32(1.0)), name="beta2_power")
        self._powers = (HostMirror(self.beta1_power), HostMirror(self.beta2_power))
        prefixes = ("moment1", "moment2", "vhat") if use_amsgrad else ("moment1", "moment2")
        states = self._make_states(*prefixes)
        self.moment1, self.moment2 = states[0], states[1]
        if use_amsgrad:
            self.vhat = states[2]
        self._rule = ADAM_AMSGRAD if use_amsgrad else ADAM
        self._options = frozenset({"nesterov"} if use_nesterov and not use_amsgrad else ())

    def _advance_powers(self) -> tuple[np.float32, np.float32]:
        """``beta_power *= beta`` for both (queued on the device); the new values, on the host."""
        out = []
        for mirror, beta in zip(self._powers, (F32(self.beta1_value), F32(self.beta2_value))):
            new = F32(F32(mirror.first()) * beta)
            mirror.update(BinaryOp.MUL, beta, np.asarray(new))
            out.append(new)
        return out[0], out[1]

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
        values = self._begin_step(gradients, (mstype.float16, mstype.float32))
        b1p, b2p = self._advance_powers()
        lr_t = [float(bias_corrected_lr(lr, b1p, b2p)) for lr in values.lrs]
        b1, b2, eps = (float(F32(x)) for x in (self.beta1_value, self.beta2_value, self.eps_value))
        if self.fused:
            return self._fused_update(self._rule, self._options, values, lambda g: (lr_t[g], b1, b2, eps))
        grads, wds, grad_scale = values.grads, values.wds, values.grad_scale
        vhats = self.vhat if self.use_amsgrad else [None] * len(grads)
        for r, m, v, vhat, grad in zip(self._records, self.moment1, self.moment2, vhats, grads):
            g = prepared_grad(r.param, grad, wds[r.group_index] if r.decay else None, r.grad_centralization, grad_scale)
            m_new, v_new = _moments(m.astype(mstype.float32), v.astype(mstype.float32), g, b1, b2)
            m.set_data(m_new)
            v.set_data(v_new)
            denominator = v_new
            if vhat is not None:
                denominator = maximum(vhat.astype(mstype.float32), v_new)
                vhat.set_data(denominator)
            numerator = m_new * F32(b1) + (F32(1.0) - F32(b1)) * g if "nesterov" in self._options else m_new
            p = r.param.astype(mstype.float32)
            r.param.set_data(p - (numerator * F32(lr_t[r.group_index])) / (sqrt(denominator) + F32(eps)))
        return (True,) * len(grads)


class AdamWeightDecay(Optimizer):
    r"""Adam with decoupled weight decay (Loshchilov and Hutter), as MindSpore 2.10 computes it.

    Per parameter, per call (no bias correction, no loss scale, no gradient pre-pass)::

        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        update = m / (sqrt(v) + eps) + wd * p     # "+ wd * p" only where weight decay applies
        p = p - lr * update

    States ``adam_m.<name>`` and ``adam_v.<name>``. Computed in float32 and stored in the
    parameter's dtype. Departures: MindSpore's CPU kernel contracts the moments into fused
    multiply-adds and computes the last line in double, so minispore matches it to a few
    ulp; its float16 path rounds every operation (and the hyper-parameters) to float16 and
    drifts, where minispore computes float16 parameters in float32 like every other optimizer.

    Args:
        params: Parameters, or group dicts (see :class:`Optimizer`).
        learning_rate: any learning-rate form; default 1e-3.
        beta1: the decay rate of the first moment, a float in (0, 1).
        beta2: the decay rate of the second moment, a float in (0, 1).
        eps: a float > 0; default 1e-6.
        weight_decay: a float ``>= 0`` or a Cell of ``global_step``; ungrouped parameters
            whose names contain ``beta`` or ``gamma`` are not decayed.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore import nn
        >>> w = ms.Parameter(np.ones(2, np.float32), name="w")
        >>> opt = nn.AdamWeightDecay([w], learning_rate=0.1, weight_decay=0.01)
        >>> opt((ms.Tensor(np.ones(2, np.float32)),))
        (True,)
        >>> w.asnumpy()
        array([0.68278015, 0.68278015], dtype=float32)
    """

    _prim = "AdamWeightDecay"
    _centralizes = False

    def __init__(
        self,
        params: Any,
        learning_rate: Any = 1e-3,
        beta1: Any = 0.9,
        beta2: Any = 0.999,
        eps: Any = 1e-6,
        weight_decay: Any = 0.0,
    ) -> None:
        super().__init__(learning_rate, params, weight_decay)
        self.beta1_value, self.beta2_value, self.eps_value = check_adam_values("AdamWeightDecay", beta1, beta2, eps)
        self.beta1 = Tensor(np.array([beta1], F32))
        self.beta2 = Tensor(np.array([beta2], F32))
        self.eps = Tensor(np.array([eps], F32))
        self.moments1, self.moments2 = self._make_states("adam_m", "adam_v")

    def construct(self, gradients: Sequence[Tensor]) -> tuple[bool, ...]:
        """Apply one update. ``gradients`` follows ``optimizer.parameters``.

        Returns:
            A tuple of ``True``, one per parameter.

        Raises:
            RuntimeError: the wrong number of gradients, or a dynamic learning rate past
                its end. Nothing changes when any check fails.
            TypeError / ValueError: a gradient of the wrong shape or dtype, or an integer
                parameter.
        """
        values = self._begin_step(gradients, (mstype.float16, mstype.float32, mstype.float64))
        b1, b2, eps = (float(F32(x)) for x in (self.beta1_value, self.beta2_value, self.eps_value))
        if self.fused:
            return self._fused_update(ADAM_WEIGHT_DECAY, frozenset(), values, lambda g: (values.lrs[g], b1, b2, eps))
        grads, lrs, wds = values.grads, values.lrs, values.wds
        for r, m, v, grad in zip(self._records, self.moments1, self.moments2, grads):
            g = grad.astype(mstype.float32)
            m_new, v_new = _moments(m.astype(mstype.float32), v.astype(mstype.float32), g, b1, b2)
            m.set_data(m_new)
            v.set_data(v_new)
            p = r.param.astype(mstype.float32)
            update = m_new / (sqrt(v_new) + F32(eps))
            if r.decay:
                update = update + F32(wds[r.group_index]) * p
            r.param.set_data(p - F32(lrs[r.group_index]) * update)
        return (True,) * len(grads)
