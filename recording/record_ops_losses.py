"""Record MindSpore 2.10's primitives (``ops.operations``) and likelihood losses for minispore's tests.

Run with the real MindSpore CPU wheel (it is never imported by the tests)::

    /work/msvenv/bin/python recording/record_ops_losses.py

It runs every case of ``tests/ops/cases.py`` (the same script text that the tests run on
minispore) and writes ``tests/fixtures/ops/mindspore_ops_losses.npz`` holding, per case
``<name>``: the inputs ``<name>/in<i>``, the outputs ``<name>/out<i>`` and, for the
differentiable cases, ``<name>/grad<p>``, the gradient of ``sum(output0 * w)`` with
respect to input ``p`` (``w`` from ``cases.grad_weights``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import mindspore
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "ops" / "mindspore_ops_losses.npz"


def load_cases() -> Any:
    spec = importlib.util.spec_from_file_location("ops_cases", ROOT / "tests" / "ops" / "cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ops_cases"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    mindspore.set_context(mode=mindspore.PYNATIVE_MODE, device_target="CPU")
    cases = load_cases()
    arrays: dict[str, Any] = {}
    for name, case in cases.CASES.items():
        arrays.update(cases.record(mindspore, name, case))
    arrays["mindspore_version"] = np.array(mindspore.__version__)
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {len(cases.CASES)} cases ({len(arrays)} arrays) to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
