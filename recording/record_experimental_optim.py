"""Record the PyTorch-style ``mindspore.experimental.optim`` API (SGD, Adam, AdamW + StepLR) from MindSpore 2.10.

Run with the MindSpore virtual environment::

    /work/msvenv/bin/python recording/record_experimental_optim.py --out minispore/testing/data

Each case trains a one-layer network (``fc = nn.Dense(5, 3)``, weights ``fc.weight`` (3, 5) and
``fc.bias`` (3,)) with the documented loop: ``(loss, grads) = value_and_grad(forward, None,
optimizer.parameters)(x, y)``, ``optimizer(grads)``, ``scheduler.step()``. It writes
``experimental/<id>.json`` and ``experimental/<id>.npz`` (layout in the data README).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import numpy_replay
from golden import DEVICE, MINDSPORE_VERSION, MODE, P, write_json, write_npz

STEPS = 6
BATCH = 8
GROUPS = [{"params": [P("fc.weight")], "lr": 0.05}, {"params": [P("fc.bias")], "weight_decay": 0.0}]
CASES: list[dict[str, Any]] = [
    {
        "id": "experimental_sgd",
        "seed": 501,
        "class": "SGD",
        "args": {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01},
        "step_lr": {"step_size": 2, "gamma": 0.5},
    },
    {
        "id": "experimental_sgd_groups_nesterov",
        "seed": 502,
        "class": "SGD",
        "args": {"params": GROUPS, "lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
        "step_lr": {"step_size": 3, "gamma": 0.1},
    },
    {
        "id": "experimental_adam",
        "seed": 503,
        "class": "Adam",
        "args": {"lr": 0.01, "betas": {"__type__": "tuple", "items": [0.8, 0.99]}},
        "step_lr": {"step_size": 2, "gamma": 0.5},
    },
    {
        "id": "experimental_adam_groups_weight_decay",
        "seed": 504,
        "class": "Adam",
        "args": {"params": GROUPS, "lr": 0.01, "weight_decay": 0.1},
        "step_lr": {"step_size": 2, "gamma": 0.5},
    },
    {
        "id": "experimental_adamw",
        "seed": 505,
        "class": "AdamW",
        "args": {"lr": 0.01, "betas": {"__type__": "tuple", "items": [0.9, 0.999]}, "weight_decay": 0.1},
        "step_lr": {"step_size": 2, "gamma": 0.5},
    },
    {
        "id": "experimental_adamw_amsgrad_groups",
        "seed": 506,
        "class": "AdamW",
        "args": {"params": GROUPS, "lr": 0.01, "amsgrad": True},
        "step_lr": {"step_size": 4, "gamma": 0.3},
    },
]


def _net(init: dict[str, np.ndarray]) -> Any:
    import mindspore as ms
    from mindspore import nn

    class Net(nn.Cell):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Dense(5, 3, weight_init=ms.Tensor(init["fc.weight"]), bias_init=ms.Tensor(init["fc.bias"]))

        def construct(self, x: Any) -> Any:
            return self.fc(x)

    return Net()


def record_case(case: dict[str, Any], out: Path) -> str:
    """Run one case; write its JSON and NPZ; return the id."""
    import mindspore as ms
    from golden import decode_ms
    from mindspore import nn
    from mindspore.experimental import optim

    ms.set_context(mode=ms.PYNATIVE_MODE, device_target="CPU")
    rng = np.random.default_rng(case["seed"])
    init = {
        "fc.weight": rng.standard_normal((3, 5)).astype(np.float32),
        "fc.bias": rng.standard_normal(3).astype(np.float32),
    }
    xs = rng.standard_normal((STEPS, BATCH, 5)).astype(np.float32)
    ys = rng.standard_normal((STEPS, BATCH, 3)).astype(np.float32)
    net = _net(init)
    params = {p.name: p for p in net.trainable_params()}
    args = dict(case["args"])
    args.setdefault("params", [P(n) for n in params])
    opt = getattr(optim, case["class"])(**decode_ms(args, params.__getitem__))
    scheduler = optim.lr_scheduler.StepLR(opt, **case["step_lr"])
    loss_fn = nn.MSELoss()

    def forward(x: Any, y: Any) -> Any:
        return loss_fn(net(x), y)

    grad_fn = ms.value_and_grad(forward, None, opt.parameters)
    order = [p.name for p in opt.parameters]
    state_names = [p.name for p in opt.get_parameters() if p.name not in params]
    rec: dict[str, list[np.ndarray]] = {}
    last_lr: list[list[float]] = []
    repr_before = repr(opt)
    for k in range(STEPS):
        loss, grads = grad_fn(ms.Tensor(xs[k]), ms.Tensor(ys[k]))
        opt(grads)
        scheduler.step()
        rec.setdefault("loss", []).append(np.float32(loss.asnumpy()))
        for i, n in enumerate(order):
            rec.setdefault("grads/" + n, []).append(grads[i].asnumpy())
        for n in order:
            rec.setdefault("params/" + n, []).append(params[n].asnumpy().copy())
        state = dict(opt.parameters_and_names())
        for s in state_names:
            rec.setdefault("state/" + s, []).append(state[s].asnumpy().copy())
        last_lr.append(
            [float(np.asarray(v.asnumpy() if hasattr(v, "asnumpy") else v)) for v in scheduler.get_last_lr()]
        )
    arrays: dict[str, np.ndarray] = {"x": xs, "y": ys}
    for n in order:
        arrays["init/" + n] = init[n]
    arrays.update({k: np.stack(v) for k, v in rec.items()})
    meta = {
        "id": case["id"],
        "kind": "experimental_optim",
        "source": "mindspore-2.10-cpu",
        "mindspore_version": MINDSPORE_VERSION,
        "device": DEVICE,
        "mode": MODE,
        "network": "fc = nn.Dense(5, 3) with weight init/fc.weight and bias init/fc.bias; loss = nn.MSELoss() (mean)",
        "loop": "for k in range(n_steps): (loss, grads) = value_and_grad(forward, None, optimizer.parameters)(x[k], y[k]); optimizer(grads); scheduler.step()",
        "constructor": {"class": f"mindspore.experimental.optim.{case['class']}", "args": args},
        "scheduler": {"class": "mindspore.experimental.optim.lr_scheduler.StepLR", "kwargs": case["step_lr"]},
        "optimizer_parameter_order": order,
        "state_names": state_names,
        "n_steps": STEPS,
        "repr": repr_before,
        "str_equals_repr": str(opt) == repr(opt),
        "repr_after": repr(opt),
        "get_last_lr": last_lr,
        "get_last_lr_type": type(scheduler.get_last_lr()).__name__
        + " of "
        + ", ".join(
            sorted(
                {
                    f"{type(v).__name__}{getattr(v, 'shape', '')} {getattr(v, 'dtype', '')}"
                    for v in scheduler.get_last_lr()
                }
            )
        ),
        "arrays": case["id"] + ".npz",
    }
    ref = numpy_replay.replay_experimental(meta, arrays)
    meta["bitwise_reproducible_with_float32_numpy"] = all(
        np.array_equal(ref[k], arrays[k]) for k in ref if k in arrays
    ) and np.array_equal(ref["get_last_lr"], np.array(last_lr, np.float32))
    meta["arrays"] = meta.pop("arrays")
    write_json(out / "experimental" / (case["id"] + ".json"), meta)
    write_npz(out / "experimental" / (case["id"] + ".npz"), arrays)
    return case["id"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    ids = [record_case(c, args.out) for c in CASES]
    manifest_path = args.out / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        manifest.setdefault("files", {})["experimental_optim"] = [f"experimental/{i}.json" for i in ids]
        write_json(manifest_path, manifest)
    print("\n".join(ids))


if __name__ == "__main__":
    main()
