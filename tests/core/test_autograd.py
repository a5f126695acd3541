"""The autograd engine: every differentiable op against central finite differences.

Each check differentiates ``sum(fn(*inputs) * w)`` for a fixed random ``w`` (so that a
transposed or mis-broadcast gradient cannot hide behind a sum of ones) with float64
inputs, and compares with ``(f(x + eps) - f(x - eps)) / 2eps`` element by element.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import minispore as ms
from minispore import ops
from minispore.autograd import no_grad

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
EPS = 1e-6
RTOL = 1e-5
ATOL = 1e-7

Host = np.ndarray[Any, Any]


def numeric_gradient(loss: Callable[..., float], inputs: list[Host], position: int) -> Host:
    """Central differences of ``loss`` with respect to ``inputs[position]``."""
    x = inputs[position]
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        x[idx] = original + EPS
        plus = loss(*inputs)
        x[idx] = original - EPS
        minus = loss(*inputs)
        x[idx] = original
        grad[idx] = (plus - minus) / (2 * EPS)
    return grad


def check_gradients(fn: Callable[..., ms.Tensor], *arrays: Any) -> None:
    """``value_and_grad`` of ``sum(fn(*inputs) * w)`` matches finite differences for every input."""
    inputs = [np.array(a, dtype=np.float64) for a in arrays]
    out_shape = fn(*(ms.Tensor(x) for x in inputs)).shape
    weights = np.asarray(np.random.default_rng(7).uniform(0.5, 1.5, out_shape))

    def loss(*tensors: ms.Tensor) -> ms.Tensor:
        return (fn(*tensors) * ms.Tensor(weights)).sum()

    def host_loss(*xs: Host) -> float:
        return float((fn(*(ms.Tensor(x) for x in xs)).asnumpy() * weights).sum())

    positions = tuple(range(len(inputs)))
    value, grads = ms.value_and_grad(loss, grad_position=positions)(*(ms.Tensor(x) for x in inputs))
    np.testing.assert_allclose(value.asnumpy(), host_loss(*inputs), rtol=1e-12)
    for position, grad in zip(positions, grads):
        assert grad.dtype == ms.float64
        assert grad.shape == inputs[position].shape
        expected = numeric_gradient(host_loss, inputs, position)
        np.testing.assert_allclose(grad.asnumpy(), expected, rtol=RTOL, atol=ATOL, err_msg=f"input {position}")


def arrays(shape: Any, low: float = -2.0, high: float = 2.0) -> st.SearchStrategy[Host]:
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high))


def away_from_zero(shape: Any, low: float = 0.1, high: float = 2.0) -> st.SearchStrategy[Host]:
    """Values with ``low <= |v| <= high``: clear of the kinks of abs and relu."""
    magnitudes = arrays(shape, low, high)
    signs = hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0]))
    return st.tuples(magnitudes, signs).map(lambda pair: pair[0] * pair[1])


def distinct(shape: tuple[int, ...]) -> st.SearchStrategy[Host]:
    """Values at least 0.3 apart, so max/min have no ties and no near-ties."""
    size = int(np.prod(shape))
    return st.permutations(list(range(size))).map(lambda p: (np.array(p, np.float64) * 0.3 - 1.0).reshape(shape))


SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, max_side=3)
NONEMPTY = hnp.array_shapes(min_dims=1, max_dims=3, max_side=3)
PAIRS = hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)


# elementwise -----------------------------------------------------------------------------------

UNARY: list[tuple[str, Callable[[ms.Tensor], ms.Tensor], float, float, bool]] = [
    # name, function, low, high, stay clear of zero
    ("neg", ops.neg, -2.0, 2.0, False),
    ("exp", ops.exp, -2.0, 2.0, False),
    ("log", ops.log, 0.2, 3.0, False),
    ("sqrt", ops.sqrt, 0.2, 3.0, False),
    ("abs", ops.abs, 0.1, 2.0, True),
    ("sin", ops.sin, -3.0, 3.0, False),
    ("cos", ops.cos, -3.0, 3.0, False),
    ("tanh", ops.tanh, -3.0, 3.0, False),
    ("sigmoid", ops.sigmoid, -4.0, 4.0, False),
    ("relu", ops.relu, 0.1, 2.0, True),
    ("square", ops.square, -2.0, 2.0, False),
    ("reciprocal", ops.reciprocal, 0.2, 2.0, True),
    ("pow_scalar", lambda x: x**3, -2.0, 2.0, False),
    ("rpow_scalar", lambda x: 2.0**x, -2.0, 2.0, False),
    ("clamp", lambda x: ops.clamp(x, -1.05, 1.05), -2.0, 2.0, False),
    ("method_chain", lambda x: (x.exp() + 1.0).log().sqrt().neg(), -2.0, 2.0, False),
]


@pytest.mark.parametrize(("name", "fn", "low", "high", "signed"), UNARY, ids=[u[0] for u in UNARY])
@SETTINGS
@given(data=st.data())
def test_unary_gradients(
    device: str,
    name: str,
    fn: Callable[[ms.Tensor], ms.Tensor],
    low: float,
    high: float,
    signed: bool,
    data: st.DataObject,
) -> None:
    shape = data.draw(SHAPES)
    x = data.draw(away_from_zero(shape, low, high) if signed else arrays(shape, low, high))
    if name == "clamp":
        assume(np.all(np.abs(np.abs(x) - 1.05) > 1e-3))
    check_gradients(fn, x)


BINARY: list[tuple[str, Callable[[ms.Tensor, ms.Tensor], ms.Tensor]]] = [
    ("add", lambda x, y: x + y),
    ("sub", lambda x, y: x - y),
    ("mul", lambda x, y: x * y),
    ("div", lambda x, y: x / y),
    ("pow", lambda x, y: x**y),
    ("maximum", ops.maximum),
    ("minimum", ops.minimum),
]


@pytest.mark.parametrize(("name", "fn"), BINARY, ids=[b[0] for b in BINARY])
@SETTINGS
@given(data=st.data())
def test_binary_gradients_with_broadcasting(
    device: str, name: str, fn: Callable[[ms.Tensor, ms.Tensor], ms.Tensor], data: st.DataObject
) -> None:
    shapes = data.draw(PAIRS).input_shapes
    if name == "pow":
        x, y = data.draw(arrays(shapes[0], 0.5, 2.0)), data.draw(arrays(shapes[1]))
    elif name == "div":
        x, y = data.draw(arrays(shapes[0])), data.draw(away_from_zero(shapes[1], 0.5, 2.0))
    else:
        x, y = data.draw(arrays(shapes[0])), data.draw(arrays(shapes[1]))
    if name in ("maximum", "minimum"):
        assume(np.all(np.abs(np.subtract(x, y)) > 1e-3))
    check_gradients(fn, x, y)


def test_binary_gradients_with_python_scalars(device: str) -> None:
    x = np.array([[0.5, 1.5], [2.0, 0.7]])
    for fn in (
        lambda t: t + 2.0,
        lambda t: 3.0 - t,
        lambda t: t * 0.1,
        lambda t: 1.0 / t,
        lambda t: t / 4,
        lambda t: ops.maximum(t, 1.0),
        lambda t: ops.minimum(1.0, t),
    ):
        check_gradients(fn, x)


def test_pow_with_negative_base_and_integer_exponent(device: str) -> None:
    check_gradients(lambda x: x**2.0, np.array([-1.5, -0.5, 0.5]))
    _, grad = ms.value_and_grad(lambda x: (x**2.0).sum())(ms.Tensor(np.array([-1.5, 0.0])))
    np.testing.assert_allclose(grad.asnumpy(), [-3.0, 0.0])


def test_pow_exponent_gradient_is_zero_where_base_is_not_positive(device: str) -> None:
    _, grad = ms.value_and_grad(lambda x, y: (x**y).sum(), 1)(
        ms.Tensor(np.array([0.0, -2.0, 2.0])), ms.Tensor(np.array([2.0, 2.0, 2.0]))
    )
    np.testing.assert_allclose(grad.asnumpy(), [0.0, 0.0, 4.0 * np.log(2.0)])


def test_maximum_and_minimum_ties_go_to_the_first_operand(device: str) -> None:
    x, y = ms.Tensor(np.array([1.0, 2.0])), ms.Tensor(np.array([1.0, 3.0]))
    for op in (ops.maximum, ops.minimum):
        _, (gx, gy) = ms.value_and_grad(lambda a, b: op(a, b).sum(), (0, 1))(x, y)  # noqa: B023
        assert gx.asnumpy()[0] + gy.asnumpy()[0] == 1.0
        assert gx.asnumpy()[0] == 1.0


def test_relu_derivative_is_zero_at_zero(device: str) -> None:
    _, grad = ms.value_and_grad(lambda x: ops.relu(x).sum())(ms.Tensor([-1.0, 0.0, 2.0]))
    assert grad.tolist() == [0.0, 0.0, 1.0]


def test_abs_derivative_is_zero_at_zero(device: str) -> None:
    _, grad = ms.value_and_grad(lambda x: ops.abs(x).sum())(ms.Tensor([-1.0, 0.0, 2.0]))
    assert grad.tolist() == [-1.0, 0.0, 1.0]


def test_piecewise_constant_functions_have_zero_gradient(device: str) -> None:
    x = ms.Tensor([-1.5, 0.5, 2.5])
    for fn in (ops.floor, ops.ceil, ops.sign, lambda t: t // 2.0):
        _, grad = ms.value_and_grad(lambda t: fn(t).sum())(x)  # noqa: B023
        assert grad.tolist() == [0.0, 0.0, 0.0]


@SETTINGS
@given(data=st.data())
def test_where_gradients(device: str, data: st.DataObject) -> None:
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3)).input_shapes
    condition = data.draw(hnp.arrays(np.bool_, shapes[0]))
    x, y = data.draw(arrays(shapes[1])), data.draw(arrays(shapes[2]))
    check_gradients(lambda a, b: ops.where(ms.Tensor(condition), a, b), x, y)


def test_where_with_a_condition_computed_from_the_input(device: str) -> None:
    check_gradients(lambda x: ops.where(x > 0, x * x, 0.5), np.array([[-1.0, 2.0], [0.5, -0.3]]))


def test_cast_gradients(device: str) -> None:
    """The gradient of a cast is the upstream gradient cast back to the input's dtype."""
    weights = np.array([0.3, -1.7, 2.5])
    w32, w64 = ms.Tensor(weights.astype(np.float32)), ms.Tensor(weights)

    _, g64 = ms.value_and_grad(lambda x: (x.astype(ms.float32) * w32).sum())(ms.Tensor(np.ones(3)))
    assert g64.dtype == ms.float64
    np.testing.assert_array_equal(g64.asnumpy(), weights.astype(np.float32).astype(np.float64))

    _, g32 = ms.value_and_grad(lambda x: (ops.cast(x, ms.float64) * w64).sum())(ms.Tensor(np.ones(3, np.float32)))
    assert g32.dtype == ms.float32
    np.testing.assert_array_equal(g32.asnumpy(), weights.astype(np.float32))


