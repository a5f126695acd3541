"""Flat per-group buffers: the storage that makes one fused update per group possible.

A :class:`FlatGroup` lays the parameters of one (group, dtype, device) end to end in a
flat parameter buffer, and each optimizer state (Momentum's moments, Adam's two moments,
...) in a flat buffer of its own. Each Parameter's data becomes a view into its buffer,
so the network reads the updated weights with no copy, and ``Parameter.set_data`` with
the same shape writes through the view. The gradients stay where autograd left them:
the backend reads them in buffer order.

Decayed parameters come first, so the decay applies to the prefix ``[0, decay_count)``.
Parameters that gradient centralization applies to come last: their gradients are
decayed and centralized on Tensors before the kernel (:mod:`.gradients`), so the kernel
treats them as undecayed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from minispore.backend.protocol import Array, Backend, FusedUpdate, UpdateStep
from minispore.common.parameter import Parameter
from minispore.common.tensor import Tensor
from minispore.nn.optim.fused import default_fused_update
from minispore.nn.optim.gradients import centralization_applies, centralize, decay, prepass_dtype
from minispore.nn.optim.rules import UpdateRule


@dataclass
class _Slot:
    param: Parameter
    states: tuple[Parameter, ...]
    decayed: bool
    centralized: bool
    offset: int
    shape: tuple[int, ...]
    views: tuple[Array, ...]
    """The param view, then one view per state."""


class FlatGroup:
    """One fused update's worth of parameters, states and gradients.

    Args:
        params: parameters of one dtype on one device.
        states: one sequence per optimizer state, aligned with ``params``.
        decay: whether weight decay applies to each parameter.
        centralize: whether gradient centralization is enabled for each parameter (it
            still only applies where :func:`~.gradients.centralization_applies`).
    """

    def __init__(
        self,
        params: Sequence[Parameter],
        states: Sequence[Sequence[Parameter]],
        decay: Sequence[bool],
        centralize: Sequence[bool],
    ) -> None:
        entries = [
            (p, tuple(s[i] for s in states), decay[i], centralize[i] and centralization_applies(p.shape))
            for i, p in enumerate(params)
        ]
        entries.sort(key=lambda e: 0 if e[2] and not e[3] else (2 if e[3] else 1))
        self._entries = entries
        self.decay_count = sum(p.size for p, _, d, c in entries if d and not c)
        self.slots: list[_Slot] = []
        self._adopt()

    @property
    def backend(self) -> Backend:
        return self.slots[0].param.backend

    def _adopt(self) -> None:
        """(Re)build the buffers from the current data of the parameters and states; bind the views."""
        backend = self._entries[0][0].backend
        dtype = self._entries[0][0].dtype.np_dtype
        total = sum(p.size for p, _, _, _ in self._entries)
        count = 1 + len(self._entries[0][1])
        self.buffers = [backend.full((total,), 0, dtype) for _ in range(count)]
        self._state_buffers = tuple(self.buffers[1:])
        self._fused = backend if isinstance(backend, FusedUpdate) else None
        self.slots = []
        offset = 0
        for param, states, decayed, centralized in self._entries:
            shape = param.shape
            views = []
            for tensor, buffer in zip((param, *states), self.buffers):
                if tensor.backend is not backend:
                    tensor._rebind(backend.from_numpy(tensor.asnumpy()), backend)
                view = backend.view(buffer, offset, shape)
                backend.copy_into(view, tensor._data)
                tensor._rebind(view, backend)
                views.append(view)
            self.slots.append(_Slot(param, states, decayed, centralized, offset, shape, tuple(views)))
            offset += param.size
        self._bindings = [(t, v) for slot in self.slots for t, v in zip((slot.param, *slot.states), slot.views)]
        self._any_centralized = any(slot.centralized for slot in self.slots)
        self._stale = False

    def check_bound(self, prim: str) -> None:
        """Check that every parameter still lives in the buffers, or can be taken back in.

        ``set_data`` with a new shape, ``Cell.to(device)`` or another optimizer adopting
        the same parameters replace a parameter's storage; :meth:`ensure_bound` then takes
        the values over. Nothing is changed here.

        Raises:
            ValueError: a parameter's shape changed, or the group now spans devices.
        """
        self._stale = False
        for tensor, view in self._bindings:
            if tensor._data is not view:
                self._stale = True
                break
        if not self._stale:
            return
        for slot in self.slots:
            for tensor in (slot.param, *slot.states):
                if tensor.shape != slot.shape:
                    kind = "parameter" if tensor is slot.param else "optimizer state"
                    raise ValueError(
                        f"For '{prim}', the shape of {kind} '{tensor.name}' changed from {slot.shape} to "
                        f"{tensor.shape} after the optimizer was created; create the optimizer again."
                    )
        if len({id(t.backend) for t, _ in self._bindings}) > 1:
            raise ValueError(f"For '{prim}', the parameters of one group must stay on one device; move them together.")

    def ensure_bound(self) -> None:
        """Rebuild the buffers if :meth:`check_bound` found a parameter's storage replaced."""
        if self._stale:
            self._adopt()

    def _gradient(self, slot: _Slot, grad: Tensor, weight_decay: float) -> Array:
        dtype = slot.param.dtype
        if slot.centralized:
            work = prepass_dtype(dtype)
            grad = grad.astype(work)
            grad = centralize(decay(slot.param.astype(work), grad, weight_decay) if slot.decayed else grad)
        if grad.dtype != dtype:
            grad = grad.astype(dtype)
        return grad._data

    def apply(
        self,
        rule: UpdateRule,
        options: frozenset[str],
        scalars: tuple[float, ...],
        grads: Sequence[Tensor],
        exact: bool = False,
    ) -> None:
        """Run ``rule`` over the whole group in one backend call.

        ``grads`` follow :attr:`slots`; ``exact`` says that each has its parameter's dtype
        (the optimizer checked it). ``scalars`` follow ``rule.all_scalars``
        (``weight_decay`` second to last). The backend's ``fused_update`` runs when it
        has one, else :func:`~.fused.default_fused_update` on its primitives.
        """
        param, states = self.buffers[0], self._state_buffers
        if self._any_centralized or not (exact or all(g._data.dtype == param.dtype for g in grads)):
            arrays = [self._gradient(slot, g, scalars[-2]) for slot, g in zip(self.slots, grads)]
        else:
            arrays = [g._data for g in grads]
        step = UpdateStep(rule, options, self.decay_count, scalars)
        if self._fused is not None:
            self._fused.fused_update(step, param, states, arrays)
        else:
            default_fused_update(self.backend, step, param, states, arrays)


