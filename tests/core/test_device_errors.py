"""What a user sees when a device cannot run: one line with the reason and the fix, exit status 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from minispore_cupy import CupyBackend
from minispore_opencl import OpenCLBackend

from minispore.backend import Availability, available_backends
from minispore.backend.__main__ import table

from .test_registry import install_toy_backend

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120, cwd=ROOT)


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "minispore.testing", "--device", "Nowhere"],
        ["examples/lenet5/train.py", "--device", "Nowhere"],
        ["examples/lenet5/train_functional.py", "--device", "Nowhere"],
    ],
    ids=["minispore.testing", "lenet5-train", "lenet5-train-functional"],
)
def test_unknown_device_is_one_line_and_exit_2(command: list[str]) -> None:
    done = run(*command)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "error: No backend is installed for device 'Nowhere'. To fix: install the package" in lines[0]
    assert "Installed devices: CPU: available" in lines[0]
    assert "Traceback" not in done.stderr


def test_cupy_missing_says_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cupy", None)  # makes `import cupy` raise ModuleNotFoundError
    found = CupyBackend.availability()
    assert not found.available
    assert found.reason == "CuPy is not installed"
    assert "pip install 'minispore[cuda]'" in found.fix


def test_install_hints_come_from_each_plugin() -> None:
    from minispore.backend import registry

    assert not hasattr(registry, "_INSTALL_HINTS"), "the registry keeps no table of device install hints"
    for name, found in available_backends().items():
        assert found.available or (found.reason and found.fix), name


def test_backend_listing_has_help_and_names_devices() -> None:
    helped = run("-m", "minispore.backend", "--help")
    assert helped.returncode == 0
    assert "usage: python -m minispore.backend" in helped.stdout
    listed = run("-m", "minispore.backend")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[0].split() == ["device", "status", "details"]
    opencl = OpenCLBackend.availability()
    if opencl.available:
        assert f"OpenCL:0  {opencl.devices[0]}" in listed.stdout


def test_table_rows() -> None:
    text = table(
        {
            "CPU": Availability(True, "compiled kernels in use", devices=("host",)),
            "Toy": Availability(True, devices=("first", "second")),
            "GPU": Availability(False, "CuPy is not installed", "pip install 'minispore[cuda]'"),
        }
    )
    assert text.splitlines() == [
        "device  status       details",
        "CPU     available    CPU:0  host",
        "                     compiled kernels in use",
        "Toy     available    Toy:0  first",
        "                     Toy:1  second",
        "GPU     unavailable  CuPy is not installed; to fix: pip install 'minispore[cuda]'",
    ]


def test_suite_reports_a_missing_device_in_one_line(tmp_path: Path) -> None:
    """The test suite deselects an unavailable device's tests and says so once, not once per test."""
    env = {k: v for k, v in os.environ.items() if k != "MINISPORE_DEVICE"}
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(install_toy_backend(tmp_path, available=False)), env.get("PYTHONPATH")])
    )
    env["MINISPORE_TEST_DEVICES"] = "CPU,Toy"
    target = "tests/train/test_model.py::test_progress_bar_writes_one_line_per_epoch_to_a_log"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", target],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed, 1 deselected" in done.stdout
    assert "Toy: 1 test deselected, the device cannot run here: no toy accelerator was found" in done.stdout
    assert "SKIPPED" not in done.stdout
