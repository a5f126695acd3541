"""Neural-network functions on Tensors: MindSpore's ``ops.conv2d``, ``ops.softmax``, …

Convolution and pooling run on the window functions of
:mod:`minispore.functions.window`; everything else is composed from the differentiable
primitives, so it needs no gradient code of its own. Argument checks live in
:mod:`minispore.ops.nn_args` and the losses in :mod:`minispore.ops.losses`.
"""

from __future__ import annotations

from typing import Any, Literal, overload

from minispore.backend.protocol import Window2d
from minispore.common.tensor import Tensor
from minispore.common.validation import check_bool, check_positive_int
from minispore.context import host_rng
from minispore.functions import linalg
from minispore.functions import window as fw
from minispore.ops._convert import on_backend, operands
from minispore.ops.array import expand_dims, reshape, stop_gradient
from minispore.ops.math import amax, exp, log, mean, mul, sqrt, sub
from minispore.ops.math import sum as reduce_sum
from minispore.ops.nn_args import (
    Padding4,
    check_input,
    check_pad_mode,
    check_probability,
    expect_float_tensor,
    expect_vector,
    int_pair,
    padding4,
    plan_window,
)


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
    groups = check_positive_int(op, "groups", groups)
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
    return out if bias is None else out + reshape(expect_vector(op, "bias", bias, w.shape[0]), (1, -1, 1, 1))


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
        divisor_override = check_positive_int(op, "divisor_override", divisor_override)
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
    out = linalg.Linear.apply(*operands(flat, w, "MatMul"))
    if bias is not None:
        out = out + expect_vector(op, "bias", bias, w.shape[0])
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
        expect_vector(op, name, value, channels)
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
