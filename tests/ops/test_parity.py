"""Every primitive and loss case of ``cases.py`` against MindSpore 2.10's recorded outputs
and gradients (``recording/record_ops_losses.py``), on every backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minispore as ms

from .cases import CASES, Case, grad_weights, host_outputs

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ops" / "mindspore_ops_losses.npz"
# float32 results computed in another order (softmax, convolutions, reductions).
RTOL, ATOL = 2e-6, 1e-6
# MindSpore's CPU LogSoftmax is off by up to 3.5e-6 from the float64 value (minispore: 2e-7).
LOOSE_ATOL = {"LogSoftmax": 5e-6, "LogSoftmax_axis0": 5e-6}


@pytest.fixture(scope="module")
def recorded() -> dict[str, Any]:
    with np.load(FIXTURE) as data:
        return {key: data[key] for key in data.files}


def _arrays(recorded: dict[str, Any], name: str, kind: str) -> list[Any]:
    out: list[Any] = []
    while f"{name}/{kind}{len(out)}" in recorded:
        out.append(recorded[f"{name}/{kind}{len(out)}"])
    return out


def _assert_matches(got: Any, want: Any, what: str, atol: float = ATOL) -> None:
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype}, MindSpore {want.dtype}"
    assert got.shape == want.shape, f"{what}: shape {got.shape}, MindSpore {want.shape}"
    if want.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=atol, err_msg=what)
    else:
        np.testing.assert_array_equal(got, want, err_msg=what)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_mindspore(device: str, recorded: dict[str, Any], name: str) -> None:
    case: Case = CASES[name]
    inputs = _arrays(recorded, name, "in")
    outputs = host_outputs(case.run(ms, *(ms.Tensor(x) for x in inputs)))
    want = _arrays(recorded, name, "out")
    assert len(outputs) == len(want)
    for i, (got, expected) in enumerate(zip(outputs, want)):
        _assert_matches(got, expected, f"{name} output {i}", LOOSE_ATOL.get(name, ATOL))
    if not case.grads:
        return
    w = ms.Tensor(grad_weights(name, want[0].shape))

    def loss(*tensors: ms.Tensor) -> ms.Tensor:
        result = case.run(ms, *tensors)
        first: ms.Tensor = result[0] if isinstance(result, tuple) else result
        return (first * w).sum()

    grads = ms.grad(loss, grad_position=case.grads)(*(ms.Tensor(x) for x in inputs))
    grads = grads if isinstance(grads, tuple) else (grads,)
    for position, grad in zip(case.grads, grads):
        want_grad = recorded[f"{name}/grad{position}"]
        _assert_matches(grad.asnumpy(), want_grad, f"{name} gradient {position}", LOOSE_ATOL.get(name, ATOL))
