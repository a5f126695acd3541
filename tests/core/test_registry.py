"""The backend registry: entry points, device selection, lazy loading, third-party plugins.

Behaviour that depends on the process environment (``MINISPORE_DEVICE``, what gets
imported, installed plugins) runs in a fresh interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from minispore_numpy import NumpyBackend

import minispore as ms
from minispore.backend import BackendUnavailableError, available_backends, get_backend
from minispore.backend.registry import ENTRY_POINT_GROUP


def run_python(code: str, *, path: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run ``code`` in a fresh interpreter (``path`` prepended to PYTHONPATH); return stdout."""
    full_env = {k: v for k, v in os.environ.items() if k != "MINISPORE_DEVICE"}
    if path is not None:
        full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(path), full_env.get("PYTHONPATH")]))
    full_env.update(env or {})
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=full_env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def restore_device() -> Iterator[None]:
    previous = ms.get_device()
    yield
    ms.set_device(previous)


# the built-in CPU backend ------------------------------------------------------------------------


def test_cpu_backend_is_an_entry_point() -> None:
    found = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    assert found["CPU"] == "minispore_numpy:NumpyBackend"
    assert available_backends()["CPU"].available
    backend = get_backend("CPU")
    assert isinstance(backend, NumpyBackend)
    assert get_backend("CPU") is backend, "one instance per device"
    assert get_backend("cpu") is backend


def test_set_device_and_context(restore_device: None) -> None:
    ms.set_device("CPU")
    assert ms.get_device() == "CPU"
    assert ms.get_context("device_target") == "CPU"
    assert ms.get_context("device_id") == 0
    assert ms.Tensor([1.0]).device == "CPU"
    ms.set_context(device_target="CPU")
    assert ms.get_context("device_target") == "CPU"
    ms.set_context(device_target="CPU", device_id=0)
    ms.set_context(device_id=0)
    assert ms.get_device() == "CPU"


def test_context_mode() -> None:
    previous = ms.get_context("mode")
    try:
        ms.set_context(mode=ms.GRAPH_MODE)
        assert ms.get_context("mode") == ms.GRAPH_MODE
        ms.set_context(mode=ms.PYNATIVE_MODE, save_graphs=False)
        assert ms.get_context("mode") == ms.PYNATIVE_MODE
    finally:
        ms.set_context(mode=previous)
    with pytest.raises(ValueError, match="mode"):
        ms.set_context(mode=3)
    with pytest.raises(ValueError, match="key"):
        ms.get_context("nonsense")


def test_seed() -> None:
    ms.set_seed(5)
    assert ms.get_seed() == 5
    for bad, error in ((-1, ValueError), (2**32, ValueError), (1.5, TypeError), (True, TypeError)):
        with pytest.raises(error, match="seed"):
            ms.set_seed(bad)  # type: ignore[arg-type]


def test_unknown_device_lists_installed_devices(restore_device: None) -> None:
    with pytest.raises(BackendUnavailableError) as caught:
        ms.set_device("Metal")
    message = str(caught.value)
    assert "\n" not in message, "one line, for command-line tools to print as their error"
    assert "'Metal'" in message
    assert "Installed devices" in message
    assert "CPU: available" in message
    assert ENTRY_POINT_GROUP in message, "the message says how a backend is provided"
    for name in available_backends():
        assert f"{name}:" in message
    assert ms.get_device() != "Metal", "a failed set_device leaves the default alone"
    with pytest.raises(BackendUnavailableError):
        ms.Tensor([1.0], device="Metal")


@pytest.mark.parametrize("bad", ["OpenCL:x", "CPU:-1", "", "  ", "CPU:1.0"])
def test_malformed_device_strings(bad: str) -> None:
    with pytest.raises(ValueError, match="device"):
        ms.set_device(bad)


def test_non_string_device() -> None:
    with pytest.raises(ValueError, match="string"):
        get_backend(0)  # type: ignore[arg-type]


def test_cpu_has_only_index_zero() -> None:
    with pytest.raises(ValueError, match="index 0"):
        ms.set_device("CPU:1")


# the process environment ---------------------------------------------------------------------------


def test_environment_variable_sets_the_default_device() -> None:
    out = run_python(
        """
        import minispore as ms
        print(ms.get_device(), ms.Tensor([1.0]).device, ms.get_context("device_target"))
        """,
        env={"MINISPORE_DEVICE": "CPU"},
    )
    assert out.split() == ["CPU", "CPU", "CPU"]


def test_environment_variable_with_an_unknown_device_fails_on_use() -> None:
    out = run_python(
        """
        import minispore as ms
        from minispore.backend import BackendUnavailableError
        try:
            ms.Tensor([1.0])
        except BackendUnavailableError as exc:
            print("unavailable:", "Nowhere" in str(exc))
        """,
        env={"MINISPORE_DEVICE": "Nowhere"},
    )
    assert out.strip() == "unavailable: True"


