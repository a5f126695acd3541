"""The CuPy backend as far as a machine without a GPU can check it.

On a GPU machine the ``device`` fixture runs the whole suite on ``GPU`` as well; here the
probe reports the backend unavailable and those runs are skipped with the reason.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from minispore_cupy import CupyBackend
from minispore_cupy.kernels import all_sources

import minispore as ms
from minispore.backend import BackendUnavailableError, available_backends


def test_import_does_not_need_cupy() -> None:
    code = "import sys, minispore_cupy, minispore; assert 'cupy' not in sys.modules, sorted(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_cupy_plugin_does_not_import_the_numpy_plugin() -> None:
    """The shared array-module backend lives in the core (minispore.backend.array_api)."""
    code = "import sys, minispore_cupy.backend; assert 'minispore_numpy' not in sys.modules, 'imports minispore_numpy'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_probe_reports_a_reason_instead_of_raising() -> None:
    avail = CupyBackend.availability()
    if avail.available:
        pytest.skip("a CUDA device is present: the GPU runs of the suite cover this backend")
    assert avail.reason and avail.fix
    assert available_backends()["GPU"] == avail
    with pytest.raises(BackendUnavailableError, match=r"^Device 'GPU' is unavailable: .* To fix: ") as caught:
        ms.set_device("GPU")
    assert avail.reason in str(caught.value) and avail.fix in str(caught.value)


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not installed")
def test_kernels_compile_with_nvcc() -> None:
    from minispore_cupy.compile_check import compile_all

    tried, failures = compile_all()
    assert failures == []
    assert tried == len(list(all_sources())) > 0


def test_cuda_kernels_hold_the_shared_element_body() -> None:
    """Every CUDA kernel computes the rule's rendered statements, the ones the CPU library and OpenCL run."""
    from minispore.nn.optim.rules import RULES
    from minispore.nn.optim.rules.render import Target, statements

    neutral = Target(lambda b, i: f"LOAD({b})", lambda b, i, v: f"STORE({b}, {v});", lambda e: e, "__fsqrt_rn")
    sources = dict(all_sources())
    for rule in RULES:
        for plain in (p for p in rule.variants() if "decay" not in p.options):
            source = sources[f"{plain.key}__float32"]
            for program in (plain, rule.program(plain.options | {"decay"})):
                for line in statements(program, neutral, lambda b: "i"):
                    if "LOAD" not in line and "STORE" not in line:
                        assert line in source, (plain.key, line)
