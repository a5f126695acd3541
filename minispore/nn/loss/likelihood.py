"""Likelihood loss cells: ``BCEWithLogitsLoss``, ``BCELoss``, ``NLLLoss``, ``KLDivLoss``.

Each validates its arguments as MindSpore 2.10 does and calls the functional op of
:mod:`minispore.ops.likelihood_losses`, where the formulas are.
"""

from __future__ import annotations

from minispore.common import dtype as mstype
from minispore.common.parameter import Parameter
from minispore.common.tensor import Tensor
from minispore.nn.loss.loss import LossBase
from minispore.ops.likelihood_losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    check_kl_reduction,
    kl_div,
    nll_loss,
)
from minispore.ops.nn_args import expect_tensor


class BCEWithLogitsLoss(LossBase):
    """Binary cross entropy on logits, with optional ``weight`` and ``pos_weight`` tensors.

    See :func:`minispore.ops.binary_cross_entropy_with_logits` for the formula.

    Args:
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.
        weight: a Tensor broadcast to the input's shape, or None.
        pos_weight: a Tensor weighting the positive term, broadcast likewise, or None.

    Raises:
        TypeError: a Parameter as ``weight`` or ``pos_weight``; non-Tensor inputs.
        ValueError: an unknown reduction.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.BCEWithLogitsLoss()(ms.Tensor([0.0]), ms.Tensor([1.0])).asnumpy()
        array(0.6931472, dtype=float32)
    """

    def __init__(self, reduction: str = "mean", weight: Tensor | None = None, pos_weight: Tensor | None = None) -> None:
        super().__init__(reduction)
        for name, value in (("weight", weight), ("pos_weight", pos_weight)):
            if isinstance(value, Parameter):
                raise TypeError(f"For '{type(self).__name__}', the '{name}' can not be a Parameter.")
            if value is not None:
                expect_tensor(type(self).__name__, value, name)
        self.weight, self.pos_weight = weight, pos_weight

    def construct(self, input: Tensor, target: Tensor) -> Tensor:
        op = type(self).__name__
        x, y = expect_tensor(op, input, "input"), expect_tensor(op, target, "target")
        return binary_cross_entropy_with_logits(x, y, self.weight, self.pos_weight, self.reduction)


class BCELoss(LossBase):
    """Binary cross entropy on probabilities in ``[0, 1]``, each log clamped at ``log(1e-12)``.

    See :func:`minispore.ops.binary_cross_entropy` for the formula.

    Args:
        weight: a Tensor broadcast to the input's shape, or None.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.BCELoss()(ms.Tensor([0.5]), ms.Tensor([1.0])).asnumpy()
        array(0.6931472, dtype=float32)
    """

    def __init__(self, weight: Tensor | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        if weight is not None:
            expect_tensor(type(self).__name__, weight, "weight")
        self.weight = weight

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        return binary_cross_entropy(logits, labels, self.weight, self.reduction)


class NLLLoss(LossBase):
    """Negative log likelihood of log-probabilities at class indices.

    See :func:`minispore.ops.nll_loss` for the formula.

    Args:
        weight: per-class weights ``(C,)``, a Float16 or Float32 Tensor, or None.
        ignore_index: a target that contributes nothing.
        reduction: ``'mean'`` (weighted), ``'sum'`` or ``'none'``.

    Raises:
        TypeError: a non-int ``ignore_index``, or a ``weight`` that is not a Float16/Float32 Tensor.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.NLLLoss()(ms.Tensor([[-1.0, -2.0]]), ms.Tensor([1], ms.int32)).asnumpy()
        array(2., dtype=float32)
    """

    def __init__(self, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(reduction)
        op = type(self).__name__
        if isinstance(ignore_index, bool) or not isinstance(ignore_index, int):
            raise TypeError(
                f"For '{op}', the type of 'ignore_index' should be 'int', but got type '{type(ignore_index).__name__}'."
            )
        if weight is not None:
            if not isinstance(weight, Tensor):
                raise TypeError(
                    f"For '{op}', the type of 'weight' should be 'Tensor', but got type '{type(weight).__name__}'."
                )
            if weight.dtype not in (mstype.float16, mstype.float32):
                raise TypeError(
                    f"For '{op}', the 'weight' should be one of [mindspore.float16, mindspore.float32], "
                    f"but got 'mindspore.{weight.dtype.name.lower()}'."
                )
        self.weight, self.ignore_index = weight, ignore_index

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        return nll_loss(logits, labels, self.weight, self.ignore_index, self.reduction)


class KLDivLoss(LossBase):
    """Kullback-Leibler divergence of ``labels`` from log-probabilities ``logits``.

    See :func:`minispore.ops.kl_div` for the formula.

    Args:
        reduction: ``'mean'`` (over all elements), ``'batchmean'``, ``'sum'`` or ``'none'``.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.KLDivLoss("sum")(ms.Tensor([0.0, 0.0]), ms.Tensor([1.0, 0.0])).asnumpy()
        array(0., dtype=float32)
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = check_kl_reduction(type(self).__name__, reduction)

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        op = type(self).__name__
        x, y = expect_tensor(op, logits, "logits"), expect_tensor(op, labels, "labels")
        return kl_div(x, y, self.reduction)

    def extend_repr(self) -> str:
        return f"reduction={self.reduction}"
