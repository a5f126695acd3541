"""The fused optimizer update as one OpenCL kernel per rule variant and dtype.

The element body is :func:`minispore.nn.optim.rules.render.statements` of the rule's
traced programs (the same body the compiled CPU library and CUDA use), with and without
weight decay behind a ``decay_count`` test. One launch reads up to :data:`MAX_GRADS`
gradient buffers where they lie: the range is cut into work-group chunks that never
straddle two gradients, a cached table gives each chunk its gradient, and a ``switch``
on that (uniform per work-group) number picks the buffer. No gather, no copy.
"""

from __future__ import annotations

from functools import cache

from minispore.nn.optim.rules import Program, UpdateRule
from minispore.nn.optim.rules.render import Target, scalar_name, statements
from minispore_opencl.scalar_types import ScalarType, preamble

MAX_GRADS = 16
"""Gradient buffers one launch reads (kernel arguments: a buffer and an offset each)."""


def _target(t: ScalarType) -> Target:
    return Target(
        load=lambda buffer, index: f"(float){t.load(buffer, index)}",
        store=lambda buffer, index, value: t.store(buffer, index, value),
        round=t.rounded,
        sqrt="sqrt",
    )


@cache
def update_source(rule: UpdateRule, plain: Program, decayed: Program, t: ScalarType) -> str:
    """Kernel ``update``: one work-item per element of the gradients of one launch.

    Arguments: the parameter and state buffers with their element offsets, ``MAX_GRADS``
    gradient buffers with their element offsets, the chunk table (gradient number per
    chunk) and the segment table (``virtual start, flat start, size`` per gradient), the
    decay count, then the scalars in ``rule.all_scalars`` order.
    """
    s = t.storage
    buffers = ("param", *rule.states)
    index = {name: f"{name}_offset + i" for name in buffers}
    index["grad"] = "g_offset + j"
    target = _target(t)
    body_plain = "\n        ".join(statements(plain, target, index.__getitem__))
    body_decay = "\n        ".join(statements(decayed, target, index.__getitem__))
    cases = " ".join(f"case {k}: grad = g{k}; g_offset = o{k}; break;" for k in range(MAX_GRADS))
    params = [f"__global {s}* {name}" for name in buffers] + [f"const long {name}_offset" for name in buffers]
    params += [f"__global const {s}* g{k}" for k in range(MAX_GRADS)]
    params += [f"const long o{k}" for k in range(MAX_GRADS)]
    params += ["__global const int* chunks", "__global const long* segments", "const long decay_count"]
    params += [f"const float {scalar_name(name)}" for name in rule.all_scalars]
    args = ",\n        ".join(params)
    return f"""{preamble(t)}
__kernel void update(
        {args}) {{
    const long v = get_global_id(0);
    const int k = chunks[get_group_id(0)];
    const long j = v - segments[3 * k];
    if (j >= segments[3 * k + 2]) return;
    const long i = segments[3 * k + 1] + j;
    __global const {s}* grad = g0;
    long g_offset = o0;
    switch (k) {{ {cases} }}
    if (i < decay_count) {{
        {body_decay}
    }} else {{
        {body_plain}
    }}
}}
"""
