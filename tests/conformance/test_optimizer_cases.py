"""Every recorded MindSpore 2.10 optimizer case (nn.Momentum, nn.SGD, nn.Adam,
nn.AdamWeightDecay, nn.RMSProp), on every available backend."""

from __future__ import annotations

from typing import Any

import pytest

from minispore.testing import (
    DEPARTURES,
    VALIDATION_FILES,
    bit_exact_expected,
    constructor_cases,
    experimental_case_ids,
    optimizer_case_ids,
    run_constructor_case,
    run_experimental_case,
    run_optimizer_case,
    run_step_error_case,
    step_error_cases,
)

CASES = [case_id for cls in VALIDATION_FILES for case_id in optimizer_case_ids(cls, ("float16", "float32"))]


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "reference"])
@pytest.mark.parametrize("case_id", [c for c in CASES if c not in DEPARTURES])
def test_optimizer_trajectory(device: str, case_id: str, fused: bool) -> None:
    result = run_optimizer_case(case_id, fused=fused)
    if device == "CPU" and bit_exact_expected(case_id):
        # The NumPy backend evaluates in MindSpore's float32 order with no fused
        # multiply-add, so it reproduces these recordings bit for bit.
        assert result.exact, f"{case_id} matched within tolerance but not bit for bit on NumPy"


@pytest.mark.parametrize("case_id", sorted(DEPARTURES))
def test_documented_departures_still_depart(case_id: str) -> None:
    """A departure that stops departing should leave the list (and the compatibility page)."""
    with pytest.raises(AssertionError):  # ConformanceError or a numpy.testing mismatch
        run_optimizer_case(case_id)


@pytest.mark.parametrize(
    "case", [c for cls in VALIDATION_FILES for c in constructor_cases(cls)], ids=lambda c: f"{c['class']}-{c['id']}"
)
def test_constructor_validation(device: str, case: dict[str, Any]) -> None:
    run_constructor_case(case)


@pytest.mark.parametrize("case", step_error_cases(), ids=lambda c: str(c["id"]))
def test_step_errors(device: str, case: dict[str, Any]) -> None:
    run_step_error_case(case)


EXPERIMENTAL_EXACT = {
    "experimental_sgd",
    "experimental_sgd_groups_nesterov",
    "experimental_adamw",
    "experimental_adamw_amsgrad_groups",
}
"""experimental Adam runs MindSpore's fused-multiply-add Adam kernel: a few ulp, not bit for bit."""


@pytest.mark.parametrize("case_id", experimental_case_ids())
def test_experimental_optim_run(device: str, case_id: str) -> None:
    result = run_experimental_case(case_id)
    if device == "CPU" and case_id in EXPERIMENTAL_EXACT:
        assert result.exact, f"{case_id} matched within tolerance but not bit for bit on NumPy"
