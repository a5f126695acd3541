"""Record which constructor calls of nn.SGD, nn.Adam, nn.AdamWeightDecay and nn.RMSProp MindSpore 2.10 accepts.

Run with the MindSpore virtual environment::

    /work/msvenv/bin/python recording/record_validation.py --out minispore/testing/data

Writes ``errors/<name>_constructor_validation.json`` in the format of
``errors/constructor_validation.json`` (see the data README), with a top-level ``class``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from golden import P, decode_ms, first_line, write_json

POOL = [
    {"id": "w", "name": "w", "shape": [3], "dtype": "float32", "requires_grad": True, "init": "ones"},
    {"id": "b", "name": "b", "shape": [3], "dtype": "float32", "requires_grad": True, "init": "ones"},
    {"id": "frozen", "name": "frozen", "shape": [3], "dtype": "float32", "requires_grad": False, "init": "ones"},
    {"id": "w64", "name": "w64", "shape": [3], "dtype": "float64", "requires_grad": True, "init": "ones"},
    {"id": "w16", "name": "w16", "shape": [3], "dtype": "float16", "requires_grad": True, "init": "ones"},
    {"id": "wi", "name": "wi", "shape": [3], "dtype": "int32", "requires_grad": True, "init": "ones"},
]
FILES = {"SGD": "sgd", "Adam": "adam", "AdamWeightDecay": "adam_weight_decay", "RMSProp": "rmsprop"}


def _f(value: str) -> dict[str, str]:
    return {"__type__": "float", "value": value}


def _tensor(dtype: str, value: Any) -> dict[str, Any]:
    return {"__type__": "Tensor", "dtype": dtype, "value": value}


def _schedule() -> dict[str, Any]:
    return {
        "__type__": "LearningRateSchedule",
        "class": "ExponentialDecayLR",
        "kwargs": {"learning_rate": 0.1, "decay_rate": 0.9, "decay_steps": 2},
    }


def common_cases(has_loss_scale: bool) -> list[tuple[str, dict[str, Any]]]:
    """Arguments every optimizer class validates the same way (through the Optimizer base)."""
    out: list[tuple[str, dict[str, Any]]] = [
        ("minimal", {}),
        ("lr_int", {"learning_rate": 1}),
        ("lr_zero", {"learning_rate": 0.0}),
        ("lr_negative", {"learning_rate": -0.1}),
        ("lr_bool", {"learning_rate": True}),
        ("lr_str", {"learning_rate": "0.1"}),
        ("lr_none", {"learning_rate": None}),
        ("lr_nan", {"learning_rate": _f("nan")}),
        ("lr_list", {"learning_rate": [0.1, 0.05]}),
        ("lr_tuple", {"learning_rate": {"__type__": "tuple", "items": [0.1, 0.05]}}),
        ("lr_tensor_scalar", {"learning_rate": _tensor("float32", 0.1)}),
        ("lr_tensor_1d", {"learning_rate": _tensor("float32", [0.1, 0.05])}),
        ("lr_tensor_2d", {"learning_rate": _tensor("float32", [[0.1, 0.05]])}),
        ("lr_tensor_int32", {"learning_rate": _tensor("int32", 1)}),
        ("lr_schedule", {"learning_rate": _schedule()}),
        ("lr_cell_not_schedule", {"learning_rate": {"__type__": "Cell", "class": "ReLU"}}),
        ("weight_decay_int", {"weight_decay": 1}),
        ("weight_decay_negative", {"weight_decay": -0.1}),
        ("weight_decay_str", {"weight_decay": "0.1"}),
        (
            "weight_decay_cell",
            {
                "weight_decay": {
                    "__type__": "WeightDecayCell",
                    "class": "StepLinearWeightDecay",
                    "kwargs": {"base": 0.01, "slope": 0.005},
                }
            },
        ),
        ("params_empty", {"params": []}),
        ("params_tensor", {"params": [_tensor("float32", [1.0, 2.0])]}),
        ("params_frozen_only", {"params": [P("frozen")]}),
        ("params_float64", {"params": [P("w64")]}),
        ("params_float16", {"params": [P("w16")]}),
        ("params_int32", {"params": [P("wi")]}),
        ("params_generator", {"params": {"__type__": "generator", "items": [P("w"), P("b")]}}),
        (
            "group_lr_and_weight_decay",
            {"params": [{"params": [P("w")], "lr": 0.01, "weight_decay": 0.1}, {"params": [P("b")]}]},
        ),
        ("group_negative_lr", {"params": [{"params": [P("w")], "lr": -0.01}, {"params": [P("b")]}]}),
        ("group_unknown_key", {"params": [{"params": [P("w")], "momentum": 0.5}]}),
    ]
    if has_loss_scale:
        out += [
            ("loss_scale_int", {"loss_scale": 2}),
            ("loss_scale_zero", {"loss_scale": 0.0}),
            ("loss_scale_negative", {"loss_scale": -1.0}),
            ("loss_scale_str", {"loss_scale": "2"}),
            ("loss_scale_below_one", {"loss_scale": 0.5}),
        ]
    else:
        out += [("loss_scale_not_an_argument", {"loss_scale": 2.0})]
    return out


def _bool_cases(names: list[str]) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for n in names:
        out += [(f"{n}_true", {n: True}), (f"{n}_int", {n: 1}), (f"{n}_none", {n: None})]
    return out


def _float_cases(name: str, values: list[tuple[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{name}_{tag}", {name: v}) for tag, v in values]


RANGE_01 = [
    ("zero", 0.0),
    ("one", 1.0),
    ("half", 0.5),
    ("negative", -0.1),
    ("above_one", 1.5),
    ("int_zero", 0),
    ("str", "0.9"),
    ("nan", _f("nan")),
]
POSITIVE = [("zero", 0.0), ("negative", -1e-8), ("tiny", 1e-30), ("int_one", 1), ("str", "1e-8"), ("inf", _f("inf"))]


def class_cases(cls: str) -> list[tuple[str, dict[str, Any]]]:
    """Arguments specific to one class."""
    if cls == "SGD":
        return (
            _float_cases(
                "momentum",
                [("zero", 0.0), ("int", 1), ("negative", -0.5), ("above_one", 1.5), ("str", "0.9"), ("none", None)],
            )
            + _float_cases("dampening", [("int", 1), ("negative", -0.1), ("above_one", 2.0), ("str", "0.1")])
            + [
                ("nesterov_without_momentum", {"nesterov": True}),
                ("nesterov_with_momentum", {"nesterov": True, "momentum": 0.9}),
                ("nesterov_with_dampening", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}),
                ("nesterov_int", {"nesterov": 1, "momentum": 0.9}),
                ("momentum_float_numpy", {"momentum": {"__type__": "numpy_scalar", "dtype": "float32", "value": 0.9}}),
            ]
        )
    if cls in ("Adam", "AdamWeightDecay"):
        out = _float_cases("beta1", RANGE_01) + _float_cases("beta2", RANGE_01) + _float_cases("eps", POSITIVE)
        if cls == "Adam":
            out += _bool_cases(["use_locking", "use_nesterov", "use_amsgrad"]) + [
                ("use_amsgrad_with_use_lazy", {"use_amsgrad": True, "use_lazy": True}),
                ("use_lazy_and_use_offload", {"use_lazy": True, "use_offload": True}),
                ("unknown_kwarg", {"use_fused": True}),
                ("amsgrad_float16_params", {"params": [P("w16")], "use_amsgrad": True}),
            ]
        else:
            out += [("use_nesterov_not_an_argument", {"use_nesterov": True})]
        return out
    return (
        _float_cases(
            "decay", [("zero", 0.0), ("one", 1.0), ("above_one", 1.5), ("negative", -0.1), ("int", 1), ("str", "0.9")]
        )
        + _float_cases("momentum", [("int", 0), ("negative", -0.1), ("above_one", 1.5), ("str", "0.9")])
        + _float_cases("epsilon", POSITIVE)
        + _bool_cases(["use_locking", "centered"])
    )


def record(cls: str, out: Path) -> int:
    """Record the cases of ``cls``; return how many were written."""
    import mindspore as ms
    from mindspore import nn

    ms.set_context(mode=ms.PYNATIVE_MODE, device_target="CPU")
    defaults = {"params": [P("w"), P("b")]}
    cases = []
    for cid, extra in common_cases(cls != "AdamWeightDecay") + class_cases(cls):
        args = {**defaults, **extra}
        pool = {
            e["id"]: ms.Parameter(
                ms.Tensor(np.ones(e["shape"], e["dtype"])),
                name=e["name"],
                requires_grad=e["requires_grad"],
            )
            for e in POOL
        }
        entry: dict[str, Any] = {"id": cid, "args": args, "phase": "construct"}
        try:
            getattr(nn, cls)(**decode_ms(args, pool.__getitem__))
        except Exception as exc:
            entry.update({"outcome": "rejected", "exception": type(exc).__name__, "message": first_line(exc)})
        else:
            entry.update({"outcome": "accepted", "exception": None, "message": None})
        cases.append(entry)
    doc = {
        "description": f"nn.{cls} constructor calls: accepted or rejected (exception class name and first message "
        "line) by MindSpore 2.10 CPU. Arguments not in 'args' take the class defaults.",
        "class": f"mindspore.nn.{cls}",
        "parameter_pool": POOL,
        "cases": cases,
    }
    write_json(out / "errors" / f"{FILES[cls]}_constructor_validation.json", doc)
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        manifest.setdefault("files", {})[f"constructor_validation_{FILES[cls]}"] = (
            f"errors/{FILES[cls]}_constructor_validation.json"
        )
        write_json(manifest_path, manifest)
    return len(cases)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    for cls in FILES:
        print(cls, record(cls, args.out), "cases")


if __name__ == "__main__":
    main()
