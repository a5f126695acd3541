"""OpenCLBackend against the NumPy reference backend, primitive by primitive.

Inputs are generated (shapes, broadcasting, dtypes) and most of them are placed at a
nonzero offset inside a flat device buffer, since views are how minispore hands
parameters and gradients to a backend. Results must be equal to NumPy's, bit for bit,
except where the backend documents a different rounding order: transcendental functions
and ``pow`` (a few ulp), float sums (summation order) and float matmul (no BLAS).
"""

from __future__ import annotations

import itertools
import re
import sys
from math import prod
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from minispore_numpy import NumpyBackend
from minispore_opencl import OpenCLBackend, linalg
from minispore_opencl.scalar_types import scalar_type

from minispore.backend.protocol import (
    ArgReduceOp,
    BinaryOp,
    IndexKey,
    ReduceOp,
    Shape,
    UnaryOp,
    Window2d,
)

from .window_cases import windows

_AVAILABILITY = OpenCLBackend.availability()
if not _AVAILABILITY.available:
    pytest.skip(f"OpenCL backend unavailable: {_AVAILABILITY.reason}", allow_module_level=True)

CL = OpenCLBackend()
REF = NumpyBackend()
FLOAT64: list[np.dtype[Any]] = [np.dtype(np.float64)] if CL.supports_dtype(np.dtype(np.float64)) else []
FLOATS: list[np.dtype[Any]] = [np.dtype(np.float32), *FLOAT64]
INTEGERS: list[np.dtype[Any]] = [np.dtype(np.int32), np.dtype(np.int64)]
BOOL: np.dtype[Any] = np.dtype(np.bool_)
ALL: list[np.dtype[Any]] = [*FLOATS, *INTEGERS, BOOL]

parity = settings(max_examples=25, deadline=None)

shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=5)
offsets = st.integers(0, 7)


def values(dtype: np.dtype[Any], shape: Shape, low: float = -100, high: float = 100) -> st.SearchStrategy[Any]:
    """Arrays of ``shape``: floats in ``[low, high]`` (no NaN), integers in a range that cannot overflow."""
    if dtype.kind == "f":
        finite = hnp.from_dtype(dtype, min_value=low, max_value=high, allow_nan=False, allow_infinity=False)
        return hnp.arrays(dtype, shape, elements=finite)
    if dtype.kind == "b":
        return hnp.arrays(dtype, shape)
    info = np.iinfo(dtype)
    return hnp.arrays(
        dtype, shape, elements=st.integers(max(int(low), -1000, info.min), min(int(high), 1000, info.max))
    )


def put(host: np.ndarray[Any, Any], offset: int = 0) -> Any:
    """``host`` on the device as a view ``offset`` elements into a larger flat buffer."""
    flat = np.zeros(offset + host.size + 3, dtype=host.dtype)
    flat[offset : offset + host.size] = host.ravel()
    return CL.view(CL.from_numpy(flat), offset, host.shape)


def assert_same(device: Any, expected: Any, rtol: float = 0.0, atol: float = 0.0) -> None:
    """Same shape, dtype and values (NaN equal to NaN); exact unless a tolerance is given."""
    got = CL.to_numpy(device)
    expected = np.asarray(expected)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    if rtol or atol:
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, expected)


def ulps(dtype: np.dtype[Any], count: int = 4) -> float:
    """A relative tolerance of ``count`` units in the last place of ``dtype``."""
    return count * float(np.finfo(dtype).eps)


@st.composite
def keys(draw: st.DrawFn, shape: Shape) -> IndexKey:
    """Normalized basic-indexing keys for ``shape``: an int or a forward slice per dimension."""
    key: list[int | slice] = []
    for n in shape:
        if draw(st.booleans()):
            key.append(draw(st.integers(0, n - 1)))
        else:
            start = draw(st.integers(0, n))
            key.append(slice(start, draw(st.integers(start, n)), draw(st.integers(1, 3))))
    return tuple(key)


# availability and registration ---------------------------------------------------------


def test_registry_serves_opencl() -> None:
    from minispore.backend import get_backend

    backend = get_backend("OpenCL")
    assert isinstance(backend, OpenCLBackend)
    assert backend.device_index == 0


def test_bad_device_index_names_the_devices() -> None:
    with pytest.raises(ValueError, match="OpenCL device index 99 does not exist"):
        OpenCLBackend(99)


def test_pyopencl_ctx_picks_device_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYOPENCL_CTX", "0:0")
    chosen = OpenCLBackend(0)
    assert chosen.to_numpy(chosen.full((2,), 3, np.dtype(np.int32))).tolist() == [3, 3]
    monkeypatch.setenv("PYOPENCL_CTX", "99")
    with pytest.raises(ValueError, match="PYOPENCL_CTX='99' names no OpenCL device"):
        OpenCLBackend(0)


