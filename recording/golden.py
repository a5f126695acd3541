"""Shared helpers of the recorders: seeded inputs, tagged-value decoding for MindSpore, file writing.

The tagged JSON values are described in ``minispore/testing/data/README.md``; this module
builds the *MindSpore* objects from them (the test side decodes the same JSON into minispore
objects with ``minispore.testing.decode``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

MINDSPORE_VERSION = "2.10.0"
DEVICE = "CPU"
MODE = "PYNATIVE"
SOURCE_MS = "mindspore-2.10-cpu"
SOURCE_DOC = "documented-formula"


def seeded_inputs(
    seed: int, params: list[dict[str, Any]], steps: int, grad_scale: float = 1.0
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Initial values and gradients of a case, drawn from ``np.random.default_rng(seed)``.

    Draw order: every parameter's initial value in declaration order, then for each step the
    gradient of every parameter in declaration order. All draws are float64 standard normals,
    converted with ``.astype(dtype)``; gradients are multiplied by ``grad_scale`` (in float64)
    before the conversion.
    """
    rng = np.random.default_rng(seed)
    init = {p["name"]: rng.standard_normal(p["shape"]).astype(p["dtype"]) for p in params}
    grads: dict[str, list[np.ndarray]] = {p["name"]: [] for p in params}
    for _ in range(steps):
        for p in params:
            grads[p["name"]].append((rng.standard_normal(p["shape"]) * grad_scale).astype(p["dtype"]))
    return init, {n: np.stack(g) for n, g in grads.items()}


def param_entry(name: str, shape: list[int], dtype: str = "float32", requires_grad: bool = True) -> dict[str, Any]:
    """The ``params[]`` entry of a case file."""
    return {"name": name, "shape": list(shape), "dtype": dtype, "requires_grad": requires_grad}


def P(name: str) -> dict[str, str]:
    """The tag of the Parameter called ``name``."""
    return {"__type__": "Parameter", "name": name}


def PS(*names: str) -> list[dict[str, str]]:
    """Tags of several Parameters."""
    return [P(n) for n in names]


def _generator(items: list[Any]) -> Iterator[Any]:
    yield from items


def _weight_decay_cell(base: float, slope: float) -> Any:
    from mindspore import dtype as mstype
    from mindspore import nn, ops

    class StepLinearWeightDecay(nn.Cell):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.base = base
            self.slope = slope

        def construct(self, global_step: Any) -> Any:
            return self.base + self.slope * ops.cast(global_step, mstype.float32)

    return StepLinearWeightDecay()


def decode_ms(value: Any, lookup: Callable[[str], Any]) -> Any:
    """Build the MindSpore value a tagged JSON value stands for."""
    import mindspore as ms
    from mindspore import nn

    if isinstance(value, list):
        return [decode_ms(v, lookup) for v in value]
    if isinstance(value, dict) and "__type__" not in value:
        return {k: decode_ms(v, lookup) for k, v in value.items()}
    if not isinstance(value, dict):
        return value
    tag = value["__type__"]
    simple: dict[str, Callable[[], Any]] = {
        "Parameter": lambda: lookup(value["name"]),
        "Tensor": lambda: ms.Tensor(np.asarray(value["value"], dtype=value["dtype"])),
        "tuple": lambda: tuple(decode_ms(v, lookup) for v in value["items"]),
        "generator": lambda: _generator([decode_ms(v, lookup) for v in value["items"]]),
        "numpy_scalar": lambda: np.dtype(value["dtype"]).type(value["value"]),
        "ndarray": lambda: np.asarray(value["value"], dtype=value["dtype"]),
        "float": lambda: float(value["value"]),
        "LearningRateSchedule": lambda: getattr(nn, value["class"])(**value["kwargs"]),
        "WeightDecayCell": lambda: _weight_decay_cell(**value["kwargs"]),
        "Cell": lambda: getattr(nn, value["class"])(),
    }
    return simple[tag]()


def write_json(path: Path, obj: Any) -> None:
    """Write ``obj`` as the case files are written: one-space indent, no final newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=1))


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write the arrays, in insertion order, with ``np.savez_compressed`` (fixed zip timestamps)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        np.savez_compressed(f, **arrays)


def first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception message."""
    for line in str(exc).splitlines():
        if line.strip():
            return line.strip()
    return ""
