"""Record MindSpore 2.10 mixed-precision references for ``tests/amp`` (PyNative, CPU).

Run with the MindSpore venv: ``/work/msvenv/bin/python recording/record_amp.py``. It writes
``minispore/testing/data/amp/amp_lenet.json`` and ``amp_lenet.npz``:

* LeNet5 (MindSpore's docs) and LeNet5 with a BatchNorm2d after each convolution, from
  shared initial weights, trained for 3 functional ``nn.Momentum(0.01, 0.9)`` steps at
  amp levels O0/O1/O2/O3/auto and with ``custom_mixed_precision``: the losses, the step-0
  output and its dtype, the dtypes of parameters, gradients and moments, and the change
  of every parameter (``final - init``, stored as float16: the tests compare parameters
  with ``atol=1e-3``, far above that rounding);
* the same through ``Model(..., amp_level=...)``;
* an O2 run with ``DynamicLossScaler(2**24, 2, 2000)``: which steps overflowed and the scale;
* float16 ``MatMul`` and ``Conv2D`` outputs for fixed inputs (bit-level references);
* structural facts: white/black lists, argument validation, default loss-scale managers.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import mindspore as ms
import numpy as np
from mindspore import Tensor, nn, ops
from mindspore.common.initializer import Normal

OUT = Path(__file__).resolve().parents[1] / "minispore" / "testing" / "data" / "amp"
STEPS, BATCH, LR, MOMENTUM = 3, 16, 0.01, 0.9

ms.set_context(mode=ms.PYNATIVE_MODE, device_target="CPU")


class LeNet5(nn.Cell):
    def __init__(self, bn: bool) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, pad_mode="valid")
        self.conv2 = nn.Conv2d(6, 16, 5, pad_mode="valid")
        self.use_bn = bn
        if bn:
            self.bn1 = nn.BatchNorm2d(6)
            self.bn2 = nn.BatchNorm2d(16)
        self.fc1 = nn.Dense(16 * 5 * 5, 120, weight_init=Normal(0.02))
        self.fc2 = nn.Dense(120, 84, weight_init=Normal(0.02))
        self.fc3 = nn.Dense(84, 10, weight_init=Normal(0.02))
        self.relu = nn.ReLU()
        self.max_pool2d = nn.MaxPool2d(kernel_size=2, stride=2)
        self.flatten = nn.Flatten()

    def construct(self, x):
        x = self.conv1(x)
        if self.use_bn:
            x = self.bn1(x)
        x = self.max_pool2d(self.relu(x))
        x = self.conv2(x)
        if self.use_bn:
            x = self.bn2(x)
        x = self.max_pool2d(self.relu(x))
        x = self.flatten(x)
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        return self.fc3(x)


def initial_weights(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Shared float32 weights: uniform(+-1/sqrt(fan_in)) for convolutions and biases, N(0, 0.02) for Dense."""
    shapes = {
        "conv1.weight": (6, 1, 5, 5),
        "conv2.weight": (16, 6, 5, 5),
        "fc1.weight": (120, 400),
        "fc1.bias": (120,),
        "fc2.weight": (84, 120),
        "fc2.bias": (84,),
        "fc3.weight": (10, 84),
        "fc3.bias": (10,),
    }
    out = {}
    for name, shape in shapes.items():
        if name.endswith("bias"):
            fan_in = {"fc1": 400, "fc2": 120, "fc3": 84}[name.split(".")[0]]
            out[name] = rng.uniform(-1, 1, shape) / np.sqrt(fan_in)
        elif name.startswith("conv"):
            out[name] = rng.uniform(-1, 1, shape) / np.sqrt(np.prod(shape[1:]))
        else:
            out[name] = rng.normal(0.0, 0.02, shape)
    return {k: v.astype(np.float32) for k, v in out.items()}


def make_net(bn: bool, init: dict[str, np.ndarray]) -> LeNet5:
    net = LeNet5(bn)
    for p in net.get_parameters():
        if p.name in init:
            p.set_data(Tensor(init[p.name]))
    return net


def dtype_name(t: Any) -> str:
    return str(t.dtype).lower().replace("mindspore.", "")


def apply_level(net: nn.Cell, level: str) -> nn.Cell:
    if level in ("O0", "O1", "O2", "O3", "auto"):
        return ms.amp.auto_mixed_precision(net, level)
    if level == "custom_white_dense":
        return ms.amp.custom_mixed_precision(net, white_list=[nn.Dense])
    if level == "custom_black_bn":
        return ms.amp.custom_mixed_precision(net, black_list=[nn.BatchNorm2d])
    raise ValueError(level)


def param_state(net: nn.Cell) -> dict[str, np.ndarray]:
    return {p.name: p.asnumpy().copy() for p in net.get_parameters()}


