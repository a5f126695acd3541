"""Developer sessions: ``nox -s check`` is what CI runs (see README).

Every session runs in the environment nox was started from (``python=False``), which
``pip install -e ".[dev]"`` prepares; nothing is downloaded per session. Tools run as
``python -m TOOL`` with that environment's interpreter, so the venv need not be activated.
"""

from __future__ import annotations

import shutil
import sys

import nox

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
