"""Shared fixtures: ``device`` runs a test once per available backend.

Tests on a device that cannot run here are deselected, not skipped one by one: the run
prints one line per missing device (with the reason) instead of a skip line per test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# The OpenCL window kernels built per geometry (after a few launches) are covered by their
# own test; here the generated geometries of the gradient checks would each cost a build.
os.environ.setdefault("MINISPORE_OPENCL_SPECIALIZE_AFTER", "1000000")

import minispore as ms
from minispore.backend import Availability, available_backends


def _devices() -> tuple[list[object], dict[str, Availability]]:
    """One param per installed backend, and the backends that cannot run here.

    ``MINISPORE_TEST_DEVICES=CPU,OpenCL`` narrows the set.
    """
    wanted = {d.strip().lower() for d in os.environ.get("MINISPORE_TEST_DEVICES", "").split(",") if d.strip()}
    params: list[object] = []
    missing: dict[str, Availability] = {}
    for name, avail in available_backends().items():
        if wanted and name.lower() not in wanted:
            continue
        if not avail.available:
            missing[name] = avail
        params.append(pytest.param(name, marks=[pytest.mark.gpu] if name == "GPU" else [], id=name))
    return params, missing


DEVICES, MISSING = _devices()
_deselected: dict[str, int] = {}


@pytest.fixture(params=DEVICES)
def device(request: pytest.FixtureRequest) -> Iterator[str]:
    """The device name of one available backend, set as the default for the test."""
    previous = ms.get_device()
    ms.set_device(request.param)
    try:
        yield request.param
    finally:
        ms.set_device(previous)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the tests of devices that cannot run here, counting them per device."""
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        name = callspec.params.get("device") if callspec is not None else None
        if isinstance(name, str) and name in MISSING:
            _deselected[name] = _deselected.get(name, 0) + 1
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per device that cannot run here, in place of one skip line per test.

    Under pytest-xdist the workers collect, so the count is known only without it.
    """
    under_xdist = terminalreporter.config.pluginmanager.has_plugin("dsession")
    if not MISSING or not (_deselected or under_xdist):
        return
    terminalreporter.section("devices not available here", sep="-")
    for name, avail in MISSING.items():
        n = _deselected.get(name, 0)
        count = f"{n} test{'s' * (n != 1)}" if n else "its tests"
        terminalreporter.write_line(f"{name}: {count} deselected, the device cannot run here: {avail.reason}")
