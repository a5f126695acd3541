"""Likelihood losses: binary cross entropy (on probabilities or logits), negative log
likelihood and Kullback-Leibler divergence, composed from differentiable primitives."""

from __future__ import annotations

from typing import Any

import numpy as np

from minispore.common.tensor import Tensor
from minispore.ops._convert import cast_to, on_backend
from minispore.ops.array import one_hot, reshape
from minispore.ops.losses import _batch_shape, _class_last, check_class_target, reduce_loss
from minispore.ops.math import exp, greater, greater_equal, less, log, logical_or, maximum, minimum, not_equal, where
from minispore.ops.math import sum as reduce_sum
from minispore.ops.nn_args import check_probability, check_reduction, expect_float_tensor, expect_vector

# MindSpore's BinaryCrossEntropy clamps each log at log(1e-12) = -27.631021.
_LOG_FLOOR = 1e-12


def _same_shape(op: str, input: Any, target: Any, names: tuple[str, str]) -> tuple[Tensor, Tensor]:
    x = expect_float_tensor(op, input, names[0])
    y = expect_float_tensor(op, target, names[1])
    if x.shape != y.shape:
        raise ValueError(
            f"For '{op}', '{names[0]}' and '{names[1]}' must have the same shape, but got {x.shape} and {y.shape}."
        )
    return x, y


def _broadcast_weight(op: str, name: str, weight: Any, shape: tuple[int, ...]) -> Tensor | None:
    if weight is None:
        return None
    w = expect_float_tensor(op, weight, name)
    try:
        if np.broadcast_shapes(w.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"For '{op}', the shape of '{name}' {w.shape} can not broadcast to the shape of 'input' {shape}."
        ) from None
    return w