def functional_case(bn: bool, level: str, init, images, labels, arrays, key: str) -> dict[str, Any]:
    user_net = make_net(bn, init)
    net = apply_level(user_net, level)
    net.set_train(True)
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    opt = nn.Momentum(user_net.trainable_params(), LR, MOMENTUM)
    start = param_state(user_net)

    def forward(x, y):
        logits = net(x)
        return loss_fn(logits, y), logits

    grad_fn = ms.value_and_grad(forward, None, opt.parameters, has_aux=True)
    losses, meta = [], {}
    for s in range(STEPS):
        x = Tensor(images[s].astype(np.float32) / np.float32(255.0))
        (loss, logits), grads = grad_fn(x, Tensor(labels[s]))
        if s == 0:
            meta["output_dtype"] = dtype_name(logits)
            meta["grad_dtypes"] = sorted({dtype_name(g) for g in grads})
            arrays[f"{key}/logits_step0"] = logits.asnumpy().astype(np.float32)
        losses.append(float(loss.asnumpy()))
        opt(grads)
    meta["param_dtypes"] = sorted({dtype_name(p) for p in user_net.get_parameters()})
    meta["moment_dtypes"] = sorted({dtype_name(m) for m in opt.moments})
    arrays[f"{key}/losses"] = np.array(losses, np.float32)
    for name, value in param_state(user_net).items():
        arrays[f"{key}/delta/{name}"] = (value - start[name]).astype(np.float16)
    meta["user_net_output_dtype"] = dtype_name(user_net(Tensor(images[0].astype(np.float32) / 255.0)))
    return meta


class LossRecorder(ms.train.Callback):
    def __init__(self) -> None:
        self.losses: list[float] = []

    def on_train_step_end(self, run_context) -> None:
        out = run_context.original_args().net_outputs
        loss = out[0] if isinstance(out, tuple | list) else out
        self.losses.append(float(loss.asnumpy()))


def model_case(bn: bool, level: str, kwargs: dict[str, Any], opt_scale: float, init, images, labels, arrays, key):
    net = make_net(bn, init)
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    opt = nn.Momentum(net.trainable_params(), LR, MOMENTUM, loss_scale=opt_scale)
    start = param_state(net)
    model = ms.train.Model(net, loss_fn, opt, amp_level=level, **kwargs)
    data = ms.dataset.NumpySlicesDataset(
        {"x": (images[:STEPS].astype(np.float32) / np.float32(255.0)), "y": labels[:STEPS]}, shuffle=False
    )
    rec = LossRecorder()
    model.train(1, data, callbacks=[rec], dataset_sink_mode=False)
    arrays[f"{key}/losses"] = np.array(rec.losses, np.float32)
    for name, value in param_state(net).items():
        arrays[f"{key}/delta/{name}"] = (value - start[name]).astype(np.float16)
    out = net(Tensor(images[0].astype(np.float32) / 255.0))
    return {
        "level": level,
        "kwargs": {k: repr(v) for k, v in kwargs.items()},
        "optimizer_loss_scale": opt_scale,
        "user_net_output_dtype": dtype_name(out),
        "train_network": type(model.train_network).__name__,
        "param_dtypes": sorted({dtype_name(p) for p in net.get_parameters()}),
    }


def dynamic_scaler_case(init, images, labels, arrays, key) -> dict[str, Any]:
    user_net = make_net(False, init)
    net = ms.amp.auto_mixed_precision(user_net, "O2")
    net.set_train(True)
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    opt = nn.Momentum(user_net.trainable_params(), LR, MOMENTUM)
    scaler = ms.amp.DynamicLossScaler(2**24, 2, 2000)
    start = param_state(user_net)

    def forward(x, y):
        return scaler.scale(loss_fn(net(x), y))

    grad_fn = ms.value_and_grad(forward, None, opt.parameters)
    finite_flags, scales, losses = [], [], []
    steps = 10
    for s in range(steps):
        x = Tensor(images[s % STEPS].astype(np.float32) / np.float32(255.0))
        loss, grads = grad_fn(x, Tensor(labels[s % STEPS]))
        losses.append(float(scaler.unscale(loss).asnumpy()))
        grads = scaler.unscale(grads)
        finite = ms.amp.all_finite(grads)
        scales.append(float(scaler.scale_value.asnumpy()))
        scaler.adjust(finite)
        finite_flags.append(bool(finite.asnumpy()))
        if finite:
            opt(grads)
    arrays[f"{key}/losses"] = np.array(losses, np.float32)
    for name, value in param_state(user_net).items():
        arrays[f"{key}/delta/{name}"] = (value - start[name]).astype(np.float16)
    return {
        "steps": steps,
        "finite": finite_flags,
        "scale_before_step": scales,
        "final_scale": float(scaler.scale_value.asnumpy()),
        "counter": int(scaler.counter.asnumpy()),
    }


