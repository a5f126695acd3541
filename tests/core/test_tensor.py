"""Tensor: MindSpore's dtype inference, attributes, operators, indexing and reductions.

Every numeric result is checked against NumPy on each available backend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from minispore_numpy import NumpyBackend

import minispore as ms
from minispore import ops
from minispore.backend import available_backends, registry

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FLOATS = st.floats(-4.0, 4.0, width=32)


def close(actual: ms.Tensor, expected: Any, rtol: float = 1e-6, atol: float = 1e-6) -> None:
    """``actual`` has ``expected``'s shape and values (within float32 rounding)."""
    want = np.asarray(expected)
    got = actual.asnumpy()
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


# dtype inference (spec §9) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "dtype"),
    [
        (1.5, ms.float32),
        (3, ms.int64),
        (True, ms.bool_),
        ([1.0, 2.0], ms.float32),
        ([1, 2.5], ms.float32),
        ([[1, 2], [3, 4]], ms.int64),
        ([True, False], ms.bool_),
        (np.zeros(3, np.float64), ms.float64),
        (np.zeros(3, np.float32), ms.float32),
        (np.zeros(3, np.float16), ms.float16),
        (np.zeros(3, np.int32), ms.int32),
        (np.zeros(3, np.uint8), ms.uint8),
        (np.float64(2.0), ms.float64),
    ],
)
def test_dtype_inference(device: str, data: Any, dtype: ms.DType) -> None:
    t = ms.Tensor(data)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.asnumpy(), np.asarray(data))


def test_explicit_dtype_parses_python_floats_exactly(device: str) -> None:
    assert ms.Tensor(0.1, ms.float64).asnumpy().item() == 0.1
    assert ms.Tensor([0.1, 0.2], ms.float64).asnumpy().tolist() == [0.1, 0.2]
    assert ms.Tensor(3, ms.float32).dtype == ms.float32


def test_tensor_from_tensor_copies(device: str) -> None:
    a = ms.Tensor([1.0, 2.0])
    b = ms.Tensor(a)
    b[0] = 5.0
    assert a.asnumpy().tolist() == [1.0, 2.0]
    assert ms.Tensor(a, ms.int32).dtype == ms.int32


@pytest.mark.parametrize("bad", ["text", None, object(), np.array(["a"])])
def test_unsupported_data_is_a_type_error(device: str, bad: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        ms.Tensor(bad)


@pytest.mark.parametrize(
    ("dtype", "name"),
    [
        (ms.bool_, "Bool"),
        (ms.int8, "Int8"),
        (ms.int16, "Int16"),
        (ms.int32, "Int32"),
        (ms.int64, "Int64"),
        (ms.uint8, "UInt8"),
        (ms.float16, "Float16"),
        (ms.float32, "Float32"),
        (ms.float64, "Float64"),
    ],
)
def test_dtype_repr(dtype: ms.DType, name: str) -> None:
    assert repr(dtype) == name
    assert str(dtype) == name


def test_dtype_aliases_and_conversion() -> None:
    assert ms.float_ == ms.float32
    assert ms.int_ == ms.int64
    assert ms.dtype.to_dtype(np.float32) == ms.float32
    assert ms.dtype.to_dtype("float64") == ms.float64
    assert hash(ms.float32) == hash(ms.dtype.to_dtype(np.dtype("float32")))
    with pytest.raises(TypeError, match="not supported"):
        ms.dtype.to_dtype(np.complex64)


def test_tensor_repr(device: str) -> None:
    assert repr(ms.Tensor([1.0, 2.0])) == "Tensor(shape=[2], dtype=Float32, value= [ 1.00000000e+00,  2.00000000e+00])"
    assert str(ms.Tensor([1.0, 2.0])) == "[1. 2.]"


# attributes and conversion ------------------------------------------------------------------


def test_attributes(device: str) -> None:
    host = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = ms.Tensor(host)
    assert t.shape == (2, 3)
    assert t.ndim == 2
    assert t.size == 6
    assert t.dtype == ms.float32
    assert t.itemsize == 4
    assert t.nbytes == 24
    assert len(t) == 2
    out = t.asnumpy()
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, host)
    out[0, 0] = 99.0
    assert t.asnumpy()[0, 0] == 0.0, "asnumpy must return a copy"
    assert t.tolist() == host.tolist()
    assert t.device == device