def test_mixed_precision_operands_get_gradients_in_their_own_dtype(device: str) -> None:
    x = ms.Tensor(np.array([1.0, 2.0], np.float32))
    y = ms.Tensor(np.array([3.0, 4.0], np.float64))
    _, (gx, gy) = ms.value_and_grad(lambda a, b: (a * b).sum(), (0, 1))(x, y)
    assert gx.dtype == ms.float32
    assert gy.dtype == ms.float64
    assert gx.tolist() == [3.0, 4.0]
    assert gy.tolist() == [1.0, 2.0]


# reductions ------------------------------------------------------------------------------------


@st.composite
def shape_and_axis(draw: st.DrawFn) -> tuple[tuple[int, ...], Any]:
    shape = draw(NONEMPTY)
    ndim = len(shape)
    axis = draw(
        st.none() | st.integers(-ndim, ndim - 1) | hnp.valid_tuple_axes(ndim, min_size=1).map(tuple) | st.just(())
    )
    return shape, axis


REDUCTIONS: list[tuple[str, Callable[[ms.Tensor, Any, bool], ms.Tensor]]] = [
    ("sum", lambda x, axis, keep: x.sum(axis, keepdims=keep)),
    ("mean", lambda x, axis, keep: x.mean(axis, keep_dims=keep)),
    ("max", lambda x, axis, keep: x.max(axis, keepdims=keep)),
    ("min", lambda x, axis, keep: x.min(axis, keepdims=keep)),
    ("ops.sum", lambda x, axis, keep: ops.sum(x, axis, keep)),
    ("ops.mean", lambda x, axis, keep: ops.mean(x, axis, keep)),
]


