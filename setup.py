"""Build the compiled CPU kernels (everything else is in pyproject.toml).

``minispore_numpy.native._window`` holds the sliding-window kernels (im2col, col2im,
max-pool forward and backward). The extension is optional: without a C compiler the
install still succeeds and the NumPy fallback runs (``python -m minispore.backend`` says
which is in use).
"""

from __future__ import annotations

from setuptools import Extension, setup

CFLAGS = ["-O3", "-ffp-contract=off", "-std=c99"]
"""Portable flags: no -march=native (the wheel runs on any x86-64 or Arm CPU) and no
contraction (every operation rounds, as NumPy does)."""

setup(
    ext_modules=[
        Extension(
            "minispore_numpy.native._window",
            sources=["backends/minispore_numpy/native/window.c"],
            extra_compile_args=CFLAGS,
            optional=True,
        )
    ],
)
