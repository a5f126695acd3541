"""``mindspore.experimental.optim.AdamW``'s per-element update (PyTorch's AdamW as MindSpore's graph computes it)."""

from __future__ import annotations

from .expr import Element, UpdateRule, maximum, sqrt


def _adamw(e: Element) -> None:
    """``p' = p * decay_factor``; ``m = m * b1 + g * (1 - b1)``; ``v = v * b2 + (1 - b2) * (g * g)``;
    AMSGrad: ``vmax = max(vmax, v)``; ``denom = sqrt(v or vmax) / sqrt_bc2 + eps``;
    ``p = p' - (m / denom) * step_size``. On the host: ``decay_factor = 1 - lr * wd``,
    ``sqrt_bc2 = sqrt(1 - b2^t)``, ``step_size = lr / (1 - b1^t)``."""
    g = e.grad
    b1, b2 = e.scalar("beta1"), e.scalar("beta2")
    scaled = e.param * e.scalar("decay_factor")
    m = e.state("exp_avg") * b1 + g * (1.0 - b1)
    v = e.state("exp_avg_sq") * b2 + (1.0 - b2) * (g * g)
    e.store("exp_avg", m)
    e.store("exp_avg_sq", v)
    second = v
    if e.option("amsgrad"):
        second = maximum(e.state("max_exp_avg_sq"), v)
        e.store("max_exp_avg_sq", second)
    denom = sqrt(second) / e.scalar("sqrt_bc2") + e.scalar("eps")
    e.store("param", scaled - (m / denom) * e.scalar("step_size"))


EXPERIMENTAL_ADAMW = UpdateRule(
    "experimental_adamw",
    states=("exp_avg", "exp_avg_sq", "max_exp_avg_sq"),
    scalars=("step_size", "beta1", "beta2", "eps", "decay_factor", "sqrt_bc2"),
    flags=("amsgrad",),
    body=_adamw,
)
"""``experimental.optim.AdamW`` (``max_exp_avg_sq`` is only written with AMSGrad)."""
