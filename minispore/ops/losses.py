"""Loss functions on Tensors, composed from differentiable primitives (no gradient code)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from minispore.common import dtype as mstype
from minispore.common.tensor import Tensor
from minispore.ops._convert import cast_to
from minispore.ops.array import one_hot, reshape, transpose
from minispore.ops.math import abs as absolute
from minispore.ops.math import less, mean, not_equal, where
from minispore.ops.math import sum as reduce_sum
from minispore.ops.nn_args import (
    check_input,
    check_probability,
    check_reduction,
    expect_float_tensor,
    expect_tensor,
    expect_vector,
)
from minispore.ops.nn_functional import log_softmax


def reduce_loss(loss: Tensor, reduction: str) -> Tensor:
    """Apply a loss reduction: the mean or sum of all elements, or ``'none'``."""
    if reduction == "mean":
        return mean(loss)
    if reduction == "sum":
        return reduce_sum(loss)
    return loss


def check_logits_labels(op: str, logits: Any, labels: Any, sparse: bool) -> tuple[Tensor, Tensor]:
    """Logits ``(N, C)`` with class indices ``(N,)`` (sparse) or float labels ``(N, C)``."""
    x = check_input(op, logits, "2-D (N, C)", (2,))
    expect_tensor(op, labels, "labels")
    if sparse:
        if labels.dtype not in (mstype.int32, mstype.int64):
            raise TypeError(
                f"For '{op}', sparse labels must be Int32 or Int64 class indices, but got {labels.dtype}; "
                "use sparse=False for one-hot or probability labels."
            )
        if labels.shape != x.shape[:1]:
            raise ValueError(f"For '{op}', sparse labels must have shape {x.shape[:1]}, but got {labels.shape}.")
    elif labels.shape != x.shape or not labels.dtype.is_floating:
        raise ValueError(
            f"For '{op}', dense labels must be a float tensor of the logits' shape {x.shape}, but got "
            f"{labels.dtype} {labels.shape}; use sparse=True for class indices."
        )
    return x, labels


def check_class_indices(op: str, labels: Tensor, classes: int, ignore_index: int | None = None) -> None:
    """Refuse class indices outside ``[0, classes)`` (``ignore_index`` excepted).

    One-hot encoding maps such a label to a zero row, which would give a zero loss and a
    zero gradient without a word. The labels are read on the host: one small transfer of
    ``N`` ints per call, as cheap as reading back a device-side min/max reduction.

    Raises:
        RuntimeError: names the allowed range and the first label outside it (MindSpore's
            kernels raise RuntimeError for these labels).
    """
    values = labels.asnumpy()
    bad = (values < 0) | (values >= classes)
    if ignore_index is not None:
        bad &= values != ignore_index
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        allowed = f"[0, {classes})" + ("" if ignore_index is None else f" or ignore_index={ignore_index}")
        raise RuntimeError(
            f"For '{op}', every class index in the labels must be in {allowed}, but got {int(values[index])} "
            f"at position {index if len(index) != 1 else index[0]}. Check the labels against the number of "
            f"classes ({classes})."
        )


def softmax_cross_entropy(logits: Tensor, labels: Tensor, sparse: bool = False) -> Tensor:
    """Per-sample ``-sum(labels * log_softmax(logits), axis=-1)``, shape ``(N,)``.

    With ``sparse=True`` the labels are class indices (int32/int64) in ``[0, C)``, one-hot
    encoded first; a label outside that range raises RuntimeError.

    Example:
        >>> import minispore as ms
        >>> logits = ms.Tensor([[0.0, 0.0]])
        >>> ms.ops.softmax_cross_entropy(logits, ms.Tensor([1], ms.int32), sparse=True).asnumpy()
        array([0.6931472], dtype=float32)
    """
    x, y = check_logits_labels("softmax_cross_entropy", logits, labels, sparse)
    if sparse:
        check_class_indices("softmax_cross_entropy", y, x.shape[1])
    target = cast_to(one_hot(y, x.shape[1]), x.dtype) if sparse else y
    return -reduce_sum(target * log_softmax(x, -1), -1)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross entropy between logits and class indices or class probabilities (``ops.cross_entropy``).

    The class axis is 1 (or 0 for an unbatched ``(C,)`` input). With class indices
    ``y`` and class weights ``w`` (ones by default), per position
    ``l = -w[y] * log_softmax(input)[y]`` (0 where ``y == ignore_index``), and ``'mean'``
    divides the sum by ``sum(w[y])`` over the positions not ignored. With class
    probabilities ``p``, ``l = -sum_c w_c p_c log_softmax(input)_c`` and ``'mean'``
    divides by the number of positions. A class index outside ``[0, C)`` other than
    ``ignore_index`` raises RuntimeError. Label smoothing ``e`` mixes in the uniform
    distribution: ``(1 - e) * l + e / C * (-sum_c w_c log_softmax(input)_c)``.

    Example:
        >>> import minispore as ms
        >>> ms.ops.cross_entropy(ms.Tensor([[0.0, 0.0]]), ms.Tensor([0], ms.int32)).asnumpy()
        array(0.6931472, dtype=float32)
    """
    op = "cross_entropy"
    smoothing = check_probability(op, "label_smoothing", label_smoothing)
    reduction = check_reduction(op, reduction)
    x, y = check_class_target(op, input, target)
    if not y.dtype.is_floating:
        check_class_indices(op, y, x.shape[1] if x.ndim > 1 else x.shape[0], ignore_index)
    logits, labels = _class_last(x, y)
    out_shape = _batch_shape(x)
    classes = logits.shape[1]
    logp = log_softmax(logits, -1)
    w = None if weight is None else expect_vector(op, "weight", weight, classes)
    weighted = logp if w is None else logp * w
    if labels.dtype.is_floating:
        probs = labels if smoothing == 0.0 else labels * (1.0 - smoothing) + smoothing / classes
        total = reduce_loss(-reduce_sum(weighted * probs, -1), reduction)
        return reshape(total, out_shape) if reduction == "none" else total
    valid = not_equal(labels, ignore_index)
    kept = cast_to(valid, logits.dtype)
    picked = cast_to(one_hot(where(valid, labels, 0), classes), logits.dtype)
    loss = -reduce_sum(weighted * picked, -1) * kept
    smooth = -reduce_sum(weighted, -1) * kept
    if reduction == "mean":
        counted = kept if w is None else reduce_sum(picked * w, -1) * kept
        loss, smooth = reduce_sum(loss) / reduce_sum(counted), mean(smooth)
    elif reduction == "sum":
        loss, smooth = reduce_sum(loss), reduce_sum(smooth)
    total = loss if smoothing == 0.0 else loss * (1.0 - smoothing) + smooth * (smoothing / classes)
    return reshape(total, out_shape) if reduction == "none" else total


