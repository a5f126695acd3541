"""The OpenCL runtime's launches: argument types declared to PyOpenCL once per kernel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from minispore_opencl import OpenCLBackend

if TYPE_CHECKING:
    from minispore_opencl.runtime import Runtime

_AVAILABILITY = OpenCLBackend.availability()
if not _AVAILABILITY.available:
    pytest.skip(f"OpenCL backend unavailable: {_AVAILABILITY.reason}", allow_module_level=True)

SOURCE = """
__kernel void axpy(__global float* y, __global const float* x, const float a, const long n) {
    const long i = get_global_id(0);
    if (i < n) y[i] = a * x[i] + y[i];
}
"""


def _run(args: tuple[object, ...], rt: Runtime, y: Any) -> np.ndarray[Any, Any]:
    rt.launch(SOURCE, "axpy", (64,), None, *args)
    return rt.to_host(y)


def test_numpy_scalar_arguments_are_declared_once_and_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyopencl as cl

    declared: list[list[Any]] = []
    original = cl.Kernel.set_scalar_arg_dtypes

    def spy(kernel: Any, dtypes: Any) -> None:
        declared.append(list(dtypes))
        original(kernel, dtypes)

    monkeypatch.setattr(cl.Kernel, "set_scalar_arg_dtypes", spy)
    backend = OpenCLBackend()
    rt = backend._rt
    x = rt.to_device(np.arange(64, dtype=np.float32))
    y = rt.to_device(np.ones(64, dtype=np.float32))
    out = _run((y.base_data, x.base_data, np.float32(2.0), np.int64(64)), rt, y)
    np.testing.assert_array_equal(out, 2 * np.arange(64, dtype=np.float32) + 1)
    assert declared == [[None, None, np.dtype(np.float32), np.dtype(np.int64)]]
    # Later launches reuse the declared types, converting what they are given.
    out = _run((y.base_data, x.base_data, np.float64(1.0), np.int64(10)), rt, y)
    expected = 2 * np.arange(64, dtype=np.float32) + 1
    expected[:10] += np.arange(10, dtype=np.float32)
    np.testing.assert_array_equal(out, expected)
    assert len(declared) == 1


def test_a_python_number_argument_is_refused_by_name() -> None:
    # PyOpenCL cannot pass a Python int (its C type is unknown) typed or not: say so clearly.
    backend = OpenCLBackend()
    rt = backend._rt
    x = rt.to_device(np.arange(64, dtype=np.float32))
    y = rt.to_device(np.zeros(64, dtype=np.float32))
    with pytest.raises(TypeError, match="must be a buffer, a NumPy scalar or a NumPy array, but got int"):
        _run((y.base_data, x.base_data, np.float32(3.0), 64), rt, y)


def test_an_upload_reads_the_values_of_the_call() -> None:
    # Uploads are queued without waiting, from a private copy: changing the host array
    # afterwards must not change what reaches the device.
    rt = OpenCLBackend()._rt
    host = np.arange(1 << 16, dtype=np.float32)
    device = rt.to_device(host)
    host[:] = -1.0
    np.testing.assert_array_equal(rt.to_host(device), np.arange(1 << 16, dtype=np.float32))


def test_elementwise_flat_path_reads_views_at_offsets_and_scalars() -> None:
    # Contiguous operands of the output's shape and 0-d scalars take the flat launch with no
    # layout work; views into a larger buffer (nonzero offsets) must still be read in place.
    from minispore.backend.protocol import BinaryOp

    backend = OpenCLBackend()
    host = np.arange(40, dtype=np.float32)
    base = backend.from_numpy(host)
    x = backend.view(base, 3, (2, 5))
    y = backend.view(base, 20, (2, 5))
    s = backend.view(base, 37, ())
    cases = [
        (backend.binary(BinaryOp.ADD, x, y), host[3:13].reshape(2, 5) + host[20:30].reshape(2, 5)),
        (backend.binary(BinaryOp.MUL, x, s), host[3:13].reshape(2, 5) * host[37]),
        (backend.binary(BinaryOp.SUB, s, y), host[37] - host[20:30].reshape(2, 5)),
        (backend.binary(BinaryOp.MUL, backend.view(base, 5, (1, 1)), s), np.array([[host[5] * host[37]]])),
        (backend.binary(BinaryOp.ADD, s, s), np.float32(2 * host[37])),
    ]
    for got, expected in cases:
        assert tuple(got.shape) == np.shape(expected)
        np.testing.assert_array_equal(backend.to_numpy(got), expected)


def test_small_uploads_read_back_from_their_host_copy_until_written(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyopencl.array as cla
    from minispore_opencl.runtime import HOST_COPY_BYTES

    backend = OpenCLBackend()
    reads: list[Any] = []
    original = cla.Array.get

    def spy(self: Any, *a: Any, **k: Any) -> Any:
        reads.append(self)
        return original(self, *a, **k)

    monkeypatch.setattr(cla.Array, "get", spy)
    host = np.arange(6, dtype=np.int32)
    x = backend.from_numpy(host)
    host[:] = -1  # the upload took its own copy
    first = backend.to_numpy(x)
    np.testing.assert_array_equal(first, np.arange(6))
    first[:] = 99  # the caller's copy: the next read is unchanged
    np.testing.assert_array_equal(backend.to_numpy(x), np.arange(6))
    assert reads == []
    # Writes through the array, a view of its buffer, or setitem reach the next read.
    backend.copy_into(backend.view(x, 4, (2,)), backend.from_numpy(np.array([7, 8], np.int32)))
    np.testing.assert_array_equal(backend.to_numpy(x), [0, 1, 2, 3, 7, 8])
    y = backend.from_numpy(np.zeros((2, 3), np.float32))
    backend.setitem(y, (0, slice(0, 3, 1)), backend.from_numpy(np.array(5.0, np.float32)))
    np.testing.assert_array_equal(backend.to_numpy(y), [[5, 5, 5], [0, 0, 0]])
    z = backend.from_numpy(np.ones(3, np.float32))
    backend.copy_into(z, backend.from_numpy(np.array([1.0, 2.0, 3.0], np.float32)))
    np.testing.assert_array_equal(backend.to_numpy(z), [1, 2, 3])
    # A view of an upload, and an upload above the limit, are read from the device.
    reads.clear()
    np.testing.assert_array_equal(backend.to_numpy(backend.reshape(backend.from_numpy(host), (2, 3))), [[-1] * 3] * 2)
    big = np.arange(HOST_COPY_BYTES // 4 + 1, dtype=np.float32)
    np.testing.assert_array_equal(backend.to_numpy(backend.from_numpy(big)), big)
    assert len(reads) == 2


def test_tensor_writes_reach_reads_of_small_uploads() -> None:
    import minispore as ms

    ms.set_device("OpenCL")
    try:
        labels = ms.Tensor(np.array([0, 1, 2], np.int32))
        labels[1] = 7
        np.testing.assert_array_equal(labels.asnumpy(), [0, 7, 2])
        w = ms.Parameter(np.zeros(3, np.float32), name="w")
        w.set_data(ms.Tensor(np.array([1.0, 2.0, 3.0], np.float32)))
        np.testing.assert_array_equal(w.asnumpy(), [1, 2, 3])
        opt = ms.nn.Momentum([w], 1.0, 0.0)
        opt((ms.Tensor(np.ones(3, np.float32)),))
        np.testing.assert_array_equal(w.asnumpy(), [0, 1, 2])
        with pytest.raises(RuntimeError, match="class index"):
            ms.ops.softmax_cross_entropy(ms.Tensor(np.zeros((3, 3), np.float32)), labels, sparse=True)
    finally:
        ms.set_device("CPU")
