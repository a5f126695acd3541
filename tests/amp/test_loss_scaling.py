"""Loss scaling under float16: overflowing steps are skipped and the scale shrinks."""

from __future__ import annotations

import numpy as np
import pytest

import minispore as ms
from minispore import nn
from minispore.dataset import NumpySlicesDataset
from minispore.testing import amp as replay

FACTS = replay.META["structure"]


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_dynamic_scaler_o2_replays_mindspores_overflows(device: str) -> None:
    """The float16 overflows of the first steps are the subject: NumPy's warnings about them are expected."""
    expected = replay.META["dynamic_scaler_O2"]
    user_net = replay.make_net(False)
    net = ms.amp.auto_mixed_precision(user_net, "O2")
    net.set_train(True)
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    opt = nn.Momentum(user_net.trainable_params(), 0.01, 0.9)
    scaler = ms.amp.DynamicLossScaler(2**24, 2, 2000)
    start = replay.state(user_net)

    def forward(x: ms.Tensor, y: ms.Tensor) -> ms.Tensor:
        scaled: ms.Tensor = scaler.scale(loss_fn(net(x), y))
        return scaled

    grad_fn = ms.value_and_grad(forward, None, opt.parameters)
    finite_flags, scales, losses = [], [], []
    for s in range(expected["steps"]):
        loss, grads = grad_fn(*replay.batch(s % replay.META["steps"]))
        losses.append(float(scaler.unscale(loss).asnumpy()))
        grads = scaler.unscale(grads)
        finite = ms.amp.all_finite(grads)
        scales.append(scaler.scale_value.item())
        scaler.adjust(finite)
        finite_flags.append(bool(finite))
        if finite:
            opt(grads)
    assert finite_flags == expected["finite"]
    assert scales == expected["scale_before_step"]
    assert (scaler.scale_value.item(), scaler.counter.item()) == (expected["final_scale"], expected["counter"])
    replay.check_losses(losses, "scaler/lenet5_O2")
    replay.check_params(user_net, start, "scaler/lenet5_O2")


def test_model_o2_skips_an_overflowing_step_and_halves_the_scale(device: str) -> None:
    net = replay.make_net(False)
    opt = nn.Momentum(net.trainable_params(), 0.01, 0.9)
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    model = ms.train.Model(net, loss_fn, opt, amp_level="O2")
    start = replay.state(net)
    images = replay.ARRAYS["images_uint8"][:1].astype(np.float32) / np.float32(255.0)
    model.train(1, NumpySlicesDataset({"x": images, "y": replay.ARRAYS["labels"][:1]}, shuffle=False))
    train_net = model.train_network
    assert isinstance(train_net, nn.TrainOneStepWithLossScaleCell)
    assert train_net.scale_sense.get_loss_scale() == 2.0**23
    for name, value in replay.state(net).items():
        np.testing.assert_array_equal(value, start[name], err_msg=name)
    assert [m.asnumpy().any() for m in opt.moments] == [False] * len(opt.moments)


def test_static_scaler_and_all_finite() -> None:
    scaler = ms.amp.StaticLossScaler(1024)
    assert scaler.scale(ms.Tensor(np.float32(2.0))).item() == FACTS["static_scale"]
    (unscaled,) = scaler.unscale((ms.Tensor(np.array([1.0], np.float16)),))
    assert [str(unscaled.dtype)] == FACTS["static_unscale_fp16"]
    assert scaler.adjust(ms.Tensor(True)) is False
    checks = [
        bool(ms.amp.all_finite((ms.Tensor([1.0]), ms.Tensor([np.inf])))),
        bool(ms.amp.all_finite((ms.Tensor([1.0]), ms.Tensor([2.0])))),
    ]
    assert checks == FACTS["all_finite"]


def test_dynamic_scaler_adjust_follows_mindspore() -> None:
    recorded = FACTS["dynamic_adjust_trace"]
    scaler = ms.amp.DynamicLossScaler(1024, 2, 2)
    trace = []
    for finite in recorded["finite"]:
        assert scaler.adjust(ms.Tensor(finite)) is True
        trace.append([scaler.scale_value.item(), scaler.counter.item()])
    assert trace == recorded["scale_counter"]
    assert scaler.scale_value.dtype == ms.float32 and scaler.counter.dtype == ms.int32