def test_item(device: str) -> None:
    assert ms.Tensor(3).item() == 3
    assert isinstance(ms.Tensor(3).item(), int)
    assert ms.Tensor([2.5]).item() == 2.5
    assert isinstance(ms.Tensor([[2.5]]).item(), float)
    assert ms.Tensor(True).item() is True
    assert float(ms.Tensor(1.5)) == 1.5
    assert int(ms.Tensor(7)) == 7
    with pytest.raises(ValueError, match="one element"):
        ms.Tensor([1.0, 2.0]).item()


def test_truth_value(device: str) -> None:
    assert bool(ms.Tensor(1.0))
    assert not bool(ms.Tensor([0]))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(ms.Tensor([1.0, 2.0]))


@pytest.mark.parametrize("target", [ms.float16, ms.float64, ms.int32, ms.int64, ms.bool_, ms.uint8])
def test_astype(device: str, target: ms.DType) -> None:
    host = np.array([-1.5, 0.0, 2.7], np.float32)
    t = ms.Tensor(host).astype(target)
    assert t.dtype == target
    np.testing.assert_array_equal(t.asnumpy(), host.astype(target.np_dtype))


def test_to_dtype(device: str) -> None:
    t = ms.Tensor([1.0, 2.0])
    for target in (ms.float64, np.float64, "float64"):
        moved = t.to(target)
        assert moved.dtype == ms.float64
        assert moved.device == device
    assert t.dtype == ms.float32


def test_to_same_device_is_identity(device: str) -> None:
    t = ms.Tensor([1.0])
    assert t.to(device) is t


# operators ---------------------------------------------------------------------------------

BINARY: list[tuple[str, Callable[[Any, Any], Any], Callable[[Any, Any], Any]]] = [
    ("add", lambda a, b: a + b, np.add),
    ("sub", lambda a, b: a - b, np.subtract),
    ("mul", lambda a, b: a * b, np.multiply),
    ("div", lambda a, b: a / b, np.divide),
    ("maximum", ops.maximum, np.maximum),
    ("minimum", ops.minimum, np.minimum),
]


@pytest.mark.parametrize(("name", "op", "reference"), BINARY, ids=[n for n, _, _ in BINARY])
@SETTINGS
@given(data=st.data())
def test_binary_broadcasting(
    device: str, name: str, op: Callable[[Any, Any], Any], reference: Callable[[Any, Any], Any], data: st.DataObject
) -> None:
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    a = data.draw(hnp.arrays(np.float32, shapes.input_shapes[0], elements=FLOATS))
    b = data.draw(hnp.arrays(np.float32, shapes.input_shapes[1], elements=st.floats(0.5, 4.0, width=32)))
    out = op(ms.Tensor(a), ms.Tensor(b))
    assert out.dtype == ms.float32
    close(out, reference(a, b))


@SETTINGS
@given(
    base=hnp.arrays(np.float32, hnp.array_shapes(max_dims=2, max_side=3), elements=st.floats(0.125, 3.0, width=32)),
    exponent=st.floats(-2.0, 2.0),
)
def test_pow(device: str, base: np.ndarray[Any, Any], exponent: float) -> None:
    t = ms.Tensor(base)
    close(t**exponent, base ** np.float32(exponent), rtol=1e-5)
    close(t.pow(2), base**2, rtol=1e-5)
    close(2.0**t, np.float32(2.0) ** base, rtol=1e-5)
    close(t**t, base**base, rtol=1e-5)


