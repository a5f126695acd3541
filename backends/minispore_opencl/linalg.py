"""Matrix product: vector-register kernels on CPU devices, the tiled kernel elsewhere.

Floats accumulate in their compute type with one rounding per multiply and per add (no
FMA), in ``k`` order, except the ``dots`` kernel, which sums ``k`` in eight interleaved
lanes; BLAS blocks and fuses differently, so float results agree with NumPy to rounding.
Integers accumulate in ``long`` and wrap into the result dtype, as NumPy's integer matmul
does; ``bool`` gives ``any(a & b)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minispore.backend.protocol import Array
from minispore_opencl import elementwise as ew
from minispore_opencl.kernels.matmul import matmul_source
from minispore_opencl.kernels.matmul_vector import DOT_COLUMNS, DOT_ROWS, LANES, ROWS, columns_source, dots_source
from minispore_opencl.layout import layout_of
from minispore_opencl.scalar_types import scalar_type

if TYPE_CHECKING:
    from minispore_opencl.runtime import Runtime


BLOCKINGS = ((32, 8), (16, 4), (8, 4), (4, 4), (1, 1))
"""``(tile, rows per work-item)`` choices: 32 x 8 ran 3.3x faster than 16 x 1 on PoCL
(fewer barrier regions per product) on large products; the last two are for devices
with small work-groups."""

OVERHEAD = {32: 1.0, 16: 1.35, 8: 1.5}
"""Time per padded multiply-add of each tile, relative to the 32 tile (PoCL, LeNet5's
dense layers, where no tile pads)."""


def _blocking(rt: Runtime, m: int, n: int, k: int) -> tuple[int, int]:
    """The blocking with the least padded work: a 32 tile on a 6-row product computes 5x
    what it keeps (LeNet5's conv1 forward ran 2.4-3.8x faster with 8, in two runs on PoCL)."""
    allowed = [b for b in BLOCKINGS if b[0] * b[0] // b[1] <= rt.max_work_group]
    sized = [b for b in allowed if b[0] in OVERHEAD]
    if not sized:
        return allowed[0]

    def cost(blocking: tuple[int, int]) -> float:
        t = blocking[0]
        return -(-m // t) * -(-n // t) * -(-k // t) * t**3 * OVERHEAD[t]

    return min(sized, key=cost)


def matmul(rt: Runtime, a: Array, b: Array) -> Array:
    """``a @ b`` for 2-D operands, or 3-D operands with one batch size.

    Raises:
        ValueError: ranks or inner sizes do not match.
        TypeError: the operands' dtypes differ.
    """
    sa, sb = tuple(a.shape), tuple(b.shape)
    if len(sa) != len(sb) or len(sa) not in (2, 3) or sa[-1] != sb[-2] or sa[:-2] != sb[:-2]:
        raise ValueError(
            f"For 'matmul', operands must be (m, k) @ (k, n) or (batch, m, k) @ (batch, k, n), but got {sa} @ {sb}."
        )
    if a.dtype != b.dtype:
        raise TypeError(f"For 'matmul', both operands must have one dtype, but got {a.dtype} and {b.dtype}.")
    batch = sa[0] if len(sa) == 3 else 1
    m, k, n = sa[-2], sa[-1], sb[-1]
    out_shape = (*sa[:-2], m, n)
    if k == 0:
        return ew.full(rt, out_shape, 0, a.dtype)
    out = rt.empty(out_shape, a.dtype)
    if out.size == 0:
        return out
    la, lb = layout_of(a), layout_of(b)
    a_batch = la.strides[0] if len(sa) == 3 else 0
    b_batch = lb.strides[0] if len(sb) == 3 else 0
    packed = np.array(
        [m, n, k, la.offset, a_batch, *la.strides[-2:], lb.offset, b_batch, *lb.strides[-2:]], dtype=np.int64
    )
    t = scalar_type(a.dtype)
    args = (out.base_data, a.base_data, b.base_data, packed)
    if rt.is_cpu and t.dtype == np.float32:
        if lb.strides[-1] == 1:
            rows = min(ROWS, m)  # a product of fewer rows than a block runs blocks of exactly its rows
            rt.launch(columns_source(t, rows), "matmul", (-(-n // LANES), -(-m // rows), batch), None, *args)
            return out
        if la.strides[-1] == 1 and lb.strides[-2] == 1:
            rt.launch(dots_source(t), "matmul", (-(-n // DOT_COLUMNS), -(-m // DOT_ROWS), batch), None, *args)
            return out
    tile, rows = _blocking(rt, m, n, k)
    source = matmul_source(t, t.compute if t.is_float else "long", tile, rows)
    global_size = (-(-n // tile) * tile, -(-m // tile) * (tile // rows), batch)
    local_size = (tile, tile // rows, 1)
    rt.launch(source, "matmul", global_size, local_size, *args)
    return out
