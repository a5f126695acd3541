"""Primitive and loss cases written once for both frameworks.

Every case builds its operation from a framework module ``ms`` (``mindspore`` when
``recording/record_ops_losses.py`` records the reference, ``minispore`` in the tests), so
the same script text runs on both: that is the parity being tested. This module imports
neither framework.

A case gives its inputs (host arrays drawn from a generator seeded by the case name),
the operation ``run(ms, *tensors)``, and the input positions whose gradients are
recorded: the gradient of ``sum(output[0] * w)`` for a fixed random ``w``.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

Host = np.ndarray[Any, Any]


class Case(NamedTuple):
    inputs: Callable[[np.random.Generator], list[Host]]
    run: Callable[..., Any]
    grads: tuple[int, ...] = ()


def normal(*shape: int) -> Callable[[np.random.Generator], Host]:
    return lambda rng: rng.standard_normal(shape).astype(np.float32)


def uniform(low: float, high: float, *shape: int) -> Callable[[np.random.Generator], Host]:
    return lambda rng: rng.uniform(low, high, shape).astype(np.float32)


def probabilities(*shape: int) -> Callable[[np.random.Generator], Host]:
    """Rows on the last axis that are positive and sum to 1."""

    def draw(rng: np.random.Generator) -> Host:
        raw = rng.uniform(0.1, 1.0, shape)
        rows: Host = (raw / raw.sum(-1, keepdims=True)).astype(np.float32)
        return rows

    return draw


def fixed(values: Any, dtype: Any = np.float32) -> Callable[[np.random.Generator], Host]:
    return lambda rng: np.array(values, dtype=dtype)


def inputs(*makers: Callable[[np.random.Generator], Host]) -> Callable[[np.random.Generator], list[Host]]:
    return lambda rng: [make(rng) for make in makers]


def rng_for(name: str) -> np.random.Generator:
    """The generator of a case's inputs and gradient weights (seeded by its name)."""
    return np.random.default_rng(zlib.crc32(name.encode()))


def P(ms: Any) -> Any:
    return ms.ops.operations


def _param(ms: Any, value: Any, name: str) -> Any:
    return ms.Parameter(value, name=name)


def _assign(ms: Any, p: Any, v: Any) -> tuple[Any, Any]:
    param = _param(ms, p, "p")
    return P(ms).Assign()(param, v), param


def _momentum(ms: Any, nesterov: bool, p: Any, v: Any, g: Any) -> tuple[Any, Any, Any]:
    param, moment = _param(ms, p, "p"), _param(ms, v, "v")
    out = P(ms).ApplyMomentum(use_nesterov=nesterov)(param, moment, 0.1, g, 0.9)
    return out, param, moment


_IMG = normal(1, 3, 5, 5)

