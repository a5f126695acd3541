"""Max pooling over NCHW arrays and its gradient.

Every kernel writes its taps out for one kernel size (a source per size), so that the
body has no loop and PoCL vectorises it across work-items; indices are ``int`` where
they fit and are split with :func:`~minispore_opencl.kernels.window.divide`.

Measured on PoCL, LeNet5's first pool (32x6x28x28, 2x2 stride 2), against tap loops
with ``long`` index math: ``max_pool_grad`` 2.0 ms to 0.24 ms alone, 1.4 ms to 0.41 ms
inside a training step. ``max_pool`` ran 0.94 ms to 0.29 ms alone on a flat range, but
inside the step (after the ReLU that writes its input) it took about 0.57 ms against the
loops' 0.47-0.55 (device time of the launch, best of 10 steps); on rows of output pixels,
as here, it takes 0.20-0.26 ms alone and about 0.50 ms in the step.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from minispore_opencl.kernels.grid import guarded_kernel
from minispore_opencl.kernels.matmul_vector import vector_access
from minispore_opencl.kernels.window import Geometry, divide, gather, input_pixel, read_tap, taps, window_kernel
from minispore_opencl.scalar_types import ScalarType, preamble, scalar_type


def _beats(v: str, best: str, is_float: bool) -> str:
    """C condition: tap value ``v`` replaces ``best`` (a larger value, or the first NaN),
    branch-free so that the work-item loop vectorises."""
    nan_wins = f" | (({v} != {v}) & ({best} == {best}))" if is_float else ""
    return f"({v} > {best}){nan_wins}"


@cache
def max_pool_source(t: ScalarType, kernel: tuple[int, int], index: str, geometry: Geometry | None, padded: bool) -> str:
    """Kernel ``max_pool`` over an ``(OW, N*C*OH)`` range: one window per work-item.

    The first maximal tap in row-major order wins (padding reads ``low``, a NaN beats any
    number), as NumPy's ``argmax`` over the unfolded window. A padding tap loads from a
    clamped index and selects ``low`` instead of branching; without ``padded`` every tap
    lies inside the image and loads with no test.
    """
    lines = [
        f"""
