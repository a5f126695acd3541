"""Replay a case with the float32 NumPy evaluation of ``numpy_reference`` (same array keys as the recording)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy_reference as nr

DEFAULTS = {
    "Momentum": {"learning_rate": None},
    "SGD": {"learning_rate": 0.1},
    "Adam": {"learning_rate": 1e-3},
    "AdamWeightDecay": {"learning_rate": 1e-3},
    "RMSProp": {"learning_rate": 0.1},
}


def replay(
    case: dict[str, Any], init: dict[str, np.ndarray], grads: dict[str, np.ndarray], order: list[str], steps: int
) -> dict[str, np.ndarray]:
    """Trajectory arrays ``params/<n>``, ``<state>/<n>`` and ``lr_used/<n>`` for ``steps`` calls."""
    cls = case.get("class", "Momentum")
    args = case["args"]
    sets = nr.settings(args, DEFAULTS[cls])
    ls = float(args.get("loss_scale", 1.0))
    out: dict[str, list[np.ndarray]] = {}
    p = {n: init[n].copy() for n in order}
    v = {n: np.zeros_like(init[n]) for n in order}
    for k in range(steps):
        for n in order:
            s = sets[n]
            lr = s.lr_at(k)
            g = nr.preprocess(grads[n][k], p[n], s, k, ls)
            if cls == "Momentum":
                p[n], v[n] = nr.momentum_step(
                    p[n], v[n], g, lr, args["momentum"], nesterov_documented=bool(args.get("use_nesterov"))
                )
                out.setdefault("moments/" + n, []).append(v[n])
            out.setdefault("params/" + n, []).append(p[n])
            out.setdefault("lr_used/" + n, []).append(np.float32(lr))
    return {k: np.stack(x) for k, x in out.items()}
