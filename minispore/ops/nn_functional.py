"""Neural-network functions on Tensors: MindSpore's ``ops.conv2d``, ``ops.softmax``, losses, …

Convolution and pooling run on the window functions of
:mod:`minispore.functions.window`; everything else is composed from the differentiable
primitives, so it needs no gradient code of its own. The argument checkers at the top
are shared with the layers of :mod:`minispore.nn`, which call them with their own
names so that an error always names what the user called.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Literal, overload

import numpy as np

from minispore.backend.protocol import Window2d
from minispore.common import dtype as mstype
from minispore.common.tensor import Tensor
from minispore.context import host_rng
from minispore.functions import window as fw
from minispore.ops._convert import cast_to, on_backend
from minispore.ops.array import expand_dims, one_hot, reshape, stop_gradient, transpose
from minispore.ops.math import abs as absolute
from minispore.ops.math import amax, exp, log, matmul, mean, mul, not_equal, sqrt, sub, where
from minispore.ops.math import sum as reduce_sum

PAD_MODES = ("valid", "same", "pad")
REDUCTIONS = ("mean", "sum", "none")
Padding4 = tuple[int, int, int, int]

# argument checks ---------------------------------------------------------------------


def positive_int(op: str, name: str, value: Any) -> int:
    """``value`` as an int ``>= 1``; TypeError for non-ints (bools included), else ValueError."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"For '{op}', '{name}' must be an int, but got {type(value).__name__} {value!r}.")
    if value < 1:
        raise ValueError(f"For '{op}', '{name}' must be a positive int, but got {value}.")
    return int(value)


def check_bool(op: str, name: str, value: Any) -> bool:
    """``value`` if it is a bool, else TypeError."""
    if not isinstance(value, bool):
        raise TypeError(f"For '{op}', '{name}' must be a bool, but got {type(value).__name__} {value!r}.")
    return value


def int_pair(op: str, name: str, value: Any) -> tuple[int, int]:
    """An int or a tuple of one or two ints as ``(height, width)``, each ``>= 1``."""
    items = (value,) if isinstance(value, int | np.integer) and not isinstance(value, bool) else value
    if not isinstance(items, tuple | list) or any(isinstance(v, bool) or not isinstance(v, int) for v in items):
        raise TypeError(f"For '{op}', '{name}' must be an int or a tuple of 2 ints, but got {value!r}.")
    if len(items) not in (1, 2):
        raise ValueError(f"For '{op}', '{name}' must be an int or a tuple of 2 ints, but got {len(items)} values.")
    pair = (int(items[0]), int(items[-1]))
    if min(pair) < 1:
        raise ValueError(f"For '{op}', '{name}' must be positive, but got {value!r}.")
    return pair


def padding4(op: str, value: Any) -> Padding4:
    """``padding`` as ``(top, bottom, left, right)``.

    An int pads all sides; a tuple of 2 is ``(vertical, horizontal)``; a tuple of 4 is
    ``(top, bottom, left, right)``, as MindSpore's ``Conv2d`` takes it.
    """
    items = (value,) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(items, tuple | list) or any(isinstance(v, bool) or not isinstance(v, int) for v in items):
        raise TypeError(f"For '{op}', 'padding' must be an int or a tuple of ints, but got {value!r}.")
    if len(items) == 1:
        pads = (items[0],) * 4
    elif len(items) == 2:
        pads = (items[0], items[0], items[1], items[1])
    elif len(items) == 4:
        pads = tuple(items)
    else:
        raise ValueError(f"For '{op}', 'padding' must hold 1, 2 or 4 ints, but got {len(items)}: {value!r}.")
    if min(pads) < 0:
        raise ValueError(f"For '{op}', 'padding' must not be negative, but got {value!r}.")
    return (int(pads[0]), int(pads[1]), int(pads[2]), int(pads[3]))


def check_pad_mode(op: str, pad_mode: Any, padding: Padding4) -> str:
    """The lower-cased ``pad_mode``; only ``'pad'`` may come with non-zero ``padding``."""
    if not isinstance(pad_mode, str) or pad_mode.lower() not in PAD_MODES:
        raise ValueError(f"For '{op}', 'pad_mode' must be one of 'valid', 'same', 'pad', but got {pad_mode!r}.")
    mode = pad_mode.lower()
    if mode != "pad" and any(padding):
        raise ValueError(
            f"For '{op}', 'padding' must be 0 when 'pad_mode' is '{mode}', but got {padding}; "
            "set pad_mode='pad' to pad explicitly."
        )
    return mode