def test_probe_without_pyopencl_reports_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyopencl", None)  # makes `import pyopencl` raise ImportError
    availability = OpenCLBackend.availability()
    assert not availability.available
    assert availability.reason == "PyOpenCL is not installed"
    assert "pip install 'minispore[opencl]'" in availability.fix


# transfer, creation and memory -------------------------------------------------------


@pytest.mark.parametrize("dtype", [*ALL, np.dtype(np.float16), np.dtype(np.int8), np.dtype(np.uint8)], ids=str)
@parity
@given(data=st.data(), shape=shapes)
def test_round_trip_and_full(dtype: np.dtype[Any], data: st.DataObject, shape: Shape) -> None:
    host = data.draw(values(dtype, shape))
    assert_same(CL.from_numpy(host), host)
    fill = host.flat[0].item() if host.size else 0
    assert_same(CL.full(shape, fill, dtype), REF.full(shape, fill, dtype))


def test_view_writes_through_to_its_buffer() -> None:
    buffer = CL.full((20,), 0.0, np.dtype(np.float32))
    view = CL.view(buffer, 5, (3, 4))
    CL.copy_into(view, CL.from_numpy(np.arange(4, dtype=np.int32)))
    expected = np.zeros(20, np.float32)
    expected[5:17] = np.tile(np.arange(4, dtype=np.float32), 3)
    assert_same(buffer, expected)


def test_view_out_of_bounds_is_an_error() -> None:
    buffer = CL.full((10,), 0.0, np.dtype(np.float32))
    with pytest.raises(ValueError, match="do not fit"):
        CL.view(buffer, 8, (3,))


@pytest.mark.parametrize(("src", "dst"), list(itertools.product(ALL, ALL)), ids=str)
@parity
@given(data=st.data(), shapes=hnp.mutually_broadcastable_shapes(num_shapes=1, max_dims=3, max_side=4), offset=offsets)
def test_copy_into_broadcasts_and_casts(
    src: np.dtype[Any], dst: np.dtype[Any], data: st.DataObject, shapes: Any, offset: int
) -> None:
    source = data.draw(values(src, shapes.input_shapes[0]))
    target = np.zeros(shapes.result_shape, dst)
    device_target = put(target, offset)
    REF.copy_into(target, source)
    CL.copy_into(device_target, put(source, offset + 1))
    assert_same(device_target, target)


