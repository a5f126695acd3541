"""``P.ApplyMomentum``: one momentum step of one parameter, in place.

The arithmetic is ``nn.Momentum``'s per-tensor specification
(:func:`minispore.nn.optim.momentum.momentum_step`, without the weight-decay and loss-scale
pre-pass), so the primitive, the reference path and every fused kernel compute the same
rule.
"""

from __future__ import annotations

from typing import Any

from minispore.autograd import no_grad
from minispore.common.tensor import Tensor
from minispore.ops.array import detached_copy


def apply_momentum(
    variable: Tensor,
    accumulation: Tensor,
    learning_rate: Any,
    gradient: Tensor,
    momentum: Any,
    use_nesterov: bool = False,
) -> Tensor:
    """One momentum step, written into ``variable`` and ``accumulation`` in place.

    .. math::
        v \\leftarrow v u + g, \\qquad
        p \\leftarrow \\begin{cases}
            p - (g\\,lr + (v u)\\,lr) & \\text{Nesterov} \\\\
            p - v\\,lr & \\text{otherwise}
        \\end{cases}

    with ``v = accumulation``, ``u = momentum``, ``g = gradient``. The Nesterov form is
    MindSpore's documented (GPU) formula; MindSpore's CPU kernel ignores ``use_nesterov``.
    Nothing is recorded for gradients.

    Args:
        variable: the parameter ``p``.
        accumulation: the moment ``v``, of ``variable``'s shape.
        learning_rate: ``lr``, a number or a scalar Tensor.
        gradient: ``g``, of ``variable``'s shape.
        momentum: ``u``, a number or a scalar Tensor.
        use_nesterov: use the Nesterov update.

    Returns:
        The updated ``variable`` (a new Tensor holding its values).

    Example:
        >>> import minispore as ms
        >>> p = ms.Parameter(ms.Tensor([1.0]), name="p")
        >>> v = ms.Parameter(ms.Tensor([0.5]), name="v")
        >>> apply_momentum(p, v, 0.1, ms.Tensor([1.0]), 0.9).asnumpy(), v.asnumpy()
        (array([0.855], dtype=float32), array([1.45], dtype=float32))
    """
    from minispore.nn.optim.momentum import momentum_step  # nn imports ops: a cycle at import time

    with no_grad():
        p, v = momentum_step(
            variable, accumulation, gradient, _scalar(learning_rate), _scalar(momentum), None, False, None, use_nesterov
        )
        accumulation[...] = v.astype(accumulation.dtype)
        variable[...] = p.astype(variable.dtype)
        return detached_copy(variable)


def _scalar(value: Any) -> float:
    """A number or a one-element Tensor as a float (MindSpore passes float32 Tensors)."""
    if isinstance(value, Tensor):
        return float(value.asnumpy().reshape(-1)[0])
    return float(value)