def check_data_format(op: str, data_format: Any) -> None:
    """Accept ``'NCHW'``; reject ``'NHWC'`` (GPU-only in MindSpore) and anything else."""
    if data_format == "NHWC":
        raise ValueError(
            f"For '{op}', data_format 'NHWC' runs only on GPU in MindSpore and minispore does not support it; "
            "use data_format='NCHW' and transpose the input with ops.transpose(x, (0, 3, 1, 2))."
        )
    if data_format != "NCHW":
        raise ValueError(f"For '{op}', 'data_format' must be 'NCHW', but got {data_format!r}.")


def expect_tensor(op: str, x: Any, name: str = "input") -> Tensor:
    """``x`` if it is a Tensor, else TypeError."""
    if not isinstance(x, Tensor):
        raise TypeError(f"For '{op}', the {name} must be a Tensor, but got {type(x).__name__}.")
    return x


def expect_float_tensor(op: str, x: Any, name: str = "input") -> Tensor:
    """``x`` if it is a floating-point Tensor, else TypeError."""
    t = expect_tensor(op, x, name)
    if not t.dtype.is_floating:
        raise TypeError(
            f"For '{op}', the {name} must be a float tensor (Float16, Float32 or Float64), but got {t.dtype}; "
            f"convert it with {name}.astype(ms.float32)."
        )
    return t


def check_input(
    op: str,
    x: Any,
    layout: str,
    ranks: tuple[int, ...] | None,
    channels: tuple[str, int, int] | None = None,
    weight: Tensor | None = None,
) -> Tensor:
    """``x`` as a float Tensor of an accepted rank, channel count and dtype.

    Args:
        op: the name in the message (``'Conv2d'``, ``'conv2d'``).
        x: the input.
        layout: the expected shape in words, such as ``"4-D (N, C, H, W)"``.
        ranks: the accepted ranks; None accepts any rank from 1.
        channels: ``(label, axis, count)``: ``x.shape[axis]`` must be ``count``.
        weight: the input's dtype must equal this tensor's.

    Raises:
        TypeError: not a float Tensor, or a dtype other than the weight's.
        ValueError: a wrong rank or channel count.
    """
    t = expect_float_tensor(op, x)
    rank_ok = t.ndim in ranks if ranks is not None else t.ndim >= 1
    if not rank_ok or (channels is not None and t.shape[channels[1]] != channels[2]):
        want = layout if channels is None else f"{layout} with {channels[0]}={channels[2]}"
        raise ValueError(f"For '{op}', the input must be {want}, but got shape {t.shape}.")
    if weight is not None and t.dtype != weight.dtype:
        raise TypeError(
            f"For '{op}', the input dtype {t.dtype} must match the weight dtype {weight.dtype}; "
            f"convert the input with x.astype(ms.{weight.dtype.name.lower()})."
        )
    return t


def check_reduction(op: str, reduction: Any) -> str:
    """``reduction`` if it is ``'mean'``, ``'sum'`` or ``'none'``, else ValueError."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"For '{op}', 'reduction' must be one of 'mean', 'sum', 'none', but got {reduction!r}.")
    return str(reduction)


def check_probability(op: str, name: str, value: Any) -> float:
    """``value`` as a float in ``[0, 1)``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"For '{op}', '{name}' must be a float, but got {type(value).__name__} {value!r}.")
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"For '{op}', '{name}' must be in the range [0, 1), but got {value}.")
    return float(value)


# window geometry ----------------------------------------------------------------------


