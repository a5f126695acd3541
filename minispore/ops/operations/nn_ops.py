"""Neural-network primitives: activations, bias, softmax, the softmax losses and ApplyMomentum.

Constructor checks follow MindSpore 2.10's ``mindspore/ops/operations/nn_ops.py`` (the
same exception types); the computations run on :mod:`minispore.ops.nn_functional`.
"""

from __future__ import annotations

import numbers
from typing import Any

from minispore.common import dtype as mstype
from minispore.common.tensor import Tensor
from minispore.ops import nn_functional as F
from minispore.ops._convert import cast_to
from minispore.ops.apply_momentum import apply_momentum
from minispore.ops.array import one_hot, reshape, stop_gradient
from minispore.ops.losses import softmax_cross_entropy
from minispore.ops.math import mean, relu
from minispore.ops.operations.primitive import (
    DATA_FORMATS,
    Primitive,
    axis_attr,
    bool_attr,
    check_format,
    float_input,
    tensor_arg,
)


class ReLU(Primitive):
    """``max(x, 0)`` in the input's dtype (gradient 0 at 0)."""

    def __init__(self) -> None:
        super().__init__(type(self).__name__)

    def __call__(self, x: Any) -> Tensor:
        return relu(tensor_arg(self.name, "input", x))


class BiasAdd(Primitive):
    """``x + bias`` with ``bias`` ``(C,)`` added along the channel axis 1 of a 2-D to 5-D input."""

    def __init__(self, data_format: str = "NCHW") -> None:
        super().__init__(type(self).__name__)
        self.format = check_format(self.name, data_format, tuple(DATA_FORMATS))
        self.add_prim_attr("data_format", DATA_FORMATS[self.format])

    def __call__(self, x: Any, bias: Any) -> Tensor:
        t, b = tensor_arg(self.name, "input_x", x), tensor_arg(self.name, "bias", bias)
        if not 2 <= t.ndim <= 5:
            raise ValueError(f"For primitive[{self.name}], the rank of input_x must be in [2,5], but got {t.ndim}.")
        if b.shape != t.shape[1:2]:
            raise ValueError(
                f"For '{self.name}', 'bias' must have shape ({t.shape[1]},) to match axis 1 of the input "
                f"{t.shape}, but got {b.shape}."
            )
        if b.dtype != t.dtype:
            raise TypeError(
                f"For primitive[{self.name}], the input type must be same, but got {t.dtype} and {b.dtype}."
            )
        return t + reshape(b, (-1,) + (1,) * (t.ndim - 2))


class Softmax(Primitive):
    """``exp(x) / sum(exp(x), axis)``; ``axis`` is an int or a tuple of one int."""

    def __init__(self, axis: int | tuple[int, ...] = -1) -> None:
        super().__init__(type(self).__name__)
        self.axis = axis_attr(self.name, axis)
        self.add_prim_attr("axis", self.axis if isinstance(self.axis, tuple) else (self.axis,))

    def __call__(self, x: Any) -> Tensor:
        return F.softmax(*_axis_input(self.name, x, self.attrs["axis"]))


class LogSoftmax(Primitive):
    """``x - log(sum(exp(x), axis))``."""

    def __init__(self, axis: int = -1) -> None:
        super().__init__(type(self).__name__)
        self.axis = axis_attr(self.name, axis)
        self.add_prim_attr("axis", self.axis)

    def __call__(self, x: Any) -> Tensor:
        return F.log_softmax(*_axis_input(self.name, x, self.axis))


def _axis_input(op: str, x: Any, axis: int | tuple[int, ...]) -> tuple[Tensor, int]:
    t = tensor_arg(op, "x", x)
    if not t.dtype.is_floating:
        raise TypeError(f"For primitive[{op}], the input argument[x] must be a float tensor, but got {t.dtype}.")
    axes = axis if isinstance(axis, tuple) else (axis,)
    if len(axes) != 1 or not -t.ndim <= axes[0] < max(t.ndim, 1):
        raise ValueError(f"For primitive[{op}], the axis must be one int in [{-t.ndim},{t.ndim}), but got {axis}.")
    return t, axes[0]


class SoftmaxCrossEntropyWithLogits(Primitive):
    """Per-sample cross entropy of ``(N, C)`` logits against ``(N, C)`` label rows, and its gradient.

    .. math::
        loss_n = -\\sum_c y_{n,c} \\log \\mathrm{softmax}(x_n)_c, \\qquad
        dlogits = \\mathrm{softmax}(x) - y

    Returns ``(loss, dlogits)``; ``dlogits`` carries no gradient, nor do the labels (as in
    MindSpore). The gradient of ``loss`` is ``softmax(x) * sum_c(y) - y``, MindSpore's
    ``softmax(x) - y`` when label rows sum to 1.

    Example:
        >>> import minispore as ms
        >>> from minispore.ops import operations as P
        >>> loss, dlogits = P.SoftmaxCrossEntropyWithLogits()(ms.Tensor([[0.0, 0.0]]), ms.Tensor([[0.0, 1.0]]))
        >>> loss.asnumpy(), dlogits.asnumpy()
        (array([0.6931472], dtype=float32), array([[ 0.5, -0.5]], dtype=float32))
    """

    def __init__(self) -> None:
        super().__init__(type(self).__name__)

    def __call__(self, logits: Any, labels: Any) -> tuple[Tensor, Tensor]:
        x = float_input(self.name, logits, 2)
        y = tensor_arg(self.name, "labels", labels)
        if x.dtype != y.dtype:
            raise TypeError(
                f"For primitive[{self.name}], the input type must be same, but got {x.dtype} and {y.dtype}."
            )
        if y.shape != x.shape:
            raise ValueError(
                f"For '{self.name}', 'labels' shape must be consistent with 'logits' shape, but got 'labels' "
                f"shape: {y.shape}, 'logits' shape: {x.shape}."
            )
        y = stop_gradient(y)
        return softmax_cross_entropy(x, y), stop_gradient(F.softmax(x, -1) - y)


