"""Tiled matrix product ``c[b] = a[b] @ b[b]`` with both operands staged in local memory.

A work-group computes a ``tile x tile`` block of ``c``: for each step of ``tile`` along
``k`` it copies one block of ``a`` and one of ``b`` into local memory (zeros outside the
matrices, which add nothing), then each work-item accumulates its dot products from
there, in ``k`` order. Operands are read through (offset, batch, row, column) strides, so
views, transposed and broadcast operands need no copy.
"""

from __future__ import annotations

from functools import cache

from minispore_opencl.scalar_types import ScalarType, preamble

STRUCT = (
    "typedef struct { long m; long n; long k; "
    "long a_offset; long a_batch; long a_row; long a_col; "
    "long b_offset; long b_batch; long b_row; long b_col; } matmul_t;\n"
)
"""Host side: one int64 array in this field order."""


@cache
def matmul_source(t: ScalarType, acc: str, tile: int, rows_per_item: int) -> str:
    """Kernel ``matmul`` over a ``(ceil(n/tile)*tile, ceil(m/tile)*tile/rows_per_item, batch)`` range.

    Work-groups are ``(tile, tile / rows_per_item)``: each work-item computes
    ``rows_per_item`` outputs of one column, ``tile / rows_per_item`` rows apart, so
    every value it reads from local memory for ``b`` serves that many products.
    """
    step = tile // rows_per_item
    load_a = t.load("a", "a_start + r * L.a_row + ka * L.a_col")
    load_b = t.load("b", "b_start + kb * L.b_row")
    return (
        preamble(t)
        + STRUCT
        + f"""__kernel __attribute__((reqd_work_group_size({tile}, {step}, 1)))
void matmul(__global {t.storage}* c, __global const {t.storage}* a, __global const {t.storage}* b, const matmul_t L) {{
    __local {acc} a_tile[{tile}][{tile}];
    __local {acc} b_tile[{tile}][{tile}];
    const int tx = get_local_id(0), ty = get_local_id(1);
    const long col = get_global_id(0), row0 = get_group_id(1) * {tile}, batch = get_global_id(2);
    const long a_start = L.a_offset + batch * L.a_batch;
    const long b_start = L.b_offset + batch * L.b_batch + col * L.b_col;
    {acc} sum[{rows_per_item}];
    for (int w = 0; w < {rows_per_item}; ++w) sum[w] = 0;
    for (long k0 = 0; k0 < L.k; k0 += {tile}) {{
        for (int w = 0; w < {rows_per_item}; ++w) {{
            const int y = ty + w * {step};
            const long r = row0 + y, ka = k0 + tx, kb = k0 + y;
            a_tile[y][tx] = (r < L.m && ka < L.k) ? ({acc}){load_a} : ({acc})0;
            b_tile[y][tx] = (col < L.n && kb < L.k) ? ({acc}){load_b} : ({acc})0;
        }}
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int q = 0; q < {tile}; ++q) {{
            const {acc} bq = b_tile[q][tx];
            for (int w = 0; w < {rows_per_item}; ++w) sum[w] += a_tile[ty + w * {step}][q] * bq;
        }}
        barrier(CLK_LOCAL_MEM_FENCE);
    }}
    for (int w = 0; w < {rows_per_item}; ++w) {{
        const long r = row0 + ty + w * {step};
        if (r < L.m && col < L.n) {{
            {t.store("c", "(batch * L.m + r) * L.n + col", "sum[w]")}
        }}
    }}
}}
"""
    )
