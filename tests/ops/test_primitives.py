"""The primitive classes: import paths, attributes and repr, MindSpore's errors, in-place
updates, and use inside a Cell trained with ``value_and_grad``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import minispore as ms
import minispore.ops.operations as P_module
from minispore import nn, ops
from minispore.ops import operations as P


def f32(values: Any) -> ms.Tensor:
    return ms.Tensor(np.array(values, dtype=np.float32))


def test_import_paths_reach_the_same_classes() -> None:
    assert P_module is P
    assert ops.ReLU is P.ReLU and ops.operations.MatMul is P.MatMul
    assert isinstance(P.Conv2D(1, 1), ops.Primitive)


# The strings MindSpore 2.10 prints for the same constructors.
REPRS = [
    (lambda: P.ReLU(), "Prim[ReLU]"),
    (lambda: P.MatMul(transpose_b=True), "Prim[MatMul]<transpose_a=False, transpose_b=True>"),
    (lambda: P.BatchMatMul(), "Prim[BatchMatMul]<transpose_a=False, transpose_b=False>"),
    (
        lambda: P.Conv2D(4, 3),
        "Prim[Conv2D]<out_channel=4, kernel_size=3, mode=1, pad_mode=valid, pad=(0, 0, 0, 0), "
        "stride=(1, 1, 1, 1), dilation=(1, 1, 1, 1), group=1, data_format=NCHW, groups=1>",
    ),
    (
        lambda: P.Conv2D(4, (3, 2), pad_mode="pad", pad=1, stride=(2, 1), dilation=2),
        "Prim[Conv2D]<out_channel=4, kernel_size=(3, 2), mode=1, pad_mode=pad, pad=(1, 1, 1, 1), "
        "stride=(1, 1, 2, 1), dilation=(1, 1, 2, 2), group=1, data_format=NCHW, groups=1>",
    ),
    (
        lambda: P.MaxPool(kernel_size=2, strides=2),
        "Prim[MaxPool]<kernel_size=(1, 1, 2, 2), strides=(1, 1, 2, 2), pad_mode=VALID, data_format=NCHW>",
    ),
    (
        lambda: P.AvgPool((2, 3), (1, 2), pad_mode="same"),
        "Prim[AvgPool]<kernel_size=(2, 3), strides=(1, 2), pad_mode=1, data_format=0>",
    ),
    (lambda: P.BiasAdd(), "Prim[BiasAdd]<data_format=0>"),
    (lambda: P.Softmax(axis=1), "Prim[Softmax]<axis=(1,)>"),
    (lambda: P.LogSoftmax(), "Prim[LogSoftmax]<axis=-1>"),
    (lambda: P.ReduceMean(keep_dims=True), "Prim[ReduceMean]<keep_dims=True>"),
    (lambda: P.ReduceSum(), "Prim[ReduceSum]<keep_dims=False, skip_mode=False>"),
    (lambda: P.Log(), "Prim[Log]<cust_aicpu=Log, base=-1.0, scale=1.0, shift=0.0>"),
    (lambda: P.Concat(1), "Prim[Concat]<axis=1>"),
    (lambda: P.Squeeze(0), "Prim[Squeeze]<axis=(0,)>"),
    (lambda: P.Gather(), "Prim[Gather]<batch_dims=0>"),
    (lambda: P.Cast(), "Prim[Cast]"),
    (lambda: P.Argmax(axis=0), "Prim[Argmax]<axis=0, output_type=34>"),
    (lambda: P.OneHot(axis=0), "Prim[OneHot]<axis=0>"),
    (lambda: P.Depend(), "Prim[Depend]<side_effect_propagate=1>"),
    (lambda: P.AddN(), "Prim[AddN]"),
    (lambda: P.Assign(), "Prim[Assign]<side_effect_mem=True>"),
    (
        lambda: P.ApplyMomentum(),
        "Prim[ApplyMomentum]<use_nesterov=False, use_locking=False, gradient_scale=1.0, side_effect_mem=True>",
    ),
    (
        lambda: P.SparseSoftmaxCrossEntropyWithLogits(),
        "Prim[SparseSoftmaxCrossEntropyWithLogits]<is_grad=False, sens=1.0>",
    ),
]


@pytest.mark.parametrize(("make", "text"), REPRS, ids=[text.split("]")[0][5:] for _, text in REPRS])
def test_repr_matches_mindspore(make: Callable[[], P.Primitive], text: str) -> None:
    prim = make()
    assert repr(prim) == text
    assert prim.name == text.split("]")[0][5:]


def test_attributes_can_be_added_and_removed() -> None:
    prim = P.MatMul().add_prim_attr("primitive_target", "CPU")
    assert prim.attrs["primitive_target"] == "CPU"
    assert "primitive_target=CPU" in repr(prim)
    assert "primitive_target" not in prim.del_prim_attr("primitive_target").attrs
    assert P.Conv2D(4, 3, group=2).attrs["groups"] == 2
    assert P.Conv2D(4, 3).attrs["input_names"] == ["x", "w"]


X23 = np.arange(6, dtype=np.float32).reshape(2, 3)
IMG = np.ones((1, 3, 5, 5), np.float32)
W = np.ones((4, 3, 3, 3), np.float32)

# MindSpore 2.10's exception type for each misuse (checked with the real wheel).
ERRORS: list[tuple[str, Callable[[], Any], type[Exception]]] = [
    ("relu_list", lambda: P.ReLU()([1.0]), TypeError),
    ("matmul_inner", lambda: P.MatMul()(f32(X23), f32(X23)), ValueError),
    ("matmul_3d", lambda: P.MatMul()(f32(np.ones((2, 2, 3))), f32(np.ones((3, 2)))), ValueError),
    ("matmul_dtypes", lambda: P.MatMul()(f32(X23), ms.Tensor(X23.T.astype(np.float64))), TypeError),
    ("batchmatmul_ranks", lambda: P.BatchMatMul()(f32(np.ones((4, 2, 3))), f32(np.ones((3, 5)))), ValueError),
    ("reshape_size", lambda: P.Reshape()(f32(X23), (4, -1)), ValueError),
    ("flatten_scalar", lambda: P.Flatten()(f32(1.0)), RuntimeError),
    ("transpose_repeat", lambda: P.Transpose()(f32(X23), (0, 0)), ValueError),
    ("transpose_length", lambda: P.Transpose()(f32(X23), (0,)), ValueError),
    ("softmax_axis_type", lambda: P.Softmax(axis="a"), TypeError),  # type: ignore[arg-type]
    ("softmax_int_input", lambda: P.Softmax()(ms.Tensor(X23.astype(np.int32))), TypeError),
    ("softmax_axis_range", lambda: P.Softmax(axis=3)(f32(X23)), ValueError),
    ("reduce_axis_range", lambda: P.ReduceMean()(f32(X23), 2), ValueError),
    ("cast_numpy_dtype", lambda: P.Cast()(f32(X23), np.int32), TypeError),
    ("exp_int", lambda: P.Exp()(ms.Tensor(X23.astype(np.int32))), TypeError),
    ("log_int", lambda: P.Log()(ms.Tensor(X23.astype(np.int64))), TypeError),
    ("onehot_float_on_value", lambda: P.OneHot()(ms.Tensor([1], ms.int32), 3, 1.0, 0.0), TypeError),
    ("select_float_condition", lambda: P.Select()(f32([1.0]), f32([1.0]), f32([2.0])), TypeError),
    ("add_shapes", lambda: P.Add()(f32(X23), f32(np.ones((3, 2)))), ValueError),
    ("concat_shapes", lambda: P.Concat(0)((f32(X23), f32(np.ones((2, 2))))), ValueError),
    ("concat_single_tensor", lambda: P.Concat(0)(f32(X23)), TypeError),  # type: ignore[arg-type]
    ("squeeze_axis_range", lambda: P.Squeeze(5)(f32(np.ones((1, 3, 1)))), ValueError),
    ("squeeze_axis_float", lambda: P.Squeeze(1.0), TypeError),  # type: ignore[arg-type]
    ("expand_dims_range", lambda: P.ExpandDims()(f32(X23), 3), ValueError),
    ("gather_range", lambda: P.Gather()(f32(X23), ms.Tensor([5], ms.int32), 0), RuntimeError),
    ("gather_float_indices", lambda: P.Gather()(f32(X23), f32([1.0]), 0), TypeError),
    ("unique_2d", lambda: P.Unique()(ms.Tensor(np.ones((2, 2), np.int32))), RuntimeError),
    ("conv_pad_without_pad_mode", lambda: P.Conv2D(4, 3, pad=1), ValueError),
    ("conv_mode", lambda: P.Conv2D(4, 3, mode=2), ValueError),
    ("conv_pad_mode_case", lambda: P.Conv2D(4, 3, pad_mode="SAME"), ValueError),
    ("conv_kernel_zero", lambda: P.Conv2D(4, 0), ValueError),
    ("conv_kernel_float", lambda: P.Conv2D(4, 3.0), TypeError),  # type: ignore[arg-type]
    ("conv_out_channel", lambda: P.Conv2D(0, 3), ValueError),
    ("conv_stride_zero", lambda: P.Conv2D(4, 3, stride=0), ValueError),
    ("conv_nhwc", lambda: P.Conv2D(4, 3, data_format="NHWC"), ValueError),
    ("conv_weight_out", lambda: P.Conv2D(5, 3)(f32(IMG), f32(W)), RuntimeError),
    ("conv_weight_kernel", lambda: P.Conv2D(4, 2)(f32(IMG), f32(W)), RuntimeError),
    ("conv_input_rank", lambda: P.Conv2D(4, 3)(f32(IMG[0]), f32(W)), ValueError),
    ("maxpool_pad_mode", lambda: P.MaxPool(3, 2, pad_mode="pad"), ValueError),
    ("maxpool_four_kernel", lambda: P.MaxPool((1, 1, 2, 3)), ValueError),
    ("maxpool_kernel_float", lambda: P.MaxPool(2.0), TypeError),
    ("maxpool_input_rank", lambda: P.MaxPool(2, 2)(f32(IMG[0])), ValueError),
    ("maxpool_nhwc", lambda: P.MaxPool(2, 2, data_format="NHWC"), ValueError),
    ("biasadd_shape", lambda: P.BiasAdd()(f32(IMG), f32([1.0, 2.0])), ValueError),
    ("biasadd_rank", lambda: P.BiasAdd()(f32([1.0, 2.0]), f32([1.0, 2.0])), ValueError),
    ("biasadd_format", lambda: P.BiasAdd(data_format="XX"), ValueError),
    ("biasadd_dtypes", lambda: P.BiasAdd()(f32(X23), ms.Tensor(np.ones(3))), TypeError),
    ("assign_scalar", lambda: P.Assign()(ms.Parameter(f32([1.0, 2.0]), name="p"), 1.0), ValueError),
    ("assign_shape", lambda: P.Assign()(ms.Parameter(f32([1.0, 2.0]), name="p"), f32([1.0, 2.0, 3.0])), ValueError),
    (
        "assign_wider",
        lambda: P.Assign()(ms.Parameter(f32([1.0, 2.0]), name="p"), ms.Tensor([1.0, 2.0], ms.float64)),
        TypeError,
    ),
    ("momentum_nesterov_int", lambda: P.ApplyMomentum(use_nesterov=1), TypeError),  # type: ignore[arg-type]
    ("momentum_gradient_scale_int", lambda: P.ApplyMomentum(gradient_scale=2), TypeError),
    ("momentum_shape", lambda: P.ApplyMomentum()(f32([1.0]), f32([1.0]), 0.1, f32([1.0, 1.0]), 0.9), ValueError),
    ("sce_shape", lambda: P.SoftmaxCrossEntropyWithLogits()(f32(X23), f32([[0.0, 1.0]])), ValueError),
    ("sce_rank", lambda: P.SoftmaxCrossEntropyWithLogits()(f32([1.0, 2.0]), f32([0.0, 1.0])), ValueError),
    ("sce_int_labels", lambda: P.SoftmaxCrossEntropyWithLogits()(f32(X23), ms.Tensor(X23.astype(np.int32))), TypeError),
    ("sparse_float_labels", lambda: P.SparseSoftmaxCrossEntropyWithLogits()(f32(X23), f32([2.0, 0.0])), TypeError),
    ("sparse_is_grad_int", lambda: P.SparseSoftmaxCrossEntropyWithLogits(is_grad=1), TypeError),  # type: ignore[arg-type]
    (
        "sparse_label_shape",
        lambda: P.SparseSoftmaxCrossEntropyWithLogits()(f32(X23), ms.Tensor([2], ms.int32)),
        ValueError,
    ),
]


@pytest.mark.parametrize(("label", "call", "error"), ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_have_mindspores_types(label: str, call: Callable[[], Any], error: type[Exception]) -> None:
    with pytest.raises(error, match=r"\S"):
        call()


def test_integer_reductions_keep_their_dtype(device: str) -> None:
    x = ms.Tensor(np.array([[1, -2, 3], [4, 5, 6]], np.int32))
    assert P.ReduceMean()(x, 0).asnumpy().tolist() == [2, 1, 4]
    assert P.ReduceSum()(x, 1).dtype == ms.int32
    assert P.ReduceSum(skip_mode=True)(x) is x


def test_squeeze_leaves_listed_axes_that_are_not_one(device: str) -> None:
    x = f32(np.ones((1, 3, 1)))
    assert P.Squeeze(1)(x).shape == (1, 3, 1)
    assert P.Squeeze((0, 1))(x).shape == (3, 1)
    assert P.Squeeze()(x).shape == (3,)


def test_integer_real_division_truncates_toward_zero(device: str) -> None:
    out = P.RealDiv()(ms.Tensor(np.array([7, -7], np.int32)), 2)
    assert out.dtype == ms.int32 and out.asnumpy().tolist() == [3, -3]
    assert P.RealDiv()(ms.Tensor(np.array([7, -7], np.int32)), 2.0).asnumpy().tolist() == [3.5, -3.5]


def test_scalar_operands(device: str) -> None:
    out = P.Add()(1, 2)
    assert out.dtype == ms.int64 and int(out.asnumpy()) == 3
    assert P.Cast()(1.5, ms.int32).asnumpy().tolist() == 1


def test_unique_functional_flattens_and_keeps_the_indices_shape(device: str) -> None:
    y, idx = ops.unique(ms.Tensor(np.array([[3, 1], [3, 2]], np.int32)))
    assert y.asnumpy().tolist() == [3, 1, 2]
    assert idx.asnumpy().tolist() == [[0, 1], [0, 2]] and idx.dtype == ms.int32


@pytest.mark.parametrize("axis", [1, 2])
def test_gather_batch_dims(device: str, axis: int) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    idx = rng.integers(0, x.shape[axis], (2, 5)).astype(np.int32)
    got = P.Gather(batch_dims=1)(ms.Tensor(x), ms.Tensor(idx), axis).asnumpy()
    expected = np.stack([np.take(x[i], idx[i], axis - 1) for i in range(2)])
    np.testing.assert_array_equal(got, expected)
    with pytest.raises(ValueError, match="batch_dims"):
        ops.gather(ms.Tensor(x), ms.Tensor(idx[:1]), axis, batch_dims=1)


def test_assign_writes_the_parameter_and_returns_a_copy(device: str) -> None:
    p = ms.Parameter(f32([1.0, 2.0]), name="p")
    out = ops.assign(p, ms.Tensor(np.array([3, 4], np.int32)))
    assert p.dtype == ms.float32 and p.asnumpy().tolist() == [3.0, 4.0]
    P.Assign()(p, f32([5.0, 6.0]))
    assert out.asnumpy().tolist() == [3.0, 4.0] and p.asnumpy().tolist() == [5.0, 6.0]


@pytest.mark.parametrize("nesterov", [False, True])
def test_apply_momentum_formula(device: str, nesterov: bool) -> None:
    rng = np.random.default_rng(1)
    p0, v0, g = (rng.standard_normal(5).astype(np.float32) for _ in range(3))
    lr, u = np.float32(0.1), np.float32(0.9)
    p, v = ms.Parameter(ms.Tensor(p0), name="p"), ms.Parameter(ms.Tensor(v0), name="v")
    out = P.ApplyMomentum(use_nesterov=nesterov)(p, v, ms.Tensor(lr), ms.Tensor(g), 0.9)
    v1 = v0 * u + g
    p1 = p0 - (g * lr + v1 * u * lr) if nesterov else p0 - v1 * lr
    np.testing.assert_array_equal(v.asnumpy(), v1)
    np.testing.assert_allclose(p.asnumpy(), p1, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(out.asnumpy(), p.asnumpy())


def test_softmax_cross_entropy_dlogits_and_labels_carry_no_gradient(device: str) -> None:
    logits, labels = f32([[1.0, 2.0, 3.0]]), f32([[0.2, 0.3, 0.5]])
    op = P.SoftmaxCrossEntropyWithLogits()
    grads = ms.grad(lambda x, y: op(x, y)[1].sum() * 2.0, grad_position=(0, 1))(logits, labels)
    assert all(not g.asnumpy().any() for g in grads)
    label_grad = ms.grad(lambda x, y: op(x, y)[0].sum(), grad_position=1)(logits, labels)
    assert not label_grad.asnumpy().any()


class PrimitiveLeNet(nn.Cell):
    """A small CNN written only with primitives, as MindSpore's own tests write them."""

    def __init__(self) -> None:
        super().__init__()
        rng = np.random.default_rng(3)
        self.conv_w = ms.Parameter(ms.Tensor(rng.normal(0, 0.3, (4, 1, 3, 3)).astype(np.float32)), name="conv_w")
        self.conv_b = ms.Parameter(ms.Tensor(np.zeros(4, np.float32)), name="conv_b")
        self.fc_w = ms.Parameter(ms.Tensor(rng.normal(0, 0.3, (3, 16)).astype(np.float32)), name="fc_w")
        self.conv = P.Conv2D(4, 3, pad_mode="same")
        self.bias_add = P.BiasAdd()
        self.relu = P.ReLU()
        self.pool = P.MaxPool(kernel_size=2, strides=2)
        self.flatten = P.Flatten()
        self.matmul = P.MatMul(transpose_b=True)
        self.loss = P.SparseSoftmaxCrossEntropyWithLogits()

    def construct(self, x: ms.Tensor, labels: ms.Tensor) -> ms.Tensor:
        h = self.pool(self.relu(self.bias_add(self.conv(x, self.conv_w), self.conv_b)))
        out: ms.Tensor = self.loss(self.matmul(self.flatten(h), self.fc_w), labels)
        return out


def test_a_cell_of_primitives_trains_with_apply_momentum(device: str) -> None:
    net = PrimitiveLeNet()
    rng = np.random.default_rng(4)
    x = ms.Tensor(rng.standard_normal((6, 1, 4, 4)).astype(np.float32))
    labels = ms.Tensor(np.array([0, 1, 2, 0, 1, 2], np.int32))
    params = net.trainable_params()
    moments = [ms.Parameter(ops.zeros_like(p), name=f"m.{p.name}") for p in params]
    step = ms.value_and_grad(net, None, params)
    update = P.ApplyMomentum()
    losses = []
    for _ in range(5):
        loss, grads = step(x, labels)
        losses.append(float(loss.asnumpy()))
        for p, m, g in zip(params, moments, grads):
            update(p, m, 0.1, g, 0.9)
    assert losses[-1] < losses[0]
