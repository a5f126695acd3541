"""Layer and loss cells: MindSpore's defaults, parameter names, initial weights, shapes and errors."""

from __future__ import annotations

import inspect
import math
import re
from typing import Any

import numpy as np
import pytest

import minispore as ms
from minispore import nn


def defaults(cls: type) -> dict[str, Any]:
    params = inspect.signature(cls).parameters.values()
    return {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}


def test_layer_signatures_follow_mindspore() -> None:
    assert defaults(nn.Conv2d) == {
        "stride": 1,
        "pad_mode": "same",
        "padding": 0,
        "dilation": 1,
        "group": 1,
        "has_bias": False,
        "weight_init": None,
        "bias_init": None,
        "data_format": "NCHW",
        "dtype": ms.float32,
    }
    assert defaults(nn.Dense) == {
        "weight_init": None,
        "bias_init": None,
        "has_bias": True,
        "activation": None,
        "dtype": ms.float32,
    }
    pool = {"kernel_size": 1, "stride": 1, "pad_mode": "valid", "padding": 0, "ceil_mode": False, "data_format": "NCHW"}
    assert defaults(nn.MaxPool2d) == {**pool, "dilation": 1, "return_indices": False}
    assert defaults(nn.AvgPool2d) == {**pool, "count_include_pad": True, "divisor_override": None}
    assert defaults(nn.Flatten) == {"start_dim": 1, "end_dim": -1}
    assert defaults(nn.Dropout) == {"keep_prob": None, "p": None}
    assert defaults(nn.SoftmaxCrossEntropyWithLogits) == {"sparse": False, "reduction": "none"}
    assert defaults(nn.BatchNorm2d) == {
        "eps": 1e-5,
        "momentum": 0.9,
        "affine": True,
        "gamma_init": "ones",
        "beta_init": "zeros",
        "moving_mean_init": "zeros",
        "moving_var_init": "ones",
        "use_batch_statistics": None,
        "data_format": "NCHW",
        "dtype": ms.float32,
    }


class Net(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, has_bias=True)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Dense(4, 2)

    def construct(self, x: ms.Tensor) -> ms.Tensor:
        out: ms.Tensor = self.fc(self.bn(self.conv1(x)).mean(axis=(2, 3)))
        return out


def test_parameter_names_and_order() -> None:
    net = Net()
    assert [p.name for p in net.get_parameters()] == [
        "conv1.weight",
        "conv1.bias",
        "bn.moving_mean",
        "bn.moving_variance",
        "bn.gamma",
        "bn.beta",
        "fc.weight",
        "fc.bias",
    ]
    assert [p.name for p in net.trainable_params()] == [
        "conv1.weight",
        "conv1.bias",
        "bn.gamma",
        "bn.beta",
        "fc.weight",
        "fc.bias",
    ]
    assert [p.name for p in net.untrainable_params()] == ["bn.moving_mean", "bn.moving_variance"]
    assert nn.Conv2d(1, 2, 3).bias is None
    assert [p.name for p in nn.Dense(3, 2, has_bias=False).get_parameters()] == ["weight"]
    assert not nn.BatchNorm2d(2, affine=False).trainable_params()


def test_default_initial_weights_are_uniform_in_one_over_sqrt_fan_in() -> None:
    ms.set_seed(0)
    conv = nn.Conv2d(6, 16, 5, has_bias=True)
    fc = nn.Dense(400, 120)
    for params, fan_in in ((conv.trainable_params(), 6 * 25), (fc.trainable_params(), 400)):
        bound = 1 / math.sqrt(fan_in)
        assert [p.name for p in params] == ["weight", "bias"]
        for values in (p.asnumpy() for p in params):
            assert values.dtype == np.float32
            assert np.abs(values).max() <= bound
            assert np.abs(values).max() > 0.75 * bound
    assert conv.weight.shape == (16, 6, 5, 5)
    assert fc.weight.shape == (120, 400)
    grouped = nn.Conv2d(4, 6, (3, 2), group=2, weight_init="ones", bias_init="zeros", has_bias=True)
    assert grouped.weight.shape == (6, 2, 3, 2)
    np.testing.assert_array_equal(grouped.weight.asnumpy(), 1.0)


