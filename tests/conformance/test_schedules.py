"""Learning-rate schedules and lists against values recorded from MindSpore 2.10 (CPU).

The data ships inside the package (``minispore/testing/data/schedules``), a copy of the
recorded conformance files, so the tests never read outside the project.
"""

from __future__ import annotations

import builtins
import json
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import minispore as ms
from minispore import nn
from minispore.testing.cases import DATA as CONFORMANCE_DATA

DATA = CONFORMANCE_DATA / "schedules"


def _cases(name: str) -> list[Any]:
    cases: list[dict[str, Any]] = json.loads((DATA / name).read_text())["cases"]
    return [
        pytest.param(case, id=f"{i}-{case.get('class') or case['function']}-{case['outcome']}")
        for i, case in enumerate(cases)
    ]


def _exception(case: dict[str, Any]) -> type[BaseException]:
    exc: type[BaseException] = getattr(builtins, case["exception"])
    return exc


def _step(step: int) -> ms.Tensor:
    """The optimizer's step counter: a ``(1,)`` int32 tensor."""
    return ms.Tensor(np.array([step], dtype=np.int32))


def _evaluate(schedule: nn.LearningRateSchedule, steps: list[int]) -> np.ndarray[Any, Any]:
    outs = [schedule(_step(s)) for s in steps]
    for out in outs:
        assert out.shape == (1,)
        assert out.dtype == ms.float32
        assert out.device == ms.Tensor([0.0]).device
    return np.concatenate([out.asnumpy() for out in outs])


# recorded cases ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", _cases("lr_schedules.json"))
def test_schedule_case(case: dict[str, Any], device: str) -> None:
    cls = getattr(nn, case["class"])
    if case["outcome"] == "rejected":
        with pytest.raises(_exception(case)):
            cls(**case["kwargs"])
        return
    got = _evaluate(cls(**case["kwargs"]), case["steps"])
    np.testing.assert_allclose(got, np.asarray(case["values_float32"], dtype=np.float32), rtol=1e-6)


@pytest.mark.parametrize("case", _cases("lr_functions.json"))
def test_function_case(case: dict[str, Any]) -> None:
    fn = getattr(nn, case["function"])
    if case["outcome"] == "rejected":
        with pytest.raises(_exception(case)):
            fn(**case["kwargs"])
        return
    got = fn(**case["kwargs"])
    assert isinstance(got, list)
    assert all(isinstance(v, float) for v in got)
    assert len(got) == len(case["values"])
    np.testing.assert_allclose(got, case["values"], rtol=1e-12, atol=0.0)


# schedule classes ----------------------------------------------------------------------------


def test_exponential_stair_holds_within_each_window(device: str) -> None:
    got = _evaluate(nn.ExponentialDecayLR(0.1, 0.5, 3, is_stair=True), list(range(7)))
    expected = np.array([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025], dtype=np.float32)
    np.testing.assert_array_equal(got, expected)


def test_natural_exp_stair_uses_whole_windows(device: str) -> None:
    schedule = nn.NaturalExpDecayLR(0.1, 0.5, 2, is_stair=True)
    got = _evaluate(schedule, [0, 1, 2, 3, 4])
    expected = [0.1 * math.exp(-0.5 * p) for p in (0, 0, 2, 2, 4)]
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_inverse_decay_smooth_and_stair(device: str) -> None:
    smooth = _evaluate(nn.InverseDecayLR(0.1, 0.5, 2), [0, 1, 3])
    np.testing.assert_allclose(smooth, [0.1, 0.1 / 1.25, 0.1 / 1.75], rtol=1e-6)
    stair = _evaluate(nn.InverseDecayLR(0.1, 0.5, 2, is_stair=True), [0, 1, 3])
    np.testing.assert_allclose(stair, [0.1, 0.1, 0.1 / 1.5], rtol=1e-6)


def test_polynomial_update_decay_steps_restarts_each_window(device: str) -> None:
    schedule = nn.PolynomialDecayLR(0.1, 0.01, 4, power=1.0, update_decay_steps=True)
    got = _evaluate(schedule, [0, 2, 4, 5, 8, 9])
    # D' = 4 * max(ceil(s / 4), 1): 4, 4, 4, 8, 8, 12, and s is not clamped.
    expected = [0.09 * (1 - s / d) + 0.01 for s, d in ((0, 4), (2, 4), (4, 4), (5, 8), (8, 8), (9, 12))]
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    clamped = _evaluate(nn.PolynomialDecayLR(0.1, 0.01, 4, power=1.0), [5, 9])
    np.testing.assert_allclose(clamped, [0.01, 0.01], rtol=1e-6)


def test_warmup_is_zero_at_step_zero(device: str) -> None:
    schedule = nn.WarmUpLR(0.1, 4)
    assert _evaluate(schedule, [0])[0] == 0.0
    assert float(schedule(0)) == 0.0
    np.testing.assert_allclose(_evaluate(schedule, [2, 4, 100]), [0.05, 0.1, 0.1], rtol=1e-6)


def test_rate_takes_the_shape_of_the_step(device: str) -> None:
    schedule = nn.CosineDecayLR(0.01, 0.1, 4)
    assert schedule(2).shape == ()
    assert schedule(ms.Tensor(2, ms.int32)).shape == ()
    many = schedule(ms.Tensor(np.array([0, 2, 4, 9], dtype=np.int32)))
    np.testing.assert_allclose(many.asnumpy(), [0.1, 0.055, 0.01, 0.01], rtol=1e-6)


