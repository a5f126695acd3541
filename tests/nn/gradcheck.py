"""Gradients of layers and functions against central finite differences, in float64.

:func:`check_gradients` differentiates ``sum(fn(*inputs) * w)`` for a fixed random
``w`` (so that a transposed or mis-broadcast gradient cannot hide behind a sum of ones)
with respect to every input and every listed Parameter, and compares each element with
``(L(x + eps) - L(x - eps)) / 2eps``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import minispore as ms

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
EPS = 1e-6
RTOL = 1e-5
ATOL = 1e-7

Host = np.ndarray[Any, Any]


def require_float64() -> None:
    """Skip on a device without float64 (some OpenCL devices)."""
    if not ms.Tensor(0.0).backend.supports_dtype(np.dtype(np.float64)):
        pytest.skip(f"{ms.get_device()} has no float64 for finite differences")


def _central_difference(loss: Callable[[], float], x: Host, commit: Callable[[], None]) -> Host:
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        x[idx] = original + EPS
        commit()
        plus = loss()
        x[idx] = original - EPS
        commit()
        minus = loss()
        x[idx] = original
        commit()
        grad[idx] = (plus - minus) / (2 * EPS)
    return grad


def check_gradients(fn: Callable[..., ms.Tensor], inputs: Sequence[Any], params: Sequence[ms.Parameter] = ()) -> None:
    """``value_and_grad`` of ``sum(fn(*inputs) * w)`` matches finite differences.

    Args:
        fn: maps Tensors made from ``inputs`` to one float64 Tensor.
        inputs: host arrays, converted to float64.
        params: float64 Parameters that ``fn`` uses (layer weights).
    """
    require_float64()
    xs = [np.array(a, dtype=np.float64) for a in inputs]
    out_shape = fn(*(ms.Tensor(x) for x in xs)).shape
    weights = ms.Tensor(np.random.default_rng(7).uniform(0.5, 1.5, out_shape))

    def loss(*tensors: ms.Tensor) -> ms.Tensor:
        return (fn(*tensors) * weights).sum()

    def host_loss() -> float:
        return float(loss(*(ms.Tensor(x) for x in xs)).asnumpy())

    positions = tuple(range(len(xs)))
    _, (input_grads, param_grads) = ms.value_and_grad(loss, positions, list(params))(*(ms.Tensor(x) for x in xs))
    for i, (x, grad) in enumerate(zip(xs, input_grads)):
        expected = _central_difference(host_loss, x, lambda: None)
        np.testing.assert_allclose(grad.asnumpy(), expected, rtol=RTOL, atol=ATOL, err_msg=f"input {i}")
    for p, grad in zip(params, param_grads):
        host = p.asnumpy().astype(np.float64)
        expected = _central_difference(host_loss, host, _writer(p, host))
        np.testing.assert_allclose(grad.asnumpy(), expected, rtol=RTOL, atol=ATOL, err_msg=f"parameter {p.name}")


def _writer(param: ms.Parameter, host: Host) -> Callable[[], None]:
    """Copy ``host`` into ``param`` (after each perturbation)."""

    def write() -> None:
        param.set_data(ms.Tensor(host))

    return write
