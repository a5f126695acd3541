"""``HWC2CHW``: move the channel axis of images first."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from minispore.dataset.transforms.operation import TensorOperation


class HWC2CHW(TensorOperation):
    """Transpose an ``<H, W, C>`` image to ``<C, H, W>``; an ``<H, W>`` image is returned as is.

    Raises:
        RuntimeError: (when applied) the image is neither ``<H, W>`` nor ``<H, W, C>``.

    Example:
        >>> import numpy as np
        >>> from minispore.dataset import vision
        >>> vision.HWC2CHW()(np.zeros((32, 32, 1), np.float32)).shape
        (1, 32, 32)
    """

    def apply_rows(self, rows: npt.NDArray[Any]) -> npt.NDArray[Any]:
        row_ndim = rows.ndim - 1
        if row_ndim == 2:
            return rows
        if row_ndim != 3:
            raise RuntimeError(
                f"For 'HWC2CHW', the image must have shape <H, W> or <H, W, C>, but got shape {rows.shape[1:]}."
            )
        return np.ascontiguousarray(rows.transpose(0, 3, 1, 2))