PRIMITIVES: dict[str, Case] = {
    "ReLU": Case(inputs(normal(3, 4)), lambda ms, x: P(ms).ReLU()(x), (0,)),
    "MatMul": Case(inputs(normal(2, 3), normal(3, 4)), lambda ms, x, y: P(ms).MatMul()(x, y), (0, 1)),
    "MatMul_transpose_b": Case(
        inputs(normal(2, 3), normal(4, 3)), lambda ms, x, y: P(ms).MatMul(transpose_b=True)(x, y), (0, 1)
    ),
    "MatMul_transpose_a": Case(
        inputs(normal(3, 2), normal(3, 4)), lambda ms, x, y: P(ms).MatMul(transpose_a=True)(x, y), (0, 1)
    ),
    "BatchMatMul": Case(inputs(normal(2, 2, 3), normal(2, 3, 4)), lambda ms, x, y: P(ms).BatchMatMul()(x, y), (0, 1)),
    "BatchMatMul_transpose_b": Case(
        inputs(normal(2, 2, 3), normal(2, 4, 3)),
        lambda ms, x, y: P(ms).BatchMatMul(transpose_b=True)(x, y),
        (0, 1),
    ),
    "Reshape": Case(inputs(normal(2, 6)), lambda ms, x: P(ms).Reshape()(x, (3, -1)), (0,)),
    "Flatten": Case(inputs(normal(2, 3, 4)), lambda ms, x: P(ms).Flatten()(x), (0,)),
    "Transpose": Case(inputs(normal(2, 3, 4)), lambda ms, x: P(ms).Transpose()(x, (2, 0, 1)), (0,)),
    "Conv2D_valid": Case(inputs(_IMG, normal(4, 3, 3, 3)), lambda ms, x, w: P(ms).Conv2D(4, 3)(x, w), (0, 1)),
    "Conv2D_same_stride2": Case(
        inputs(_IMG, normal(4, 3, 3, 3)),
        lambda ms, x, w: P(ms).Conv2D(4, 3, pad_mode="same", stride=2)(x, w),
        (0, 1),
    ),
    "Conv2D_pad_dilation": Case(
        inputs(_IMG, normal(2, 3, 3, 2)),
        lambda ms, x, w: P(ms).Conv2D(2, (3, 2), pad_mode="pad", pad=(1, 0, 2, 1), dilation=2)(x, w),
        (0, 1),
    ),
    "Conv2D_group": Case(
        inputs(normal(1, 4, 5, 5), normal(4, 2, 3, 3)), lambda ms, x, w: P(ms).Conv2D(4, 3, group=2)(x, w), (0, 1)
    ),
    "MaxPool_valid": Case(inputs(_IMG), lambda ms, x: P(ms).MaxPool(kernel_size=2, strides=2)(x), (0,)),
    "MaxPool_same": Case(inputs(normal(2, 3, 5, 5)), lambda ms, x: P(ms).MaxPool(3, 2, pad_mode="same")(x), (0,)),
    "AvgPool_valid": Case(inputs(_IMG), lambda ms, x: P(ms).AvgPool(kernel_size=2, strides=2)(x), (0,)),
    "AvgPool_same": Case(inputs(normal(2, 3, 5, 5)), lambda ms, x: P(ms).AvgPool(3, 2, pad_mode="SAME")(x), (0,)),
    "BiasAdd": Case(inputs(normal(2, 3, 4, 4), normal(3)), lambda ms, x, b: P(ms).BiasAdd()(x, b), (0, 1)),
    "BiasAdd_2d": Case(inputs(normal(4, 3), normal(3)), lambda ms, x, b: P(ms).BiasAdd()(x, b), (0, 1)),
    "Softmax": Case(inputs(normal(3, 5)), lambda ms, x: P(ms).Softmax()(x), (0,)),
    "Softmax_axis0": Case(inputs(normal(3, 5)), lambda ms, x: P(ms).Softmax(axis=0)(x), (0,)),
    "LogSoftmax": Case(inputs(normal(3, 5)), lambda ms, x: P(ms).LogSoftmax()(x), (0,)),
    "LogSoftmax_axis0": Case(inputs(normal(3, 5)), lambda ms, x: P(ms).LogSoftmax(axis=0)(x), (0,)),
    "ReduceMean_keep_dims": Case(inputs(normal(3, 4, 5)), lambda ms, x: P(ms).ReduceMean(keep_dims=True)(x, 1), (0,)),
    "ReduceMean_all": Case(inputs(normal(3, 4)), lambda ms, x: P(ms).ReduceMean()(x), (0,)),
    "ReduceMean_int": Case(inputs(fixed([[1, -2, 3], [4, 5, 6]], np.int32)), lambda ms, x: P(ms).ReduceMean()(x, 0)),
    "ReduceSum": Case(inputs(normal(3, 4, 5)), lambda ms, x: P(ms).ReduceSum()(x, (0, 2)), (0,)),
    "ReduceSum_keep_dims": Case(inputs(normal(3, 4)), lambda ms, x: P(ms).ReduceSum(keep_dims=True)(x, -1), (0,)),
    "ReduceSum_int": Case(inputs(fixed([[1, -2, 3], [4, 5, 6]], np.int32)), lambda ms, x: P(ms).ReduceSum()(x, 1)),
    "ReduceMax": Case(inputs(normal(3, 4, 5)), lambda ms, x: P(ms).ReduceMax()(x, 1), (0,)),
    "ReduceMax_keep_dims_all": Case(
        inputs(normal(3, 4)), lambda ms, x: P(ms).ReduceMax(keep_dims=True)(x, (0, 1)), (0,)
    ),
    "Cast_to_int32": Case(inputs(fixed([1.7, -2.3, 0.5, 3.0])), lambda ms, x: P(ms).Cast()(x, ms.int32)),
    "Cast_to_float32": Case(inputs(fixed([1, -2, 3], np.int32)), lambda ms, x: P(ms).Cast()(x, ms.float32)),
    "Add": Case(inputs(normal(3, 4), normal(4)), lambda ms, x, y: P(ms).Add()(x, y), (0, 1)),
    "Add_scalar": Case(inputs(normal(3, 4)), lambda ms, x: P(ms).Add()(x, 2.5), (0,)),
    "Sub": Case(inputs(normal(3, 4), normal(3, 1)), lambda ms, x, y: P(ms).Sub()(x, y), (0, 1)),
    "Mul": Case(inputs(normal(3, 4), normal(4)), lambda ms, x, y: P(ms).Mul()(x, y), (0, 1)),
    "RealDiv": Case(inputs(normal(3, 4), uniform(0.5, 2.0, 4)), lambda ms, x, y: P(ms).RealDiv()(x, y), (0, 1)),
    "Square": Case(inputs(normal(3, 4)), lambda ms, x: P(ms).Square()(x), (0,)),
    "Sqrt": Case(inputs(uniform(0.5, 2.0, 3, 4)), lambda ms, x: P(ms).Sqrt()(x), (0,)),
    "Exp": Case(inputs(normal(3, 4)), lambda ms, x: P(ms).Exp()(x), (0,)),
    "Log": Case(inputs(uniform(0.5, 2.0, 3, 4)), lambda ms, x: P(ms).Log()(x), (0,)),
    "Neg": Case(inputs(normal(3, 4)), lambda ms, x: P(ms).Neg()(x), (0,)),
    "Abs": Case(inputs(normal(3, 4)), lambda ms, x: P(ms).Abs()(x), (0,)),
    "Sign": Case(inputs(fixed([-1.5, 0.0, 2.0])), lambda ms, x: P(ms).Sign()(x)),
    "Floor": Case(inputs(fixed([-1.5, 0.0, 2.7])), lambda ms, x: P(ms).Floor()(x)),
    "Reciprocal": Case(inputs(uniform(0.5, 2.0, 3, 4)), lambda ms, x: P(ms).Reciprocal()(x), (0,)),
    "Sigmoid": Case(inputs(normal(3, 4)), lambda ms, x: P(ms).Sigmoid()(x), (0,)),
    "Tanh": Case(inputs(normal(3, 4)), lambda ms, x: P(ms).Tanh()(x), (0,)),
    "Sin": Case(inputs(normal(3, 4)), lambda ms, x: P(ms).Sin()(x), (0,)),
    "Cos": Case(inputs(normal(3, 4)), lambda ms, x: P(ms).Cos()(x), (0,)),
    "Maximum": Case(inputs(normal(3, 4), normal(4)), lambda ms, x, y: P(ms).Maximum()(x, y), (0, 1)),
    "Minimum": Case(inputs(normal(3, 4), normal(3, 1)), lambda ms, x, y: P(ms).Minimum()(x, y), (0, 1)),
    "Pow": Case(inputs(uniform(0.5, 2.0, 3, 4), normal(4)), lambda ms, x, y: P(ms).Pow()(x, y), (0, 1)),
    "FloorDiv": Case(
        inputs(fixed([[-3.5, 7.0, 2.5]]), fixed([2.0, 2.0, -1.5])), lambda ms, x, y: P(ms).FloorDiv()(x, y)
    ),
    "Equal": Case(inputs(fixed([1.0, 2.0, 3.0]), fixed([1.0, 0.0, 3.0])), lambda ms, x, y: P(ms).Equal()(x, y)),
    "NotEqual": Case(inputs(fixed([1.0, 2.0, 3.0])), lambda ms, x: P(ms).NotEqual()(x, 2.0)),
    "Less": Case(inputs(fixed([1.0, 2.0, 3.0])), lambda ms, x: P(ms).Less()(x, 2.0)),
    "LessEqual": Case(inputs(fixed([1, 2, 3], np.int32)), lambda ms, x: P(ms).LessEqual()(x, 2)),
    "Greater": Case(inputs(fixed([1.0, 2.0, 3.0]), fixed([3.0, 2.0, 1.0])), lambda ms, x, y: P(ms).Greater()(x, y)),
    "GreaterEqual": Case(inputs(fixed([1.0, 2.0, 3.0])), lambda ms, x: P(ms).GreaterEqual()(x, 2.0)),
    "AddN": Case(
        inputs(normal(2, 3), normal(2, 3), normal(2, 3)), lambda ms, x, y, z: P(ms).AddN()((x, y, z)), (0, 1, 2)
    ),
    "Argmax": Case(inputs(normal(3, 4)), lambda ms, x: P(ms).Argmax()(x)),
    "Argmax_axis0_int64": Case(inputs(normal(3, 4)), lambda ms, x: P(ms).Argmax(axis=0, output_type=ms.int64)(x)),
    "OneHot": Case(
        inputs(fixed([1, 0, 2, 5], np.int32), fixed(1.0), fixed(0.0)),
        lambda ms, i, on, off: P(ms).OneHot()(i, 3, on, off),
    ),
    "OneHot_axis0": Case(
        inputs(fixed([1, 0, 2, 2], np.int64), fixed(2.0), fixed(-1.0)),
        lambda ms, i, on, off: P(ms).OneHot(axis=0)(i, 3, on, off),
    ),
    "Select": Case(
        inputs(fixed([[True, False, True], [False, True, False]], np.bool_), normal(2, 3), normal(2, 3)),
        lambda ms, c, x, y: P(ms).Select()(c, x, y),
        (1, 2),
    ),
    "Tile": Case(inputs(normal(2, 3)), lambda ms, x: P(ms).Tile()(x, (2, 1, 2)), (0,)),
    "Fill": Case(inputs(), lambda ms: P(ms).Fill()(ms.float32, (2, 3), 1.5)),
    "Depend": Case(inputs(normal(2, 3), normal(2, 3)), lambda ms, x, y: P(ms).Depend()(x, y), (0,)),
    "Concat": Case(inputs(normal(2, 3), normal(2, 2)), lambda ms, x, y: P(ms).Concat(axis=1)((x, y)), (0, 1)),
    "Squeeze_axis": Case(inputs(normal(1, 3, 1)), lambda ms, x: P(ms).Squeeze(0)(x), (0,)),
    "Squeeze_all": Case(inputs(normal(1, 3, 1)), lambda ms, x: P(ms).Squeeze()(x), (0,)),
    "ExpandDims": Case(inputs(normal(2, 3)), lambda ms, x: P(ms).ExpandDims()(x, -1), (0,)),
    "Shape": Case(inputs(normal(2, 3, 4)), lambda ms, x: P(ms).Shape()(x)),
    "OnesLike": Case(inputs(fixed([[1, 2], [3, 4]], np.int32)), lambda ms, x: P(ms).OnesLike()(x)),
    "ZerosLike": Case(inputs(normal(2, 3)), lambda ms, x: P(ms).ZerosLike()(x)),
    "Gather": Case(inputs(normal(4, 3), fixed([2, 0, 2, 3], np.int32)), lambda ms, x, i: P(ms).Gather()(x, i, 0), (0,)),
    # MindSpore 2.10 gathers at a negative index but drops its gradient: values only.
    "Gather_negative_index": Case(
        inputs(normal(4, 3), fixed([-1, 0], np.int32)), lambda ms, x, i: P(ms).Gather()(x, i, 0)
    ),
    "Gather_axis1": Case(
        inputs(normal(2, 4), fixed([[3, 0], [1, 1]], np.int64)), lambda ms, x, i: P(ms).Gather()(x, i, 1), (0,)
    ),
    "Unique": Case(inputs(fixed([5, 1, 5, 2, 1, 7], np.int32)), lambda ms, x: P(ms).Unique()(x)),
    "Assign": Case(inputs(normal(2, 3), normal(2, 3)), lambda ms, p, v: _assign(ms, p, v)),
    "ApplyMomentum": Case(
        inputs(normal(2, 3), normal(2, 3), normal(2, 3)), lambda ms, p, v, g: _momentum(ms, False, p, v, g)
    ),
    "SoftmaxCrossEntropyWithLogits": Case(
        inputs(normal(4, 5), probabilities(4, 5)),
        lambda ms, x, y: P(ms).SoftmaxCrossEntropyWithLogits()(x, y),
        (0,),
    ),
    "SparseSoftmaxCrossEntropyWithLogits": Case(
        inputs(normal(4, 5), fixed([1, 0, 4, 2], np.int32)),
        lambda ms, x, y: P(ms).SparseSoftmaxCrossEntropyWithLogits()(x, y),
        (0,),
    ),
    "SparseSoftmaxCrossEntropyWithLogits_is_grad": Case(
        inputs(normal(4, 5), fixed([1, 0, 4, 2], np.int64)),
        lambda ms, x, y: P(ms).SparseSoftmaxCrossEntropyWithLogits(is_grad=True)(x, y),
    ),
}