def test_reflected_operators(device: str) -> None:
    t = ms.Tensor([1.0, 2.0, 4.0])
    close(1 - t, [0.0, -1.0, -3.0])
    close(2 / t, [2.0, 1.0, 0.5])
    close(3 + t, [4.0, 5.0, 7.0])
    close(2 * t, [2.0, 4.0, 8.0])
    close(t + np.float32(1.0), [2.0, 3.0, 5.0])
    close(ms.Tensor([7, -7]) // 2, [3, -4])
    close(-t, [-1.0, -2.0, -4.0])


@pytest.mark.parametrize(
    ("dtype", "scalar", "expected"),
    [
        (ms.int64, 2.5, ms.float32),
        (ms.int32, 2.5, ms.float32),
        (ms.int32, 2, ms.int32),
        (ms.uint8, 3, ms.uint8),
        (ms.float16, 1.0, ms.float16),
        (ms.float16, 2, ms.float16),
        (ms.float64, 0.1, ms.float64),
        (ms.float32, 3, ms.float32),
        (ms.bool_, 1.5, ms.float32),
    ],
)
def test_python_scalars_are_weakly_typed(device: str, dtype: ms.DType, scalar: Any, expected: ms.DType) -> None:
    host = np.array([1, 2, 3]).astype(dtype.np_dtype)
    t = ms.Tensor(host)
    for out, want in ((t * scalar, host * scalar), (scalar + t, scalar + host)):
        assert out.dtype == expected
        close(out, np.asarray(want).astype(expected.np_dtype), rtol=1e-3)


def test_int_tensor_times_float_gives_exact_float32(device: str) -> None:
    out = ms.Tensor([1, 2]) * 2.5
    assert out.dtype == ms.float32
    assert out.asnumpy().tolist() == [2.5, 5.0]


def test_float64_scalar_arithmetic_keeps_precision(device: str) -> None:
    out = ms.Tensor(np.array([0.1])) + 0.1
    assert out.asnumpy().item() == 0.1 + 0.1


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (ms.int64, ms.float32, ms.float32),
        (ms.int32, ms.float16, ms.float16),
        (ms.int64, ms.float16, ms.float16),
        (ms.float32, ms.float64, ms.float64),
        (ms.float16, ms.float32, ms.float32),
        (ms.int8, ms.uint8, ms.int16),
        (ms.int32, ms.int64, ms.int64),
        (ms.bool_, ms.int32, ms.int32),
        (ms.bool_, ms.float16, ms.float16),
    ],
)
def test_tensor_tensor_promotion(device: str, a: ms.DType, b: ms.DType, expected: ms.DType) -> None:
    """MindSpore's order: bool < uint8 < int8 < int16 < int32 < int64 < float16 < float32 < float64."""
    x = ms.Tensor(np.array([1, 0, 1]).astype(a.np_dtype))
    y = ms.Tensor(np.array([2, 3, 1]).astype(b.np_dtype))
    assert (x + y).dtype == expected
    assert (y * x).dtype == expected
    close(x + y, [3, 3, 2])


def test_tensor_with_ndarray_operand(device: str) -> None:
    t = ms.Tensor([1.0, 2.0])
    close(t + np.array([1.0, 1.0], np.float32), [2.0, 3.0])
    close(t * [2.0, 3.0], [2.0, 6.0])


COMPARISONS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("eq", lambda a, b: a == b),
    ("ne", lambda a, b: a != b),
    ("lt", lambda a, b: a < b),
    ("le", lambda a, b: a <= b),
    ("gt", lambda a, b: a > b),
    ("ge", lambda a, b: a >= b),
]


@pytest.mark.parametrize(("name", "op"), COMPARISONS, ids=[n for n, _ in COMPARISONS])
def test_comparisons_return_bool(device: str, name: str, op: Callable[[Any, Any], Any]) -> None:
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]], np.float32)
    b = np.array([2.0, 2.0, 2.0], np.float32)
    for out, want in ((op(ms.Tensor(a), ms.Tensor(b)), op(a, b)), (op(ms.Tensor(a), 2), op(a, 2))):
        assert out.dtype == ms.bool_
        np.testing.assert_array_equal(out.asnumpy(), want)
    mixed = op(ms.Tensor([1, 2, 3]), 2.5)
    assert mixed.dtype == ms.bool_
    np.testing.assert_array_equal(mixed.asnumpy(), op(np.array([1, 2, 3]), 2.5))


def test_logical_operators(device: str) -> None:
    a = ms.Tensor([True, True, False])
    b = ms.Tensor([True, False, False])
    assert (a & b).tolist() == [True, False, False]
    assert (a | b).tolist() == [True, True, False]
    assert (~a).tolist() == [False, False, True]
    assert ms.Tensor([0.0, 2.0]).any().item() is True
    assert ms.Tensor([0.0, 2.0]).all().item() is False


UNARY: list[tuple[str, Callable[[ms.Tensor], ms.Tensor], Callable[[Any], Any]]] = [
    ("exp", ms.Tensor.exp, np.exp),
    ("log", ms.Tensor.log, np.log),
    ("sqrt", ms.Tensor.sqrt, np.sqrt),
    ("abs", ms.Tensor.abs, np.abs),
    ("neg", ms.Tensor.neg, np.negative),
    ("square", ms.Tensor.square, np.square),
    ("tanh", ms.Tensor.tanh, np.tanh),
    ("sigmoid", ms.Tensor.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    ("relu", ms.Tensor.relu, lambda x: np.maximum(x, 0)),
    ("sin", ops.sin, np.sin),
    ("cos", ops.cos, np.cos),
    ("floor", ops.floor, np.floor),
    ("ceil", ops.ceil, np.ceil),
    ("sign", ops.sign, np.sign),
    ("reciprocal", ops.reciprocal, np.reciprocal),
]


@pytest.mark.parametrize(("name", "method", "reference"), UNARY, ids=[n for n, _, _ in UNARY])
@SETTINGS
@given(host=hnp.arrays(np.float32, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), elements=FLOATS))
def test_unary(
    device: str,
    name: str,
    method: Callable[[ms.Tensor], ms.Tensor],
    reference: Callable[[Any], Any],
    host: np.ndarray[Any, Any],
) -> None:
    if name in ("log", "sqrt", "reciprocal"):
        host = np.abs(host) + np.float32(0.25)
    close(method(ms.Tensor(host)), reference(host).astype(np.float32), rtol=1e-5)


