"""Replaying the recorded MindSpore cases on the default device.

Each ``run_*`` function raises ``AssertionError`` with a precise message when minispore
departs from the recording, and returns a :class:`CaseResult` otherwise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from minispore import nn
from minispore.common.parameter import Parameter
from minispore.common.tensor import Tensor
from minispore.testing.decode import decode

DATA = Path(__file__).parent / "data"
PARAM_RTOL, PARAM_ATOL = 1e-5, 1e-6
LR_RTOL = 1e-6


@dataclass(frozen=True)
class CaseResult:
    """What a replayed case checked."""

    case_id: str
    steps: int
    exact: bool


@cache
def _json(relative: str) -> Any:
    return json.loads((DATA / relative).read_text())


def optimizer_case_ids(cls: str = "mindspore.nn.Momentum", dtypes: tuple[str, ...] = ("float32",)) -> list[str]:
    """The ids of the recorded trajectories of one optimizer class (``nn.Momentum`` by default).

    Args:
        cls: the ``constructor.class`` of the cases; manifest entries without a ``class`` are
            ``nn.Momentum`` cases.
        dtypes: keep the cases whose parameter dtypes are all in ``dtypes``; manifest entries
            without ``dtypes`` have float32 parameters.
    """
    return [
        c["id"]
        for c in _json("manifest.json")["cases"]
        if c["kind"] == "optimizer"
        and c.get("class", "mindspore.nn.Momentum") == cls
        and set(c.get("dtypes", ["float32"])) <= set(dtypes)
    ]


def _make_params(meta: dict[str, Any], arrays: Any) -> dict[str, Parameter]:
    return {
        p["name"]: Parameter(Tensor(arrays["init/" + p["name"]]), name=p["name"], requires_grad=p["requires_grad"])
        for p in meta["params"]
    }


def _exception_name(exc: BaseException) -> str:
    return type(exc).__name__


def _state(opt: nn.Momentum) -> list[np.ndarray[Any, Any]]:
    return [p.asnumpy() for p in opt.parameters] + [m.asnumpy() for m in opt.moments] + [opt.global_step.asnumpy()]


def run_optimizer_case(case_id: str, fused: bool = True) -> CaseResult:
    """Replay ``optimizer/<case_id>``: parameters, moments, lr, global_step, return, errors."""
    meta = _json(f"optimizer/{case_id}.json")
    with np.load(DATA / "optimizer" / meta["arrays"], allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    params = _make_params(meta, arrays)
    opt = nn.Momentum(**decode(meta["constructor"]["args"], params))
    opt.fused = fused
    order = meta["optimizer_parameter_order"]
    got_order = [p.name for p in opt.parameters]
    assert got_order == order, f"{case_id}: optimizer.parameters order {got_order} != recorded {order}"
    assert [m.name for m in opt.moments] == [meta["moment_names"][n] for n in order], f"{case_id}: moment names"
    expected_error = meta["expected_error"]
    exact = True
    for k in range(meta["n_steps_attempted"]):
        grads = tuple(Tensor(arrays["grads/" + n][k]) for n in order)
        if expected_error is not None and k == expected_error["step"]:
            before = _state(opt)
            try:
                opt(grads)
            except Exception as exc:
                assert _exception_name(exc) == expected_error["exception"], (
                    f"{case_id}: step {k} raised {_exception_name(exc)}: {exc}; expected {expected_error['exception']}"
                )
            else:
                raise AssertionError(f"{case_id}: step {k} should raise {expected_error['exception']}")
            if expected_error.get("state_unchanged"):
                for a, b in zip(before, _state(opt)):
                    np.testing.assert_array_equal(a, b, err_msg=f"{case_id}: state changed by the failing call")
            return CaseResult(case_id, k, exact)
        lr_before = opt.get_lr()
        ret = opt(grads)
        assert list(ret) == meta["expected_return"]["per_step"][k], f"{case_id}: step {k} returned {ret}"
        lrs = lr_before if isinstance(lr_before, tuple) else (lr_before,) * len(order)
        for i, n in enumerate(order):
            np.testing.assert_allclose(
                np.float32(lrs[i].asnumpy()),
                arrays["lr_used/" + n][k],
                rtol=LR_RTOL,
                err_msg=f"{case_id}: lr of {n} at {k}",
            )
            got_p, got_v = params[n].asnumpy(), opt.moments[i].asnumpy()
            want_p, want_v = arrays["params/" + n][k], arrays["moments/" + n][k]
            assert got_p.dtype == want_p.dtype, f"{case_id}: {n} dtype {got_p.dtype} != {want_p.dtype}"
            np.testing.assert_allclose(
                got_p, want_p, rtol=PARAM_RTOL, atol=PARAM_ATOL, err_msg=f"{case_id}: {n} step {k}"
            )
            np.testing.assert_allclose(
                got_v, want_v, rtol=PARAM_RTOL, atol=PARAM_ATOL, err_msg=f"{case_id}: moments.{n} step {k}"
            )
            exact = exact and np.array_equal(got_p, want_p) and np.array_equal(got_v, want_v)
        np.testing.assert_array_equal(opt.global_step.asnumpy(), np.array([arrays["global_step"][k]], np.int32))
    assert expected_error is None, f"{case_id}: expected an error at step {expected_error['step']}"
    return CaseResult(case_id, meta["n_steps_recorded"], exact)


def constructor_cases() -> list[dict[str, Any]]:
    """The recorded ``nn.Momentum(...)`` constructor calls and their outcomes."""
    return list(_json("errors/constructor_validation.json")["cases"])


def run_constructor_case(case: dict[str, Any]) -> CaseResult:
    """Construct ``nn.Momentum`` with the case's arguments; check accepted/rejected and the type."""
    pool = {
        e["id"]: Parameter(
            Tensor(np.ones(e["shape"], dtype=e["dtype"])), name=e["name"], requires_grad=e["requires_grad"]
        )
        for e in _json("errors/constructor_validation.json")["parameter_pool"]
    }
    args = decode(case["args"], pool)
    try:
        nn.Momentum(**args)
    except Exception as exc:
        assert case["outcome"] == "rejected", f"{case['id']}: rejected with {_exception_name(exc)}: {exc}"
        assert _exception_name(exc) == case["exception"], (
            f"{case['id']}: raised {_exception_name(exc)} ({exc}); MindSpore raises {case['exception']}"
        )
        return CaseResult(case["id"], 0, True)
    assert case["outcome"] == "accepted", f"{case['id']}: accepted; MindSpore raises {case['exception']}"
    return CaseResult(case["id"], 0, True)


