"""``nn.SGD``'s per-element update (MindSpore's ``SGD`` kernel, after the ``Optimizer`` pre-pass)."""

from __future__ import annotations

from .expr import Element, UpdateRule, where_positive


def _sgd(e: Element) -> None:
    """With momentum ``u > 0``: on the first step (``stat > 0``) ``accum = g``, ``stat = 0``;
    later ``accum = accum * u + (1 - dampening) * g``. Nesterov: ``d = g + accum * u``, else
    ``d = accum``. Then ``p = p - lr * d``. Without momentum: ``p = p - lr * g``. Option
    ``started``: every ``stat`` is already 0, so the first-step branch and two passes over
    ``stat`` are skipped (same bits)."""
    g = e.prepared_grad()
    lr = e.scalar("lr")
    d = g
    if e.option("momentum"):
        u = e.scalar("momentum")
        later = e.state("accum") * u + (1.0 - e.scalar("dampening")) * g
        if e.option("started"):
            accum = later  # every stat is 0 (the optimizer knows): stat is neither read nor written
        else:
            stat = e.state("stat")
            accum = where_positive(stat, g, later)
            e.store("stat", where_positive(stat, 0.0, stat))
        e.store("accum", accum)
        d = g + accum * u if e.option("nesterov") else accum
    e.store("param", e.param - lr * d)


SGD = UpdateRule(
    "sgd",
    states=("accum", "stat"),
    scalars=("lr", "momentum", "dampening"),
    flags=("momentum", "nesterov", "started"),
    body=_sgd,
)
"""MindSpore's ``SGD`` primitive; ``stat`` starts at ones and marks the first momentum step."""
