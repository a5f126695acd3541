"""The likelihood loss cells and functions: MindSpore 2.10's argument checks and edge values.

Their values and gradients are checked against MindSpore in ``test_parity.py`` and
against finite differences in ``test_gradients.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import minispore as ms
from minispore import nn, ops


def f32(values: Any) -> ms.Tensor:
    return ms.Tensor(np.array(values, dtype=np.float32))


# Built on the default device at import: used only by the argument checks, which run before any computation.
X = f32([[0.5, -1.0, 2.0], [0.0, 3.0, -2.0]])
Y = f32([[1.0, 0.0, 1.0], [0.0, 1.0, 0.5]])
LOGP = f32([[-1.2, -0.5, -2.0], [-0.3, -1.5, -2.5]])

# MindSpore 2.10's exception type for each misuse (checked with the real wheel).
ERRORS: list[tuple[str, Callable[[], Any], type[Exception]]] = [
    ("bce_logits_parameter_weight", lambda: nn.BCEWithLogitsLoss(weight=ms.Parameter(f32([1.0]), name="w")), TypeError),
    ("bce_logits_list_weight", lambda: nn.BCEWithLogitsLoss(weight=[1.0, 1.0, 1.0]), TypeError),  # type: ignore[arg-type]
    ("bce_logits_reduction", lambda: nn.BCEWithLogitsLoss("xx"), ValueError),
    ("bce_logits_not_tensor", lambda: nn.BCEWithLogitsLoss()(X.asnumpy(), Y), TypeError),
    ("bce_logits_shapes", lambda: nn.BCEWithLogitsLoss()(X, f32([1.0, 0.0, 1.0])), ValueError),
    ("bce_logits_int_target", lambda: nn.BCEWithLogitsLoss()(X, ms.Tensor(np.ones((2, 3), np.int32))), TypeError),
    ("bce_logits_weight_shape", lambda: nn.BCEWithLogitsLoss(weight=f32([1.0, 2.0]))(X, Y), ValueError),
    ("bce_reduction", lambda: nn.BCELoss(reduction="xx"), ValueError),
    ("bce_shapes", lambda: nn.BCELoss()(f32([[0.5, 0.5]]), f32([1.0, 0.0])), ValueError),
    ("bce_out_of_range", lambda: nn.BCELoss()(f32([1.5, -0.5]), f32([1.0, 0.0])), RuntimeError),
    ("nll_ignore_index_float", lambda: nn.NLLLoss(ignore_index=1.0), TypeError),  # type: ignore[arg-type]
    ("nll_weight_list", lambda: nn.NLLLoss(weight=[1.0, 2.0, 3.0]), TypeError),  # type: ignore[arg-type]
    ("nll_weight_int", lambda: nn.NLLLoss(weight=ms.Tensor([1, 2, 3], ms.int32)), TypeError),
    ("nll_weight_float64", lambda: nn.NLLLoss(weight=ms.Tensor([1.0, 2.0, 3.0], ms.float64)), TypeError),
    ("nll_reduction", lambda: nn.NLLLoss(reduction="x"), ValueError),
    ("nll_float_labels", lambda: nn.NLLLoss()(LOGP, f32([2.0, 0.0])), TypeError),
    ("nll_label_range", lambda: nn.NLLLoss()(LOGP, ms.Tensor([3, 0], ms.int32)), RuntimeError),
    ("nll_label_shape", lambda: nn.NLLLoss()(LOGP, ms.Tensor([1], ms.int32)), ValueError),
    ("smooth_l1_beta_zero", lambda: nn.SmoothL1Loss(0.0), RuntimeError),
    ("smooth_l1_beta_negative", lambda: nn.SmoothL1Loss(-1.0), RuntimeError),
    ("smooth_l1_reduction", lambda: nn.SmoothL1Loss(1.0, "xx"), ValueError),
    ("smooth_l1_shapes", lambda: nn.SmoothL1Loss()(X, f32([1.0, 0.0, 1.0])), ValueError),
    (
        "smooth_l1_int",
        lambda: nn.SmoothL1Loss()(ms.Tensor([[1, 2]], ms.int32), ms.Tensor([[1, 0]], ms.int32)),
        TypeError,
    ),
    ("kl_reduction", lambda: nn.KLDivLoss("xx"), ValueError),
    ("kl_reduction_int", lambda: ops.kl_div(X, Y, 1), ValueError),  # type: ignore[arg-type]
    ("kl_shapes", lambda: nn.KLDivLoss()(X, f32([0.2, 0.3, 0.5])), ValueError),
]


@pytest.mark.parametrize(("label", "call", "error"), ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_have_mindspores_types(label: str, call: Callable[[], Any], error: type[Exception]) -> None:
    with pytest.raises(error, match=r"\S"):
        call()


def test_smooth_l1_with_beta_zero_is_l1(device: str) -> None:
    x, y = f32(X.asnumpy()), f32(Y.asnumpy())
    expected = ops.l1_loss(x, y, "sum").asnumpy()
    np.testing.assert_array_equal(ops.smooth_l1_loss(x, y, beta=0.0, reduction="sum").asnumpy(), expected)


def test_kl_div_ignores_non_positive_labels(device: str) -> None:
    out = nn.KLDivLoss("none")(f32([1.0, 2.0]), f32([-0.5, 0.0]))
    np.testing.assert_array_equal(out.asnumpy(), [0.0, 0.0])
    _, grad = ms.value_and_grad(lambda x: nn.KLDivLoss("sum")(x, f32([-0.5, 0.0])))(f32([1.0, 2.0]))
    np.testing.assert_array_equal(grad.asnumpy(), [0.0, 0.0])


def test_bce_with_logits_is_finite_for_large_logits(device: str) -> None:
    x = f32([100.0, -100.0, 0.0])
    loss, grad = ms.value_and_grad(lambda t: nn.BCEWithLogitsLoss("sum")(t, f32([0.0, 1.0, 1.0])))(x)
    np.testing.assert_allclose(loss.asnumpy(), 200.0 + np.log(2.0), rtol=1e-6)
    np.testing.assert_allclose(grad.asnumpy(), [1.0, -1.0, -0.5], rtol=1e-6)


def test_nll_loss_ignores_a_target_and_accepts_a_single_sample(device: str) -> None:
    out = nn.NLLLoss(ignore_index=0, reduction="none")(f32(LOGP.asnumpy()), ms.Tensor([2, 0], ms.int32))
    np.testing.assert_array_equal(out.asnumpy(), [2.0, 0.0])
    single = ops.nll_loss(f32([-1.0, -2.0]), ms.Tensor(1, ms.int32))
    assert single.shape == () and float(single.asnumpy()) == 2.0


def test_loss_cells_print_their_arguments() -> None:
    assert "beta=0.5, reduction=mean" in repr(nn.SmoothL1Loss(0.5, "mean"))
    assert "reduction=batchmean" in repr(nn.KLDivLoss("batchmean"))
