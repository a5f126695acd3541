"""Matrix products for CPU OpenCL devices: each work-item keeps its block in vector registers.

On a CPU device (PoCL) local memory is ordinary memory and every barrier splits the
kernel, so the tiled kernel of :mod:`~minispore_opencl.kernels.matmul` runs at 3-7
GFLOP/s on LeNet5's products. These kernels use no local memory and no barrier: a
work-item holds ``ROWS`` rows of ``LANES`` consecutive outputs in ``LANES``-wide vectors
(one SIMD register each) and reads its operands straight from global memory, which the
CPU's caches serve. On PoCL they ran LeNet5's batch-32 products 4-6x faster than the
tiled kernel.

Both kernels take the ``matmul_t`` layout struct of the tiled kernel. Multiplies and adds
are rounded one by one (``FP_CONTRACT OFF``). They serve float32 only: PoCL 3.0 built the
``double8`` version of ``columns`` without its kernel, so other dtypes keep the tiled kernel.
"""

from __future__ import annotations

from functools import cache

from minispore_opencl.kernels.matmul import STRUCT
from minispore_opencl.scalar_types import ScalarType, preamble

LANES = 8
"""Outputs (``columns``) or products (``dots``) per vector: 256 bits of float32, AVX2's width.
16 lanes made PoCL 3's LLVM 14 fail to scalarise the kernel."""

ROWS = 8
"""Rows of outputs per work-item in ``columns``: 8 ran 1.6x faster than 4 on PoCL."""

DOT_COLUMNS = 4
"""Columns of outputs per work-item in ``dots``."""

DOT_ROWS = 2
"""Rows of outputs per work-item in ``dots``: each loaded vector of ``b`` serves two rows."""


def vector_access(t: ScalarType) -> str:
    """Inline functions ``load_lanes`` and ``store_lanes``: one ``LANES``-wide vector from
    consecutive elements, and back.

    They replace ``vload8``/``vstore8``, which PoCL 3 links as calls into its kernel
    library: every call in the inner loop spilled the accumulators to the stack and read
    them back. Built from scalar element accesses, LLVM merges the loads into one unaligned
    vector load. LeNet5's fourteen products at batch 32 went from 2.1-3.2 ms to 0.9-1.2
    ms alone on PoCL (conv2's forward product 0.33-0.50 to 0.16-0.23 ms; conv1's weight
    gradient, a ``dots`` product, 0.32-0.48 to 0.11-0.13 ms).
    """
    v, s = f"{t.compute}{LANES}", t.storage
    loads = ", ".join(f"p[{i}]" for i in range(LANES))
    stores = " ".join(f"p[{i}] = x.s{i:x};" for i in range(LANES))
    return (
        f"inline {v} load_lanes(__global const {s}* p) {{ return ({v})({loads}); }}\n"
        f"inline void store_lanes({v} x, __global {s}* p) {{ {stores} }}\n"
    )


@cache
def columns_source(t: ScalarType, block_rows: int = ROWS) -> str:
    """Kernel ``matmul`` for ``b`` contiguous along ``n``, over a ``(ceil(n/LANES), ceil(m/block_rows), batch)`` range.

    A work-item computes rows ``row0 .. row0+block_rows-1`` of columns ``col0 .. col0+LANES-1``
    (``block_rows`` is :data:`ROWS`, or ``m`` when that is smaller: LeNet5's conv1, six
    output channels, then runs the fast loop, 0.22-0.27 to 0.20 ms alone):
    for each ``k`` in order it loads one vector of ``b`` and adds ``a[r, k]`` times it to
    row ``r``'s accumulator, so every output is summed in ``k`` order, as in the tiled
    kernel. A work-item at the right or bottom edge moves its block back inside the
    matrix, recomputes outputs of its neighbour (the same bits) and stores only its own,
    so it runs the fast loop too (LeNet5's conv2 input-gradient product, m = 150 and
    n = 100, alone on PoCL: 0.42 to 0.39 ms; its forward product 0.34 to 0.32 ms). Only
    products smaller than one block take the slower path with a bounds test per load.
    """
    v, c = f"{t.compute}{LANES}", t.compute
    rows = range(block_rows)
    accs = "\n".join(f"    {v} acc{r} = 0;" for r in rows)
    inner = "\n".join(f"            acc{r} += ({v})(a[ak + {r} * L.a_row]) * bv;" for r in rows)
    edge_inner = "\n".join(f"            if ({r} < rows) acc{r} += ({v})(a[ak + {r} * L.a_row]) * bv;" for r in rows)
    stores = "\n".join(
        f"    if ({r} >= skip_rows && {r} < rows) {{\n"
        f"        if (skip_cols == 0 && cols == {LANES}) store_lanes(acc{r}, c + out + {r} * L.n);\n"
        f"        else for (int i = skip_cols; i < cols; ++i) c[out + {r} * L.n + i] = ((__private {c}*)&acc{r})[i];\n"
        f"    }}"
        for r in rows
    )
    return (
        preamble(t)
        + STRUCT
        + vector_access(t)
        + f"""__kernel void matmul(__global {t.storage}* c, __global const {t.storage}* a, __global const {t.storage}* b, const matmul_t L) {{
    const long c0 = get_global_id(0) * {LANES}, r0 = get_global_id(1) * {block_rows}, batch = get_global_id(2);
    const int fits = L.n >= {LANES} && L.m >= {block_rows};
    const long col0 = fits ? min(c0, L.n - {LANES}) : c0, row0 = fits ? min(r0, L.m - {block_rows}) : r0;
    const int skip_cols = (int)(c0 - col0), skip_rows = (int)(r0 - row0);
    const int rows = (int)min((long){block_rows}, L.m - row0), cols = (int)min((long){LANES}, L.n - col0);
    long ak = L.a_offset + batch * L.a_batch + row0 * L.a_row;
    long bk = L.b_offset + batch * L.b_batch + col0;
{accs}
    if (rows == {block_rows} && cols == {LANES}) {{
        for (long k = 0; k < L.k; ++k, ak += L.a_col, bk += L.b_row) {{
            const {v} bv = load_lanes(b + bk);
{inner}
        }}
    }} else {{
        for (long k = 0; k < L.k; ++k, ak += L.a_col, bk += L.b_row) {{
            {v} bv = 0;
            if (cols == {LANES}) bv = load_lanes(b + bk);
            else for (int i = 0; i < cols; ++i) ((__private {c}*)&bv)[i] = b[bk + i];
{edge_inner}
        }}
    }}
    const long out = (batch * L.m + row0) * L.n + col0;
{stores}
}}
"""
    )


