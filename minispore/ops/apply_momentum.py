"""The momentum update of one parameter, written with Tensor ops (``P.ApplyMomentum``'s math).

This is the readable per-tensor rule; the fused optimizer paths of ``nn.Momentum`` must
agree with it.
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
    with no_grad():
        v = accumulation * momentum + gradient
        step = gradient * learning_rate + v * momentum * learning_rate if use_nesterov else v * learning_rate
        accumulation[...] = v
        variable[...] = variable - step
        return detached_copy(variable)
