"""LeNet5 (with and without BatchNorm) at every amp level against MindSpore 2.10 PyNative recordings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import minispore as ms
from minispore import nn
from minispore.dataset import NumpySlicesDataset
from minispore.testing import amp as replay

FUNCTIONAL = sorted(replay.META["functional"])
MODEL = sorted(replay.META["model"])


@pytest.mark.parametrize("key", FUNCTIONAL)
def test_functional_momentum_steps_match_mindspore(device: str, key: str) -> None:
    expected = replay.META["functional"][key]
    bn = key.startswith("lenet5_bn")
    user_net = replay.make_net(bn)
    net = replay.apply_level(user_net, key.split("/")[1])
    net.set_train(True)
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    opt = nn.Momentum(user_net.trainable_params(), replay.META["lr"], replay.META["momentum"])
    start = replay.state(user_net)

    def forward(x: ms.Tensor, y: ms.Tensor) -> tuple[ms.Tensor, ms.Tensor]:
        logits = net(x)
        return loss_fn(logits, y), logits

    grad_fn = ms.value_and_grad(forward, None, opt.parameters, has_aux=True)
    losses = []
    for s in range(replay.META["steps"]):
        (loss, logits), grads = grad_fn(*replay.batch(s))
        if s == 0:
            assert replay.dtype_name(logits) == expected["output_dtype"]
            assert sorted({replay.dtype_name(g) for g in grads}) == expected["grad_dtypes"]
            recorded = replay.ARRAYS[f"{key}/logits_step0"]
            if device == "CPU" and not bn and not key.endswith("O0"):
                # float32 products rounded once to float16: MindSpore's bits.
                np.testing.assert_array_equal(logits.asnumpy(), recorded)
            np.testing.assert_allclose(logits.asnumpy(), recorded, rtol=2e-3, atol=1e-4)
        losses.append(float(loss.asnumpy()))
        opt(grads)
    replay.check_losses(losses, key)
    replay.check_params(user_net, start, key)
    assert sorted({replay.dtype_name(p) for p in user_net.get_parameters()}) == expected["param_dtypes"]
    assert sorted({replay.dtype_name(m) for m in opt.moments}) == expected["moment_dtypes"]
    assert replay.dtype_name(user_net(replay.batch(0)[0])) == expected["user_net_output_dtype"]


_MODEL_KWARGS: dict[str, dict[str, Any]] = {
    "lenet5/O2_fixed128": {"loss_scale_manager": ms.amp.FixedLossScaleManager(128.0, False)},
    "lenet5_bn/O2_fixed128": {"loss_scale_manager": ms.amp.FixedLossScaleManager(128.0, False)},
    "lenet5/O3": {},
    "lenet5_bn/O3": {},
    "lenet5/O1": {},
    "lenet5_bn/O2_keep_bn_false": {"keep_batchnorm_fp32": False, "loss_scale_manager": None},
}


@pytest.mark.parametrize("key", MODEL)
def test_model_amp_level_matches_mindspore(device: str, key: str) -> None:
    expected = replay.META["model"][key]
    net = replay.make_net(key.startswith("lenet5_bn"))
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    opt = nn.Momentum(
        net.trainable_params(),
        replay.META["lr"],
        replay.META["momentum"],
        loss_scale=expected["optimizer_loss_scale"],
    )
    start = replay.state(net)
    model = ms.train.Model(net, loss_fn, opt, amp_level=expected["level"], **_MODEL_KWARGS[key])
    steps = replay.META["steps"]
    images = replay.ARRAYS["images_uint8"][:steps].astype(np.float32) / np.float32(255.0)
    data = NumpySlicesDataset({"x": images, "y": replay.ARRAYS["labels"][:steps]}, shuffle=False)
    recorder = replay.LossRecorder()
    model.train(1, data, callbacks=[recorder])
    replay.check_losses(recorder.losses, f"model/{key}")
    replay.check_params(net, start, f"model/{key}")
    assert type(model.train_network).__name__ == expected["train_network"]
    assert replay.dtype_name(net(replay.batch(0)[0])) == expected["user_net_output_dtype"]
    assert sorted({replay.dtype_name(p) for p in net.get_parameters()}) == expected["param_dtypes"]
