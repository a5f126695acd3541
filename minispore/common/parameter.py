"""``Parameter``: a named, trainable Tensor, and ``ParameterTuple``."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from minispore.backend.protocol import Array, Backend
from minispore.common.tensor import Tensor, full_key, host_array

_auto_names = itertools.count(1)


class Parameter(Tensor):
    """A Tensor that a Cell owns and an optimizer updates.

    Args:
        default_input: the initial value: a Tensor, ``numpy.ndarray`` or number.
        name: the parameter's name. Without one it is ``Parameter#N`` until a Cell adopts
            it under its attribute path (``conv1.weight``).
        requires_grad: whether ``Cell.trainable_params()`` lists it.

    Example:
        >>> import minispore as ms
        >>> import numpy as np
        >>> ms.Parameter(np.zeros(2, np.float32), name="p")
        Parameter (name=p, shape=(2,), dtype=Float32, requires_grad=True)
    """

    def __init__(
        self,
        default_input: Any,
        name: str | None = None,
        requires_grad: bool = True,
        layerwise_parallel: bool = False,
        parallel_optimizer: bool = True,
    ) -> None:
        from minispore.common.initializer import Initializer

        if isinstance(default_input, Initializer):
            default_input = default_input.to_tensor()
        if isinstance(default_input, Tensor):
            self._backend = default_input.backend
            self._data = default_input.backend.index(default_input._data, full_key(default_input.shape))
            self._node = None
        else:
            super().__init__(host_array(default_input))
        self.name = f"Parameter#{next(_auto_names)}" if name is None else name
        self._auto_named = name is None
        self.requires_grad = requires_grad
        self.layerwise_parallel = layerwise_parallel
        self.parallel_optimizer = parallel_optimizer
        self._version = 0

    @property
    def name(self) -> str:
        """The parameter's name, e.g. ``conv1.weight``; a Cell names its parameters after their attribute paths."""
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"For 'Parameter', 'name' must be a str, but got {type(value).__name__}.")
        self._name = value
        self._auto_named = False  # a name given by hand survives adoption by a Cell

    @property
    def requires_grad(self) -> bool:
        """Whether the parameter is trained: ``trainable_params()`` and gradients leave it out when False."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise TypeError(f"For 'Parameter', 'requires_grad' must be a bool, but got {type(value).__name__}.")
        self._requires_grad = value

    def __repr__(self) -> str:
        return (
            f"Parameter (name={self.name}, shape={self.shape}, dtype={self.dtype}, requires_grad={self.requires_grad})"
        )

    __str__ = __repr__

    def __hash__(self) -> int:
        return id(self)

    def set_data(self, data: Any, slice_shape: bool = False) -> Parameter:
        """Replace the value, cast to this parameter's dtype; the shape may change.

        When the new value has the old shape, it is written into the existing storage,
        so a parameter that lives in an optimizer's flat buffer stays there.
        """
        if isinstance(data, Tensor) and data.backend is not self.backend:
            raise ValueError(
                f"For 'Parameter.set_data', the data is on {data.device} but '{self.name}' is on {self.device}."
            )
        if isinstance(data, Tensor):
            new = data._data if data.dtype == self.dtype else self.backend.cast(data._data, self.dtype.np_dtype)
        else:
            new = self.backend.from_numpy(host_array(data, self.dtype))
        if tuple(new.shape) == self.shape:
            self.backend.copy_into(self._data, new)
        else:
            self._data = self.backend.index(new, full_key(tuple(new.shape)))
        self._version += 1
        return self

    def clone(self, init: Any = "same") -> Parameter:
        """A new Parameter with the same name and attributes; ``init`` replaces the value.

        ``init`` is ``'same'`` (copy the data) or an initializer such as ``'zeros'``.
        """
        if isinstance(init, str) and init == "same":
            value: Any = self
        else:
            from minispore.common.initializer import initializer

            value = initializer(init, self.shape, self.dtype)
        out = Parameter(value, name=self.name, requires_grad=self.requires_grad)
        out._auto_named = self._auto_named
        return out

    def _rebind(self, data: Array, backend: Backend) -> None:
        """Point this parameter at other storage (a flat optimizer buffer, another device)."""
        self._data = data
        self._backend = backend
        self._version += 1

    @property
    def version(self) -> int:
        """A counter that changes whenever the value is replaced (``set_data``, rebinding).

        Host copies of small parameters (an optimizer's learning rate, momentum and step
        counter) are re-read only when it changes.
        """
        return self._version


class ParameterTuple(tuple[Parameter, ...]):
    """An immutable sequence of Parameters (``optimizer.parameters``)."""

    def __new__(cls, iterable: Iterable[Parameter]) -> ParameterTuple:
        items = tuple(iterable)
        for p in items:
            if not isinstance(p, Parameter):
                raise TypeError(f"ParameterTuple holds only Parameters, but got {type(p).__name__}.")
        return super().__new__(cls, items)

    def clone(self, prefix: str, init: Any = "same") -> ParameterTuple:
        """Copies named ``<prefix>.<name>`` (how optimizers make their moment buffers)."""
        if not isinstance(prefix, str) or not prefix:
            raise ValueError(f"For 'ParameterTuple.clone', 'prefix' must be a non-empty str, but got {prefix!r}.")
        out = []
        for p in self:
            c = p.clone(init)
            c.name = f"{prefix}.{p.name}"
            out.append(c)
        return ParameterTuple(out)