class SparseSoftmaxCrossEntropyWithLogits(Primitive):
    """The mean cross entropy of ``(N, C)`` logits against class indices ``(N,)``.

    .. math::
        loss = -\\frac{1}{N} \\sum_n \\log \\mathrm{softmax}(x_n)_{y_n}

    A label outside ``[0, C)`` contributes 0 (and still counts in ``N``). With
    ``is_grad=True`` the output is instead the gradient ``(softmax(x) - onehot(y)) / N``.

    Example:
        >>> import minispore as ms
        >>> from minispore.ops import operations as P
        >>> P.SparseSoftmaxCrossEntropyWithLogits()(ms.Tensor([[0.0, 0.0]]), ms.Tensor([1], ms.int32)).asnumpy()
        array(0.6931472, dtype=float32)
    """

    def __init__(self, is_grad: bool = False) -> None:
        super().__init__(type(self).__name__)
        self.add_prim_attr("is_grad", is_grad)
        self.is_grad = bool_attr(self.name, "is_grad", is_grad)
        self.init_prim_io_names(["features", "labels"], ["output"])
        self.add_prim_attr("sens", 1.0)

    def __call__(self, logits: Any, labels: Any) -> Tensor:
        x = float_input(self.name, logits, 2)
        y = tensor_arg(self.name, "labels", labels)
        if y.dtype not in (mstype.int32, mstype.int64):
            raise TypeError(f"For primitive[{self.name}], 'labels' must be Int32 or Int64, but got {y.dtype}.")
        if y.shape != x.shape[:1]:
            raise ValueError(
                f"For '{self.name}', 'labels' must have the shape of 'logits' without its last axis, "
                f"{x.shape[:1]}, but got {y.shape}."
            )
        if not self.is_grad:
            return mean(softmax_cross_entropy(x, y, sparse=True))
        with_classes = F.softmax(x, -1) - cast_to(one_hot(y, x.shape[1]), x.dtype)
        return stop_gradient(with_classes / x.shape[0])


class ApplyMomentum(Primitive):
    """The momentum update of one parameter, in place: see
    :func:`minispore.ops.apply_momentum.apply_momentum` for the formula.

    ``P.ApplyMomentum(use_locking=False, use_nesterov=False, gradient_scale=1.0)(variable,
    accumulation, learning_rate, gradient, momentum)`` returns the updated ``variable``.
    ``use_nesterov`` follows MindSpore's documented formula (its CPU kernel ignores it);
    ``use_locking`` and ``gradient_scale`` are recorded and, as on MindSpore's CPU, unused.

    Raises:
        TypeError: a non-bool flag, or a ``gradient_scale`` that is not a float.
        ValueError: a gradient or accumulation of another shape than ``variable``.
    """

    def __init__(self, use_nesterov: bool = False, use_locking: bool = False, gradient_scale: float = 1.0) -> None:
        super().__init__(type(self).__name__)
        for name, value in (("use_nesterov", use_nesterov), ("use_locking", use_locking)):
            if not isinstance(value, bool):
                raise TypeError(f"For '{self.name}', the '{name}' must be a bool, but got {type(value).__name__}.")
        if isinstance(gradient_scale, bool) or not isinstance(gradient_scale, float):
            raise TypeError(
                f"For '{self.name}', the type of 'gradient_scale' should be 'float', but got type "
                f"'{type(gradient_scale).__name__}'."
            )
        self.attrs.update(use_nesterov=use_nesterov, use_locking=use_locking, gradient_scale=gradient_scale)
        self.init_prim_io_names(["variable", "accumulation", "learning_rate", "gradient", "momentum"], ["output"])
        self.add_prim_attr("side_effect_mem", True)
        self.use_nesterov = use_nesterov

    def __call__(self, variable: Any, accumulation: Any, learning_rate: Any, gradient: Any, momentum: Any) -> Tensor:
        p = tensor_arg(self.name, "variable", variable)
        for name, t in (("accumulation", accumulation), ("gradient", gradient)):
            if tensor_arg(self.name, name, t).shape != p.shape:
                raise ValueError(
                    f"For primitive[{self.name}], the {name} shape must be equal to variable shape "
                    f"{p.shape}, but got {t.shape}."
                )
        for name, value in (("learning_rate", learning_rate), ("momentum", momentum)):
            if not isinstance(value, Tensor | numbers.Real) or isinstance(value, bool):
                raise TypeError(
                    f"For '{self.name}', '{name}' must be a number or a Tensor, but got {type(value).__name__}."
                )
        if not p.dtype.is_floating:
            raise TypeError(f"For '{self.name}', 'variable' must be a float tensor, but got {p.dtype}.")
        return apply_momentum(p, accumulation, learning_rate, gradient, momentum, self.use_nesterov)