def test_importing_minispore_imports_no_accelerator_library() -> None:
    out = run_python(
        """
        import sys
        import minispore as ms
        from minispore import nn
        x = ms.Tensor([1.0, 2.0])
        ms.value_and_grad(lambda t: (t * t).sum())(x)
        heavy = [m for m in ("pyopencl", "cupy", "minispore_opencl", "minispore_cupy") if m in sys.modules]
        print("loaded:", heavy)
        """
    )
    assert out.strip() == "loaded: []"


# third-party backends -----------------------------------------------------------------------------------

TOY_BACKEND = '''
from minispore.backend import Availability
from minispore_numpy import NumpyBackend

AVAILABLE = {available}


class ToyBackend(NumpyBackend):
    """NumPy under another device name, as a third-party package would ship it."""

    device_target = "Toy"
    install_hint = "pip install toy-backend"

    @classmethod
    def availability(cls):
        if AVAILABLE:
            return Availability(True)
        return Availability(False, "no toy accelerator was found on this machine")
'''


def install_toy_backend(root: Path, available: bool = True, module_body: str | None = None) -> Path:
    """Write a ``toy_backend`` package and its ``dist-info`` (with the entry point) under ``root``."""
    package = root / "toy_backend"
    package.mkdir()
    body = TOY_BACKEND.format(available=available) if module_body is None else module_body
    (package / "__init__.py").write_text(body)
    info = root / "toy_backend-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-backend\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nToy = toy_backend:ToyBackend\n")
    return root


def test_third_party_backend_through_an_entry_point(tmp_path: Path) -> None:
    out = run_python(
        """
        import sys
        import minispore as ms
        from minispore.backend import available_backends

        assert "toy_backend" not in sys.modules, "plugins load lazily"
        assert available_backends()["Toy"].available
        ms.set_device("Toy")
        assert ms.get_context("device_target") == "Toy"
        x = ms.Tensor([1.0, 2.0, 3.0])
        assert x.device == "Toy", x.device
        assert type(x.backend).__name__ == "ToyBackend"
        y = (x * 2.0 + 1.0).sum()
        _, g = ms.value_and_grad(lambda t: (t * t).sum())(x)
        cpu = x.to("CPU")
        assert cpu.device == "CPU"
        try:
            x + cpu
        except ValueError as exc:
            assert "Toy" in str(exc) and "CPU" in str(exc)
        else:
            raise AssertionError("mixing devices must fail")
        print(y.item(), g.tolist(), y.device)
        """,
        path=install_toy_backend(tmp_path),
    )
    assert out.split() == ["15.0", "[2.0,", "4.0,", "6.0]", "Toy"]


def test_third_party_backend_chosen_by_environment_variable(tmp_path: Path) -> None:
    out = run_python(
        """
        import minispore as ms
        print(ms.Tensor([1]).device, ms.ops.zeros(2).device)
        """,
        path=install_toy_backend(tmp_path),
        env={"MINISPORE_DEVICE": "Toy"},
    )
    assert out.split() == ["Toy", "Toy"]


def test_unavailable_third_party_backend(tmp_path: Path) -> None:
    out = run_python(
        """
        import minispore as ms
        from minispore.backend import BackendUnavailableError, available_backends

        status = available_backends()["Toy"]
        print("listed:", status.available, status.reason)
        try:
            ms.set_device("Toy")
        except BackendUnavailableError as exc:
            print("error:", exc)
        print("default:", ms.get_device())
        """,
        path=install_toy_backend(tmp_path, available=False),
    )
    reason = "no toy accelerator was found on this machine"
    assert f"listed: False {reason}" in out
    fix = "pip install toy-backend"  # the plugin's install_hint, as its probe gave no fix of its own
    assert f"error: Device 'Toy' is unavailable: {reason}. To fix: {fix}. Installed devices: " in out
    assert "default: CPU" in out


def test_broken_third_party_backend_does_not_break_minispore(tmp_path: Path) -> None:
    out = run_python(
        """
        import minispore as ms
        from minispore.backend import BackendUnavailableError, available_backends

        print("listed:", available_backends()["Toy"].available)
        try:
            ms.set_device("Toy")
        except BackendUnavailableError as exc:
            print("error:", exc)
        print("cpu still works:", (ms.Tensor([1.0]) + 1.0).item())
        """,
        path=install_toy_backend(tmp_path, module_body="raise ImportError('toy driver library missing')\n"),
    )
    assert "listed: False" in out
    assert (
        "failed to import (ImportError: toy driver library missing). To fix: reinstall the 'toy-backend' package" in out
    )
    assert "cpu still works: 2.0" in out
