"""``python -m minispore_cupy.compile_check``: compile every kernel variant with nvcc.

CI runs it on machines without a GPU, so that a syntax or type error in the CUDA sources
fails the build. The same flags as at run time select each variant.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from minispore_cupy.kernels import KERNEL_DIR, MOMENTUM_VARIANTS, momentum_defines


def compile_all(arch: str = "sm_90") -> list[str]:
    """Compile each variant to PTX; returns the failures (empty when all compile).

    Raises:
        FileNotFoundError: nvcc is not on PATH.
    """
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        raise FileNotFoundError("nvcc is not on PATH; install the CUDA toolkit to compile the kernels.")
    failures = []
    kernel = Path(str(KERNEL_DIR / "momentum.cu"))
    with tempfile.TemporaryDirectory(prefix="minispore-nvcc-") as tmp:
        for variant in MOMENTUM_VARIANTS:
            out = Path(tmp) / ("momentum_" + "_".join(str(v) for v in variant) + ".ptx")
            cmd = [
                nvcc,
                "--ptx",
                f"-arch={arch}",
                "--fmad=false",
                "-Werror",
                "all-warnings",
                *momentum_defines(*variant),
                "-I",
                str(kernel.parent),
                "-o",
                str(out),
                str(kernel),
            ]
            result = subprocess.run(cmd, capture_output=True, text=True)
            if result.returncode != 0:
                failures.append(f"{' '.join(cmd)}\n{result.stderr}")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--arch", default="sm_90", help="GPU architecture to compile for (default sm_90)")
    args = parser.parse_args()
    failures = compile_all(args.arch)
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"nvcc: {len(MOMENTUM_VARIANTS) - len(failures)} of {len(MOMENTUM_VARIANTS)} kernel variants compiled")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