@pytest.mark.parametrize(("name", "reduce"), REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
@SETTINGS
@given(case=shape_and_axis(), keep=st.booleans(), data=st.data())
def test_reduction_gradients(
    device: str,
    name: str,
    reduce: Callable[[ms.Tensor, Any, bool], ms.Tensor],
    case: tuple[tuple[int, ...], Any],
    keep: bool,
    data: st.DataObject,
) -> None:
    shape, axis = case
    x = data.draw(distinct(shape))
    check_gradients(lambda t: reduce(t, axis, keep), x)


@pytest.mark.parametrize(
    ("axis", "keep", "expected_max"),
    [
        (1, False, [[0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]]),
        (1, True, [[0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]]),
        (0, False, [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]]),
        (None, False, [[0.0, 0.5, 0.5], [0.0, 0.0, 0.0]]),
    ],
)
def test_max_ties_share_the_gradient_equally(device: str, axis: int | None, keep: bool, expected_max: Any) -> None:
    x = ms.Tensor(np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]))
    _, grad = ms.value_and_grad(lambda t: t.max(axis, keepdims=keep).sum())(x)
    np.testing.assert_allclose(grad.asnumpy(), expected_max)
    _, grad = ms.value_and_grad(lambda t: (-t).min(axis, keepdims=keep).sum())(x)
    np.testing.assert_allclose(grad.asnumpy(), -np.array(expected_max))


