"""The one-definition update mechanism: every path that runs a rule gives the same bits.

Paths: the compiled CPU kernels, the NumPy block fallback, and the default built on
backend primitives (what a backend without a kernel gets). The OpenCL kernels are
compared with NumPy in ``tests/backends/test_opencl_parity.py`` and the CUDA source is
checked in ``tests/backends/test_cupy.py``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from minispore_numpy import NumpyBackend, fused_update
from minispore_numpy import native as native_kernels

import minispore as ms
from minispore import nn
from minispore.backend import UpdateStep
from minispore.nn.optim.fused import default_fused_update
from minispore.nn.optim.rules import MOMENTUM, RULES, Element, UpdateRule
from minispore.nn.optim.rules.evaluate import scratch_slots

SHAPES = [(4, 16, 3), (70_000,), (9,), (3, 5)]
N = sum(int(np.prod(s)) for s in SHAPES)
DTYPES = [np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)]


def _case(rule: UpdateRule, dtype: np.dtype[Any], seed: int) -> tuple[Any, list[Any], list[Any]]:
    rng = np.random.default_rng(seed)
    param = rng.standard_normal(N).astype(dtype)
    states = [np.abs(rng.standard_normal(N)).astype(dtype) for _ in rule.states]
    grads = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads[3] = np.asfortranarray(grads[3])  # not C-contiguous: read through a copy
    return param, states, grads


def _steps(rule: UpdateRule) -> list[UpdateStep]:
    scalars = tuple(float(np.float32(v)) for v in np.linspace(0.05, 0.95, len(rule.all_scalars)))
    out = []
    for program in rule.variants():
        if "decay" not in program.options:
            for decay_count in (0, 40_000, N):
                out.append(UpdateStep(rule, program.options, decay_count, scalars))
    return out


def _run(path: str, step: UpdateStep, param: Any, states: list[Any], grads: list[Any]) -> None:
    if path == "compiled":
        fused_update.fused_update(step, param, states, grads)
    elif path == "blocks":
        fused_update._blocks(step, param, states, grads)
    else:
        default_fused_update(NumpyBackend(), step, param, states, grads)


PATHS = ["blocks", "primitives"] + (["compiled"] if native_kernels.status().in_use else [])


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_every_path_gives_the_same_bits(rule: UpdateRule, dtype: np.dtype[Any]) -> None:
    for k, step in enumerate(_steps(rule)):
        results = {}
        for path in PATHS:
            param, states, grads = _case(rule, dtype, k)
            _run(path, step, param, states, grads)
            results[path] = [param, *states]
        for path in PATHS[1:]:
            for got, want in zip(results[path], results[PATHS[0]]):
                np.testing.assert_array_equal(got, want, err_msg=f"{path} {sorted(step.options)} {step.decay_count}")


def test_ci_builds_the_compiled_kernels() -> None:
    """CI installs from a clean clone with a compiler: the optional extension must have been built."""
    if os.environ.get("CI") != "true" or os.environ.get(native_kernels.DISABLE_VARIABLE) == "0":
        pytest.skip("only CI must have built the compiled kernels")
    assert native_kernels.status().in_use, native_kernels.status().reason


def test_compiled_kernels_are_used_unless_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    status = native_kernels.status()
    if not status.in_use:
        pytest.skip(f"compiled kernels not in use: {status.reason}")
    names = {name for name, _ in native_kernels.update_module.kernels()}  # type: ignore[union-attr]
    assert names == {program.key for rule in RULES for program in rule.variants()}
    monkeypatch.setenv(native_kernels.DISABLE_VARIABLE, "0")
    assert native_kernels._load()[1].reason == "disabled by MINISPORE_NATIVE=0"
    monkeypatch.delenv(native_kernels.DISABLE_VARIABLE)
    monkeypatch.setattr("minispore_numpy.native.generate.source_hash", lambda: "0" * 16)
    with pytest.warns(RuntimeWarning, match="older update rules; reinstall minispore"):
        module, stale = native_kernels._load()
    assert module is None and "older update rules" in stale.reason


def test_scratch_slots_are_reused_once_values_die() -> None:
    program = MOMENTUM.program(frozenset({"decay", "scale", "nesterov"}))
    slots, count = scratch_slots(program)
    computed = [k for k, node in enumerate(program.nodes) if node.op not in ("load", "scalar", "const")]
    assert all(slots[k] is not None for k in computed)
    assert count < len(computed)


def test_rule_definitions_are_checked() -> None:
    def inexact(e: Element) -> None:
        e.store("param", e.param * 0.1)

    def copies(e: Element) -> None:
        e.store("moment", e.param)
        e.store("param", e.grad)

    with pytest.raises(ValueError, match="exact in float32"):
        UpdateRule("inexact", ("moment",), (), (), inexact).program(frozenset())
    with pytest.raises(ValueError, match="stores buffer 'param' unchanged into 'moment'"):
        UpdateRule("copies", ("moment",), (), (), copies).program(frozenset())
    with pytest.raises(KeyError, match="no option"):
        MOMENTUM.program(frozenset({"amsgrad"}))


def test_a_step_reads_nothing_back_from_the_device(device: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = [ms.Parameter(np.ones(3, np.float32), name="w"), ms.Parameter(np.ones(2, np.float32), name="b")]
    opt = nn.Momentum(ws, [0.1, 0.2, 0.3], 0.9, weight_decay=0.01, loss_scale=4.0)
    grads = tuple(ms.Tensor(np.ones(w.shape, np.float32)) for w in ws)
    opt(grads)
    backend = ws[0].backend

    def no_reads(x: Any) -> Any:
        raise AssertionError("the optimizer step read a device array back")

    monkeypatch.setattr(backend, "to_numpy", no_reads)
    opt(grads)
    monkeypatch.undo()
    assert opt.global_step.asnumpy().tolist() == [2]
    opt.momentum.set_data(ms.Tensor(np.float32(0.0)))  # a changed hyper-parameter is read again
    before = ws[0].asnumpy().copy()
    opt(grads)
    v = opt.moments[0].asnumpy()
    np.testing.assert_array_equal(ws[0].asnumpy(), before - v * np.float32(0.3))


@pytest.mark.parametrize("fused", [True, False])
def test_a_failed_step_changes_nothing(device: str, fused: bool) -> None:
    w = ms.Parameter(np.ones(3, np.float32), name="w")
    b = ms.Parameter(np.ones((2, 2), np.float32), name="b")
    opt = nn.Momentum([{"params": [w], "lr": 0.1}, {"params": [b], "lr": 0.2}], 0.1, 0.9)
    opt.fused = fused
    b.set_data(ms.Tensor(np.ones((4,), np.float32)))
    with pytest.raises(ValueError, match=r"shape of parameter 'b' changed from \(2, 2\) to \(4,\)"):
        opt((ms.Tensor(np.ones(3, np.float32)), ms.Tensor(np.ones(4, np.float32))))
    assert opt.global_step.asnumpy().tolist() == [0]
    np.testing.assert_array_equal(w.asnumpy(), np.ones(3, np.float32))


@pytest.mark.parametrize("loss_scale, weight_decay", [(1e-45, 0.0), (1e300, 0.01)])
def test_loss_scales_that_overflow_float32_are_rejected(loss_scale: float, weight_decay: float) -> None:
    w = ms.Parameter(np.ones(3, np.float32), name="w")
    with pytest.raises(ValueError, match="'loss_scale' must keep 1/loss_scale and weight_decay\\*loss_scale finite"):
        nn.Momentum([w], 0.1, 0.9, weight_decay=weight_decay, loss_scale=loss_scale)


TOY_WITHOUT_KERNEL = '''
import numpy as np
from minispore.backend import Availability
from minispore.backend.array_api import ArrayApiBackend


class ToyBackend(ArrayApiBackend):
    """Only the protocol's primitives: no fused update of its own."""

    device_target = "Toy"
    install_hint = "pip install toy-backend"

    def __init__(self, device_index=0):
        super().__init__(np)

    @classmethod
    def availability(cls):
        return Availability(True)

    @property
    def device_index(self):
        return 0

    def from_numpy(self, array):
        return np.array(array, order="C", copy=True)

    def to_numpy(self, x):
        return np.array(x, copy=True)

    def synchronize(self):
        return None
