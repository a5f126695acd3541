"""Errors that name the argument, the expected and the got (issue 10), and D3's class-index range."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pytest

import minispore as ms
from minispore import nn
from minispore.amp import FixedLossScaleManager
from minispore.dataset import NumpySlicesDataset
from minispore.train import Model

# --- D3: class indices outside [0, C) -----------------------------------------------------------------


@pytest.mark.parametrize("label", [7, 3, -1])
def test_d3_sparse_softmax_cross_entropy_rejects_labels_outside_the_classes(device: str, label: int) -> None:
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    logits = ms.Tensor(np.zeros((2, 3), np.float32))
    with pytest.raises(RuntimeError, match=rf"must be in \[0, 3\), but got {label} at position 0"):
        loss(logits, ms.Tensor([label, 1], ms.int32))
    assert float(loss(logits, ms.Tensor([2, 1], ms.int64)).asnumpy()) == pytest.approx(np.log(3))


@pytest.mark.parametrize("label", [7, 3, -1])
def test_d3_cross_entropy_loss_rejects_labels_outside_the_classes(device: str, label: int) -> None:
    logits = ms.Tensor(np.zeros((2, 3, 4), np.float32))
    target = np.zeros((2, 4), np.int32)
    target[1, 2] = label
    with pytest.raises(RuntimeError, match=rf"\[0, 3\) or ignore_index=-100, but got {label} at position \(1, 2\)"):
        nn.CrossEntropyLoss()(logits, ms.Tensor(target))


def test_d3_ignore_index_is_still_allowed(device: str) -> None:
    logits = ms.Tensor(np.zeros((3, 3), np.float32))
    for ignore in (-100, -1, 5):
        loss = nn.CrossEntropyLoss(ignore_index=ignore)(logits, ms.Tensor([0, ignore, 2], ms.int32))
        assert float(loss.asnumpy()) == pytest.approx(np.log(3))


def test_d3_model_train_with_label_7_of_3_classes_stops_before_any_update(device: str) -> None:
    net = nn.Dense(4, 3)
    before = [p.asnumpy() for p in net.trainable_params()]
    opt = nn.Momentum(net.trainable_params(), 0.1, 0.9)
    x = np.ones((4, 4), np.float32)
    y = np.array([0, 1, 7, 2], np.int32)
    data = NumpySlicesDataset({"x": x, "y": y}, shuffle=False).batch(4)
    model = Model(net, nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean"), opt)
    with pytest.raises(RuntimeError, match=r"\[0, 3\), but got 7 at position 2"):
        model.train(1, data)
    for old, param in zip(before, net.trainable_params()):
        np.testing.assert_array_equal(old, param.asnumpy())


# --- Tensor -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [2**70, -(2**70), [1, 2**70], [[2**63]]])
def test_tensor_int_beyond_int64_names_the_range(data: Any) -> None:
    with pytest.raises(RuntimeError, match=r"For 'Tensor', the integer -?\d+ in 'input_data' does not fit Int64"):
        ms.Tensor(data)


def test_tensor_int_beyond_int64_is_fine_as_a_float() -> None:
    assert ms.Tensor(2**70, ms.float32).asnumpy() == np.float32(2.0**70)
    assert ms.Tensor([1, 2**70], ms.float64).asnumpy().tolist() == [1.0, 2.0**70]
    assert ms.Tensor(2**63 - 1).asnumpy() == 2**63 - 1


@pytest.mark.parametrize("data", [[[1, 2], [3]], [1, [2]], [[1.0], []]])
def test_tensor_ragged_list_is_a_type_error(data: Any) -> None:
    with pytest.raises(TypeError, match=r"For 'Tensor', 'input_data' must be a rectangular nested list .* ragged"):
        ms.Tensor(data)


def test_tensor_list_of_non_numbers_names_the_element() -> None:
    with pytest.raises(TypeError, match=r"must hold numbers only, but got NoneType None"):
        ms.Tensor([1.0, None])


@pytest.mark.parametrize(
    ("shape", "exc", "message"),
    [
        ((-1, 2), ValueError, r"every dimension of 'shape' must be >= 0, but got \(-1, 2\)"),
        ((2.0, 2), TypeError, r"'shape' must be an int or a tuple of ints, but got \(2.0, 2\)"),
        (2.0, TypeError, r"'shape' must be an int or a tuple of ints, but got 2.0"),
        ((True, 2), TypeError, r"'shape' must be an int or a tuple of ints, but got \(True, 2\)"),
    ],
)
def test_tensor_shape_errors(shape: Any, exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=f"For 'Tensor', {message}"):
        ms.Tensor(shape=shape, dtype=ms.float32, init="zeros")
    with pytest.raises(exc, match=f"For 'initializer', {message}"):
        ms.common.initializer.initializer("zeros", shape)


def test_tensor_shape_accepts_ints_and_numpy_ints() -> None:
    assert ms.Tensor(shape=(np.int64(2), 3), dtype=ms.float32, init="zeros").shape == (2, 3)
    assert ms.Tensor(shape=4, dtype=ms.float32, init="ones").shape == (4,)


# --- Model ------------------------------------------------------------------------------------------


def _model(**kwargs: Any) -> Model:
    net = nn.Dense(2, 2)
    return Model(net, nn.MSELoss(), nn.Momentum(net.trainable_params(), 0.1, 0.9), **kwargs)


def _data() -> Any:
    return NumpySlicesDataset({"x": np.ones((4, 2), np.float32), "y": np.ones((4, 2), np.float32)}).batch(2)


def test_model_optimizer_must_be_an_optimizer() -> None:
    with pytest.raises(TypeError, match=r"For 'Model', 'optimizer' must be an Optimizer or None, but got int"):
        Model(nn.Dense(2, 2), nn.MSELoss(), optimizer=5)  # type: ignore[arg-type]


def test_model_train_and_eval_check_the_dataset() -> None:
    with pytest.raises(TypeError, match=r"For 'Model.train', 'train_dataset' must be a Dataset .* but got NoneType"):
        _model().train(1, None)
    with pytest.raises(TypeError, match=r"For 'Model.eval', 'valid_dataset' must be a Dataset .* but got int"):
        _model(metrics={"loss"}).eval(5)


def test_model_callbacks_must_be_callbacks() -> None:
    with pytest.raises(TypeError, match=r"For 'Model.train', 'callbacks' must be a Callback, a list .* but got int"):
        _model().train(1, _data(), callbacks=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Each callback must be a Callback instance, but got int"):
        _model().train(1, _data(), callbacks=[5])  # type: ignore[list-item]


def test_fixed_manager_without_drop_warns_when_the_optimizer_scale_differs(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="minispore"):
        _model(loss_scale_manager=FixedLossScaleManager(128, drop_overflow_update=False))
    assert "the optimizer's 'loss_scale' is 1.0, so every update is multiplied by 128.0" in caplog.text
    caplog.clear()
    net = nn.Dense(2, 2)
    opt = nn.Momentum(net.trainable_params(), 0.1, 0.9, loss_scale=128.0)
    with caplog.at_level(logging.WARNING, logger="minispore"):
        Model(net, nn.MSELoss(), opt, loss_scale_manager=FixedLossScaleManager(128, drop_overflow_update=False))
    assert caplog.text == ""


# --- context ----------------------------------------------------------------------------------------


def test_set_context_rejects_keys_mindspore_does_not_know() -> None:
    mode = ms.get_context("mode")
    with pytest.raises(ValueError, match=r"For 'context.set_context', the keyword argument foo is not recognized"):
        ms.set_context(mode=ms.GRAPH_MODE, foo=1)
    assert ms.get_context("mode") == mode  # nothing was set
    ms.set_context(save_graphs=False, jit_config={"jit_level": "O0"})  # MindSpore keys: accepted, ignored