def test_max_tie_shares_scale_with_the_upstream_gradient(device: str) -> None:
    x = ms.Tensor(np.array([[5.0, 5.0], [1.0, 4.0]]))
    _, grad = ms.value_and_grad(lambda t: (t.max(1) * ms.Tensor(np.array([2.0, 3.0]))).sum())(x)
    np.testing.assert_allclose(grad.asnumpy(), [[1.0, 1.0], [0.0, 3.0]])


def test_integer_sum_and_argmax_are_not_differentiated(device: str) -> None:
    x = ms.Tensor(np.array([1.0, 3.0, 2.0]))
    _, grad = ms.value_and_grad(lambda t: t.sum() + t.argmax().astype(ms.float64))(x)
    assert grad.tolist() == [1.0, 1.0, 1.0]


# movement --------------------------------------------------------------------------------------


@SETTINGS
@given(shape=SHAPES, data=st.data())
def test_reshape_gradients(device: str, shape: tuple[int, ...], data: st.DataObject) -> None:
    x = data.draw(arrays(shape))
    target = data.draw(st.sampled_from([(-1,), tuple(reversed(shape)), (1, *shape, 1), (x.size, 1)]))
    check_gradients(lambda t: t.reshape(target), x)
    check_gradients(lambda t: ops.reshape(t, target) * t.reshape(target), x)