@pytest.mark.parametrize("dtype", ALL, ids=str)
@parity
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), offset=offsets)
def test_setitem(dtype: np.dtype[Any], data: st.DataObject, shape: Shape, offset: int) -> None:
    host = data.draw(values(dtype, shape))
    key = data.draw(keys(shape))
    region = np.asarray(host[key]).shape
    value = data.draw(values(dtype, region[len(region) // 2 :]))
    device = put(host, offset)
    REF.setitem(host, key, value)
    CL.setitem(device, key, CL.from_numpy(value))
    assert_same(device, host)


# elementwise ---------------------------------------------------------------------------

_APPROXIMATE_UNARY = {UnaryOp.EXP, UnaryOp.LOG, UnaryOp.SIN, UnaryOp.COS, UnaryOp.TANH, UnaryOp.SIGMOID}
_INTEGER_UNARY = [UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.FLOOR, UnaryOp.CEIL]


@pytest.mark.parametrize(
    ("op", "dtype"),
    [(op, d) for op in UnaryOp for d in FLOATS] + [(op, d) for op in _INTEGER_UNARY for d in INTEGERS],
    ids=str,
)
@parity
@given(data=st.data(), shape=shapes, offset=offsets)
def test_unary(op: UnaryOp, dtype: np.dtype[Any], data: st.DataObject, shape: Shape, offset: int) -> None:
    low = 2.0**-10 if op in (UnaryOp.LOG, UnaryOp.SQRT) else -20
    x = data.draw(values(dtype, shape, low, 20))
    rtol = ulps(dtype) if op in _APPROXIMATE_UNARY else 0.0
    assert_same(CL.unary(op, put(x, offset)), REF.unary(op, x), rtol=rtol, atol=rtol)


def test_unary_special_values() -> None:
    x = np.array([np.nan, -0.0, 0.0, np.inf, -np.inf, -2.5, 2.5], np.float32)
    for op in (UnaryOp.SIGN, UnaryOp.ABS, UnaryOp.NEG, UnaryOp.FLOOR, UnaryOp.CEIL):
        assert_same(CL.unary(op, CL.from_numpy(x)), REF.unary(op, x))


def test_unary_rejects_float_only_ops_on_integers() -> None:
    with pytest.raises(TypeError, match=r"'exp'.*int32"):
        CL.unary(UnaryOp.EXP, CL.from_numpy(np.arange(3, dtype=np.int32)))


def _binary_cases() -> list[tuple[BinaryOp, np.dtype[Any]]]:
    cases: list[tuple[BinaryOp, np.dtype[Any]]] = [(op, d) for op in BinaryOp for d in FLOATS]
    cases += [(op, d) for op in BinaryOp if op is not BinaryOp.DIV for d in INTEGERS]
    cases += [(op, BOOL) for op in BinaryOp if op not in (BinaryOp.SUB, BinaryOp.DIV, BinaryOp.POW)]
    return cases + [(op, np.dtype(np.float16)) for op in (BinaryOp.ADD, BinaryOp.MUL, BinaryOp.DIV)]


@pytest.mark.parametrize(("op", "dtype"), _binary_cases(), ids=str)
@parity
@given(data=st.data(), shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4), offset=offsets)
def test_binary_broadcasts(op: BinaryOp, dtype: np.dtype[Any], data: st.DataObject, shapes: Any, offset: int) -> None:
    x = data.draw(values(dtype, shapes.input_shapes[0], -30, 30))
    if op is BinaryOp.POW:
        y = data.draw(values(dtype, shapes.input_shapes[1], 0, 3))
        x = np.abs(x) if dtype.kind == "f" else x
    else:
        y = data.draw(values(dtype, shapes.input_shapes[1], -30, 30))
    rtol = ulps(dtype) if op is BinaryOp.POW and dtype.kind == "f" else 0.0
    with np.errstate(all="ignore"):
        expected = REF.binary(op, x, y)
    assert_same(CL.binary(op, put(x, offset), put(y, offset + 2)), expected, rtol=rtol)


def test_binary_special_values() -> None:
    x = np.array([np.nan, 1.0, np.nan, 0.0, -0.0, np.inf], np.float32)
    y = np.array([1.0, np.nan, np.nan, -0.0, 0.0, np.inf], np.float32)
    for op in (BinaryOp.MAXIMUM, BinaryOp.MINIMUM, BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LOGICAL_AND):
        assert_same(CL.binary(op, CL.from_numpy(x), CL.from_numpy(y)), REF.binary(op, x, y))


@pytest.mark.parametrize("dtype", ALL, ids=str)
@parity
@given(data=st.data(), shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=4), offset=offsets)
def test_where(dtype: np.dtype[Any], data: st.DataObject, shapes: Any, offset: int) -> None:
    c = data.draw(values(BOOL, shapes.input_shapes[0]))
    x = data.draw(values(dtype, shapes.input_shapes[1]))
    y = data.draw(values(dtype, shapes.input_shapes[2]))
    assert_same(CL.where(put(c, offset), put(x, offset + 1), put(y)), REF.where(c, x, y))


@pytest.mark.parametrize(("src", "dst"), list(itertools.product([*ALL, np.dtype(np.float16)], repeat=2)), ids=str)
@parity
@given(data=st.data(), shape=shapes, offset=offsets)
def test_cast(src: np.dtype[Any], dst: np.dtype[Any], data: st.DataObject, shape: Shape, offset: int) -> None:
    x = data.draw(values(src, shape, -100.0, 100.0))
    assert_same(CL.cast(put(x, offset), dst), REF.cast(x, dst))


# reductions ----------------------------------------------------------------------------


def _sum_tolerance(x: np.ndarray[Any, Any], axes: tuple[int, ...]) -> float:
    """Slack for a float sum added in another order: the classic bound ``n * eps * sum(|x|)``."""
    if x.dtype.kind != "f" or not axes:
        return 0.0
    count = prod(x.shape[a] for a in axes)
    return float(np.abs(x).sum(axis=axes).max(initial=0.0)) * ulps(x.dtype, max(count, 8))


@pytest.mark.parametrize(("op", "dtype"), list(itertools.product(ReduceOp, ALL)), ids=str)
@parity
@given(data=st.data(), shape=shapes, keepdims=st.booleans(), offset=offsets)
def test_reduce(
    op: ReduceOp, dtype: np.dtype[Any], data: st.DataObject, shape: Shape, keepdims: bool, offset: int
) -> None:
    x = data.draw(values(dtype, shape))
    axes = tuple(sorted(data.draw(st.sets(st.integers(0, len(shape) - 1))))) if shape else ()
    atol = _sum_tolerance(x, axes) if op is ReduceOp.SUM else 0.0
    assert_same(CL.reduce(op, put(x, offset), axes, keepdims), REF.reduce(op, x, axes, keepdims), atol=atol)


@pytest.mark.parametrize("op", ReduceOp, ids=str)
@pytest.mark.parametrize(("shape", "axes"), [((3, 50_000), (1,)), ((100_001,), (0,)), ((40, 300, 7), (0, 2))])
def test_reduce_large_in_chunks(op: ReduceOp, shape: Shape, axes: tuple[int, ...]) -> None:
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    atol = _sum_tolerance(x, axes) if op is ReduceOp.SUM else 0.0
    assert_same(CL.reduce(op, put(x, 5), axes, False), REF.reduce(op, x, axes, False), atol=atol)
    ints = (x * 100).astype(np.int32)
    assert_same(CL.reduce(op, CL.from_numpy(ints), axes, True), REF.reduce(op, ints, axes, True))


@pytest.mark.parametrize("axes", [(0,), (1,), (2,), (0, 2), (1, 2), (0, 1, 2)])
def test_reductions_read_broadcast_views(axes: tuple[int, ...]) -> None:
    x = np.random.default_rng(2).standard_normal((4, 1, 6)).astype(np.float32)
    wide = np.broadcast_to(x, (4, 5, 6))
    device = CL.broadcast_to(put(x, 3), (4, 5, 6))
    atol = _sum_tolerance(wide, axes)
    assert_same(CL.reduce(ReduceOp.SUM, device, axes, True), REF.reduce(ReduceOp.SUM, wide, axes, True), atol=atol)
    assert_same(CL.reduce(ReduceOp.MAX, device, axes, False), REF.reduce(ReduceOp.MAX, wide, axes, False))
    assert_same(
        CL.arg_reduce(ArgReduceOp.ARGMIN, device, axes[0], False),
        REF.arg_reduce(ArgReduceOp.ARGMIN, wide, axes[0], False),
    )


def test_reduce_propagates_nan() -> None:
    x = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]], np.float32)
    for op in (ReduceOp.MAX, ReduceOp.MIN, ReduceOp.SUM):
        assert_same(CL.reduce(op, CL.from_numpy(x), (1,), False), REF.reduce(op, x, (1,), False))


