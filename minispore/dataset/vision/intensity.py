"""Pixel-value maps: ``Rescale`` and ``Normalize``. Both return float32 images."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from minispore.dataset.transforms.operation import TensorOperation

_FLOAT32_MAX = float(np.finfo(np.float32).max)


class Rescale(TensorOperation):
    """``output = image * rescale + shift``, as float32.

    MindSpore computes this with OpenCV's ``convertTo``, which on an x86 CPU with AVX2 is one
    fused multiply-add per pixel in float32: ``float32(x * float32(rescale) + float32(shift))``
    rounded once. minispore evaluates the same expression in float64 (the product of two
    float32 values is exact there) and rounds to float32, which gives the fused result.

    Args:
        rescale: the scale factor.
        shift: the offset added after scaling.

    Raises:
        TypeError: ``rescale`` or ``shift`` is not a real number.
        ValueError: it does not fit in float32.

    Example:
        >>> import numpy as np
        >>> from minispore.dataset import vision
        >>> vision.Rescale(1.0 / 255.0, 0.0)(np.array([[[255]]], np.uint8))
        array([[[1.]]], dtype=float32)
    """

    def __init__(self, rescale: float, shift: float) -> None:
        self.rescale = _check_float32("Rescale", "rescale", rescale)
        self.shift = _check_float32("Rescale", "shift", shift)

    def apply_rows(self, rows: npt.NDArray[Any]) -> npt.NDArray[Any]:
        scale = np.float64(np.float32(self.rescale))
        shift = np.float64(np.float32(self.shift))
        out: npt.NDArray[np.float32] = (rows.astype(np.float64) * scale + shift).astype(np.float32)
        return out


class Normalize(TensorOperation):
    """``output[c] = (image[c] - mean[c]) / std[c]`` per channel, as float32.

    The subtraction and division are done in float32. A single ``mean``/``std`` value
    applies to every channel; an ``<H, W>`` image has one channel.

    Args:
        mean: per-channel means, each in ``[0, 255]``.
        std: per-channel standard deviations, each in ``(0, 255]``.
        is_hwc: True for ``<H, W, C>`` images, False for ``<C, H, W>``.

    Raises:
        TypeError: ``mean`` or ``std`` is not a list or tuple of numbers, or ``is_hwc`` is
            not a bool.
        ValueError: their lengths differ or a value is out of range.
        RuntimeError: (when applied) the image is not ``<H, W>``, ``<..., H, W, C>`` (HWC) or
            ``<C, H, W>`` (CHW), or ``len(mean)`` is neither 1 nor its channel count.

    Example:
        >>> import numpy as np
        >>> from minispore.dataset import vision
        >>> vision.Normalize(mean=[10.0, 20.0], std=[2.0, 4.0])(np.full((1, 1, 2), 40, np.uint8))
        array([[[15.,  5.]]], dtype=float32)
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], is_hwc: bool = True) -> None:
        self.mean = _check_channel_values("mean", mean, low_open=False)
        self.std = _check_channel_values("std", std, low_open=True)
        if len(self.mean) != len(self.std):
            raise ValueError(
                f"For 'Normalize', 'mean' and 'std' must have the same length, "
                f"but got {len(self.mean)} and {len(self.std)}."
            )
        if not isinstance(is_hwc, bool):
            raise TypeError(f"For 'Normalize', 'is_hwc' must be a bool, but got {type(is_hwc).__name__} {is_hwc!r}.")
        self.is_hwc = is_hwc

    def apply_rows(self, rows: npt.NDArray[Any]) -> npt.NDArray[Any]:
        row_ndim = rows.ndim - 1
        if row_ndim == 2:
            channels, axis = 1, None
        elif row_ndim == 3 or (row_ndim > 3 and self.is_hwc):
            axis = -1 if self.is_hwc else -3
            channels = rows.shape[axis]
        else:
            layout = "<H, W> or <..., H, W, C>" if self.is_hwc else "<H, W> or <C, H, W>"
            raise RuntimeError(f"For 'Normalize', the image must have shape {layout}, but got shape {rows.shape[1:]}.")
        if len(self.mean) not in (1, channels):
            raise RuntimeError(
                f"For 'Normalize', the image has {channels} channel(s), so 'mean' and 'std' need {channels} "
                f"values (or 1 for every channel), but got {len(self.mean)}."
            )
        shape = [1] * rows.ndim
        if axis is not None:
            shape[axis] = len(self.mean)
        mean = np.asarray(self.mean, np.float32).reshape(shape)
        std = np.asarray(self.std, np.float32).reshape(shape)
        return (rows.astype(np.float32) - mean) / std


def _check_float32(op: str, name: str, value: float) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"For '{op}', '{name}' must be a float, but got {type(value).__name__} {value!r}.")
    if not -_FLOAT32_MAX <= float(value) <= _FLOAT32_MAX:
        raise ValueError(f"For '{op}', '{name}' must fit in float32, but got {value!r}.")
    return float(value)


def _check_channel_values(name: str, values: Sequence[float], *, low_open: bool) -> tuple[float, ...]:
    if not isinstance(values, list | tuple) or not all(
        isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values
    ):
        raise TypeError(
            f"For 'Normalize', '{name}' must be a list or tuple of numbers, one per channel, but got {values!r}."
        )
    interval = "(0, 255]" if low_open else "[0, 255]"
    for i, v in enumerate(values):
        if not (0 < v <= 255 if low_open else 0 <= v <= 255):
            raise ValueError(f"For 'Normalize', '{name}[{i}]' must be in {interval}, but got {v!r}.")
    return tuple(float(v) for v in values)
