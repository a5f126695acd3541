"""Every recorded MindSpore 2.10 ``nn.Momentum`` case, on every available backend."""

from __future__ import annotations

from typing import Any

import pytest

from minispore.testing import (
    constructor_cases,
    optimizer_case_ids,
    run_constructor_case,
    run_optimizer_case,
    run_step_error_case,
    step_error_cases,
)


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "reference"])
@pytest.mark.parametrize("case_id", optimizer_case_ids())
def test_optimizer_trajectory(device: str, case_id: str, fused: bool) -> None:
    result = run_optimizer_case(case_id, fused=fused)
    if device == "CPU":
        # The NumPy backend evaluates in MindSpore's float32 order with no fused
        # multiply-add, so it reproduces the recording bit for bit.
        assert result.exact, f"{case_id} matched within tolerance but not bit for bit on NumPy"


@pytest.mark.parametrize("case", constructor_cases(), ids=lambda c: str(c["id"]))
def test_constructor_validation(device: str, case: dict[str, Any]) -> None:
    run_constructor_case(case)


@pytest.mark.parametrize("case", step_error_cases(), ids=lambda c: str(c["id"]))
def test_step_errors(device: str, case: dict[str, Any]) -> None:
    run_step_error_case(case)
