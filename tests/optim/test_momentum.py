"""nn.Momentum beyond the recorded cases: fused vs reference, state, exposures, dtypes."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import minispore as ms
from minispore import nn
from minispore.nn.learning_rate_schedule import LearningRateSchedule

SHAPES = {"conv.weight": (4, 16, 3, 3), "bn.beta": (16,), "fc.weight": (10, 32), "fc.bias": (10,)}


def _params(dtype: type = np.float32, seed: int = 0) -> list[ms.Parameter]:
    rng = np.random.default_rng(seed)
    return [ms.Parameter(rng.standard_normal(s).astype(dtype), name=n) for n, s in SHAPES.items()]


def _grads(params: list[ms.Parameter], step: int, dtype: Any = None) -> tuple[ms.Tensor, ...]:
    rng = np.random.default_rng(100 + step)
    return tuple(ms.Tensor(rng.standard_normal(p.shape).astype(dtype or p.dtype.np_dtype)) for p in params)


class HalvingLR(LearningRateSchedule):
    def construct(self, global_step: ms.Tensor) -> ms.Tensor:
        return ms.Tensor(np.float32(0.1) / (np.float32(1) + global_step.asnumpy().astype(np.float32)))


def _build(params: list[ms.Parameter], grouped: bool, lr: Any, wd: float, ls: float, nesterov: bool) -> nn.Momentum:
    if grouped:
        groups: Any = [
            {"params": params[:2], "grad_centralization": True, "weight_decay": wd},
            {"params": params[2:], "lr": 0.05, "grad_centralization": True},
        ]
        return nn.Momentum(groups, learning_rate=lr, momentum=0.9, loss_scale=ls, use_nesterov=nesterov)
    return nn.Momentum(params, learning_rate=lr, momentum=0.9, weight_decay=wd, loss_scale=ls, use_nesterov=nesterov)


OPTIONS = list(
    itertools.product(
        [False, True],  # grouped (with centralization)
        ["const", "list", "schedule"],
        [0.0, 0.01],
        [1.0, 8.0],
        [False, True],
    )
)


@pytest.mark.parametrize(("grouped", "lr_kind", "wd", "ls", "nesterov"), OPTIONS)
def test_fused_matches_reference(
    device: str, grouped: bool, lr_kind: str, wd: float, ls: float, nesterov: bool
) -> None:
    lr: Any = {"const": 0.1, "list": [0.1, 0.08, 0.06, 0.04], "schedule": HalvingLR()}[lr_kind]
    fused_params, ref_params = _params(), _params()
    fused = _build(fused_params, grouped, lr, wd, ls, nesterov)
    reference = _build(ref_params, grouped, lr, wd, ls, nesterov)
    reference.fused = False
    for step in range(4):
        fused(_grads(fused_params, step))
        reference(_grads(ref_params, step))
    for a, b, ma, mb in zip(fused_params, ref_params, fused.moments, reference.moments):
        # Centralization means differ in summation order between the paths; all else is exact.
        np.testing.assert_allclose(a.asnumpy(), b.asnumpy(), rtol=2e-6, atol=1e-6, err_msg=a.name)
        np.testing.assert_allclose(ma.asnumpy(), mb.asnumpy(), rtol=2e-6, atol=1e-6, err_msg=ma.name)
        if not grouped and device == "CPU":
            np.testing.assert_array_equal(a.asnumpy(), b.asnumpy(), err_msg=a.name)


@pytest.mark.parametrize("dtype", [np.float16, np.float64])
def test_fused_matches_reference_other_dtypes(device: str, dtype: type) -> None:
    if not ms.Tensor(np.zeros(1, np.float32)).backend.supports_dtype(np.dtype(dtype)):
        pytest.skip(f"{device} does not support {np.dtype(dtype)}")
    fused_params, ref_params = _params(dtype), _params(dtype)
    fused = nn.Momentum(fused_params, 0.1, 0.9, weight_decay=0.01)
    reference = nn.Momentum(ref_params, 0.1, 0.9, weight_decay=0.01)
    reference.fused = False
    for step in range(3):
        fused(_grads(fused_params, step))
        reference(_grads(ref_params, step))
    tol = 1e-3 if dtype == np.float16 else 1e-6
    for a, b in zip(fused_params, ref_params):
        assert a.dtype == ms.dtype.to_dtype(dtype)
        np.testing.assert_allclose(a.asnumpy(), b.asnumpy(), rtol=tol, atol=tol)


def test_float64_parameters_update_in_float32(device: str) -> None:
    """MindSpore's float32 lr and momentum select a float32 kernel for float64 parameters."""
    if not ms.Tensor(np.zeros(1, np.float32)).backend.supports_dtype(np.dtype(np.float64)):
        pytest.skip(f"{device} has no float64")
    w = ms.Parameter(np.zeros(1, np.float64), name="w")
    opt = nn.Momentum([w], 0.1, 0.9)
    opt((ms.Tensor(np.array([0.3], np.float64)),))
    assert opt.moments[0].asnumpy()[0] == np.float64(np.float32(0.3))
    assert w.dtype == ms.float64


