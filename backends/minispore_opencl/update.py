"""The fused optimizer update on OpenCL: one launch per batch of gradients.

A batch is as many gradients as the device's kernel-argument space holds (48 on PoCL):
a LeNet5 group (10 gradients) is one launch, a ResNet-50 group (161) four. The tables
depend only on the gradient sizes and are built once per group.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from minispore.backend.protocol import Array, UpdateStep
from minispore_opencl.elementwise import contiguous
from minispore_opencl.kernels.update import RUN, run_update_source, update_source
from minispore_opencl.layout import is_contiguous, layout_of
from minispore_opencl.scalar_types import ScalarType, scalar_type

if TYPE_CHECKING:
    from minispore_opencl.runtime import Runtime

WORK_GROUP = 64
"""Elements per chunk and work-items per group on a GPU (every OpenCL device runs groups of 64)."""

MAX_GRADS = 64
"""Gradients per launch at most, however much argument space a device has."""

FIXED_ARGUMENT_BYTES = 256
"""Kernel-argument bytes kept for everything but the gradients: four buffers and their
offsets, the tables, the decay count and up to 16 scalars, with room to spare."""


def grads_per_launch(rt: Runtime) -> int:
    """Gradients one launch reads: a buffer and an offset (16 bytes) each, in the argument
    space the device guarantees (``CL_DEVICE_MAX_PARAMETER_SIZE``, 1024 bytes at least)."""
    return max(1, min(MAX_GRADS, (rt.max_parameter_size - FIXED_ARGUMENT_BYTES) // 16))


class _Launch:
    """One launch's gradients: their numbers in the call, its tables and range."""

    def __init__(self, rt: Runtime, first: int, sizes: Sequence[int], starts: Sequence[int]) -> None:
        self.first = first
        self.count = len(sizes)
        if rt.is_cpu:
            runs = [
                (k, start + j, j, min(RUN, size - j))
                for k, (size, start) in enumerate(zip(sizes, starts))
                for j in range(0, size, RUN)
            ]
            self.items = len(runs)
            self.tables = [rt.to_device(np.array(runs or [(0, 0, 0, 0)], dtype=np.int64).reshape(-1))]
            return
        chunks: list[int] = []
        segments: list[int] = []
        for k, (size, start) in enumerate(zip(sizes, starts)):
            segments += [len(chunks) * WORK_GROUP, start, size]
            chunks += [k] * -(-size // WORK_GROUP)
        self.items = len(chunks) * WORK_GROUP
        self.tables = [
            rt.to_device(np.array(chunks or [0], dtype=np.int32)),
            rt.to_device(np.array(segments, dtype=np.int64)),
        ]


_PLANS: dict[tuple[int, bool, int, tuple[int, ...]], list[_Launch]] = {}


def _plan(rt: Runtime, per: int, sizes: tuple[int, ...]) -> list[_Launch]:
    key = (id(rt), rt.is_cpu, per, sizes)
    plan = _PLANS.get(key)
    if plan is None:
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int).tolist() if sizes else []
        plan = [_Launch(rt, k, sizes[k : k + per], starts[k : k + per]) for k in range(0, len(sizes), per)]
        _PLANS[key] = plan
    return plan


_SOURCES: dict[tuple[str, frozenset[str], bool, np.dtype[Any], int], str] = {}


def _source(rt: Runtime, step: UpdateStep, t: ScalarType, per: int) -> str:
    """The update kernel's source for ``step``'s rule and options, kept per variant (the
    generators' own caches hash the traced programs on every call)."""
    key = (step.rule.name, step.options, rt.is_cpu, t.dtype, per)
    found = _SOURCES.get(key)
    if found is None:
        kernel = run_update_source if rt.is_cpu else update_source
        found = _SOURCES[key] = kernel(step.rule, step.program(False), step.program(True), t, per)
    return found


def fused_update(rt: Runtime, step: UpdateStep, param: Array, states: Sequence[Array], grads: Sequence[Array]) -> None:
    """:meth:`~minispore.backend.protocol.FusedUpdate.fused_update` on one device.

    Raises:
        ValueError: the buffers are not 1-D contiguous of one length and dtype, or the
            gradients do not add up to it. A strided gradient (a transposed view) is read
            through a contiguous copy.
    """
    n = int(param.shape[0])
    buffers = [param, *states]
    for x in buffers:
        if x.shape != (n,) or x.dtype != param.dtype or not is_contiguous(x):
            raise ValueError(
                f"For 'fused_update', every buffer must be 1-D contiguous like 'param' ({n}, {param.dtype}), "
                f"but got {layout_of(x).shape} {x.dtype}."
            )
    for x in states:  # the launch says that it writes param, its first argument
        rt.written(x)
    grads = [contiguous(rt, g) for g in grads]  # a copy of a strided one (a transposed view, say)
    if any(g.dtype != param.dtype for g in grads):
        raise ValueError(f"For 'fused_update', the gradients must be {param.dtype} arrays like 'param'.")
    sizes = tuple(g.size for g in grads)
    if sum(sizes) != n:
        raise ValueError(f"For 'fused_update', the gradients hold {sum(sizes)} elements but the buffers hold {n}.")
    per = grads_per_launch(rt)
    source = _source(rt, step, scalar_type(param.dtype), per)
    item = param.dtype.itemsize
    head: list[Any] = [x.base_data for x in buffers] + [np.int64(x.offset // item) for x in buffers]
    tail: list[Any] = [np.int64(step.decay_count), *(np.float32(s) for s in step.scalars)]
    local = None if rt.is_cpu else (WORK_GROUP,)
    for launch in _plan(rt, per, sizes):
        mine = grads[launch.first : launch.first + launch.count]
        unused = per - len(mine)  # the kernel's unused gradient slots repeat the first
        datas = [g.base_data for g in mine]
        offsets = [np.int64(g.offset // item) for g in mine]
        datas += [datas[0]] * unused
        offsets += [offsets[0]] * unused
        args = [*head, *datas, *offsets, *(table.base_data for table in launch.tables), *tail]
        rt.launch(source, "update", (launch.items,), local, *args)