_BINARY = inputs(normal(3, 4), fixed(np.tile([1.0, 0.0, 0.3, 1.0], (3, 1))))
_PROBS = inputs(uniform(0.05, 0.95, 3, 4), fixed(np.tile([1.0, 0.0, 0.3, 1.0], (3, 1))))
_LOGP = inputs(normal(4, 3), fixed([2, 0, 1, 1], np.int32))
_KL = inputs(normal(3, 4), fixed([[0.2, 0.3, 0.5, 0.0], [0.0, 0.6, 0.4, 0.0], [0.25, 0.25, 0.25, 0.25]]))

LOSSES: dict[str, Case] = {
    "BCEWithLogitsLoss": Case(_BINARY, lambda ms, x, y: ms.nn.BCEWithLogitsLoss()(x, y), (0,)),
    "BCEWithLogitsLoss_weights_none": Case(
        _BINARY,
        lambda ms, x, y: ms.nn.BCEWithLogitsLoss(
            "none", ms.Tensor(np.array([1.0, 2.0, 0.5, 1.5], np.float32)), ms.Tensor(np.full(4, 3.0, np.float32))
        )(x, y),
        (0,),
    ),
    "BCEWithLogitsLoss_sum_extreme": Case(
        inputs(fixed([[100.0, -100.0, 0.0]]), fixed([[0.0, 1.0, 1.0]])),
        lambda ms, x, y: ms.nn.BCEWithLogitsLoss("sum")(x, y),
    ),
    "binary_cross_entropy_with_logits": Case(
        _BINARY, lambda ms, x, y: ms.ops.binary_cross_entropy_with_logits(x, y, reduction="sum"), (0,)
    ),
    "BCELoss": Case(_PROBS, lambda ms, x, y: ms.nn.BCELoss()(x, y), (0,)),
    "BCELoss_weight_sum": Case(
        _PROBS,
        lambda ms, x, y: ms.nn.BCELoss(ms.Tensor(np.tile([1.0, 2.0, 0.5, 3.0], (3, 1)).astype(np.float32)), "sum")(
            x, y
        ),
        (0,),
    ),
    "BCELoss_clamped": Case(
        inputs(fixed([0.0, 1.0, 0.5]), fixed([1.0, 0.0, 1.0])), lambda ms, x, y: ms.nn.BCELoss(reduction="none")(x, y)
    ),
    "binary_cross_entropy": Case(_PROBS, lambda ms, x, y: ms.ops.binary_cross_entropy(x, y, reduction="none"), (0,)),
    "L1Loss": Case(_BINARY, lambda ms, x, y: ms.nn.L1Loss()(x, y), (0,)),
    "NLLLoss": Case(_LOGP, lambda ms, x, t: ms.nn.NLLLoss()(x, t), (0,)),
    "NLLLoss_weight": Case(
        _LOGP, lambda ms, x, t: ms.nn.NLLLoss(ms.Tensor(np.array([1.0, 2.0, 0.5], np.float32)))(x, t), (0,)
    ),
    "NLLLoss_ignore_none": Case(_LOGP, lambda ms, x, t: ms.nn.NLLLoss(ignore_index=1, reduction="none")(x, t), (0,)),
    "NLLLoss_4d_sum": Case(
        inputs(normal(2, 3, 2, 2), fixed([[[0, 1], [2, 0]], [[1, 1], [2, 2]]], np.int32)),
        lambda ms, x, t: ms.nn.NLLLoss(reduction="sum")(x, t),
        (0,),
    ),
    "nll_loss_label_smoothing": Case(
        _LOGP,
        lambda ms, x, t: ms.ops.nll_loss(x, t, ms.Tensor(np.array([1.0, 2.0, 0.5], np.float32)), 0, "mean", 0.2),
        (0,),
    ),
    "SmoothL1Loss": Case(inputs(normal(3, 4), normal(3, 4)), lambda ms, x, y: ms.nn.SmoothL1Loss()(x, y), (0, 1)),
    "SmoothL1Loss_beta_mean": Case(
        inputs(normal(3, 4), normal(3, 4)), lambda ms, x, y: ms.nn.SmoothL1Loss(0.5, "mean")(x, y), (0, 1)
    ),
    "smooth_l1_loss_sum": Case(
        inputs(normal(3, 4), normal(3, 4)),
        lambda ms, x, y: ms.ops.smooth_l1_loss(x, y, beta=2.0, reduction="sum"),
        (0,),
    ),
    "KLDivLoss": Case(_KL, lambda ms, x, y: ms.nn.KLDivLoss()(x, y), (0,)),
    "KLDivLoss_batchmean": Case(_KL, lambda ms, x, y: ms.nn.KLDivLoss("batchmean")(x, y), (0,)),
    "KLDivLoss_none": Case(_KL, lambda ms, x, y: ms.nn.KLDivLoss("none")(x, y), (0,)),
    "kl_div_sum": Case(_KL, lambda ms, x, y: ms.ops.kl_div(x, y, "sum"), (0,)),
}

