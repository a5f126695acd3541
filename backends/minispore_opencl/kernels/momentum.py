"""The fused ``nn.Momentum`` update and the gradient-centralization pass before it.

``momentum`` reads ``p``, ``v`` and ``g`` once and writes ``p`` and ``v`` once per
element, with the steps of :class:`~minispore.backend.protocol.MomentumStep` in its
order and rounded to the dtype after each operation (``FP_CONTRACT OFF``: no FMA), so it
matches the NumPy backend bit for bit. The optional steps are compiled in or out.

``centralize`` gives one work-item to each row of each centralized segment: it sums the
row with NumPy's pairwise summation (8 accumulators over blocks of at most 128, halves
split at a multiple of 8), so that the row mean, and hence the update, is NumPy's
exactly; then it subtracts the mean from the row.
"""

from __future__ import annotations

from functools import cache

from minispore_opencl.kernels.elementwise import MapSpec
from minispore_opencl.kernels.grid import guarded_kernel
from minispore_opencl.scalar_types import ScalarType, preamble


@cache
def momentum_source(t: ScalarType, decay: bool, scale: bool, nesterov: bool) -> str:
    """Kernel ``momentum`` over element ``i`` of three buffers (each at its own offset)."""
    s, c = t.storage, t.compute

    def r(expr: str) -> str:
        return t.rounded(expr)

    lines = [
        "const long i = get_global_id(0);",
        f"const {c} p = {t.load('param', 'p_offset + i')};",
        f"{c} g = {t.load('grad', 'g_offset + i')};",
        f"{c} v = {t.load('moment', 'v_offset + i')};",
    ]
    if decay:
        decayed = r(r("p * weight_decay") + " + g")
        lines.append(f"g = i < decay_count ? {decayed} : g;")
    if scale:
        lines.append(f"g = {r('g * grad_scale')};")
    lines.append(f"v = {r(r('v * momentum') + ' + g')};")
    step = r(r("g * lr") + " + " + r(r("v * momentum") + " * lr")) if nesterov else r("v * lr")
    lines.append(f"const {c} step = {step};")
    lines += [t.store("moment", "v_offset + i", "v"), t.store("param", "p_offset + i", "p - step")]
    params = [f"__global {s}* param", f"__global {s}* moment", f"__global const {s}* grad"]
    params += [f"const {c} {name}" for name in ("lr", "momentum", "weight_decay", "grad_scale")]
    params += [f"const long {name}" for name in ("decay_count", "p_offset", "v_offset", "g_offset")]
    return preamble(t) + guarded_kernel("momentum", params, lines, 1)


def decay_spec(t: ScalarType) -> MapSpec:
    """``g + p * weight_decay`` as a ``map`` (inputs ``g``, ``p``; parameter ``weight_decay``).

    The centralized path decays before the row means, as its own pass.
    """
    return MapSpec(t, (t, t), f"a0 + {t.rounded('a1 * p0')}", params=(t,))


@cache
def centralize_source(t: ScalarType) -> str:
    """Kernel ``centralize``: work-item ``row`` subtracts its row's mean in place.

    ``segments`` holds ``(first_row, offset, cols)`` per segment, by ascending first row.
    """
    s, c = t.storage, t.compute

    def load(index: str) -> str:
        return t.load("g", index)

    accumulators = "\n".join(f"        {c} r{k} = {load(f's + {k}')};" for k in range(8))
    unrolled = " ".join(f"r{k} += {load(f's + i + {k}')};" for k in range(8))
    helpers = f"""
inline {c} pairwise_block(__global const {s}* g, long s, long n) {{
    if (n < 8) {{
        {c} sum = 0;
        for (long i = 0; i < n; ++i) sum += {load("s + i")};
        return sum;
    }}
{accumulators}
    long i = 8;
    for (; i < n - n % 8; i += 8) {{ {unrolled} }}
    {c} sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; ++i) sum += {load("s + i")};
    return sum;
}}

/* NumPy's recursive pairwise sum, walked with an explicit stack. */
inline {c} pairwise_sum(__global const {s}* g, long start, long n) {{
    long first[64], size[64];
    {c} left[64];
    uchar is_right[64];
    int top = 0;
    first[0] = start; size[0] = n; is_right[0] = 0;
    for (;;) {{
        if (size[top] > 128) {{
            const long half_size = size[top] / 2 - (size[top] / 2) % 8;
            first[top + 1] = first[top]; size[top + 1] = half_size; is_right[top + 1] = 0;
            ++top;
            continue;
        }}
        {c} sum = pairwise_block(g, first[top], size[top]);
        while (top > 0 && is_right[top]) {{
            --top;
            sum = left[top] + sum;
        }}
        if (top == 0) return sum;
        left[top - 1] = sum;
        first[top] += size[top];
        size[top] = size[top - 1] - size[top];
        is_right[top] = 1;
    }}
}}
"""
    mean = t.rounded(f"{t.rounded('pairwise_sum(g, start, cols)')} / ({c})cols")
    body = [
        "const long row = get_global_id(0);",
        "long k = 0;",
        "while (k + 1 < count && segments[3 * (k + 1)] <= row) ++k;",
        "const long cols = segments[3 * k + 2];",
        "const long start = g_offset + segments[3 * k + 1] + (row - segments[3 * k]) * cols;",
        f"const {c} mean = {mean};",
        "for (long j = start; j < start + cols; ++j) {",
        "    " + t.store("g", "j", f"{load('j')} - mean"),
        "}",
    ]
    params = [f"__global {s}* g", "__global const long* segments", "const long count", "const long g_offset"]
    return preamble(t) + helpers + guarded_kernel("centralize", params, body, 1)