def step_error_cases(asserted_only: bool = True) -> list[dict[str, Any]]:
    """The recorded ``optimizer(gradients)`` failures (those marked ``assert`` by default)."""
    return [c for c in _json("errors/step_errors.json")["cases"] if c["assert"] or not asserted_only]


def run_step_error_case(case: dict[str, Any]) -> CaseResult:
    """Call the optimizer as the case says; check the failing call, its type and the state."""
    params = {
        p["name"]: Parameter(Tensor(np.full(p["shape"], 1.0, dtype=p["dtype"])), name=p["name"]) for p in case["params"]
    }
    opt = nn.Momentum(**decode(case["constructor"]["args"], params))
    spec = case["grads"]
    grads_list = [Tensor(np.full(i["shape"], spec["fill"], dtype=i["dtype"])) for i in spec["items"]]
    grads: Any = tuple(grads_list) if spec["container"] == "tuple" else grads_list
    for k in range(case["calls"]):
        before = _state(opt)
        try:
            opt(grads)
        except Exception as exc:
            assert case["outcome"] == "rejected" and k == case["failing_call"], (
                f"{case['id']}: call {k} raised {_exception_name(exc)}: {exc}"
            )
            assert _exception_name(exc) == case["exception"], (
                f"{case['id']}: {_exception_name(exc)} != {case['exception']}"
            )
            if case.get("params_unchanged"):
                for a, b in zip(before, _state(opt)):
                    np.testing.assert_array_equal(a, b, err_msg=f"{case['id']}: state changed by the failing call")
            return CaseResult(case["id"], k, True)
    assert case["outcome"] == "accepted", f"{case['id']}: no call raised; expected {case['exception']}"
    for name, values in case.get("params_after", {}).items():
        np.testing.assert_allclose(params[name].asnumpy(), np.asarray(values, np.float32), rtol=PARAM_RTOL)
    return CaseResult(case["id"], case["calls"], True)