const index_t ox = get_global_id(0), row = get_global_id(1);
const index_t nc = {divide(index, "row", "oh")}, oy = row - nc * L.oh;
const index_t o = row * L.ow + ox;
const index_t top = oy * L.sh - L.top, left = ox * L.sw - L.left;
const index_t image = L.offset + nc * L.area;
{t.compute} best = 0;
int tap = 0;"""
    ]
    read = read_tap(t, padded, "low")
    for i, j in taps(kernel):
        better = "1" if (i, j) == (0, 0) else _beats("v", "best", t.is_float)
        lines.append(
            f"""{{
    const index_t y = top + {i} * L.dh, xx = left + {j} * L.dw;
    {read}
    const int better = {better};
    best = better ? v : best;
    tap = better ? {i * kernel[1] + j} : tap;
}}"""
        )
    lines += [t.store("out", "o", "best"), "taps[o] = tap;"]
    params = [
        f"__global {t.storage}* out",
        "__global int* taps",
        f"__global const {t.storage}* x",
        f"const {t.compute} low",
    ]
    return window_kernel("max_pool", t, index, params, "\n".join(lines).strip().splitlines(), 2, geometry)


@cache
def max_pool_grad_source(
    t: ScalarType, kernel: tuple[int, int], index: str, geometry: Geometry | None, disjoint: bool
) -> str:
    """Kernel ``max_pool_grad`` over an ``N*C*H*W`` range: each pixel sums the gradients of
    the windows whose chosen tap it is, taps in the order ``i, j`` (as ``col2im``).

    ``disjoint`` windows (a stride at least the window's reach on both axes) give a pixel
    at most one window, ``oy = py / sh``, and at most one tap, ``i`` with ``i*dh = py % sh``:
    the pixel reads that window's gradient and tap once, and selects. Either way a pixel
    is a sum from ``+0.0`` (``-0.0`` gradients give ``+0.0``, as in the compiled CPU kernel).
    """
    if disjoint:
        rows = "\n".join(f"ti = ry == {i} * L.dh ? {i} : ti;" for i in range(kernel[0]))
        columns = "\n".join(f"tj = rx == {j} * L.dw ? {j} : tj;" for j in range(kernel[1]))
        body = f"""{input_pixel(index)}
const index_t oy = {divide(index, "py", "sh")}, ry = py - oy * L.sh;
const index_t ox = {divide(index, "px", "sw")}, rx = px - ox * L.sw;
int ti = -1, tj = -1;
{rows}
{columns}
const int hit = (ti >= 0) & (tj >= 0) & (oy < L.oh) & (ox < L.ow);
const index_t at = nc * L.plane + (hit ? oy * L.ow + ox : 0);
const int chosen = hit & (taps[taps_at + at] == ti * {kernel[1]} + tj);
const {t.compute} g = {t.load("grad", "L.offset + at")};
{t.store("x", "q", f"({t.compute})0 + (chosen ? g : 0)")}
"""
    else:

        def term(i: int, j: int) -> str:
            tap = i * kernel[1] + j
            return (
                f"const int chosen = hit & (taps[taps_at + nc * L.plane + at] == {tap});\n"
                f"    const {t.compute} g = {t.load('grad', 'L.offset + nc * L.plane + at')};\n"
                f"    sum = {t.rounded('sum + (chosen ? g : 0)')};"
            )

        body = f"{t.compute} sum = 0;\n{gather(index, kernel, term)}\n{t.store('x', 'q', 'sum')}"
    params = [
        f"__global {t.storage}* x",
        f"__global const {t.storage}* grad",
        "__global const int* taps",
        "const long taps_at",
    ]
    return window_kernel("max_pool_grad", t, index, params, body.strip().splitlines(), 1, geometry)


FLOAT32 = scalar_type(np.dtype(np.float32))

PAIR_LANES = 4
"""Windows per work-item in the 2x2 kernels: one ``float4`` of outputs from two ``float8`` rows."""

_PAIR_SETUP = """
const long q = get_global_id(0), row = get_global_id(1);
const long nc = row / oh, oy = row - nc * oh;
const long ox0 = min(q * 4, ow - 4), skip = q * 4 - ox0;
const long o = row * ow + ox0;
"""


@cache
def max_pool_pairs_source() -> str:
    """Kernel ``max_pool_pairs`` for float32 2x2 windows of stride 2 with no padding, over a
    ``(ceil(OW/4), N*C*OH)`` range, for ``OW >= 4``.

    A work-item reads two rows of eight pixels as ``float8`` (``load_lanes`` of
    :func:`~minispore_opencl.kernels.matmul_vector.vector_access`) and takes four windows at once from their ``.even`` and
    ``.odd`` lanes, with plain ``>`` and bit-mask blends, so it needs no gathers (PoCL's
    vectoriser leaves the general kernel scalar). A window holding a NaN is redone with the
    exact rule (the first NaN wins). The last work-item of a row moves back inside it and
    stores only its own windows.
    """
    blend = "\n".join(
        f"m = v{k} > best; best = as_float4((as_int4(v{k}) & m) | (as_int4(best) & ~m)); at = (m & {k}) | (at & ~m);"
        for k in (1, 2, 3)
    )
    body = f"""{_PAIR_SETUP}
const long top = offset + nc * h * w + 2 * oy * w + 2 * ox0;
const float8 a = load_lanes(x + top), c = load_lanes(x + top + w);
const float4 v0 = a.even, v1 = a.odd, v2 = c.even, v3 = c.odd;
float4 best = v0;
int4 at = (int4)(0), m;
{blend}
const int4 nan = (v0 != v0) | (v1 != v1) | (v2 != v2) | (v3 != v3);
for (int i = (int)skip; i < 4; ++i) {{
    float b = ((__private const float*)&best)[i];
    int t = ((__private const int*)&at)[i];
    if (((__private const int*)&nan)[i]) {{
        __private const float* ra = (__private const float*)&a;
        __private const float* rc = (__private const float*)&c;
        const float u[4] = {{ra[2 * i], ra[2 * i + 1], rc[2 * i], rc[2 * i + 1]}};
        b = u[0];
        t = 0;
        for (int k = 1; k < 4; ++k) {{
            const int better = {_beats("u[k]", "b", True)};
            b = better ? u[k] : b;
            t = better ? k : t;
        }}
    }}
    out[o + i] = b;
    taps[o + i] = t;
}}
"""
    params = [
        "__global float* out",
        "__global int* taps",
        "__global const float* x",
        "const long offset",
        "const long h",
        "const long w",
        "const long oh",
        "const long ow",
    ]
    lanes = vector_access(FLOAT32)
    return preamble(FLOAT32) + lanes + guarded_kernel("max_pool_pairs", params, body.strip().splitlines(), 2)


@cache
def max_pool_pairs_grad_source() -> str:
    """Kernel ``max_pool_pairs_grad``: the gradient of :func:`max_pool_pairs_source`'s windows
    where they tile the image (``H = 2*OH``, ``W = 2*OW``), same range.

    Each work-item writes its four windows' eight pixels of both rows once: ``0 +`` the
    gradient where the window chose the pixel, ``+0.0`` elsewhere, as the general kernel's
    sum from zero.
    """
    body = f"""{_PAIR_SETUP}
const float4 g = (float4)(0.0f) + (float4)(grad[offset + o], grad[offset + o + 1], grad[offset + o + 2], grad[offset + o + 3]);
const long t0 = taps_at + o;
const int4 chosen = (int4)(taps[t0], taps[t0 + 1], taps[t0 + 2], taps[t0 + 3]);
const int4 bits = as_int4(g);
float8 upper, lower;
upper.even = as_float4(bits & (chosen == 0));
upper.odd = as_float4(bits & (chosen == 1));
lower.even = as_float4(bits & (chosen == 2));
lower.odd = as_float4(bits & (chosen == 3));
const long d = nc * h * w + 2 * oy * w + 2 * ox0;
for (int i = 2 * (int)skip; i < 8; ++i) {{
    dx[d + i] = ((__private const float*)&upper)[i];
    dx[d + w + i] = ((__private const float*)&lower)[i];
}}
"""
    params = [
        "__global float* dx",
        "__global const float* grad",
        "__global const int* taps",
        "const long offset",
        "const long taps_at",
        "const long h",
        "const long w",
        "const long oh",
        "const long ow",
    ]
    return preamble(FLOAT32) + guarded_kernel("max_pool_pairs_grad", params, body.strip().splitlines(), 2)
