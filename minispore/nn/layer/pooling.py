"""Pooling layers: ``MaxPool2d`` and ``AvgPool2d``."""

from __future__ import annotations

from typing import Any

from minispore.common.tensor import Tensor
from minispore.common.validation import check_bool, check_positive_int
from minispore.nn.cell import Cell
from minispore.ops.nn_args import (
    check_data_format,
    check_input,
    check_pad_mode,
    int_pair,
    padding4,
)
from minispore.ops.nn_functional import (
    avg_pool2d,
    max_pool2d,
)

_LAYOUT = "3-D (C, H, W) or 4-D (N, C, H, W)"


class _Pool2d(Cell):
    """What both pooling layers validate and show: the window, the padding and the format."""

    def __init__(
        self, kernel_size: Any, stride: Any, pad_mode: Any, padding: Any, ceil_mode: Any, data_format: Any
    ) -> None:
        super().__init__()
        op = type(self).__name__
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self._kernel = int_pair(op, "kernel_size", kernel_size)
        self._stride = int_pair(op, "stride", stride)
        self._padding = padding4(op, padding)
        self.pad_mode = check_pad_mode(op, pad_mode, self._padding)
        self.ceil_mode = check_bool(op, "ceil_mode", ceil_mode)
        check_data_format(op, data_format)
        self.format = data_format

    def extend_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, pad_mode={self.pad_mode.upper()}"


class MaxPool2d(_Pool2d):
    """2-D max pooling over ``(N, C, H, W)`` or ``(C, H, W)`` input.

    .. math::
        out_{n,c,i,j} = \\max_{p,q} x_{n,c,\\,i s_h + p d_h - top,\\,j s_w + q d_w - left}

    Args:
        kernel_size: an int or ``(kh, kw)``.
        stride: an int or ``(sh, sw)``.
        pad_mode: ``'valid'`` (the default: no padding, the output rounds down),
            ``'same'`` (output ``ceil(H / sh)``) or ``'pad'``.
        padding: with ``'pad'``: an int or ``(vertical, horizontal)``.
        dilation: with ``'pad'``: an int or ``(dh, dw)``.
        return_indices: with ``'pad'``: also return the flat index ``row * W + col``
            (int64) of each window's maximum.
        ceil_mode: with ``'pad'``: round the output size up.
        data_format: ``'NCHW'`` (``'NHWC'`` is GPU-only in MindSpore and not supported).

    Padding never wins the maximum, and the gradient goes to the first maximum of each
    window.

    Raises:
        TypeError: an argument of the wrong type; at call time, a non-float input.
        ValueError: invalid sizes, or ``padding``, ``dilation``, ``return_indices`` or
            ``ceil_mode`` set without ``pad_mode='pad'``; at call time, a wrong rank.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.MaxPool2d(kernel_size=2, stride=2)(ms.Tensor(np.zeros((1, 6, 7, 7), np.float32))).shape
        (1, 6, 3, 3)
    """

    def __init__(
        self,
        kernel_size: int | tuple[int, int] = 1,
        stride: int | tuple[int, int] = 1,
        pad_mode: str = "valid",
        padding: int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
        data_format: str = "NCHW",
    ) -> None:
        super().__init__(kernel_size, stride, pad_mode, padding, ceil_mode, data_format)
        op = "MaxPool2d"
        self.dilation = dilation
        self._dilation = int_pair(op, "dilation", dilation)
        self.return_indices = check_bool(op, "return_indices", return_indices)
        if self.pad_mode != "pad" and (self._dilation != (1, 1) or return_indices or ceil_mode):
            raise ValueError(
                f"For '{op}', 'dilation', 'return_indices' and 'ceil_mode' need pad_mode='pad', but got "
                f"pad_mode='{self.pad_mode}' with dilation={dilation}, return_indices={return_indices}, "
                f"ceil_mode={ceil_mode}."
            )

    def construct(self, x: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        check_input("MaxPool2d", x, _LAYOUT, (3, 4))
        return max_pool2d(
            x,
            self._kernel,
            self._stride,
            self._padding,
            self._dilation,
            self.return_indices,
            self.ceil_mode,
            pad_mode=self.pad_mode,
        )


class AvgPool2d(_Pool2d):
    """2-D average pooling over ``(N, C, H, W)`` or ``(C, H, W)`` input.

    .. math::
        out_{n,c,i,j} = \\frac{1}{D_{i,j}} \\sum_{p,q} x_{n,c,\\,i s_h + p - top,\\,j s_w + q - left}

    ``D`` is ``divisor_override`` if given, else the number of taps on the image: the
    whole kernel in ``'valid'`` mode, only the taps inside the image in ``'same'`` mode
    (MindSpore's CPU kernel), and with ``'pad'`` the taps inside the zero-padded image
    when ``count_include_pad`` (``ceil_mode``'s overhang never counts).

    Args:
        kernel_size: an int or ``(kh, kw)``.
        stride: an int or ``(sh, sw)``.
        pad_mode: ``'valid'`` (the default), ``'same'`` or ``'pad'``.
        padding: with ``'pad'``: an int or ``(vertical, horizontal)``.
        ceil_mode: round the output size up.
        count_include_pad: count explicit zero padding in the divisor.
        divisor_override: a fixed positive divisor.
        data_format: ``'NCHW'`` (``'NHWC'`` is GPU-only in MindSpore and not supported).

    Raises:
        TypeError: an argument of the wrong type; at call time, a non-float input.
        ValueError: invalid sizes, or ``padding`` without ``pad_mode='pad'``; at call
            time, a wrong rank.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.AvgPool2d(kernel_size=3, stride=1)(ms.Tensor(np.zeros((1, 2, 4, 4), np.float32))).shape
        (1, 2, 2, 2)
    """

    def __init__(
        self,
        kernel_size: int | tuple[int, int] = 1,
        stride: int | tuple[int, int] = 1,
        pad_mode: str = "valid",
        padding: int | tuple[int, int] = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
        data_format: str = "NCHW",
    ) -> None:
        super().__init__(kernel_size, stride, pad_mode, padding, ceil_mode, data_format)
        op = "AvgPool2d"
        self.count_include_pad = check_bool(op, "count_include_pad", count_include_pad)
        self.divisor_override = (
            None if divisor_override is None else check_positive_int(op, "divisor_override", divisor_override)
        )

    def construct(self, x: Tensor) -> Tensor:
        check_input("AvgPool2d", x, _LAYOUT, (3, 4))
        return avg_pool2d(
            x,
            self._kernel,
            self._stride,
            self._padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
            pad_mode=self.pad_mode,
        )
