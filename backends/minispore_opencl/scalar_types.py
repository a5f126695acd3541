"""How each NumPy dtype is stored in OpenCL buffers and computed with in kernels.

Every dtype has a *storage* type (what the buffer holds) and a *compute* type (what a
kernel loads it into). They differ twice: ``bool`` is stored as ``uchar`` holding 0 or 1
(OpenCL's ``bool`` has no defined size), and ``float16`` is stored as ``half`` but
loaded into ``float`` with ``vload_half`` and rounded back with ``vstore_half_rte``, so
that it needs no ``cl_khr_fp16``. NumPy computes ``float16`` the same way: in
``float``, rounded to ``half`` after every operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ScalarType:
    """One dtype's OpenCL C spelling and the code that moves it between buffer and register."""

    dtype: np.dtype[Any]
    storage: str
    """The C type of buffer elements."""
    compute: str
    """The C type values are loaded into."""

    def __hash__(self) -> int:
        # The dtype alone (equal types have equal dtypes): the generated hash of all three
        # fields ran on every kernel-source lookup.
        return hash(self.dtype)

    @property
    def is_float(self) -> bool:
        return self.dtype.kind == "f"

    @property
    def is_bool(self) -> bool:
        return self.dtype.kind == "b"

    @property
    def is_half(self) -> bool:
        return self.storage == "half"

    @property
    def is_double(self) -> bool:
        return self.compute == "double"

    def load(self, ptr: str, index: str) -> str:
        """A C expression of type :attr:`compute`: element ``index`` of buffer ``ptr``."""
        if self.is_half:
            return f"vload_half({index}, {ptr})"
        return f"{ptr}[{index}]"

    def store(self, ptr: str, index: str, value: str) -> str:
        """A C statement that writes ``value`` (any arithmetic type) to element ``index``.

        ``bool`` stores ``value != 0``; ``half`` rounds to nearest even, as NumPy does.
        """
        if self.is_bool:
            return f"{ptr}[{index}] = (uchar)(({value}) != 0);"
        if self.is_half:
            return f"vstore_half_rte({value}, {index}, {ptr});"
        return f"{ptr}[{index}] = ({self.storage})({value});"

    def scalar(self, value: float | int | bool) -> np.generic:
        """``value`` as a kernel argument of type :attr:`compute`, rounded as NumPy rounds it."""
        rounded: np.generic = self.dtype.type(value)
        if self.is_half:
            rounded = np.float32(rounded)
        elif self.is_bool:
            rounded = np.uint8(rounded)
        return rounded

    def or_nan(self, expr: str) -> str:
        """A C clause ``" | (expr != expr)"`` (``expr`` is NaN) for float types, empty for the others.

        PoCL compiles ``isnan`` to a call that it never inlines, which stops the
        work-item loop from vectorising (``maximum`` ran 8x slower than ``mul``); the
        self-comparison is the same test, and ``|`` keeps the condition branch-free.
        """
        return f" | ({expr} != {expr})" if self.is_float else ""

    def rounded(self, expr: str) -> str:
        """``expr`` (of type :attr:`compute`) rounded to this dtype, as NumPy rounds each step."""
        return f"round_half({expr})" if self.is_half else expr


_TABLE: dict[np.dtype[Any], ScalarType] = {
    st.dtype: st
    for st in (
        ScalarType(np.dtype(np.bool_), "uchar", "uchar"),
        ScalarType(np.dtype(np.int8), "char", "char"),
        ScalarType(np.dtype(np.int16), "short", "short"),
        ScalarType(np.dtype(np.int32), "int", "int"),
        ScalarType(np.dtype(np.int64), "long", "long"),
        ScalarType(np.dtype(np.uint8), "uchar", "uchar"),
        ScalarType(np.dtype(np.float16), "half", "float"),
        ScalarType(np.dtype(np.float32), "float", "float"),
        ScalarType(np.dtype(np.float64), "double", "double"),
    )
}

SUPPORTED: tuple[np.dtype[Any], ...] = tuple(_TABLE)


def scalar_type(dtype: np.dtype[Any]) -> ScalarType:
    """The :class:`ScalarType` of ``dtype``.

    Raises:
        TypeError: OpenCL arrays cannot hold ``dtype``.
    """
    found = _TABLE.get(np.dtype(dtype))
    if found is None:
        names = ", ".join(str(d) for d in SUPPORTED)
        raise TypeError(f"The OpenCL backend cannot hold dtype {np.dtype(dtype)}; use one of {names}.")
    return found


def preamble(*types: ScalarType) -> str:
    """The lines every kernel source starts with, for kernels that touch ``types``.

    ``FP_CONTRACT OFF`` forbids fusing ``a*b + c`` into one rounding, so that results
    match NumPy's operation-by-operation rounding bit for bit.
    """
    lines = ["#pragma OPENCL FP_CONTRACT OFF"]
    if any(t.is_double for t in types):
        lines.append("#pragma OPENCL EXTENSION cl_khr_fp64 : enable")
    if any(t.is_half for t in types):
        lines.append(
            "inline float round_half(float x) {\n"
            "    ushort h;\n"
            "    vstore_half_rte(x, 0, (__private half*)&h);\n"
            "    return vload_half(0, (__private const half*)&h);\n"
            "}"
        )
    return "\n".join(lines) + "\n"
