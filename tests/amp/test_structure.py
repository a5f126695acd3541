"""What MindSpore 2.10 does around mixed precision: lists, wrappers, validation, default managers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import minispore as ms
from minispore import nn
from minispore.mixed_precision import level_config
from minispore.testing import amp as replay

FACTS = replay.META["structure"]


def _net() -> nn.Cell:
    return replay.make_net(False)


def _opt(net: nn.Cell) -> nn.Momentum:
    return nn.Momentum(net.trainable_params(), 0.01, 0.9)


def _loss() -> nn.Cell:
    return nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")


def test_lists_are_mindspores_restricted_to_minispore_layers_and_copies() -> None:
    white, black = ms.amp.get_white_list(), ms.amp.get_black_list()
    cells = FACTS["white_list"][: FACTS["white_list"].index("GRUCell") + 1]  # then come the primitives
    assert [c.__name__ for c in white] == [n for n in cells if hasattr(nn, n)] == ["Conv2d", "Dense"]
    assert [c.__name__ for c in black] == [n for n in FACTS["black_list"] if hasattr(nn, n)] == ["BatchNorm2d"]
    white.append(nn.ReLU)
    assert nn.ReLU not in ms.amp.get_white_list()


@pytest.mark.parametrize("level", ["O0", "O1", "O2", "O3", "auto"])
def test_level_defaults_match_mindspore(level: str) -> None:
    recorded = FACTS["config_level"][level]
    config = level_config(level)
    assert config["keep_batchnorm_fp32"] == recorded["keep_batchnorm_fp32"]
    assert str(config["cast_model_type"]) == recorded["cast_model_type"]
    manager = config["loss_scale_manager"]
    if recorded["loss_scale_manager"] is None:
        assert manager is None
    else:
        assert type(manager).__name__ == recorded["loss_scale_manager"]["class"]
        assert manager.get_loss_scale() == recorded["loss_scale_manager"]["loss_scale"] == 2**24
        assert manager.scale_factor == recorded["loss_scale_manager"]["scale_factor"]
        assert manager.scale_window == recorded["loss_scale_manager"]["scale_window"]


def test_auto_mixed_precision_wrappers() -> None:
    net = _net()
    assert ms.amp.auto_mixed_precision(net, "O0") is net
    assert FACTS["auto_O0_returns_same_net"]
    for level in ("O2", "O3"):
        wrapped = ms.amp.auto_mixed_precision(_net(), level)
        assert type(wrapped).__name__ == FACTS[f"auto_{level}_wrapper"] == "_OutputTo32"
        assert wrapped._amp_level == level


def test_o2_keeps_batchnorm_in_float32_and_hands_float16_on() -> None:
    net = replay.make_net(True)
    wrapped = ms.amp.auto_mixed_precision(net, "O2")
    bn = net.name_cells()["bn1"]
    assert type(bn).__name__ == "_OutputTo16"
    assert [p.name for p in bn.get_parameters()][:2] == ["bn1.moving_mean", "bn1.moving_variance"]
    x = replay.batch(0)[0]
    assert bn(ms.ops.ones((2, 6, 4, 4), ms.float16)).dtype == ms.float16
    assert wrapped(x).dtype == ms.float32
    assert net(x).dtype == ms.float16


def test_to_float_casts_inputs_only_at_call_time() -> None:
    fc = nn.Dense(3, 2).to_float(ms.float16)
    x = ms.Tensor(np.array([[1.0001, 2.0, 3.0]], np.float32))
    assert fc(x).dtype == ms.float16
    assert fc.weight.dtype == ms.float32
    _, grads = ms.value_and_grad(lambda x: fc(x).sum(), None, fc.trainable_params())(x)
    assert [g.dtype for g in grads] == [ms.float32, ms.float32]


def test_to_float_nests_and_leaves_explicit_casts_and_ints() -> None:
    class Inner(nn.Cell):
        def construct(self, x: ms.Tensor) -> ms.Tensor:
            return x * 1.0

    class Outer(nn.Cell):
        def __init__(self) -> None:
            super().__init__()
            self.inner = Inner()

        def construct(self, x: ms.Tensor, i: ms.Tensor) -> tuple[ms.Tensor, ...]:
            y = self.inner(x)
            return y + 0.0, y, ms.ops.cast(x, ms.float32), i + 1

    outer = Outer().to_float(ms.float16)
    outer.inner.to_float(ms.float32)
    x = ms.Tensor(np.array([1.0001], np.float32))
    after, inner, explicit, ints = outer(x, ms.Tensor(np.array([1], np.int32)))
    assert (after.dtype, inner.dtype, ints.dtype) == (ms.float16, ms.float32, ms.int32)
    assert explicit.dtype == ms.float32 and explicit.item() == np.float32(1.0001)


def _errors() -> dict[str, Callable[[], Any]]:
    def model(level: str = "O2", **kw: Any) -> Any:
        net = _net()
        return ms.train.Model(net, _loss(), _opt(net), amp_level=level, **kw)

    def build(level: str, **kw: Any) -> Any:
        net = _net()
        return ms.amp.build_train_network(net, _opt(net), _loss(), level=level, **kw)

    return {
        "model_cast_model_type": lambda: model(cast_model_type=ms.float16),
        "model_unknown_kwarg": lambda: model("O0", foo=1),
        "model_bad_level": lambda: model("O4"),
        "model_keep_bn_not_bool": lambda: model("O3", keep_batchnorm_fp32=1),
        "auto_bad_level": lambda: ms.amp.auto_mixed_precision(_net(), "O5"),
        "auto_bad_dtype": lambda: ms.amp.auto_mixed_precision(_net(), "O2", dtype=ms.float32),
        "auto_not_cell": lambda: ms.amp.auto_mixed_precision(3, "O2"),  # type: ignore[arg-type]
        "custom_no_list": lambda: ms.amp.custom_mixed_precision(_net()),
        "custom_both_lists": lambda: ms.amp.custom_mixed_precision(
            _net(), white_list=[nn.Dense], black_list=[nn.BatchNorm2d]
        ),
        "custom_bad_dtype": lambda: ms.amp.custom_mixed_precision(_net(), white_list=[nn.Dense], dtype=ms.float32),
        "custom_not_list": lambda: ms.amp.custom_mixed_precision(_net(), white_list=(nn.Dense,)),  # type: ignore[arg-type]
        "custom_black_not_cell": lambda: ms.amp.custom_mixed_precision(_net(), black_list=[int]),  # type: ignore[list-item]
        "to_float_int": lambda: _net().to_float(ms.int32),
        "build_bad_level": lambda: build("O9"),
        "build_bad_kwarg": lambda: build("O3", foo=1),
        "static_scaler_small": lambda: ms.amp.StaticLossScaler(0.5),
        "dynamic_scaler_factor_float": lambda: ms.amp.DynamicLossScaler(1024, 2.0, 10),  # type: ignore[arg-type]
    }


@pytest.mark.parametrize("case", sorted(_errors()))
def test_validation_raises_what_mindspore_raises(case: str) -> None:
    recorded = FACTS["errors"][case]
    with pytest.raises(Exception) as info:
        _errors()[case]()
    assert type(info.value).__name__ == recorded["exception"]
    assert str(info.value).startswith(recorded["message"].split(",")[0].split(" but ")[0])


def test_o2_runs_its_default_dynamic_manager_where_mindspores_cpu_build_refuses() -> None:
    assert FACTS["errors"]["model_o2_default_manager_cpu"]["exception"] == "ValueError"
    assert FACTS["build_train_network_O2_cpu"]["exception"] == "ValueError"
    net = _net()
    model = ms.train.Model(net, _loss(), _opt(net), amp_level="O2")
    assert type(model.train_network).__name__ == "TrainOneStepWithLossScaleCell"
    net = _net()
    step = ms.amp.build_train_network(net, _opt(net), _loss(), level="O3")
    assert type(step).__name__ == FACTS["build_train_network_O3"]


def test_model_accepts_mindspores_extra_kwargs() -> None:
    net = _net()
    ms.train.Model(net, _loss(), _opt(net), amp_level="O3", keep_batchnorm_fp32=False, boost_config_dict={})