def test_gradient_centralization_runs_on_every_backend(device: str) -> None:
    """MindSpore's CPU build raises here; minispore applies the documented formula."""
    w = ms.Parameter(np.zeros((4, 16, 3, 3), np.float32), name="conv.weight")
    small = ms.Parameter(np.zeros((6, 1, 5, 5), np.float32), name="conv1.weight")
    opt = nn.Momentum([{"params": [w, small], "grad_centralization": True}], learning_rate=0.1, momentum=0.9)
    g = np.random.default_rng(0).standard_normal((4, 16, 3, 3)).astype(np.float32)
    gs = np.random.default_rng(1).standard_normal((6, 1, 5, 5)).astype(np.float32)
    opt((ms.Tensor(g), ms.Tensor(gs)))
    centered = g - g.mean(axis=(1, 2, 3), keepdims=True)
    np.testing.assert_allclose(w.asnumpy(), -0.1 * centered, rtol=1e-5, atol=1e-6)
    # shape[1] == 1 is not a multiple of 16: MindSpore's gate leaves it alone.
    np.testing.assert_array_equal(small.asnumpy(), np.float32(0) - gs * np.float32(0.1))


def test_gradients_as_list_accepted(device: str) -> None:
    w = ms.Parameter(np.ones(3, np.float32), name="w")
    opt = nn.Momentum([w], 0.1, 0.9)
    assert opt([ms.Tensor(np.ones(3, np.float32))]) == (True,)
    np.testing.assert_allclose(w.asnumpy(), 0.9)


def test_float16_gradients_upcast_for_float32_parameters(device: str) -> None:
    w = ms.Parameter(np.ones(3, np.float32), name="w")
    nn.Momentum([w], 0.5, 0.9)((ms.Tensor(np.ones(3, np.float16)),))
    np.testing.assert_array_equal(w.asnumpy(), np.full(3, 0.5, np.float32))


def test_integer_parameters_rejected_at_the_call(device: str) -> None:
    w = ms.Parameter(np.ones(3, np.int32), name="w")
    opt = nn.Momentum([w], 0.1, 0.9)
    with pytest.raises(TypeError, match="float16, float32 or float64"):
        opt((ms.Tensor(np.ones(3, np.int32)),))


def test_frozen_parameters_are_updated_like_any_other(device: str) -> None:
    w = ms.Parameter(np.ones(2, np.float32), name="w", requires_grad=False)
    nn.Momentum([w], 0.5, 0.9)((ms.Tensor(np.ones(2, np.float32)),))
    np.testing.assert_array_equal(w.asnumpy(), [0.5, 0.5])


def test_parameters_are_views_of_the_flat_buffer(device: str) -> None:
    params = _params()
    opt = nn.Momentum(params, 0.1, 0.9)
    params[0].set_data(ms.Tensor(np.zeros(params[0].shape, np.float32)))
    opt(_grads(params, 0))
    expected = -0.1 * _grads(params, 0)[0].asnumpy()
    np.testing.assert_allclose(params[0].asnumpy(), expected, rtol=1e-6)


def test_shape_change_after_construction_is_a_clear_error(device: str) -> None:
    w = ms.Parameter(np.ones(3, np.float32), name="w")
    opt = nn.Momentum([w], 0.1, 0.9)
    w.set_data(ms.Tensor(np.ones(4, np.float32)))
    with pytest.raises(ValueError, match=r"shape of parameter 'w' changed from \(3,\) to \(4,\)"):
        opt((ms.Tensor(np.ones(4, np.float32)),))


def test_two_optimizers_over_the_same_parameters(device: str) -> None:
    w = ms.Parameter(np.ones(2, np.float32), name="w")
    first = nn.Momentum([w], 0.5, 0.0)
    second = nn.Momentum([w], 0.25, 0.0)
    first((ms.Tensor(np.ones(2, np.float32)),))
    second((ms.Tensor(np.ones(2, np.float32)),))
    first((ms.Tensor(np.ones(2, np.float32)),))
    np.testing.assert_array_equal(w.asnumpy(), [-0.25, -0.25])


def test_global_step_can_be_set_and_list_lr_follows(device: str) -> None:
    w = ms.Parameter(np.zeros(1, np.float32), name="w")
    opt = nn.Momentum([w], [0.1, 0.2, 0.3], 0.0)
    opt.global_step.set_data(ms.Tensor(np.array([2], np.int32)))
    opt((ms.Tensor(np.ones(1, np.float32)),))
    np.testing.assert_array_equal(w.asnumpy(), [np.float32(0) - np.float32(0.3)])
    with pytest.raises(RuntimeError, match=r"range \[0, 3\), but got 3"):
        opt((ms.Tensor(np.ones(1, np.float32)),))
    assert opt.global_step.asnumpy().tolist() == [3]