def check_class_target(op: str, input: Any, target: Any) -> tuple[Tensor, Tensor]:
    """Logits ``(C,)`` or ``(N, C, ...)`` with Int32/Int64 class indices of the shape
    without the class axis, or float class probabilities of the logits' shape."""
    x = check_input(op, input, "(C,) or (N, C, ...)", None)
    y = expect_tensor(op, target, "target")
    if y.dtype.is_floating:
        if y.shape != x.shape:
            raise ValueError(
                f"For '{op}', probability targets must have the input's shape {x.shape}, but got {y.shape}."
            )
    elif y.dtype not in (mstype.int32, mstype.int64) or y.shape != _batch_shape(x):
        raise ValueError(
            f"For '{op}', class-index targets must be Int32 or Int64 of shape {_batch_shape(x)}, "
            f"but got {y.dtype} {y.shape}."
        )
    return x, y


def _batch_shape(x: Tensor) -> tuple[int, ...]:
    return x.shape[:1] + x.shape[2:] if x.ndim > 1 else ()


def _class_last(x: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """Logits as ``(M, C)`` and targets as ``(M,)`` indices or ``(M, C)`` probabilities."""
    classes = x.shape[1] if x.ndim > 1 else x.shape[0]
    perm = (0, *range(2, x.ndim), 1) if x.ndim > 2 else tuple(range(x.ndim))
    logits = reshape(transpose(x, perm), (-1, classes))
    if target.dtype.is_floating:
        return logits, reshape(transpose(target, perm), (-1, classes))
    return logits, reshape(target, (-1,))


def check_pair(op: str, input: Any, target: Any) -> tuple[Tensor, Tensor]:
    """Float input and target whose shapes broadcast together."""
    x = expect_float_tensor(op, input)
    y = expect_float_tensor(op, target, "target")
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise ValueError(f"For '{op}', the input {x.shape} and target {y.shape} shapes cannot be broadcast.") from None
    return x, y


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Squared error ``(input - target)^2``, reduced (``ops.mse_loss``).

    Example:
        >>> import minispore as ms
        >>> ms.ops.mse_loss(ms.Tensor([1.0, 3.0]), ms.Tensor([0.0, 0.0])).asnumpy()
        array(5., dtype=float32)
    """
    x, y = check_pair("mse_loss", input, target)
    diff = x - y
    return reduce_loss(diff * diff, check_reduction("mse_loss", reduction))


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Absolute error ``|input - target|``, reduced (``ops.l1_loss``).

    Example:
        >>> import minispore as ms
        >>> ms.ops.l1_loss(ms.Tensor([1.0, -3.0]), ms.Tensor([0.0, 0.0])).asnumpy()
        array(2., dtype=float32)
    """
    x, y = check_pair("l1_loss", input, target)
    return reduce_loss(absolute(x - y), check_reduction("l1_loss", reduction))


def smooth_l1_loss(input: Tensor, target: Tensor, beta: float = 1.0, reduction: str = "none") -> Tensor:
    """Huber-style error of ``d = input - target``, reduced (``ops.smooth_l1_loss``).

    .. math::
        \\ell = \\begin{cases} 0.5 d^2 / \\beta & |d| < \\beta \\\\ |d| - 0.5 \\beta & \\text{otherwise} \\end{cases}

    ``beta == 0`` gives the L1 loss, as in MindSpore.

    Raises:
        TypeError: non-float tensors or a non-number ``beta``.
        ValueError: different shapes or an unknown reduction.
        RuntimeError: a negative ``beta``.

    Example:
        >>> import minispore as ms
        >>> ms.ops.smooth_l1_loss(ms.Tensor([0.5, 3.0]), ms.Tensor([0.0, 0.0])).asnumpy()
        array([0.125, 2.5  ], dtype=float32)
    """
    op = "smooth_l1_loss"
    width = check_beta(op, beta, allow_zero=True)
    x, y = check_pair(op, input, target)
    if x.shape != y.shape:
        raise ValueError(f"For '{op}', the input {x.shape} and target {y.shape} must have the same shape.")
    mode = check_reduction(op, reduction)
    if width == 0.0:
        return l1_loss(x, y, mode)
    diff = x - y
    size = absolute(diff)
    return reduce_loss(where(less(size, width), diff * diff * (0.5 / width), size - 0.5 * width), mode)


def check_beta(op: str, beta: Any, allow_zero: bool) -> float:
    """``beta`` as a float ``> 0`` (or ``>= 0`` where zero means L1); RuntimeError otherwise, as MindSpore."""
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real):
        raise TypeError(f"For '{op}', 'beta' must be a float, but got {type(beta).__name__} {beta!r}.")
    if beta < 0 or (beta == 0 and not allow_zero):
        raise RuntimeError(f"For '{op}', the values for beta should greater than 0, but got {beta}.")
    return float(beta)