def test_initial_weights_are_reproducible() -> None:
    ms.set_seed(42)
    first = nn.Dense(3, 2).weight.asnumpy()
    ms.set_seed(42)
    np.testing.assert_array_equal(nn.Dense(3, 2).weight.asnumpy(), first)


def test_output_shapes(device: str) -> None:
    x7 = ms.Tensor(np.zeros((2, 3, 7, 7), np.float32))
    assert nn.Conv2d(3, 5, 3, stride=2)(x7).shape == (2, 5, 4, 4)
    assert nn.Conv2d(3, 5, 3, pad_mode="valid")(x7).shape == (2, 5, 5, 5)
    assert nn.Conv2d(3, 5, 3, pad_mode="pad", padding=(1, 0, 2, 0), dilation=2)(x7).shape == (2, 5, 4, 5)
    assert nn.MaxPool2d(2, 2)(x7).shape == (2, 3, 3, 3)
    assert nn.MaxPool2d(3, 2, pad_mode="same")(x7).shape == (2, 3, 4, 4)
    assert nn.AvgPool2d(2, 2, pad_mode="pad", padding=1, ceil_mode=True)(x7).shape == (2, 3, 4, 4)
    assert nn.AvgPool2d(2, 2, ceil_mode=True)(x7).shape == (2, 3, 4, 4)
    indices = nn.MaxPool2d(2, 2, pad_mode="pad", return_indices=True)(x7)[1]
    assert indices.shape == (2, 3, 3, 3)
    assert nn.Flatten()(x7).shape == (2, 147)
    assert nn.Flatten(0, 1)(x7).shape == (6, 7, 7)
    assert nn.Dense(7, 4)(x7).shape == (2, 3, 7, 4)
    assert nn.Dense(7, 4)(ms.Tensor(np.zeros(7, np.float32))).shape == (4,)


