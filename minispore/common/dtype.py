"""MindSpore's dtype objects (``ms.float32`` prints as ``Float32``) over NumPy dtypes."""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np


class DType:
    """A tensor element type, compared and hashed by its NumPy dtype.

    Example:
        >>> import minispore as ms
        >>> ms.float32
        Float32
    """

    __slots__ = ("name", "np_dtype")

    def __init__(self, name: str, np_dtype: np.dtype[Any]) -> None:
        self.name = name
        self.np_dtype = np_dtype

    def __repr__(self) -> str:
        return self.name

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DType):
            return self.np_dtype == other.np_dtype
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.np_dtype)

    @property
    def is_floating(self) -> bool:
        """Whether this is a floating-point type (Float16, Float32, Float64)."""
        return bool(np.issubdtype(self.np_dtype, np.floating))

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return int(self.np_dtype.itemsize)


bool_ = DType("Bool", np.dtype(np.bool_))
int8 = DType("Int8", np.dtype(np.int8))
int16 = DType("Int16", np.dtype(np.int16))
int32 = DType("Int32", np.dtype(np.int32))
int64 = DType("Int64", np.dtype(np.int64))
uint8 = DType("UInt8", np.dtype(np.uint8))
float16 = DType("Float16", np.dtype(np.float16))
float32 = DType("Float32", np.dtype(np.float32))
float64 = DType("Float64", np.dtype(np.float64))

ALL: tuple[DType, ...] = (bool_, int8, int16, int32, int64, uint8, float16, float32, float64)
_BY_NUMPY = {d.np_dtype: d for d in ALL}

DTypeLike: TypeAlias = DType | np.dtype[Any] | type | str


def to_dtype(value: DTypeLike) -> DType:
    """Convert ``ms.float32``, ``np.float32``, ``np.dtype('float32')`` or ``'float32'``.

    Raises:
        TypeError: the value names no dtype that minispore supports.
    """
    if isinstance(value, DType):
        return value
    try:
        npd = np.dtype(value)
    except TypeError as exc:
        raise TypeError(f"Expected a dtype such as ms.float32, but got {value!r}.") from exc
    found = _BY_NUMPY.get(npd)
    if found is None:
        names = ", ".join(d.name for d in ALL)
        raise TypeError(f"The dtype {npd} is not supported; use one of {names}.")
    return found


def from_numpy_dtype(npd: np.dtype[Any]) -> DType:
    """The :class:`DType` of a NumPy dtype that minispore stores (a dict look-up: hot path)."""
    found = _BY_NUMPY.get(npd)
    return found if found is not None else to_dtype(npd)


def promote(a: DType, b: DType) -> DType:
    """The result dtype of an operation on two tensors, by MindSpore's rule.

    A float tensor meeting an int or bool tensor keeps its float type (Int64 with Float32
    gives Float32, where NumPy would give Float64); otherwise NumPy's table applies, which
    agrees with MindSpore's order ``bool < uint8 < int8 < … < float64`` and its
    ``int8 + uint8 -> int16``.
    """
    if a.is_floating != b.is_floating:
        return a if a.is_floating else b
    return to_dtype(np.promote_types(a.np_dtype, b.np_dtype))
