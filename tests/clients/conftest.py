"""The client suite: real MindSpore 2.x code run with only its imports changed.

MindSpore's own test files carry MindSpore's CI markers (``level0``, ``platform_x86_cpu``, ...); they are registered
here so that ``--strict-markers`` accepts them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import minispore as ms

MINDSPORE_CI_MARKERS = [
    "level0", "level1", "level2", "platform_x86_cpu", "platform_arm_cpu", "platform_x86_gpu_training",
    "platform_arm_ascend_training", "platform_x86_ascend_training", "env_onecard",
]  # fmt: skip

# The scripts run in subprocesses (test_scripts.py); importing them (--doctest-modules) would run them.
collect_ignore = ["scripts", "modelzoo_lenet"]


def pytest_configure(config: pytest.Config) -> None:
    for marker in MINDSPORE_CI_MARKERS:
        config.addinivalue_line("markers", f"{marker}: MindSpore's CI marker, kept in copied client tests")


@pytest.fixture(autouse=True)
def _restore_mode() -> Iterator[None]:
    """Clients set graph mode globally; put pynative mode back after each."""
    yield
    ms.set_context(mode=ms.PYNATIVE_MODE)