def test_abs_operator_and_int_math(device: str) -> None:
    t = ms.Tensor([-1, 2, -3])
    assert abs(t).dtype == ms.int64
    assert abs(t).tolist() == [1, 2, 3]
    assert t.exp().dtype == ms.float32, "transcendental functions of ints give Float32"
    close(t.neg(), [1, -2, 3])


def test_clip_and_where(device: str) -> None:
    t = ms.Tensor([-2.0, 0.5, 3.0])
    close(t.clip(-1.0, 1.0), [-1.0, 0.5, 1.0])
    close(ops.clamp(t, min=0.0), [0.0, 0.5, 3.0])
    close(ops.where(t > 0, t, ms.Tensor([[0.0], [1.0]])), [[0.0, 0.5, 3.0], [1.0, 0.5, 3.0]])


# indexing ---------------------------------------------------------------------------------

HOST = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
KEYS: list[Any] = [
    0,
    -1,
    (1, 2),
    (-1, -2, -3),
    slice(None),
    slice(1, None),
    (slice(None), slice(None, None, 2)),
    (slice(None), slice(0, 3, 2), slice(1, 4, 2)),
    (Ellipsis, 1),
    (0, Ellipsis),
    (1, Ellipsis, slice(1, 3)),
    None,
    (None, 0),
    (slice(None), None, 1),
    (0, None, slice(None), None),
    (Ellipsis, None),
    (slice(5, 10),),
    (slice(2, 1),),
    [1, 0, 1],
    np.array([[1], [0]]),
    (slice(None), [0, 2]),
    (slice(None), slice(None), [-1, 0, -1]),
    (Ellipsis, [3]),
    ([[0, 1], [1, 1]],),
    (0, [2, 1]),
    ([1, 0], 2),
    (1, slice(None), [0, 3]),
    (slice(None), 0, [0, 3]),
    (0, None, [1, 2]),
    ([0, 1], slice(None), 3),
    (None, [0, 1], Ellipsis, 2),
]


@pytest.mark.parametrize("key", KEYS, ids=[repr(k) for k in KEYS])
def test_getitem_matches_numpy(device: str, key: Any) -> None:
    out = ms.Tensor(HOST)[key]
    want = HOST[key]
    assert out.shape == want.shape
    np.testing.assert_array_equal(out.asnumpy(), want)


def test_getitem_with_index_tensors(device: str) -> None:
    t = ms.Tensor(HOST)
    np.testing.assert_array_equal(t[ms.Tensor([1, 0])].asnumpy(), HOST[[1, 0]])
    np.testing.assert_array_equal(t[ms.Tensor(1)].asnumpy(), HOST[1])
    np.testing.assert_array_equal(t[:, ms.Tensor([2, 2], ms.int32)].asnumpy(), HOST[:, [2, 2]])


@SETTINGS
@given(data=st.data())
def test_getitem_random_basic_keys(device: str, data: st.DataObject) -> None:
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, max_side=5))
    host = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    key = data.draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    items = key if isinstance(key, tuple) else (key,)
    assume(not any(isinstance(k, slice) and k.step is not None and k.step < 0 for k in items))
    out = ms.Tensor(host)[key]
    np.testing.assert_array_equal(out.asnumpy(), host[key])


@pytest.mark.parametrize("key", [3, (0, 0, 4), (0, -4), (0, 0, 0, 0), (Ellipsis, 0, Ellipsis)])
def test_getitem_out_of_range(device: str, key: Any) -> None:
    with pytest.raises(IndexError):
        ms.Tensor(HOST)[key]


def test_getitem_rejects_negative_steps_and_two_arrays(device: str) -> None:
    t = ms.Tensor(HOST)
    with pytest.raises(IndexError, match="negative step"):
        t[::-1]
    with pytest.raises(IndexError, match="one integer-array"):
        t[[0, 1], [0, 1]]


