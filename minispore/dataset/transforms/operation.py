"""``TensorOperation``: the base of the built-in transforms, which run on one row or many.

A dataset pipeline hands each transform a whole stack of rows at once (one NumPy array whose
first axis indexes the rows), so that NumPy does the per-pixel work in one vectorized call
instead of one Python call per image. Called directly, a transform works on one row, as
MindSpore's eager mode does.
"""

from __future__ import annotations

import abc
from typing import Any

import numpy as np
import numpy.typing as npt


class TensorOperation(abc.ABC):
    """A transform of one column that can run on a stack of rows in one call.

    Subclasses implement :meth:`apply_rows`; ``op(row)`` applies it to a single row.

    Example:
        >>> import numpy as np
        >>> from minispore.dataset import vision
        >>> vision.HWC2CHW()(np.zeros((4, 5, 3), np.uint8)).shape
        (3, 4, 5)
    """

    def __call__(self, img: npt.ArrayLike) -> npt.NDArray[Any]:
        """Apply the transform to one row (for example one HWC image)."""
        rows = np.asarray(img)[np.newaxis]
        row: npt.NDArray[Any] = self.apply_rows(rows)[0]
        return row

    @abc.abstractmethod
    def apply_rows(self, rows: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Apply the transform to every row of ``rows`` (axis 0 indexes the rows)."""

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"
