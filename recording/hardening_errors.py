"""Record MindSpore 2.10's exception type and message for the inputs of issue 10 ("Hardening").

Run by hand: /work/msvenv/bin/python recording/hardening_errors.py
It prints one line per case: the case, then the exception type and message (or "ok: <result>").
minispore's tests do not import MindSpore; the types recorded here are what they assert.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from typing import Any

import mindspore as ms
import numpy as np
from mindspore import nn
from mindspore.amp import DynamicLossScaleManager, FixedLossScaleManager

ms.set_context(mode=ms.PYNATIVE_MODE)
CASES: list[tuple[str, Callable[[], Any]]] = []


def case(name: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    def register(fn: Callable[[], Any]) -> Callable[[], Any]:
        CASES.append((name, fn))
        return fn

    return register


@case("Tensor(2**70)")
def _t70() -> Any:
    return ms.Tensor(2**70)


@case("Tensor([[1, 2], [3]])")
def _ragged() -> Any:
    return ms.Tensor([[1, 2], [3]])


@case("Tensor(shape=(-1, 2), init='zeros')")
def _neg_shape() -> Any:
    return ms.Tensor(shape=(-1, 2), dtype=ms.float32, init="zeros").init_data()


@case("Tensor(shape=(2.0, 2), init='zeros')")
def _float_shape() -> Any:
    return ms.Tensor(shape=(2.0, 2), dtype=ms.float32, init="zeros").init_data()


@case("set_context(foo=1)")
def _ctx() -> Any:
    return ms.set_context(foo=1)


@case("Model(net, loss, optimizer=5)")
def _model_opt() -> Any:
    return ms.train.Model(nn.Dense(2, 2), nn.MSELoss(), optimizer=5)


@case("Model.train(1, None)")
def _train_none() -> Any:
    net = nn.Dense(2, 2)
    model = ms.train.Model(net, nn.MSELoss(), nn.Momentum(net.trainable_params(), 0.1, 0.9))
    return model.train(1, None)


@case("Model.train(1, ds, callbacks=5)")
def _callbacks() -> Any:
    import mindspore.dataset as ds

    net = nn.Dense(2, 2)
    model = ms.train.Model(net, nn.MSELoss(), nn.Momentum(net.trainable_params(), 0.1, 0.9))
    data = ds.NumpySlicesDataset(
        (np.ones((4, 2), np.float32), np.ones((4, 2), np.float32)), column_names=["x", "y"], shuffle=False
    ).batch(2)
    return model.train(1, data, callbacks=5)


@case("DynamicLossScaleManager(init_loss_scale=inf)")
def _dyn_inf() -> Any:
    return DynamicLossScaleManager(init_loss_scale=math.inf).get_loss_scale()


@case("DynamicLossScaleManager(init_loss_scale=nan)")
def _dyn_nan() -> Any:
    return DynamicLossScaleManager(init_loss_scale=math.nan).get_loss_scale()


@case("FixedLossScaleManager(inf)")
def _fixed_inf() -> Any:
    return FixedLossScaleManager(math.inf).get_loss_scale()


@case("DynamicLossScaleUpdateCell(0.0, 2, 2)")
def _cell_zero() -> Any:
    return nn.DynamicLossScaleUpdateCell(0.0, 2, 2)


@case("DynamicLossScaleUpdateCell(1024, 0.0, 2)")
def _cell_factor() -> Any:
    return nn.DynamicLossScaleUpdateCell(1024, 0.0, 2)


@case("DynamicLossScaleUpdateCell(1024, 2, 0)")
def _cell_window() -> Any:
    return nn.DynamicLossScaleUpdateCell(1024, 2, 0)


@case("DynamicLossScaleUpdateCell(inf, 2, 2)")
def _cell_inf() -> Any:
    return nn.DynamicLossScaleUpdateCell(math.inf, 2, 2)


@case("TrainOneStepWithLossScaleCell(net, opt, 0.0)")
def _step_zero() -> Any:
    net = nn.WithLossCell(nn.Dense(2, 2), nn.MSELoss())
    return nn.TrainOneStepWithLossScaleCell(net, nn.Momentum(net.trainable_params(), 0.1, 0.9), 0.0)


@case("TrainOneStepWithLossScaleCell(net, opt, Tensor(nan))")
def _step_nan() -> Any:
    net = nn.WithLossCell(nn.Dense(2, 2), nn.MSELoss())
    return nn.TrainOneStepWithLossScaleCell(
        net, nn.Momentum(net.trainable_params(), 0.1, 0.9), ms.Tensor(math.nan, ms.float32)
    )


@case("TrainOneStepWithLossScaleCell(net, opt, 0.0 as a float number)")
def _step_float() -> Any:
    net = nn.WithLossCell(nn.Dense(2, 2), nn.MSELoss())
    return nn.TrainOneStepWithLossScaleCell(net, nn.Momentum(net.trainable_params(), 0.1, 0.9), 2.0)


@case("SoftmaxCrossEntropyWithLogits(sparse=True), label 7 of 3 classes")
def _sce_range() -> Any:
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    return loss(ms.Tensor(np.zeros((2, 3), np.float32)), ms.Tensor([7, 1], ms.int32))


@case("CrossEntropyLoss(), label 7 of 3 classes")
def _ce_range() -> Any:
    return nn.CrossEntropyLoss()(ms.Tensor(np.zeros((2, 3), np.float32)), ms.Tensor([7, 1], ms.int32))


@case("CrossEntropyLoss(), label -1 of 3 classes")
def _ce_neg() -> Any:
    return nn.CrossEntropyLoss()(ms.Tensor(np.zeros((2, 3), np.float32)), ms.Tensor([-1, 1], ms.int32))


@case("save_checkpoint into a missing directory")
def _save_missing() -> Any:
    return ms.save_checkpoint(nn.Dense(2, 2), os.path.join(tempfile.mkdtemp(), "missing", "c.ckpt"))


@case("load_checkpoint of a directory named x.ckpt")
def _load_dir() -> Any:
    path = os.path.join(tempfile.mkdtemp(), "d.ckpt")
    os.mkdir(path)
    return ms.load_checkpoint(path)


@case("load_checkpoint of a missing file")
def _load_missing() -> Any:
    return ms.load_checkpoint(os.path.join(tempfile.mkdtemp(), "none.ckpt"))


@case("load_checkpoint(crc_check=True) of a ckpt cut at a record boundary")
def _crc_cut() -> Any:
    path = os.path.join(tempfile.mkdtemp(), "c.ckpt")
    ms.save_checkpoint(nn.Dense(4, 3), path, crc_check=True)
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:75])
    return list(ms.load_checkpoint(path, crc_check=True))


@case("load_param_into_net: int64 2**40+7 into an int32 parameter")
def _int_overflow() -> Any:
    net = nn.Momentum(nn.Dense(2, 2).trainable_params(), 0.1, 0.9)
    big = ms.Parameter(ms.Tensor(np.array([2**40 + 7], np.int64)), name="global_step")
    ms.load_param_into_net(net, {"global_step": big})
    return net.global_step.asnumpy()


@case("FixedLossScaleManager(128, drop_overflow_update=False) with Momentum(loss_scale=1)")
def _fixed_no_drop() -> Any:
    net = nn.Dense(2, 2)
    opt = nn.Momentum(net.trainable_params(), 0.1, 0.9)
    model = ms.train.Model(
        net, nn.MSELoss(), opt, loss_scale_manager=FixedLossScaleManager(128, drop_overflow_update=False)
    )
    return type(model.train_network).__name__


def main() -> None:
    for name, fn in CASES:
        try:
            result = repr(fn())  # repr forces MindSpore's lazy tensors, so their errors show here
        except BaseException as exc:  # record every outcome, whatever it is
            text = " ".join(str(exc).split())
            print(f"{name}\n    {type(exc).__name__}: {text[:600]}")
        else:
            print(f"{name}\n    ok: {result:.200}")


if __name__ == "__main__":
    main()
