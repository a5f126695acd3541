"""MindSpore's compilation entry points, accepted on an eager framework.

minispore runs every Cell and function eagerly, in every mode: ``ms.jit`` returns the
function unchanged, and ``_cell_graph_executor.compile(cell, *inputs)`` (which
MindSpore's own tests call to check that a network builds) runs the cell once on the
inputs, so shape and type errors surface where MindSpore's compiler would report them,
and then restores every parameter, so that compiling changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, overload

_F = TypeVar("_F", bound=Callable[..., Any])

CAPTURE_MODES = ("ast", "bytecode", "trace")


@overload
def jit(function: _F, **options: Any) -> _F: ...


@overload
def jit(function: None = None, **options: Any) -> Callable[[_F], _F]: ...


def jit(function: Any = None, **options: Any) -> Any:
    """MindSpore's ``@ms.jit`` (with or without arguments): the function runs eagerly.

    Args:
        function: the function or ``construct`` method to decorate.
        **options: MindSpore's ``capture_mode``, ``jit_level``, ``dynamic``,
            ``fullgraph``, ``backend``, …; checked where MindSpore checks them, then ignored.

    Raises:
        ValueError: ``capture_mode`` is not ``'ast'``, ``'bytecode'`` or ``'trace'``.

    Example:
        >>> import minispore as ms
        >>> @ms.jit
        ... def double(x):
        ...     return x * 2
        >>> print(double(ms.Tensor(2.0)))
        4.0
        >>> ms.jit(capture_mode="ast")(double) is double
        True
    """
    mode = options.get("capture_mode", "ast")
    if mode not in CAPTURE_MODES:
        raise ValueError(f"For 'jit', 'capture_mode' must be one of {list(CAPTURE_MODES)}, but got {mode!r}.")
    if function is None:
        return lambda fn: fn
    if not callable(function):
        raise TypeError(f"For 'jit', 'function' must be a function or method, but got {type(function).__name__}.")
    return function


def jit_class(cls: type) -> type:
    """MindSpore's ``@ms.jit_class``: the class is used as it is."""
    if not isinstance(cls, type):
        raise TypeError(f"For 'jit_class', the decorated object must be a class, but got {type(cls).__name__}.")
    return cls


class _CellGraphExecutor:
    """What ``mindspore.common.api._cell_graph_executor`` offers scripts and tests."""

    def __init__(self) -> None:
        self._compiled: set[str] = set()

    def compile(self, obj: Any, *args: Any, phase: str = "predict", **kwargs: Any) -> tuple[str, bool]:
        """Run ``obj`` on ``args`` once, then restore every parameter it holds.

        Returns:
            ``(phase, True)``: the phase name MindSpore would give, and "compiled now".

        Raises:
            AttributeError: ``obj`` has no ``construct``.
            Whatever running the cell raises (a shape or dtype mismatch).

        Example:
            >>> import numpy as np
            >>> import minispore as ms
            >>> from minispore import nn
            >>> from minispore.common.api import _cell_graph_executor
            >>> net = nn.Dense(3, 2)
            >>> _ = _cell_graph_executor.compile(net, ms.Tensor(np.ones((4, 3), np.float32)))
        """
        if not hasattr(obj, "construct"):
            raise AttributeError(f"The class {type(obj).__name__} does not have method construct")
        params = list(obj.get_parameters()) if hasattr(obj, "get_parameters") else []
        saved = [(p, p.shape, p.asnumpy()) for p in params]
        try:
            obj(*args, **kwargs)
        finally:
            for p, shape, value in saved:
                if p.shape != shape or not (p.asnumpy() == value).all():
                    p.set_data(value)
        full_phase = f"{phase}.{type(obj).__name__}.{id(obj)}"
        self._compiled.add(full_phase)
        return full_phase, True

    def has_compiled(self, phase: str = "predict") -> bool:
        """Whether :meth:`compile` ran with this full phase name."""
        return phase in self._compiled


_cell_graph_executor = _CellGraphExecutor()
