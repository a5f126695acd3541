"""Decoding the tagged JSON values of the conformance files into Python objects."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from minispore import nn
from minispore.common.parameter import Parameter
from minispore.common.tensor import Tensor


class StepLinearWeightDecay(nn.Cell):
    """The dynamic weight decay of the reference cases: ``base + slope * float32(step)``."""

    def __init__(self, base: float, slope: float) -> None:
        super().__init__()
        self.base = np.float32(base)
        self.slope = np.float32(slope)

    def construct(self, global_step: Tensor) -> Tensor:
        step = global_step.asnumpy().astype(np.float32)
        return Tensor(self.base + self.slope * step)


def _generator(items: list[Any]) -> Iterator[Any]:
    yield from items


def decode(value: Any, params: dict[str, Parameter] | Callable[[str], Parameter]) -> Any:
    """Turn a JSON value of a case into the Python value MindSpore was called with.

    Args:
        value: the JSON value.
        params: the Parameters by name (or a function of the name).
    """
    lookup = params if callable(params) else params.__getitem__
    if isinstance(value, list):
        return [decode(v, lookup) for v in value]
    if isinstance(value, dict) and "__type__" not in value:
        return {k: decode(v, lookup) for k, v in value.items()}
    if not isinstance(value, dict):
        return value
    tag = value["__type__"]
    if tag == "Parameter":
        return lookup(value["name"])
    if tag == "Tensor":
        return Tensor(np.asarray(value["value"], dtype=value["dtype"]))
    if tag == "tuple":
        return tuple(decode(v, lookup) for v in value["items"])
    if tag == "generator":
        return _generator([decode(v, lookup) for v in value["items"]])
    if tag == "numpy_scalar":
        return np.dtype(value["dtype"]).type(value["value"])
    if tag == "ndarray":
        return np.asarray(value["value"], dtype=value["dtype"])
    if tag == "float":
        return float(value["value"])
    if tag == "LearningRateSchedule":
        return getattr(nn, value["class"])(**value["kwargs"])
    if tag == "WeightDecayCell":
        return StepLinearWeightDecay(**value["kwargs"])
    if tag == "Cell":
        return getattr(nn, value["class"])()
    raise ValueError(f"Unknown conformance value tag {tag!r}.")
