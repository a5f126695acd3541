"""Argument checks with MindSpore's exception types and message wording."""

from __future__ import annotations

import math
from typing import Any


def as_float_at_least(value: Any, name: str, prim: str, minimum: float, strict: bool) -> float:
    """Convert an int/bool/float ``value`` to float and check it is finite and above ``minimum``.

    Raises:
        TypeError: ``value`` is not a Python number (``np.float32`` included).
        ValueError: it is NaN, infinite or out of range.
    """
    if isinstance(value, int):
        value = float(value)
    if not isinstance(value, float):
        raise TypeError(f"For '{prim}', the type of '{name}' should be 'float', but got type '{type(value).__name__}'.")
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"For '{prim}', the '{name}' must be a legal value, but got '{value}'.")
    bad = value <= minimum if strict else value < minimum
    if bad:
        relation = ">" if strict else ">="
        raise ValueError(
            f"For '{prim}', the '{name}' must be float and must {relation} {minimum:g}, "
            f"but got '{value}' with type '{type(value).__name__}'."
        )
    return value


def check_bool(value: Any, name: str, prim: str) -> bool:
    """``value`` itself if it is a bool.

    Raises:
        TypeError: "The input value must be a bool, but got int." (MindSpore's wording).
    """
    if not isinstance(value, bool):
        raise TypeError(
            f"The input value must be a bool, but got {type(value).__name__}. "
            f"For '{prim}', pass '{name}' as True or False."
        )
    return value
