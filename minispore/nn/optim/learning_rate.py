"""The forms a learning rate can take, evaluated on the host at a given ``global_step``.

Each form knows the float32 rate for a step and what ``optimizer.learning_rate`` exposes
for it (a Parameter, a schedule Cell, or the internal cell of a list).
"""

from __future__ import annotations

import collections.abc
import logging
from typing import Any

import numpy as np

from minispore.common import dtype as mstype
from minispore.common.parameter import Parameter
from minispore.common.tensor import Tensor
from minispore.common.validation import as_float_at_least
from minispore.nn.cell import Cell
from minispore.nn.learning_rate_schedule import LearningRateSchedule
from minispore.nn.optim.host_values import HostMirror

_logger = logging.getLogger("minispore")


def call_at_step(cell: Cell, step: int) -> np.float32:
    """``cell(global_step)`` as a float32 scalar, with ``global_step`` a ``(1,)`` int32 Tensor.

    Schedules and dynamic weight decays are called this way, as MindSpore calls them.
    """
    out = cell(Tensor(np.array([step], dtype=np.int32)))
    value: np.float32 = np.asarray(out.asnumpy() if isinstance(out, Tensor) else out, dtype=np.float32).reshape(-1)[0]
    return value


class ConstantLR:
    """A fixed rate stored in a float32 ``Parameter`` (users may ``set_data`` it; each step
    reads a host copy, refreshed only when the Parameter changes)."""

    is_dynamic = False

    def __init__(self, value: float | Tensor, name: str = "learning_rate") -> None:
        host = value.asnumpy() if isinstance(value, Tensor) else np.asarray(value)
        self.parameter = Parameter(Tensor(host.astype(np.float32)), name=name)
        self._host = HostMirror(self.parameter)

    @property
    def exposed(self) -> Parameter | Cell:
        return self.parameter

    def value_at(self, step: int) -> np.float32:
        value: np.float32 = self._host.first()
        return value


class RoundedConstantLR(ConstantLR):
    """MindSpore's grouped quirk: with any dynamic rate, constants become ``(lr + 1) - 1``.

    Computed in float32, so low-order bits are lost: 0.0123456 becomes 0.012345552.
    """

    cell: Cell

    @classmethod
    def sharing(cls, constant: ConstantLR) -> RoundedConstantLR:
        """The rounded view of ``constant``, sharing its Parameter."""
        rounded = cls.__new__(cls)
        rounded.parameter = constant.parameter
        rounded._host = constant._host
        rounded.cell = _RoundedLRCell(rounded)
        return rounded

    @property
    def exposed(self) -> Parameter | Cell:
        return self.cell

    def value_at(self, step: int) -> np.float32:
        one = np.float32(1.0)
        value: np.float32 = np.float32(np.float32(super().value_at(step) + one) - one)
        return value


class _RoundedLRCell(Cell):
    """How a rounded constant appears in ``optimizer.learning_rate`` (a ``CellList``)."""

    def __init__(self, rate: RoundedConstantLR) -> None:
        super().__init__(auto_prefix=False)
        self.rate = rate
        self.learning_rate = rate.parameter

    def construct(self, global_step: Tensor) -> Tensor:
        return Tensor(self.rate.value_at(int(global_step.asnumpy().reshape(-1)[0])))


class _IteratorLearningRate(Cell):
    """The internal cell around a list or 1-D Tensor rate: element ``step`` per call."""

    def __init__(self, values: np.ndarray[Any, Any], name: str = "learning_rate") -> None:
        super().__init__(auto_prefix=False)
        self.learning_rate = Parameter(Tensor(values), name=name)

    def construct(self, global_step: Tensor) -> Tensor:
        return Tensor(
            np.float32(ListLR.lookup(self.learning_rate.asnumpy(), int(global_step.asnumpy().reshape(-1)[0])))
        )


class ListLR:
    """A list, tuple, 1-D array or 1-D Tensor of rates: call ``k`` uses element ``k``.

    Past the end MindSpore neither clamps nor wraps; it raises ``RuntimeError``.
    """

    is_dynamic = True

    def __init__(self, values: np.ndarray[Any, Any], name: str = "learning_rate") -> None:
        if values.size == 1:
            _logger.warning(
                "The dynamic learning rate has only one element, so only the first step can run; "
                "pass a float for a fixed rate."
            )
        self.cell = _IteratorLearningRate(values.astype(np.float32), name)
        self._host = HostMirror(self.cell.learning_rate)

    @property
    def length(self) -> int:
        return int(self.cell.learning_rate.shape[0])

    @property
    def exposed(self) -> Parameter | Cell:
        return self.cell

    @staticmethod
    def lookup(values: np.ndarray[Any, Any], step: int) -> np.float32:
        if not 0 <= step < values.shape[0]:
            raise RuntimeError(
                f"For 'Gather', the 'input_indices' should be in the range [0, {values.shape[0]}), but got {step}. "
                f"The dynamic learning rate has {values.shape[0]} entries and global_step is {step}: "
                "give at least as many rates as optimizer steps, or use a LearningRateSchedule."
            )
        value: np.float32 = np.float32(values[step])
        return value

    def value_at(self, step: int) -> np.float32:
        return self.lookup(self._host.get(), step)


class ScheduleLR:
    """A :class:`LearningRateSchedule` called with ``global_step`` before its increment."""

    is_dynamic = True

    def __init__(self, schedule: LearningRateSchedule) -> None:
        self.schedule = schedule

    @property
    def exposed(self) -> Parameter | Cell:
        return self.schedule

    def value_at(self, step: int) -> np.float32:
        return call_at_step(self.schedule, step)


LearningRate = ConstantLR | ListLR | ScheduleLR


def parse_learning_rate(value: Any, prim: str, name: str = "learning_rate") -> LearningRate:
    """Turn a user's learning rate into one of the forms, with MindSpore's checks (spec §4).

    Raises:
        TypeError: not an int, float, Tensor, Iterable or LearningRateSchedule.
        ValueError: a negative or non-finite number, a Tensor of rank 2 or more, or an
            Iterable whose entries are not numbers.
    """
    if isinstance(value, bool | int | float):
        return ConstantLR(as_float_at_least(prim, "learning rate", value, 0.0, strict=False), name)
    if isinstance(value, Tensor):
        if value.ndim == 0:
            return ConstantLR(value.astype(mstype.float32), name)
        if value.ndim == 1:
            return ListLR(value.asnumpy().astype(np.float32), name)
        raise ValueError(
            f"For '{prim}', the dimension of 'learning_rate' Tensor should be 0 or 1, but got {value.ndim}. "
            "Pass a scalar for a fixed rate or a 1-D Tensor with one rate per step."
        )
    if isinstance(value, LearningRateSchedule):
        return ScheduleLR(value)
    if isinstance(value, collections.abc.Iterable) and not isinstance(value, Cell):
        items = list(value)  # a 0-d array raises TypeError here, as in MindSpore
        try:
            rates = np.array(items).astype(np.float32)
        except ValueError as exc:
            # MindSpore's type (a str is an Iterable of characters), with the argument named.
            raise ValueError(
                f"For '{prim}', 'learning_rate' must be a number, a Tensor, a list of numbers or a "
                f"LearningRateSchedule, but got {type(value).__name__} {value!r}: {exc}. Pass 0.1, not '0.1'."
            ) from exc
        return ListLR(rates, name)
    raise TypeError(
        f"For 'Optimizer', the argument 'learning_rate' must be int, float, Tensor, Iterable or "
        f"LearningRateSchedule, but got {type(value).__name__}."
    )
