"""The compiled CPU kernels: loading, checking and reporting.

``_update`` (built from ``update.c`` and the generated kernels at install time) is used
when it imports, was built from the current rule definitions, and ``MINISPORE_NATIVE``
is not ``0``. ``_window`` (built from ``window.c``: im2col, col2im, max pooling) and
``_select`` (built from ``select.c``: ``where``) are used when they import and
``MINISPORE_NATIVE`` is not ``0``. Otherwise the NumPy fallbacks
run; :func:`status` says which and why. A build from older rules is the one case that
also warns on import: it only happens in a source checkout whose rules changed after
the last ``pip install``, and the slower fallback would otherwise pass unnoticed.
"""

from __future__ import annotations

import importlib
import os
import warnings
from dataclasses import dataclass
from types import ModuleType

DISABLE_VARIABLE = "MINISPORE_NATIVE"
"""Set to ``0`` to run the NumPy fallbacks even where the compiled kernels are built."""


@dataclass(frozen=True)
class NativeStatus:
    """Whether the compiled kernels are in use, and if not, why."""

    in_use: bool
    reason: str


def _import(name: str) -> tuple[ModuleType | None, NativeStatus]:
    """The compiled module ``name`` of this package, or None and why not."""
    if os.environ.get(DISABLE_VARIABLE, "1") == "0":
        return None, NativeStatus(False, f"disabled by {DISABLE_VARIABLE}=0")
    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ImportError as error:
        return None, NativeStatus(
            False, f"not built ({error}); install a C compiler and reinstall minispore to build it"
        )
    return module, NativeStatus(True, "compiled kernels in use")


def _load() -> tuple[ModuleType | None, NativeStatus]:
    module, status = _import("_update")
    if module is None:
        return None, status
    from minispore_numpy.native.generate import source_hash

    if source_hash() != module.SOURCE_HASH:
        reason = "built from older update rules; reinstall minispore to rebuild it"
        warnings.warn(
            f"minispore's compiled update kernels are not used: {reason} (the slower NumPy fallback runs).",
            RuntimeWarning,
            stacklevel=2,
        )
        return None, NativeStatus(False, reason)
    return module, status


update_module, UPDATE_STATUS = _load()
window_module, WINDOW_STATUS = _import("_window")
select_module, SELECT_STATUS = _import("_select")


def _combined() -> NativeStatus:
    if UPDATE_STATUS == WINDOW_STATUS == SELECT_STATUS:
        return UPDATE_STATUS
    parts = (("update", UPDATE_STATUS), ("window kernels", WINDOW_STATUS), ("select", SELECT_STATUS))
    return NativeStatus(False, "; ".join(f"{name}: {s.reason}" for name, s in parts))


STATUS = _combined()


def status() -> NativeStatus:
    """Whether the compiled CPU kernels (update, windows and select) run, with the reason when they do not."""
    return STATUS
