"""``Tensor``: an n-dimensional array on one device, with MindSpore's surface.

A Tensor holds a backend array and the backend that owns it. Arithmetic builds on
:mod:`minispore.ops`, so gradients flow through operators and methods alike.
"""

from __future__ import annotations

import numbers
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from minispore.backend.protocol import Array, Backend
from minispore.common import dtype as mstype
from minispore.common.dtype import DType, DTypeLike

if TYPE_CHECKING:
    from minispore.autograd import Node
    from minispore.common.initializer import Initializer


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def host_array(value: Any, dtype: DType | None = None) -> np.ndarray[Any, Any]:
    """Convert Python data or NumPy arrays to a host array with MindSpore's dtype inference.

    A Python float gives float32, an int gives int64, a bool gives bool, lists follow their
    elements (floats give float32), and NumPy arrays keep their dtype (float64 included).

    Raises:
        TypeError: the value cannot be a tensor (strings, objects, ragged lists, unsupported
            dtypes).
        RuntimeError: an int does not fit Int64 (MindSpore's type for this error).
    """
    if isinstance(value, Tensor):
        arr = value.asnumpy()
    elif isinstance(value, np.ndarray | np.generic):
        arr = np.asarray(value)
    elif isinstance(value, bool):
        arr = np.asarray(value, dtype=np.bool_)
    elif isinstance(value, numbers.Integral):
        if dtype is None or not dtype.is_floating:
            _check_int64("input_data", int(value))
        # An int beyond Int64 for a float dtype is rounded once, from Python's exact value.
        arr = np.asarray(value, dtype=np.int64 if _INT64_MIN <= int(value) <= _INT64_MAX else np.float64)
    elif isinstance(value, numbers.Real):
        # Parsed as float64 when a dtype is given, so Tensor(0.1, ms.float64) is exactly 0.1.
        arr = np.asarray(value, dtype=np.float32 if dtype is None else np.float64)
    elif isinstance(value, list | tuple):
        arr = _nested_array(value, floating=dtype is not None and dtype.is_floating)
        if arr.dtype == np.float64 and dtype is None:
            arr = arr.astype(np.float32)
    else:
        raise TypeError(
            f"For 'Tensor', 'input_data' must be a number, list, tuple, numpy.ndarray or Tensor, "
            f"but got {type(value).__name__}."
        )
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"For 'Tensor', the data type {arr.dtype} is not supported; pass numbers.")
    if dtype is not None:
        return arr.astype(dtype.np_dtype)
    mstype.from_numpy_dtype(arr.dtype)
    return arr


def _check_int64(name: str, value: int) -> None:
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise RuntimeError(
            f"For 'Tensor', the integer {value} in '{name}' does not fit Int64 (range [{_INT64_MIN}, {_INT64_MAX}]). "
            "Pass a float, or dtype=ms.float32/ms.float64 to store it approximately."
        )


def _nested_array(value: list[Any] | tuple[Any, ...], floating: bool) -> np.ndarray[Any, Any]:
    """A (nested) list or tuple of numbers or Tensors as one host array; ints beyond Int64
    are allowed, as floats, when the tensor will be ``floating``.

    Raises:
        TypeError: the lists are ragged, or hold something other than numbers.
        RuntimeError: an int does not fit Int64.
    """
    try:
        arr = np.asarray([host_array(v) if isinstance(v, Tensor) else v for v in value])
    except ValueError:  # NumPy: "setting an array element with a sequence ... inhomogeneous shape"
        raise TypeError(
            f"For 'Tensor', 'input_data' must be a rectangular nested list of numbers, but {value!r:.100} is ragged "
            "(its lists at one depth have different lengths)."
        ) from None
    if arr.dtype == np.uint64 and arr.size and not floating:  # NumPy's choice for ints in [2**63, 2**64)
        _check_int64("input_data", int(arr.max()))
    if arr.dtype == object:
        for item in arr.reshape(-1):
            if isinstance(item, numbers.Integral) and not isinstance(item, bool):
                if not floating:
                    _check_int64("input_data", int(item))
            elif not isinstance(item, numbers.Number):
                raise TypeError(
                    f"For 'Tensor', 'input_data' must hold numbers only, but got {type(item).__name__} {item!r:.40}."
                )
        return arr.astype(np.float64)
    return arr