@SETTINGS
@given(shape=NONEMPTY, data=st.data())
def test_transpose_gradients(device: str, shape: tuple[int, ...], data: st.DataObject) -> None:
    x = data.draw(arrays(shape))
    perm = tuple(data.draw(st.permutations(list(range(len(shape))))))
    check_gradients(lambda t: t.transpose(perm), x)
    check_gradients(lambda t: t.T * 2.0, x)


@SETTINGS
@given(target=SHAPES, data=st.data())
def test_broadcast_to_gradients(device: str, target: tuple[int, ...], data: st.DataObject) -> None:
    dropped = data.draw(st.integers(0, len(target)))
    shape = tuple(data.draw(st.sampled_from([d, 1])) for d in target[dropped:])
    check_gradients(lambda t: ops.broadcast_to(t, target), data.draw(arrays(shape)))


def test_shape_helpers_gradients(device: str) -> None:
    x = np.arange(6.0).reshape(1, 2, 3, 1) / 7
    check_gradients(lambda t: t.squeeze(), x)
    check_gradients(lambda t: t.flatten(), x)
    check_gradients(lambda t: ops.flatten(t), x)
    check_gradients(lambda t: t.expand_dims(1), x)
    check_gradients(lambda t: ops.swapaxes(t, 1, 2), x)


@SETTINGS
@given(data=st.data())
def test_basic_getitem_gradients(device: str, data: st.DataObject) -> None:
    shape = data.draw(NONEMPTY)
    key = data.draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    items = key if isinstance(key, tuple) else (key,)
    assume(not any(isinstance(k, slice) and k.step is not None and k.step < 0 for k in items))
    check_gradients(lambda t: t[key], data.draw(arrays(shape)))


@SETTINGS
@given(data=st.data())
def test_integer_array_getitem_gradients(device: str, data: st.DataObject) -> None:
    shape = data.draw(NONEMPTY)
    axis = data.draw(st.integers(0, len(shape) - 1))
    n = shape[axis]
    index_shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=4))
    index = data.draw(hnp.arrays(np.int64, index_shape, elements=st.integers(-n, n - 1)))
    key = (slice(None),) * axis + (index,)
    check_gradients(lambda t: t[key], data.draw(arrays(shape)))
    as_list = (slice(None),) * axis + (index.tolist(),)
    check_gradients(lambda t: t[as_list], data.draw(arrays(shape)))


def test_repeated_indices_accumulate(device: str) -> None:
    x = ms.Tensor(np.array([10.0, 20.0, 30.0]))
    _, grad = ms.value_and_grad(lambda t: t[[0, 2, 0, 0]].sum())(x)
    assert grad.tolist() == [3.0, 0.0, 1.0]
    _, grad = ms.value_and_grad(lambda t: ops.gather(t, ms.Tensor([1, 1, -1]), 0).sum())(x)
    assert grad.tolist() == [0.0, 2.0, 1.0]
    check_gradients(lambda t: t[:, [1, 1, 0]], np.arange(6.0).reshape(2, 3))


def test_mixed_getitem_gradients(device: str) -> None:
    x = np.arange(24.0).reshape(2, 3, 4) / 10
    for key in [(0, [2, 1]), (1, slice(None), [0, 3, 3]), (slice(None), 0, [1, 1]), (None, [0, 1], Ellipsis, 2)]:
        check_gradients(lambda t: t[key], x)  # noqa: B023


@SETTINGS
@given(data=st.data())
def test_concat_gradients(device: str, data: st.DataObject) -> None:
    base = data.draw(NONEMPTY)
    axis = data.draw(st.integers(-len(base), len(base) - 1))
    sizes = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    shapes = [tuple(s if i == axis % len(base) else d for i, d in enumerate(base)) for s in sizes]
    xs = [data.draw(arrays(s)) for s in shapes]
    check_gradients(lambda *ts: ops.concat(list(ts), axis), *xs)


