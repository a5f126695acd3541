"""Replaying the recorded MindSpore cases on the default device.

Each ``run_*`` function raises :class:`ConformanceError` (an ``AssertionError`` that
``python -O`` keeps) with a precise message when minispore
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


class ConformanceError(AssertionError):
    """minispore departed from a recorded MindSpore case (raised even under ``python -O``)."""


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise ConformanceError(message)


def _optimizer_class(name: str) -> type[nn.Optimizer]:
    """``mindspore.nn.Adam`` -> :class:`minispore.nn.Adam`."""
    cls: type[nn.Optimizer] = getattr(nn, name.rsplit(".", 1)[1])
    return cls


def _state_names(meta: dict[str, Any]) -> dict[str, dict[str, str]]:
    """``{prefix: {param name: state name}}``; ``nn.Momentum`` cases give ``moment_names``."""
    if "state_names" in meta:
        names: dict[str, dict[str, str]] = meta["state_names"]
        return names
    return {"moments": meta["moment_names"]}


def _states(opt: nn.Optimizer) -> dict[str, Parameter]:
    return {s.name: s for states in opt._states for s in states}


def _state(opt: nn.Optimizer) -> list[np.ndarray[Any, Any]]:
    return (
        [p.asnumpy() for p in opt.parameters]
        + [s.asnumpy() for s in _states(opt).values()]
        + [opt.global_step.asnumpy()]
    )


DEPARTURES = {
    "adamw_float16": "MindSpore's CPU AdamWeightDecay rounds every float16 operation (and its hyper-parameters) "
    "to float16; minispore computes float16 parameters in float32, like every other optimizer",
}
"""Recorded cases minispore departs from on purpose, with the reason (see docs/compatibility.md)."""


def bit_exact_expected(case_id: str) -> bool:
    """Whether a backend that rounds every float32 operation reproduces the case bit for bit.

    MindSpore's CPU kernels for Adam, AdamWeightDecay and (uncentered) float32 RMSProp
    contract multiply-adds and run a vector loop and a scalar tail that round differently;
    those cases match to a few ulp. Every other case (Momentum, SGD, AMSGrad, centered and
    float16 RMSProp) is a plain rounded loop in MindSpore too.
    """
    meta = _json(f"optimizer/{case_id}.json")
    cls = meta["constructor"]["class"].rsplit(".", 1)[1]
    args = meta["constructor"]["args"]
    if cls in ("Momentum", "SGD"):
        return True
    if cls == "Adam":
        return bool(args.get("use_amsgrad", False))
    if cls == "RMSProp":
        return bool(args.get("centered", False)) or "float16" in meta.get("dtypes", [])
    return False


def case_tolerance(meta: dict[str, Any]) -> tuple[float, float]:
    """``(rtol, atol)`` for a case: float16 cases are compared to about one float16 ulp."""
    if "float16" in meta.get("dtypes", [p["dtype"] for p in meta["params"]]):
        return 1e-3, 1e-4
    return PARAM_RTOL, PARAM_ATOL


def run_optimizer_case(case_id: str, fused: bool = True) -> CaseResult:
    """Replay ``optimizer/<case_id>``: parameters, states, lr, global_step, return, errors."""
    meta = _json(f"optimizer/{case_id}.json")
    with np.load(DATA / "optimizer" / meta["arrays"], allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    params = _make_params(meta, arrays)
    opt = _optimizer_class(meta["constructor"]["class"])(**decode(meta["constructor"]["args"], params))
    opt.fused = fused
    order = meta["optimizer_parameter_order"]
    got_order = [p.name for p in opt.parameters]
    _expect(got_order == order, f"{case_id}: optimizer.parameters order {got_order} != recorded {order}")
    state_names = _state_names(meta)
    states = _states(opt)
    for names in state_names.values():
        missing = [names[n] for n in order if names[n] not in states]
        _expect(not missing, f"{case_id}: no optimizer state named {missing}; it has {sorted(states)}")
    rtol, atol = case_tolerance(meta)
    expected_error = meta["expected_error"]
    exact = True
    for k in range(meta["n_steps_attempted"]):
        grads = tuple(Tensor(arrays["grads/" + n][k]) for n in order)
        if expected_error is not None and k == expected_error["step"]:
            before = _state(opt)
            try:
                opt(grads)
            except Exception as exc:
                _expect(
                    _exception_name(exc) == expected_error["exception"],
                    f"{case_id}: step {k} raised {_exception_name(exc)}: {exc}; expected {expected_error['exception']}",
                )
            else:
                raise ConformanceError(f"{case_id}: step {k} should raise {expected_error['exception']}")
            if expected_error.get("state_unchanged"):
                for a, b in zip(before, _state(opt)):
                    np.testing.assert_array_equal(a, b, err_msg=f"{case_id}: state changed by the failing call")
            return CaseResult(case_id, k, exact)
        lr_before = opt.get_lr()
        ret = opt(grads)
        _expect(list(ret) == meta["expected_return"]["per_step"][k], f"{case_id}: step {k} returned {ret}")
        lrs = lr_before if isinstance(lr_before, tuple) else (lr_before,) * len(order)
        for i, n in enumerate(order):
            if "lr_used/" + n in arrays:
                np.testing.assert_allclose(
                    np.float32(lrs[i].asnumpy()),
                    arrays["lr_used/" + n][k],
                    rtol=LR_RTOL,
                    err_msg=f"{case_id}: lr of {n} at {k}",
                )
            got_p, want_p = params[n].asnumpy(), arrays["params/" + n][k]
            _expect(got_p.dtype == want_p.dtype, f"{case_id}: {n} dtype {got_p.dtype} != {want_p.dtype}")
            np.testing.assert_allclose(got_p, want_p, rtol=rtol, atol=atol, err_msg=f"{case_id}: {n} step {k}")
            exact = exact and np.array_equal(got_p, want_p)
            for prefix, names in state_names.items():
                got_s, want_s = states[names[n]].asnumpy(), arrays[f"{prefix}/{n}"][k]
                np.testing.assert_allclose(
                    got_s, want_s, rtol=rtol, atol=atol, err_msg=f"{case_id}: {names[n]} step {k}"
                )
                exact = exact and np.array_equal(got_s, want_s)
        for name in meta.get("scalar_state", []):
            got = getattr(opt, name).asnumpy()
            np.testing.assert_array_equal(got, arrays[name][k], err_msg=f"{case_id}: {name} step {k}")
        np.testing.assert_array_equal(opt.global_step.asnumpy(), np.array([arrays["global_step"][k]], np.int32))
    _expect(expected_error is None, f"{case_id}: expected an error at step {(expected_error or {}).get('step')}")
    return CaseResult(case_id, meta["n_steps_recorded"], exact)


VALIDATION_FILES = {
    "mindspore.nn.Momentum": "errors/constructor_validation.json",
    "mindspore.nn.SGD": "errors/sgd_constructor_validation.json",
    "mindspore.nn.Adam": "errors/adam_constructor_validation.json",
    "mindspore.nn.AdamWeightDecay": "errors/adam_weight_decay_constructor_validation.json",
    "mindspore.nn.RMSProp": "errors/rmsprop_constructor_validation.json",
}
"""The recorded constructor calls of each optimizer class."""


def constructor_cases(cls: str = "mindspore.nn.Momentum") -> list[dict[str, Any]]:
    """The recorded constructor calls of ``cls`` and their outcomes (each tagged with its class)."""
    return [{**case, "class": cls} for case in _json(VALIDATION_FILES[cls])["cases"]]


def run_constructor_case(case: dict[str, Any]) -> CaseResult:
    """Construct the case's optimizer with its arguments; check accepted/rejected and the type."""
    cls = case.get("class", "mindspore.nn.Momentum")
    pool = {
        e["id"]: Parameter(
            Tensor(np.ones(e["shape"], dtype=e["dtype"])), name=e["name"], requires_grad=e["requires_grad"]
        )
        for e in _json(VALIDATION_FILES[cls])["parameter_pool"]
    }
    args = decode(case["args"], pool)
    try:
        _optimizer_class(cls)(**args)
    except Exception as exc:
        _expect(case["outcome"] == "rejected", f"{case['id']}: rejected with {_exception_name(exc)}: {exc}")
        _expect(
            _exception_name(exc) == case["exception"],
            f"{case['id']}: raised {_exception_name(exc)} ({exc}); MindSpore raises {case['exception']}",
        )
        return CaseResult(case["id"], 0, True)
    _expect(case["outcome"] == "accepted", f"{case['id']}: accepted; MindSpore raises {case['exception']}")
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
            _expect(
                case["outcome"] == "rejected" and k == case["failing_call"],
                f"{case['id']}: call {k} raised {_exception_name(exc)}: {exc}",
            )
            _expect(
                _exception_name(exc) == case["exception"],
                f"{case['id']}: {_exception_name(exc)} != {case['exception']}",
            )
            if case.get("params_unchanged"):
                for a, b in zip(before, _state(opt)):
                    np.testing.assert_array_equal(a, b, err_msg=f"{case['id']}: state changed by the failing call")
            return CaseResult(case["id"], k, True)
    _expect(case["outcome"] == "accepted", f"{case['id']}: no call raised; expected {case['exception']}")
    for name, values in case.get("params_after", {}).items():
        np.testing.assert_allclose(params[name].asnumpy(), np.asarray(values, np.float32), rtol=PARAM_RTOL)
    return CaseResult(case["id"], case["calls"], True)