@cache
def dots_source(t: ScalarType) -> str:
    """Kernel ``matmul`` for ``a`` and ``b`` both contiguous along ``k``, over a
    ``(ceil(n/DOT_COLUMNS), ceil(m/DOT_ROWS), batch)`` range.

    A work-item computes ``DOT_ROWS x DOT_COLUMNS`` outputs as dot products of
    ``LANES``-wide slices, each loaded slice serving several products (LeNet5's conv1
    weight gradient ran about 30 % faster with two rows than with one): lane ``i`` sums
    the products at ``k = i (mod LANES)``, the lanes are added pairwise at the end and
    the last ``k % LANES`` products are added after them. That is a different order of
    additions than ``k`` order (BLAS reorders too), so results agree with NumPy to
    rounding.
    """
    v, c, half = f"{t.compute}{LANES}", t.compute, f"{t.compute}{LANES // 2}"
    pairs = [(r, j) for r in range(DOT_ROWS) for j in range(DOT_COLUMNS)]
    accs = "\n".join(f"    {v} acc{r}_{j} = 0;" for r, j in pairs)
    a_loads = "\n".join(
        f"        const {v} a{r} = {r} < rows ? load_lanes(a + ak + {r} * L.a_row + k) : ({v})0;"
        for r in range(DOT_ROWS)
    )
    b_loads = "\n".join(
        f"        const {v} b{j} = {j} < cols ? load_lanes(b + bk + {j} * L.b_col + k) : ({v})0;"
        for j in range(DOT_COLUMNS)
    )
    inner = "\n".join(f"        acc{r}_{j} += a{r} * b{j};" for r, j in pairs)
    sums = "\n".join(f"    {c} s{r}_{j} = sum_lanes(acc{r}_{j});" for r, j in pairs)
    tail = "\n".join(
        f"        if ({r} < rows && {j} < cols) s{r}_{j} += a[ak + {r} * L.a_row + k] * b[bk + {j} * L.b_col + k];"
        for r, j in pairs
    )
    stores = "\n".join(f"    if ({r} < rows && {j} < cols) c[out + {r} * L.n + {j}] = s{r}_{j};" for r, j in pairs)
    return (
        preamble(t)
        + STRUCT
        + vector_access(t)
        + f"""inline {c} sum_lanes({v} x) {{
    const {half} pairs = x.lo + x.hi;
    {c} s = 0;
    for (int i = 0; i < {LANES // 2}; ++i) s += ((__private const {c}*)&pairs)[i];
    return s;
}}

__kernel void matmul(__global {t.storage}* c, __global const {t.storage}* a, __global const {t.storage}* b, const matmul_t L) {{
    const long col0 = get_global_id(0) * {DOT_COLUMNS}, row0 = get_global_id(1) * {DOT_ROWS}, batch = get_global_id(2);
    const int cols = (int)min((long){DOT_COLUMNS}, L.n - col0), rows = (int)min((long){DOT_ROWS}, L.m - row0);
    const long ak = L.a_offset + batch * L.a_batch + row0 * L.a_row;
    const long bk = L.b_offset + batch * L.b_batch + col0 * L.b_col;
    const long whole = L.k - L.k % {LANES};
{accs}
    for (long k = 0; k < whole; k += {LANES}) {{
{a_loads}
{b_loads}
{inner}
    }}
{sums}
    for (long k = whole; k < L.k; ++k) {{
{tail}
    }}
    const long out = (batch * L.m + row0) * L.n + col0;
{stores}
}}
"""
    )
