"""Convolution and pooling primitives: ``P.Conv2D``, ``P.MaxPool``, ``P.AvgPool``.

Constructor checks follow MindSpore 2.10's ``mindspore/ops/operations/nn_ops.py`` (the
same exception types and messages); the computations run on
:func:`minispore.ops.conv2d`, :func:`minispore.ops.max_pool2d` and
:func:`minispore.ops.avg_pool2d`.
"""

from __future__ import annotations

from typing import Any

from minispore.common.tensor import Tensor
from minispore.ops import nn_functional as F
from minispore.ops.operations.primitive import DATA_FORMATS, Primitive, check_format, float_input, tensor_arg


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
        self.add_prim_attr("data_format", check_format(op, data_format))
        for name, value in (("out_channel", out_channel), ("group", group)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"For '{op}', the '{name}' must be int and must > 0, but got '{value}'.")
        self.out_channel, self.group = out_channel, group
        self.add_prim_attr("groups", group)

    def __call__(self, x: Any, weight: Any) -> Tensor:
        t, w = float_input(self.name, x, 4), tensor_arg(self.name, "w", weight)
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
        self.format = check_format(op, data_format)
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
        t = float_input(self.name, x, 4)
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
        self.attrs.update(pad_mode=2 if self.pad_mode == "valid" else 1, data_format=DATA_FORMATS[self.format])

    def __call__(self, x: Any) -> Tensor:
        t = float_input(self.name, x, 4)
        return F.avg_pool2d(t, self.kernel_size, self.strides, pad_mode=self.pad_mode)
