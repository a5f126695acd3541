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

from minispore.backend.protocol import BinaryOp
from minispore.common.parameter import Parameter
from minispore.functions.constants import scalar

HostArray = np.ndarray[Any, Any]


class HostMirror:
    """The host copy of ``parameter``'s value.

    Args:
        parameter: a small Parameter (a scalar or a short vector).
    """

    def __init__(self, parameter: Parameter) -> None:
        self.parameter = parameter
        self._seen: tuple[int, int] | None = None
        self._value: HostArray = np.empty(0)

    def get(self) -> HostArray:
        """The current value (read from the device only if the Parameter changed since)."""
        p = self.parameter
        if self._seen != (id(p._data), p.version):
            self._value = p.asnumpy()
            self._seen = (id(p._data), p.version)
        return self._value

    def update(self, op: BinaryOp, operand: np.generic, host_value: HostArray) -> None:
        """``parameter = parameter <op> operand``, queued on the device (nothing waited for);
        ``host_value`` is the result, computed on the host in the same dtype."""
        p = self.parameter
        backend = p.backend
        constant = scalar(backend, operand.item(), operand.dtype)
        p._rebind(backend.binary(op, p._data, constant), backend)
        self._value = host_value
        self._seen = (id(p._data), p.version)


class StepCounter(HostMirror):
    """A step counter (``global_step``, ``state_step``): an int32 ``(1,)`` Parameter read and
    incremented on the host."""

    def __init__(self, name: str = "global_step", shape: tuple[int, ...] = (1,)) -> None:
        super().__init__(Parameter(np.zeros(shape, np.int32), name=name))

    @property
    def value(self) -> int:
        """The step before this call's increment."""
        return int(self.get().reshape(-1)[0])

    def advance(self, step: int) -> None:
        """Set the counter to ``step + 1``: an add queued on the device."""
        host = np.array([step + 1], dtype=np.int32).reshape(self.parameter.shape)
        self.update(BinaryOp.ADD, _ONE, host)


_ONE = np.int32(1)
