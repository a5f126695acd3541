"""``TypeCast``: convert a column to another element type."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from minispore.common.dtype import DType
from minispore.dataset.transforms.operation import TensorOperation


class TypeCast(TensorOperation):
    """Cast every element to ``data_type``, as ``numpy.ndarray.astype`` does.

    Floats cast to integers are truncated toward zero (``-1.7`` gives ``-1``), as MindSpore's
    TypeCast does.

    Args:
        data_type: a minispore dtype (``ms.int32``) or anything ``numpy.dtype`` accepts
            (``np.float32``, ``"int64"``).

    Raises:
        TypeError: ``data_type`` is not a numeric or bool dtype.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore.dataset import transforms
        >>> transforms.TypeCast(ms.int32)(np.array([-1.7, 2.7]))
        array([-1,  2], dtype=int32)
    """

    def __init__(self, data_type: DType | npt.DTypeLike) -> None:
        self.data_type = _numpy_dtype(data_type)

    def apply_rows(self, rows: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return rows.astype(self.data_type, copy=False)


def _numpy_dtype(data_type: DType | npt.DTypeLike) -> np.dtype[Any]:
    if isinstance(data_type, DType):
        return data_type.np_dtype
    if data_type is None:
        raise TypeError("For 'TypeCast', 'data_type' must be a dtype such as ms.int32 or np.float32, but got None.")
    try:
        dtype = np.dtype(data_type)
    except TypeError as exc:
        raise TypeError(
            f"For 'TypeCast', 'data_type' must be a dtype such as ms.int32 or np.float32, but got {data_type!r}."
        ) from exc
    if dtype.kind not in "biuf":
        raise TypeError(
            f"For 'TypeCast', 'data_type' must be a numeric or bool dtype such as ms.int32, but got {dtype}."
        )
    return dtype
