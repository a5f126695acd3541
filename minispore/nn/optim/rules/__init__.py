"""Per-element optimizer update rules, each defined once (see :mod:`.expr`).

Every rule here is compiled into the CPU library at install time, rendered to OpenCL C
and CUDA at run time, and run on any backend's primitives by the default fused update.
"""

from __future__ import annotations

from .adam import ADAM, ADAM_AMSGRAD, ADAM_WEIGHT_DECAY
from .adamw import EXPERIMENTAL_ADAMW
from .expr import (
    COMMON_OPTIONS,
    COMMON_SCALARS,
    Element,
    Node,
    Program,
    UpdateRule,
    maximum,
    sqrt,
    storage_round,
    where_positive,
)
from .momentum import MOMENTUM
from .rmsprop import RMSPROP, RMSPROP_CENTERED
from .sgd import SGD

RULES: tuple[UpdateRule, ...] = (
    MOMENTUM,
    SGD,
    ADAM,
    ADAM_AMSGRAD,
    ADAM_WEIGHT_DECAY,
    RMSPROP,
    RMSPROP_CENTERED,
    EXPERIMENTAL_ADAMW,
)
"""Every rule, in the order the compiled CPU library lists them."""

__all__ = [
    "ADAM",
    "ADAM_AMSGRAD",
    "ADAM_WEIGHT_DECAY",
    "COMMON_OPTIONS",
    "COMMON_SCALARS",
    "EXPERIMENTAL_ADAMW",
    "MOMENTUM",
    "RMSPROP",
    "RMSPROP_CENTERED",
    "RULES",
    "SGD",
    "Element",
    "Node",
    "Program",
    "UpdateRule",
    "maximum",
    "sqrt",
    "storage_round",
    "where_positive",
]
