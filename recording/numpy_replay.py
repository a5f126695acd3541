"""Replay a case with the float32 NumPy evaluation of ``numpy_reference`` (same array keys as the recording)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy_reference as nr

F32 = np.float32
# Constructor defaults that matter to the replay, per class.
DEFAULTS: dict[str, dict[str, Any]] = {
    "Momentum": {"learning_rate": None},
    "SGD": {"learning_rate": 0.1, "momentum": 0.0, "dampening": 0.0, "nesterov": False},
    "Adam": {
        "learning_rate": 1e-3,
        "beta1": 0.9,
        "beta2": 0.999,
        "eps": 1e-8,
        "use_nesterov": False,
        "use_amsgrad": False,
    },
    "AdamWeightDecay": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-6},
    "RMSProp": {"learning_rate": 0.1, "decay": 0.9, "momentum": 0.0, "epsilon": 1e-10, "centered": False},
}
# State prefixes (MindSpore's names) and their initial fill.
STATES: dict[str, dict[str, float]] = {
    "Momentum": {"moments": 0.0},
    "SGD": {"accum": 0.0, "stat": 1.0},
    "Adam": {"moment1": 0.0, "moment2": 0.0},
    "AdamWeightDecay": {"adam_m": 0.0, "adam_v": 0.0},
    "RMSProp": {"mean_square": 1.0, "moment": 0.0},
}


def _states(cls: str, a: dict[str, Any]) -> dict[str, float]:
    states = dict(STATES[cls])
    if cls == "Adam" and a["use_amsgrad"]:
        states["vhat"] = 0.0
    if cls == "RMSProp" and a["centered"]:
        states = {"mean_grad": 0.0, **states}
    return states


def replay(
    case: dict[str, Any], init: dict[str, np.ndarray], grads: dict[str, np.ndarray], order: list[str], steps: int
) -> dict[str, np.ndarray]:
    """Trajectory arrays ``params/<n>``, ``<state>/<n>``, ``lr_used/<n>`` (and Adam's beta powers)."""
    cls = case.get("class", "Momentum")
    a = {**DEFAULTS[cls], **case["args"]}
    sets = nr.settings(case["args"], DEFAULTS[cls])
    ls = float(a.get("loss_scale", 1.0))
    out: dict[str, list[Any]] = {}
    p = {n: init[n].copy() for n in order}
    st = {k: {n: np.full_like(init[n], fill) for n in order} for k, fill in _states(cls, a).items()}
    b1p, b2p = F32(1.0), F32(1.0)
    for k in range(steps):
        if cls == "Adam":
            b1p, b2p = F32(b1p * F32(a["beta1"])), F32(b2p * F32(a["beta2"]))
            out.setdefault("beta1_power", []).append(b1p)
            out.setdefault("beta2_power", []).append(b2p)
        for n in order:
            s = sets[n]
            lr = s.lr_at(k)
            dt = p[n].dtype
            g = grads[n][k] if cls == "AdamWeightDecay" else nr.preprocess(grads[n][k], p[n], s, k, ls)
            # float16 tensors: the float32 kernel runs on float32 copies; results are stored rounded.
            p32 = {n: p[n].astype(F32)}
            st32 = {key: {n: val[n].astype(F32)} for key, val in st.items()}
            if cls == "AdamWeightDecay" and dt == np.float16:
                wd = s.wd_at(k, 1.0) if s.decay else F32(0.0)
                p[n], st["adam_m"][n], st["adam_v"][n] = nr.adamw_step_float16(
                    p[n], st["adam_m"][n], st["adam_v"][n], g, lr, a["beta1"], a["beta2"], a["eps"], wd
                )
                _record(out, p, st, n, lr)
                continue
            a_k, lr_k = a, lr
            if cls == "RMSProp" and not a["centered"] and dt == np.float16:
                # the Python wrapper casts lr, decay, momentum and epsilon to the gradient dtype
                lr_k = F32(np.float16(lr))
                a_k = {**a, **{key: float(np.float16(a[key])) for key in ("decay", "momentum", "epsilon")}}
            if cls == "AdamWeightDecay":
                wd = s.wd_at(k, 1.0) if s.decay else F32(0.0)
                p32[n], st32["adam_m"][n], st32["adam_v"][n] = nr.adamw_step(
                    p32[n],
                    st32["adam_m"][n],
                    st32["adam_v"][n],
                    g.astype(F32),
                    lr,
                    a["beta1"],
                    a["beta2"],
                    a["eps"],
                    wd,
                )
            else:
                _step(cls, a_k, p32, st32, n, g.astype(F32), lr_k, b1p, b2p, k)
            p[n] = p32[n].astype(dt)
            for key in st:
                st[key][n] = st32[key][n].astype(dt)
            _record(out, p, st, n, lr)
    return {k: np.stack(x) for k, x in out.items()}


def _record(
    out: dict[str, list[Any]], p: dict[str, np.ndarray], st: dict[str, dict[str, np.ndarray]], n: str, lr: np.float32
) -> None:
    out.setdefault("params/" + n, []).append(p[n])
    for prefix in st:
        out.setdefault(f"{prefix}/{n}", []).append(st[prefix][n])
    out.setdefault("lr_used/" + n, []).append(F32(lr))


def _step(
    cls: str,
    a: dict[str, Any],
    p: dict[str, np.ndarray],
    st: dict[str, dict[str, np.ndarray]],
    n: str,
    g: np.ndarray,
    lr: np.float32,
    b1p: np.float32,
    b2p: np.float32,
    launch: int,
) -> None:
    if cls == "Momentum":
        p[n], st["moments"][n] = nr.momentum_step(
            p[n], st["moments"][n], g, lr, a["momentum"], nesterov_documented=bool(a.get("use_nesterov"))
        )
    elif cls == "SGD":
        p[n], st["accum"][n], st["stat"][n] = nr.sgd_step(
            p[n], st["accum"][n], st["stat"][n], g, lr, a["momentum"], a["dampening"], a["nesterov"]
        )
    elif cls == "Adam" and a["use_amsgrad"]:
        p[n], st["moment1"][n], st["moment2"][n], st["vhat"][n] = nr.amsgrad_step(
            p[n], st["moment1"][n], st["moment2"][n], st["vhat"][n], g, lr, b1p, b2p, a["beta1"], a["beta2"], a["eps"]
        )
    elif cls == "Adam":
        p[n], st["moment1"][n], st["moment2"][n] = nr.adam_step(
            p[n],
            st["moment1"][n],
            st["moment2"][n],
            g,
            nr.adam_lr(lr, b1p, b2p),
            a["beta1"],
            a["beta2"],
            a["eps"],
            a["use_nesterov"],
        )
    elif a["centered"]:
        p[n], st["mean_grad"][n], st["mean_square"][n], st["moment"][n] = nr.rmsprop_centered_step(
            p[n],
            st["mean_grad"][n],
            st["mean_square"][n],
            st["moment"][n],
            g,
            lr,
            a["decay"],
            a["momentum"],
            a["epsilon"],
        )
    else:
        p[n], st["mean_square"][n], st["moment"][n] = nr.rmsprop_step(
            p[n], st["mean_square"][n], st["moment"][n], g, lr, a["decay"], a["momentum"], a["epsilon"], launch
        )


def replay_experimental(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Recompute an ``experimental/`` case from its recorded gradients: ``params/*``, ``state/*``, learning rates.

    The returned ``get_last_lr`` array holds the float32 group learning rates after each
    ``scheduler.step()`` (``StepLR``: ``lr = float32(lr * float32(gamma))`` when the epoch is a
    multiple of ``step_size``).
    """
    cls = meta["constructor"]["class"].rsplit(".", 1)[1]
    args = meta["constructor"]["args"]
    defaults = {
        "SGD": {"momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False},
        "Adam": {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0},
        "AdamW": {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01, "amsgrad": False},
    }[cls]
    top = {k: v for k, v in args.items() if k != "params"}
    raw = args["params"]
    grouped = isinstance(raw[0], dict) and "__type__" not in raw[0]
    groups = (
        [
            ([p["name"] for p in g["params"]], {**defaults, **top, **{k: v for k, v in g.items() if k != "params"}})
            for g in raw
        ]
        if grouped
        else [([p["name"] for p in raw], {**defaults, **top})]
    )
    sched = meta["scheduler"]["kwargs"]
    out: dict[str, list[Any]] = {}
    p = {n: arrays["init/" + n].copy() for n in meta["optimizer_parameter_order"]}
    zeros = {n: np.zeros_like(x) for n, x in p.items()}
    st: dict[str, dict[str, np.ndarray]] = {
        "accum": dict(zeros),
        "stat": {n: np.ones_like(x) for n, x in p.items()},
        "exp_avg": dict(zeros),
        "exp_avg_sq": dict(zeros),
        "max_exp_avg_sq": dict(zeros),
    }
    lrs = [F32(h["lr"]) for _, h in groups]
    for k in range(meta["n_steps"]):
        for gi, (names, h) in enumerate(groups):
            lr = lrs[gi]
            betas = h.get("betas", (0.0, 0.0))
            betas = betas["items"] if isinstance(betas, dict) else betas
            for n in names:
                g = arrays["grads/" + n][k]
                if cls == "SGD":
                    if h["weight_decay"] > 0:
                        g = g + p[n] * F32(h["weight_decay"])
                    p[n], st["accum"][n], st["stat"][n] = nr.sgd_step(
                        p[n], st["accum"][n], st["stat"][n], g, lr, h["momentum"], h["dampening"], h["nesterov"]
                    )
                elif cls == "Adam":
                    if h["weight_decay"] != 0:
                        g = p[n] * F32(h["weight_decay"]) + g
                    new_lr = nr.adam_lr(lr, nr.pow_f32(betas[0], k + 1), nr.pow_f32(betas[1], k + 1))
                    p[n], st["exp_avg"][n], st["exp_avg_sq"][n] = nr.adam_step(
                        p[n], st["exp_avg"][n], st["exp_avg_sq"][n], g, new_lr, betas[0], betas[1], h["eps"], False
                    )
                else:
                    vmax = st["max_exp_avg_sq"][n] if h["amsgrad"] else None
                    p[n], st["exp_avg"][n], st["exp_avg_sq"][n], vmax = nr.experimental_adamw_step(
                        p[n],
                        st["exp_avg"][n],
                        st["exp_avg_sq"][n],
                        vmax,
                        g,
                        lr,
                        betas[0],
                        betas[1],
                        h["eps"],
                        h["weight_decay"],
                        k + 1,
                    )
                    if vmax is not None:
                        st["max_exp_avg_sq"][n] = vmax
                out.setdefault("params/" + n, []).append(p[n])
                for prefix in ("accum", "stat") if cls == "SGD" else ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
                    out.setdefault(f"state/{prefix}.{n}", []).append(st[prefix][n])
        if (k + 1) % sched["step_size"] == 0:
            lrs = [F32(lr * F32(sched["gamma"])) for lr in lrs]
        out.setdefault("get_last_lr", []).append(np.array(lrs, dtype=F32))
    return {k: np.stack(v) for k, v in out.items()}
