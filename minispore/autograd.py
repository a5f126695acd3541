"""Reverse-mode autograd over backend arrays.

Graphs are recorded only while a :class:`Tape` is active (``value_and_grad`` opens one)
and only for operations that touch a watched tensor, so eager code outside a gradient
transform pays nothing. Each operation is a :class:`Function` whose ``forward`` and
``backward`` are written on backend primitives; the engine knows nothing about devices.

:func:`backward` walks the graph without recursion: nodes carry a creation number and are
processed from a max-heap, so a node runs only after every node that consumed its output
(Chainer's ordering). Saved state is released as soon as a node has run.

Before an operation runs, :meth:`Function.apply` casts its floating-point inputs as the
mixed-precision rule in force says (:mod:`minispore.precision`), through a differentiable
cast, so that gradients reach float32 parameters as float32.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, cast

import numpy as np

from minispore import precision
from minispore.backend.protocol import Array, Backend, BinaryOp


class Tape:
    """The recording context of one gradient computation.

    Args:
        leaves: tensors whose gradients are wanted; operations on them are recorded.
    """

    def __init__(self, leaves: Iterable[Tensor]) -> None:
        self.leaf_ids = {id(t) for t in leaves}

    def watches(self, t: Tensor) -> bool:
        """Whether ``t`` is a watched leaf or the output of an operation on this tape."""
        node = t._node
        return (node is not None and node.tape is self) or id(t) in self.leaf_ids


class _State(threading.local):
    tape: Tape | None = None
    enabled: bool = True


_state = _State()
_counter = itertools.count()


@contextmanager
def recording(tape: Tape) -> Iterator[Tape]:
    """Record operations on ``tape`` inside the block."""
    previous = _state.tape
    _state.tape = tape
    try:
        yield tape
    finally:
        _state.tape = previous


@contextmanager
def no_grad() -> Iterator[None]:
    """Record nothing inside the block, even under ``value_and_grad``."""
    previous = _state.enabled
    _state.enabled = False
    try:
        yield
    finally:
        _state.enabled = previous


def _as_dtype(tensors: tuple[Tensor, ...], dtype: np.dtype[Any]) -> tuple[Tensor, ...]:
    from minispore.functions.elementwise import Cast

    return tuple(
        Cast.apply(t, dtype=dtype) if t._data.dtype.kind == "f" and t._data.dtype != dtype else t for t in tensors
    )


class Node:
    """One recorded operation: its function (holding saved state) and its inputs."""

    __slots__ = ("fn", "inputs", "seq", "tape")

    def __init__(self, fn: Function, inputs: tuple[Tensor, ...], tape: Tape) -> None:
        self.fn: Function | None = fn
        self.inputs = inputs
        self.seq = next(_counter)
        self.tape = tape


class Function:
    """An operation with its local derivative, on backend arrays.

    Subclasses implement ``forward(*arrays, **options) -> array`` (its signature is the
    subclass's own) and ``backward(grad) -> tuple`` with one entry per input (None for no
    gradient).
    ``self.backend`` is the inputs' backend and ``self.needs_grad[i]`` tells whether input
    ``i`` needs a gradient, so that ``backward`` can skip work.
    """

    differentiable: ClassVar[bool] = True
    mixed_precision: ClassVar[bool] = True
    """Whether a mixed-precision rule casts this operation's inputs (not for ``Cast`` itself)."""
    auto_precision: ClassVar[precision.AutoKind] = ""
    """How the ``auto`` level treats this operation (see :mod:`minispore.precision`)."""

    def __init__(self, backend: Backend, needs_grad: tuple[bool, ...]) -> None:
        self.backend = backend
        self.needs_grad = needs_grad

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        raise NotImplementedError

    @classmethod
    def apply(cls, *tensors: Tensor, **options: Any) -> Tensor:
        """Run the forward on the tensors' arrays and record a node when a tape watches."""
        backend = check_same_backend(cls.__name__, tensors)
        rule = precision.current_precision()
        if rule is not None and cls.mixed_precision:
            target = rule.target(cls.auto_precision)
            if target is not None:
                tensors = _as_dtype(tensors, target)
        tape = _state.tape if cls.differentiable and _state.enabled else None
        needs = (False,) * len(tensors) if tape is None else tuple([tape.watches(t) for t in tensors])
        fn = cls(backend, needs)
        out = Tensor._from_array(cast(Any, fn).forward(*[t._data for t in tensors], **options), backend)
        if tape is not None and True in needs:
            out._node = Node(fn, tensors, tape)
        return out


def _accumulate(backend: Backend, store: dict[int, Array], key: int, grad: Array) -> None:
    current = store.get(key)
    store[key] = grad if current is None else backend.binary(BinaryOp.ADD, current, grad)


def backward(
    tape: Tape, outputs: Sequence[Tensor], sens: Sequence[Array], leaves: Sequence[Tensor]
) -> list[Array | None]:
    """Gradients of ``sum(sens_i * outputs_i)`` with respect to each leaf (None if unused).

    The graph of ``outputs`` is consumed: every node's saved state is released.
    """
    leaf_grads: dict[int, Array] = {}
    node_grads: dict[int, Array] = {}
    heap: list[tuple[int, int, Node]] = []
    queued: set[int] = set()

    def push(t: Tensor, grad: Array) -> None:
        node = t._node
        if node is not None and node.tape is tape:
            _accumulate(t.backend, node_grads, id(node), grad)
            if id(node) not in queued:
                queued.add(id(node))
                heapq.heappush(heap, (-node.seq, id(node), node))
        elif id(t) in tape.leaf_ids:
            _accumulate(t.backend, leaf_grads, id(t), grad)

    for out, g in zip(outputs, sens):
        push(out, g)
    while heap:
        _, key, node = heapq.heappop(heap)
        grad = node_grads.pop(key)
        fn = node.fn
        if fn is None:
            raise RuntimeError("This graph was already used for a backward pass; compute the outputs again.")
        input_grads = fn.backward(grad)
        node.fn = None
        for t, g, needed in zip(node.inputs, input_grads, fn.needs_grad):
            if needed and g is not None:
                push(t, g)
        node.inputs = ()
    return [leaf_grads.get(id(t)) for t in leaves]


# Imported last, once: tensor.py imports the ops, whose functions import this module.
from minispore.common.tensor import Tensor, check_same_backend  # noqa: E402
