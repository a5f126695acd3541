"""``nn.RMSProp``'s per-element updates (plain and centered)."""

from __future__ import annotations

from .expr import Element, UpdateRule, sqrt, storage_round, where_positive


def _rmsprop(e: Element) -> None:
    """``ms = ms + (g * g - ms) * (1 - decay)``; ``mom = mom * u + (g * lr) / sqrt(ms + eps)``;
    ``p = p - mom``. ``mean_square`` starts at ones. The hyper-parameters are first rounded
    to the storage dtype (MindSpore's wrapper casts them to a float16 parameter's dtype)."""
    g = e.prepared_grad()
    lr, decay, u, eps = (storage_round(e.scalar(n)) for n in ("lr", "decay", "momentum", "epsilon"))
    ms = e.state("mean_square") + (g * g - e.state("mean_square")) * (1.0 - decay)
    mom = e.state("moment") * u + (g * lr) / sqrt(ms + eps)
    e.store("mean_square", ms)
    e.store("moment", mom)
    e.store("param", e.param - mom)


def _rmsprop_centered(e: Element) -> None:
    """As :func:`_rmsprop` with ``mg = mg + (g - mg) * (1 - decay)`` and the denominator
    ``sqrt((ms - mg * mg) + eps)``; where that sum is not positive, ``mom`` and ``p`` stay."""
    g = e.prepared_grad()
    d = 1.0 - e.scalar("decay")
    ms = e.state("mean_square") + (g * g - e.state("mean_square")) * d
    mg = e.state("mean_grad") + (g - e.state("mean_grad")) * d
    denominator = (ms - mg * mg) + e.scalar("epsilon")
    mom = e.state("moment") * e.scalar("momentum") + (g * e.scalar("lr")) / sqrt(denominator)
    e.store("mean_square", ms)
    e.store("mean_grad", mg)
    e.store("moment", where_positive(denominator, mom, e.state("moment")))
    e.store("param", where_positive(denominator, e.param - mom, e.param))


SCALARS = ("lr", "decay", "momentum", "epsilon")

RMSPROP = UpdateRule("rmsprop", states=("mean_square", "moment"), scalars=SCALARS, flags=(), body=_rmsprop)
"""MindSpore's ``ApplyRMSProp``."""

RMSPROP_CENTERED = UpdateRule(
    "rmsprop_centered", states=("mean_grad", "mean_square", "moment"), scalars=SCALARS, flags=(), body=_rmsprop_centered
)
"""MindSpore's ``ApplyCenteredRMSProp``."""
