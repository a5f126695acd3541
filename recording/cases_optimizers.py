"""The cases of ``nn.SGD``, ``nn.Adam``, ``nn.AdamWeightDecay``, ``nn.RMSProp`` and float16 ``nn.Momentum``.

Same entry layout as ``cases_momentum.py``, plus ``class`` (the ``mindspore.nn`` class name).
Parameter shapes are chosen so that the vector loop of the nnacl kernels (8 float32 lanes)
and its scalar tail are both exercised: ``w`` (20 elements: 16 + 4), ``b`` (5: tail only),
``k`` (24: vector only).
"""

from __future__ import annotations

from typing import Any

from golden import PS, SOURCE_MS, P

LR_LIST = [0.1, 0.08, 0.06, 0.05, 0.04, 0.03]
LR_LIST_SMALL = [0.01, 0.008, 0.006, 0.005, 0.004, 0.003]


def _params(dtype: str = "float32", third: str = "bn.gamma") -> list[list[Any]]:
    return [["w", [4, 5], dtype, True], ["b", [5], dtype, True], ["k", [3, 8], dtype, True], [third, [6], dtype, True]]


def _case(
    cid: str,
    cls: str,
    seed: int,
    description: str,
    args: dict[str, Any],
    *,
    dtype: str = "float32",
    notes: tuple[str, ...] = (),
    grad_scale: float = 1.0,
    steps: int = 6,
) -> dict[str, Any]:
    params = _params(dtype)
    names = [p[0] for p in params]
    full = {"params": PS(*names), **args} if "params" not in args else args
    return {
        "id": cid,
        "class": cls,
        "seed": seed,
        "steps": steps,
        "grad_scale": grad_scale,
        "source": SOURCE_MS,
        "description": description,
        "notes": list(notes),
        "params": params,
        "args": full,
    }


def _groups(lr_a: Any, wd_a: float, default_wd: float) -> list[dict[str, Any]]:
    """Three groups: (w, b) with lr and weight decay, (k) with weight decay 0, (bn.gamma) on defaults."""
    return (
        [
            {"params": PS("w", "b"), "lr": lr_a, "weight_decay": wd_a},
            {"params": [P("k")], "weight_decay": 0.0},
            {"params": [P("bn.gamma")]},
        ]
        if default_wd >= 0
        else []
    )


