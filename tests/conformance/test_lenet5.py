"""LeNet5 against MindSpore 2.10 (``lenet5_plain``): parameter order, step 0, 20 steps."""

from __future__ import annotations

from minispore.testing.lenet import LeNet5, load_lenet_case, run_lenet_case


def test_lenet5_parameters_follow_mindspore_order() -> None:
    meta, _ = load_lenet_case()
    recorded = [(p["name"], tuple(p["shape"])) for p in meta["network"]["parameters"]]
    assert [(p.name, p.shape) for p in LeNet5().trainable_params()] == recorded


def test_lenet5_trajectory_matches_mindspore(device: str) -> None:
    run_lenet_case()