def test_iteration(device: str) -> None:
    rows = [r.asnumpy() for r in ms.Tensor(HOST)]
    assert len(rows) == 2
    np.testing.assert_array_equal(rows[1], HOST[1])


SET_KEYS: list[tuple[Any, Any]] = [
    (0, 7.0),
    ((1, 2, 3), -1.0),
    ((slice(None), 1), np.arange(4, dtype=np.float32)),
    ((Ellipsis, slice(0, 4, 2)), np.ones((3, 2), np.float32)),
    ((-1, slice(1, 3)), np.full((1, 2, 4), 5.0, np.float32)),
    (slice(None), 0.5),
    ((0, None, 1), np.arange(4, dtype=np.float32)),
]


@pytest.mark.parametrize(("key", "value"), SET_KEYS, ids=[repr(k) for k, _ in SET_KEYS])
def test_setitem_matches_numpy(device: str, key: Any, value: Any) -> None:
    t = ms.Tensor(HOST)
    want = HOST.copy()
    t[key] = ms.Tensor(value) if isinstance(value, np.ndarray) else value
    want[key] = value
    np.testing.assert_array_equal(t.asnumpy(), want)


def test_setitem_casts_to_the_tensor_dtype(device: str) -> None:
    t = ms.Tensor([1, 2, 3])
    t[1] = 9.7
    assert t.dtype == ms.int64
    assert t.tolist() == [1, 9, 3]


def test_setitem_on_views_does_not_alias(device: str) -> None:
    base = ms.Tensor(HOST)
    flat = base.reshape(-1)
    flat[0] = 100.0
    assert base.asnumpy()[0, 0, 0] == 0.0
    base[1] = -1.0
    assert flat.asnumpy()[12] == 12.0
    wide = ops.broadcast_to(ms.Tensor([1.0, 2.0]), (3, 2))
    wide[0, 0] = 5.0
    np.testing.assert_array_equal(wide.asnumpy(), [[5.0, 2.0], [1.0, 2.0], [1.0, 2.0]])


def test_setitem_errors(device: str) -> None:
    t = ms.Tensor(HOST)
    with pytest.raises(ValueError, match="cannot fill"):
        t[0] = ms.Tensor(np.ones((2, 2), np.float32))
    with pytest.raises(IndexError):
        t[[0, 1]] = 1.0


# shape manipulation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "new"),
    [((2, 3, 4), (-1,)), ((2, 3, 4), (4, -1)), ((2, 3, 4), (2, 12)), ((6,), (1, 6, 1)), ((), (1,)), ((1,), ())],
)
def test_reshape(device: str, shape: tuple[int, ...], new: tuple[int, ...]) -> None:
    host = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    t = ms.Tensor(host)
    np.testing.assert_array_equal(t.reshape(new).asnumpy(), host.reshape(new))
    np.testing.assert_array_equal(t.reshape(*new).asnumpy(), host.reshape(new))
    np.testing.assert_array_equal(ops.reshape(t, new).asnumpy(), host.reshape(new))


@pytest.mark.parametrize("bad", [(5, -1), (-1, -1), (7,), (2, -2)])
def test_reshape_errors(device: str, bad: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="Reshape"):
        ms.Tensor(HOST).reshape(bad)


def test_transpose(device: str) -> None:
    t = ms.Tensor(HOST)
    np.testing.assert_array_equal(t.transpose().asnumpy(), HOST.transpose())
    np.testing.assert_array_equal(t.T.asnumpy(), HOST.T)
    np.testing.assert_array_equal(t.transpose(1, 0, 2).asnumpy(), HOST.transpose(1, 0, 2))
    np.testing.assert_array_equal(t.transpose((2, 0, 1)).asnumpy(), HOST.transpose(2, 0, 1))
    np.testing.assert_array_equal(ops.transpose(t, (-1, 0, 1)).asnumpy(), HOST.transpose(2, 0, 1))
    np.testing.assert_array_equal(ops.swapaxes(t, 0, 2).asnumpy(), HOST.swapaxes(0, 2))
    with pytest.raises(ValueError, match="permute"):
        ops.transpose(t, (0, 0, 1))


def test_flatten(device: str) -> None:
    t = ms.Tensor(HOST)
    assert t.flatten().shape == (24,), "Tensor.flatten flattens everything"
    assert ops.flatten(t).shape == (2, 12), "ops.flatten keeps the batch axis"
    assert ops.flatten(t, start_dim=0, end_dim=1).shape == (6, 4)
    assert t.ravel().shape == (24,)
    np.testing.assert_array_equal(t.flatten().asnumpy(), HOST.ravel())


