"""``python -m minispore.backend`` says whether the compiled CPU kernels run."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from minispore_numpy import native

from minispore.backend.__main__ import main


def test_backend_listing_reports_the_cpu_kernels(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert native.status().reason in capsys.readouterr().out


def test_minispore_native_0_selects_the_numpy_fallbacks() -> None:
    code = "from minispore_numpy import native; print(native.status(), native.window_module)"
    env = {**os.environ, "MINISPORE_NATIVE": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert "in_use=False" in out
    assert "MINISPORE_NATIVE=0" in out
    assert out.rstrip().endswith("None")