def test_checkpoint_keys_and_attributes() -> None:
    w, b = (ms.Parameter(np.ones(2, np.float32), name=n) for n in ("w", "b"))
    opt = nn.Momentum([w, b], 0.1, 0.9, weight_decay=0.01, loss_scale=2.0)
    assert [n for n, _ in opt.parameters_and_names()] == [
        "global_step",
        "learning_rate",
        "w",
        "b",
        "momentum",
        "moments.w",
        "moments.b",
    ]
    assert opt.init_args == {"momentum": 0.9, "weight_decay": 0.01, "loss_scale": 2.0, "use_nesterov": False}
    assert opt.global_step.dtype == ms.int32 and opt.global_step.shape == (1,)
    assert opt.momentum.dtype == ms.float32
    assert isinstance(opt.learning_rate, ms.Parameter)
    np.testing.assert_array_equal(opt.get_weight_decay().asnumpy(), np.float32(0.01 * 2.0))


def test_grouped_learning_rate_exposure() -> None:
    w, b, c = (ms.Parameter(np.ones(2, np.float32), name=n) for n in ("w", "b", "c"))
    opt = nn.Momentum([{"params": [w]}, {"params": [b, c], "lr": 0.5}], 0.1, 0.9)
    assert isinstance(opt.learning_rate, ms.ParameterTuple)
    assert [p.name for p in opt.learning_rate] == ["learning_rate", "learning_rate_group_1", "learning_rate_group_1"]
    assert opt.get_lr_parameter(b) is opt.get_lr_parameter(c)
    assert [float(x.asnumpy()) for x in opt.get_lr()] == [pytest.approx(0.1), 0.5, 0.5]
    dynamic = nn.Momentum([{"params": [w]}, {"params": [b], "lr": [0.1, 0.2]}], 0.0123456, 0.9)
    assert isinstance(dynamic.learning_rate, nn.CellList)
    assert np.float32(dynamic.get_lr()[0].asnumpy()) == np.float32(0.012345552)


def test_ungrouped_decay_mask_follows_names() -> None:
    params = [ms.Parameter(np.ones(1, np.float32), name=n) for n in ("bn.beta", "ln.gamma_scale", "alphabet", "w")]
    opt = nn.Momentum(params, 0.1, 0.9, weight_decay=0.1)
    assert opt.decay_flags == (False, False, True, True)
    grouped = nn.Momentum([{"params": params, "weight_decay": 0.1}], 0.1, 0.9)
    assert grouped.decay_flags == (True, True, True, True)


def test_a_step_reads_the_gradients_without_changing_them(device: str) -> None:
    params = _params()
    opt = nn.Momentum(
        [{"params": params[:2], "grad_centralization": True, "weight_decay": 0.01}, {"params": params[2:]}],
        learning_rate=0.1,
        momentum=0.9,
        loss_scale=4.0,
    )
    grads = _grads(params, 0)
    before = [g.asnumpy() for g in grads]
    opt(grads)
    for g, b in zip(grads, before):
        np.testing.assert_array_equal(g.asnumpy(), b)


def test_numpy_fused_update_in_pieces_equals_one_flat_gradient() -> None:
    from minispore_numpy import NumpyBackend

    from minispore.backend import UpdateStep
    from minispore.nn.optim.rules import MOMENTUM

    rng = np.random.default_rng(5)
    shapes = [(4, 16, 3), (70_000,), (9,)]
    n = sum(int(np.prod(s)) for s in shapes)
    grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    step = UpdateStep(MOMENTUM, frozenset({"scale", "nesterov"}), 40_000, (0.1, 0.9, 0.01, 0.25))
    p1, v1 = (rng.standard_normal(n).astype(np.float32) for _ in range(2))
    p2, v2 = p1.copy(), v1.copy()
    NumpyBackend().fused_update(step, p1, [v1], grads)
    NumpyBackend().fused_update(step, p2, [v2], [np.concatenate([g.ravel() for g in grads])])
    np.testing.assert_array_equal(p1, p2)
    np.testing.assert_array_equal(v1, v2)


def test_order_params_aligns_learning_rates_with_parameters(device: str) -> None:
    """MindSpore's parameter-group tutorial: conv params at lr 0.8 keep it after re-ordering."""
    conv = ms.Parameter(np.ones(4, np.float32), name="conv.weight")
    fc = ms.Parameter(np.ones(3, np.float32), name="fc.weight")
    opt = nn.Momentum(
        [{"params": [conv], "lr": 0.8}, {"params": [fc]}, {"order_params": [fc, conv]}], learning_rate=0.1, momentum=0.9
    )
    assert opt.is_group_params_ordered
    assert [p.name for p in opt.parameters] == ["fc.weight", "conv.weight"]
    rates = [float(lr.asnumpy()) for lr in opt.learning_rate]
    np.testing.assert_allclose(rates, [0.1, 0.8], rtol=1e-7)
    assert not nn.Momentum([conv, fc], 0.1, 0.9).is_group_params_ordered
