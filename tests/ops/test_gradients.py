"""Gradients of every differentiable primitive and loss case against central finite
differences in float64, on every backend (``tests/nn/gradcheck.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import minispore as ms

if TYPE_CHECKING:  # pytest imports the test folders as top-level packages (tests/ has no __init__.py)
    from tests.nn.gradcheck import check_gradients
else:
    from nn.gradcheck import check_gradients
from .cases import CASES, rng_for

DIFFERENTIABLE = sorted(name for name, case in CASES.items() if case.grads)


def _as_float64(x: Any) -> Any:
    return x.astype(np.float64) if x.dtype.kind == "f" else x


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_gradients_match_finite_differences(device: str, name: str) -> None:
    case = CASES[name]
    host = [_as_float64(x) for x in case.inputs(rng_for(name))]

    def fn(*varied: ms.Tensor) -> ms.Tensor:
        tensors = [ms.Tensor(x) for x in host]
        for position, t in zip(case.grads, varied):
            tensors[position] = t
        result = case.run(ms, *tensors)
        first: ms.Tensor = result[0] if isinstance(result, tuple) else result
        return first

    check_gradients(fn, [host[p] for p in case.grads])
