"""``Primitive``: MindSpore's operator object, configured once and called like a function.

A primitive stores its constructor arguments as *attributes* (``prim.attrs``), which
MindSpore's scripts and tests read and extend (``add_prim_attr``); calling it runs the
operation eagerly on minispore's differentiable functions.
"""

from __future__ import annotations

import numbers
from typing import Any

from minispore.common.tensor import Tensor

_IO_NAMES = ("input_names", "output_names")


class Primitive:
    """The base of the operator classes in :mod:`minispore.ops.operations`.

    Args:
        name: the operator's name, used in ``repr`` and in error messages.

    Example:
        >>> from minispore.ops import operations as P
        >>> op = P.MatMul(transpose_b=True)
        >>> op
        Prim[MatMul]<transpose_a=False, transpose_b=True>
        >>> op.add_prim_attr("primitive_target", "CPU").attrs["primitive_target"]
        'CPU'
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.attrs: dict[str, Any] = {}

    def add_prim_attr(self, name: str, value: Any) -> Primitive:
        """Set the attribute ``name`` to ``value`` and return the primitive (MindSpore's chaining)."""
        self.attrs[name] = value
        return self

    def del_prim_attr(self, name: str) -> Primitive:
        """Remove the attribute ``name`` if present and return the primitive."""
        self.attrs.pop(name, None)
        return self

    def init_prim_io_names(self, inputs: list[str], outputs: list[str]) -> None:
        """Record the names of the inputs and outputs (attributes ``input_names``/``output_names``)."""
        self.add_prim_attr("input_names", list(inputs))
        self.add_prim_attr("output_names", list(outputs))

    def __call__(self, *args: Any) -> Any:
        raise NotImplementedError(f"The primitive '{self.name}' does not define a computation.")

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.attrs.items() if k not in _IO_NAMES)
        return f"Prim[{self.name}]" + (f"<{shown}>" if shown else "")


def tensor_arg(op: str, name: str, value: Any) -> Tensor:
    """``value`` if it is a Tensor, else TypeError naming the primitive and the input."""
    if not isinstance(value, Tensor):
        raise TypeError(f"For '{op}', the input '{name}' must be a Tensor, but got {type(value).__name__}.")
    return value


def bool_attr(op: str, name: str, value: Any) -> bool:
    """A bool constructor argument (MindSpore's message), else TypeError."""
    if not isinstance(value, bool):
        raise TypeError(f"For '{op}', the type of '{name}' should be 'bool', but got type '{type(value).__name__}'.")
    return value


def int_attr(op: str, name: str, value: Any) -> int:
    """An int constructor argument (bools rejected), else TypeError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"For '{op}', the type of '{name}' should be 'int', but got type '{type(value).__name__}'.")
    return int(value)


def axis_attr(op: str, value: Any) -> int | tuple[int, ...]:
    """An ``axis`` given as an int or a tuple (or list) of ints, else TypeError."""
    if isinstance(value, list | tuple):
        for a in value:
            int_attr(op, "axis", a)
        return tuple(int(a) for a in value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"For '{op}', the type of 'axis' should be one of '[int, tuple of int]', but got {type(value)}."
        )
    return int(value)


# MindSpore's enum values for data formats, as BiasAdd's and AvgPool's attributes show them.
DATA_FORMATS = {"NCHW": 0, "NHWC": 1, "NCDHW": 2}


def check_format(op: str, data_format: Any, allowed: tuple[str, ...] = ("NCHW", "NHWC")) -> str:
    """``data_format`` if it is one of ``allowed`` and not ``'NHWC'`` (GPU-only in MindSpore), else ValueError."""
    if data_format not in allowed:
        raise ValueError(f"For '{op}', 'data_format' must be one of {list(allowed)}, but got {data_format!r}.")
    if data_format == "NHWC":
        raise ValueError(
            f"For '{op}', the 'NHWC' format is only supported in GPU target by MindSpore and not by minispore; "
            "use data_format='NCHW' and transpose the input with ops.transpose(x, (0, 3, 1, 2))."
        )
    return str(data_format)


def float_input(op: str, x: Any, rank: int) -> Tensor:
    """``x`` as a float Tensor of rank ``rank``: TypeError for a non-float, ValueError for another rank."""
    t = tensor_arg(op, "x", x)
    if not t.dtype.is_floating:
        raise TypeError(f"For '{op}', the input must be a float tensor, but got {t.dtype}.")
    if t.ndim != rank:
        raise ValueError(f"For '{op}', the input must be {rank}-D, but got shape {t.shape}.")
    return t
