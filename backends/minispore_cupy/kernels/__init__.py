"""CUDA C source of the CuPy backend's fused optimizer update, rendered from the update rules.

One kernel per rule variant and storage dtype: one thread per element, which finds its
gradient by binary search over the segment starts and reads it through a device table of
pointers, so the gradients are read where autograd left them. The element body is
:func:`minispore.nn.optim.rules.render.statements`, the one the CPU library and OpenCL
also use; NVRTC and nvcc compile it with ``--fmad=false`` so that every operation rounds.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from minispore.nn.optim.rules import RULES, Program, UpdateRule
from minispore.nn.optim.rules.render import Target, scalar_name, statements

STORAGE = {"float16": "__half", "float32": "float", "float64": "double"}
"""The CUDA type of each buffer dtype (values are computed in float)."""

OPTIONS = ("--fmad=false", "--std=c++17")
"""Compiler options at run time (NVRTC) and in the nvcc check."""


def _target(ctype: str) -> Target:
    if ctype == "__half":
        return Target(
            load=lambda buffer, index: f"__half2float({buffer}[{index}])",
            store=lambda buffer, index, value: f"{buffer}[{index}] = __float2half_rn({value});",
            round=lambda expr: f"__half2float(__float2half_rn({expr}))",
            sqrt="__fsqrt_rn",
        )
    return Target(
        load=lambda buffer, index: f"(float){buffer}[{index}]",
        store=lambda buffer, index, value: f"{buffer}[{index}] = ({ctype})({value});",
        round=lambda expr: expr,
        sqrt="__fsqrt_rn",
    )


@cache
def update_source(rule: UpdateRule, plain: Program, decayed: Program, dtype: str) -> str:
    """Kernel ``update(param, states..., grads, starts, segments, n, decay_count, scalars...)``."""
    ctype = STORAGE[dtype]
    target = _target(ctype)
    buffers = ("param", *rule.states)
    index = {name: "i" for name in buffers}
    index["grad"] = "i - starts[k]"
    params = [f"{ctype}* __restrict__ {name}" for name in buffers]
    params += ["const unsigned long long* __restrict__ grads", "const long long* __restrict__ starts"]
    params += ["const long long segments", "const long long n", "const long long decay_count"]
    params += [f"const float {scalar_name(s)}" for s in rule.all_scalars]
    args = ",\n        ".join(params)
    body_plain = "\n        ".join(statements(plain, target, index.__getitem__))
    body_decay = "\n        ".join(statements(decayed, target, index.__getitem__))
    return f"""#include <cuda_fp16.h>
extern "C" __global__ void update(
        {args}) {{
    const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    long long lo = 0, hi = segments - 1;
    while (lo < hi) {{
        const long long mid = (lo + hi + 1) / 2;
        if (starts[mid] <= i) lo = mid; else hi = mid - 1;
    }}
    const long long k = lo;
    const {ctype}* __restrict__ grad = (const {ctype}*)grads[k];
    if (i < decay_count) {{
        {body_decay}
    }} else {{
        {body_plain}
    }}
}}
"""


def all_sources() -> Iterator[tuple[str, str]]:
    """``(name, source)`` of every kernel the backend can build: each rule's variants in every dtype."""
    for rule in RULES:
        for plain in rule.variants():
            if "decay" in plain.options:
                continue
            decayed = rule.program(plain.options | {"decay"})
            for dtype in STORAGE:
                yield f"{plain.key}__{dtype}", update_source(rule, plain, decayed, dtype)
