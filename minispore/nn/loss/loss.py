"""Loss cells: ``LossBase`` and the losses a classifier or regressor trains with."""

from __future__ import annotations

import numbers
from typing import Any

from minispore.common.tensor import Tensor
from minispore.common.validation import check_bool
from minispore.nn.cell import Cell
from minispore.ops.losses import (
    check_beta,
    check_class_target,
    check_logits_labels,
    check_pair,
    cross_entropy,
    l1_loss,
    mse_loss,
    reduce_loss,
    smooth_l1_loss,
    softmax_cross_entropy,
)
from minispore.ops.nn_args import (
    check_probability,
    check_reduction,
    expect_float_tensor,
)


class LossBase(Cell):
    """The base of losses: subclasses compute an elementwise loss and call :meth:`get_loss`.

    Args:
        reduction: ``'mean'`` (of all elements), ``'sum'`` or ``'none'``.

    Raises:
        ValueError: an unknown reduction.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> class Abs(nn.LossBase):
        ...     def construct(self, logits, labels):
        ...         return self.get_loss((logits - labels).abs())
        >>> Abs()(ms.Tensor([1.0, -3.0]), ms.Tensor([0.0, 0.0])).asnumpy()
        array(2., dtype=float32)
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = check_reduction(type(self).__name__, reduction)

    def get_loss(self, x: Tensor, weights: Any = 1.0) -> Tensor:
        """``x * weights`` reduced as ``reduction`` says."""
        weighted = x if isinstance(weights, numbers.Real) and weights == 1.0 else x * weights
        return reduce_loss(weighted, self.reduction)

    def extend_repr(self) -> str:
        return f"reduction={self.reduction}"


class SoftmaxCrossEntropyWithLogits(LossBase):
    """Cross entropy of ``softmax(logits)`` against labels, per sample, then reduced.

    .. math::
        \\ell_n = -\\sum_c y_{n,c} \\log \\mathrm{softmax}(x_n)_c

    Args:
        sparse: labels are class indices ``(N,)`` (int32 or int64) instead of one-hot
            or probability rows ``(N, C)``. Off by default, as in MindSpore.
        reduction: ``'none'`` by default (one loss per sample), ``'mean'`` or ``'sum'``.

    Raises:
        TypeError: non-float logits, or sparse labels that are not integers.
        ValueError: logits that are not ``(N, C)`` or labels of the wrong shape.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
        >>> loss(ms.Tensor([[0.0, 0.0]]), ms.Tensor([1], ms.int32)).asnumpy()
        array(0.6931472, dtype=float32)
    """

    def __init__(self, sparse: bool = False, reduction: str = "none") -> None:
        super().__init__(reduction)
        self.sparse = check_bool(type(self).__name__, "sparse", sparse)

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        x, y = check_logits_labels(type(self).__name__, logits, labels, self.sparse)
        return self.get_loss(softmax_cross_entropy(x, y, self.sparse))

    def extend_repr(self) -> str:
        return f"sparse={self.sparse}, reduction={self.reduction}"


class CrossEntropyLoss(LossBase):
    """Cross entropy with class weights, an ignored index and label smoothing.

    Logits are ``(C,)`` or ``(N, C, ...)`` with classes on axis 1; targets are class
    indices (int32/int64, the shape without the class axis) or class probabilities (the
    logits' shape). See :func:`minispore.ops.cross_entropy` for the formula.

    Args:
        weight: per-class weights ``(C,)`` or None.
        ignore_index: a class-index target that contributes nothing.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.
        label_smoothing: the weight of the uniform distribution, in ``[0, 1)``.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.CrossEntropyLoss()(ms.Tensor([[0.0, 0.0]]), ms.Tensor([0], ms.int32)).asnumpy()
        array(0.6931472, dtype=float32)
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(reduction)
        op = type(self).__name__
        if weight is not None:
            expect_float_tensor(op, weight, "weight")
        if isinstance(ignore_index, bool) or not isinstance(ignore_index, int):
            raise TypeError(f"For '{op}', 'ignore_index' must be an int, but got {type(ignore_index).__name__}.")
        self.weight, self.ignore_index = weight, ignore_index
        self.label_smoothing = check_probability(op, "label_smoothing", label_smoothing)

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        x, y = check_class_target(type(self).__name__, logits, labels)
        return cross_entropy(x, y, self.weight, self.ignore_index, self.reduction, self.label_smoothing)


class MSELoss(LossBase):
    """Mean squared error: ``(logits - labels)^2``, reduced (shapes broadcast).

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.MSELoss()(ms.Tensor([1.0, 3.0]), ms.Tensor([0.0, 0.0])).asnumpy()
        array(5., dtype=float32)
    """

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        x, y = check_pair(type(self).__name__, logits, labels)
        return mse_loss(x, y, self.reduction)


class L1Loss(LossBase):
    """Mean absolute error: ``|logits - labels|``, reduced (shapes broadcast).

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.L1Loss()(ms.Tensor([1.0, -3.0]), ms.Tensor([0.0, 0.0])).asnumpy()
        array(2., dtype=float32)
    """

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        x, y = check_pair(type(self).__name__, logits, labels)
        return l1_loss(x, y, self.reduction)


class SmoothL1Loss(LossBase):
    """Smooth L1 (Huber-style) loss; see :func:`minispore.ops.smooth_l1_loss` for the formula.

    Args:
        beta: the width of the quadratic zone, ``> 0``.
        reduction: ``'none'`` by default (as in MindSpore), ``'mean'`` or ``'sum'``.

    Raises:
        TypeError: a non-number ``beta``.
        RuntimeError: ``beta <= 0`` (MindSpore's error type).

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.SmoothL1Loss()(ms.Tensor([0.5, 3.0]), ms.Tensor([0.0, 0.0])).asnumpy()
        array([0.125, 2.5  ], dtype=float32)
    """

    def __init__(self, beta: float = 1.0, reduction: str = "none") -> None:
        super().__init__(reduction)
        self.beta = check_beta(type(self).__name__, beta, allow_zero=False)

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        return smooth_l1_loss(logits, labels, self.beta, self.reduction)

    def extend_repr(self) -> str:
        return f"beta={self.beta}, reduction={self.reduction}"
