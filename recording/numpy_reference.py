"""Float32 NumPy evaluation of the MindSpore 2.10 CPU optimizers, in the operation order of the kernels.

Every function here is the executable form of a formula in ``recording/OPTIMIZER_FORMULAS.md``.
The recorders use it to say whether a recorded case is reproduced bit for bit
(``bitwise_reproducible_with_float32_numpy``) and to compute the ``documented-formula`` cases.
No function reads the recorded trajectory: learning rates and weight decays are evaluated
from the constructor arguments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

F32 = np.float32


# ----------------------------------------------------------------------------- learning rates


def schedule_f32(cls: str, kw: dict[str, Any], step: int) -> np.float32:
    """A ``LearningRateSchedule`` evaluated in float32 NumPy, MindSpore's operation order."""
    s = F32(step)
    if cls == "ExponentialDecayLR":
        p = s / F32(kw["decay_steps"])
        if kw.get("is_stair", False):
            p = np.floor(p)
        return F32(F32(kw["learning_rate"]) * np.power(F32(kw["decay_rate"]), p))
    if cls == "CosineDecayLR":
        p = F32(min(step, kw["decay_steps"]))
        delta = F32(0.5 * (kw["max_lr"] - kw["min_lr"]))
        angle = F32(math.pi) * (p / F32(kw["decay_steps"]) + F32(0.5))
        return F32(F32(kw["min_lr"]) + delta * (F32(1.0) + np.sin(angle)))
    if cls == "WarmUpLR":
        pct = F32(min(step, kw["warmup_steps"])) / F32(kw["warmup_steps"])
        return F32(F32(kw["learning_rate"]) * pct)
    if cls == "PolynomialDecayLR":
        p = F32(min(step, kw["decay_steps"])) / F32(kw["decay_steps"])
        diff = F32(kw["learning_rate"] - kw["end_learning_rate"])
        return F32(diff * np.power(F32(1.0) - p, F32(kw["power"])) + F32(kw["end_learning_rate"]))
    raise ValueError(f"no float32 evaluation of {cls}")


def is_dynamic_lr(lr: Any) -> bool:
    """Whether a tagged learning rate changes with the step (list, tuple, 1-D Tensor, schedule)."""
    if isinstance(lr, list):
        return True
    if isinstance(lr, dict):
        if lr["__type__"] == "Tensor":
            return isinstance(lr["value"], list)
        return lr["__type__"] in ("tuple", "generator", "LearningRateSchedule")
    return False


def lr_at(lr: Any, step: int, group_dynamic: bool = False) -> np.float32:
    """The float32 learning rate a tagged ``learning_rate`` gives at ``global_step == step``.

    With ``group_dynamic`` (groups where some learning rate is dynamic), a constant rate is
    evaluated as ``float32(float32(lr) + 1) - 1``, as MindSpore's group fallback does.
    """
    if isinstance(lr, list) or (isinstance(lr, dict) and lr["__type__"] in ("tuple", "generator")):
        items = lr if isinstance(lr, list) else lr["items"]
        return np.asarray(items, dtype=np.float32)[step]
    if isinstance(lr, dict) and lr["__type__"] == "Tensor":
        value = np.asarray(lr["value"], dtype=lr["dtype"]).astype(np.float32)
        if value.ndim == 1:
            return F32(value[step])
        const = F32(value)
    elif isinstance(lr, dict) and lr["__type__"] == "LearningRateSchedule":
        return schedule_f32(lr["class"], lr["kwargs"], step)
    else:
        const = F32(float(lr))
    return F32(F32(const + F32(1.0)) - F32(1.0)) if group_dynamic else const


# ----------------------------------------------------------------------------- per-parameter settings


@dataclass(frozen=True)
class Setting:
    """What the Optimizer base class decides for one parameter."""

    lr: Any
    weight_decay: Any  # a float, or a WeightDecayCell tag
    decay: bool
    centralize: bool
    group_dynamic: bool

    def lr_at(self, step: int) -> np.float32:
        return lr_at(self.lr, step, self.group_dynamic)

    def wd_at(self, step: int, loss_scale: float) -> np.float32:
        """``float32(wd * loss_scale)``: the product is taken in double and rounded once."""
        wd = self.weight_decay
        if isinstance(wd, dict):
            kw = wd["kwargs"]
            value = F32(kw["base"]) + F32(kw["slope"]) * F32(step)
            return F32(value * F32(loss_scale))
        return F32(float(wd) * loss_scale)


def settings(args: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Setting]:
    """Per parameter name: learning rate, weight decay and flags, as MindSpore's ``Optimizer`` sets them."""
    params = args["params"]
    lr = args.get("learning_rate", defaults["learning_rate"])
    wd = args.get("weight_decay", 0.0)
    if not isinstance(params[0], dict) or "__type__" in params[0]:
        decay = isinstance(wd, dict) or float(wd) > 0
        return {
            p["name"]: Setting(lr, wd, decay and "beta" not in p["name"] and "gamma" not in p["name"], False, False)
            for p in params
        }
    groups = [g for g in params if "order_params" not in g]
    group_dynamic = any(is_dynamic_lr(g.get("lr", lr)) for g in groups)
    out: dict[str, Setting] = {}
    for g in groups:
        g_wd = g.get("weight_decay", wd)
        g_decay = isinstance(g_wd, dict) or float(g_wd) > 0
        for p in g["params"]:
            out[p["name"]] = Setting(
                g.get("lr", lr), g_wd, g_decay, bool(g.get("grad_centralization", False)), group_dynamic
            )
    return out


def centralize(g: np.ndarray) -> np.ndarray:
    """Gradient centralization: ``g - mean(g, axes 1..)`` for ndim >= 2 and ``shape[1] % 16 == 0``."""
    if g.ndim >= 2 and g.shape[1] % 16 == 0:
        return (g - g.mean(axis=tuple(range(1, g.ndim)), keepdims=True, dtype=np.float32)).astype(g.dtype)
    return g


def preprocess(g: np.ndarray, p: np.ndarray, s: Setting, step: int, loss_scale: float) -> np.ndarray:
    """Optimizer base pre-pass: weight decay, centralization, 1/loss_scale, in the dtype of ``g``."""
    dt = g.dtype
    if s.decay:
        g = (p * s.wd_at(step, loss_scale).astype(dt) + g).astype(dt)
    if s.centralize:
        g = centralize(g)
    if loss_scale != 1.0:
        g = (g * F32(1.0 / loss_scale).astype(dt)).astype(dt)
    return g


# ----------------------------------------------------------------------------- nn.Momentum


def momentum_step(
    p: np.ndarray, v: np.ndarray, g: np.ndarray, lr: np.float32, u: float, nesterov_documented: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """One ``ApplyMomentum`` update (float32 or float16 parameters).

    float32: ``v = v*u + g; p = p - v*lr``. float16: the kernel loads every operand into
    float32, computes ``v32 = v*u + g`` and ``p32 = p - v32*lr`` in float32, and stores both
    rounded to float16 (the parameter from the unrounded ``v32``).
    """
    u32 = F32(u)
    v32 = v.astype(np.float32) * u32 + g.astype(np.float32)
    if nesterov_documented:
        p32 = p.astype(np.float32) - (g.astype(np.float32) * lr + (v32 * u32) * lr)
    else:
        p32 = p.astype(np.float32) - v32 * lr
    return p32.astype(p.dtype), v32.astype(v.dtype)
