"""Argument checks with MindSpore's exception types and message wording.

One argument order everywhere: ``check_x(prim, name, value, ...)``, where ``prim`` is the
API named in the message (``"Momentum"``, ``"Conv2d"``) and ``name`` the argument.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np


def type_name(value: Any) -> str:
    """The type name MindSpore's messages use."""
    return type(value).__name__


def as_float_at_least(prim: str, name: str, value: Any, minimum: float, strict: bool) -> float:
    """Convert an int/bool/float ``value`` to float and check it is finite and above ``minimum``.

    Raises:
        TypeError: ``value`` is not a Python number (``np.float32`` included).
        ValueError: it is NaN, infinite or out of range.
    """
    if isinstance(value, int):
        value = float(value)
    check_float(prim, name, value)
    return check_finite_at_least(prim, name, value, minimum, strict)


def check_float(prim: str, name: str, value: Any) -> float:
    """``value`` itself if it is a Python float (``int`` and ``np.float32`` are rejected).

    Raises:
        TypeError: "For 'Adam', the type of 'beta1' should be 'float', but got type 'int'."
    """
    if not isinstance(value, float):
        raise TypeError(f"For '{prim}', the type of '{name}' should be 'float', but got type '{type_name(value)}'.")
    return value


def check_finite_at_least(prim: str, name: str, value: float, minimum: float, strict: bool) -> float:
    """``value`` if it is finite and ``> minimum`` (``strict``) or ``>= minimum``.

    Raises:
        ValueError: NaN, infinite or out of range.
    """
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"For '{prim}', the '{name}' must be a legal value, but got '{value}'.")
    bad = value <= minimum if strict else value < minimum
    if bad:
        relation = ">" if strict else ">="
        raise ValueError(
            f"For '{prim}', the '{name}' must be float and must {relation} {minimum:g}, "
            f"but got '{value}' with type '{type_name(value)}'."
        )
    return value


def check_open_range(prim: str, name: str, value: float, low: float, high: float) -> float:
    """``value`` if ``low < value < high``; NaN passes, as MindSpore's comparison lets it.

    Raises:
        ValueError: "For 'Adam', the 'beta1' must be in range of (0.0, 1.0), but got 1.0 with type 'float'."
    """
    if value <= low or value >= high:
        raise ValueError(
            f"For '{prim}', the '{name}' must be in range of ({low}, {high}), but got {value} "
            f"with type '{type_name(value)}'."
        )
    return value


def check_type_bool(prim: str, name: str, value: Any) -> bool:
    """``value`` if it is a bool, with MindSpore's ``check_value_type`` wording.

    Raises:
        TypeError: "For 'Adam', the type of 'use_locking' should be 'bool', but got type 'int'."
    """
    if not isinstance(value, bool):
        raise TypeError(f"For '{prim}', the type of '{name}' should be 'bool', but got type '{type_name(value)}'.")
    return value


def check_bool(prim: str, name: str, value: Any) -> bool:
    """``value`` if it is a bool.

    Raises:
        TypeError: "For 'Conv2d', 'has_bias' must be a bool (True or False), but got int 1."
    """
    if not isinstance(value, bool):
        raise TypeError(f"For '{prim}', '{name}' must be a bool (True or False), but got {type_name(value)} {value!r}.")
    return value


def check_loss_scale(prim: str, name: str, value: Any) -> float:
    """``value`` as a float if it is a usable loss scale: a finite number ``> 0`` whose float32
    value and float32 reciprocal are finite and non-zero (the gradients are multiplied by both).

    Raises:
        TypeError: ``value`` is not a real number (NumPy scalars included; a bool is not).
        ValueError: it is NaN, infinite, ``<= 0``, or too large or small for float32.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"For '{prim}', '{name}' must be a float such as 1024.0, but got {type_name(value)} {value!r}.")
    scale = float(value)
    with np.errstate(over="ignore", divide="ignore"):
        in_float32 = (np.float32(scale), np.float32(1.0 / scale) if scale > 0 else np.float32(0))
    if not (math.isfinite(scale) and scale > 0 and all(np.isfinite(v) and v != 0 for v in in_float32)):
        raise ValueError(
            f"For '{prim}', '{name}' must be a finite number > 0 whose float32 value and reciprocal are finite "
            f"(about 3e-38 to 3e38), but got {value!r}."
        )
    return scale


def check_positive_int(prim: str, name: str, value: Any, numpy_ints: bool = True) -> int:
    """``value`` as an int ``> 0`` (a bool is not; NumPy integers are unless ``numpy_ints`` is False,
    as MindSpore's ``dynamic_lr`` functions refuse them).

    Raises:
        TypeError: "For 'Conv2d', 'in_channels' must be a positive int, but got float 1.0."
        ValueError: "For 'Conv2d', 'in_channels' must be a positive int, but got 0."
    """
    ints = (int, np.integer) if numpy_ints else (int,)
    if isinstance(value, bool) or not isinstance(value, ints):
        raise TypeError(f"For '{prim}', '{name}' must be a positive int, but got {type_name(value)} {value!r}.")
    if value <= 0:
        raise ValueError(f"For '{prim}', '{name}' must be a positive int, but got {value!r}.")
    return int(value)
