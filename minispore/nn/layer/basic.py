"""Basic layers: ``Dense``, ``Flatten`` and ``Dropout``."""

from __future__ import annotations

import numbers
from typing import Any

from minispore.common import dtype as mstype
from minispore.common.dtype import DTypeLike
from minispore.common.parameter import Parameter
from minispore.common.tensor import Tensor
from minispore.common.validation import check_bool, check_positive_int
from minispore.nn.cell import Cell
from minispore.nn.layer._default_init import bias_parameter, weight_parameter
from minispore.nn.layer.activation import get_activation
from minispore.ops.array import flatten
from minispore.ops.nn_args import (
    check_input,
    check_probability,
    expect_tensor,
)
from minispore.ops.nn_functional import (
    dense,
    dropout,
)


class Dense(Cell):
    """A fully connected layer: ``activation(x @ weight.T + bias)``.

    Args:
        in_channels: input features (the last axis of the input).
        out_channels: output features.
        weight_init: an initializer, its name, or a Tensor; None means
            ``HeUniform(negative_slope=sqrt(5))``, i.e. ``U(±1/sqrt(in_channels))``.
        bias_init: likewise; None means ``U(±1/sqrt(in_channels))``.
        has_bias: add the learned bias.
        activation: None, a Cell, or a name for :func:`get_activation` (``'relu'``).
        dtype: the parameters' dtype.

    Inputs with more than 2 axes are flattened to ``(-1, in_channels)`` and the leading
    axes are restored afterwards. Parameters: ``weight`` ``(out, in)``, ``bias`` ``(out,)``.

    Raises:
        TypeError: an argument of the wrong type; at call time, a non-float input.
        KeyError: an unknown activation name.
        ValueError: at call time, an input whose last axis is not ``in_channels``.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore import nn
        >>> fc = nn.Dense(400, 120, activation="relu")
        >>> fc(ms.Tensor(np.zeros((32, 400), np.float32))).shape
        (32, 120)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        weight_init: Any = None,
        bias_init: Any = None,
        has_bias: bool = True,
        activation: str | Cell | None = None,
        dtype: DTypeLike = mstype.float32,
    ) -> None:
        super().__init__()
        op = "Dense"
        self.in_channels = check_positive_int(op, "in_channels", in_channels)
        self.out_channels = check_positive_int(op, "out_channels", out_channels)
        self.has_bias = check_bool(op, "has_bias", has_bias)
        self.weight = weight_parameter(weight_init, (out_channels, in_channels), dtype)
        self.bias: Parameter | None = bias_parameter(bias_init, out_channels, in_channels, dtype) if has_bias else None
        if activation is not None and not isinstance(activation, str | Cell):
            raise TypeError(
                f"For '{op}', 'activation' must be a str, a Cell or None, but got {type(activation).__name__}."
            )
        self.activation: Cell | None = get_activation(activation) if isinstance(activation, str) else activation

    def construct(self, x: Tensor) -> Tensor:
        check_input("Dense", x, "at least 1-D (*, C)", None, ("C", -1, self.in_channels), weight=self.weight)
        out = dense(x, self.weight, self.bias)
        return out if self.activation is None else self.activation(out)

    def extend_repr(self) -> str:
        text = f"input_channels={self.in_channels}, output_channels={self.out_channels}"
        text += ", has_bias=True" if self.has_bias else ""  # MindSpore shows only a bias that is there
        return text if self.activation is None else f"{text}, activation={self.activation}"


class Flatten(Cell):
    """Merge the axes ``start_dim..end_dim`` into one (by default all but the batch axis).

    Args:
        start_dim: the first axis to merge.
        end_dim: the last axis to merge.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.Flatten()(ms.Tensor(np.zeros((32, 16, 5, 5), np.float32))).shape
        (32, 400)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        for name, value in (("start_dim", start_dim), ("end_dim", end_dim)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"For 'Flatten', '{name}' must be an int, but got {type(value).__name__} {value!r}.")
        self.start_dim, self.end_dim = start_dim, end_dim

    def construct(self, x: Tensor) -> Tensor:
        t = expect_tensor("Flatten", x)
        rank = max(t.ndim, 1)
        for name, value in (("start_dim", self.start_dim), ("end_dim", self.end_dim)):
            if not -rank <= value < rank:
                raise ValueError(
                    f"For 'Flatten', '{name}' must be in [{-rank}, {rank}) for an input of shape {t.shape}, "
                    f"but got {value}."
                )
        return flatten(t, start_dim=self.start_dim, end_dim=self.end_dim)


class Dropout(Cell):
    """Zero each element with probability ``p`` in training and scale the rest by ``1/(1-p)``.

    In evaluation (``Cell.training`` is False, the default until ``set_train()``) it is
    the identity. Masks are drawn on the host from the generator ``ms.set_seed`` seeds.

    Args:
        keep_prob: the deprecated MindSpore 1.x form, the probability of keeping an
            element, in ``(0, 1]``; it wins over ``p`` when both are given.
        p: the probability of dropping an element, in ``[0, 1)``; 0.5 when neither
            argument is given.

    Raises:
        TypeError: ``keep_prob`` or ``p`` is not a number.
        ValueError: they are out of range.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> nn.Dropout(p=0.2)(ms.Tensor([1.0, 2.0])).asnumpy()
        array([1., 2.], dtype=float32)
    """

    p: float
    keep_prob: float | None

    def __init__(self, keep_prob: float | None = None, p: float | None = None) -> None:
        super().__init__()
        op = "Dropout"
        if keep_prob is not None:
            if isinstance(keep_prob, bool) or not isinstance(keep_prob, numbers.Real):
                raise TypeError(f"For '{op}', 'keep_prob' must be a float, but got {type(keep_prob).__name__}.")
            if not 0.0 < keep_prob <= 1.0:
                raise ValueError(f"For '{op}', 'keep_prob' must be in the range (0, 1], but got {keep_prob}.")
            self.p = 1.0 - float(keep_prob)
        else:
            self.p = 0.5 if p is None else check_probability(op, "p", p)
        self.keep_prob = keep_prob

    def construct(self, x: Tensor) -> Tensor:
        return dropout(x, self.p, self.training)

    def extend_repr(self) -> str:
        return f"p={self.p}" if self.keep_prob is None else f"keep_prob={self.keep_prob}"