def kernel_refs(rng: np.random.Generator, arrays: dict[str, np.ndarray]) -> None:
    a = rng.normal(0, 1, (16, 64)).astype(np.float16)
    b = rng.normal(0, 1, (64, 24)).astype(np.float16)
    arrays["kernels/matmul_a"], arrays["kernels/matmul_b"] = a, b
    arrays["kernels/matmul_out"] = ops.matmul(Tensor(a), Tensor(b)).asnumpy()
    x = rng.normal(0, 1, (2, 3, 9, 9)).astype(np.float16)
    w = rng.normal(0, 0.3, (4, 3, 3, 3)).astype(np.float16)
    arrays["kernels/conv_x"], arrays["kernels/conv_w"] = x, w
    arrays["kernels/conv_out"] = ops.conv2d(Tensor(x), Tensor(w)).asnumpy()


def raises(fn) -> dict[str, str] | None:
    try:
        fn()
    except Exception as exc:
        return {"exception": type(exc).__name__, "message": str(exc).splitlines()[0][:300]}
    return None


def structure(init) -> dict[str, Any]:
    net = lambda: make_net(False, init)  # noqa: E731
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    opt = lambda n: nn.Momentum(n.trainable_params(), LR, MOMENTUM)  # noqa: E731
    white = ms.amp.get_white_list()
    facts: dict[str, Any] = {
        "white_list": [c.__name__ for c in white],
        "black_list": [c.__name__ for c in ms.amp.get_black_list()],
        "white_list_is_copy": white is not ms.amp.get_white_list(),
        "config_level": {
            lvl: {
                "keep_batchnorm_fp32": cfg["keep_batchnorm_fp32"],
                "cast_model_type": str(cfg["cast_model_type"]),
                "loss_scale_manager": None
                if cfg["loss_scale_manager"] is None
                else {
                    "class": type(cfg["loss_scale_manager"]).__name__,
                    "loss_scale": cfg["loss_scale_manager"].get_loss_scale(),
                    "scale_factor": getattr(cfg["loss_scale_manager"], "scale_factor", None),
                    "scale_window": getattr(cfg["loss_scale_manager"], "scale_window", None),
                },
            }
            for lvl, cfg in ms.train.amp._config_level.items()
        },
    }
    errors = {
        "model_cast_model_type": lambda: ms.train.Model(
            net(), loss, opt(net()), amp_level="O2", cast_model_type=ms.float16
        ),
        "model_unknown_kwarg": lambda: ms.train.Model(net(), loss, opt(net()), foo=1),
        "model_o2_default_manager_cpu": lambda: (lambda n: ms.train.Model(n, loss, opt(n), amp_level="O2"))(net()),
        "model_bad_level": lambda: (lambda n: ms.train.Model(n, loss, opt(n), amp_level="O4"))(net()),
        "model_keep_bn_not_bool": lambda: (
            lambda n: ms.train.Model(n, loss, opt(n), amp_level="O3", keep_batchnorm_fp32=1)
        )(net()),
        "auto_bad_level": lambda: ms.amp.auto_mixed_precision(net(), "O5"),
        "auto_bad_dtype": lambda: ms.amp.auto_mixed_precision(net(), "O2", dtype=ms.float32),
        "auto_not_cell": lambda: ms.amp.auto_mixed_precision(3, "O2"),
        "custom_no_list": lambda: ms.amp.custom_mixed_precision(net()),
        "custom_both_lists": lambda: ms.amp.custom_mixed_precision(
            net(), white_list=[nn.Dense], black_list=[nn.BatchNorm2d]
        ),
        "custom_bad_dtype": lambda: ms.amp.custom_mixed_precision(net(), white_list=[nn.Dense], dtype=ms.float32),
        "custom_not_list": lambda: ms.amp.custom_mixed_precision(net(), white_list=(nn.Dense,)),
        "custom_black_not_cell": lambda: ms.amp.custom_mixed_precision(net(), black_list=[int]),
        "to_float_int": lambda: net().to_float(ms.int32),
        "build_bad_level": lambda: (lambda n: ms.amp.build_train_network(n, opt(n), loss, level="O9"))(net()),
        "build_bad_kwarg": lambda: (lambda n: ms.amp.build_train_network(n, opt(n), loss, level="O3", foo=1))(net()),
        "static_scaler_small": lambda: ms.amp.StaticLossScaler(0.5),
        "dynamic_scaler_factor_float": lambda: ms.amp.DynamicLossScaler(1024, 2.0, 10),
    }
    facts["errors"] = {name: raises(fn) for name, fn in errors.items()}
    n = net()
    facts["build_train_network_O3"] = type(ms.amp.build_train_network(n, opt(n), loss, level="O3")).__name__
    n = net()
    facts["build_train_network_O2_cpu"] = raises(lambda: ms.amp.build_train_network(n, opt(n), loss, level="O2"))
    n = net()
    wrapped = ms.amp.auto_mixed_precision(n, "O2")
    facts["auto_O2_wrapper"] = type(wrapped).__name__
    facts["auto_O2_returns_same_net"] = wrapped is n
    n = net()
    facts["auto_O3_wrapper"] = type(ms.amp.auto_mixed_precision(n, "O3")).__name__
    facts["auto_O0_returns_same_net"] = ms.amp.auto_mixed_precision(n, "O0") is n
    s = ms.amp.StaticLossScaler(1024)
    facts["static_scale"] = s.scale(Tensor(np.float32(2.0))).asnumpy().item()
    facts["static_unscale_fp16"] = [str(s.unscale((Tensor(np.array([1.0], np.float16)),))[0].dtype)]
    facts["all_finite"] = [
        bool(ms.amp.all_finite((Tensor([1.0]), Tensor([np.inf]))).asnumpy()),
        bool(ms.amp.all_finite((Tensor([1.0]), Tensor([2.0]))).asnumpy()),
    ]
    d = ms.amp.DynamicLossScaler(1024, 2, 2)
    trace = []
    for finite in (True, True, False, True, True, True):
        d.adjust(Tensor(finite))
        trace.append([float(d.scale_value.asnumpy()), int(d.counter.asnumpy())])
    facts["dynamic_adjust_trace"] = {"finite": [True, True, False, True, True, True], "scale_counter": trace}
    return facts


