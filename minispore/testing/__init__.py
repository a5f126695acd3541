"""minispore's conformance suite, shipped so that any backend can be checked against it.

The data under ``data/`` was recorded from real MindSpore 2.10 (see ``data/README.md``).
Run every case on a device with::

    python -m minispore.testing --device OpenCL

or from pytest with the functions of :mod:`minispore.testing.cases`.
"""

from minispore.testing.cases import (
    DEPARTURES,
    VALIDATION_FILES,
    CaseResult,
    ConformanceError,
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

__all__ = [
    "DEPARTURES",
    "VALIDATION_FILES",
    "CaseResult",
    "ConformanceError",
    "bit_exact_expected",
    "constructor_cases",
    "experimental_case_ids",
    "optimizer_case_ids",
    "run_constructor_case",
    "run_experimental_case",
    "run_optimizer_case",
    "run_step_error_case",
    "step_error_cases",
]
