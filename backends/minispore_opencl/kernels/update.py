"""The fused optimizer update as one OpenCL kernel per rule variant and dtype.

The element body is :func:`minispore.nn.optim.rules.render.statements` of the rule's
traced programs (the same body the compiled CPU library and CUDA use), with and without
weight decay behind a ``decay_count`` test. One launch reads a batch of gradient
buffers where they lie (as many as the device's kernel-argument space holds: see
:func:`~minispore_opencl.update.grads_per_launch`): the range is cut into chunks that
never straddle two gradients, a cached table gives each chunk its gradient, and a
``switch`` on that (uniform per chunk) number picks the buffer. No gather, no copy.

Two shapes of kernel share that scheme. On a GPU a chunk is a work-group with one
work-item per element (:func:`update_source`). On a CPU device a chunk is one work-item
that loops over up to :data:`RUN` elements like the compiled CPU kernel
(:func:`run_update_source`): PoCL then compiles a plain vectorisable loop, where the
per-element form paid a work-group start and a bounds check for every 64 elements.
"""

from __future__ import annotations

from functools import cache

from minispore.nn.optim.rules import Program, UpdateRule
from minispore.nn.optim.rules.render import Target, scalar_name, statements
from minispore_opencl.scalar_types import ScalarType, preamble

RUN = 1 << 14
"""Elements one work-item updates in :func:`run_update_source` (fewer at a gradient's end)."""


def _target(t: ScalarType) -> Target:
    return Target(
        load=lambda buffer, index: f"(float){t.load(buffer, index)}",
        store=lambda buffer, index, value: t.store(buffer, index, value),
        round=t.rounded,
        sqrt="sqrt",
    )


def _parameters(rule: UpdateRule, t: ScalarType, grads: int, tables: list[str]) -> str:
    s = t.storage
    buffers = ("param", *rule.states)
    params = [f"__global {s}* {name}" for name in buffers] + [f"const long {name}_offset" for name in buffers]
    params += [f"__global const {s}* g{k}" for k in range(grads)]
    params += [f"const long o{k}" for k in range(grads)]
    params += [*tables, "const long decay_count"]
    params += [f"const float {scalar_name(name)}" for name in rule.all_scalars]
    return ",\n        ".join(params)


def _bodies(rule: UpdateRule, plain: Program, decayed: Program, t: ScalarType) -> tuple[str, str]:
    """The element statements without and with weight decay, at ``i`` (buffers) and ``j`` (gradient)."""
    index = {name: f"{name}_offset + i" for name in ("param", *rule.states)}
    index["grad"] = "g_offset + j"
    target = _target(t)
    indent = "\n            "
    return (
        indent.join(statements(plain, target, index.__getitem__)),
        indent.join(statements(decayed, target, index.__getitem__)),
    )


def _pick_gradient(t: ScalarType, grads: int) -> str:
    cases = " ".join(f"case {k}: grad = g{k}; g_offset = o{k}; break;" for k in range(grads))
    return f"""__global const {t.storage}* grad = g0;
    long g_offset = o0;
    switch (k) {{ {cases} }}"""


@cache
def update_source(rule: UpdateRule, plain: Program, decayed: Program, t: ScalarType, grads: int) -> str:
    """Kernel ``update``: one work-item per element of the ``grads`` gradients of one launch.

    Arguments: the parameter and state buffers with their element offsets, ``grads``
    gradient buffers with their element offsets, the chunk table (gradient number per
    work-group) and the segment table (``virtual start, flat start, size`` per gradient),
    the decay count, then the scalars in ``rule.all_scalars`` order.
    """
    args = _parameters(rule, t, grads, ["__global const int* chunks", "__global const long* segments"])
    body_plain, body_decay = _bodies(rule, plain, decayed, t)
    return f"""{preamble(t)}
__kernel void update(
        {args}) {{
    const long v = get_global_id(0);
    const int k = chunks[get_group_id(0)];
    const long j = v - segments[3 * k];
    if (j >= segments[3 * k + 2]) return;
    const long i = segments[3 * k + 1] + j;
    {_pick_gradient(t, grads)}
    if (i < decay_count) {{
        {body_decay}
    }} else {{
        {body_plain}
    }}
}}
"""


@cache
def run_update_source(rule: UpdateRule, plain: Program, decayed: Program, t: ScalarType, grads: int) -> str:
    """Kernel ``update``: one work-item per run of up to :data:`RUN` elements of one gradient.

    Arguments as :func:`update_source`, with one run table instead of the chunk and
    segment tables: ``gradient number, flat start, gradient start, length`` per run. The
    decayed prefix of a run and the rest are two loops, so no element tests the decay.
    """
    args = _parameters(rule, t, grads, ["__global const long* runs"])
    body_plain, body_decay = _bodies(rule, plain, decayed, t)
    return f"""{preamble(t)}
__kernel void update(
        {args}) {{
    __global const long* run = runs + 4 * get_global_id(0);
    const int k = (int)run[0];
    const long i0 = run[1], j0 = run[2], n = run[3];
    {_pick_gradient(t, grads)}
    const long decayed = clamp(decay_count - i0, 0L, n);
    for (long q = 0; q < decayed; ++q) {{
        const long i = i0 + q, j = j0 + q;
        {body_decay}
    }}
    for (long q = decayed; q < n; ++q) {{
        const long i = i0 + q, j = j0 + q;
        {body_plain}
    }}
}}
"""
