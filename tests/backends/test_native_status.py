"""``python -m minispore.backend`` says whether the compiled CPU kernels run."""

from __future__ import annotations

import pytest
from minispore_numpy import native

from minispore.backend.__main__ import main


def test_backend_listing_reports_the_cpu_kernels(capsys: pytest.CaptureFixture[str]) -> None:
    assert main() == 0
    line = capsys.readouterr().out.splitlines()[-1]
    state = native.status()
    assert line.startswith("CPU kernels")
    assert ("compiled" if state.in_use else "NumPy fallback") in line
    assert state.reason in line


def test_disable_variable_is_named_once() -> None:
    assert native.DISABLE_VARIABLE == "MINISPORE_NATIVE"
