"""``nn.Momentum``'s per-element update, the one definition every backend compiles."""

from __future__ import annotations

from .expr import Element, UpdateRule


def _momentum(e: Element) -> None:
    """``v = v * u + g``; ``p = p - v * lr`` (Nesterov: ``p = p - (g * lr + (v * u) * lr)``)."""
    g = e.prepared_grad()
    lr, u = e.scalar("lr"), e.scalar("momentum")
    v = e.state("moment") * u + g
    e.store("moment", v)
    if e.option("nesterov"):
        e.store("param", e.param - (g * lr + (v * u) * lr))
    else:
        e.store("param", e.param - v * lr)


MOMENTUM = UpdateRule("momentum", states=("moment",), scalars=("lr", "momentum"), flags=("nesterov",), body=_momentum)
"""MindSpore's ``ApplyMomentum`` after the ``Optimizer`` pre-pass (decay, then loss scale)."""