def log_sigmoid(x: Tensor) -> Tensor:
    """``log(sigmoid(x))``, stable for any ``x`` and with exact gradients at 0.

    ``-log(1 + exp(-x))`` for ``x >= 0`` and ``x - log(1 + exp(x))`` below, each branch
    evaluated on ``x`` clamped to its side so that neither overflows.
    """
    upper, lower = maximum(x, 0.0), minimum(x, 0.0)
    return where(greater_equal(x, 0.0), -log(exp(-upper) + 1.0), lower - log(exp(lower) + 1.0))


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    pos_weight: Tensor | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross entropy of ``sigmoid(input)`` against ``target`` (``ops.binary_cross_entropy_with_logits``).

    .. math::
        \\ell = -w \\left[p_w\\, y \\log \\sigma(x) + (1 - y) \\log(1 - \\sigma(x))\\right]

    ``weight`` (``w``) and ``pos_weight`` (``p_w``, per class on the last axis) broadcast
    to the input's shape; ``log(1 - sigma(x))`` is computed as ``log(sigma(x)) - x``.

    Raises:
        TypeError: non-float tensors.
        ValueError: ``input`` and ``target`` of different shapes, weights that do not
            broadcast, or an unknown reduction.

    Example:
        >>> import minispore as ms
        >>> ms.ops.binary_cross_entropy_with_logits(ms.Tensor([0.0]), ms.Tensor([1.0])).asnumpy()
        array(0.6931472, dtype=float32)
    """
    op = "binary_cross_entropy_with_logits"
    x, y = _same_shape(op, input, target, ("input", "target"))
    mode = check_reduction(op, reduction)
    w = _broadcast_weight(op, "weight", weight, x.shape)
    pw = _broadcast_weight(op, "pos_weight", pos_weight, x.shape)
    log_p = log_sigmoid(x)
    positive = y * log_p if pw is None else pw * y * log_p
    loss = -(positive + (1.0 - y) * (log_p - x))
    return reduce_loss(loss if w is None else loss * w, mode)


def binary_cross_entropy(
    logits: Tensor, labels: Tensor, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """Binary cross entropy of probabilities ``logits`` against ``labels`` (``ops.binary_cross_entropy``).

    .. math::
        \\ell = -w \\left[y \\max(\\log x, \\log 10^{-12}) + (1 - y) \\max(\\log(1 - x), \\log 10^{-12})\\right]

    Raises:
        TypeError: non-float tensors.
        ValueError: different shapes, a weight that does not broadcast, an unknown reduction.
        RuntimeError: a probability outside ``[0, 1]``.

    Example:
        >>> import minispore as ms
        >>> ms.ops.binary_cross_entropy(ms.Tensor([0.5]), ms.Tensor([1.0])).asnumpy()
        array(0.6931472, dtype=float32)
    """
    op = "binary_cross_entropy"
    x, y = _same_shape(op, logits, labels, ("logits", "labels"))
    mode = check_reduction(op, reduction)
    w = _broadcast_weight(op, "weight", weight, x.shape)
    if bool(reduce_sum(logical_or(less(x, 0.0), greater(x, 1.0))).asnumpy()):
        raise RuntimeError(f"For '{op}', the values of 'logits' must be between 0 and 1.")
    loss = -(y * log(maximum(x, _LOG_FLOOR)) + (1.0 - y) * log(maximum(1.0 - x, _LOG_FLOOR)))
    return reduce_loss(loss if w is None else loss * w, mode)


def nll_loss(
    inputs: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Negative log likelihood of log-probabilities ``inputs`` at class indices ``target`` (``ops.nll_loss``).

    Classes lie on axis 1 of ``(N, C, ...)`` (axis 0 of ``(C,)``). Per position
    ``l = -w[t] x[t]`` and ``s = -sum_c w_c x_c``, both 0 where ``t == ignore_index``;
    ``'mean'`` divides the sums by ``sum(w[t])`` over the positions not ignored. With
    label smoothing ``e``: ``(1 - e) l + e / C \\cdot s``.

    Raises:
        TypeError: float targets or non-float inputs.
        ValueError: shapes that do not match, an unknown reduction.
        RuntimeError: a target outside ``[-C, C)`` that is not ``ignore_index``.

    Example:
        >>> import minispore as ms
        >>> ms.ops.nll_loss(ms.Tensor([[-1.0, -2.0]]), ms.Tensor([1], ms.int32)).asnumpy()
        array(2., dtype=float32)
    """
    op = "nll_loss"
    if isinstance(target, Tensor) and target.dtype.is_floating:
        raise TypeError(f"For '{op}', 'target' must be Int32 or Int64 class indices, but got {target.dtype}.")
    mode = check_reduction(op, reduction)
    smoothing = check_probability(op, "label_smoothing", label_smoothing)
    x, t = check_class_target(op, inputs, target)
    logp, labels = _class_last(x, t)
    classes = logp.shape[1]
    host = labels.asnumpy()
    kept_host = host != ignore_index
    if np.any(kept_host & ((host < -classes) | (host >= classes))):
        raise RuntimeError(f"For '{op}', the targets must be in [{-classes}, {classes}) or {ignore_index}.")
    picked_host = np.where(kept_host, host % classes, 0)
    picked = cast_to(one_hot(on_backend(picked_host.astype(np.int64), logp), classes), logp.dtype)
    kept = cast_to(not_equal(labels, ignore_index), logp.dtype)
    w = None if weight is None else expect_vector(op, "weight", weight, classes)
    weighted = logp if w is None else logp * w
    loss = -reduce_sum(weighted * picked, -1) * kept
    smooth = -reduce_sum(weighted, -1) * kept
    if mode == "mean":
        counted = reduce_sum(kept if w is None else reduce_sum(picked * w, -1) * kept)
        loss, smooth = reduce_sum(loss) / counted, reduce_sum(smooth) / counted
    elif mode == "sum":
        loss, smooth = reduce_sum(loss), reduce_sum(smooth)
    total = loss if smoothing == 0.0 else loss * (1.0 - smoothing) + smooth * (smoothing / classes)
    return reshape(total, _batch_shape(x)) if mode == "none" else total


KL_REDUCTIONS = ("none", "mean", "batchmean", "sum")


def check_kl_reduction(op: str, reduction: Any) -> str:
    """``reduction`` if it is one of :data:`KL_REDUCTIONS`, else ValueError."""
    if reduction not in KL_REDUCTIONS:
        raise ValueError(
            f"For '{op}', the 'reduction' must be str and must be in '{list(KL_REDUCTIONS)}', but got '{reduction}'."
        )
    return str(reduction)


def kl_div(logits: Tensor, labels: Tensor, reduction: str = "mean") -> Tensor:
    """Kullback-Leibler divergence of ``labels`` from log-probabilities ``logits`` (``ops.kl_div``).

    .. math::
        \\ell = \\begin{cases} y (\\log y - x) & y > 0 \\\\ 0 & y \\le 0 \\end{cases}

    ``'mean'`` divides the sum by the number of elements, ``'batchmean'`` by the batch
    size ``shape[0]``.

    Example:
        >>> import minispore as ms
        >>> ms.ops.kl_div(ms.Tensor([0.0, 0.0]), ms.Tensor([1.0, 0.0]), "sum").asnumpy()
        array(0., dtype=float32)
    """
    op = "kl_div"
    mode = check_kl_reduction(op, reduction)
    x, y = _same_shape(op, logits, labels, ("logits", "labels"))
    positive = greater(y, 0.0)
    loss = where(positive, y * (log(where(positive, y, 1.0)) - x), 0.0)
    if mode == "none":
        return loss
    total = reduce_sum(loss)
    if mode == "sum":
        return total
    return total / (x.size if mode == "mean" else (x.shape[0] if x.ndim else 1))
