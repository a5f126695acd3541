"""Softmax, dense, batch norm and the losses: values against NumPy, gradients against
finite differences, on every backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minispore as ms
from minispore import nn, ops

from .gradcheck import SETTINGS, Host, check_gradients, require_float64


def logits(shape: Any) -> st.SearchStrategy[Host]:
    return hnp.arrays(np.float64, shape, elements=st.floats(-3.0, 3.0))


def log_softmax_reference(x: Host, axis: int) -> Host:
    shifted = x - x.max(axis=axis, keepdims=True)
    return np.asarray(shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True)))


@SETTINGS
@given(x=logits(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)), data=st.data())
def test_softmax_and_log_softmax(device: str, x: Host, data: st.DataObject) -> None:
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    require_float64()
    expected = log_softmax_reference(x, axis)
    np.testing.assert_allclose(ops.log_softmax(ms.Tensor(x), axis).asnumpy(), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ops.softmax(ms.Tensor(x), axis).asnumpy(), np.exp(expected), rtol=1e-12, atol=1e-14)
    check_gradients(lambda t: ops.softmax(t, axis), [x])
    check_gradients(lambda t: ops.log_softmax(t, axis), [x])


def test_log_softmax_is_stable_for_large_logits(device: str) -> None:
    out = ops.log_softmax(ms.Tensor([1000.0, 0.0])).asnumpy()
    np.testing.assert_allclose(out, [0.0, -1000.0])
    assert np.isfinite(ops.softmax(ms.Tensor([1000.0, -1000.0])).asnumpy()).all()


def cross_entropy_reference(
    x: Host, target: Host, weight: Host | None, ignore: int, reduction: str, smoothing: float
) -> Host:
    """PyTorch's and MindSpore's definition, written with NumPy for class-index targets."""
    classes = x.shape[1]
    logp = np.moveaxis(log_softmax_reference(x, 1), 1, -1).reshape(-1, classes)
    w = np.ones(classes) if weight is None else weight
    y = target.reshape(-1)
    valid = y != ignore
    picked = np.where(valid, y, 0)
    nll = -logp[np.arange(len(y)), picked] * w[picked] * valid
    smooth = -(logp * w).sum(-1) * valid
    if reduction == "mean":
        nll_r, smooth_r = nll.sum() / (w[picked] * valid).sum(), smooth.mean()
    elif reduction == "sum":
        nll_r, smooth_r = nll.sum(), smooth.sum()
    else:
        nll_r, smooth_r = nll.reshape(target.shape), smooth.reshape(target.shape)
    return np.asarray((1 - smoothing) * nll_r + smoothing / classes * smooth_r)


@SETTINGS
@given(
    shape=st.sampled_from([(4, 3), (2, 3, 2), (2, 4, 2, 2)]),
    weighted=st.booleans(),
    ignore=st.booleans(),
    reduction=st.sampled_from(["mean", "sum", "none"]),
    smoothing=st.sampled_from([0.0, 0.2]),
    seed=st.integers(0, 2**16),
)
def test_cross_entropy_with_class_indices(
    device: str, shape: tuple[int, ...], weighted: bool, ignore: bool, reduction: str, smoothing: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    target = rng.integers(0, shape[1], shape[:1] + shape[2:])
    if ignore:
        target.flat[0], target.flat[-1] = 1, 0
    weight = rng.uniform(0.5, 2.0, shape[1]) if weighted else None
    ignore_index = 1 if ignore else -100
    require_float64()
    w = None if weight is None else ms.Tensor(weight)
    loss = nn.CrossEntropyLoss(w, ignore_index, reduction, smoothing)
    y = ms.Tensor(target.astype(np.int32))
    expected = cross_entropy_reference(x, target, weight, ignore_index, reduction, smoothing)
    np.testing.assert_allclose(loss(ms.Tensor(x), y).asnumpy(), expected, rtol=1e-12)
    check_gradients(lambda t: loss(t, y), [x])


def test_cross_entropy_with_probabilities(device: str) -> None:
    require_float64()
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4))
    probs = rng.dirichlet(np.ones(4), 3)
    out = ops.cross_entropy(ms.Tensor(x), ms.Tensor(probs), label_smoothing=0.1).asnumpy()
    smoothed = probs * 0.9 + 0.1 / 4
    np.testing.assert_allclose(out, -(log_softmax_reference(x, 1) * smoothed).sum() / 3, rtol=1e-12)
    check_gradients(lambda t, p: ops.cross_entropy(t, p, reduction="none"), [x, probs])


@pytest.mark.parametrize("sparse", [True, False])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_softmax_cross_entropy_with_logits(device: str, sparse: bool, reduction: str) -> None:
    require_float64()
    rng = np.random.default_rng(5)
    x = rng.standard_normal((5, 3))
    labels = rng.integers(0, 3, 5)
    onehot = np.eye(3)[labels]
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=sparse, reduction=reduction)
    y = ms.Tensor(labels.astype(np.int32)) if sparse else ms.Tensor(onehot)
    per_sample = -(log_softmax_reference(x, 1) * onehot).sum(-1)
    expected = {"none": per_sample, "mean": per_sample.mean(), "sum": per_sample.sum()}[reduction]
    np.testing.assert_allclose(loss(ms.Tensor(x), y).asnumpy(), expected, rtol=1e-12)
    check_gradients(lambda t: loss(t, y), [x])


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_mse_and_l1_losses(device: str, reduction: str) -> None:
    require_float64()
    rng = np.random.default_rng(11)
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    reductions: dict[str, Callable[[Host], Any]] = {"none": lambda v: v, "mean": np.mean, "sum": np.sum}
    reduce = reductions[reduction]
    for cell, elementwise in ((nn.MSELoss(reduction), (x - y) ** 2), (nn.L1Loss(reduction), np.abs(x - y))):
        np.testing.assert_allclose(cell(ms.Tensor(x), ms.Tensor(y)).asnumpy(), reduce(elementwise), rtol=1e-12)
        check_gradients(lambda a, b, cell=cell: cell(a, b), [x, y])


def test_mse_loss_broadcasts_the_target(device: str) -> None:
    out = nn.MSELoss()(ms.Tensor([[1.0, 2.0], [3.0, 4.0]]), ms.Tensor([1.0, 2.0]))
    np.testing.assert_allclose(out.asnumpy(), (4 + 4) / 4)


@SETTINGS
@given(
    lead=st.sampled_from([(), (3,), (2, 3)]),
    features=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    has_bias=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_dense_layer_gradients(
    device: str, lead: tuple[int, ...], features: tuple[int, int], has_bias: bool, seed: int
) -> None:
    require_float64()
    rng = np.random.default_rng(seed)
    fc = nn.Dense(*features, has_bias=has_bias, dtype=ms.float64)
    x = rng.standard_normal((*lead, features[0]))
    out = fc(ms.Tensor(x))
    expected = x @ fc.weight.asnumpy().T + (fc.bias.asnumpy() if fc.bias is not None else 0.0)
    assert out.shape == (*lead, features[1])
    np.testing.assert_allclose(out.asnumpy(), expected, rtol=1e-12)
    check_gradients(fc, [x], fc.trainable_params())


@SETTINGS
@given(shape=st.sampled_from([(2, 3, 2, 2), (4, 2, 1, 3), (3, 1, 3, 3)]), seed=st.integers(0, 2**16))
def test_batch_norm_2d_gradients_in_training(device: str, shape: tuple[int, ...], seed: int) -> None:
    require_float64()
    rng = np.random.default_rng(seed)
    channels = shape[1]
    bn = nn.BatchNorm2d(
        channels,
        gamma_init=ms.Tensor(rng.uniform(0.5, 1.5, channels)),
        beta_init=ms.Tensor(rng.standard_normal(channels)),
        dtype=ms.float64,
    )
    bn.set_train()
    x = rng.standard_normal(shape) * 2 + 1
    mean, var = x.mean(axis=(0, 2, 3), keepdims=True), x.var(axis=(0, 2, 3), keepdims=True)
    gamma, beta = bn.gamma.asnumpy().reshape(1, -1, 1, 1), bn.beta.asnumpy().reshape(1, -1, 1, 1)
    expected = (x - mean) / np.sqrt(var + 1e-5) * gamma + beta
    np.testing.assert_allclose(bn(ms.Tensor(x)).asnumpy(), expected, rtol=1e-10, atol=1e-12)
    check_gradients(bn, [x], bn.trainable_params())


def test_batch_norm_2d_moving_statistics(device: str) -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3, 2, 2)).astype(np.float32) * 3 + 2
    bn = nn.BatchNorm2d(3, momentum=0.8)
    bn.set_train()
    bn(ms.Tensor(x))
    batch_mean, batch_var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
    # MindSpore: moving = momentum * moving + (1 - momentum) * batch, biased variance (CPU kernel)
    np.testing.assert_allclose(bn.moving_mean.asnumpy(), 0.8 * 0 + 0.2 * batch_mean, rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.asnumpy(), 0.8 * 1 + 0.2 * batch_var, rtol=1e-5)
    bn.set_train(False)
    moving_mean, moving_var = bn.moving_mean.asnumpy(), bn.moving_variance.asnumpy()
    out = bn(ms.Tensor(x)).asnumpy()
    expected = (x - moving_mean.reshape(1, -1, 1, 1)) / np.sqrt(moving_var.reshape(1, -1, 1, 1) + 1e-5)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(bn.moving_mean.asnumpy(), moving_mean)


def test_batch_norm_2d_gradients_in_evaluation(device: str) -> None:
    rng = np.random.default_rng(4)
    bn = nn.BatchNorm2d(
        2, moving_mean_init=ms.Tensor([0.5, -1.0]), moving_var_init=ms.Tensor([2.0, 0.5]), dtype=ms.float64
    )
    check_gradients(bn, [rng.standard_normal((2, 2, 2, 2))], bn.trainable_params())


def test_dropout_masks_and_scales_in_training_only(device: str) -> None:
    x = ms.Tensor(np.ones((200, 50), np.float32))
    drop = nn.Dropout(p=0.2)
    assert drop(x) is x
    drop.set_train()
    ms.set_seed(1)
    first = drop(x).asnumpy()
    assert set(np.unique(first)) == {0.0, np.float32(1.25)}
    assert abs((first == 0).mean() - 0.2) < 0.02
    ms.set_seed(1)
    np.testing.assert_array_equal(drop(x).asnumpy(), first)
    ms.set_seed(1)
    grad = ms.grad(lambda t: drop(t).sum())(x)
    np.testing.assert_array_equal(grad.asnumpy(), first)


def test_dense_weight_gradient_is_laid_out_like_the_weight(device: str) -> None:
    # dw = grad.T @ x, as MindSpore computes it: the optimizer's kernel reads it in place
    # instead of copying a transposed view on every step.
    fc = nn.Dense(3, 2)
    x = ms.Tensor(np.arange(12, dtype=np.float32).reshape(4, 3))
    _, (gw, _) = ms.value_and_grad(lambda t: fc(t).sum(), None, fc.trainable_params())(x)
    np.testing.assert_array_equal(gw.asnumpy(), np.ones((2, 4), np.float32) @ x.asnumpy())
    data = gw._data
    if device == "OpenCL":
        from minispore_opencl.layout import dense

        assert dense(data)
    elif isinstance(data, np.ndarray):
        assert data.flags.c_contiguous


def test_relu_gradient_is_mindspores_select_for_non_finite_gradients(device: str) -> None:
    # MindSpore's ReluGrad: dy where y > 0, else +0.0, whatever dy is (a product with the
    # mask gave NaN for a NaN or infinite dy, and -0.0 for a negative one).
    x = ms.Tensor(np.array([-1.0, 0.0, 2.0, -3.0, 4.0, -0.5], np.float32))
    upstream = ms.Tensor(np.array([np.nan, np.inf, 5.0, -2.0, np.nan, -np.inf], np.float32))
    with np.errstate(invalid="ignore"):  # the forward product meets 0 * inf
        _, (gx,) = ms.value_and_grad(lambda t: ms.ops.relu(t) * upstream, (0,))(x)
    got = gx.asnumpy()
    np.testing.assert_array_equal(got, [0.0, 0.0, 5.0, 0.0, np.nan, 0.0])
    assert not np.signbit(got[[0, 1, 3, 5]]).any()