@pytest.mark.parametrize(("op", "dtype"), list(itertools.product(ArgReduceOp, [*FLOATS, *INTEGERS])), ids=str)
@parity
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=4, max_side=5), keepdims=st.booleans())
def test_arg_reduce_first_occurrence(
    op: ArgReduceOp, dtype: np.dtype[Any], data: st.DataObject, shape: Shape, keepdims: bool
) -> None:
    x = data.draw(values(dtype, shape, -2, 2)).round()  # few distinct values: many ties
    if dtype.kind == "f" and data.draw(st.booleans()):
        x.flat[data.draw(st.integers(0, x.size - 1))] = np.nan
    axis = data.draw(st.integers(0, len(shape) - 1))
    assert_same(CL.arg_reduce(op, put(x, 3), axis, keepdims), REF.arg_reduce(op, x, axis, keepdims))


# movement ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ALL, ids=str)
@parity
@given(data=st.data(), shape=shapes, offset=offsets)
def test_reshape_transpose_broadcast_index(
    dtype: np.dtype[Any], data: st.DataObject, shape: Shape, offset: int
) -> None:
    x = data.draw(values(dtype, shape))
    device = put(x, offset)
    flat = (x.size,)
    assert_same(CL.reshape(device, flat), REF.reshape(x, flat))
    perm = tuple(data.draw(st.permutations(range(len(shape)))))
    transposed = CL.transpose(device, perm)
    assert_same(transposed, REF.transpose(x, perm))
    assert_same(
        CL.reshape(CL.broadcast_to(device, (2, *shape)), (2 * x.size,)), np.broadcast_to(x, (2, *shape)).ravel()
    )
    target = tuple(data.draw(st.integers(1, 3)) if n == 1 else n for n in shape)
    assert_same(CL.broadcast_to(device, target), REF.broadcast_to(x, target))
    key = data.draw(keys(shape))
    assert_same(CL.index(device, key), REF.index(x, key))
    key = data.draw(keys(target))
    assert_same(CL.index(CL.broadcast_to(device, target), key), REF.index(np.broadcast_to(x, target), key))


@parity
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=4))
def test_reshape_of_any_view(data: st.DataObject, shape: Shape) -> None:
    # Transposed, sliced and broadcast views reshape to every factorisation NumPy allows:
    # as views where the strides allow (NumPy's rule), else through a copy.
    x = np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape)
    perm = tuple(data.draw(st.permutations(range(len(shape)))))
    view = CL.transpose(put(x, 2), perm)
    expected = x.transpose(perm)
    if data.draw(st.booleans()):
        view, expected = CL.broadcast_to(view, (2, *expected.shape)), np.broadcast_to(expected, (2, *expected.shape))
    sizes = list(expected.shape)
    target = tuple(data.draw(st.permutations(sizes))) if data.draw(st.booleans()) else (expected.size,)
    if data.draw(st.booleans()):
        target = (1, *target, 1)
    got = CL.reshape(view, target)
    assert_same(got, expected.reshape(target))
    no_copy = np.shares_memory(expected.reshape(target), expected)
    assert (got.base_data is view.base_data) == (no_copy or expected.size == 0)


