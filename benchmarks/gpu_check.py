"""Pieces of ``nox -s gpu`` that need no GPU: reading the driver, choosing CuPy, the summary.

The session itself lives in ``noxfile.py``; these functions are kept here so that they
are type-checked and tested on machines without a GPU.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CUPY_WHEELS = {12: "cupy-cuda12x", 13: "cupy-cuda13x"}
"""The CuPy wheel for each CUDA major version a driver can report."""


def cuda_major(nvidia_smi: str) -> int | None:
    """The CUDA major version in ``nvidia-smi``'s banner (``CUDA Version: 12.4``), or None.

    Example:
        >>> cuda_major("| NVIDIA-SMI 550.54  Driver Version: 550.54  CUDA Version: 12.4 |")
        12
    """
    found = re.search(r"CUDA Version:\s*(\d+)\.\d+", nvidia_smi)
    return int(found.group(1)) if found else None


def cupy_wheel(major: int) -> str:
    """The CuPy package built for CUDA ``major``.

    Raises:
        ValueError: no CuPy wheel targets that CUDA version.
    """
    if major not in CUPY_WHEELS:
        known = ", ".join(f"{k}.x" for k in CUPY_WHEELS)
        raise ValueError(f"The driver supports CUDA {major}.x, but CuPy wheels exist for CUDA {known} only.")
    return CUPY_WHEELS[major]


@dataclass(frozen=True)
class Row:
    """One line of the summary: a check or a measurement, its outcome and its time."""

    name: str
    outcome: str
    seconds: float | None = None
    detail: str = ""


def summary_table(rows: list[Row]) -> str:
    """The rows as one Markdown table (pasteable into ``docs/benchmarks.md``).

    Example:
        >>> print(summary_table([Row("suite on GPU", "passed", 61.5, "1236 passed")]))
        | check | outcome | time | detail |
        |---|---|---|---|
        | suite on GPU | passed | 61.5 s | 1236 passed |
    """
    lines = ["| check | outcome | time | detail |", "|---|---|---|---|"]
    for r in rows:
        seconds = "-" if r.seconds is None else f"{r.seconds:.1f} s"
        lines.append(f"| {r.name} | {r.outcome} | {seconds} | {r.detail} |")
    return "\n".join(lines)
