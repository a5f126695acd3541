"""Write the C source of the compiled CPU update kernels from the rule definitions.

``setup.py`` calls :func:`kernels_source` at build time and compiles the result into
``minispore_numpy.native._update`` together with ``update.c`` (the driver). At run time
:func:`source_hash` of the current rules is compared with the hash compiled in, so a build
made from older rules is reported stale instead of being used.

Only the rule package and this module are imported (no NumPy), so that the build needs
nothing but a C compiler.
"""

from __future__ import annotations

import hashlib

from minispore.nn.optim.rules import RULES, Program, UpdateRule
from minispore.nn.optim.rules.render import Target, scalar_name, statements

DTYPES = (("f", "float"), ("d", "double"))
"""Storage dtypes compiled (buffer format character, C type); values are computed in float."""

MAX_STATES = 4
"""State buffers a rule may have (the driver's fixed table size)."""


def _target() -> Target:
    return Target(
        load=lambda buffer, index: f"(float){buffer}[{index}]",
        store=lambda buffer, index, value: f"{buffer}[{index}] = {value};",
        round=lambda expr: expr,  # float and double storage hold every float value exactly
        sqrt="sqrtf",
    )


def _function(rule: UpdateRule, program: Program, ctype: str) -> tuple[str, str]:
    name = f"{program.key}__{ctype}"
    lines = [
        f"MS_CLONES static void {name}(ms_index n, void* param_, void* const* states_, const void* grad_, "
        "const float* scalars) {",
        f"    {ctype}* restrict param = ({ctype}*)param_;",
        f"    const {ctype}* restrict grad = (const {ctype}*)grad_;",
    ]
    lines += [f"    {ctype}* restrict {state} = ({ctype}*)states_[{k}];" for k, state in enumerate(rule.states)]
    lines += [f"    const float {scalar_name(s)} = scalars[{k}];" for k, s in enumerate(rule.all_scalars)]
    lines.append("    for (ms_index i = 0; i < n; ++i) {")
    lines += [f"        {line}" for line in statements(program, _target(), lambda buffer: "i")]
    lines += ["    }", "}"]
    return name, "\n".join(lines)


def kernels_source() -> str:
    """The generated C: one loop per (rule, option set, storage dtype) and the kernel table."""
    functions, table = [], []
    for rule in RULES:
        if len(rule.states) > MAX_STATES:
            raise ValueError(f"Rule '{rule.name}' has {len(rule.states)} states; the driver holds {MAX_STATES}.")
        for program in rule.variants():
            for code, ctype in DTYPES:
                name, body = _function(rule, program, ctype)
                functions.append(body)
                table.append(
                    f"    {{\"{program.key}\", '{code}', {len(rule.states)}, {len(rule.all_scalars)}, {name}}},"
                )
    header = "/* Generated from minispore/nn/optim/rules by backends/minispore_numpy/native/generate.py. */"
    body = "\n\n".join([header, *functions, "static const ms_kernel MS_KERNELS[] = {", *table, "};"])
    return f'{body}\n#define MS_SOURCE_HASH "{hashlib.sha256(body.encode()).hexdigest()[:16]}"\n'


def source_hash() -> str:
    """The hash that a build of the current rules carries."""
    source = kernels_source()
    return source.rsplit('MS_SOURCE_HASH "', 1)[1].split('"', 1)[0]