@pytest.mark.parametrize("dtype", ALL, ids=str)
@parity
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), pieces=st.integers(1, 3))
def test_concat(dtype: np.dtype[Any], data: st.DataObject, shape: Shape, pieces: int) -> None:
    axis = data.draw(st.integers(0, len(shape) - 1))
    xs = [
        data.draw(values(dtype, shape[:axis] + (data.draw(st.integers(0, 3)),) + shape[axis + 1 :]))
        for _ in range(pieces)
    ]
    assert_same(CL.concat([put(x, i) for i, x in enumerate(xs)], axis), REF.concat(xs, axis))


@pytest.mark.parametrize(("dtype", "index_dtype"), list(itertools.product([*FLOATS, *INTEGERS], INTEGERS)), ids=str)
@parity
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=5))
def test_take_and_scatter_add(
    dtype: np.dtype[Any], index_dtype: np.dtype[Any], data: st.DataObject, shape: Shape
) -> None:
    x = data.draw(values(dtype, shape))
    axis = data.draw(st.integers(0, len(shape) - 1))
    index_shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=6))
    indices = data.draw(hnp.arrays(index_dtype, index_shape, elements=st.integers(0, shape[axis] - 1)))
    taken = REF.take(x, indices, axis)
    assert_same(CL.take(put(x, 2), put(indices, 1), axis), taken)
    # Repeated indices sum in index order from zero, as np.add.at: exact even for floats.
    assert_same(
        CL.scatter_add(shape, put(indices, 1), put(taken, 3), axis), REF.scatter_add(shape, indices, taken, axis)
    )


# linear algebra and windows ------------------------------------------------------------


@pytest.mark.parametrize("dtype", [*FLOATS, *INTEGERS], ids=str)
@parity
@given(
    data=st.data(),
    batch=st.one_of(st.none(), st.integers(1, 3)),
    mkn=st.tuples(st.integers(1, 40), st.integers(1, 40), st.integers(1, 40)),
)
def test_matmul(dtype: np.dtype[Any], data: st.DataObject, batch: int | None, mkn: tuple[int, int, int]) -> None:
    m, k, n = mkn
    lead = () if batch is None else (batch,)
    a = data.draw(values(dtype, (*lead, m, k), -10, 10))
    b = data.draw(values(dtype, (*lead, k, n), -10, 10))
    # Two summation orders of k products differ by at most 2 * k * eps * sum(|a||b|).
    atol = float((np.abs(a) @ np.abs(b)).max()) * ulps(dtype, 2 * k + 2) if dtype.kind == "f" else 0.0
    assert_same(CL.matmul(put(a, 1), put(b, 5)), REF.matmul(a, b), atol=atol)


def test_matmul_reads_transposed_and_broadcast_operands() -> None:
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, 17, 20)).astype(np.float32)
    b = rng.standard_normal((1, 17, 9)).astype(np.float32)
    a_t = CL.transpose(CL.from_numpy(a), (0, 2, 1))
    b_b = CL.broadcast_to(CL.from_numpy(b), (3, 17, 9))
    expected = np.matmul(a.transpose(0, 2, 1), np.broadcast_to(b, (3, 17, 9)))
    assert_same(CL.matmul(a_t, b_b), expected, atol=1e-4)


@pytest.mark.parametrize("mkn", [(6, 37, 50), (150, 16, 100), (19, 5, 8), (8, 3, 21)])
def test_matmul_blockings_agree_bit_for_bit(monkeypatch: pytest.MonkeyPatch, mkn: tuple[int, int, int]) -> None:
    # Every tile, and the CPU kernel that keeps 8 x 8 outputs in vectors, sums in k order
    # with one rounding per step: the choice never changes a bit. The vector kernel's edge
    # blocks (m or n past a multiple of 8) move back inside and store only their own outputs.
    m, k, n = mkn
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, m, k)).astype(np.float32), rng.standard_normal((3, k, n)).astype(np.float32)
    vector = CL.to_numpy(CL.matmul(CL.from_numpy(a), CL.from_numpy(b))) if CL._rt.is_cpu else None
    monkeypatch.setattr(CL._rt, "is_cpu", False)
    results = []
    for blocking in linalg.BLOCKINGS:
        if blocking[0] * blocking[0] // blocking[1] <= CL._rt.max_work_group:
            monkeypatch.setattr(linalg, "_blocking", lambda rt, m, n, k, chosen=blocking: chosen)
            results.append(CL.to_numpy(CL.matmul(CL.from_numpy(a), CL.from_numpy(b))))
    assert len(results) > 1
    for other in [*results[1:], *([] if vector is None else [vector])]:
        np.testing.assert_array_equal(other, results[0])