def same_padding(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """MindSpore's ``'same'`` padding ``(before, after)`` of one spatial axis.

    .. math::
        total = \\max((\\lceil size / stride \\rceil - 1)\\,stride + (kernel - 1)\\,dilation + 1 - size, 0)

    ``before = total // 2``; the odd pixel goes after (bottom, right).
    """
    total = max((math.ceil(size / stride) - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def _ceil_overhang(size: int, kernel: int, stride: int, dilation: int, before: int, after: int) -> int:
    """Extra trailing padding that ``ceil_mode`` needs; the last window must start inside."""
    span = size + before + after - dilation * (kernel - 1) - 1
    count = -(-span // stride) + 1
    if (count - 1) * stride >= size + before:
        count -= 1
    return max((count - 1) * stride + dilation * (kernel - 1) + 1 - (size + before + after), 0)


def plan_window(
    op: str,
    size: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    mode: str,
    padding: Padding4,
    ceil_mode: bool = False,
) -> Window2d:
    """The :class:`Window2d` of a convolution or pooling over an input of ``size`` (H, W).

    Raises:
        ValueError: the (padded) input is smaller than the dilated kernel.
    """
    if mode == "same":
        top, bottom = same_padding(size[0], kernel[0], stride[0], dilation[0])
        left, right = same_padding(size[1], kernel[1], stride[1], dilation[1])
    else:
        top, bottom, left, right = padding
    if ceil_mode:
        bottom += _ceil_overhang(size[0], kernel[0], stride[0], dilation[0], top, bottom)
        right += _ceil_overhang(size[1], kernel[1], stride[1], dilation[1], left, right)
    window = Window2d(kernel, stride, dilation, (top, bottom, left, right))
    if min(window.output_size(*size)) < 1:
        reach = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
        raise ValueError(
            f"For '{op}', the input's spatial size {size} with padding {padding} is smaller than the "
            f"dilated kernel {reach}; use a larger input, a smaller kernel or more padding."
        )
    return window


# convolution, pooling, dense ------------------------------------------------------------


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    pad_mode: str = "valid",
    padding: int | tuple[int, ...] = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation of an NCHW ``input`` with OIHW ``weight`` (``ops.conv2d``).

    .. math::
        out_{n,o} = bias_o + \\sum_{c \\in group(o)} weight_{o,c} \\star input_{n,c}

    Args:
        input: ``(N, C_in, H, W)``.
        weight: ``(C_out, C_in / groups, kh, kw)``.
        bias: ``(C_out,)`` or None.
        stride: an int or ``(sh, sw)``.
        pad_mode: ``'valid'`` (no padding), ``'same'`` (output ``ceil(H / sh)``, the odd
            padding pixel at the bottom/right) or ``'pad'`` (``padding`` zeros).
        padding: with ``'pad'``: an int, ``(vertical, horizontal)`` or
            ``(top, bottom, left, right)``.
        dilation: an int or ``(dh, dw)``.
        groups: channel groups; ``C_in`` and ``C_out`` must be multiples of it.

    Returns:
        ``(N, C_out, OH, OW)``.

    Raises:
        TypeError: non-float tensors, or input and weight of different dtypes.
        ValueError: inconsistent shapes or arguments.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> x = ms.Tensor(np.ones((1, 1, 4, 4), np.float32))
        >>> w = ms.Tensor(np.ones((2, 1, 3, 3), np.float32))
        >>> ms.ops.conv2d(x, w, pad_mode="same").shape
        (1, 2, 4, 4)
    """
    op = "conv2d"
    w = expect_float_tensor(op, weight, "weight")
    groups = positive_int(op, "groups", groups)
    if w.ndim != 4 or w.shape[0] % groups:
        raise ValueError(
            f"For '{op}', 'weight' must be 4-D (C_out, C_in/groups, kh, kw) with C_out divisible by "
            f"groups={groups}, but got shape {w.shape}."
        )
    x = check_input(op, input, "4-D (N, C, H, W)", (4,), ("C", 1, w.shape[1] * groups), weight=w)
    pads = padding4(op, padding)
    window = plan_window(
        op,
        (x.shape[2], x.shape[3]),
        (w.shape[2], w.shape[3]),
        int_pair(op, "stride", stride),
        int_pair(op, "dilation", dilation),
        check_pad_mode(op, pad_mode, pads),
        pads,
    )
    out = fw.Conv2d.apply(x, w, window=window, groups=groups)
    return out if bias is None else out + reshape(_vector(op, "bias", bias, w.shape[0]), (1, -1, 1, 1))


def _vector(op: str, name: str, value: Any, size: int) -> Tensor:
    """A float Tensor of shape ``(size,)`` (a bias, class weights, running statistics)."""
    v = expect_float_tensor(op, value, name)
    if v.shape != (size,):
        raise ValueError(f"For '{op}', '{name}' must have shape ({size},), but got {v.shape}.")
    return v


def _pool_window(
    op: str,
    x: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
    pad_mode: str,
) -> tuple[Tensor, Window2d, Padding4, bool]:
    """The 4-D input, the window, the explicit padding and whether the input had no batch axis."""
    t = check_input(op, x, "3-D (C, H, W) or 4-D (N, C, H, W)", (3, 4))
    kernel = int_pair(op, "kernel_size", kernel_size)
    dilations = int_pair(op, "dilation", dilation)
    pads = padding4(op, padding)
    half = tuple((d * (k - 1) + 1) // 2 for k, d in zip(kernel, dilations))
    if max(pads[:2]) > half[0] or max(pads[2:]) > half[1]:
        raise ValueError(
            f"For '{op}', 'padding' {pads} must not exceed half the dilated kernel, {half} here, so that every "
            "window covers some of the image."
        )
    window = plan_window(
        op,
        (t.shape[-2], t.shape[-1]),
        kernel,
        kernel if stride is None else int_pair(op, "stride", stride),
        dilations,
        check_pad_mode(op, pad_mode, pads),
        pads,
        check_bool(op, "ceil_mode", ceil_mode),
    )
    unbatched = t.ndim == 3
    return (expand_dims(t, 0) if unbatched else t), window, pads, unbatched


def _restore(t: Tensor, unbatched: bool) -> Tensor:
    return reshape(t, t.shape[1:]) if unbatched else t


@overload
def max_pool2d(
    x: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = ...,
    padding: int | tuple[int, ...] = ...,
    dilation: int | tuple[int, int] = ...,
    return_indices: Literal[False] = ...,
    ceil_mode: bool = ...,
    *,
    pad_mode: str = ...,
) -> Tensor: ...


@overload
def max_pool2d(
    x: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = ...,
    padding: int | tuple[int, ...] = ...,
    dilation: int | tuple[int, int] = ...,
    return_indices: bool = ...,
    ceil_mode: bool = ...,
    *,
    pad_mode: str = ...,
) -> Tensor | tuple[Tensor, Tensor]: ...


def max_pool2d(
    x: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, ...] = 0,
    dilation: int | tuple[int, int] = 1,
    return_indices: bool = False,
    ceil_mode: bool = False,
    *,
    pad_mode: str = "pad",
) -> Tensor | tuple[Tensor, Tensor]:
    """2-D max pooling (``ops.max_pool2d``); padding never wins (it reads -inf).

    .. math::
        out_{n,c,i,j} = \\max_{p,q} x_{n,c,\\,i s_h + p d_h - top,\\,j s_w + q d_w - left}

    Args:
        x: ``(N, C, H, W)`` or ``(C, H, W)``.
        kernel_size: an int or ``(kh, kw)``.
        stride: an int or ``(sh, sw)``; None means ``kernel_size``.
        padding: explicit padding (int, 2 or 4 ints) for ``pad_mode='pad'``.
        dilation: an int or ``(dh, dw)``.
        return_indices: also return the flat index ``row * W + col`` (int64) of each
            window's first maximum.
        ceil_mode: round the output size up instead of down.
        pad_mode: minispore's extension used by ``nn.MaxPool2d``: ``'pad'`` (the
            default, as ``ops.max_pool2d``), ``'valid'`` or ``'same'``.

    The gradient flows to the first maximum of each window.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> x = ms.Tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4))
        >>> ms.ops.max_pool2d(x, 2).asnumpy().ravel()
        array([ 5.,  7., 13., 15.], dtype=float32)
    """
    op = "max_pool2d"
    check_bool(op, "return_indices", return_indices)
    t, window, _, unbatched = _pool_window(op, x, kernel_size, stride, padding, dilation, ceil_mode, pad_mode)
    out = _restore(fw.MaxPool2d.apply(t, window=window), unbatched)
    if return_indices:
        return out, _restore(fw.MaxPool2dIndices.apply(t, window=window), unbatched)
    return out


def avg_pool2d(
    input: Tensor,
    kernel_size: int | tuple[int, int] = 1,
    stride: int | tuple[int, int] | None = 1,
    padding: int | tuple[int, ...] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    *,
    pad_mode: str = "pad",
) -> Tensor:
    """2-D average pooling (``ops.avg_pool2d``).

    .. math::
        out_{n,c,i,j} = \\frac{1}{D_{i,j}} \\sum_{p,q} x_{n,c,\\,i s_h + p - top,\\,j s_w + q - left}

    ``D`` is ``divisor_override`` if given; otherwise the number of taps that fall on the
    image, counting explicit ``'pad'`` padding when ``count_include_pad`` is True (never
    ``ceil_mode``'s overhang, and never ``'same'`` padding, as MindSpore's CPU kernel).

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``.
        kernel_size: an int or ``(kh, kw)``.
        stride: an int or ``(sh, sw)``; None means ``kernel_size``.
        padding: explicit padding (int, 2 or 4 ints) for ``pad_mode='pad'``.
        ceil_mode: round the output size up instead of down.
        count_include_pad: count the zero padding in ``D``.
        divisor_override: a fixed positive divisor.
        pad_mode: minispore's extension used by ``nn.AvgPool2d``: ``'pad'`` (the
            default, as ``ops.avg_pool2d``), ``'valid'`` or ``'same'``.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> x = ms.Tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4))
        >>> ms.ops.avg_pool2d(x, 2, 2).asnumpy().ravel()
        array([ 2.5,  4.5, 10.5, 12.5], dtype=float32)
    """
    op = "avg_pool2d"
    include = check_bool(op, "count_include_pad", count_include_pad)
    if divisor_override is not None:
        divisor_override = positive_int(op, "divisor_override", divisor_override)
    t, window, pads, unbatched = _pool_window(op, input, kernel_size, stride, padding, 1, ceil_mode, pad_mode)
    counted = pads if include and pad_mode.lower() == "pad" else (0, 0, 0, 0)
    out = fw.AvgPool2d.apply(t, window=window, counted=counted, divisor_override=divisor_override)
    return _restore(out, unbatched)


def dense(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """A fully connected layer: ``input @ weight.T + bias`` (``ops.dense``).

    Args:
        input: ``(*, in)``; leading axes are flattened for the product and restored.
        weight: ``(out, in)``.
        bias: ``(out,)`` or None.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> x = ms.Tensor(np.ones((2, 3), np.float32))
        >>> ms.ops.dense(x, ms.Tensor(np.ones((4, 3), np.float32))).shape
        (2, 4)
    """
    op = "dense"
    w = expect_float_tensor(op, weight, "weight")
    if w.ndim != 2:
        raise ValueError(f"For '{op}', 'weight' must be 2-D (out, in), but got shape {w.shape}.")
    x = check_input(op, input, "at least 1-D (*, in)", None, ("in", -1, w.shape[1]), weight=w)
    flat = x if x.ndim == 2 else reshape(x, (-1, w.shape[1]))
    out = matmul(flat, transpose(w, (1, 0)))
    if bias is not None:
        out = out + _vector(op, "bias", bias, w.shape[0])
    return out if x.ndim == 2 else reshape(out, (*x.shape[:-1], w.shape[0]))


def batch_norm(
    input_x: Tensor,
    running_mean: Tensor,
    running_var: Tensor,
    weight: Tensor,
    bias: Tensor,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalization over the channel axis 1 of ``(N, C)`` or ``(N, C, H, W)`` (``ops.batch_norm``).

    .. math::
        y = \\frac{x - \\mu}{\\sqrt{\\sigma^2 + eps}} \\gamma + \\beta

    In training, ``mu`` and ``sigma^2`` are the batch mean and the biased batch variance
    (divided by the number of elements per channel, as MindSpore's CPU kernel), and the
    running statistics are updated in place with
    ``running = (1 - momentum) * running + momentum * batch``. Otherwise the running
    statistics are used. Gradients flow through the batch statistics.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> x = ms.Tensor(np.array([[1.0], [3.0]], np.float32))
        >>> running_mean, running_var = ms.Tensor([0.0]), ms.Tensor([1.0])
        >>> gamma, beta = ms.Tensor([1.0]), ms.Tensor([0.0])
        >>> y = ms.ops.batch_norm(x, running_mean, running_var, gamma, beta, training=True, eps=0.0)
        >>> y.asnumpy().ravel(), running_mean.asnumpy()
        (array([-1.,  1.], dtype=float32), array([0.2], dtype=float32))
    """
    op = "batch_norm"
    x = check_input(op, input_x, "2-D (N, C) or 4-D (N, C, H, W)", (2, 4))
    channels = x.shape[1]
    running_mean, running_var, weight, bias = (
        _vector(op, name, value, channels)
        for name, value in (
            ("running_mean", running_mean),
            ("running_var", running_var),
            ("weight", weight),
            ("bias", bias),
        )
    )
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    shape = (1, channels) + (1,) * (x.ndim - 2)
    use_batch = check_bool(op, "training", training)
    if use_batch:
        mu = mean(x, axes, keep_dims=True)
        centered = x - mu
        var = mean(centered * centered, axes, keep_dims=True)
    else:
        centered = x - reshape(running_mean, shape)
        var = reshape(running_var, shape)
    out = centered / sqrt(var + eps) * reshape(weight, shape) + reshape(bias, shape)
    if use_batch:
        for running, batch in ((running_mean, mu), (running_var, var)):
            running[...] = running * (1.0 - momentum) + reshape(stop_gradient(batch), (channels,)) * momentum
    return out


