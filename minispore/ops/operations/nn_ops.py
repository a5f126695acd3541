"""Neural-network primitives: activations, convolution, pooling, bias and the softmax losses.

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
from minispore.ops.operations.primitive import Primitive, axis_attr, bool_attr, tensor_arg

_FORMATS = {"NCHW": 0, "NHWC": 1, "NCDHW": 2}


class ReLU(Primitive):
    """``max(x, 0)`` in the input's dtype (gradient 0 at 0)."""

    def __init__(self) -> None:
        super().__init__(type(self).__name__)

    def __call__(self, x: Any) -> Tensor:
        return relu(tensor_arg(self.name, "input", x))


def _int_or_tuple(op: str, name: str, value: Any, allow_four: bool) -> tuple[int, int]:
    """A positive int, or a tuple of 2 (or 4, when allowed) positive ints, as ``(h, w)``."""
    if isinstance(value, bool) or not isinstance(value, int | tuple):
        raise TypeError(
            f"For '{op}', the type of '{name}' should be one of '['int', 'tuple']', but got type "
            f"'{type(value).__name__}'."
        )
    items = (value, value) if isinstance(value, int) else value
    if len(items) == 4 and allow_four:
        items = items[2:]
    if len(items) != 2 or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in items):
        four = "or four " if allow_four else ""
        raise ValueError(
            f"For '{op}' attr '{name}' must be an positive int number or a tuple of two {four}"
            f"positive int numbers, but got {value}"
        )
    return int(items[0]), int(items[1])


def _check_format(op: str, data_format: Any, allowed: tuple[str, ...] = ("NCHW", "NHWC")) -> str:
    if data_format not in allowed:
        raise ValueError(f"For '{op}', 'data_format' must be one of {list(allowed)}, but got {data_format!r}.")
    if data_format == "NHWC":
        raise ValueError(
            f"For '{op}', the 'NHWC' format is only supported in GPU target by MindSpore and not by minispore; "
            "use data_format='NCHW' and transpose the input with ops.transpose(x, (0, 3, 1, 2))."
        )
    return str(data_format)


def _float_input(op: str, x: Any, rank: int) -> Tensor:
    t = tensor_arg(op, "x", x)
    if not t.dtype.is_floating:
        raise TypeError(f"For '{op}', the input must be a float tensor, but got {t.dtype}.")
    if t.ndim != rank:
        raise ValueError(f"For '{op}', the input must be {rank}-D, but got shape {t.shape}.")
    return t


class Conv2D(Primitive):
    """2-D convolution of an NCHW input with an ``(out_channel, C/group, kh, kw)`` weight.

    ``P.Conv2D(out_channel, kernel_size, mode=1, pad_mode='valid', pad=0, stride=1,
    dilation=1, group=1, data_format='NCHW')(x, weight)``; ``pad`` is an int or
    ``(top, bottom, left, right)`` and needs ``pad_mode='pad'``. See
    :func:`minispore.ops.conv2d` for the formula.

    Raises:
        TypeError: arguments of the wrong type.
        ValueError: invalid arguments, or an input that is not 4-D.
        RuntimeError: a weight whose shape disagrees with ``out_channel`` or ``kernel_size``.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore.ops import operations as P
        >>> x, w = ms.Tensor(np.ones((1, 3, 5, 5), np.float32)), ms.Tensor(np.ones((4, 3, 3, 3), np.float32))
        >>> P.Conv2D(4, 3, pad_mode="same")(x, w).shape
        (1, 4, 5, 5)
    """

    def __init__(
        self,
        out_channel: int,
        kernel_size: int | tuple[int, int],
        mode: int = 1,
        pad_mode: str = "valid",
        pad: int | tuple[int, int, int, int] = 0,
        stride: int | tuple[int, ...] = 1,
        dilation: int | tuple[int, ...] = 1,
        group: int = 1,
        data_format: str = "NCHW",
    ) -> None:
        super().__init__(type(self).__name__)
        op = self.name
        self.attrs.update(out_channel=out_channel, kernel_size=kernel_size, mode=mode, pad_mode=pad_mode, pad=pad)
        self.attrs.update(stride=stride, dilation=dilation, group=group, data_format=data_format)
        self.init_prim_io_names(["x", "w"], ["output"])
        self.kernel_size = _int_or_tuple(op, "kernel_size", kernel_size, allow_four=False)
        self.stride = _int_or_tuple(op, "stride", stride, allow_four=True)
        self.dilation = _int_or_tuple(op, "dilation", dilation, allow_four=True)
        self.add_prim_attr("stride", (1, 1, *self.stride)).add_prim_attr("dilation", (1, 1, *self.dilation))
        if isinstance(pad, bool) or not isinstance(pad, int | tuple):
            raise TypeError(
                f"For '{op}', the type of 'pad' should be one of '['int', 'tuple']', but got type "
                f"'{type(pad).__name__}'."
            )
        pads = (pad,) * 4 if isinstance(pad, int) else tuple(pad)
        if len(pads) != 4:
            raise ValueError(f"For '{op}', 'pad size' must be equal to 4, but got {len(pads)}.")
        if pad_mode not in ("valid", "same", "pad"):
            raise ValueError(
                f"For '{op}', the 'pad_mode' must be str and must be in '['valid', 'same', 'pad']', "
                f"but got '{pad_mode}'."
            )
        if pad_mode != "pad" and pads != (0, 0, 0, 0):
            raise ValueError(
                f"For '{op}', the 'pad' must be zero when 'pad_mode' is not 'pad', but got 'pad': {pad} "
                f"and 'pad_mode': {pad_mode}."
            )
        if any(isinstance(p, bool) or not isinstance(p, int) or p < 0 for p in pads):
            raise ValueError(f"For '{op}', every 'pad' item must be a non-negative int, but got {pad}.")
        self.add_prim_attr("pad", pads)
        self.pad_mode, self.padding = pad_mode, pads
        if mode != 1 or isinstance(mode, bool):
            raise ValueError(f"For '{op}', the 'mode' must be int and must = 1, but got '{mode}'.")
        self.add_prim_attr("data_format", _check_format(op, data_format))
        for name, value in (("out_channel", out_channel), ("group", group)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"For '{op}', the '{name}' must be int and must > 0, but got '{value}'.")
        self.out_channel, self.group = out_channel, group
        self.add_prim_attr("groups", group)

    def __call__(self, x: Any, weight: Any) -> Tensor:
        t, w = _float_input(self.name, x, 4), tensor_arg(self.name, "w", weight)
        if w.ndim != 4 or w.shape[0] != self.out_channel or w.shape[2:] != self.kernel_size:
            raise RuntimeError(
                f"For '{self.name}', the weight must have shape ({self.out_channel}, C/group, "
                f"{self.kernel_size[0]}, {self.kernel_size[1]}) for out_channel={self.out_channel} and "
                f"kernel_size={self.kernel_size}, but got {w.shape}."
            )
        return F.conv2d(t, w, None, self.stride, self.pad_mode, self.padding, self.dilation, self.group)