def check_shape(op: str, shape: Sequence[int] | int) -> tuple[int, ...]:
    """``shape`` as a tuple of non-negative ints.

    Raises:
        TypeError: ``shape`` is not an int or a sequence of ints (bools and floats included).
        ValueError: a dimension is negative.
    """
    dims = (shape,) if isinstance(shape, int | np.integer) else shape
    if not isinstance(dims, Sequence) or not all(
        isinstance(d, int | np.integer) and not isinstance(d, bool) for d in dims
    ):
        raise TypeError(f"For '{op}', 'shape' must be an int or a tuple of ints, but got {shape!r:.100}.")
    if any(d < 0 for d in dims):
        raise ValueError(f"For '{op}', every dimension of 'shape' must be >= 0, but got {tuple(dims)}.")
    return tuple(int(d) for d in dims)


def check_same_backend(op: str, tensors: Sequence[Tensor]) -> Backend:
    """The one backend that all ``tensors`` live on.

    Raises:
        ValueError: they live on different devices (minispore never copies silently).
    """
    backend = tensors[0]._backend
    for t in tensors[1:]:
        if t._backend is not backend:
            raise ValueError(
                f"For '{op}', all tensors must be on one device, but got {tensors[0].device} and {t.device}. "
                f"Move one with Tensor.to('{tensors[0].device}')."
            )
    return backend