def test_squeeze_and_expand_dims(device: str) -> None:
    host = np.zeros((1, 3, 1, 2), np.float32)
    t = ms.Tensor(host)
    assert t.squeeze().shape == (3, 2)
    assert t.squeeze(0).shape == (3, 1, 2)
    assert t.squeeze((0, 2)).shape == (3, 2)
    assert t.squeeze(-2).shape == (1, 3, 2)
    with pytest.raises(ValueError, match="Squeeze"):
        t.squeeze(1)
    for axis in (0, 2, 4, -1, -5):
        assert t.expand_dims(axis).shape == np.expand_dims(host, axis).shape
    with pytest.raises(ValueError, match="ExpandDims"):
        t.expand_dims(5)


@pytest.mark.parametrize(
    ("shape", "target"), [((3,), (2, 3)), ((2, 1), (2, 4)), ((), (2, 2)), ((1, 3), (5, 2, 3)), ((2, 3), (2, 3))]
)
def test_broadcast_to(device: str, shape: tuple[int, ...], target: tuple[int, ...]) -> None:
    host = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    np.testing.assert_array_equal(ms.Tensor(host).broadcast_to(target).asnumpy(), np.broadcast_to(host, target))


def test_broadcast_to_keeps_minus_one_and_rejects_bad_shapes(device: str) -> None:
    t = ms.Tensor(np.zeros((2, 1), np.float32))
    assert ops.broadcast_to(t, (3, -1, 4)).shape == (3, 2, 4)
    with pytest.raises(ValueError, match="BroadcastTo"):
        ops.broadcast_to(t, (3, 3))
    with pytest.raises(ValueError, match="BroadcastTo"):
        ops.broadcast_to(t, (2,))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat_and_stack(device: str, axis: int) -> None:
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = -a
    np.testing.assert_array_equal(
        ops.concat([ms.Tensor(a), ms.Tensor(b)], axis).asnumpy(), np.concatenate([a, b], axis)
    )
    np.testing.assert_array_equal(ops.stack([ms.Tensor(a), ms.Tensor(b)], axis).asnumpy(), np.stack([a, b], axis))
    np.testing.assert_array_equal(ops.cat((ms.Tensor(a), ms.Tensor(b)), axis).asnumpy(), np.concatenate([a, b], axis))


@pytest.mark.parametrize("axis", [0, 1, -1, -2])
def test_gather_matches_numpy_take(device: str, axis: int) -> None:
    index = np.array([[1, 0], [-1, 1]])
    host = HOST[0]
    np.testing.assert_array_equal(ops.gather(ms.Tensor(host), index, axis).asnumpy(), np.take(host, index, axis))
    with pytest.raises(IndexError, match="range"):
        ops.gather(ms.Tensor(host), [3, 5], axis)
    with pytest.raises(TypeError, match="int32 or int64"):
        ops.gather(ms.Tensor(host), [0.5], axis)


@pytest.mark.parametrize(
    ("call", "op"),
    [
        (lambda t: ops.concat([t, t], 3), "Concat"),
        (lambda t: ops.concat([t, t], -4), "Concat"),
        (lambda t: ops.stack([t, t], 4), "ExpandDims"),
        (lambda t: ops.transpose(t, (3, 1, 2)), "Transpose"),
        (lambda t: ops.swapaxes(t, 0, 3), "Swapaxes"),
        (lambda t: ops.gather(t, [0], 3), "Gather"),
        (lambda t: t.argmax(3), "Argmax"),
        (lambda t: t.squeeze(3), "Squeeze"),
    ],
)
def test_axis_out_of_range_is_an_error(device: str, call: Callable[[ms.Tensor], ms.Tensor], op: str) -> None:
    with pytest.raises(ValueError, match=op):
        call(ms.Tensor(HOST))


def test_concat_promotes_and_checks(device: str) -> None:
    out = ops.concat([ms.Tensor([1, 2]), ms.Tensor([0.5])])
    assert out.dtype == ms.float32
    close(out, [1.0, 2.0, 0.5])
    with pytest.raises(ValueError, match="Concat"):
        ops.concat([ms.Tensor(np.zeros((2, 3))), ms.Tensor(np.zeros((3, 2)))], 0)
    with pytest.raises(ValueError, match="empty"):
        ops.concat([])
    with pytest.raises(ValueError, match="at least 1 dimension"):
        ops.concat([ms.Tensor(1.0), ms.Tensor(2.0)])
    assert ops.stack([ms.Tensor(1.0), ms.Tensor(2.0)]).tolist() == [1.0, 2.0]


