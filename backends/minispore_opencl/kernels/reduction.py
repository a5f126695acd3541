"""Reductions: ``reduce`` (sum/max/min over any axes, in chunks) and ``arg_reduce``.

Both kernels give each work-item one output element. Its *kept* coordinates come from
the work-item id, split over the coalesced kept dimensions; the reduced elements are
walked with an odometer over the coalesced reduced dimensions, so a step costs an add,
not a division. ``reduce`` may also split the reduced range into ``chunks`` pieces, one
work-item each, so that a reduction to few outputs still fills the device; the host then
reduces the ``(chunks, outputs)`` partial results in a second launch.
"""

from __future__ import annotations

from functools import cache

from minispore.backend.protocol import ArgReduceOp, ReduceOp
from minispore_opencl.kernels.grid import guarded_kernel
from minispore_opencl.scalar_types import ScalarType, preamble

_COMBINE = {
    ReduceOp.SUM: "acc + v",
    # NaN propagates, as in np.max / np.min.
    ReduceOp.MAX: "((acc > v){nan}) ? acc : v",
    ReduceOp.MIN: "((acc < v){nan}) ? acc : v",
}

_BETTER = {ArgReduceOp.ARGMAX: "v > best", ArgReduceOp.ARGMIN: "v < best"}


def _better(op: ArgReduceOp, x: ScalarType) -> str:
    """Whether ``v`` replaces ``best``: the first NaN wins, then the first extreme (as NumPy)."""
    return _BETTER[op] + (" || (v != v && best == best)" if x.is_float else "")


def _kept_offset(kept: int) -> list[str]:
    """Statements adding the kept coordinates of output ``o`` to ``ptr``."""
    if not kept:
        return []
    lines = ["long r = o;"]
    for d in range(kept - 1, 0, -1):
        lines.append(f"ptr += (r % L.kept_shape[{d}]) * L.kept_stride[{d}]; r /= L.kept_shape[{d}];")
    return [*lines, "ptr += r * L.kept_stride[0];"]


def _odometer_step(d: int) -> str:
    """Advance reduced coordinate ``d`` by one, carrying into ``d - 1``."""
    step = f"ptr += L.red_stride[{d}];"
    if d == 0:
        return step
    return (
        f"{step} if (++c{d} == L.red_shape[{d}]) {{ c{d} = 0; "
        f"ptr -= L.red_shape[{d}] * L.red_stride[{d}]; {_odometer_step(d - 1)} }}"
    )


@cache
def reduce_source(op: ReduceOp, x: ScalarType, out: ScalarType, acc: str, kept: int, reduced: int) -> str:
    """Kernel ``reduce`` over an ``(outputs, chunks)`` range: ``op`` over one chunk of one output.

    Work-item ``(o, c)`` writes ``out[c * outputs + o]`` (``outputs`` is ``items0``).
    Neighbouring work-items take neighbouring outputs, so that their loads are neighbours
    too when the kept dimensions are the inner ones (a sum over the batch axis).

    ``acc`` is the C accumulator type; ``kept`` and ``reduced`` count the coalesced
    dimensions (``reduced >= 1``).
    """
    struct = (
        "typedef struct { long offset; long count; long chunk; "
        + (f"long kept_shape[{kept}]; long kept_stride[{kept}]; " if kept else "")
        + f"long red_shape[{reduced}]; long red_stride[{reduced}]; }} reduce_t;\n"
    )
    start = ["long q = lo;"]
    for d in range(reduced - 1, 0, -1):
        start.append(f"long c{d} = q % L.red_shape[{d}]; q /= L.red_shape[{d}]; ptr += c{d} * L.red_stride[{d}];")
    start.append("ptr += q * L.red_stride[0];")
    body = [
        "const long o = get_global_id(0);",
        "const long lo = get_global_id(1) * L.chunk;",
        "const long hi = min(lo + L.chunk, L.count);",
        "long ptr = L.offset;",
        *_kept_offset(kept),
        *start,
        f"{acc} acc = ({acc}){x.load('x', 'ptr')};",
        "for (long j = lo + 1; j < hi; ++j) {",
        f"    {_odometer_step(reduced - 1)}",
        f"    const {acc} v = ({acc}){x.load('x', 'ptr')};",
        f"    acc = {_COMBINE[op].format(nan=x.or_nan('acc'))};",
        "}",
        out.store("out", "get_global_id(1) * items0 + o", "acc"),
    ]
    params = [f"__global {out.storage}* out", f"__global const {x.storage}* x", "const reduce_t L"]
    return preamble(x, out) + struct + guarded_kernel("reduce", params, body, 2)


@cache
def arg_reduce_source(op: ArgReduceOp, x: ScalarType, kept: int) -> str:
    """Kernel ``arg_reduce``: the int32 index of the extreme along one axis per output."""
    struct = (
        "typedef struct { long offset; long count; long stride; "
        + (f"long kept_shape[{kept}]; long kept_stride[{kept}]; " if kept else "")
        + "} arg_reduce_t;\n"
    )
    body = [
        "const long o = get_global_id(0);",
        "long ptr = L.offset;",
        *_kept_offset(kept),
        f"{x.compute} best = {x.load('x', 'ptr')};",
        "int index = 0;",
        "for (int j = 1; j < L.count; ++j) {",
        "    ptr += L.stride;",
        f"    const {x.compute} v = {x.load('x', 'ptr')};",
        f"    if ({_better(op, x)}) {{ best = v; index = j; }}",
        "}",
        "out[o] = index;",
    ]
    params = ["__global int* out", f"__global const {x.storage}* x", "const arg_reduce_t L"]
    return preamble(x) + struct + guarded_kernel("arg_reduce", params, body, 1)
