"""``python -m minispore.backend``: list the installed backends and whether they can run here.

Each device target gets one row: ``available`` with the devices its probe found (``GPU:1``
is the second row under ``GPU``) and its note (the CPU backend says whether its compiled
kernels are in use), or ``unavailable`` with the reason and the fix.
"""

from __future__ import annotations

import argparse
import sys

from minispore.backend.protocol import Availability
from minispore.backend.registry import ENTRY_POINT_GROUP, available_backends


def _rows(name: str, avail: Availability) -> list[tuple[str, str, str]]:
    if not avail.available:
        return [(name, "unavailable", f"{avail.reason}; to fix: {avail.fix}")]
    details = [f"{name}:{i}  {device}" for i, device in enumerate(avail.devices)]
    if avail.reason:  # an available backend's note on how it runs
        details.append(avail.reason)
    return [(name, "available", details[0] if details else "")] + [("", "", d) for d in details[1:]]


def table(found: dict[str, Availability]) -> str:
    """The table ``python -m minispore.backend`` prints, one row per device target and device.

    Example:
        >>> from minispore.backend import Availability
        >>> print(table({"Toy": Availability(False, "no toy found", "pip install toy")}))
        device  status       details
        Toy     unavailable  no toy found; to fix: pip install toy
    """
    rows = [("device", "status", "details")]
    for name, avail in found.items():
        rows += _rows(name, avail)
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{d:<{width}}  {s:<11}  {x}".rstrip() for d, s, x in rows)


def main(argv: list[str] | None = None) -> int:
    """Print the table; the exit status is 0 (listing never fails)."""
    parser = argparse.ArgumentParser(
        prog="python -m minispore.backend",
        description="List the installed minispore backends (device targets), whether each can run on this "
        "machine, the devices it found, and how to fix an unavailable one.",
        epilog=f"Backends are plugins registered under the {ENTRY_POINT_GROUP!r} entry-point group. "
        "Choose one with ms.set_device('OpenCL:1') or MINISPORE_DEVICE=OpenCL:1.",
    )
    parser.parse_args(argv)
    print(table(available_backends()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