@pytest.mark.parametrize(
    "m, k, n", [(1, 1, 1), (6, 784, 25), (9, 17, 5), (32, 400, 120), (3, 8, 4), (2, 7, 9), (5, 16, 3)]
)
def test_matmul_of_operands_contiguous_along_k(m: int, k: int, n: int) -> None:
    # x @ w.T: on a CPU device the dot-product kernel, in 8 lanes with a tail of k % 8.
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((2, m, k)).astype(np.float32), rng.standard_normal((2, n, k)).astype(np.float32)
    got = CL.matmul(CL.from_numpy(x), CL.transpose(CL.from_numpy(w), (0, 2, 1)))
    expected = x.astype(np.float64) @ w.astype(np.float64).transpose(0, 2, 1)
    atol = float((np.abs(x) @ np.abs(w).transpose(0, 2, 1)).max()) * ulps(np.dtype(np.float32), 2 * k + 2)
    assert_same(got, expected.astype(np.float32), atol=atol)


def test_vector_products_load_lanes_inline() -> None:
    # PoCL links vload8/vstore8 as calls into its kernel library; a call in the inner loop
    # spilled every accumulator (LeNet5's products ran 2-3x slower). The lanes are read and
    # written through the sources' own inline functions.
    from minispore_opencl.kernels.matmul_vector import ROWS, columns_source, dots_source

    float32 = scalar_type(np.dtype(np.float32))
    for source in (columns_source(float32, ROWS), columns_source(float32, 3), dots_source(float32)):
        assert "load_lanes(" in source
        assert not re.search(r"\bv(load|store)\d", source)


@pytest.mark.parametrize("dtype", [*FLOATS, np.dtype(np.int32)], ids=str)
@parity
@given(data=st.data(), case=windows(), pad_value=st.sampled_from([0.0, -1.5]))
def test_im2col_and_col2im(dtype: np.dtype[Any], data: st.DataObject, case: Any, pad_value: float) -> None:
    shape, window = case
    x = data.draw(values(dtype, shape))
    pad = pad_value if dtype.kind == "f" else 0
    cols = REF.im2col(x, window, pad)
    assert_same(CL.im2col(put(x, 3), window, pad), cols)
    # col2im sums taps from zero in the reference's order: exact.
    assert_same(CL.col2im(put(cols, 2), shape, window), REF.col2im(cols, shape, window))


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@parity
@given(data=st.data(), case=windows(), offsets=st.tuples(offsets, offsets))
def test_max_pool2d_and_grad(dtype: np.dtype[Any], data: st.DataObject, case: Any, offsets: tuple[int, int]) -> None:
    shape, window = case
    x = data.draw(values(dtype, shape, -3, 3)).round()  # rounding makes ties
    out, taps = REF.max_pool2d(x, window)
    got_out, got_taps = CL.max_pool2d(put(x, offsets[0]), window)
    assert_same(got_out, out)
    assert_same(got_taps, taps)
    grad = data.draw(values(dtype, tuple(out.shape)))
    expected = REF.max_pool2d_grad(grad, taps, shape, window)
    assert_same(CL.max_pool2d_grad(put(grad, offsets[1]), put(taps, offsets[0]), shape, window), expected)


SPECIALISED = [
    ((3, 6, 14, 14), Window2d((5, 5))),  # LeNet5's conv2
    ((2, 3, 9, 8), Window2d((3, 3), (1, 1), (1, 1), (1, 1, 1, 1))),
    ((2, 2, 10, 11), Window2d((3, 2), (2, 3), (2, 1), (0, 1, 2, 0))),
    ((4, 6, 28, 28), Window2d((2, 2), (2, 2))),  # LeNet5's first pool
]
"""Windows run on kernels built for their geometry (the sizes as literals), as a training
loop's are from its fourth step; the generated windows above run the generic kernels."""


@pytest.mark.parametrize("shape, window", SPECIALISED)
def test_window_kernels_built_for_one_geometry(monkeypatch: pytest.MonkeyPatch, shape: Shape, window: Window2d) -> None:
    from minispore_opencl import window as window_ops

    monkeypatch.setattr(window_ops, "SPECIALIZE_AFTER", 0)
    geometry, _ = window_ops._packed("im2col", 0, shape[2], shape[3], window, "int")
    assert geometry is not None  # every launch below runs a kernel built for its geometry
    rng = np.random.default_rng(7)
    x = rng.integers(-3, 4, shape).astype(np.float32)
    cols = REF.im2col(x, window, -1.5)
    assert_same(CL.im2col(put(x, 3), window, -1.5), cols)
    assert_same(CL.col2im(put(cols, 2), shape, window), REF.col2im(cols, shape, window))
    out, taps = REF.max_pool2d(x, window)
    got_out, got_taps = CL.max_pool2d(put(x, 1), window)
    assert_same(got_out, out)
    assert_same(got_taps, taps)
    grad = rng.standard_normal(out.shape).astype(np.float32)
    expected = REF.max_pool2d_grad(grad, taps, shape, window)
    assert_same(CL.max_pool2d_grad(put(grad, 4), put(taps, 2), shape, window), expected)