'''


@pytest.mark.slow
def test_a_backend_without_a_kernel_passes_the_conformance_suite(tmp_path: Path) -> None:
    from tests.core.test_registry import install_toy_backend, run_python

    out = run_python(
        """
        import sys
        from minispore.backend import FusedUpdate, get_backend
        from minispore.testing.__main__ import main
        assert not isinstance(get_backend("Toy"), FusedUpdate)
        sys.exit(main(["--device", "Toy"]))
        """,
        path=install_toy_backend(tmp_path, module_body=TOY_WITHOUT_KERNEL),
    )
    assert out.strip().splitlines()[-1].endswith("0 failed"), out


def test_a_string_learning_rate_names_the_argument() -> None:
    w = ms.Parameter(np.ones(2, np.float32), name="w")
    with pytest.raises(ValueError, match=r"For 'Momentum', 'learning_rate' must be a number.*but got str '0.1'"):
        nn.Momentum([w], learning_rate="0.1", momentum=0.9)


def test_sgd_sees_a_stat_reset_after_its_first_step(device: str) -> None:
    """After the first momentum step the fused SGD skips ``stat``; a stat set back to ones
    (a checkpoint of a fresh optimizer, say) brings the first-step branch back."""
    results = []
    for fused in (True, False):
        w = ms.Parameter(np.ones(3, np.float32), name="w")
        opt = nn.SGD([w], 0.1, momentum=0.9, dampening=0.5)
        opt.fused = fused
        for k in range(4):
            if k == 2:
                opt.stat[0].set_data(ms.Tensor(np.ones(3, np.float32)))
            opt((ms.Tensor(np.full(3, k + 1.0, np.float32)),))
        results.append((w.asnumpy(), opt.accum[0].asnumpy(), opt.stat[0].asnumpy()))
    for got, want in zip(*results):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(results[0][2], np.zeros(3, np.float32))
