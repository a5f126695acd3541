"""MindSpore's ``Optimizer`` gradient pre-pass, on Tensors: written once for every optimizer.

Per gradient, in this order (spec §1.2): weight decay (``decay_weight``), gradient
centralization (``gradients_centralization``), loss-scale division (``scale_grad``). The
per-tensor reference updates call all three; the fused path compiles the first and the
last into its kernels (:meth:`~minispore.nn.optim.rules.Element.prepared_grad`) and calls
:func:`decay` and :func:`centralize` here only for the few tensors that centralization
applies to, before the kernel.
"""

from __future__ import annotations

from minispore.common import dtype as mstype
from minispore.common.tensor import Tensor


def prepass_dtype(dtype: mstype.DType) -> mstype.DType:
    """The dtype the pre-pass computes in: the parameter's, but float32 for float64.

    MindSpore's optimizer kernels take float32 hyper-parameters, so a float64 parameter's
    update is a float32 computation; minispore runs the whole float64 step in float32.
    """
    return mstype.float32 if dtype == mstype.float64 else dtype


def centralization_applies(shape: tuple[int, ...]) -> bool:
    """MindSpore's gate for gradient centralization: ``ndim >= 2 and shape[1] % 16 == 0``."""
    return len(shape) >= 2 and shape[1] % 16 == 0


def decay(param: Tensor, grad: Tensor, weight_decay: float) -> Tensor:
    """``g = p * weight_decay + g`` in the parameter's dtype (``weight_decay`` is ``wd * loss_scale``)."""
    return param * weight_decay + grad


def centralize(grad: Tensor) -> Tensor:
    """``g - mean(g, axes 1..n-1)`` where :func:`centralization_applies`, else ``g`` unchanged."""
    if not centralization_applies(grad.shape):
        return grad
    return grad - grad.mean(axis=tuple(range(1, grad.ndim)), keep_dims=True)


def scale(grad: Tensor, grad_scale: float | None) -> Tensor:
    """``g * grad_scale`` (``float32(1 / loss_scale)``), or ``g`` when there is no loss scale."""
    return grad if grad_scale is None else grad * grad_scale


def prepared_grad(
    param: Tensor, grad: Tensor, weight_decay: float | None, centralized: bool, grad_scale: float | None
) -> Tensor:
    """The whole pre-pass of the per-tensor reference updates, returned as float32:
    :func:`decay` (when ``weight_decay`` is given), :func:`centralize` (when enabled) and
    :func:`scale`, each in :func:`prepass_dtype`."""
    work = prepass_dtype(param.dtype)
    g = grad.astype(work)
    if weight_decay is not None:
        g = decay(param.astype(work), g, weight_decay)
    if centralized:
        g = centralize(g)
    return scale(g, grad_scale).astype(mstype.float32)
