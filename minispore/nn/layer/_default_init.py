"""The default initial weights of ``Conv2d`` and ``Dense`` (PyTorch's, adopted by MindSpore 2.x)."""

from __future__ import annotations

import math
from typing import Any

from minispore.common.dtype import DTypeLike
from minispore.common.initializer import HeUniform, Uniform, initializer
from minispore.common.parameter import Parameter


def weight_parameter(weight_init: Any, shape: tuple[int, ...], dtype: DTypeLike) -> Parameter:
    """``weight_init`` drawn for ``shape``; None means ``HeUniform(negative_slope=sqrt(5))``.

    That default is ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``: the gain
    ``sqrt(2 / (1 + 5))`` times ``sqrt(3 / fan_in)``.
    """
    init = HeUniform(negative_slope=math.sqrt(5)) if weight_init is None else weight_init
    return Parameter(initializer(init, shape, dtype))


def bias_parameter(bias_init: Any, size: int, fan_in: int, dtype: DTypeLike) -> Parameter:
    """``bias_init`` drawn for ``(size,)``; None means ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``."""
    init = Uniform(1.0 / math.sqrt(fan_in)) if bias_init is None else bias_init
    return Parameter(initializer(init, (size,), dtype))