DISJOINT = [
    ((2, 3, 7, 9), Window2d((2, 2), (2, 2), (1, 1), (1, 0, 0, 1))),
    ((3, 5, 5, 6), Window2d((3, 2), (3, 3))),
    ((1, 7, 8, 11), Window2d((2, 2), (3, 4), (2, 1), (0, 2, 1, 0))),
    ((5, 3, 28, 28), Window2d((2, 2), (2, 2))),
    ((2, 1, 1, 5), Window2d((1, 1), (1, 2))),
]
"""Windows that never overlap (the gather-free gradient): padding, gaps, odd sizes, and
``N*C*H*W`` that are not multiples of a work-group."""


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("shape, window", DISJOINT)
def test_max_pool2d_grad_of_disjoint_windows(dtype: np.dtype[Any], shape: Shape, window: Window2d) -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(-2, 3, shape).astype(dtype)  # ties
    x.flat[::7] = np.nan
    x.flat[3::11] = -np.inf
    out, taps = REF.max_pool2d(x, window)
    got_out, got_taps = CL.max_pool2d(put(x, 5), window)
    assert_same(got_out, out)
    assert_same(got_taps, taps)
    grad = rng.standard_normal(out.shape).astype(dtype)
    grad.flat[::5], grad.flat[1::9], grad.flat[2::13] = -0.0, np.inf, np.nan  # +0.0 where not chosen
    expected = REF.max_pool2d_grad(grad, taps, shape, window)
    got = CL.max_pool2d_grad(put(grad, 2), put(taps, 1), shape, window)
    assert_same(got, expected)
    np.testing.assert_array_equal(np.signbit(CL.to_numpy(got)), np.signbit(expected))


PAIR_SHAPES = [(2, 3, 28, 28), (3, 2, 10, 10), (1, 2, 9, 17), (2, 1, 8, 8), (1, 1, 6, 30)]
"""2x2 windows of stride 2 with four or more a row (the four-windows-a-work-item kernels):
rows of 4, 5, 8, 14 and 15 windows, and odd sides whose gradient takes the general kernel."""


@pytest.mark.parametrize("shape", PAIR_SHAPES, ids=str)
@pytest.mark.parametrize("nan", [False, True], ids=["finite", "nan"])
def test_max_pool2d_of_pairs_matches_numpy(shape: Shape, nan: bool) -> None:
    from minispore_opencl import window as window_ops

    window = Window2d((2, 2), (2, 2))
    assert window_ops._pairs(window, np.dtype(np.float32), window.output_size(*shape[2:])[1])
    rng = np.random.default_rng(sum(shape))
    x = rng.integers(-2, 3, shape).astype(np.float32)  # ties
    x.flat[1::5] = -0.0
    if nan:
        x.flat[::13] = np.nan
        x.flat[2::9] = -np.inf
    out, taps = REF.max_pool2d(x, window)
    got_out, got_taps = CL.max_pool2d(put(x, 3), window)
    assert_same(got_out, out)
    np.testing.assert_array_equal(np.signbit(CL.to_numpy(got_out)), np.signbit(out))
    assert_same(got_taps, taps)
    grad = rng.standard_normal(out.shape).astype(np.float32)
    grad.flat[::5], grad.flat[1::6], grad.flat[2::11] = -0.0, np.inf, np.nan
    expected = REF.max_pool2d_grad(grad, taps, shape, window)
    got = CL.max_pool2d_grad(put(grad, 2), put(taps, 5), shape, window)
    assert_same(got, expected)
    np.testing.assert_array_equal(np.signbit(CL.to_numpy(got)), np.signbit(expected))


def test_max_pool2d_special_values() -> None:
    x = np.array([[[[1.0, np.nan, 2.0, np.nan], [-np.inf, -np.inf, 3.0, 3.0]]]], np.float32)
    window = Window2d((2, 2), (2, 2))
    out, taps = CL.max_pool2d(CL.from_numpy(x), window)
    assert_same(out, REF.max_pool2d(x, window)[0])
    assert_same(taps, np.array([[[[1, 1]]]], np.int32))


# the fused optimizer update ------------------------------------------------------------

UPDATE_DTYPES = [*FLOATS, np.dtype(np.float16)]
PIECES = [(3, 16, 2), (5,), (7, 9), *[(k + 1,) for k in range(16)], (1000,), (2000, 2), (70000,)]
"""Tiny gradients, ones longer than a work-group and one of three CPU runs."""


