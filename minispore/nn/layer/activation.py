"""Activation layers and ``get_activation``, which turns a name into one of them."""

from __future__ import annotations

from minispore.common.tensor import Tensor
from minispore.nn.cell import Cell
from minispore.ops.math import relu, sigmoid, tanh
from minispore.ops.nn_args import (
    expect_float_tensor,
    expect_tensor,
)
from minispore.ops.nn_functional import (
    log_softmax,
    softmax,
)


class ReLU(Cell):
    """``max(x, 0)`` elementwise; its gradient at 0 is 0, as in MindSpore.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.ReLU()(ms.Tensor([-1.0, 0.0, 2.0])).asnumpy()
        array([0., 0., 2.], dtype=float32)
    """

    def construct(self, x: Tensor) -> Tensor:
        return relu(expect_tensor("ReLU", x))


class Sigmoid(Cell):
    """``1 / (1 + exp(-x))`` elementwise.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.Sigmoid()(ms.Tensor([0.0])).asnumpy()
        array([0.5], dtype=float32)
    """

    def construct(self, x: Tensor) -> Tensor:
        return sigmoid(expect_float_tensor("Sigmoid", x))


class Tanh(Cell):
    """``tanh(x)`` elementwise.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.Tanh()(ms.Tensor([0.0])).asnumpy()
        array([0.], dtype=float32)
    """

    def construct(self, x: Tensor) -> Tensor:
        return tanh(expect_float_tensor("Tanh", x))


class Softmax(Cell):
    """``exp(x) / sum(exp(x), axis)``, computed stably from ``x - max(x)``.

    Args:
        axis: the axis that sums to 1.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.Softmax()(ms.Tensor([0.0, 0.0])).asnumpy()
        array([0.5, 0.5], dtype=float32)
    """

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def construct(self, x: Tensor) -> Tensor:
        return softmax(expect_float_tensor("Softmax", x), self.axis)

    def extend_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Cell):
    """``x - log(sum(exp(x), axis))``, computed stably from ``x - max(x)``.

    Args:
        axis: the axis of the classes.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.LogSoftmax()(ms.Tensor([0.0, 0.0])).asnumpy()
        array([-0.6931472, -0.6931472], dtype=float32)
    """

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def construct(self, x: Tensor) -> Tensor:
        return log_softmax(expect_float_tensor("LogSoftmax", x), self.axis)

    def extend_repr(self) -> str:
        return f"axis={self.axis}"


_ACTIVATIONS: dict[str, type[Cell]] = {
    "relu": ReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "softmax": Softmax,
    "logsoftmax": LogSoftmax,
}


def get_activation(name: str) -> Cell:
    """A new activation layer from its lower-case name (``'relu'``, ``'sigmoid'``, …).

    Raises:
        KeyError: the name is not one of the known activations.

    Example:
        >>> from minispore import nn
        >>> nn.get_activation("relu")
        ReLU()
    """
    cls = _ACTIVATIONS.get(name)
    if cls is None:
        raise KeyError(f"The activation {name!r} is not supported; use one of {sorted(_ACTIVATIONS)}.")
    return cls()
