"""Per-element optimizer update rules, each defined once (see :mod:`.expr`).

Every rule here is compiled into the CPU library at install time, rendered to OpenCL C
and CUDA at run time, and run on any backend's primitives by the default fused update.
"""

from __future__ import annotations

from .expr import COMMON_OPTIONS, COMMON_SCALARS, Element, Node, Program, UpdateRule, maximum, sqrt, storage_round
from .momentum import MOMENTUM

RULES: tuple[UpdateRule, ...] = (MOMENTUM,)
"""Every rule, in the order the compiled CPU library lists them."""

__all__ = [
    "COMMON_OPTIONS",
    "COMMON_SCALARS",
    "MOMENTUM",
    "RULES",
    "Element",
    "Node",
    "Program",
    "UpdateRule",
    "maximum",
    "sqrt",
    "storage_round",
]