# activations and dropout -------------------------------------------------------------------


def _shifted(op: str, x: Tensor, axis: int) -> Tensor:
    """``x - max(x, axis)``, the max held constant: exact gradients, no overflow in exp."""
    t = expect_float_tensor(op, x)
    return sub(t, stop_gradient(amax(t, axis, keepdims=True)))


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x), axis)``, computed from ``x - max(x)``.

    Example:
        >>> import minispore as ms
        >>> ms.ops.softmax(ms.Tensor([0.0, 0.0])).asnumpy()
        array([0.5, 0.5], dtype=float32)
    """
    e = exp(_shifted("softmax", x, axis))
    return e / reduce_sum(e, axis, keepdims=True)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``x - log(sum(exp(x), axis))``, computed from ``x - max(x)``.

    Example:
        >>> import minispore as ms
        >>> ms.ops.log_softmax(ms.Tensor([0.0, 0.0])).asnumpy()
        array([-0.6931472, -0.6931472], dtype=float32)
    """
    shifted = _shifted("log_softmax", x, axis)
    return shifted - log(reduce_sum(exp(shifted), axis, keepdims=True))


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.

    The mask is drawn on the host from the generator that ``ms.set_seed`` seeds, so
    every backend drops the same elements. Outside training, or with ``p == 0``, the
    input is returned unchanged.

    Example:
        >>> import minispore as ms
        >>> x = ms.Tensor([1.0, 2.0])
        >>> ms.ops.dropout(x, p=0.5, training=False) is x
        True
    """
    op = "dropout"
    rate = check_probability(op, "p", p)
    x = expect_float_tensor(op, input)
    if not check_bool(op, "training", training) or rate == 0.0:
        return x
    keep = host_rng().random(x.shape) >= rate
    mask = (keep / (1.0 - rate)).astype(x.dtype.np_dtype)
    return mul(x, on_backend(mask, x))


# losses -------------------------------------------------------------------------------------


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


def softmax_cross_entropy(logits: Tensor, labels: Tensor, sparse: bool = False) -> Tensor:
    """Per-sample ``-sum(labels * log_softmax(logits), axis=-1)``, shape ``(N,)``.

    With ``sparse=True`` the labels are class indices (int32/int64), one-hot encoded
    first. A label outside ``[0, C)`` selects no class and contributes 0.

    Example:
        >>> import minispore as ms
        >>> logits = ms.Tensor([[0.0, 0.0]])
        >>> ms.ops.softmax_cross_entropy(logits, ms.Tensor([1], ms.int32), sparse=True).asnumpy()
        array([0.6931472], dtype=float32)
    """
    x, y = check_logits_labels("softmax_cross_entropy", logits, labels, sparse)
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
    divides by the number of positions. Label smoothing ``e`` mixes in the uniform
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
    logits, labels = _class_last(x, y)
    out_shape = _batch_shape(x)
    classes = logits.shape[1]
    logp = log_softmax(logits, -1)
    w = None if weight is None else _vector(op, "weight", weight, classes)
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
