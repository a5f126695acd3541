"""The client suite: real MindSpore 2.x code run with only its imports changed.

``NEEDS`` lists the client files that wait for APIs other helpers are building: they are
not collected (their imports would fail), ``test_scripts.py`` reports each as skipped with
the reason, and each runs once its entry is removed. MindSpore's own test files
carry MindSpore's CI markers (``level0``, ``platform_x86_cpu``, ...); they are registered
here so that ``--strict-markers`` accepts them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import minispore as ms

NEEDS: dict[str, str] = {
    "sources/test_momentum.py": "needs ops.operations P.MatMul and P.BiasAdd (issue 12 item 1)",
    "scripts/beginner_quick_start.py": "needs nn.SGD (issue 11)",
    "sources/test_optimizer_with_parameter_groups.py": (
        "needs nn.SGD, nn.RMSProp, nn.Adam (issue 11), P.Flatten (issue 12 item 1) and "
        "Optimizer.is_group_params_ordered (issue 12 item 3)"
    ),
}

MINDSPORE_CI_MARKERS = [
    "level0", "level1", "level2", "platform_x86_cpu", "platform_arm_cpu", "platform_x86_gpu_training",
    "platform_arm_ascend_training", "platform_x86_ascend_training", "env_onecard",
]  # fmt: skip

# The scripts run in subprocesses (test_scripts.py); importing them (--doctest-modules) would run them.
collect_ignore = ["scripts", "modelzoo_lenet", *(path for path in NEEDS if path.startswith("sources/"))]


def pytest_configure(config: pytest.Config) -> None:
    for marker in MINDSPORE_CI_MARKERS:
        config.addinivalue_line("markers", f"{marker}: MindSpore's CI marker, kept in copied client tests")


@pytest.fixture(autouse=True)
def _restore_mode() -> Iterator[None]:
    """Clients set graph mode globally; put pynative mode back after each."""
    yield
    ms.set_context(mode=ms.PYNATIVE_MODE)