def test_activations(device: str) -> None:
    x = ms.Tensor([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(nn.ReLU()(x).asnumpy(), [0, 0, 2])
    np.testing.assert_array_equal(ms.grad(lambda t: nn.ReLU()(t).sum())(x).asnumpy(), [0, 0, 1])
    np.testing.assert_allclose(nn.Sigmoid()(x).asnumpy(), 1 / (1 + np.exp([1.0, 0.0, -2.0])), rtol=1e-6)
    np.testing.assert_allclose(nn.Tanh()(x).asnumpy(), np.tanh([-1.0, 0.0, 2.0]), rtol=1e-6)
    np.testing.assert_allclose(nn.Softmax()(x).asnumpy().sum(), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.exp(nn.LogSoftmax()(x).asnumpy()), nn.Softmax()(x).asnumpy(), rtol=1e-6)
    relu_fc = nn.Dense(3, 2, weight_init="ones", bias_init=-10.0, activation="relu")
    np.testing.assert_array_equal(relu_fc(x).asnumpy(), [0, 0])
    assert isinstance(relu_fc.activation, nn.ReLU)
    assert isinstance(nn.get_activation("logsoftmax"), nn.LogSoftmax)


def test_reprs() -> None:
    assert repr(nn.Dense(3, 2, activation="relu")) == (
        "Dense(\n  input_channels=3, output_channels=2, has_bias=True, activation=ReLU()\n  (activation): ReLU()\n)"
    )
    assert repr(nn.MaxPool2d(2, 2)) == "MaxPool2d(kernel_size=2, stride=2, pad_mode=VALID)"
    assert repr(nn.Dropout(p=0.2)) == "Dropout(p=0.2)"
    assert repr(nn.Dropout(keep_prob=0.8)) == "Dropout(keep_prob=0.8)"
    assert repr(nn.SoftmaxCrossEntropyWithLogits()) == "SoftmaxCrossEntropyWithLogits(sparse=False, reduction=none)"
    conv = repr(nn.Conv2d(1, 6, 5, pad_mode="valid"))
    assert conv.startswith("Conv2d(input_channels=1, output_channels=6, kernel_size=(5, 5), stride=(1, 1)")
    assert "pad_mode=valid" in conv and "has_bias=False" in conv


def test_dropout_arguments() -> None:
    assert nn.Dropout().p == 0.5
    assert nn.Dropout(p=0.1).p == 0.1
    assert nn.Dropout(keep_prob=0.75, p=0.1).p == 0.25
    assert not nn.Dropout().training


def test_loss_reductions() -> None:
    assert nn.MSELoss().reduction == "mean"
    assert nn.L1Loss(reduction="sum").reduction == "sum"
    assert nn.CrossEntropyLoss().reduction == "mean"
    with pytest.raises(ValueError, match="For 'MSELoss', 'reduction' must be one of 'mean', 'sum', 'none', but got"):
        nn.MSELoss("avg")


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: nn.Conv2d(0, 6, 5), ValueError, "For 'Conv2d', 'in_channels' must be a positive int, but got 0."),
        (
            lambda: nn.Conv2d(1.0, 6, 5),  # type: ignore[arg-type]
            TypeError,
            "For 'Conv2d', 'in_channels' must be a positive int, but got float 1.0.",
        ),
        (lambda: nn.Conv2d(3, 6, 5, group=2), ValueError, "must both be divisible by 'group' (2)"),
        (lambda: nn.Conv2d(1, 6, 5, padding=1), ValueError, "'padding' must be 0 when 'pad_mode' is 'same'"),
        (lambda: nn.Conv2d(1, 6, 5, pad_mode="full"), ValueError, "'pad_mode' must be one of 'valid', 'same', 'pad'"),
        (lambda: nn.Conv2d(1, 6, 5, data_format="NHWC"), ValueError, "'NHWC' runs only on GPU in MindSpore"),
        (lambda: nn.Conv2d(1, 6, 5, pad_mode="pad", padding=(1, 2, 3)), ValueError, "'padding' must hold 1, 2 or 4"),  # type: ignore[arg-type]
        (lambda: nn.Conv2d(1, 6, 5, has_bias=1), TypeError, "'has_bias' must be a bool"),  # type: ignore[arg-type]
        (lambda: nn.Dense(3, 2, activation="swish"), KeyError, "The activation 'swish' is not supported"),
        (lambda: nn.Dense(3, 2, activation=3), TypeError, "'activation' must be a str, a Cell or None"),  # type: ignore[arg-type]
        (lambda: nn.MaxPool2d(2, padding=1), ValueError, "'padding' must be 0 when 'pad_mode' is 'valid'"),
        (lambda: nn.MaxPool2d(2, return_indices=True), ValueError, "need pad_mode='pad'"),
        (lambda: nn.MaxPool2d(0), ValueError, "For 'MaxPool2d', 'kernel_size' must be positive"),
        (lambda: nn.AvgPool2d(2, divisor_override=0), ValueError, "'divisor_override' must be a positive int"),
        (lambda: nn.Flatten(1.5), TypeError, "For 'Flatten', 'start_dim' must be an int"),  # type: ignore[arg-type]
        (lambda: nn.Dropout(p=1.0), ValueError, "For 'Dropout', 'p' must be in the range [0, 1), but got 1.0."),
        (lambda: nn.Dropout(keep_prob=0.0), ValueError, "'keep_prob' must be in the range (0, 1]"),
        (lambda: nn.BatchNorm2d(2, momentum=1.5), ValueError, "'momentum' must be in the range [0, 1]"),
        (lambda: nn.BatchNorm2d(2, use_batch_statistics=1), ValueError, "'use_batch_statistics' must be a bool"),  # type: ignore[arg-type]
        (lambda: nn.SoftmaxCrossEntropyWithLogits(sparse="yes"), TypeError, "'sparse' must be a bool"),  # type: ignore[arg-type]
        (lambda: nn.CrossEntropyLoss(label_smoothing=1.0), ValueError, "'label_smoothing' must be in the range"),
    ],
)
def test_constructor_errors(build: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        build()


F32 = np.float32


@pytest.mark.parametrize(
    ("layer", "x", "error", "message"),
    [
        (
            lambda: nn.Conv2d(1, 6, 5),
            np.zeros((32, 3, 32, 32), F32),
            ValueError,
            "For 'Conv2d', the input must be 4-D (N, C, H, W) with C=1, but got shape (32, 3, 32, 32).",
        ),
        (
            lambda: nn.Conv2d(1, 6, 5),
            np.zeros((1, 32, 32), F32),
            ValueError,
            "For 'Conv2d', the input must be 4-D (N, C, H, W) with C=1, but got shape (1, 32, 32).",
        ),
        (
            lambda: nn.Conv2d(1, 6, 5),
            np.zeros((2, 1, 8, 8), np.int64),
            TypeError,
            "For 'Conv2d', the input must be a float tensor (Float16, Float32 or Float64), but got Int64",
        ),
        (
            lambda: nn.Conv2d(1, 6, 5),
            np.zeros((2, 1, 8, 8), np.float64),
            TypeError,
            "For 'Conv2d', the input dtype Float64 must match the weight dtype Float32",
        ),
        (
            lambda: nn.Dense(400, 120),
            np.zeros((32, 256), F32),
            ValueError,
            "For 'Dense', the input must be at least 1-D (*, C) with C=400, but got shape (32, 256).",
        ),
        (
            lambda: nn.Dense(4, 2),
            np.zeros((2, 4), np.int32),
            TypeError,
            "For 'Dense', the input must be a float tensor",
        ),
        (
            lambda: nn.MaxPool2d(2),
            np.zeros((2, 4), F32),
            ValueError,
            "For 'MaxPool2d', the input must be 3-D (C, H, W) or 4-D (N, C, H, W), but got shape (2, 4).",
        ),
        (
            lambda: nn.BatchNorm2d(3),
            np.zeros((2, 4, 2, 2), F32),
            ValueError,
            "For 'BatchNorm2d', the input must be 4-D (N, C, H, W) with C=3, but got shape (2, 4, 2, 2).",
        ),
        (
            lambda: nn.Softmax(),
            np.zeros(3, np.int32),
            TypeError,
            "For 'Softmax', the input must be a float tensor",
        ),
    ],
)
def test_input_errors_name_the_layer(device: str, layer: Any, x: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        layer()(ms.Tensor(x))


def test_non_tensor_inputs_are_type_errors() -> None:
    with pytest.raises(TypeError, match=re.escape("For 'ReLU', the input must be a Tensor, but got list.")):
        nn.ReLU()([1.0])
    with pytest.raises(TypeError, match=re.escape("For 'Conv2d', the input must be a Tensor, but got ndarray.")):
        nn.Conv2d(1, 1, 1)(np.zeros((1, 1, 2, 2), np.float32))


def test_loss_input_errors(device: str) -> None:
    logits = ms.Tensor(np.zeros((4, 3), np.float32))
    sparse = nn.SoftmaxCrossEntropyWithLogits(sparse=True)
    with pytest.raises(TypeError, match="For 'SoftmaxCrossEntropyWithLogits', sparse labels must be Int32 or Int64"):
        sparse(logits, ms.Tensor(np.zeros(4, np.float32)))
    with pytest.raises(ValueError, match=re.escape("sparse labels must have shape (4,), but got (4, 3)")):
        sparse(logits, ms.Tensor(np.zeros((4, 3), np.int32)))
    with pytest.raises(ValueError, match="dense labels must be a float tensor of the logits' shape"):
        nn.SoftmaxCrossEntropyWithLogits()(logits, ms.Tensor(np.zeros(4, np.int32)))
    with pytest.raises(ValueError, match=re.escape("SoftmaxCrossEntropyWithLogits', the input must be 2-D (N, C)")):
        sparse(ms.Tensor(np.zeros((4, 3, 2), np.float32)), ms.Tensor(np.zeros(4, np.int32)))
    with pytest.raises(ValueError, match=re.escape("For 'CrossEntropyLoss', class-index targets must be Int32")):
        nn.CrossEntropyLoss()(logits, ms.Tensor(np.zeros((4, 1), np.int32)))
    with pytest.raises(ValueError, match=re.escape("For 'MSELoss', the input (4, 3) and target (2,) shapes cannot")):
        nn.MSELoss()(logits, ms.Tensor(np.zeros(2, np.float32)))


def test_batch_statistics_switch(device: str) -> None:
    x = ms.Tensor(np.random.default_rng(0).standard_normal((4, 2, 3, 3)).astype(np.float32) + 5)
    forced = nn.BatchNorm2d(2, use_batch_statistics=True)
    assert abs(float(forced(x).mean())) < 1e-5
    frozen = nn.BatchNorm2d(2, use_batch_statistics=False)
    frozen.set_train()
    np.testing.assert_allclose(frozen(x).asnumpy(), x.asnumpy() / np.sqrt(1 + 1e-5), rtol=1e-6)
    np.testing.assert_array_equal(frozen.moving_mean.asnumpy(), [0, 0])
