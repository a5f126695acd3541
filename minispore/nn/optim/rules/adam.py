"""``nn.Adam`` and ``nn.AdamWeightDecay``'s per-element updates."""

from __future__ import annotations

from .expr import Element, UpdateRule, maximum, sqrt


def _adam(e: Element) -> None:
    """``m = m + (g - m) * (1 - b1)``; ``v = v + (g * g - v) * (1 - b2)``; ``lr`` is already
    ``lr * sqrt(1 - b2^t) / (1 - b1^t)``. Nesterov: ``m' = m * b1 + (1 - b1) * g``, else ``m' = m``.
    ``p = p - (lr * m') / (sqrt(v) + eps)``."""
    g = e.prepared_grad()
    b1, b2 = e.scalar("beta1"), e.scalar("beta2")
    m = e.state("moment1") + (g - e.state("moment1")) * (1.0 - b1)
    v = e.state("moment2") + (g * g - e.state("moment2")) * (1.0 - b2)
    e.store("moment1", m)
    e.store("moment2", v)
    numerator = m * b1 + (1.0 - b1) * g if e.option("nesterov") else m
    e.store("param", e.param - (e.scalar("lr") * numerator) / (sqrt(v) + e.scalar("eps")))


def _adam_amsgrad(e: Element) -> None:
    """As :func:`_adam` without Nesterov, with ``vhat = max(vhat, v)`` in the denominator."""
    g = e.prepared_grad()
    b1, b2 = e.scalar("beta1"), e.scalar("beta2")
    m = e.state("moment1") + (g - e.state("moment1")) * (1.0 - b1)
    v = e.state("moment2") + (g * g - e.state("moment2")) * (1.0 - b2)
    vhat = maximum(e.state("vhat"), v)
    e.store("moment1", m)
    e.store("moment2", v)
    e.store("vhat", vhat)
    e.store("param", e.param - (e.scalar("lr") * m) / (sqrt(vhat) + e.scalar("eps")))


def _adam_weight_decay(e: Element) -> None:
    """``m``, ``v`` as Adam (no bias correction, no loss scale, no pre-pass);
    ``update = m / (sqrt(v) + eps) + wd * p`` where decay applies, else ``m / (sqrt(v) + eps)``;
    ``p = p - lr * update``."""
    g = e.grad
    b1, b2 = e.scalar("beta1"), e.scalar("beta2")
    m = e.state("adam_m") + (g - e.state("adam_m")) * (1.0 - b1)
    v = e.state("adam_v") + (g * g - e.state("adam_v")) * (1.0 - b2)
    e.store("adam_m", m)
    e.store("adam_v", v)
    update = m / (sqrt(v) + e.scalar("eps"))
    if e.option("decay"):
        update = update + e.scalar("weight_decay") * e.param
    e.store("param", e.param - e.scalar("lr") * update)


SCALARS = ("lr", "beta1", "beta2", "eps")

ADAM = UpdateRule("adam", states=("moment1", "moment2"), scalars=SCALARS, flags=("nesterov",), body=_adam)
"""MindSpore's ``Adam`` primitive (bias correction folded into ``lr`` on the host)."""

ADAM_AMSGRAD = UpdateRule(
    "adam_amsgrad", states=("moment1", "moment2", "vhat"), scalars=SCALARS, flags=(), body=_adam_amsgrad
)
"""MindSpore's ``ApplyAdamWithAmsgradV2``."""

ADAM_WEIGHT_DECAY = UpdateRule(
    "adam_weight_decay", states=("adam_m", "adam_v"), scalars=SCALARS, flags=(), body=_adam_weight_decay
)
"""MindSpore's ``AdamWeightDecay`` primitive."""