CASES: dict[str, Case] = {**PRIMITIVES, **LOSSES}


def host_outputs(result: Any) -> list[Host]:
    """A case's result as host arrays: a Tensor, a tuple of Tensors, or a shape tuple."""
    if isinstance(result, tuple) and all(isinstance(d, int) for d in result):
        return [np.array(result, dtype=np.int64)]
    items = result if isinstance(result, tuple | list) else (result,)
    return [np.asarray(t.asnumpy()) for t in items]


def grad_weights(name: str, out_shape: tuple[int, ...]) -> Host:
    """The fixed weights ``w`` of the recorded gradient ``d sum(output[0] * w)``."""
    return rng_for(name + "/w").uniform(0.5, 1.5, out_shape).astype(np.float32)


def record(ms: Any, name: str, case: Case) -> dict[str, Host]:
    """Run ``case`` on framework ``ms``: its inputs, outputs and recorded gradients, by key."""
    host_inputs = case.inputs(rng_for(name))
    tensors = [ms.Tensor(x) for x in host_inputs]
    outputs = host_outputs(case.run(ms, *tensors))
    arrays = {f"{name}/in{i}": x for i, x in enumerate(host_inputs)}
    arrays.update({f"{name}/out{i}": y for i, y in enumerate(outputs)})
    if case.grads:
        w = ms.Tensor(grad_weights(name, outputs[0].shape))

        def loss(*ts: Any) -> Any:
            first = case.run(ms, *ts)
            first = first[0] if isinstance(first, tuple) else first
            return (first * w).sum()

        grads = ms.grad(loss, grad_position=case.grads)(*(ms.Tensor(x) for x in host_inputs))
        grads = grads if isinstance(grads, tuple) else (grads,)
        arrays.update({f"{name}/grad{p}": g.asnumpy() for p, g in zip(case.grads, grads)})
    return arrays
