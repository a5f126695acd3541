"""Render a traced :class:`~.expr.Program` as C statements for one target.

The same statements serve the compiled CPU library (C99), OpenCL C and CUDA: a
:class:`Target` says how the target loads and stores a buffer element and spells the
functions; everything else (one ``const float`` per operation, in traced order) is
common. Compile with floating-point contraction off (``-ffp-contract=off``,
``FP_CONTRACT OFF``, ``--fmad=false``) so that every operation rounds, as NumPy does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .expr import OPS, Program


@dataclass(frozen=True)
class Target:
    """How one language reads, writes and computes.

    Attributes:
        load: ``(buffer, index) -> float expression``.
        store: ``(buffer, index, value) -> statement``.
        round: ``float expression -> float expression`` rounded to the storage dtype.
        sqrt: the name of the correctly rounded float square root.
    """

    load: Callable[[str, str], str]
    store: Callable[[str, str, str], str]
    round: Callable[[str], str]
    sqrt: str


def scalar_name(name: str) -> str:
    """The C variable holding host scalar ``name``."""
    return f"s_{name}"


def _const(value: float) -> str:
    text = repr(float(value))
    return f"{text}f" if any(c in text for c in ".e") else f"{text}.0f"


def statements(program: Program, target: Target, index: Callable[[str], str]) -> list[str]:
    """The C statements of one element; ``index(buffer)`` is the element's index in ``buffer``."""
    lines = []
    for k, node in enumerate(program.nodes):
        a = [f"t{i}" for i in node.args]
        if node.op == "load":
            expr = target.load(node.name, index(node.name))
        elif node.op == "scalar":
            expr = scalar_name(node.name)
        elif node.op == "const":
            expr = _const(node.value)
        elif node.op in OPS:
            expr = f"{a[0]} {OPS[node.op]} {a[1]}"
        elif node.op == "sqrt":
            expr = f"{target.sqrt}({a[0]})"
        elif node.op == "maximum":
            expr = f"({a[0]} != {a[0]} || {a[0]} > {a[1]}) ? {a[0]} : {a[1]}"  # NaN-propagating, like NumPy
        elif node.op == "round":
            expr = target.round(a[0])
        elif node.op == "select":
            expr = f"({a[0]} > 0.0f) ? {a[1]} : {a[2]}"
        else:
            raise ValueError(f"Unknown operation '{node.op}' in rule '{program.rule}'.")
        lines.append(f"const float t{k} = {expr};")
    lines += [target.store(buffer, index(buffer), f"t{value}") for buffer, value in program.stores]
    return lines
