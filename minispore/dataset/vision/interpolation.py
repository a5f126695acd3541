"""Image resampling on stacks of HWC images, bit-compatible with OpenCV's ``cv::resize``.

MindSpore's CPU ``vision.Resize`` calls OpenCV, so these functions follow OpenCV's arithmetic
(``imgproc/src/resize.cpp``) rather than a textbook formula. Both work on arrays of shape
``(..., H, W, C)``: every leading axis is a separate image.

Bilinear (``INTER_LINEAR``), per axis with ``scale = 1 / (dst_size / src_size)``:

- the source coordinate of output index ``d`` is ``s = float32((d + 0.5) * scale - 0.5)``
  (half-pixel centres), ``s0 = floor(s)``, ``f = s - s0``; the output is
  ``(1 - f) * in[s0] + f * in[s0 + 1]``;
- columns: where ``s0 < 0`` or ``s0 >= W - 1``, the tap is clamped to the edge column with
  ``f = 0``;
- rows: the row indices are clamped to ``[0, H - 1]`` but ``f`` is kept, so an edge output row
  blends the edge input row with itself;
- uint8 images use OpenCV's fixed-point arithmetic: weights ``w = rint(weight * 2048)``, a
  horizontal pass ``t = a0 * in[x0] + a1 * in[x1]`` (exact int32), then the vertical pass of
  OpenCV's 128-bit SIMD kernel ``((t0 >> 4) * b0 >> 16) + ((t1 >> 4) * b1 >> 16)``,
  rounded with ``(v + 2) >> 2``. The last elements of an output row that do not fill a SIMD
  register use OpenCV's scalar formula ``(t0 * b0 + t1 * b1 + 2**21) >> 22`` instead (see
  :func:`_simd_prefix`); the two formulas differ by at most 1. The SIMD formula is checked
  bit for bit against MindSpore 2.10 (``tests/fixtures/dataset``); the scalar tail is read
  from OpenCV's source and assumes its baseline 128-bit build;
- float32 images are computed in float32 (float64 ones in float64), with the same taps and
  unrounded weights ``1 - f`` and ``f`` (checked bit for bit against MindSpore for float32);
  uint16 and int16 images are computed in float32, rounded half to even and saturated, as
  OpenCV's source reads (not checked against MindSpore).

Nearest (``INTER_NEAREST``): output index ``d`` reads input ``min(floor(d * scale), size - 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

_COEF_SCALE = 2048  # OpenCV's INTER_RESIZE_COEF_SCALE: weights have 11 fractional bits
_SIMD_BYTES = 16  # OpenCV's baseline x86 build vectorizes the vertical pass with 128-bit registers
_ROUNDED_FLOAT_TYPES = (np.dtype(np.uint16), np.dtype(np.int16))

SUPPORTED_DTYPES = (np.dtype(np.uint8), *_ROUNDED_FLOAT_TYPES, np.dtype(np.float32), np.dtype(np.float64))


@dataclass(frozen=True)
class _Taps:
    """For each output index along one axis: two input indices and their weights."""

    lo: npt.NDArray[np.intp]
    hi: npt.NDArray[np.intp]
    w_lo: npt.NDArray[np.float32]
    w_hi: npt.NDArray[np.float32]


def _linear_taps(src: int, dst: int, *, clamp_edges: bool) -> _Taps:
    scale = 1.0 / (dst / src)
    pos = ((np.arange(dst, dtype=np.float64) + 0.5) * scale - 0.5).astype(np.float32)
    start = np.floor(pos)
    frac = pos - start
    first = start.astype(np.intp)
    if clamp_edges:
        edge = (first < 0) | (first >= src - 1)
        frac = np.where(edge, np.float32(0.0), frac)
    lo = np.clip(first, 0, src - 1)
    hi = np.clip(first + 1, 0, src - 1)
    return _Taps(lo=lo, hi=hi, w_lo=np.float32(1.0) - frac, w_hi=frac)


def _fixed_point(weights: npt.NDArray[np.float32]) -> npt.NDArray[np.int32]:
    fixed: npt.NDArray[np.int32] = np.rint(weights * np.float32(_COEF_SCALE)).astype(np.int32)
    return fixed


def _simd_prefix(width: int) -> int:
    """How many leading elements of an output row OpenCV's SIMD vertical pass writes.

    It steps 16 uint8 lanes while a full register fits, then 8 int16 lanes while *more*
    than 8 elements remain (``x < width - 8``); the rest go through the scalar loop.
    """
    x = 0
    while x <= width - _SIMD_BYTES:
        x += _SIMD_BYTES
    while x < width - _SIMD_BYTES // 2:
        x += _SIMD_BYTES // 2
    return x


def _resize_uint8(images: npt.NDArray[np.uint8], rows: _Taps, cols: _Taps) -> npt.NDArray[np.uint8]:
    a_lo = _fixed_point(cols.w_lo)[:, np.newaxis]
    a_hi = _fixed_point(cols.w_hi)[:, np.newaxis]
    src = images.astype(np.int32)
    horizontal: npt.NDArray[np.int32] = np.take(src, cols.lo, axis=-2) * a_lo + np.take(src, cols.hi, axis=-2) * a_hi
    top: npt.NDArray[np.int32] = np.take(horizontal, rows.lo, axis=-3)
    bottom: npt.NDArray[np.int32] = np.take(horizontal, rows.hi, axis=-3)
    b_lo = _fixed_point(rows.w_lo)[:, np.newaxis, np.newaxis]
    b_hi = _fixed_point(rows.w_hi)[:, np.newaxis, np.newaxis]
    out = ((((top >> 4) * b_lo) >> 16) + (((bottom >> 4) * b_hi) >> 16) + 2) >> 2
    row_shape = (*out.shape[:-2], out.shape[-2] * out.shape[-1])
    prefix = _simd_prefix(row_shape[-1])
    if prefix < row_shape[-1]:
        scalar = ((top * b_lo + bottom * b_hi + (1 << 21)) >> 22).reshape(row_shape)
        out = out.reshape(row_shape)
        out[..., prefix:] = scalar[..., prefix:]
        out = out.reshape(top.shape)
    result: npt.NDArray[np.uint8] = np.clip(out, 0, 255).astype(np.uint8)
    return result


def _resize_float(images: npt.NDArray[Any], rows: _Taps, cols: _Taps) -> npt.NDArray[Any]:
    work = np.float64 if images.dtype == np.float64 else np.float32
    src = images.astype(work, copy=False)
    a_lo = cols.w_lo.astype(work)[:, np.newaxis]
    a_hi = cols.w_hi.astype(work)[:, np.newaxis]
    horizontal = np.take(src, cols.lo, axis=-2) * a_lo + np.take(src, cols.hi, axis=-2) * a_hi
    b_lo = rows.w_lo.astype(work)[:, np.newaxis, np.newaxis]
    b_hi = rows.w_hi.astype(work)[:, np.newaxis, np.newaxis]
    out = np.take(horizontal, rows.lo, axis=-3) * b_lo + np.take(horizontal, rows.hi, axis=-3) * b_hi
    if images.dtype in _ROUNDED_FLOAT_TYPES:
        info = np.iinfo(images.dtype)
        return np.clip(np.rint(out), info.min, info.max).astype(images.dtype)
    return out.astype(images.dtype, copy=False)


def resize_linear(images: npt.NDArray[Any], height: int, width: int) -> npt.NDArray[Any]:
    """Bilinear resize of ``(..., H, W, C)`` images to ``(..., height, width, C)``, as OpenCV.

    The dtype is kept. See the module docstring for the exact arithmetic.

    Example:
        >>> import numpy as np
        >>> img = np.array([[0, 100], [100, 200]], np.uint8)[:, :, None]
        >>> resize_linear(img, 3, 3)[:, :, 0]
        array([[  0,  50, 100],
               [ 50, 100, 150],
               [100, 150, 200]], dtype=uint8)
    """
    src_h, src_w = images.shape[-3], images.shape[-2]
    if (src_h, src_w) == (height, width):
        same: npt.NDArray[Any] = images.copy()
        return same
    rows = _linear_taps(src_h, height, clamp_edges=False)
    cols = _linear_taps(src_w, width, clamp_edges=True)
    if images.dtype == np.uint8:
        return _resize_uint8(images, rows, cols)
    return _resize_float(images, rows, cols)


def resize_nearest(images: npt.NDArray[Any], height: int, width: int) -> npt.NDArray[Any]:
    """Nearest-neighbour resize of ``(..., H, W, C)`` images, as OpenCV's ``INTER_NEAREST``.

    Example:
        >>> import numpy as np
        >>> resize_nearest(np.arange(4).reshape(1, 4, 1), 1, 3)[0, :, 0]
        array([0, 1, 2])
    """
    src_h, src_w = images.shape[-3], images.shape[-2]
    rows = _nearest_index(src_h, height)
    cols = _nearest_index(src_w, width)
    return np.take(np.take(images, rows, axis=-3), cols, axis=-2)


def _nearest_index(src: int, dst: int) -> npt.NDArray[np.intp]:
    scale = 1.0 / (dst / src)
    index: npt.NDArray[np.intp] = np.minimum(np.floor(np.arange(dst) * scale).astype(np.intp), src - 1)
    return index