def main() -> None:
    os.chdir(tempfile.mkdtemp())  # MindSpore's O1 rewrite writes its generated sources into the working directory
    rng = np.random.default_rng(20261129)
    init = initial_weights(rng)
    images = rng.integers(0, 256, (STEPS, BATCH, 1, 32, 32), dtype=np.uint8)
    labels = rng.integers(0, 10, (STEPS, BATCH), dtype=np.int32)
    arrays: dict[str, np.ndarray] = {f"init/{k}": v for k, v in init.items()}
    arrays["images_uint8"], arrays["labels"] = images, labels
    meta: dict[str, Any] = {
        "description": __doc__.strip().splitlines()[0],
        "mindspore_version": ms.__version__,
        "device": "CPU",
        "mode": "PYNATIVE",
        "steps": STEPS,
        "batch": BATCH,
        "lr": LR,
        "momentum": MOMENTUM,
        "loss": "SoftmaxCrossEntropyWithLogits(sparse=True, reduction='mean')",
        "input": "x = images_uint8[s].astype(float32) / float32(255)",
        "delta": "delta/<name> = float16(final - init) for every parameter (moving statistics included)",
        "functional": {},
        "model": {},
    }
    levels = ["O0", "O1", "O2", "O3", "auto", "custom_white_dense", "custom_black_bn"]
    for bn in (False, True):
        for level in levels:
            key = f"{'lenet5_bn' if bn else 'lenet5'}/{level}"
            try:
                meta["functional"][key] = functional_case(bn, level, init, images, labels, arrays, key)
            except Exception as exc:
                meta["functional"][key] = {"error": {"exception": type(exc).__name__, "message": str(exc)[:300]}}
            print(key, meta["functional"][key])
    model_runs = {
        "lenet5/O2_fixed128": (False, "O2", {"loss_scale_manager": ms.amp.FixedLossScaleManager(128.0, False)}, 128.0),
        "lenet5_bn/O2_fixed128": (
            True,
            "O2",
            {"loss_scale_manager": ms.amp.FixedLossScaleManager(128.0, False)},
            128.0,
        ),
        "lenet5/O3": (False, "O3", {}, 1.0),
        "lenet5_bn/O3": (True, "O3", {}, 1.0),
        "lenet5/O1": (False, "O1", {}, 1.0),
        "lenet5_bn/O2_keep_bn_false": (True, "O2", {"keep_batchnorm_fp32": False, "loss_scale_manager": None}, 1.0),
    }
    for key, (bn, level, kwargs, scale) in model_runs.items():
        try:
            meta["model"][key] = model_case(bn, level, kwargs, scale, init, images, labels, arrays, f"model/{key}")
        except Exception as exc:
            meta["model"][key] = {"error": {"exception": type(exc).__name__, "message": str(exc)[:300]}}
        print(key, meta["model"][key])
    meta["dynamic_scaler_O2"] = dynamic_scaler_case(init, images, labels, arrays, "scaler/lenet5_O2")
    print(meta["dynamic_scaler_O2"])
    kernel_refs(rng, arrays)
    meta["structure"] = structure(init)
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT / "amp_lenet.npz", **arrays)
    (OUT / "amp_lenet.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(json.dumps(meta["structure"], indent=1))


if __name__ == "__main__":
    main()
