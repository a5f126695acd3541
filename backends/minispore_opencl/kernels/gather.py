"""``take`` and its adjoint ``scatter_add`` along one axis.

Arrays are seen as ``(outer, dim, inner)`` around the axis. ``scatter_add`` is a gather
so that it needs no float atomics: each output element loops over all indices and adds
the values whose index names it, in index order and from zero, as ``np.add.at`` does;
the result is deterministic and equal to NumPy's bit for bit.
"""

from __future__ import annotations

from functools import cache

from minispore_opencl.kernels.grid import guarded_kernel
from minispore_opencl.scalar_types import ScalarType, preamble

STRUCT = "typedef struct { long inner; long dim; long count; long x_offset; long index_offset; } gather_t;\n"
"""Host side: one int64 array in this field order; ``count`` is the number of indices."""


def _params(t: ScalarType, index: ScalarType, source: str) -> list[str]:
    return [
        f"__global {t.storage}* out",
        f"__global const {t.storage}* {source}",
        f"__global const {index.storage}* index",
        "const gather_t L",
    ]


@cache
def take_source(t: ScalarType, index: ScalarType) -> str:
    """Kernel ``take``: ``out[o][k][i] = x[o][index[k]][i]`` (negative indices count from the end)."""
    body = f"""
const long g = get_global_id(0);
const long i = g % L.inner;
const long r = g / L.inner;
long d = index[L.index_offset + r % L.count];
d += d < 0 ? L.dim : 0;
{t.store("out", "g", t.load("x", "L.x_offset + ((r / L.count) * L.dim + d) * L.inner + i"))}
"""
    return preamble(t) + STRUCT + guarded_kernel("take", _params(t, index, "x"), body.strip().splitlines(), 1)


@cache
def scatter_add_source(t: ScalarType, index: ScalarType) -> str:
    """Kernel ``scatter_add``: ``out[o][d][i] = sum(values[o][k][i] for k where index[k] == d)``."""
    body = f"""
const long g = get_global_id(0);
const long i = g % L.inner;
const long r = g / L.inner;
const long d = r % L.dim;
const long start = L.x_offset + (r / L.dim) * L.count * L.inner + i;
{t.compute} sum = 0;
for (long k = 0; k < L.count; ++k) {{
    long e = index[L.index_offset + k];
    e += e < 0 ? L.dim : 0;
    if (e == d) {{
        sum = {t.rounded(f"sum + {t.load('values', 'start + k * L.inner')}")};
    }}
}}
{t.store("out", "g", "sum")}
"""
    params = _params(t, index, "values")
    return preamble(t) + STRUCT + guarded_kernel("scatter_add", params, body.strip().splitlines(), 1)
