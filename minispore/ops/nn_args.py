"""Argument checks and window geometry shared by the functional ops and the layers.

The layers of :mod:`minispore.nn` call these with their own names, so that an error
always names what the user called.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from minispore.backend.protocol import Window2d
from minispore.common.tensor import Tensor
from minispore.precision import current_precision

PAD_MODES = ("valid", "same", "pad")
REDUCTIONS = ("mean", "sum", "none")
Padding4 = tuple[int, int, int, int]

# argument checks ---------------------------------------------------------------------


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
        weight: the input's dtype must equal this tensor's (unless a mixed-precision
            rule is in force: then the operation casts both).

    Raises:
        TypeError: not a float Tensor, or a dtype other than the weight's.
        ValueError: a wrong rank or channel count.
    """
    t = expect_float_tensor(op, x)
    rank_ok = t.ndim in ranks if ranks is not None else t.ndim >= 1
    if not rank_ok or (channels is not None and t.shape[channels[1]] != channels[2]):
        want = layout if channels is None else f"{layout} with {channels[0]}={channels[2]}"
        raise ValueError(f"For '{op}', the input must be {want}, but got shape {t.shape}.")
    if weight is not None and t.dtype != weight.dtype and current_precision() is None:
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


def expect_vector(op: str, name: str, value: Any, size: int) -> Tensor:
    """A float Tensor of shape ``(size,)`` (a bias, class weights, running statistics)."""
    v = expect_float_tensor(op, value, name)
    if v.shape != (size,):
        raise ValueError(f"For '{op}', '{name}' must have shape ({size},), but got {v.shape}.")
    return v