# reductions --------------------------------------------------------------------------------

AXES: list[Any] = [None, 0, 1, -1, (0, 2), (2, 0), (), (0, 1, 2)]


@pytest.mark.parametrize("axis", AXES, ids=[repr(a) for a in AXES])
@pytest.mark.parametrize("keep", [False, True])
def test_reductions_match_numpy(device: str, axis: Any, keep: bool) -> None:
    host = np.random.default_rng(0).normal(size=(2, 3, 4)).astype(np.float32)
    t = ms.Tensor(host)
    np_axis = tuple(axis) if isinstance(axis, tuple) else axis
    close(t.sum(axis, keepdims=keep), host.sum(np_axis, keepdims=keep), rtol=1e-5)
    close(t.sum(axis=axis, keep_dims=keep), host.sum(np_axis, keepdims=keep), rtol=1e-5)
    close(t.mean(axis, keep_dims=keep), host.mean(np_axis, keepdims=keep), rtol=1e-5)
    close(t.mean(axis=axis, keepdims=keep), host.mean(np_axis, keepdims=keep), rtol=1e-5)
    close(t.max(axis, keepdims=keep), host.max(np_axis, keepdims=keep))
    close(t.min(axis=axis, keep_dims=keep), host.min(np_axis, keepdims=keep))
    close(ops.sum(t, axis, keep), host.sum(np_axis, keepdims=keep), rtol=1e-5)
    close(ops.amax(t, axis, keep), host.max(np_axis, keepdims=keep))


@SETTINGS
@given(data=st.data())
def test_reductions_random(device: str, data: st.DataObject) -> None:
    host = data.draw(hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=4, max_side=4), elements=FLOATS))
    axis = data.draw(st.none() | hnp.valid_tuple_axes(host.ndim, min_size=1))
    keep = data.draw(st.booleans())
    t = ms.Tensor(host)
    close(t.sum(axis, keepdims=keep), host.sum(axis, keepdims=keep), rtol=1e-5, atol=1e-5)
    close(t.mean(axis, keep_dims=keep), host.mean(axis, keepdims=keep), rtol=1e-5, atol=1e-5)
    close(t.max(axis, keepdims=keep), host.max(axis, keepdims=keep))
    close(t.min(axis, keepdims=keep), host.min(axis, keepdims=keep))


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keep", [False, True])
def test_argmax_argmin(device: str, axis: int | None, keep: bool) -> None:
    host = np.array([[1.0, 5.0, 5.0], [7.0, -2.0, 7.0]], np.float32)
    t = ms.Tensor(host)
    for got, want in ((t.argmax(axis, keep), np.argmax), (t.argmin(axis, keep), np.argmin)):
        expected = want(host, axis=axis, keepdims=keep if axis is not None else False)
        assert got.dtype == ms.int32
        np.testing.assert_array_equal(got.asnumpy(), expected)


def test_reduction_dtypes(device: str) -> None:
    ints = ms.Tensor(np.array([[1, 2], [3, 4]], np.int32))
    assert ints.sum().dtype == ms.int64
    assert ints.sum().item() == 10
    assert ints.mean().dtype == ms.float32
    assert ints.mean().item() == 2.5
    assert ints.max().dtype == ms.int32
    assert ms.Tensor([True, True, False]).sum().item() == 2
    assert ms.Tensor(np.ones(3)).sum(dtype=ms.float32).dtype == ms.float32
    assert ms.Tensor(5.0).sum().shape == ()


def test_reduction_errors(device: str) -> None:
    t = ms.Tensor(HOST)
    with pytest.raises(ValueError, match="out of range"):
        t.sum(3)
    with pytest.raises(ValueError, match="repeats"):
        t.sum((0, -3))
    with pytest.raises(TypeError, match="axis"):
        t.sum(1.0)
    with pytest.raises(ValueError, match="empty"):
        ms.Tensor(np.zeros((0, 2), np.float32)).max()
    with pytest.raises(TypeError, match="keyword"):
        t.sum(0, bogus=True)


# matmul -------------------------------------------------------------------------------------

