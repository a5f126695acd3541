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


@pytest.mark.parametrize("file", sorted(EXPECTED))
def test_mindspore_optimizer_state_round_trips_through_minispore_optimizers(file: str, tmp_path: Path) -> None:
    """Load MindSpore's optimizer checkpoint into the same minispore optimizer, save it again:
    the same keys in the same order, the same values, the same bytes (so MindSpore reads it back)."""
    from minispore import nn
    from minispore.experimental import optim

    spec = EXPECTED[file]
    net = nn.Dense(3, 2)
    module = optim if "experimental" in spec["optimizer"] else nn
    opt = getattr(module, spec["optimizer"].rsplit(".", 1)[1])(net.trainable_params(), **spec["kwargs"])
    loaded = ms.load_checkpoint(str(FIXTURES / file))
    not_loaded, unused = ms.load_param_into_net(opt, loaded)
    assert (not_loaded, unused) == ([], [])
    ms.save_checkpoint(opt, str(tmp_path / file))
    assert (tmp_path / file).read_bytes() == (FIXTURES / file).read_bytes()
    grads = tuple(ms.Tensor(np.ones(p.shape, np.float32)) for p in opt.parameters)
    counter = "state_step" if "experimental" in spec["optimizer"] else "global_step"
    saved = loaded[counter]
    assert isinstance(saved, ms.Parameter)
    step = int(saved.asnumpy().reshape(-1)[0])
    opt(grads)  # training resumes from the loaded state
    assert int(getattr(opt, counter).asnumpy().reshape(-1)[0]) == step + 1