class FlatGroups:
    """Every :class:`FlatGroup` of one optimizer: one per (parameter group, dtype, device).

    Args:
        params: the optimizer's parameters, in the order its gradient tuple follows.
        group_index: each parameter's group.
        states: one sequence per fused optimizer state, aligned with ``params``.
        decay: whether weight decay applies to each parameter.
        centralize: whether gradient centralization is enabled for each parameter.
    """

    def __init__(
        self,
        params: Sequence[Parameter],
        group_index: Sequence[int],
        states: Sequence[Sequence[Parameter]],
        decay: Sequence[bool],
        centralize: Sequence[bool],
    ) -> None:
        buckets: dict[tuple[int, str, int], list[int]] = {}
        for i, p in enumerate(params):
            buckets.setdefault((group_index[i], p.dtype.name, id(p.backend)), []).append(i)
        self.members: list[tuple[int, FlatGroup, list[int] | None]] = []
        """``(group index, flat group, the positions of its slots in the gradient tuple)``;
        None for a group that takes the whole tuple in order (one group, nothing reordered)."""
        for (g, _, _), idx in buckets.items():
            group = FlatGroup(
                [params[i] for i in idx],
                [[s[i] for i in idx] for s in states],
                [decay[i] for i in idx],
                [centralize[i] for i in idx],
            )
            position = {id(params[i]): i for i in idx}
            positions = [position[id(slot.param)] for slot in group.slots]
            self.members.append((g, group, None if positions == list(range(len(params))) else positions))

    def check_bound(self, prim: str) -> None:
        """:meth:`FlatGroup.check_bound` for every group, before anything is written."""
        for _, group, _ in self.members:
            group.check_bound(prim)

    def apply(
        self,
        rule: UpdateRule,
        options: Callable[[int], frozenset[str]],
        scalars: Callable[[int], tuple[float, ...]],
        grads: Sequence[Tensor],
        exact: bool = False,
    ) -> None:
        """Run ``rule`` over every group; ``options`` and ``scalars`` are given per group index.

        ``exact``: each gradient has its parameter's shape and dtype (see :meth:`FlatGroup.apply`).
        """
        for g, group, positions in self.members:
            group.ensure_bound()
            mine = grads if positions is None else [grads[i] for i in positions]
            group.apply(rule, options(g), scalars(g), mine, exact)
