"""``DistributedGradReducer``: sum (or average) the gradients of every rank, one buffer per dtype.

The gradients of one (device, dtype) are gathered by one concatenate into a preallocated
float32 buffer, summed across the group in place by one collective, scaled, and handed back
as views of that buffer: one allreduce per dtype instead of one per tensor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from minispore.backend.protocol import Array, Backend
from minispore.common.parameter import Parameter
from minispore.common.tensor import Tensor
from minispore.communication import _mpi, engines
from minispore.communication.management import GlobalComm, get_group, get_group_size
from minispore.nn.cell import Cell
from minispore.parallel.auto_parallel_context import device_num, get_auto_parallel_context, is_data_parallel

_FLOAT32 = np.dtype(np.float32)


@dataclass
class GradientBucket:
    """The gradients of one (backend, dtype), laid end to end in one float32 buffer.

    ``indices`` are positions in the gradient tuple; ``offsets`` where each one starts in
    the buffer. The buffer is allocated on first use and reused every step. It can be any
    1-D float32 array of ``size`` elements on ``backend``, such as an optimizer's flat
    gradient buffer.
    """

    backend: Backend
    dtype: np.dtype[np.generic]
    indices: list[int] = field(default_factory=list)
    shapes: list[tuple[int, ...]] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    size: int = 0
    buffer: Array = None

    def add(self, index: int, shape: tuple[int, ...]) -> None:
        self.indices.append(index)
        self.shapes.append(shape)
        self.offsets.append(self.size)
        self.size += int(np.prod(shape, dtype=np.int64))

    def reduce(self, grads: Sequence[Tensor], engine: engines.Engine, scale: float | None) -> list[Tensor]:
        """Gather, allreduce (and scale) in place, and return the views in ``indices`` order."""
        if self.buffer is None:
            self.buffer = self.backend.full((self.size,), 0, _FLOAT32)
        engines.gather(self.backend, [grads[i]._data for i in self.indices], self.buffer)
        engine.allreduce(self.buffer, scale)
        out = []
        for offset, shape in zip(self.offsets, self.shapes):
            view = self.backend.view(self.buffer, offset, shape)
            if self.dtype != _FLOAT32:
                view = self.backend.cast(view, self.dtype)
            out.append(Tensor._from_array(view, self.backend))
        return out


class DistributedGradReducer(Cell):
    """Sum the gradients over the ranks of ``group`` (MindSpore's ``nn.DistributedGradReducer``).

    As in MindSpore, each gradient is cast to float32, summed over the ranks, multiplied by
    ``float32(1 / degree)`` when ``mean`` is true, and cast back to its own dtype:

    .. math::
        g_i \\leftarrow \\mathrm{cast}\\Big(\\mathrm{float32}\\big(\\tfrac{1}{\\text{degree}}\\big)
        \\cdot \\sum_{r=0}^{N-1} \\mathrm{float32}(g_i^{(r)}),\\ \\mathrm{dtype}(g_i)\\Big)

    Gradients of one device and dtype travel as one flat buffer: one allreduce per dtype.
    The returned gradients are views of that buffer, valid until the next call. Parameters
    with ``layerwise_parallel=True`` are passed through unreduced, as in MindSpore.

    Args:
        parameters: the parameters whose gradients are reduced, in gradient order
            (``optimizer.parameters``).
        mean: average rather than sum; None reads ``gradients_mean`` from the
            auto-parallel context.
        degree: the divisor of the mean; None uses the group's size.
        fusion_type: MindSpore's fusion id; accepted, since every dtype is fused already.
        group: the communication group.

    Raises:
        ValueError: ``degree`` is not a positive int.

    Example:
        >>> from minispore import nn
        >>> from minispore.communication import init
        >>> init()  # doctest: +SKIP
        >>> net = nn.Dense(3, 2)
        >>> reducer = nn.DistributedGradReducer(net.trainable_params(), mean=True)  # doctest: +SKIP
        >>> grads = reducer(grads)  # doctest: +SKIP
    """

    def __init__(
        self,
        parameters: Sequence[Parameter],
        mean: bool | None = None,
        degree: int | None = None,
        fusion_type: int = 1,
        group: str = GlobalComm.WORLD_COMM_GROUP,
    ) -> None:
        super().__init__(auto_prefix=False)
        self.mean = bool(get_auto_parallel_context("gradients_mean")) if mean is None else bool(mean)
        if degree is None:
            degree = get_group_size()
        elif isinstance(degree, bool) or not isinstance(degree, int) or degree <= 0:
            raise ValueError(
                "For 'DistributedGradReducer', parameter 'degree' in DistributedGradReducer should large than 0 and "
                f"be int, degree: {degree}."
            )
        self.degree = degree
        self.group = group
        self._count = len(parameters)
        buckets: dict[tuple[int, np.dtype[np.generic]], GradientBucket] = {}
        for index, param in enumerate(parameters):
            if param.layerwise_parallel:
                continue
            key = (id(param.backend), np.dtype(param.dtype.np_dtype))
            bucket = buckets.setdefault(key, GradientBucket(param.backend, key[1]))
            bucket.add(index, tuple(param.shape))
        self.buckets = list(buckets.values())

    def construct(self, grads: Tensor | Sequence[Tensor]) -> tuple[Tensor, ...] | Tensor:
        single = isinstance(grads, Tensor)
        grad_list: list[Tensor] = [grads] if isinstance(grads, Tensor) else list(grads)
        if len(grad_list) != self._count:
            raise ValueError(
                f"For 'DistributedGradReducer', 'grads' must hold one gradient per parameter ({self._count}), "
                f"but got {len(grad_list)}."
            )
        scale = 1.0 / self.degree if self.mean else None
        out = list(grad_list)
        for bucket in self.buckets:
            engine = engines.engine_for(bucket.backend, self.group)
            for index, reduced in zip(bucket.indices, bucket.reduce(grad_list, engine, scale)):
                out[index] = reduced
        return out[0] if single else tuple(out)


class DataParallelStep:
    """What a training cell does in ``DATA_PARALLEL`` mode, MindSpore's way.

    ``reduce`` sums the gradients with a :class:`DistributedGradReducer` built from the
    context (``gradients_mean``, ``device_num``); ``any_rank`` ORs a flag over the ranks (the
    overflow check, so every rank skips the same steps); before the first step, with
    ``parameter_broadcast=True``, every rank takes rank 0's parameters. Stand-alone, all three
    do nothing.

    Args:
        network: the cell whose parameters are broadcast.
        weights: the parameters whose gradients are reduced (``optimizer.parameters``).
    """

    def __init__(self, network: Cell, weights: Sequence[Parameter]) -> None:
        self.enabled = is_data_parallel()
        self.reducer: DistributedGradReducer | None = None
        self._network = network
        self._broadcast = False
        if self.enabled:
            self.reducer = DistributedGradReducer(weights, get_auto_parallel_context("gradients_mean"), device_num())
            self._broadcast = bool(get_auto_parallel_context("parameter_broadcast"))

    def before_step(self) -> None:
        """Broadcast rank 0's parameters once, if the context asks for it."""
        if self._broadcast:
            broadcast_parameters(list(self._network.get_parameters()))
            self._broadcast = False

    def reduce(self, grads: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
        if self.reducer is None:
            return grads
        out = self.reducer(grads)
        assert isinstance(out, tuple)
        return out

    def any_rank(self, flag: bool) -> bool:
        if not self.enabled:
            return flag
        return _mpi.allreduce_flag(get_group(GlobalComm.WORLD_COMM_GROUP).comm, flag)


def broadcast_parameters(
    parameters: Sequence[Parameter], root: int = 0, group: str = GlobalComm.WORLD_COMM_GROUP
) -> None:
    """Overwrite every rank's ``parameters`` with rank ``root``'s, in place (through host memory).

    Parameters with ``layerwise_parallel=True`` keep their own values, as in MindSpore.
    """
    comm = get_group(group).comm
    for param in parameters:
        if param.layerwise_parallel:
            continue
        host = np.ascontiguousarray(param.asnumpy())
        comm.Bcast(host, root=root)
        param.backend.copy_into(param._data, param.backend.from_numpy(host))
