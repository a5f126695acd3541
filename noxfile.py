"""Developer sessions: ``nox -s check`` is what CI runs (see README).

Every session runs in the environment nox was started from (``python=False``), which
``pip install -e ".[dev]"`` prepares; nothing is downloaded per session. Tools run as
``python -m TOOL`` with that environment's interpreter, so the venv need not be activated.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent / "benchmarks"))

from gpu_check import Row, cuda_major, cupy_wheel, summary_table

nox.options.sessions = ["check"]
nox.options.default_venv_backend = "none"
PY = sys.executable


@nox.session(python=False)
def lint(session: nox.Session) -> None:
    """ruff: lint rules and formatting."""
    session.run(PY, "-m", "ruff", "check", ".")
    session.run(PY, "-m", "ruff", "format", "--check", ".")


@nox.session(python=False)
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package, the backends, tests, examples and benchmarks."""
    session.run(PY, "-m", "mypy", "--strict")


@nox.session(python=False)
def kernels(session: nox.Session) -> None:
    """Compile the CUDA kernel sources with nvcc, when the machine has it."""
    if shutil.which("nvcc") is None:
        session.skip("nvcc not found: the CUDA kernel sources are compiled where nvcc is installed")
    session.run(PY, "-m", "minispore_cupy.compile_check")


@nox.session(python=False)
@nox.parametrize("device", ["CPU", "OpenCL", "GPU"], ids=["CPU", "OpenCL", "GPU"])
def tests(session: nox.Session, device: str) -> None:
    """The whole test suite on one backend (unavailable backends are skipped with the reason)."""
    session.run(PY, "-m", "pytest", "-q", *session.posargs, env={"MINISPORE_TEST_DEVICES": device})


@nox.session(python=False)
def conformance(session: nox.Session) -> None:
    """The recorded MindSpore reference cases on every available backend."""
    session.run(PY, "-m", "pytest", "-q", "tests/conformance", *session.posargs)


def build_docs(session: nox.Session) -> None:
    """Build the site (mkdocs.yml) in strict mode: any warning, such as a broken link or an
    unparsable docstring, fails the build."""
    session.run(PY, "-m", "mkdocs", "build", "--strict", "--quiet", env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session(python=False)
def docs(session: nox.Session) -> None:
    """Build the documentation site strictly into ``site/`` and run the docstring examples and doc snippets."""
    build_docs(session)
    session.run(PY, "-m", "pytest", "-q", "--doctest-modules", "minispore", "tests/docs", "-p", "no:cacheprovider")


@nox.session(python=False)
def bench(session: nox.Session) -> None:
    """Performance measurements (optimizer step, LeNet5 training step)."""
    session.run(PY, "benchmarks/optimizer_step.py", *session.posargs)
    session.run(PY, "benchmarks/lenet_step.py", *session.posargs)


@nox.session(python=False)
def example(session: nox.Session) -> None:
    """Train LeNet5 on the bundled digits for one epoch."""
    session.run(PY, "examples/lenet5/train.py", "--epochs", "1", *session.posargs)


def _nvidia_smi() -> str | None:
    """``nvidia-smi``'s banner, or None when there is no NVIDIA driver or GPU."""
    if shutil.which("nvidia-smi") is None:
        return None
    probe = subprocess.run(["nvidia-smi"], capture_output=True, text=True, timeout=60, check=False)
    return probe.stdout if probe.returncode == 0 else None


def _timed(name: str, *args: str, env: dict[str, str] | None = None) -> tuple[Row, str]:
    """Run ``args``; a row with the outcome, the time and the last line of output, and the output."""
    start = time.perf_counter()
    done = subprocess.run(args, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    output = done.stdout + done.stderr
    print(output, end="")
    lines = [line for line in output.splitlines() if line.strip()]
    outcome = "passed" if done.returncode == 0 else f"failed (exit {done.returncode})"
    return Row(name, outcome, seconds, lines[-1][:100] if lines else ""), done.stdout


@nox.session(python=False)
def gpu(session: nox.Session) -> None:
    """On an NVIDIA machine: the CuPy wheel for its driver, the suite, one LeNet5 epoch and the GPU benchmarks.

    Ends with one summary table; fails at once, in one line, where there is no GPU.
    """
    banner = _nvidia_smi()
    if banner is None:
        session.error("No NVIDIA GPU here (nvidia-smi is missing or found no device): nox -s gpu needs one")
    major = cuda_major(banner)
    if major is None:
        session.error("nvidia-smi printed no 'CUDA Version': cannot choose a CuPy wheel.")
    wheel = cupy_wheel(major)
    # pip cannot keep two CuPy wheels apart: remove the ones for other CUDA versions first.
    others = [name for name in ("cupy-cuda11x", "cupy-cuda12x", "cupy-cuda13x") if name != wheel]
    session.run(PY, "-m", "pip", "uninstall", "-q", "-y", *others)
    session.run(PY, "-m", "pip", "install", "-q", wheel)
    rows = [Row("driver", f"CUDA {major}", None, wheel)]
    suite, _ = _timed("suite on GPU", PY, "-m", "pytest", "-q", "-n", "4", env={"MINISPORE_TEST_DEVICES": "GPU"})
    rows.append(suite)
    train, _ = _timed("LeNet5, 1 epoch on GPU", PY, "examples/lenet5/train.py", "--device", "GPU", "--epochs", "1")
    rows.append(train)
    bench, output = _timed("GPU benchmarks", PY, "benchmarks/gpu_bench.py")
    rows.append(bench)
    for line in output.splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            rows.append(Row(parts[0], parts[1], None, parts[2]))
    print(summary_table(rows))
    if any(r.outcome.startswith("failed") for r in rows):
        session.error("Some GPU checks failed: see the table above.")


@nox.session(python=False)
def check(session: nox.Session) -> None:
    """Everything CI runs: lint, types, the strict docs build, kernel compilation, every test on
    every backend here, and the CPU tests again without the compiled kernels."""
    lint(session)
    typecheck(session)
    build_docs(session)
    if shutil.which("nvcc") is not None:
        session.run(PY, "-m", "minispore_cupy.compile_check")
    session.run(PY, "-m", "pytest", "-q", "--doctest-modules", "minispore", "tests", *session.posargs)
    # Once more on the CPU with the compiled kernels off: the NumPy fallback that runs
    # where no C compiler was available at install time.
    session.run(
        PY,
        "-m",
        "pytest",
        "-q",
        "tests",
        *session.posargs,
        env={"MINISPORE_NATIVE": "0", "MINISPORE_TEST_DEVICES": "CPU"},
    )
