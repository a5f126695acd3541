"""``nn.RMSProp`` with MindSpore's semantics (plain and centered), one fused update per group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minispore.common import dtype as mstype
from minispore.common.tensor import Tensor
from minispore.common.validation import check_finite_at_least, check_float, check_type_bool
from minispore.nn.optim.gradients import prepared_grad
from minispore.nn.optim.optimizer import Optimizer
from minispore.nn.optim.rules import RMSPROP, RMSPROP_CENTERED
from minispore.ops.math import sqrt, where

F32 = np.float32


class RMSProp(Optimizer):
    r"""Root-mean-square propagation, as MindSpore 2.10 computes it.

    Per parameter, per call, after the pre-pass shared by every optimizer (weight decay,
    gradient centralization, loss scale)::

        ms = ms + (g * g - ms) * (1 - decay)
        mom = mom * momentum + (g * lr) / sqrt(ms + epsilon)
        p = p - mom

    Centered: ``mg = mg + (g - mg) * (1 - decay)`` and the denominator is
    ``sqrt((ms - mg * mg) + epsilon)``; where that sum is not positive the element's
    ``mom`` and ``p`` stay (MindSpore's kernel skips it). ``mean_square`` starts at
    **ones**, ``moment`` and ``mean_grad`` at zeros; ``epsilon`` sits inside the square
    root. Computed in float32 and stored in the parameter's dtype (float16 or float32);
    for float16 parameters the plain variant first rounds ``lr``, ``decay``, ``momentum``
    and ``epsilon`` to float16 (so ``epsilon=1e-10`` becomes 0), as MindSpore does.
    MindSpore's plain kernel contracts into fused multiply-adds and runs a vector loop and
    a scalar tail that round differently, so minispore matches it to a few ulp; the
    centered kernel, a plain loop, matches bit for bit.

    Args:
        params: Parameters, or group dicts (see :class:`Optimizer`).
        learning_rate: any learning-rate form; default 0.1.
        decay: a float ``>= 0``.
        momentum: a float ``>= 0``.
        epsilon: a float ``> 0``.
        use_locking: accepted for compatibility.
        centered: normalise by the centred second moment.
        loss_scale: a float ``> 0``.
        weight_decay: a float ``>= 0`` or a Cell of ``global_step``.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore import nn
        >>> w = ms.Parameter(np.ones(2, np.float32), name="w")
        >>> opt = nn.RMSProp([w], learning_rate=0.1)
        >>> opt((ms.Tensor(np.ones(2, np.float32)),))
        (True,)
        >>> w.asnumpy()
        array([0.9, 0.9], dtype=float32)
    """

    _prim = "RMSProp"

    def __init__(
        self,
        params: Any,
        learning_rate: Any = 0.1,
        decay: Any = 0.9,
        momentum: Any = 0.0,
        epsilon: Any = 1e-10,
        use_locking: Any = False,
        centered: Any = False,
        loss_scale: Any = 1.0,
        weight_decay: Any = 0.0,
    ) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        self.decay = check_finite_at_least("RMSProp", "decay", check_float("RMSProp", "decay", decay), 0.0, False)
        self.momentum = check_finite_at_least(
            "RMSProp", "momentum", check_float("RMSProp", "momentum", momentum), 0.0, False
        )
        self.epsilon = check_finite_at_least(
            "RMSProp", "epsilon", check_float("RMSProp", "epsilon", epsilon), 0.0, True
        )
        self.use_locking = check_type_bool("RMSProp", "use_locking", use_locking)
        self.centered = check_type_bool("RMSProp", "centered", centered)
        if centered:
            self.mg, self.ms, self.moment = self._make_states(
                "mean_grad", "mean_square", "moment", inits=("zeros", "ones", "zeros")
            )
        else:
            self.ms, self.moment = self._make_states("mean_square", "moment", inits=("ones", "zeros"))

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
        v = self._begin_step(gradients, (mstype.float16, mstype.float32))
        decay, momentum, epsilon = (float(F32(x)) for x in (self.decay, self.momentum, self.epsilon))
        if self.fused:
            rule = RMSPROP_CENTERED if self.centered else RMSPROP
            return self._fused_update(rule, frozenset(), v, lambda g: (v.lrs[g], decay, momentum, epsilon))
        grads, lrs, wds, grad_scale = v.grads, v.lrs, v.wds, v.grad_scale
        mgs = self.mg if self.centered else [None] * len(grads)
        for r, mg, ms, mom, grad in zip(self._records, mgs, self.ms, self.moment, grads):
            g = prepared_grad(r.param, grad, wds[r.group_index] if r.decay else None, r.grad_centralization, grad_scale)
            scalars = [F32(x) for x in (lrs[r.group_index], decay, momentum, epsilon)]
            if r.param.dtype == mstype.float16 and not self.centered:
                scalars = [F32(np.float16(x)) for x in scalars]
            lr, d, u, eps = scalars
            one_minus = F32(1.0) - d
            ms_new = ms.astype(mstype.float32) + (g * g - ms.astype(mstype.float32)) * one_minus
            ms.set_data(ms_new)
            old_mom, p = mom.astype(mstype.float32), r.param.astype(mstype.float32)
            if mg is None:
                new_mom = old_mom * u + (g * lr) / sqrt(ms_new + eps)
                mom.set_data(new_mom)
                r.param.set_data(p - new_mom)
                continue
            mg_new = mg.astype(mstype.float32) + (g - mg.astype(mstype.float32)) * one_minus
            mg.set_data(mg_new)
            denominator = (ms_new - mg_new * mg_new) + eps
            new_mom = old_mom * u + (g * lr) / sqrt(denominator)
            positive = denominator > 0
            mom.set_data(where(positive, new_mom, old_mom))
            r.param.set_data(where(positive, p - new_mom, p))
        return (True,) * len(grads)