def _suite(cls: str, seed0: int, lr: float, lr_list: list[float], extra: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Arguments shared by the cases of every class: weight decay, loss scale, groups, list lr, schedule."""
    return {
        "weight_decay": {"learning_rate": lr, "weight_decay": 0.05, **extra},
        "loss_scale": {"learning_rate": lr, "weight_decay": 0.05, "loss_scale": 3.0, **extra},
        "groups": {"params": _groups(lr / 2, 0.1, 0.02), "learning_rate": lr, "weight_decay": 0.02, **extra},
        "lr_list": {"learning_rate": lr_list, **extra},
        "lr_schedule": {
            "learning_rate": {
                "__type__": "LearningRateSchedule",
                "class": "CosineDecayLR",
                "kwargs": {"min_lr": lr / 10, "max_lr": lr, "decay_steps": 4},
            },
            **extra,
        },
    }


GROUPS_NOTE = "Groups: (w, b) lr/2 and weight_decay 0.1; k weight_decay 0.0; bn.gamma takes the defaults (weight_decay 0.02: the name filter does not apply in groups)."
FILTER_NOTE = "Ungrouped weight decay skips 'bn.gamma' (name contains 'gamma')."
LS_NOTE = "Gradients are recorded already multiplied by loss_scale=3.0; the optimizer divides by it."
F16_NOTE = "float16: the kernel computes in float32 on float32 copies of the float16 operands and stores parameter and state rounded to float16; the weight-decay and 1/loss_scale pre-pass run in float16 before it."
ADAMW_F16_NOTE = "float16: AdamWeightDecay's CPU kernel does pure float16 arithmetic (every + - * / rounds to float16; lr, betas, eps=1e-6 -> 1.013e-06 and decay are float16), so it drifts from the float32 result; recorded as MindSpore does it."
RMS_F16_NOTE = "float16: the Python wrapper casts lr, decay, momentum and epsilon to float16 (epsilon 1e-10 becomes 0.0), then the float32 kernel runs on float32 copies and the results are stored rounded."
RMS_TASK_NOTE = "ApplyRMSProp's float32 kernel has a vector loop (8 lanes) and a scalar tail that round differently; from call 5 on, the 2-core recording machine splits each tensor into 2 tasks, which moves the vector/tail boundary (see recording/OPTIMIZER_FORMULAS.md). Another machine may differ by 1 ulp."
SCHED_NOTE = "CosineDecayLR(min_lr=lr/10, max_lr=lr, decay_steps=4), run past decay_steps."

MOMENTUM16 = [
    _case(
        "momentum_float16_plain",
        "Momentum",
        301,
        "nn.Momentum with float16 parameters, lr 0.1, momentum 0.9.",
        {"learning_rate": 0.1, "momentum": 0.9},
        dtype="float16",
    ),
    _case(
        "momentum_float16_weight_decay_loss_scale",
        "Momentum",
        302,
        "nn.Momentum, float16 parameters, weight_decay=0.05 and loss_scale=3.0.",
        {"learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.05, "loss_scale": 3.0},
        dtype="float16",
        notes=(FILTER_NOTE, LS_NOTE),
        grad_scale=3.0,
    ),
]


def _sgd() -> list[dict[str, Any]]:
    s = _suite("SGD", 310, 0.1, LR_LIST, {"momentum": 0.9})
    return [
        _case("sgd_plain", "SGD", 311, "nn.SGD, momentum 0 (plain gradient descent), lr 0.1.", {"learning_rate": 0.1}),
        _case("sgd_momentum", "SGD", 312, "nn.SGD, momentum 0.9.", {"learning_rate": 0.1, "momentum": 0.9}),
        _case(
            "sgd_momentum_dampening",
            "SGD",
            313,
            "nn.SGD, momentum 0.9, dampening 0.3.",
            {"learning_rate": 0.1, "momentum": 0.9, "dampening": 0.3},
        ),
        _case(
            "sgd_nesterov",
            "SGD",
            314,
            "nn.SGD, momentum 0.9, nesterov=True.",
            {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True},
        ),
        _case(
            "sgd_weight_decay",
            "SGD",
            315,
            "nn.SGD, momentum 0.9, weight_decay 0.05.",
            s["weight_decay"],
            notes=(FILTER_NOTE,),
        ),
        _case(
            "sgd_loss_scale",
            "SGD",
            316,
            "nn.SGD, momentum 0.9, weight_decay 0.05, loss_scale 3.0.",
            s["loss_scale"],
            notes=(FILTER_NOTE, LS_NOTE),
            grad_scale=3.0,
        ),
        _case("sgd_groups", "SGD", 317, "nn.SGD, momentum 0.9, parameter groups.", s["groups"], notes=(GROUPS_NOTE,)),
        _case("sgd_lr_list", "SGD", 318, "nn.SGD, momentum 0.9, list learning rate.", s["lr_list"]),
        _case(
            "sgd_lr_schedule", "SGD", 319, "nn.SGD, momentum 0.9, CosineDecayLR.", s["lr_schedule"], notes=(SCHED_NOTE,)
        ),
        _case(
            "sgd_float16",
            "SGD",
            320,
            "nn.SGD, float16 parameters, momentum 0.9, weight_decay 0.05.",
            {"learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.05},
            dtype="float16",
            notes=(FILTER_NOTE,),
        ),
    ]


def _adam() -> list[dict[str, Any]]:
    s = _suite("Adam", 330, 0.01, LR_LIST_SMALL, {})
    return [
        _case("adam_plain", "Adam", 331, "nn.Adam, lr 0.01, default betas and eps.", {"learning_rate": 0.01}),
        _case("adam_amsgrad", "Adam", 332, "nn.Adam, use_amsgrad=True.", {"learning_rate": 0.01, "use_amsgrad": True}),
        _case(
            "adam_nesterov", "Adam", 333, "nn.Adam, use_nesterov=True.", {"learning_rate": 0.01, "use_nesterov": True}
        ),
        _case(
            "adam_betas_eps",
            "Adam",
            334,
            "nn.Adam, beta1 0.8, beta2 0.99, eps 1e-6.",
            {"learning_rate": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6},
        ),
        _case("adam_weight_decay", "Adam", 335, "nn.Adam, weight_decay 0.05.", s["weight_decay"], notes=(FILTER_NOTE,)),
        _case(
            "adam_loss_scale",
            "Adam",
            336,
            "nn.Adam, weight_decay 0.05, loss_scale 3.0.",
            s["loss_scale"],
            notes=(FILTER_NOTE, LS_NOTE),
            grad_scale=3.0,
        ),
        _case("adam_groups", "Adam", 337, "nn.Adam, parameter groups.", s["groups"], notes=(GROUPS_NOTE,)),
        _case("adam_lr_list", "Adam", 338, "nn.Adam, list learning rate.", s["lr_list"]),
        _case("adam_lr_schedule", "Adam", 339, "nn.Adam, CosineDecayLR.", s["lr_schedule"], notes=(SCHED_NOTE,)),
        _case(
            "adam_float16",
            "Adam",
            340,
            "nn.Adam, float16 parameters, lr 0.01.",
            {"learning_rate": 0.01},
            dtype="float16",
        ),
    ]


def _adam_large() -> dict[str, Any]:
    """One 1003-element tensor: ParallelLaunch splits it into 2 tasks (vector/tail boundary at 496 and 998)."""
    case = _case(
        "adam_large_tensor",
        "Adam",
        341,
        "nn.Adam on a 1003-element tensor (two kernel tasks).",
        {"learning_rate": 0.01, "params": [P("big")]},
    )
    case["params"] = [["big", [1003], "float32", True]]
    case["notes"] = [
        "On the 2-core recording machine the Adam kernel splits tensors over 1000 elements into 2 tasks of ceil(n/2) elements; each task has its own vector loop and scalar tail (see recording/OPTIMIZER_FORMULAS.md)."
    ]
    return case


def _adamw() -> list[dict[str, Any]]:
    s = _suite("AdamWeightDecay", 350, 0.01, LR_LIST_SMALL, {})
    return [
        _case(
            "adamw_plain",
            "AdamWeightDecay",
            351,
            "nn.AdamWeightDecay, lr 0.01, weight_decay 0.",
            {"learning_rate": 0.01},
        ),
        _case(
            "adamw_weight_decay",
            "AdamWeightDecay",
            352,
            "nn.AdamWeightDecay, weight_decay 0.05.",
            s["weight_decay"],
            notes=(FILTER_NOTE,),
        ),
        _case(
            "adamw_groups",
            "AdamWeightDecay",
            353,
            "nn.AdamWeightDecay, parameter groups.",
            s["groups"],
            notes=(GROUPS_NOTE,),
        ),
        _case(
            "adamw_lr_list",
            "AdamWeightDecay",
            354,
            "nn.AdamWeightDecay, list learning rate, weight_decay 0.05.",
            {**s["lr_list"], "weight_decay": 0.05},
            notes=(FILTER_NOTE,),
        ),
        _case(
            "adamw_lr_schedule",
            "AdamWeightDecay",
            355,
            "nn.AdamWeightDecay, CosineDecayLR, weight_decay 0.05.",
            {**s["lr_schedule"], "weight_decay": 0.05},
            notes=(SCHED_NOTE, FILTER_NOTE),
        ),
        _case(
            "adamw_float16",
            "AdamWeightDecay",
            356,
            "nn.AdamWeightDecay, float16 parameters, weight_decay 0.05.",
            {"learning_rate": 0.01, "weight_decay": 0.05},
            dtype="float16",
            notes=(FILTER_NOTE,),
        ),
    ]


def _rmsprop() -> list[dict[str, Any]]:
    s = _suite("RMSProp", 370, 0.01, LR_LIST_SMALL, {})
    return [
        _case(
            "rmsprop_plain",
            "RMSProp",
            371,
            "nn.RMSProp, lr 0.01, decay 0.9, momentum 0, epsilon 1e-10.",
            {"learning_rate": 0.01},
        ),
        _case(
            "rmsprop_centered", "RMSProp", 372, "nn.RMSProp, centered=True.", {"learning_rate": 0.01, "centered": True}
        ),
        _case(
            "rmsprop_momentum",
            "RMSProp",
            373,
            "nn.RMSProp, momentum 0.9, epsilon 1e-6.",
            {"learning_rate": 0.01, "momentum": 0.9, "epsilon": 1e-6},
        ),
        _case(
            "rmsprop_centered_momentum",
            "RMSProp",
            374,
            "nn.RMSProp, centered=True, momentum 0.9, decay 0.8.",
            {"learning_rate": 0.01, "centered": True, "momentum": 0.9, "decay": 0.8},
        ),
        _case(
            "rmsprop_weight_decay",
            "RMSProp",
            375,
            "nn.RMSProp, weight_decay 0.05.",
            s["weight_decay"],
            notes=(FILTER_NOTE,),
        ),
        _case(
            "rmsprop_loss_scale",
            "RMSProp",
            376,
            "nn.RMSProp, weight_decay 0.05, loss_scale 3.0.",
            s["loss_scale"],
            notes=(FILTER_NOTE, LS_NOTE),
            grad_scale=3.0,
        ),
        _case("rmsprop_groups", "RMSProp", 377, "nn.RMSProp, parameter groups.", s["groups"], notes=(GROUPS_NOTE,)),
        _case("rmsprop_lr_list", "RMSProp", 378, "nn.RMSProp, list learning rate.", s["lr_list"]),
        _case(
            "rmsprop_float16",
            "RMSProp",
            379,
            "nn.RMSProp, float16 parameters, momentum 0.9.",
            {"learning_rate": 0.01, "momentum": 0.9},
            dtype="float16",
        ),
        _case(
            "rmsprop_centered_float16",
            "RMSProp",
            380,
            "nn.RMSProp, float16 parameters, centered=True.",
            {"learning_rate": 0.01, "centered": True},
            dtype="float16",
        ),
    ]


def _with_notes(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Prepend the float16 and kernel-split notes that apply to a case."""
    for c in cases:
        extra = []
        if c["params"][0][2] == "float16":
            rms16 = c["class"] == "RMSProp" and not c["args"].get("centered", False)
            extra.append(ADAMW_F16_NOTE if c["class"] == "AdamWeightDecay" else RMS_F16_NOTE if rms16 else F16_NOTE)
        if c["class"] == "RMSProp" and not c["args"].get("centered", False):
            extra.append(RMS_TASK_NOTE)
        c["notes"] = extra + c["notes"]
    return cases


NEW_CASES: list[dict[str, Any]] = _with_notes(MOMENTUM16 + _sgd() + _adam() + [_adam_large()] + _adamw() + _rmsprop())
