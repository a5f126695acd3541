"""Flat per-group buffers: the storage that makes one fused update per group possible.

A :class:`FlatGroup` lays the parameters of one (group, dtype, device) end to end in a
flat parameter buffer and their moments in a flat moment buffer. Each Parameter's data
becomes a view into the buffer, so the network reads the updated weights with no copy,
and ``Parameter.set_data`` with the same shape writes through the view. The gradients
stay where autograd left them: the backend reads them in buffer order.

Decayed parameters come first, so the decay applies to the prefix
``[0, decay_count)``; parameters that gradient centralization applies to are listed as
segments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from minispore.backend.protocol import Array, Backend, CentralizedSegment, MomentumStep
from minispore.common.parameter import Parameter
from minispore.common.tensor import Tensor


def centralization_applies(shape: tuple[int, ...]) -> bool:
    """MindSpore's gate for gradient centralization: ``ndim >= 2 and shape[1] % 16 == 0``."""
    return len(shape) >= 2 and shape[1] % 16 == 0


@dataclass
class _Slot:
    param: Parameter
    moment: Parameter
    offset: int
    shape: tuple[int, ...]
    param_view: Array
    moment_view: Array

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))


class FlatGroup:
    """One fused update's worth of parameters, moments and gradients.

    Args:
        params: parameters of one dtype on one device.
        moments: their moment buffers, in the same order.
        decay: whether weight decay applies to each parameter.
        centralize: whether gradient centralization is enabled for each parameter (it
            still only applies where :func:`centralization_applies`).
    """

    def __init__(
        self,
        params: Sequence[Parameter],
        moments: Sequence[Parameter],
        decay: Sequence[bool],
        centralize: Sequence[bool],
    ) -> None:
        order = sorted(range(len(params)), key=lambda i: not decay[i])
        self._entries = [(params[i], moments[i], centralize[i]) for i in order]
        self.decay_count = sum(params[i].size for i in order if decay[i])
        self.slots: list[_Slot] = []
        self._adopt()

    @property
    def backend(self) -> Backend:
        return self.slots[0].param.backend

    @property
    def dtype(self) -> np.dtype[Any]:
        dtype: np.dtype[Any] = np.dtype(self.param_buffer.dtype)
        return dtype

    def _adopt(self) -> None:
        """(Re)build the buffers from the parameters' current data and bind the views."""
        backend = self._entries[0][0].backend
        dtype = self._entries[0][0].dtype.np_dtype
        total = sum(p.size for p, _, _ in self._entries)
        self.param_buffer = backend.full((total,), 0, dtype)
        self.moment_buffer = backend.full((total,), 0, dtype)
        self.slots = []
        segments = []
        offset = 0
        for param, moment, gc in self._entries:
            if moment.backend is not backend:
                moment._rebind(backend.from_numpy(moment.asnumpy()), backend)
            shape = param.shape
            pv = backend.view(self.param_buffer, offset, shape)
            mv = backend.view(self.moment_buffer, offset, shape)
            backend.copy_into(pv, param._data)
            backend.copy_into(mv, moment._data)
            param._rebind(pv, backend)
            moment._rebind(mv, backend)
            slot = _Slot(param, moment, offset, shape, pv, mv)
            self.slots.append(slot)
            if gc and centralization_applies(shape):
                segments.append(CentralizedSegment(offset, shape[0], slot.size // shape[0]))
            offset += slot.size
        self.centralized = tuple(segments)

    def ensure_bound(self, prim: str) -> None:
        """Re-attach parameters whose storage was replaced since the last step.

        ``set_data`` with a new shape, ``Cell.to(device)`` or another optimizer adopting
        the same parameters replace a parameter's storage; the values are taken over.

        Raises:
            ValueError: a parameter's shape changed, or the group now spans devices.
        """
        stale = False
        for slot in self.slots:
            if slot.param._data is slot.param_view and slot.moment._data is slot.moment_view:
                continue
            if slot.param.shape != slot.shape:
                raise ValueError(
                    f"For '{prim}', the shape of parameter '{slot.param.name}' changed from {slot.shape} to "
                    f"{slot.param.shape} after the optimizer was created; create the optimizer again."
                )
            stale = True
        if not stale:
            return
        backends = {id(p.backend) for p, _, _ in self._entries}
        if len(backends) > 1:
            raise ValueError(f"For '{prim}', the parameters of one group must stay on one device; move them together.")
        self._adopt()

    def apply(
        self,
        grads: Sequence[Tensor],
        lr: float,
        momentum: float,
        weight_decay: float,
        grad_scale: float | None,
        nesterov: bool,
    ) -> None:
        """Run the fused update over the whole group in one backend call.

        ``grads`` follow :attr:`slots`; the backend reads them where they are (a gradient
        of another float dtype, such as float16 for float32 parameters, is cast first).
        """
        step = MomentumStep(
            lr=lr,
            momentum=momentum,
            weight_decay=weight_decay,
            decay_count=self.decay_count,
            grad_scale=grad_scale,
            nesterov=nesterov,
            centralized=self.centralized,
        )
        backend = self.backend
        # MindSpore's float32 lr and momentum select a float32 kernel for float64
        # parameters: compute in float32, store back as float64.
        work = np.dtype(np.float32) if self.dtype == np.float64 else self.dtype
        arrays = [g._data if g._data.dtype == work else backend.cast(g._data, work) for g in grads]
        if work == self.dtype:
            backend.fused_momentum(self.param_buffer, self.moment_buffer, arrays, step)
            return
        p, v = backend.cast(self.param_buffer, work), backend.cast(self.moment_buffer, work)
        backend.fused_momentum(p, v, arrays, step)
        backend.copy_into(self.param_buffer, p)
        backend.copy_into(self.moment_buffer, v)
