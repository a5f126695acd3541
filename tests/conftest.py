"""Shared fixtures: ``device`` runs a test once per available backend."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

import minispore as ms
from minispore.backend import available_backends


def _devices() -> list[object]:
    """One param per installed backend; ``MINISPORE_TEST_DEVICES=CPU,OpenCL`` narrows the set."""
    wanted = {d.strip().lower() for d in os.environ.get("MINISPORE_TEST_DEVICES", "").split(",") if d.strip()}
    params: list[object] = []
    for name, avail in available_backends().items():
        if wanted and name.lower() not in wanted:
            continue
        marks = [pytest.mark.gpu] if name == "GPU" else []
        if not avail.available:
            marks.append(pytest.mark.skip(reason=f"{name} backend unavailable: {avail.reason}"))
        params.append(pytest.param(name, marks=marks, id=name))
    return params


DEVICES = _devices()


@pytest.fixture(params=DEVICES)
def device(request: pytest.FixtureRequest) -> Iterator[str]:
    """The device name of one available backend, set as the default for the test."""
    previous = ms.get_device()
    ms.set_device(request.param)
    try:
        yield request.param
    finally:
        ms.set_device(previous)
