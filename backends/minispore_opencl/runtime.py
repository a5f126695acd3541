"""One opened OpenCL device: context, queue, memory pool, program cache and launches.

This is the only module that calls PyOpenCL's API; the op modules build sources and
arguments and hand them here.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from functools import lru_cache
from math import prod
from typing import Any

import numpy as np
import pyopencl as cl
import pyopencl.array as cla
import pyopencl.tools as clt

from minispore.backend.protocol import Array, Shape
from minispore_opencl import program_cache
from minispore_opencl.layout import Layout, dense_byte_strides

WORK_GROUP = 256
"""Work-items per group, at most (fewer if a kernel allows fewer).

On PoCL a kernel launched in whole groups of 256 whose body has no bounds check
vectorises and runs as fast as a fused C loop.
"""

TABLES = 64
"""Lookup tables kept on the device before the cache starts over."""

HOST_COPY_BYTES = 64 * 1024
"""Uploads up to this size keep their host copy while the array lives and is not written,
and reading them back answers from it. A loss with class-index labels checks them on the
host: read from the device, that read waited for every kernel queued before it (the whole
forward pass), so the host could not queue the backward pass meanwhile: 8.9 ms against
6.2 ms for a LeNet5 step at batch 32 on PoCL. Only small arrays (labels, batches of indices)
are kept, so host memory grows by at most this much per live upload."""

LAUNCHES = 4096
"""Launch plans (kernel, padded range, group, size arguments) kept per range before the cache starts over."""


def _argument_dtype(arg: Any) -> np.dtype[Any] | None:
    """How PyOpenCL passes ``arg``: None for a buffer, the dtype of a NumPy scalar, and raw
    bytes (a ``void`` dtype) for a NumPy array passed by value as a struct."""
    if isinstance(arg, cl.MemoryObjectHolder):
        return None
    if isinstance(arg, np.ndarray):
        return np.dtype((np.void, arg.nbytes))
    if isinstance(arg, np.generic):
        return arg.dtype
    raise TypeError(
        f"A kernel argument must be a buffer, a NumPy scalar or a NumPy array, but got {type(arg).__name__}."
    )


@lru_cache(maxsize=4096)
def _group(n: int, limit: int) -> int:
    """The largest power-of-two group size up to ``limit`` that pads ``n`` items by at most 1/8."""
    group = 1
    while group * 2 <= limit and (-n % (group * 2)) * 8 <= n:
        group *= 2
    return group


class Runtime:
    """Everything one ``"OpenCL:<index>"`` device needs to run kernels."""

    def __init__(self, device: Any) -> None:
        self.device = device
        self.context = cl.Context([device])
        self.queue = cl.CommandQueue(self.context)
        self.allocator = clt.MemoryPool(clt.ImmediateAllocator(self.queue))
        self.fp64 = "cl_khr_fp64" in device.extensions
        self.is_cpu = bool(device.type & cl.device_type.CPU)
        self.max_parameter_size = int(device.max_parameter_size)
        self.max_work_group = int(device.max_work_group_size)
        exact = device.single_fp_config & cl.device_fp_config.CORRECTLY_ROUNDED_DIVIDE_SQRT
        self._options = ["-cl-fp32-correctly-rounded-divide-sqrt"] if exact else []
        self._programs: dict[str, Any] = {}
        self._kernels: dict[tuple[str, str], tuple[Any, int]] = {}
        self._tables: dict[tuple[int, ...], Array] = {}
        self._host_copies: dict[int, tuple[weakref.ref[Any], np.ndarray[Any, Any]]] = {}
        self._launches: dict[tuple[str, str, Shape], tuple[Any, tuple[int, ...], tuple[int, ...], tuple[Any, ...]]] = {}

    @property
    def name(self) -> str:
        return str(self.device.name).strip()

    # compilation ------------------------------------------------------------------
    def _compiled(self, source: str, name: str, args: Any) -> tuple[Any, int]:
        """Kernel ``name`` of program ``source`` and its largest group size, compiled on
        first use and then told the types of ``args``, the first launch's arguments.

        Untyped, PyOpenCL works out each argument's kind on every launch: 450 us for the
        106 arguments of the fused update on PoCL, against 10 us typed. A kernel's source
        fixes its argument types, so the first launch's types hold for every later one.
        """
        found = self._kernels.get((source, name))
        if found is None:
            program = self._programs.get(source)
            if program is None:
                program = program_cache.build(self.context, self.device, source, self._options)
                self._programs[source] = program
            kernel = getattr(program, name)
            kernel.set_scalar_arg_dtypes([_argument_dtype(a) for a in args])
            limit = kernel.get_work_group_info(cl.kernel_work_group_info.WORK_GROUP_SIZE, self.device)
            found = (kernel, min(WORK_GROUP, int(limit)))
            self._kernels[(source, name)] = found
        return found

    # launches ---------------------------------------------------------------------
    def launch_items(self, source: str, name: str, items: Shape, *args: Any) -> None:
        """Run kernel ``name`` on an ``items`` range of one or two dimensions, in one launch.

        The range is padded to whole work-groups and the true sizes follow ``args`` as
        ``long`` arguments: kernels are built with
        :func:`~minispore_opencl.kernels.grid.guarded_kernel`, which skips the padding.
        """
        self._forget(args[0])  # the kernel writes its first argument
        key = (source, name, tuple(items))
        plan = self._launches.get(key)
        if plan is None:
            if not all(items):
                return
            sizes = tuple(np.int64(n) for n in items)
            kernel, limit = self._compiled(source, name, (*args, *sizes))
            groups = [_group(items[0], limit)]
            if len(items) == 2:
                groups.append(_group(items[1], limit // groups[0]))
            padded = tuple(-(-n // g) * g for n, g in zip(items, groups))
            if len(self._launches) >= LAUNCHES:
                self._launches.clear()
            plan = self._launches[key] = (kernel, padded, tuple(groups), sizes)
        kernel, padded, local, sizes = plan
        kernel(self.queue, padded, local, *args, *sizes)

    def launch(self, source: str, name: str, global_size: Shape, local_size: Shape | None, *args: Any) -> None:
        """Run kernel ``name`` over an N-D range (sizes must be multiples of ``local_size``)."""
        self._forget(args[0])  # the kernel writes its first argument
        self._compiled(source, name, args)[0](self.queue, global_size, local_size, *args)

    def finish(self) -> None:
        self.queue.finish()

    # memory -----------------------------------------------------------------------
    def _array(self, shape: Shape, dtype: np.dtype[Any], strides: Sequence[int], data: Any, offset: int) -> Array:
        """A PyOpenCL array with byte ``strides`` and ``offset`` over ``data`` (None: allocate).

        PyOpenCL's own ``_fast`` constructor (the one its views use) takes the shape,
        strides and size as given: 1-2 us against about 20 for the checking constructor,
        which ran for every array, about 150 per LeNet5 step.
        """
        return cla.Array(
            None,
            tuple(shape),
            dtype,
            allocator=self.allocator,
            data=data,
            offset=offset,
            strides=tuple(strides),
            _fast=True,
            _size=prod(shape),
            _context=self.context,
            _queue=self.queue,
        )

    def empty(self, shape: Shape, dtype: np.dtype[Any]) -> Array:
        """A new uninitialised contiguous array."""
        dtype = np.dtype(dtype)
        shape = tuple(shape)
        return self._array(shape, dtype, dense_byte_strides(shape, dtype.itemsize), None, 0)

    def as_shape(self, x: Array, shape: Shape) -> Array:
        """The dense array ``x`` (see :func:`~.layout.dense`) seen with ``shape`` of the same size; no copy.

        PyOpenCL's ``reshape`` checks and works out strides in Python: 20-40 us a call.
        """
        shape = tuple(shape)
        return self._array(shape, x.dtype, dense_byte_strides(shape, x.dtype.itemsize), x.base_data, x.offset)

    def view(self, base: Array, layout: Layout) -> Array:
        """An array over ``base``'s buffer with ``layout`` (in elements); no copy."""
        item = base.dtype.itemsize
        return self._array(
            layout.shape, base.dtype, [s * item for s in layout.strides], base.base_data, layout.offset * item
        )

    def to_device(self, host: np.ndarray[Any, Any]) -> Array:
        """A contiguous device copy of ``host``, queued without waiting.

        The copy reads a private host copy, which PyOpenCL keeps alive until the transfer
        is done, so the caller may change ``host`` at once. A blocking upload would wait
        for every kernel queued before it: a LeNet5 step uploads two small constants in
        its loss, and each stalled the host until the forward pass had run.
        """
        if host.size == 0:
            return self.empty(host.shape, host.dtype)
        private = np.array(host, order="C", copy=True)
        array = cla.to_device(self.queue, private, allocator=self.allocator, async_=True)
        if private.nbytes <= HOST_COPY_BYTES:
            self._keep_host_copy(array, private)
        return array

    def _keep_host_copy(self, array: Array, private: np.ndarray[Any, Any]) -> None:
        """Remember ``private`` as the value of the new array ``array`` until the array dies
        or its buffer is written (:meth:`written`)."""
        key = id(array.base_data)
        copies = self._host_copies

        def drop(ref: weakref.ref[Any]) -> None:
            entry = copies.get(key)
            if entry is not None and entry[0] is ref:
                del copies[key]

        private.setflags(write=False)
        copies[key] = (weakref.ref(array, drop), private)

    def written(self, x: Array) -> None:
        """Say that a kernel is about to write into the existing array ``x`` (or a view of
        its buffer): an upload's host copy no longer holds its value.

        Every kernel writes its first argument, and the launches say so themselves; a kernel
        that also writes other buffers (the fused update's states) calls this for each.
        """
        self._forget(x.base_data)

    def _forget(self, buffer: Any) -> None:
        """Drop the host copy of the upload whose buffer is ``buffer``, if one is kept."""
        if self._host_copies:
            self._host_copies.pop(id(buffer), None)

    def table(self, values: tuple[int, ...]) -> Array:
        """A cached device copy of a small int64 lookup table (such as a segment list)."""
        found = self._tables.get(values)
        if found is None:
            if len(self._tables) >= TABLES:
                self._tables.clear()
            found = self._tables[values] = self.to_device(np.array(values, dtype=np.int64))
        return found

    def to_host(self, x: Array) -> np.ndarray[Any, Any]:
        """A host copy of the contiguous array ``x``.

        A small upload never written since (see :data:`HOST_COPY_BYTES`) is answered from
        its host copy without waiting; anything else waits for the queue and reads the device.
        """
        if x.size == 0:
            return np.empty(x.shape, x.dtype)
        entry = self._host_copies.get(id(x.base_data))
        if entry is not None and entry[0]() is x:
            copy: np.ndarray[Any, Any] = np.array(entry[1])
            return copy
        return x.get()  # type: ignore[no-any-return]
