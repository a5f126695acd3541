"""``im2col``, ``col2im`` and max pooling over NCHW arrays.

All four run on 2-D ranges whose dimension 0 is the innermost output dimension, so that
the divisions that split the outer index are shared by a whole row of work-items.

``col2im`` is a gather: each input pixel visits the kernel taps that read it, in the
order ``i`` then ``j``, and sums their column entries from zero, rounding after each add.
That is the order in which the NumPy reference adds the taps, so the result is
deterministic and equal to NumPy's bit for bit.
"""

from __future__ import annotations

from functools import cache

from minispore_opencl.kernels.grid import guarded_kernel
from minispore_opencl.scalar_types import ScalarType, preamble

STRUCT = (
    "typedef struct { long offset; long height; long width; long kh; long kw; long sh; long sw; "
    "long dh; long dw; long top; long left; long oh; long ow; } window_t;\n"
)
"""Host side: one int64 array in this field order."""


def _taps(kernel: tuple[int, int]) -> list[tuple[int, int]]:
    """Kernel taps ``(i, j)`` in row-major order."""
    return [(i, j) for i in range(kernel[0]) for j in range(kernel[1])]


@cache
def im2col_source(t: ScalarType, kernel: tuple[int, int], index: str) -> str:
    """Kernel ``im2col`` over an ``(OH*OW, N*C)`` range: one output pixel's ``kh*kw`` column entries.

    ``cols[(nc*kh + i)*kw + j][oy*OW + ox]`` is ``x[nc][y][x]``, or the pad value outside.
    The taps are written out for ``kernel`` (one source per kernel size), so that a
    work-item splits its pixel index with one ``index``-typed division for all of them;
    a padding tap loads from a clamped index and selects ``pad`` instead of branching.
    Measured on PoCL (LeNet5's 5x5 convolutions at batch 32): 1.5 ms to 0.8 ms, where
    the kernel with one entry per work-item spent most of its time in ``long`` divisions.
    """
    setup = f"""
const index_t p = get_global_id(0), nc = get_global_id(1);
const index_t height = L.height, width = L.width, ow = L.ow, plane = L.oh * L.ow;
const index_t oy = p / ow, ox = p - oy * ow;
const index_t top = oy * L.sh - L.top, left = ox * L.sw - L.left;
const index_t image = L.offset + nc * height * width;
__global {t.storage}* column = cols + nc * {kernel[0] * kernel[1]} * plane + p;
"""
    taps = [
        f"""{{
    const index_t y = top + {i} * L.dh, xx = left + {j} * L.dw;
    const int inside = (y >= 0) & (y < height) & (xx >= 0) & (xx < width);
    const {t.compute} v = {t.load("x", "image + (inside ? y * width + xx : 0)")};
    {t.store("column", f"{i * kernel[1] + j} * plane", "inside ? v : pad")}
}}"""
        for i, j in _taps(kernel)
    ]
    params = [
        f"__global {t.storage}* cols",
        f"__global const {t.storage}* x",
        f"const {t.compute} pad",
        "const window_t L",
    ]
    body = (setup + "\n".join(taps)).strip().splitlines()
    return preamble(t) + f"typedef {index} index_t;\n" + STRUCT + guarded_kernel("im2col", params, body, 2)


