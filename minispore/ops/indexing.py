"""``Tensor[key]`` and ``Tensor[key] = value``: NumPy's basic indexing plus one integer array.

Keys are normalized here (ellipsis expanded, negatives wrapped, slices made concrete,
``None`` turned into reshapes) so that backends only ever see one int or positive-step
slice per dimension.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minispore.backend.protocol import Array, IndexKey
from minispore.common.tensor import Tensor
from minispore.functions import movement
from minispore.ops._convert import on_backend


class _Plan:
    """A normalized key: the basic part, where ``None`` adds axes, and one gather.

    ``gather_first`` is NumPy's rule for an array index separated from an integer index by
    a slice or ``None`` (``x[0, :, [1, 2]]``): the gathered axes then come first.
    """

    def __init__(
        self, key: IndexKey, result_shape: tuple[int, ...], gather: tuple[int, Any] | None, gather_first: bool
    ) -> None:
        self.key = key
        self.result_shape = result_shape
        self.gather = gather
        self.gather_first = gather_first


def _is_array_index(item: Any) -> bool:
    return isinstance(item, Tensor | np.ndarray | list)


def _plan(shape: tuple[int, ...], key: Any) -> _Plan:
    items = list(key) if isinstance(key, tuple) else [key]
    if sum(1 for it in items if it is Ellipsis) > 1:
        raise IndexError("An index can only have a single ellipsis ('...').")
    consumed = sum(1 for it in items if it is not None and it is not Ellipsis)
    if consumed > len(shape):
        raise IndexError(f"Too many indices for a tensor of rank {len(shape)}: got {consumed}.")
    ellipsis_at = [i for i, it in enumerate(items) if it is Ellipsis]
    if ellipsis_at:
        pos = ellipsis_at[0]
        items[pos : pos + 1] = [slice(None)] * (len(shape) - consumed)
    else:
        items += [slice(None)] * (len(shape) - consumed)
    basic: list[int | slice] = []
    result: list[int] = []
    gather: tuple[int, Any] | None = None
    advanced: list[int] = []
    dim = 0
    for position, it in enumerate(items):
        if it is None:
            result.append(1)
            continue
        n = shape[dim]
        if isinstance(it, bool):
            raise IndexError("Boolean scalars are not valid tensor indices.")
        if isinstance(it, int | np.integer) or (isinstance(it, Tensor) and it.ndim == 0 and not it.dtype.is_floating):
            i = int(it)
            if not -n <= i < n:
                raise IndexError(f"Index {i} is out of bounds for axis {dim} with size {n}.")
            basic.append(i % n)
            advanced.append(position)
        elif isinstance(it, slice):
            start, stop, step = it.indices(n)
            if step < 0:
                raise IndexError(
                    "Slices with a negative step are not supported; use ops.flip or reverse the data first."
                )
            stop = max(start, stop)
            basic.append(slice(start, stop, step))
            result.append(len(range(start, stop, step)))
        elif _is_array_index(it):
            if gather is not None:
                raise IndexError("Only one integer-array index per key is supported.")
            basic.append(slice(0, n, 1))
            gather = (len(result), it)
            result.append(n)
            advanced.append(position)
        else:
            raise IndexError(
                f"Tensors are indexed by ints, slices, None, '...' or an int array, not {type(it).__name__}."
            )
        dim += 1
    separated = bool(advanced) and advanced[-1] - advanced[0] + 1 != len(advanced)
    return _Plan(tuple(basic), tuple(result), gather, gather is not None and separated)


def getitem(x: Tensor, key: Any) -> Tensor:
    """``x[key]``, differentiable."""
    plan = _plan(x.shape, key)
    out = x
    if any(not (isinstance(k, slice) and k == slice(0, n, 1)) for k, n in zip(plan.key, x.shape)):
        out = movement.Index.apply(x, key=plan.key)
    if out.shape != plan.result_shape:
        out = movement.Reshape.apply(out, shape=plan.result_shape)
    if plan.gather is not None:
        from minispore.ops.array import gather

        axis, idx = plan.gather
        out = gather(out, idx, axis)
        if plan.gather_first and axis > 0:
            from minispore.ops.array import transpose

            width = out.ndim - len(plan.result_shape) + 1
            moved = list(range(axis, axis + width))
            out = transpose(out, moved + [d for d in range(out.ndim) if d not in moved])
    return out


def setitem(x: Tensor, key: Any, value: Any) -> None:
    """``x[key] = value`` in place (not recorded for gradients)."""
    plan = _plan(x.shape, key)
    if plan.gather is not None:
        raise IndexError("Assigning through an integer-array index is not supported; use basic slices.")
    v = on_backend(value, x, x.dtype)
    if v.backend is not x.backend:
        raise ValueError(f"For 'setitem', the value is on {v.device} but the tensor is on {x.device}.")
    target = tuple(len(range(k.start, k.stop, k.step)) for k in plan.key if isinstance(k, slice))
    data = v._data if v.dtype == x.dtype else x.backend.cast(v._data, x.dtype.np_dtype)
    try:
        data = x.backend.broadcast_to(x.backend.reshape(data, _squeeze_to(v.shape, len(target))), target)
    except ValueError as exc:
        raise ValueError(f"For 'setitem', a value of shape {v.shape} cannot fill an index of shape {target}.") from exc
    x.backend.setitem(_writable(x), plan.key, data)


def _writable(x: Tensor) -> Array:
    """``x``'s storage, first replaced by a private copy unless ``x`` is a Parameter.

    An operation's result may share storage with other tensors (a reshape is a view on
    NumPy) or be read-only (a broadcast), and the backend protocol lets callers write only
    into arrays they made with ``full`` or ``view``. A Parameter owns its storage, which may
    be a view of an optimizer's flat buffer, so it is written in place.
    """
    from minispore.common.parameter import Parameter  # parameter -> tensor -> ops -> here: a cycle

    if isinstance(x, Parameter):
        x._version += 1  # host copies of it (an optimizer's hyper-parameters) must be re-read
        return x._data
    fresh = x.backend.full(x.shape, 0, x.dtype.np_dtype)
    x.backend.copy_into(fresh, x._data)
    x._data = fresh
    return x._data


def _squeeze_to(shape: tuple[int, ...], ndim: int) -> tuple[int, ...]:
    while len(shape) > ndim and shape[0] == 1:
        shape = shape[1:]
    return shape