def experimental_case_ids() -> list[str]:
    """The recorded ``mindspore.experimental.optim`` runs (SGD, Adam, AdamW with ``StepLR``)."""
    return [Path(p).stem for p in _json("manifest.json")["files"]["experimental_optim"]]


def run_experimental_case(case_id: str) -> CaseResult:
    """Replay ``experimental/<case_id>``: the documented training loop of a ``Dense(5, 3)`` with
    an ``experimental.optim`` optimizer and ``StepLR``; compares the loss, the gradients, the
    parameters, every optimizer state, ``get_last_lr()`` and ``print(optimizer)``."""
    import minispore as ms
    from minispore.experimental import optim

    meta = _json(f"experimental/{case_id}.json")
    with np.load(DATA / "experimental" / meta["arrays"], allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    net = nn.SequentialCell()
    net.fc = nn.Dense(5, 3)  # the recording's parameters are fc.weight and fc.bias
    for p in net.get_parameters():
        p.set_data(Tensor(arrays["init/" + p.name]))
    params = {p.name: p for p in net.get_parameters()}
    cls = getattr(optim, meta["constructor"]["class"].rsplit(".", 1)[1])
    opt = cls(**decode(meta["constructor"]["args"], params))
    scheduler = optim.lr_scheduler.StepLR(opt, **meta["scheduler"]["kwargs"])
    _expect(repr(opt) == meta["repr"], f"{case_id}: print(optimizer) gave\n{opt!r}\nMindSpore printed\n{meta['repr']}")
    loss_fn = nn.MSELoss()

    def forward(x: Tensor, y: Tensor) -> Tensor:
        out: Tensor = loss_fn(net(x), y)
        return out

    grad_fn = ms.value_and_grad(forward, None, opt.parameters)
    order = meta["optimizer_parameter_order"]
    states = {s.name: s for s in opt.get_parameters()}
    exact = True
    for k in range(meta["n_steps"]):
        loss, grads = grad_fn(Tensor(arrays["x"][k]), Tensor(arrays["y"][k]))
        np.testing.assert_allclose(loss.asnumpy(), arrays["loss"][k], rtol=1e-6, err_msg=f"{case_id}: loss {k}")
        opt(grads)
        scheduler.step()
        for n in order:
            got = params[n].asnumpy()
            np.testing.assert_allclose(got, arrays["params/" + n][k], rtol=1e-5, atol=1e-6, err_msg=f"{case_id}: {n}")
            exact = exact and np.array_equal(got, arrays["params/" + n][k])
        for name in meta["state_names"]:
            got = states[name].asnumpy().reshape(arrays["state/" + name][k].shape)
            np.testing.assert_allclose(got, arrays["state/" + name][k], rtol=1e-5, atol=1e-6, err_msg=case_id + name)
            exact = exact and np.array_equal(got, arrays["state/" + name][k])
        got_lr = [float(lr.asnumpy()) for lr in scheduler.get_last_lr()]
        _expect(got_lr == meta["get_last_lr"][k], f"{case_id}: get_last_lr() {got_lr} != {meta['get_last_lr'][k]}")
    _expect(repr(opt) == meta["repr_after"], f"{case_id}: print(optimizer) after training gave\n{opt!r}")
    return CaseResult(case_id, meta["n_steps"], exact)