@SETTINGS
@given(data=st.data())
def test_stack_gradients(device: str, data: st.DataObject) -> None:
    shape = data.draw(SHAPES)
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    count = data.draw(st.integers(1, 3))
    xs = [data.draw(arrays(shape)) for _ in range(count)]
    check_gradients(lambda *ts: ops.stack(list(ts), axis), *xs)


def test_concat_of_one_tensor_twice(device: str) -> None:
    check_gradients(lambda t: ops.concat([t, t * 2.0, t], 0), np.array([1.0, -2.0]))


# matmul ----------------------------------------------------------------------------------------

MATMUL_SHAPES = [
    ((3,), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((1, 1), (1, 1)),
    ((4, 2, 3), (3, 2)),
    ((3,), (4, 3, 2)),
    ((4, 2, 3), (3,)),
    ((4, 2, 3), (4, 3, 2)),
    ((2, 1, 2, 3), (3, 3, 2)),
    ((2, 3), (2, 1, 3, 2)),
]


@pytest.mark.parametrize(("sa", "sb"), MATMUL_SHAPES, ids=[f"{a}@{b}" for a, b in MATMUL_SHAPES])
def test_matmul_gradients(device: str, sa: tuple[int, ...], sb: tuple[int, ...]) -> None:
    rng = np.random.default_rng(3)
    check_gradients(lambda a, b: a @ b, rng.normal(size=sa), rng.normal(size=sb))


@SETTINGS
@given(data=st.data())
def test_batched_matmul_gradients_with_broadcasting(device: str, data: st.DataObject) -> None:
    batches = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3)).input_shapes
    n, k, m = (data.draw(st.integers(1, 3)) for _ in range(3))
    vector_a, vector_b = data.draw(st.booleans()), data.draw(st.booleans())
    sa = (k,) if vector_a else (*batches[0], n, k)
    sb = (k,) if vector_b else (*batches[1], k, m)
    check_gradients(ops.matmul, data.draw(arrays(sa)), data.draw(arrays(sb)))


# the engine ------------------------------------------------------------------------------------


def test_tensor_used_twice_accumulates(device: str) -> None:
    _, grad = ms.value_and_grad(lambda x: (x * x + x).sum())(ms.Tensor([1.0, 3.0]))
    assert grad.tolist() == [3.0, 7.0]
    check_gradients(lambda x: ops.exp(x) * ops.sin(x) + x / (x * x + 1.0), np.array([0.3, -1.2, 2.0]))


def test_diamond_graph(device: str) -> None:
    def fn(x: ms.Tensor) -> ms.Tensor:
        a = x * 2.0
        b = a.exp()
        c = ops.sin(a)
        return b * c + a

    check_gradients(fn, np.array([[0.1, -0.4], [0.7, 1.1]]))


def test_deep_chain_backpropagates_without_recursion(device: str) -> None:
    depth = 5000
    assert depth > sys.getrecursionlimit() // 2

    def chain(x: ms.Tensor) -> ms.Tensor:
        for _ in range(depth):
            x = x * 1.0001 + 0.0
        return x.sum()

    value, grad = ms.value_and_grad(chain)(ms.Tensor(np.array([1.0, 2.0])))
    np.testing.assert_allclose(grad.asnumpy(), [1.0001**depth] * 2, rtol=1e-9)
    np.testing.assert_allclose(value.asnumpy(), 3.0 * 1.0001**depth, rtol=1e-9)


def test_deep_graph_left_unused_is_freed(device: str) -> None:
    """An aux output's 5,000-node graph is never walked; dropping it must not recurse either."""

    def fn(x: ms.Tensor) -> tuple[ms.Tensor, ms.Tensor]:
        chain = x
        for _ in range(5000):
            chain = chain + 1.0
        return x.sum(), chain

    (_, aux), grad = ms.value_and_grad(fn, has_aux=True)(ms.Tensor([0.0]))
    assert aux.tolist() == [5000.0]
    assert grad.tolist() == [1.0]


