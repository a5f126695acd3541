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


# ----------------------------------------------------------------------------- helpers of the kernels

AVX_LANES = 8


def fma(a: Any, b: Any, c: Any) -> np.ndarray:
    """``a*b + c`` rounded once to float32 (the product of two float32 is exact in float64)."""
    f64 = np.float64
    return (
        np.asarray(a, np.float32).astype(f64) * np.asarray(b, np.float32).astype(f64)
        + np.asarray(c, np.float32).astype(f64)
    ).astype(np.float32)


def simd_count(n: int, lanes: int = AVX_LANES) -> int:
    """How many leading elements of an ``n``-element tensor the vector loop of an nnacl kernel handles."""
    return (n // lanes) * lanes


# The recording machine has 2 cores, so the CPU kernels' thread pool runs at most 2 tasks.
THREADS = 2


def parallel_launch_chunks(n: int, block: int = 1000, threads: int = THREADS) -> list[tuple[int, int]]:
    """Task ranges of ``ParallelLaunch(task, n, block)``: ``min(threads, ceil(n/block))`` equal tasks."""
    tasks = max(1, min(threads, -(-n // block)))
    size = -(-n // tasks)
    return [(s, min(s + size, n)) for s in range(0, n, size)]


# ParallelLaunchAutoSearch on the 2-core recording machine: the first 5 launches of a kernel run
# as one task, later launches split the elements into 2 tasks of ceil(n/2) elements each.
AUTOSEARCH_SINGLE_TASK_LAUNCHES = 5
AUTOSEARCH_TASKS = THREADS


def autosearch_chunks(n: int, launch: int) -> list[tuple[int, int]]:
    """The ``[start, end)`` element ranges of the tasks of launch number ``launch`` (0-based)."""
    if launch < AUTOSEARCH_SINGLE_TASK_LAUNCHES:
        return [(0, n)]
    size = -(-n // AUTOSEARCH_TASKS)
    return [(s, min(s + size, n)) for s in range(0, n, size)]


def vector_mask(n: int, chunks: list[tuple[int, int]], lanes: int = AVX_LANES) -> np.ndarray:
    """True where an element is handled by the vector loop of its task (the first ``lanes*k`` of each)."""
    mask = np.zeros(n, dtype=bool)
    for start, end in chunks:
        mask[start : start + simd_count(end - start, lanes)] = True
    return mask


# ----------------------------------------------------------------------------- nn.SGD


def sgd_step(
    p: np.ndarray,
    accum: np.ndarray,
    stat: np.ndarray,
    g: np.ndarray,
    lr: np.float32,
    momentum: float,
    dampening: float,
    nesterov: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One ``SGD`` kernel update; float16 operands are computed in float32 and stored rounded."""
    dt = p.dtype
    g32, u = g.astype(F32), F32(momentum)
    d32 = g32
    if momentum > 0:
        first = stat > 0
        a32 = np.where(first, g32, accum.astype(F32) * u + (F32(1.0) - F32(dampening)) * g32)
        stat = np.where(first, np.zeros_like(stat), stat)
        d32 = g32 + a32 * u if nesterov else a32
        accum = a32.astype(dt)
    return (p.astype(F32) - lr * d32).astype(dt), accum, stat


# ----------------------------------------------------------------------------- nn.Adam


def adam_lr(lr: np.float32, beta1_power: np.float32, beta2_power: np.float32) -> np.float32:
    """``new_lr = lr * sqrt(1 - beta2_power) / (1 - beta1_power)`` in float32."""
    return F32(F32(lr * np.sqrt(F32(F32(1.0) - beta2_power))) / F32(F32(1.0) - beta1_power))


def adam_step(
    p: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    g: np.ndarray,
    new_lr: np.float32,
    beta1: float,
    beta2: float,
    eps: float,
    nesterov: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One ``Adam`` kernel update of a float32 tensor (nnacl ``AdamFp32``, AVX build with FMA contraction).

    ``m = fma(1-b1, g-m, m)``, ``v = fma(1-b2, fma(g, g, -v), v)`` everywhere. The parameter:
    for the vector lanes of each task (see :func:`parallel_launch_chunks`, :func:`vector_mask`) ``p - (new_lr*m') / (sqrt(v) + eps)`` in float32;
    for the tail the division and subtraction run in double: ``float32(double(p) -
    double(new_lr*m') / (sqrt(double(v)) + double(eps)))``. With Nesterov ``m'`` is
    ``fma(1-b1, g, m*b1)`` (vector part) or ``fma(m, b1, (1-b1)*g)`` (tail); otherwise ``m' = m``.
    """
    shape = p.shape
    p, m, v, g = (x.ravel() for x in (p, m, v, g))
    b1, b2, e = F32(beta1), F32(beta2), F32(eps)
    c1, c2 = F32(F32(1.0) - b1), F32(F32(1.0) - b2)
    m = fma(c1, g - m, m)
    v = fma(c2, fma(g, g, -v), v)
    vec_mask = vector_mask(p.size, parallel_launch_chunks(p.size))
    num_vec = fma(c1, g, m * b1) if nesterov else m
    num_tail = fma(m, b1, c1 * g) if nesterov else m
    vec = p - (new_lr * num_vec) / (np.sqrt(v) + e)
    f64 = np.float64
    tail = (p.astype(f64) - (new_lr * num_tail).astype(f64) / (np.sqrt(v.astype(f64)) + f64(e))).astype(F32)
    p = np.where(vec_mask, vec, tail)
    return p.reshape(shape), m.reshape(shape), v.reshape(shape)


def amsgrad_step(
    p: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    vhat: np.ndarray,
    g: np.ndarray,
    lr: np.float32,
    beta1_power: np.float32,
    beta2_power: np.float32,
    beta1: float,
    beta2: float,
    eps: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One ``ApplyAdamWithAmsgradV2`` update (generic C++ loop: no vector path, no FMA contraction).

    ``new_lr = float32(lr * float32(sqrt(double(1 - b2p)))) / (1 - b1p)``; ``m = m + (g-m)*(1-b1)``;
    ``v = v + (g*g - v)*(1-b2)``; ``vhat = max(vhat, v)``;
    ``p = p - (new_lr*m) / (float32(sqrt(double(vhat))) + eps)``, all float32.
    """
    b1, b2, e = F32(beta1), F32(beta2), F32(eps)
    new_lr = F32(F32(lr * F32(np.sqrt(np.float64(F32(F32(1.0) - beta2_power))))) / F32(F32(1.0) - beta1_power))
    m = m + (g - m) * (F32(1.0) - b1)
    v = v + (g * g - v) * (F32(1.0) - b2)
    vhat = np.maximum(vhat, v)
    p = p - (new_lr * m) / (np.sqrt(vhat.astype(np.float64)).astype(F32) + e)
    return p, m, v, vhat


# ----------------------------------------------------------------------------- nn.AdamWeightDecay


def adamw_step(
    p: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    g: np.ndarray,
    lr: np.float32,
    beta1: float,
    beta2: float,
    eps: float,
    decay: np.float32,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One ``AdamWeightDecay`` kernel update of a float32 tensor (nnacl scalar loop, FMA-contracted moments).

    ``m = fma(1-b1, g-m, m)``, ``v = fma(1-b2, fma(g, g, -v), v)`` in float32, then in double
    (C promotion through ``sqrt``): ``p = float32(double(p) - double(lr) * (double(m) /
    (sqrt(double(v)) + double(eps)) + double(float32(decay*p))))``.
    """
    f64 = np.float64
    b1, b2, e = F32(beta1), F32(beta2), F32(eps)
    m = fma(F32(1.0) - b1, g - m, m)
    v = fma(F32(1.0) - b2, fma(g, g, -v), v)
    upd = m.astype(f64) / (np.sqrt(v.astype(f64)) + f64(e)) + (F32(decay) * p).astype(f64)
    return (p.astype(f64) - f64(lr) * upd).astype(F32), m, v


def adamw_step_float16(
    p: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    g: np.ndarray,
    lr: np.float32,
    beta1: float,
    beta2: float,
    eps: float,
    decay: np.float32,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One ``AdamWeightDecay`` update of a float16 tensor: every operation rounds to float16.

    ``lr, b1, b2, eps, decay`` are rounded to float16 first (``eps=1e-6`` becomes ``1.013e-06``);
    ``m = m + (g - m)*(1 - b1)``; ``v = v + (g*g - v)*(1 - b2)``;
    ``p = p - lr*(m/(float16(sqrt(double(v))) + eps) + decay*p)``, each ``+ - * /`` rounded.
    """
    h = np.float16
    lr_h, b1, b2, e, d = h(lr), h(beta1), h(beta2), h(eps), h(decay)
    c1, c2 = h(h(1.0) - b1), h(h(1.0) - b2)
    m = h(m + h(h(g - m) * c1))
    v = h(v + h(h(h(g * g) - v) * c2))
    root = np.sqrt(v.astype(np.float64)).astype(h)
    upd = h(h(m / h(root + e)) + h(d * p))
    return h(p - h(lr_h * upd)), m, v


# ----------------------------------------------------------------------------- nn.RMSProp


def rmsprop_step(
    p: np.ndarray,
    ms: np.ndarray,
    mom: np.ndarray,
    g: np.ndarray,
    lr: np.float32,
    decay: float,
    momentum: float,
    eps: float,
    launch: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One ``ApplyRMSProp`` update of a float32 tensor (nnacl ``RMSPropUnuseCenterFp32``, FMA-contracted).

    Vector lanes: ``ms = fma(d, fma(g, g, -ms), ms)`` with ``d = float32(1 - decay)``;
    ``mom = fma(mom, u, (g*lr) / (sqrt(ms) + eps))``. Scalar tail (double where C promotes):
    ``ms = float32(double(ms) + double(fma(g, g, -ms)) * (1.0 - double(decay)))``;
    ``mom = float32(double(mom*u) + double(g*lr) / sqrt(double(ms + eps)))``. Both: ``p = p - mom``.
    Which lanes are vector depends on the task split, see :func:`autosearch_chunks`.
    """
    shape = p.shape
    p, ms, mom, g = (x.ravel() for x in (p, ms, mom, g))
    f64 = np.float64
    d32, d64 = F32(1.0 - f64(F32(decay))), 1.0 - f64(F32(decay))
    u, e = F32(momentum), F32(eps)
    gg = fma(g, g, -ms)
    ms_vec = fma(d32, gg, ms)
    ms_tail = (ms.astype(f64) + gg.astype(f64) * d64).astype(F32)
    vec = vector_mask(p.size, autosearch_chunks(p.size, launch))
    ms = np.where(vec, ms_vec, ms_tail)
    mom_vec = fma(mom, u, (g * lr) / (np.sqrt(ms) + e))
    mom_tail = ((mom * u).astype(f64) + (g * lr).astype(f64) / np.sqrt((ms + e).astype(f64))).astype(F32)
    mom = np.where(vec, mom_vec, mom_tail)
    return (p - mom).reshape(shape), ms.reshape(shape), mom.reshape(shape)


def rmsprop_centered_step(
    p: np.ndarray,
    mg: np.ndarray,
    ms: np.ndarray,
    mom: np.ndarray,
    g: np.ndarray,
    lr: np.float32,
    decay: float,
    momentum: float,
    eps: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One ``ApplyCenteredRMSProp`` update (generic C++ loop in the parameter dtype, no FMA contraction).

    ``d = float32(1 - double(decay))``; ``ms = ms + (g*g - ms)*d``; ``mg = mg + (g - mg)*d``;
    ``denom = (ms - mg*mg) + eps``; where ``denom > 0``: ``mom = mom*u + (g*lr) /
    float32(sqrt(double(denom)))`` and ``p = p - mom`` (elements with ``denom <= 0`` keep
    ``mom`` and ``p``).
    """
    d = F32(1.0 - np.float64(F32(decay)))
    ms = ms + (g * g - ms) * d
    mg = mg + (g - mg) * d
    denom = (ms - mg * mg) + F32(eps)
    ok = denom > 0
    root = np.sqrt(np.where(ok, denom, F32(1.0)).astype(np.float64)).astype(F32)
    new_mom = mom * F32(momentum) + (g * lr) / root
    mom = np.where(ok, new_mom, mom)
    return np.where(ok, p - mom, p), mg, ms, mom


# ----------------------------------------------------------------------------- mindspore.experimental.optim


def pow_f32(base: float, step: int) -> np.float32:
    """``ops.Pow(float32(base), step)`` as MindSpore computes it: in double, rounded once."""
    return F32(np.float64(F32(base)) ** step)


def experimental_adamw_step(
    p: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    vmax: np.ndarray | None,
    g: np.ndarray,
    lr: np.float32,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    step: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """One ``experimental.optim.AdamW`` update (graph of float32 ops, no FMA); ``step`` counts from 1.

    ``p' = p*(1 - lr*wd)``; ``m = m*b1 + g*(1 - b1)``; ``v = v*b2 + (1 - b2)*(g*g)`` (``1 - b``
    in float32); ``bc1 = 1 - b1^step``, ``bc2 = 1 - b2^step`` (powers in double, rounded);
    ``denom = sqrt(v or max(vmax, v)) / sqrt(bc2) + eps``; ``p = p' - (m/denom) * (lr/bc1)``.
    """
    b1, b2 = F32(beta1), F32(beta2)
    wd_new = F32(F32(1.0) - lr * F32(weight_decay))
    bc1 = F32(F32(1.0) - pow_f32(beta1, step))
    bc2 = F32(F32(1.0) - pow_f32(beta2, step))
    step_size = F32(lr / bc1)
    scaled = p * wd_new
    m = m * b1 + g * (F32(1.0) - b1)
    v = v * b2 + (F32(1.0) - b2) * (g * g)
    if vmax is not None:
        vmax = np.maximum(vmax, v)
    denom = np.sqrt(v if vmax is None else vmax) / np.sqrt(bc2) + F32(eps)
    return scaled - (m / denom) * step_size, m, v, vmax
