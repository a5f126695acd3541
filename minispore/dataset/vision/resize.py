"""``Resize``: resample images to a new height and width."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from minispore.dataset.transforms.operation import TensorOperation
from minispore.dataset.vision.inter import Inter
from minispore.dataset.vision.interpolation import SUPPORTED_DTYPES, resize_linear, resize_nearest

_MAX_SIZE = 16777216
_RESAMPLERS = {Inter.LINEAR: resize_linear, Inter.NEAREST: resize_nearest}


class Resize(TensorOperation):
    """Resize ``<H, W>`` or ``<..., H, W, C>`` images, as MindSpore's CPU ``vision.Resize``.

    The arithmetic is OpenCV's ``cv::resize`` (which MindSpore calls), including its
    fixed-point rounding for uint8 images; see
    :mod:`minispore.dataset.vision.interpolation`. The output has the input's dtype.

    Args:
        size: ``(height, width)``, or one int: the shorter edge becomes ``size`` and the
            longer one ``floor(float32(long / short) * size)``, keeping the aspect ratio.
        interpolation: ``Inter.LINEAR`` (``Inter.BILINEAR``, bilinear with half-pixel
            centres) or ``Inter.NEAREST``.

    Raises:
        TypeError: ``size`` is not an int or a pair of ints, or ``interpolation`` is not an
            :class:`Inter`.
        ValueError: a size is not in ``[1, 16777216]``, or the mode is one that minispore
            does not implement (``CUBIC``, ``AREA``, ``ANTIALIAS``, ``PILCUBIC``).
        RuntimeError: (when applied) the image is not ``<H, W>`` or ``<..., H, W, C>``, or
            its dtype is not uint8, uint16, int16, float32 or float64.

    Example:
        >>> import numpy as np
        >>> from minispore.dataset import vision
        >>> vision.Resize((32, 32))(np.zeros((28, 28, 1), np.uint8)).shape
        (32, 32, 1)
        >>> vision.Resize(32)(np.zeros((28, 40, 3), np.uint8)).shape
        (32, 45, 3)
    """

    def __init__(self, size: int | Sequence[int], interpolation: Inter = Inter.LINEAR) -> None:
        self.size = _check_size(size)
        if not isinstance(interpolation, Inter):
            raise TypeError(
                f"For 'Resize', 'interpolation' must be a vision.Inter such as Inter.LINEAR, "
                f"but got {type(interpolation).__name__} {interpolation!r}."
            )
        if interpolation not in _RESAMPLERS:
            raise ValueError(
                f"For 'Resize', 'interpolation' {interpolation!r} is not implemented in minispore; "
                f"use Inter.LINEAR or Inter.NEAREST."
            )
        self.interpolation = interpolation

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        """The ``(height, width)`` that an input of ``height`` by ``width`` is resized to."""
        if len(self.size) == 2:
            return self.size[0], self.size[1]
        short = self.size[0]
        if height < width:
            return short, int(np.floor(np.float32(width) / np.float32(height) * np.float32(short)))
        return int(np.floor(np.float32(height) / np.float32(width) * np.float32(short))), short

    def apply_rows(self, rows: npt.NDArray[Any]) -> npt.NDArray[Any]:
        row_ndim = rows.ndim - 1
        if row_ndim < 2:
            raise RuntimeError(
                f"For 'Resize', the image must have shape <H, W> or <..., H, W, C>, but got shape {rows.shape[1:]}."
            )
        if rows.dtype not in SUPPORTED_DTYPES:
            names = ", ".join(str(d) for d in SUPPORTED_DTYPES)
            raise RuntimeError(
                f"For 'Resize', the image dtype must be one of {names}, but got {rows.dtype}. "
                f"Cast it first, e.g. with transforms.TypeCast(ms.float32)."
            )
        images = rows[..., np.newaxis] if row_ndim == 2 else rows
        height, width = self.output_size(images.shape[-3], images.shape[-2])
        out = _RESAMPLERS[self.interpolation](images, height, width)
        return out[..., 0] if row_ndim == 2 else out


def _check_size(size: int | Sequence[int]) -> tuple[int, ...]:
    values = (size,) if isinstance(size, int) else size
    if (
        not isinstance(values, Sequence)
        or len(values) not in (1, 2)
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    ):
        raise TypeError(
            f"For 'Resize', 'size' must be an int or a sequence of two ints (height, width), but got {size!r}."
        )
    if not all(1 <= v <= _MAX_SIZE for v in values):
        raise ValueError(f"For 'Resize', every value of 'size' must be in [1, {_MAX_SIZE}], but got {size!r}.")
    return tuple(int(v) for v in values)
