"""Build the compiled CPU kernels (everything else is in pyproject.toml).

``minispore_numpy.native._update`` is the fused optimizer update. Its kernels are
generated here from the rule definitions in ``minispore/nn/optim/rules`` (see
``backends/minispore_numpy/native/generate.py``). ``minispore_numpy.native._window``
holds the sliding-window kernels (im2col, col2im, max-pool forward and backward), and
``minispore_numpy.native._select`` an elementwise select (``where``). All three
extensions are optional: without a C compiler the install still succeeds and the NumPy
fallbacks run
(``python -m minispore.backend`` says which is in use).
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
NATIVE = ROOT / "backends" / "minispore_numpy" / "native"
CFLAGS = ["-O3", "-ffp-contract=off", "-fno-math-errno", "-std=c99"]
"""Portable flags: no -march=native (the wheel runs on any x86-64 or Arm CPU), no contraction
(every operation rounds, as NumPy does), and sqrtf without errno so that it vectorises."""


def _generated_kernels() -> str:
    """Import only the rule package and the generator (no NumPy at build time)."""
    packages = {
        "minispore": ROOT / "minispore",
        "minispore.nn": ROOT / "minispore" / "nn",
        "minispore.nn.optim": ROOT / "minispore" / "nn" / "optim",
        "minispore_numpy": ROOT / "backends" / "minispore_numpy",
    }
    saved = {name: sys.modules.get(name) for name in packages}
    try:
        for name, path in packages.items():
            stub = types.ModuleType(name)
            stub.__path__ = [str(path)]
            sys.modules[name] = stub
        generate = importlib.import_module("minispore_numpy.native.generate")
        return str(generate.kernels_source())
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] in {"minispore", "minispore_numpy"}]:
            del sys.modules[name]
        sys.modules.update({k: v for k, v in saved.items() if v is not None})


class BuildKernels(build_ext):
    """Write ``update_kernels.h`` into the build folder before compiling."""

    def build_extensions(self) -> None:
        include = Path(self.build_temp) / "generated"
        include.mkdir(parents=True, exist_ok=True)
        (include / "update_kernels.h").write_text(_generated_kernels())
        for ext in self.extensions:
            ext.include_dirs.append(str(include))
        super().build_extensions()


setup(
    ext_modules=[
        Extension(
            "minispore_numpy.native._update",
            sources=["backends/minispore_numpy/native/update.c"],
            extra_compile_args=CFLAGS,
            optional=True,
        ),
        Extension(
            "minispore_numpy.native._window",
            sources=["backends/minispore_numpy/native/window.c"],
            extra_compile_args=CFLAGS,
            optional=True,
        ),
        Extension(
            "minispore_numpy.native._select",
            sources=["backends/minispore_numpy/native/select.c"],
            extra_compile_args=CFLAGS,
            optional=True,
        ),
    ],
    cmdclass={"build_ext": BuildKernels},
)