def test_stop_gradient_blocks_the_gradient(device: str) -> None:
    x = ms.Tensor([2.0, 3.0])
    _, grad = ms.value_and_grad(lambda t: (t * ops.stop_gradient(t)).sum())(x)
    assert grad.tolist() == [2.0, 3.0]
    _, grad = ms.value_and_grad(lambda t: (t * t.stop_gradient() + t).sum())(x)
    assert grad.tolist() == [3.0, 4.0]
    _, grad = ms.value_and_grad(lambda t: ops.stop_gradient(t * t).sum())(x)
    assert grad.tolist() == [0.0, 0.0]


def test_no_grad_blocks_recording(device: str) -> None:
    def fn(t: ms.Tensor) -> ms.Tensor:
        with no_grad():
            frozen = t * 10.0
        assert frozen._node is None
        return (t * frozen).sum()

    _, grad = ms.value_and_grad(fn)(ms.Tensor([1.0, 2.0]))
    assert grad.tolist() == [10.0, 20.0]


def test_no_graph_outside_value_and_grad(device: str) -> None:
    x = ms.Tensor([1.0, 2.0])
    p = ms.Parameter(np.ones(2, np.float32), name="p")
    for y in (x * 2.0, (x + p).sum(), x[0], ops.matmul(x, x), x.reshape(2, 1), ops.concat([x, x]), p.exp()):
        assert y._node is None


def test_only_watched_tensors_are_recorded(device: str) -> None:
    constant = ms.Tensor([5.0, 6.0])
    seen: dict[str, ms.Tensor] = {}

    def fn(x: ms.Tensor) -> ms.Tensor:
        seen["constant_op"] = constant * 2.0
        seen["watched_op"] = x * 2.0
        assert seen["constant_op"]._node is None
        assert seen["watched_op"]._node is not None
        return (seen["watched_op"] * seen["constant_op"]).sum()

    _, grad = ms.value_and_grad(fn)(ms.Tensor([1.0, 1.0]))
    assert grad.tolist() == [20.0, 24.0]


def test_returned_value_has_no_graph(device: str) -> None:
    def fn(x: ms.Tensor) -> tuple[ms.Tensor, ms.Tensor]:
        return (x * x).sum(), x * 3.0

    value, _ = ms.value_and_grad(fn, has_aux=True)(ms.Tensor([1.0, 2.0]))
    assert all(v._node is None for v in value)
    value, _ = ms.value_and_grad(lambda x: x * 2.0)(ms.Tensor([1.0]))
    assert value._node is None


def test_saved_state_is_released_after_backward(device: str) -> None:
    seen: list[ms.Tensor] = []

    def fn(x: ms.Tensor) -> ms.Tensor:
        y = x.exp() * x
        seen.append(y)
        return y.sum()

    ms.value_and_grad(fn)(ms.Tensor([1.0]))
    node = seen[0]._node
    assert node is None or (node.fn is None and node.inputs == ())


def test_gradient_of_an_output_that_is_the_input(device: str) -> None:
    _, grad = ms.value_and_grad(lambda x: x)(ms.Tensor([1.0, 2.0]))
    assert grad.tolist() == [1.0, 1.0]


def test_in_place_write_after_use_does_not_change_the_gradient(device: str) -> None:
    def fn(x: ms.Tensor, y: ms.Tensor) -> ms.Tensor:
        out = (x * y).sum()
        y[0] = 100.0
        return out

    _, grad = ms.value_and_grad(fn)(ms.Tensor([1.0, 1.0]), ms.Tensor([2.0, 3.0]))
    assert grad.tolist() == [2.0, 3.0]
