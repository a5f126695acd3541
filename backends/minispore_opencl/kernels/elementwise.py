"""The ``map`` kernel: one output element from one element of each input, any strides.

The iteration shape is the output's. Operand 0 is the output and operands 1.. are the
inputs; each has an element offset and, unless the launch is *flat*, one stride per
dimension (0 where an input is broadcast). A flat kernel serves the common case where
every operand is contiguous over the coalesced shape: its index is the work-item id.
A kernel over two or more dimensions runs on a 2-D range: work-item dimension 0 is the
last array dimension and dimension 1 counts the rest, so the divisions that split the
outer index are the same for a whole row of work-items (PoCL hoists them) and the
innermost coordinate needs none.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from minispore.backend.protocol import BinaryOp, UnaryOp
from minispore_opencl.kernels.grid import guarded_kernel
from minispore_opencl.scalar_types import ScalarType, preamble, scalar_type


@dataclass(frozen=True)
class MapSpec:
    """What a ``map`` kernel computes.

    ``body`` is a C expression over the loaded inputs ``a0, a1, ...`` (each of its
    type's compute type) and the by-value parameters ``p0, p1, ...``; its value is
    stored to the output with the output type's rounding. ``helpers`` is C code placed
    before the kernel (inline functions the body calls).
    """

    out: ScalarType
    inputs: tuple[ScalarType, ...]
    body: str
    params: tuple[ScalarType, ...] = ()
    helpers: str = ""

    def __hash__(self) -> int:
        # Without the helpers' text (equal specs still hash equal); strings keep their hash.
        return hash((self.body, self.out, self.inputs, self.params))


def layout_struct(operands: int, ndim: int) -> str:
    """The ``layout_t`` struct a map kernel of ``operands`` operands and ``ndim`` dims takes.

    Host side it is one ``int64`` array: offsets, then the shape, then each operand's
    strides (see :func:`minispore_opencl.elementwise.pack_layout`).
    """
    fields = [f"long offset[{operands}];"]
    if ndim:
        fields += [f"long shape[{ndim}];", f"long stride[{operands}][{ndim}];"]
    return "typedef struct { " + " ".join(fields) + " } layout_t;\n"


def _offsets(operands: int, ndim: int) -> list[str]:
    """Statements that set ``o0, o1, ...``: each operand's element index for this work-item."""
    ops = range(operands)
    if ndim < 2:
        steps = ["i" if ndim == 0 else f"i * L.stride[{k}][0]" for k in ops]
        return [
            "const long i = get_global_id(0);",
            *(f"const long o{k} = L.offset[{k}] + {s};" for k, s in enumerate(steps)),
        ]
    last = ndim - 1
    lines = ["const long x = get_global_id(0);", "long r = get_global_id(1);"]
    lines += [f"long o{k} = L.offset[{k}] + x * L.stride[{k}][{last}];" for k in ops]
    for d in range(last - 1, 0, -1):
        lines.append(f"{{ const long c = r % L.shape[{d}]; r /= L.shape[{d}];")
        lines += [f"  o{k} += c * L.stride[{k}][{d}];" for k in ops]
        lines.append("}")
    return lines + [f"o{k} += r * L.stride[{k}][0];" for k in ops]


@cache
def map_source(spec: MapSpec, ndim: int) -> str:
    """Source of kernel ``map`` for ``spec`` over ``ndim`` strided dimensions (0: flat)."""
    operands = 1 + len(spec.inputs)
    args = [f"__global {spec.out.storage}* out"]
    args += [f"__global const {t.storage}* in{k}" for k, t in enumerate(spec.inputs)]
    args += [f"const {t.compute} p{k}" for k, t in enumerate(spec.params)]
    args.append("const layout_t L")
    loads = [f"const {t.compute} a{k} = {t.load(f'in{k}', f'o{k + 1}')};" for k, t in enumerate(spec.inputs)]
    body = [*_offsets(operands, ndim), *loads, spec.out.store("out", "o0", spec.body)]
    return (
        preamble(spec.out, *spec.inputs, *spec.params)
        + spec.helpers
        + layout_struct(operands, ndim)
        + guarded_kernel("map", args, body, 2 if ndim >= 2 else 1)
    )


_FLOAT_UNARY = {
    UnaryOp.NEG: "-a0",
    UnaryOp.EXP: "exp(a0)",
    UnaryOp.LOG: "log(a0)",
    UnaryOp.SQRT: "sqrt(a0)",
    UnaryOp.ABS: "fabs(a0)",
    # NaN stays NaN and both zeros give +0, as np.sign.
    UnaryOp.SIGN: "(a0 > 0 ? ({T})1 : (a0 < 0 ? ({T})-1 : (a0 == 0 ? ({T})0 : a0)))",
    UnaryOp.SIN: "sin(a0)",
    UnaryOp.COS: "cos(a0)",
    UnaryOp.TANH: "tanh(a0)",
    # The NumPy backend's formula, 0.5 * (tanh(x * 0.5) + 1), rounded after each step.
    UnaryOp.SIGMOID: "({T})0.5 * {R}({R}(tanh({R}(a0 * ({T})0.5))) + ({T})1)",
    UnaryOp.FLOOR: "floor(a0)",
    UnaryOp.CEIL: "ceil(a0)",
}

_INTEGER_UNARY = {
    UnaryOp.NEG: "-a0",
    UnaryOp.ABS: "(a0 < 0 ? -a0 : a0)",
    UnaryOp.SIGN: "((a0 > 0) - (a0 < 0))",
    UnaryOp.FLOOR: "a0",
    UnaryOp.CEIL: "a0",
}

_BINARY = {
    BinaryOp.ADD: "a0 + a1",
    BinaryOp.SUB: "a0 - a1",
    BinaryOp.MUL: "a0 * a1",
    BinaryOp.DIV: "a0 / a1",
    BinaryOp.POW: "pow(a0, a1)",
    # NaN wins and ties give the second operand, as np.maximum / np.minimum.
    BinaryOp.MAXIMUM: "(((a0 > a1){nan}) ? a0 : a1)",
    BinaryOp.MINIMUM: "(((a0 < a1){nan}) ? a0 : a1)",
    BinaryOp.EQ: "a0 == a1",
    BinaryOp.NE: "a0 != a1",
    BinaryOp.LT: "a0 < a1",
    BinaryOp.LE: "a0 <= a1",
    BinaryOp.GT: "a0 > a1",
    BinaryOp.GE: "a0 >= a1",
    BinaryOp.LOGICAL_AND: "(a0 != 0) && (a1 != 0)",
    BinaryOp.LOGICAL_OR: "(a0 != 0) || (a1 != 0)",
}

_INTEGER_POW = """
inline long ipow(long base, long exponent) {
    if (exponent < 0) {
        return base == 1 ? 1 : (base == -1 ? ((exponent & 1) ? -1 : 1) : 0);
    }
    ulong result = 1, b = (ulong)base;
    for (; exponent; exponent >>= 1) {
        if (exponent & 1) result *= b;
        b *= b;
    }
    return (long)result;
}
"""

_BOOL_BINARY_ERRORS = frozenset({BinaryOp.SUB, BinaryOp.DIV, BinaryOp.POW})

BOOL = scalar_type(np.dtype(np.bool_))


@cache
def unary_spec(op: UnaryOp, t: ScalarType) -> MapSpec:
    """``op`` on dtype ``t``; float-only ops reject integer and bool dtypes.

    Raises:
        TypeError: ``op`` has no meaning for ``t`` (say ``exp`` of int32).
    """
    table = _FLOAT_UNARY if t.is_float else _INTEGER_UNARY
    if t.is_bool or op not in table:
        raise TypeError(
            f"For '{op.value}', the OpenCL backend needs a float{'' if t.is_bool else ' or integer'} dtype, "
            f"but got {t.dtype}; cast the input first."
        )
    # {T} is the compute type; {R}(x) rounds x to t, as NumPy rounds each step.
    return MapSpec(t, (t,), table[op].format(T=t.compute, R="round_half" if t.is_half else ""))


@cache
def binary_spec(op: BinaryOp, t: ScalarType) -> MapSpec:
    """``op`` on two operands of dtype ``t``; comparisons give ``bool``.

    Integer ``pow`` with a negative exponent gives C's truncated answer (0 unless the
    base is 1 or -1) where NumPy raises.

    Raises:
        TypeError: ``op`` has no meaning for ``t`` (integer ``div``, ``bool - bool``).
    """
    if (t.is_bool and op in _BOOL_BINARY_ERRORS) or (op is BinaryOp.DIV and not t.is_float):
        raise TypeError(f"For '{op.value}', the OpenCL backend does not support dtype {t.dtype}; cast to float first.")
    if op is BinaryOp.POW and not t.is_float:
        return MapSpec(t, (t, t), "ipow(a0, a1)", helpers=_INTEGER_POW)
    return MapSpec(BOOL if op.is_comparison else t, (t, t), _BINARY[op].format(nan=t.or_nan("a0")))


@cache
def where_spec(condition: ScalarType, t: ScalarType) -> MapSpec:
    """``condition ? x : y`` (any nonzero condition counts as true, as in NumPy)."""
    return MapSpec(t, (condition, t, t), "a0 != 0 ? a1 : a2")


@cache
def convert_spec(out: ScalarType, source: ScalarType) -> MapSpec:
    """Copy with conversion: floats truncate toward zero into integers, nonzero is ``True``."""
    # vstore_half_rte has float and double overloads only; integers go through float.
    body = "(float)a0" if out.is_half and not source.is_float else "a0"
    return MapSpec(out, (source,), body)


@cache
def fill_spec(t: ScalarType) -> MapSpec:
    """Every element set to the parameter ``p0``."""
    return MapSpec(t, (), "p0", params=(t,))
