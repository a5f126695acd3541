"""``python -m minispore.testing --device NAME``: run the conformance suite on one device.

Third-party backend authors run this after registering their entry point; it replays every
recorded MindSpore case (trajectories, constructor errors, step errors) and prints a
summary line ``N passed, N failed``.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable
from functools import partial

import minispore as ms
from minispore.backend import BackendUnavailableError
from minispore.testing.cases import (
    DEPARTURES,
    VALIDATION_FILES,
    constructor_cases,
    experimental_case_ids,
    optimizer_case_ids,
    run_constructor_case,
    run_experimental_case,
    run_optimizer_case,
    run_step_error_case,
    step_error_cases,
)
from minispore.testing.lenet import run_lenet_case


def _checks() -> list[tuple[str, Callable[[], object]]]:
    checks: list[tuple[str, Callable[[], object]]] = []
    for cls in VALIDATION_FILES:
        for case_id in optimizer_case_ids(cls, ("float16", "float32")):
            if case_id in DEPARTURES:
                continue
            for fused in (True, False):
                label = f"optimizer/{case_id}[{'fused' if fused else 'reference'}]"
                checks.append((label, partial(run_optimizer_case, case_id, fused=fused)))
        for case in constructor_cases(cls):
            checks.append((f"constructor/{cls.rsplit('.', 1)[1]}/{case['id']}", partial(run_constructor_case, case)))
    for case_id in experimental_case_ids():
        checks.append((f"experimental/{case_id}", partial(run_experimental_case, case_id)))
    for case in step_error_cases():
        checks.append((f"step_errors/{case['id']}", partial(run_step_error_case, case)))
    checks.append(("lenet/lenet5_plain", run_lenet_case))
    return checks


def main(argv: list[str] | None = None) -> int:
    """Run every check on ``--device``; the exit status is 0 when all pass, 1 when one fails.

    An unknown or unavailable device exits with status 2 and one line on standard error
    that gives the reason and the fix.
    """
    parser = argparse.ArgumentParser(prog="python -m minispore.testing", description=__doc__)
    parser.add_argument("--device", default="CPU", help="device to test, e.g. CPU, OpenCL, GPU:1 (default CPU)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every case and full tracebacks")
    args = parser.parse_args(argv)
    try:
        ms.set_device(args.device)
    except (BackendUnavailableError, ValueError) as exc:
        parser.exit(2, f"{parser.prog}: error: {exc}\n")
    passed = failed = 0
    for name, check in _checks():
        try:
            check()
        except Exception as exc:
            failed += 1
            print(f"FAIL {name}: {type(exc).__name__}: {exc}".splitlines()[0])
            if args.verbose:
                traceback.print_exc()
        else:
            passed += 1
            if args.verbose:
                print(f"ok   {name}")
    print(f"{args.device}: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
