"""``im2col`` and ``col2im`` over NCHW arrays: one work-item per output element.

Both run on 2-D ranges whose dimension 0 is the innermost output dimension, so that the
divisions that split the outer index are shared by a whole row of work-items.

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


@cache
def im2col_source(t: ScalarType) -> str:
    """Kernel ``im2col`` over an ``(OH*OW, N*C*kh*kw)`` range: one column entry per work-item.

    ``cols[(nc*kh + i)*kw + j][oy*OW + ox]`` is ``x[nc][y][x]``, or the pad value outside.
    """
    pixel = t.load("x", "L.offset + (nc * L.height + y) * L.width + xx")
    body = f"""
const long p = get_global_id(0), row = get_global_id(1);
const long ox = p % L.ow, oy = p / L.ow;
const long j = row % L.kw, i = (row / L.kw) % L.kh, nc = row / L.kw / L.kh;
const long y = oy * L.sh + i * L.dh - L.top;
const long xx = ox * L.sw + j * L.dw - L.left;
const int inside = y >= 0 && y < L.height && xx >= 0 && xx < L.width;
{t.store("cols", "row * L.oh * L.ow + p", f"inside ? {pixel} : pad")}
"""
    params = [
        f"__global {t.storage}* cols",
        f"__global const {t.storage}* x",
        f"const {t.compute} pad",
        "const window_t L",
    ]
    return preamble(t) + STRUCT + guarded_kernel("im2col", params, body.strip().splitlines(), 2)


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