MATMUL_SHAPES = [
    ((3,), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((3,), (5, 3, 2)),
    ((5, 2, 3), (5, 3, 4)),
    ((5, 1, 2, 3), (4, 3, 2)),
    ((2, 3), (6, 1, 3, 4)),
    ((5, 2, 3), (3,)),
]


@pytest.mark.parametrize(("sa", "sb"), MATMUL_SHAPES, ids=[f"{a}@{b}" for a, b in MATMUL_SHAPES])
def test_matmul_matches_numpy(device: str, sa: tuple[int, ...], sb: tuple[int, ...]) -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(size=sa).astype(np.float32)
    b = rng.normal(size=sb).astype(np.float32)
    close(ms.Tensor(a) @ ms.Tensor(b), a @ b, rtol=1e-5, atol=1e-5)
    close(ops.matmul(ms.Tensor(a), ms.Tensor(b)), a @ b, rtol=1e-5, atol=1e-5)
    close(ms.Tensor(a).matmul(ms.Tensor(b)), a @ b, rtol=1e-5, atol=1e-5)


def test_matmul_promotes_and_checks(device: str) -> None:
    out = ms.Tensor([[1, 2]]) @ ms.Tensor([[0.5], [0.25]])
    assert out.dtype == ms.float32
    close(out, [[1.0]])
    with pytest.raises(ValueError, match="inner dimensions"):
        ms.Tensor(np.ones((2, 3))) @ ms.Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="at least 1 dimension"):
        ms.Tensor(2.0) @ ms.Tensor([1.0])
    with pytest.raises(ValueError, match="broadcast"):
        ms.Tensor(np.ones((2, 2, 3))) @ ms.Tensor(np.ones((3, 3, 2)))


# creation ------------------------------------------------------------------------------------


def test_creation_ops(device: str) -> None:
    assert ops.zeros((2, 3)).dtype == ms.float32
    assert ops.ones(2, ms.int32).tolist() == [1, 1]
    assert ops.full((2,), 1.5).dtype == ms.float32
    assert ops.zeros_like(ms.Tensor([1, 2])).tolist() == [0, 0]
    assert ops.ones_like(ms.Tensor([1.0]), ms.float64).dtype == ms.float64
    assert ops.arange(3).tolist() == [0, 1, 2]
    assert ops.arange(0.0, 1.0, 0.5).dtype == ms.float32
    close(ops.one_hot(ms.Tensor([0, 2]), 3), [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    for t in (ops.zeros(2), ops.arange(3), ops.one_hot(ms.Tensor([1]), 2)):
        assert t.device == device


def test_tensor_from_initializer(device: str) -> None:
    t = ms.Tensor(shape=(2, 3), dtype=ms.float16, init="ones")
    assert t.dtype == ms.float16
    np.testing.assert_array_equal(t.asnumpy(), np.ones((2, 3)))
    with pytest.raises(ValueError, match="shape"):
        ms.Tensor(shape=(2,))
    with pytest.raises(ValueError, match="exclude"):
        ms.Tensor([1.0], shape=(1,), init="zeros")


# devices ------------------------------------------------------------------------------------


def _two_devices() -> list[str]:
    return [name for name, avail in available_backends().items() if avail.available][:2]


class _ToyBackend(NumpyBackend):
    device_target = "Toy"


@pytest.fixture
def toy_device(monkeypatch: pytest.MonkeyPatch) -> str:
    """A second device, registered for this test only: NumPy under another name."""
    monkeypatch.setattr(registry, "_manual", dict(registry._manual))
    monkeypatch.setattr(registry, "_instances", dict(registry._instances))
    registry.register_backend("Toy", lambda: _ToyBackend)
    return "Toy"


def test_mixing_devices_is_a_clear_error(device: str, toy_device: str) -> None:
    a = ms.Tensor([1.0, 2.0])
    b = ms.Tensor([1.0, 2.0], device=toy_device)
    assert b.device == toy_device
    with pytest.raises(ValueError, match=rf"one device, but got {device} and Toy.*Tensor\.to\('{device}'\)"):
        a + b
    with pytest.raises(ValueError, match="one device"):
        ops.concat([a, b])
    moved = b.to(device)
    assert moved.device == device
    close(a + moved, [2.0, 4.0])
    assert a.to(toy_device).device == toy_device


@pytest.mark.skipif(len(_two_devices()) < 2, reason="needs two available backends")
def test_mixing_installed_devices_is_a_clear_error() -> None:
    first, second = _two_devices()
    a = ms.Tensor([1.0, 2.0], device=first)
    b = ms.Tensor([1.0, 2.0], device=second)
    assert a.device == first
    assert b.device == second
    with pytest.raises(ValueError, match=r"one device.*Tensor\.to"):
        a + b
    close(a + b.to(first), [2.0, 4.0])