def _pieces(dtype: np.dtype[Any], rng: np.random.Generator) -> list[np.ndarray[Any, Any]]:
    return [rng.standard_normal(s).astype(dtype) for s in PIECES]


@pytest.mark.parametrize("dtype", UPDATE_DTYPES, ids=str)
@pytest.mark.parametrize("decay", ["none", "partial", "all"])
@pytest.mark.parametrize("scale", [False, True])
@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("kernel", ["runs", "elements"])
def test_fused_update_matches_numpy_exactly(
    dtype: np.dtype[Any], decay: str, scale: bool, nesterov: bool, kernel: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minispore_opencl import update
    from minispore_opencl.kernels.update import RUN

    from minispore.backend import UpdateStep
    from minispore.nn.optim.rules import MOMENTUM

    # Both kernels (CPU runs, GPU work-groups) on this device, four gradients per launch.
    monkeypatch.setattr(CL._rt, "is_cpu", kernel == "runs")
    monkeypatch.setattr(update, "grads_per_launch", lambda rt: 4)
    rng = np.random.default_rng(7)
    n = sum(int(np.prod(s)) for s in PIECES)
    options = frozenset({"scale"} if scale else ()) | frozenset({"nesterov"} if nesterov else ())
    decay_count = {"none": 0, "partial": 1234 + 2 * RUN, "all": n}[decay]
    scalars = tuple(float(np.float32(x)) for x in (0.01, 0.9, 1e-4 * 1024, 1 / 1024))
    step = UpdateStep(MOMENTUM, options, decay_count, scalars)
    p, v = (rng.standard_normal(n).astype(dtype) for _ in range(2))
    param, moment = put(p, 5), put(v)
    for _ in range(2):  # a second step starts from a nonzero moment
        grads = _pieces(dtype, rng)
        REF.fused_update(step, p, [v], grads)
        CL.fused_update(step, param, [moment], [put(g, k % 3) for k, g in enumerate(grads)])
    assert_same(param, p)
    assert_same(moment, v)


def test_fused_update_rejects_mismatched_buffers() -> None:
    from minispore.backend import UpdateStep
    from minispore.nn.optim.rules import MOMENTUM

    step = UpdateStep(MOMENTUM, frozenset(), 0, (0.1, 0.9, 0.0, 1.0))
    p = CL.full((8,), 0.0, np.dtype(np.float32))
    with pytest.raises(ValueError, match="every buffer must be 1-D contiguous"):
        CL.fused_update(step, p, [CL.full((7,), 0.0, np.dtype(np.float32))], [p])
    with pytest.raises(ValueError, match="the gradients hold 9 elements but the buffers hold 8"):
        CL.fused_update(step, p, [p], [CL.full((3, 3), 0.0, np.dtype(np.float32))])


def test_fused_update_reads_a_transposed_gradient() -> None:
    from minispore.backend import UpdateStep
    from minispore.nn.optim.rules import MOMENTUM

    step = UpdateStep(MOMENTUM, frozenset(), 0, (0.5, 0.9, 0.0, 1.0))
    g = np.arange(6, dtype=np.float32).reshape(2, 3)
    p, v = np.zeros(6, np.float32), np.zeros(6, np.float32)
    param, moment = put(p), put(v)
    REF.fused_update(step, p, [v], [np.ascontiguousarray(g.T)])
    CL.fused_update(step, param, [moment], [CL.transpose(put(g), (1, 0))])
    assert_same(param, p)
    assert_same(moment, v)


def test_a_geometry_gets_its_own_kernel_after_a_few_launches(monkeypatch: pytest.MonkeyPatch) -> None:
    from minispore_opencl import window as window_ops

    monkeypatch.setattr(window_ops, "SPECIALIZE_AFTER", 3)
    monkeypatch.setattr(window_ops, "_USES", {})
    first = Window2d((3, 3))
    got = [window_ops._packed("im2col", 5, 8, 8, first, "int") for _ in range(5)]
    assert [g is None for g, _ in got] == [True, True, True, False, False]
    assert got[3][0] == got[4][0] and int(got[4][1]) == 5  # then only the offset is an argument
    struct, geometry = np.asarray(got[0][1]), got[3][0]
    assert geometry is not None and int(struct[0]) == 5 and struct.shape == (1 + len(geometry),)  # before: the struct
    assert window_ops._packed("col2im", 5, 8, 8, first, "int")[0] is None  # counted per kernel
    monkeypatch.setenv(window_ops.SPECIALIZE_VARIABLE, "soon")
    with pytest.raises(ValueError, match="MINISPORE_OPENCL_SPECIALIZE_AFTER must be a whole number"):
        window_ops._specialize_after()