def test_non_integer_step_is_rejected() -> None:
    with pytest.raises(TypeError, match="'global_step'"):
        nn.WarmUpLR(0.1, 4)("3")


# the classes and the list functions agree (one step per epoch) ---------------------------------

SCHEDULE_VS_LIST = [
    (nn.ExponentialDecayLR(0.1, 0.9, 3), nn.exponential_decay_lr(0.1, 0.9, 10, 1, 3)),
    (nn.ExponentialDecayLR(0.1, 0.9, 3, True), nn.exponential_decay_lr(0.1, 0.9, 10, 1, 3, True)),
    (nn.NaturalExpDecayLR(0.1, 0.3, 3), nn.natural_exp_decay_lr(0.1, 0.3, 10, 1, 3)),
    (nn.NaturalExpDecayLR(0.1, 0.3, 3, True), nn.natural_exp_decay_lr(0.1, 0.3, 10, 1, 3, True)),
    (nn.InverseDecayLR(0.1, 0.5, 3), nn.inverse_decay_lr(0.1, 0.5, 10, 1, 3)),
    (nn.InverseDecayLR(0.1, 0.5, 3, True), nn.inverse_decay_lr(0.1, 0.5, 10, 1, 3, True)),
    (nn.CosineDecayLR(0.01, 0.1, 7), nn.cosine_decay_lr(0.01, 0.1, 10, 1, 7)),
    (nn.PolynomialDecayLR(0.1, 0.01, 4, 2.0), nn.polynomial_decay_lr(0.1, 0.01, 10, 1, 4, 2.0)),
    (nn.PolynomialDecayLR(0.1, 0.01, 4, 2.0, True), nn.polynomial_decay_lr(0.1, 0.01, 10, 1, 4, 2.0, True)),
    (nn.WarmUpLR(0.1, 4), nn.warmup_lr(0.1, 10, 1, 4)),
]


@pytest.mark.parametrize(
    ("schedule", "values"),
    [pytest.param(s, v, id=f"{i}-{type(s).__name__}") for i, (s, v) in enumerate(SCHEDULE_VS_LIST)],
)
def test_schedule_matches_list_function(schedule: nn.LearningRateSchedule, values: list[float], device: str) -> None:
    np.testing.assert_allclose(_evaluate(schedule, list(range(10))), values, rtol=1e-6, atol=1e-12)


# validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "args", "exception", "argument"),
    [
        (nn.ExponentialDecayLR, (0.1, 1, 4), TypeError, "'decay_rate'"),
        (nn.ExponentialDecayLR, (0.1, np.float32(0.9), 4), TypeError, "'decay_rate'"),
        (nn.ExponentialDecayLR, (-0.1, 0.9, 4), ValueError, "'learning_rate'"),
        (nn.ExponentialDecayLR, (float("nan"), 0.9, 4), ValueError, "'learning_rate'"),
        (nn.ExponentialDecayLR, (0.1, 0.9, True), TypeError, "'decay_steps'"),
        (nn.InverseDecayLR, (0.1, 0.9, 4.0), TypeError, "'decay_steps'"),
        (nn.NaturalExpDecayLR, (0.1, 0.9, 4, 1), TypeError, "'is_stair'"),
        (nn.CosineDecayLR, (0, 0.1, 4), TypeError, "'min_lr'"),
        (nn.CosineDecayLR, (-0.1, 0.1, 4), ValueError, "'min_lr'"),
        (nn.PolynomialDecayLR, (0.1, 0.01, 4, 0.0), ValueError, "'power'"),
        (nn.PolynomialDecayLR, (0.1, 0.01, 4, 1.0, None), TypeError, "'update_decay_steps'"),
        (nn.WarmUpLR, (0.1, 0), ValueError, "'warmup_steps'"),
        (nn.piecewise_constant_lr, ((1, 2), [0.1, 1]), TypeError, "'learning_rates[1]'"),
        (nn.piecewise_constant_lr, (3, [0.1]), TypeError, "'milestone'"),
        (nn.cosine_decay_lr, (0.1, 0.1, 4, 1, 2), ValueError, "'max_lr'"),
        (nn.warmup_lr, (0.1, 4, 0, 2), ValueError, "'step_per_epoch'"),
    ],
)
def test_invalid_arguments_name_the_argument(
    build: Callable[..., object],
    args: tuple[Any, ...],
    exception: type[Exception],
    argument: str,
) -> None:
    with pytest.raises(exception, match=re.escape(argument)):
        build(*args)


def test_warmup_accepts_zero_rate_and_error_suggests_a_float() -> None:
    assert float(nn.WarmUpLR(0.0, 2)(5)) == 0.0
    with pytest.raises(TypeError, match=r"but got int 1\. Write 1\.0 instead\."):
        nn.WarmUpLR(1, 2)


def test_piecewise_equal_milestones_give_an_empty_segment() -> None:
    assert nn.piecewise_constant_lr([2, 2, 3], [0.1, 0.2, 0.3]) == [0.1, 0.1, 0.3]


def test_warmup_list_is_zero_for_the_first_epoch() -> None:
    assert nn.warmup_lr(0.1, 4, 2, 1)[:2] == [0.0, 0.0]


def test_learning_rate_schedule_is_exported() -> None:
    from minispore.nn.learning_rate_schedule import LearningRateSchedule

    assert nn.LearningRateSchedule is LearningRateSchedule
    assert issubclass(nn.CosineDecayLR, nn.LearningRateSchedule)
