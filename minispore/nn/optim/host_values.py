"""Host copies of an optimizer's small Parameters, so a step never reads them back from a device.

MindSpore keeps ``global_step``, ``momentum`` and fixed learning rates as Parameters, and
minispore keeps them too (checkpoints and ``opt.learning_rate`` show them). Each step
reads them through a :class:`HostMirror`, which re-reads the device only after the
Parameter's value was replaced (its :attr:`~minispore.common.parameter.Parameter.version`
changed: ``set_data``, item assignment, a checkpoint load, a move to another device).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minispore.backend.protocol import Array, Backend, BinaryOp
from minispore.common.parameter import Parameter
from minispore.functions.constants import scalar

HostArray = np.ndarray[Any, Any]


def _stamp(p: Parameter) -> tuple[int, int]:
    """What identifies ``p``'s current value: its array and its version (see the module doc)."""
    return id(p._data), p._version


class HostMirror:
    """The host copy of ``parameter``'s value.

    Args:
        parameter: a small Parameter (a scalar or a short vector).
    """

    def __init__(self, parameter: Parameter) -> None:
        self.parameter = parameter
        self._seen: tuple[int, int] | None = None
        self._value: HostArray = np.empty(0)
        self._first: Any = None

    def get(self) -> HostArray:
        """The current value (read from the device only if the Parameter changed since)."""
        p = self.parameter
        stamp = _stamp(p)
        if self._seen != stamp:
            self._value = p.asnumpy()
            self._first = None
            self._seen = stamp
        return self._value

    def first(self) -> Any:
        """The first element of :meth:`get` as a NumPy scalar (a rate, a momentum), kept until the value changes."""
        value = self.get()
        if self._first is None:
            self._first = value.reshape(-1)[0]
        return self._first

    def update(self, op: BinaryOp, operand: np.generic, host_value: HostArray) -> None:
        """``parameter = parameter <op> operand``, queued on the device (nothing waited for);
        ``host_value`` is the result, computed on the host in the same dtype."""
        p = self.parameter
        backend = p.backend
        constant = scalar(backend, operand.item(), operand.dtype)
        p._rebind(backend.binary(op, p._data, constant), backend)
        self._value = host_value
        self._first = None
        self._seen = _stamp(p)


class StepCounter:
    """A step counter (``global_step``, ``state_step``): an int32 Parameter of one element,
    read and incremented on the host.

    The count is kept as a Python int, re-read from the device only after the Parameter's
    value was replaced (as :class:`HostMirror` does), and each increment is one add queued
    on the device with a constant kept per backend: this runs on every optimizer call.

    Args:
        name: the Parameter's name.
        shape: ``(1,)`` (``global_step``) or ``()`` (``state_step``).
    """

    def __init__(self, name: str = "global_step", shape: tuple[int, ...] = (1,)) -> None:
        self.parameter = Parameter(np.zeros(shape, np.int32), name=name)
        self._seen: tuple[int, int] | None = None
        self._step = 0
        self._one: tuple[Backend, Array] | None = None

    @property
    def value(self) -> int:
        """The step before this call's increment."""
        p = self.parameter
        stamp = _stamp(p)
        if self._seen != stamp:
            self._step = int(p.asnumpy().reshape(-1)[0])
            self._seen = stamp
        return self._step

    def advance(self, step: int) -> None:
        """Set the counter to ``step + 1``: an add queued on the device (nothing waited for)."""
        p = self.parameter
        backend = p.backend
        one = self._one
        if one is None or one[0] is not backend:
            one = self._one = (backend, scalar(backend, 1, np.dtype(np.int32)))
        p._rebind(backend.binary(BinaryOp.ADD, p._data, one[1]), backend)
        self._step = step + 1
        self._seen = _stamp(p)
