"""minispore reads the optimizer-state checkpoints MindSpore 2.10 wrote, and re-saves them byte for byte.

The files come from ``recording/record_checkpoints.py`` (real MindSpore 2.10.0): ``nn.SGD``,
``nn.Adam`` (plain and AMSGrad), ``nn.AdamWeightDecay``, ``nn.RMSProp`` (plain and centered)
and ``experimental.optim.AdamW`` on ``nn.Dense(3, 2)`` after two steps. Their state names
(``accum.weight``, ``moment1.weight``, ``adam_m.weight``, ``mean_square.weight``,
``exp_avg.weight`` ...) are what minispore's optimizers must use to interoperate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minispore as ms

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "checkpoint"
EXPECTED: dict[str, dict[str, Any]] = json.loads((FIXTURES / "mindspore_optimizers_expected.json").read_text())


@pytest.mark.parametrize("file", sorted(EXPECTED))
def test_reads_mindspore_optimizer_state(file: str) -> None:
    params = ms.load_checkpoint(str(FIXTURES / file))
    entries = EXPECTED[file]["entries"]
    assert list(params) == [e["name"] for e in entries]
    for e in entries:
        got = params[e["name"]]
        assert isinstance(got, ms.Parameter)
        assert str(got.dtype) == e["dtype"] and list(got.shape) == e["shape"], e["name"]
        want = np.array(e["value"], dtype=got.dtype.np_dtype).reshape(e["shape"])
        np.testing.assert_array_equal(got.asnumpy(), want, err_msg=e["name"])


@pytest.mark.parametrize("file", sorted(EXPECTED))
def test_resaving_mindspore_optimizer_state_is_byte_identical(file: str, tmp_path: Path) -> None:
    params = ms.load_checkpoint(str(FIXTURES / file))
    out = tmp_path / file
    ms.save_checkpoint(params, str(out))
    assert out.read_bytes() == (FIXTURES / file).read_bytes()
