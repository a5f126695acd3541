"""Run a traced :class:`~.expr.Program` on arrays: the interpreter behind every non-compiled path.

:func:`run` walks the nodes in order and asks an :class:`Arithmetic` for each one, so
that the same program runs on NumPy blocks (the NumPy backend's fallback, with scratch
slots reused by :func:`scratch_slots`) and on any backend's primitives (the default fused
update, :mod:`minispore.nn.optim.fused`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

from .expr import Program

A = TypeVar("A")


class Arithmetic(Protocol, Generic[A]):
    """The operations a program needs, on some array type ``A`` (all float32)."""

    def load(self, buffer: str) -> A:
        """The buffer's elements as float32."""
        ...

    def scalar(self, name: str) -> A:
        """Host scalar ``name`` as float32."""
        ...

    def const(self, value: float) -> A:
        """A float32 constant."""
        ...

    def apply(self, op: str, args: Sequence[A], node: int) -> A:
        """Operation ``op`` (``add``, ``sub``, ``mul``, ``div``, ``sqrt``, ``maximum``, ``round``,
        ``select``) of node ``node``."""
        ...


def run(program: Program, arithmetic: Arithmetic[A]) -> list[tuple[str, A]]:
    """Evaluate ``program``; returns ``(buffer, new value)`` in store order (param first)."""
    values: list[A] = []
    for k, node in enumerate(program.nodes):
        if node.op == "load":
            values.append(arithmetic.load(node.name))
        elif node.op == "scalar":
            values.append(arithmetic.scalar(node.name))
        elif node.op == "const":
            values.append(arithmetic.const(node.value))
        else:
            values.append(arithmetic.apply(node.op, [values[i] for i in node.args], k))
    return [(buffer, values[k]) for buffer, k in program.stores]


def scratch_slots(program: Program) -> tuple[list[int | None], int]:
    """A scratch slot per computed node, reused once a value is dead; and the slot count.

    Loads, scalars and constants get ``None``. Stored values stay live to the end.
    """
    last_use = {k: k for k in range(len(program.nodes))}
    for k, node in enumerate(program.nodes):
        for i in node.args:
            last_use[i] = k
    for _, k in program.stores:
        last_use[k] = len(program.nodes)
    free: list[int] = []
    slots: list[int | None] = []
    count = 0
    for k, node in enumerate(program.nodes):
        for i in set(node.args):
            slot = slots[i]
            if last_use[i] == k and slot is not None:
                free.append(slot)
        if node.op in ("load", "scalar", "const"):
            slots.append(None)
            continue
        if free:
            slots.append(free.pop())
        else:
            slots.append(count)
            count += 1
    return slots, count