class _Pool(Primitive):
    def __init__(self, kernel_size: Any, strides: Any, pad_mode: Any, data_format: Any) -> None:
        super().__init__(type(self).__name__)
        op = self.name
        self.attrs.update(kernel_size=kernel_size, strides=strides, pad_mode=pad_mode, data_format=data_format)
        mode = pad_mode.upper() if isinstance(pad_mode, str) else pad_mode
        if mode not in ("VALID", "SAME"):
            raise ValueError(
                f"For '{op}', the 'pad_mode' must be str and must be in '['VALID', 'SAME']', but got '{mode}'."
            )
        self.pad_mode = str(mode).lower()
        self.format = _check_format(op, data_format)
        self.kernel_size = _int_or_tuple(op, "kernel_size", kernel_size, allow_four=False)
        self.strides = _int_or_tuple(op, "strides", strides, allow_four=False)


class MaxPool(_Pool):
    """2-D max pooling of an NCHW input with ``'VALID'`` or ``'SAME'`` padding (padding never wins).

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore.ops import operations as P
        >>> x = ms.Tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4))
        >>> P.MaxPool(kernel_size=2, strides=2)(x).asnumpy().ravel()
        array([ 5.,  7., 13., 15.], dtype=float32)
    """

    def __init__(
        self, kernel_size: Any = 1, strides: Any = 1, pad_mode: str = "valid", data_format: str = "NCHW"
    ) -> None:
        super().__init__(kernel_size, strides, pad_mode, data_format)
        self.init_prim_io_names(["x"], ["output"])
        self.add_prim_attr("pad_mode", self.pad_mode.upper()).add_prim_attr("data_format", self.format)
        self.add_prim_attr("kernel_size", (1, 1, *self.kernel_size)).add_prim_attr("strides", (1, 1, *self.strides))

    def __call__(self, x: Any) -> Tensor:
        t = _float_input(self.name, x, 4)
        return F.max_pool2d(t, self.kernel_size, self.strides, pad_mode=self.pad_mode)


class AvgPool(_Pool):
    """2-D average pooling; with ``'SAME'`` each window divides by the taps inside the image."""

    def __init__(
        self, kernel_size: Any = 1, strides: Any = 1, pad_mode: str = "VALID", data_format: str = "NCHW"
    ) -> None:
        kernel = kernel_size[2:] if isinstance(kernel_size, tuple) and len(kernel_size) == 4 else kernel_size
        stride = strides[2:] if isinstance(strides, tuple) and len(strides) == 4 else strides
        super().__init__(kernel, stride, pad_mode, data_format)
        self.attrs.update(kernel_size=self.kernel_size, strides=self.strides)
        self.attrs.update(pad_mode=2 if self.pad_mode == "valid" else 1, data_format=_FORMATS[self.format])

    def __call__(self, x: Any) -> Tensor:
        t = _float_input(self.name, x, 4)
        return F.avg_pool2d(t, self.kernel_size, self.strides, pad_mode=self.pad_mode)


class BiasAdd(Primitive):
    """``x + bias`` with ``bias`` ``(C,)`` added along the channel axis 1 of a 2-D to 5-D input."""

    def __init__(self, data_format: str = "NCHW") -> None:
        super().__init__(type(self).__name__)
        self.format = _check_format(self.name, data_format, tuple(_FORMATS))
        self.add_prim_attr("data_format", _FORMATS[self.format])

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
        x = _float_input(self.name, logits, 2)
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
        x = _float_input(self.name, logits, 2)
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
