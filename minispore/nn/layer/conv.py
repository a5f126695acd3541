"""``nn.Conv2d``: 2-D convolution with MindSpore's defaults (``pad_mode='same'``, no bias)."""

from __future__ import annotations

from typing import Any

from minispore.common import dtype as mstype
from minispore.common.dtype import DTypeLike
from minispore.common.parameter import Parameter
from minispore.common.tensor import Tensor
from minispore.common.validation import check_bool, check_positive_int
from minispore.nn.cell import Cell
from minispore.nn.layer._default_init import bias_parameter, weight_parameter
from minispore.ops.nn_args import (
    check_data_format,
    check_input,
    check_pad_mode,
    int_pair,
    padding4,
)
from minispore.ops.nn_functional import (
    conv2d,
)


class Conv2d(Cell):
    """2-D convolution (cross-correlation) over NCHW input.

    .. math::
        out_{n,o} = bias_o + \\sum_{c \\in group(o)} weight_{o,c} \\star x_{n,c}

    Args:
        in_channels: input channels ``C_in``.
        out_channels: output channels ``C_out``.
        kernel_size: an int or ``(kh, kw)``.
        stride: an int or ``(sh, sw)``.
        pad_mode: ``'same'`` (the default: output ``ceil(H / sh)``, the odd padding pixel
            at the bottom/right), ``'valid'`` (no padding) or ``'pad'``.
        padding: with ``'pad'`` only: an int or ``(top, bottom, left, right)``.
        dilation: an int or ``(dh, dw)``.
        group: channel groups; ``C_in`` and ``C_out`` must be multiples of it.
        has_bias: add a learned bias (off by default, as in MindSpore).
        weight_init: an initializer, its name, or a Tensor; None means
            ``HeUniform(negative_slope=sqrt(5))``, i.e. ``U(±1/sqrt(fan_in))``.
        bias_init: likewise; None means ``U(±1/sqrt(fan_in))``.
        data_format: ``'NCHW'`` (``'NHWC'`` is GPU-only in MindSpore and not supported).
        dtype: the parameters' dtype.

    Parameters are ``weight`` of shape ``(C_out, C_in / group, kh, kw)`` and, with
    ``has_bias``, ``bias`` of shape ``(C_out,)``.

    Raises:
        TypeError: an argument of the wrong type; at call time, a non-float input.
        ValueError: invalid sizes, ``padding`` without ``pad_mode='pad'``, ``'NHWC'``;
            at call time, an input that is not ``(N, C_in, H, W)``.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore import nn
        >>> conv = nn.Conv2d(1, 6, 5, pad_mode="valid")
        >>> conv(ms.Tensor(np.zeros((2, 1, 32, 32), np.float32))).shape
        (2, 6, 28, 28)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        pad_mode: str = "same",
        padding: int | tuple[int, int, int, int] = 0,
        dilation: int | tuple[int, int] = 1,
        group: int = 1,
        has_bias: bool = False,
        weight_init: Any = None,
        bias_init: Any = None,
        data_format: str = "NCHW",
        dtype: DTypeLike = mstype.float32,
    ) -> None:
        super().__init__()
        op = "Conv2d"
        self.in_channels = check_positive_int(op, "in_channels", in_channels)
        self.out_channels = check_positive_int(op, "out_channels", out_channels)
        self.group = check_positive_int(op, "group", group)
        if in_channels % group or out_channels % group:
            raise ValueError(
                f"For '{op}', 'in_channels' ({in_channels}) and 'out_channels' ({out_channels}) must both be "
                f"divisible by 'group' ({group})."
            )
        self.kernel_size = int_pair(op, "kernel_size", kernel_size)
        self.stride = int_pair(op, "stride", stride)
        self.dilation = int_pair(op, "dilation", dilation)
        self.padding = padding4(op, padding)
        self.pad_mode = check_pad_mode(op, pad_mode, self.padding)
        check_data_format(op, data_format)
        self.format = data_format
        self.has_bias = check_bool(op, "has_bias", has_bias)
        self.weight_init, self.bias_init = weight_init, bias_init
        shape = (out_channels, in_channels // group, *self.kernel_size)
        self.weight = weight_parameter(weight_init, shape, dtype)
        fan_in = shape[1] * shape[2] * shape[3]
        self.bias: Parameter | None = bias_parameter(bias_init, out_channels, fan_in, dtype) if has_bias else None

    def construct(self, x: Tensor) -> Tensor:
        check_input("Conv2d", x, "4-D (N, C, H, W)", (4,), ("C", 1, self.in_channels), weight=self.weight)
        return conv2d(x, self.weight, self.bias, self.stride, self.pad_mode, self.padding, self.dilation, self.group)

    def extend_repr(self) -> str:
        return (
            f"input_channels={self.in_channels}, output_channels={self.out_channels}, "
            f"kernel_size={self.kernel_size}, stride={self.stride}, pad_mode={self.pad_mode}, "
            f"padding={self.padding}, dilation={self.dilation}, group={self.group}, has_bias={self.has_bias}, "
            f"weight_init={self.weight_init}, bias_init={self.bias_init}, format={self.format}"
        )