class Tensor:
    """An n-dimensional array on a device.

    Args:
        input_data: a number, (nested) list or tuple, ``numpy.ndarray`` or Tensor.
        dtype: the element type; inferred MindSpore-style when omitted (Python float gives
            Float32, int gives Int64, float64 arrays stay Float64).
        shape: with ``init``, the shape of a tensor filled by an initializer.
        init: an :class:`~minispore.common.initializer.Initializer` or its name.
        device: the device (``"CPU"``, ``"OpenCL:1"``, …); the context's default if None.

    Example:
        >>> import minispore as ms
        >>> ms.Tensor([1.0, 2.0]).dtype
        Float32
    """

    _node: Node | None
    _data: Array
    _backend: Backend

    def __init__(
        self,
        input_data: Any = None,
        dtype: DTypeLike | None = None,
        shape: Sequence[int] | int | None = None,
        init: Initializer | str | None = None,
        *,
        device: str | None = None,
    ) -> None:
        from minispore.backend.registry import get_backend
        from minispore.context import default_backend

        backend = get_backend(device) if device is not None else default_backend()
        want = None if dtype is None else mstype.to_dtype(dtype)
        if input_data is None:
            if shape is None or init is None:
                raise ValueError("For 'Tensor', pass 'input_data', or both 'shape' and 'init'.")
            from minispore.common.initializer import initializer

            host = initializer(init, check_shape("Tensor", shape), want or mstype.float32).asnumpy()
        else:
            if shape is not None or init is not None:
                raise ValueError("For 'Tensor', 'shape' and 'init' go together and exclude 'input_data'.")
            host = host_array(input_data, want)
        if not backend.supports_dtype(host.dtype):
            raise TypeError(
                f"The {backend.device_target} device does not support {mstype.from_numpy_dtype(host.dtype)}."
            )
        self._data = backend.from_numpy(host)
        self._backend = backend
        self._node = None

    @classmethod
    def _from_array(cls, data: Array, backend: Backend) -> Tensor:
        t = object.__new__(Tensor)
        t._data = data
        t._backend = backend
        t._node = None
        return t

    # properties ---------------------------------------------------------------
    @property
    def backend(self) -> Backend:
        """The backend object that holds this tensor's data."""
        return self._backend

    @property
    def device(self) -> str:
        """The device string, such as ``"CPU"`` or ``"OpenCL:1"``."""
        index = self._backend.device_index
        return self._backend.device_target + (f":{index}" if index else "")

    @property
    def shape(self) -> tuple[int, ...]:
        """The size of each dimension, as a tuple of ints."""
        return tuple(int(n) for n in self._data.shape)

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return len(self._data.shape)

    @property
    def size(self) -> int:
        """The number of elements, the product of ``shape`` (1 for a scalar)."""
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def dtype(self) -> DType:
        """The element type, a minispore ``DType`` such as ``ms.float32``."""
        return mstype.from_numpy_dtype(self._data.dtype)

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        """Bytes of all elements: ``size * itemsize``."""
        return self.size * self.itemsize

    @property
    def T(self) -> Tensor:
        """The transpose with the axes reversed (see :meth:`transpose`)."""
        return self.transpose()

    # host conversion ------------------------------------------------------------
    def asnumpy(self) -> np.ndarray[Any, Any]:
        """A host copy of the data as a ``numpy.ndarray``."""
        return self._backend.to_numpy(self._data)

    numpy = asnumpy

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray[Any, Any]:
        arr = self.asnumpy()
        return arr if dtype is None else arr.astype(dtype)

    @staticmethod
    def from_numpy(array: np.ndarray[Any, Any]) -> Tensor:
        """A Tensor sharing ``array``'s memory on the CPU device (see :func:`minispore.from_numpy`)."""
        from minispore.common.interop import from_numpy

        return from_numpy(array)

    @property
    def data(self) -> Tensor:
        """A Tensor sharing this one's storage (MindSpore's ``Parameter.data``)."""
        return Tensor._from_array(self._data, self._backend)

    def __dlpack__(self, **kwargs: Any) -> Any:
        """The DLPack capsule, where the device's arrays speak DLPack (CPU and CUDA).

        Raises:
            BufferError: the device's arrays have no DLPack export (OpenCL).
        """
        if not hasattr(self._data, "__dlpack__"):
            raise BufferError(
                f"Tensor.__dlpack__ is not available on the {self.device} device; "
                "copy to the host with tensor.asnumpy() or move it with tensor.to('CPU')."
            )
        return self._data.__dlpack__(**kwargs)

    def __dlpack_device__(self) -> tuple[int, int]:
        """``(device_type, device_id)`` as DLPack numbers them (1 is the CPU).

        Raises:
            BufferError: the device's arrays have no DLPack export (OpenCL).
        """
        if not hasattr(self._data, "__dlpack_device__"):
            raise BufferError(f"Tensor.__dlpack_device__ is not available on the {self.device} device.")
        device: tuple[int, int] = self._data.__dlpack_device__()
        return device

    def item(self) -> Any:
        """The single element as a Python number."""
        if self.size != 1:
            raise ValueError(f"For 'Tensor.item', the tensor must have one element, but it has shape {self.shape}.")
        return self.asnumpy().reshape(()).item()

    def tolist(self) -> Any:
        """The data as nested Python lists (a Python number for a scalar); copies to the host."""
        return self.asnumpy().tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.is_floating or self.dtype == mstype.bool_:
            raise TypeError(f"Only integer tensors can be used as an index, but got {self.dtype}.")
        return int(self.item())

    def __bool__(self) -> bool:
        if self.size != 1:
            raise ValueError(
                f"The truth value of a Tensor with {self.size} elements is ambiguous; use .any() or .all()."
            )
        return bool(self.item())

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d tensor is not defined.")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        """MindSpore's form: ``Tensor(shape=[2], dtype=Float32, value= [ 1.50000000e+00,  2.25000000e+00])``."""
        return f"Tensor(shape={list(self.shape)}, dtype={self.dtype}, value={_repr_value(self.asnumpy())})"

    def __str__(self) -> str:
        """The bare array, as ``print(tensor)`` shows it in MindSpore: ``str(tensor.asnumpy())``."""
        return str(self.asnumpy())

    def __hash__(self) -> int:
        return id(self)

    # devices and dtypes ------------------------------------------------------------
    def to(self, target: str | DTypeLike) -> Tensor:
        """Move to a device (``"CPU"``, ``"OpenCL"``) or convert to a dtype.

        Moving copies through host memory; it is the only way data changes device.
        """
        if isinstance(target, str) and not _is_dtype_name(target):
            from minispore.backend.registry import get_backend

            backend = get_backend(target)
            if backend is self._backend:
                return self
            if not backend.supports_dtype(np.dtype(self._data.dtype)):
                raise TypeError(f"The {backend.device_target} device does not support {self.dtype}.")
            return Tensor._from_array(backend.from_numpy(self.asnumpy()), backend)
        return self.astype(target)

    def astype(self, dtype: DTypeLike, copy: bool = True) -> Tensor:
        """A copy converted to ``dtype`` (a ``DType``, a NumPy dtype or a name such as ``"float16"``).

        Args:
            dtype: the target dtype.
            copy: accepted for MindSpore compatibility; a new tensor is always returned.
        """
        return _ops.cast(self, dtype)

    # arithmetic ----------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return _ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _ops.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _ops.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _ops.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ops.div(other, self)

    def __floordiv__(self, other: Any) -> Tensor:
        return _ops.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _ops.floor_divide(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return _ops.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _ops.pow(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _ops.matmul(other, self)

    def __neg__(self) -> Tensor:
        return _ops.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _ops.abs(self)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ops.equal(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ops.not_equal(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return _ops.less(self, other)

    def __le__(self, other: Any) -> Tensor:
        return _ops.less_equal(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _ops.greater(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _ops.greater_equal(self, other)

    def __and__(self, other: Any) -> Tensor:
        return _ops.logical_and(self, other)

    def __or__(self, other: Any) -> Tensor:
        return _ops.logical_or(self, other)

    def __invert__(self) -> Tensor:
        return _ops.logical_not(self)

    def __getitem__(self, key: Any) -> Tensor:
        return _ops.getitem(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        _ops.setitem(self, key, value)

    # methods -------------------------------------------------------------------------
    def exp(self) -> Tensor:
        """Elementwise ``e**x``; integer tensors give Float32."""
        return _ops.exp(self)

    def log(self) -> Tensor:
        """Elementwise natural logarithm ``ln(x)``; integer tensors give Float32."""
        return _ops.log(self)

    def sqrt(self) -> Tensor:
        """Elementwise square root ``x**0.5``; integer tensors give Float32."""
        return _ops.sqrt(self)

    def abs(self) -> Tensor:
        """Elementwise absolute value ``|x|``."""
        return _ops.abs(self)

    def neg(self) -> Tensor:
        """Elementwise negation ``-x``."""
        return _ops.neg(self)

    def pow(self, exponent: Any) -> Tensor:
        """Elementwise power ``x**exponent``, with broadcasting."""
        return _ops.pow(self, exponent)

    def square(self) -> Tensor:
        """Elementwise ``x * x``."""
        return _ops.square(self)

    def sigmoid(self) -> Tensor:
        """Elementwise logistic function ``1 / (1 + exp(-x))``."""
        return _ops.sigmoid(self)

    def tanh(self) -> Tensor:
        """Elementwise hyperbolic tangent."""
        return _ops.tanh(self)

    def relu(self) -> Tensor:
        """Elementwise ``max(x, 0)``; its gradient is 0 at 0, as in MindSpore."""
        return _ops.relu(self)

    def matmul(self, other: Any) -> Tensor:
        """Matrix product with ``other``, as :func:`minispore.ops.matmul`."""
        return _ops.matmul(self, other)

    def clip(self, xmin: Any = None, xmax: Any = None) -> Tensor:
        """Limit every element to ``[xmin, xmax]``: ``min(max(x, xmin), xmax)``; either bound may be None."""
        return _ops.clamp(self, xmin, xmax)

    def sum(self, axis: Any = None, dtype: DTypeLike | None = None, keepdims: bool = False, **kw: Any) -> Tensor:
        """Sum over ``axis`` (all axes when None).

        Args:
            axis: an int, a tuple of ints or None.
            dtype: convert the result to this dtype.
            keepdims: keep the reduced axes with size 1 (``keep_dims`` is also accepted).
            **kw: ``keep_dims``, MindSpore's spelling of ``keepdims``.
        """
        out = _ops.sum(self, axis, keepdims=_keep(keepdims, kw))
        return out if dtype is None else out.astype(dtype)

    def mean(self, axis: Any = None, keep_dims: bool = False, **kw: Any) -> Tensor:
        """Arithmetic mean over ``axis``: ``sum(x) / n`` where ``n`` is the number of reduced elements.

        Args:
            axis: an int, a tuple of ints or None (all axes).
            keep_dims: keep the reduced axes with size 1.
            **kw: ``keepdims``, NumPy's spelling of ``keep_dims``.
        """
        return _ops.mean(self, axis, keep_dims=_keep(keep_dims, kw))

    def max(self, axis: Any = None, keepdims: bool = False, **kw: Any) -> Tensor:
        """Maximum over ``axis`` (all axes when None); ties share the gradient equally.

        Args:
            axis: an int, a tuple of ints or None.
            keepdims: keep the reduced axes with size 1.
            **kw: ``keep_dims``, MindSpore's spelling of ``keepdims``.
        """
        return _ops.amax(self, axis, keepdims=_keep(keepdims, kw))

    def min(self, axis: Any = None, keepdims: bool = False, **kw: Any) -> Tensor:
        """Minimum over ``axis`` (all axes when None); ties share the gradient equally.

        Args:
            axis: an int, a tuple of ints or None.
            keepdims: keep the reduced axes with size 1.
            **kw: ``keep_dims``, MindSpore's spelling of ``keepdims``.
        """
        return _ops.amin(self, axis, keepdims=_keep(keepdims, kw))

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """Index (Int32) of the first maximum along ``axis`` (of the flattened tensor when None)."""
        return _ops.argmax(self, axis, keepdims)

    def argmin(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """Index (Int32) of the first minimum along ``axis`` (of the flattened tensor when None)."""
        return _ops.argmin(self, axis, keepdims)

    def any(self, axis: Any = None, keep_dims: bool = False) -> Tensor:
        """Whether any element along ``axis`` is nonzero (a Bool tensor)."""
        return _ops.amax(self.astype(mstype.bool_), axis, keepdims=keep_dims)

    def all(self, axis: Any = None, keep_dims: bool = False) -> Tensor:
        """Whether every element along ``axis`` is nonzero (a Bool tensor)."""
        return _ops.amin(self.astype(mstype.bool_), axis, keepdims=keep_dims)

    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in a new shape, given as ints or one tuple; one entry may be ``-1``.

        Example:
            >>> import minispore as ms
            >>> ms.ops.ones((2, 3)).reshape(3, -1).shape
            (3, 2)
        """
        return _ops.reshape(self, _shape_args(shape))

    view = reshape

    def transpose(self, *axes: Any) -> Tensor:
        """Permute the axes (``x.transpose(1, 0)``); no arguments reverses them. ``permute`` is the same."""
        perm = _shape_args(axes) if axes else tuple(reversed(range(self.ndim)))
        return _ops.transpose(self, perm)

    permute = transpose

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        """Exchange two axes."""
        return _ops.swapaxes(self, axis0, axis1)

    def flatten(self, order: str = "C", *, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge the axes ``start_dim`` to ``end_dim`` into one.

        Args:
            order: accepted for MindSpore compatibility; the elements are taken in row-major order.
            start_dim: the first axis to merge.
            end_dim: the last axis to merge (inclusive).
        """
        return _ops.flatten(self, start_dim=start_dim, end_dim=end_dim)

    def ravel(self) -> Tensor:
        """The elements as a 1-D tensor, in row-major order."""
        return _ops.reshape(self, (-1,))

    def squeeze(self, axis: int | tuple[int, ...] | None = None) -> Tensor:
        """Remove axes of size 1 (only ``axis`` when given)."""
        return _ops.squeeze(self, axis)

    def expand_dims(self, axis: int) -> Tensor:
        """Insert an axis of size 1 at position ``axis``. ``unsqueeze`` is the same."""
        return _ops.expand_dims(self, axis)

    unsqueeze = expand_dims

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        """Broadcast to ``shape`` with NumPy's rules."""
        return _ops.broadcast_to(self, tuple(shape))

    def copy(self) -> Tensor:
        """A new tensor with a copy of the data, on the same device."""
        return Tensor._from_array(self._backend.index(self._data, full_key(self.shape)), self._backend)

    def fill(self, value: float) -> Tensor:
        """A new tensor of this shape, dtype and device with every element set to ``value``."""
        return _ops.full(self.shape, value, self.dtype, device=self.device)

    def set_dtype(self, dtype: DTypeLike) -> Tensor:
        """Convert the data to ``dtype`` in place and return this tensor."""
        self._data = self._backend.cast(self._data, mstype.to_dtype(dtype).np_dtype)
        return self

    def is_floating_point(self) -> bool:
        """Whether the dtype is a floating-point type."""
        return self.dtype.is_floating

    def stop_gradient(self) -> Tensor:
        """The same values, cut from the gradient graph: gradients do not flow through the result."""
        return _ops.stop_gradient(self)


def _repr_value(arr: np.ndarray[Any, Any]) -> str:
    """The ``value=`` part of MindSpore's Tensor repr (its C++ printer's layout)."""
    if arr.ndim == 0:
        item = arr.item()
        return f" {item:g}" if isinstance(item, float) else f" {item}"
    if arr.size == 0:
        return "\n" if arr.ndim > 1 else " []"
    text = np.array2string(
        arr,
        separator=", ",
        formatter={"float_kind": lambda x: f"{x: .8e}".rjust(15)},
        threshold=1000,
        edgeitems=3,
        max_line_width=sys.maxsize,
    )
    text = text.replace(", ...,", " ...").replace(",\n\n", ",\n")
    return f" {text}" if arr.ndim == 1 else f"\n{text}"


def _is_dtype_name(name: str) -> bool:
    try:
        mstype.to_dtype(name)
    except TypeError:
        return False
    return True


def _keep(value: bool, kw: dict[str, Any]) -> bool:
    extra = set(kw) - {"keepdims", "keep_dims"}
    if extra:
        raise TypeError(f"Unexpected keyword arguments {sorted(extra)}.")
    return bool(kw.get("keepdims", kw.get("keep_dims", value)))


def _shape_args(args: tuple[Any, ...]) -> tuple[int, ...]:
    if len(args) == 1 and isinstance(args[0], list | tuple):
        return tuple(int(a) for a in args[0])
    return tuple(int(a) for a in args)


def full_key(shape: tuple[int, ...]) -> tuple[slice, ...]:
    """The normalized index key that selects every element of ``shape``."""
    return tuple(slice(0, n, 1) for n in shape)


from minispore import ops as _ops  # noqa: E402  (the ops build on Tensor)
