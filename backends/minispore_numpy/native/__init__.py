"""The compiled CPU kernels: loading and reporting.

``_window`` (built from ``window.c`` at install time) holds the sliding-window kernels.
It is used when it imports and ``MINISPORE_NATIVE`` is not ``0``; otherwise the NumPy
fallback runs, and :func:`status` says which and why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from types import ModuleType

DISABLE_VARIABLE = "MINISPORE_NATIVE"
"""Set to ``0`` to run the NumPy fallbacks even where the compiled kernels are built."""


@dataclass(frozen=True)
class NativeStatus:
    """Whether the compiled kernels are in use, and if not, why."""

    in_use: bool
    reason: str


def _load_window() -> tuple[ModuleType | None, NativeStatus]:
    if os.environ.get(DISABLE_VARIABLE, "1") == "0":
        return None, NativeStatus(False, f"disabled by {DISABLE_VARIABLE}=0")
    try:
        from minispore_numpy.native import _window  # type: ignore[attr-defined]
    except ImportError as error:
        return None, NativeStatus(
            False, f"not built ({error}); install a C compiler and reinstall minispore to build it"
        )
    return _window, NativeStatus(True, "compiled window kernels in use")


window_module, WINDOW_STATUS = _load_window()


def status() -> NativeStatus:
    """Whether the compiled CPU kernels run, with the reason when they do not."""
    return WINDOW_STATUS