@cache
def col2im_source(t: ScalarType) -> str:
    """Kernel ``col2im`` over a ``(W, N*C*H)`` range: pixel ``x[nc][y][x]`` sums the entries that read it.

    The sum runs in the compute type and is rounded once (float16: in ``float``, as the
    NumPy backend and MindSpore's kernels do).
    """
    body = f"""
const long row = get_global_id(1);
const long px = get_global_id(0) + L.left;
const long py = row % L.height + L.top;
const long nc = row / L.height;
{t.compute} sum = 0;
for (long i = 0; i < L.kh; ++i) {{
    const long dy = py - i * L.dh;
    if (dy < 0) break;
    if (dy % L.sh != 0 || dy / L.sh >= L.oh) continue;
    for (long j = 0; j < L.kw; ++j) {{
        const long dx = px - j * L.dw;
        if (dx < 0) break;
        if (dx % L.sw != 0 || dx / L.sw >= L.ow) continue;
        const long at = L.offset + ((nc * L.kh + i) * L.kw + j) * L.oh * L.ow + (dy / L.sh) * L.ow + dx / L.sw;
        sum += {t.load("cols", "at")};
    }}
}}
{t.store("x", "row * L.width + get_global_id(0)", "sum")}
"""
    params = [f"__global {t.storage}* x", f"__global const {t.storage}* cols", "const window_t L"]
    return preamble(t) + STRUCT + guarded_kernel("col2im", params, body.strip().splitlines(), 2)


@cache
def max_pool_source(t: ScalarType) -> str:
    """Kernel ``max_pool`` over an ``(OH*OW, N*C)`` range: one window per work-item.

    The first maximal tap in row-major order wins (padding reads ``low``, a NaN beats any
    number), as NumPy's ``argmax`` over the unfolded window.
    """
    nan_wins = " || (v != v && best == best)" if t.is_float else ""
    pixel = t.load("x", "L.offset + (nc * L.height + y) * L.width + xx")
    body = f"""
const long p = get_global_id(0), nc = get_global_id(1);
const long ox = p % L.ow, oy = p / L.ow;
{t.compute} best = 0;
int at = -1;
for (long i = 0; i < L.kh; ++i) {{
    const long y = oy * L.sh + i * L.dh - L.top;
    for (long j = 0; j < L.kw; ++j) {{
        const long xx = ox * L.sw + j * L.dw - L.left;
        const {t.compute} v = (y >= 0 && y < L.height && xx >= 0 && xx < L.width) ? {pixel} : low;
        if (at < 0 || v > best{nan_wins}) {{ best = v; at = (int)(i * L.kw + j); }}
    }}
}}
{t.store("out", "nc * L.oh * L.ow + p", "best")}
taps[nc * L.oh * L.ow + p] = at;
"""
    params = [
        f"__global {t.storage}* out",
        "__global int* taps",
        f"__global const {t.storage}* x",
        f"const {t.compute} low",
        "const window_t L",
    ]
    return preamble(t) + STRUCT + guarded_kernel("max_pool", params, body.strip().splitlines(), 2)


@cache
def max_pool_grad_source(t: ScalarType) -> str:
    """Kernel ``max_pool_grad`` over a ``(W, N*C*H)`` range: each pixel sums the gradients of
    the windows whose chosen tap it is, taps in the order ``i, j`` (as ``col2im``)."""
    body = f"""
const long row = get_global_id(1);
const long px = get_global_id(0) + L.left;
const long py = row % L.height + L.top;
const long nc = row / L.height;
{t.compute} sum = 0;
for (long i = 0; i < L.kh; ++i) {{
    const long dy = py - i * L.dh;
    if (dy < 0) break;
    if (dy % L.sh != 0 || dy / L.sh >= L.oh) continue;
    for (long j = 0; j < L.kw; ++j) {{
        const long dx = px - j * L.dw;
        if (dx < 0) break;
        if (dx % L.sw != 0 || dx / L.sw >= L.ow) continue;
        const long at = (nc * L.oh + dy / L.sh) * L.ow + dx / L.sw;
        if (taps[taps_at + at] == i * L.kw + j) sum = {t.rounded(f"sum + {t.load('grad', 'L.offset + at')}")};
    }}
}}
{t.store("x", "row * L.width + get_global_id(0)", "sum")}
"""
    params = [
        f"__global {t.storage}* x",
        f"__global const {t.storage}* grad",
        "__global const int* taps",
        "const long taps_at",
        "const window_t L",
    ]
    return preamble(t) + STRUCT + guarded_kernel("max_pool_grad", params, body.strip().splitlines(), 2)
