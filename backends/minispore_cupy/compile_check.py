"""``python -m minispore_cupy.compile_check``: compile every CUDA kernel with nvcc.

CI runs it on machines without a GPU, so that a syntax or type error in the rendered
CUDA sources fails the build. The same options as at run time (NVRTC) are used.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from minispore_cupy.kernels import OPTIONS, all_sources


def compile_all(arch: str = "sm_90") -> tuple[int, list[str]]:
    """Compile each kernel to PTX; returns the number tried and the failures.

    Raises:
        FileNotFoundError: nvcc is not on PATH.
    """
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        raise FileNotFoundError("nvcc is not on PATH; install the CUDA toolkit to compile the kernels.")
    failures = []
    tried = 0
    with tempfile.TemporaryDirectory(prefix="minispore-nvcc-") as tmp:
        for name, source in all_sources():
            tried += 1
            cu = Path(tmp) / f"{name}.cu"
            cu.write_text(source)
            cmd = [
                nvcc,
                "--ptx",
                f"-arch={arch}",
                *OPTIONS,
                "-Werror",
                "all-warnings",
                "-o",
                str(cu.with_suffix(".ptx")),
                str(cu),
            ]
            result = subprocess.run(cmd, capture_output=True, text=True)
            if result.returncode != 0:
                failures.append(f"{' '.join(cmd)}\n{result.stderr}")
    return tried, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--arch", default="sm_90", help="GPU architecture to compile for (default sm_90)")
    args = parser.parse_args()
    tried, failures = compile_all(args.arch)
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"nvcc: {tried - len(failures)} of {tried} kernels compiled")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
