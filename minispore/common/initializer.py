"""Weight initializers (MindSpore's ``mindspore.common.initializer``).

Values are drawn on the host exactly as MindSpore 2.x draws them (see
:mod:`minispore.common.philox`): each random initializer takes one seed from NumPy's
global generator, which ``ms.set_seed`` seeds, and fills a float32 buffer from
MindSpore's Philox stream. The buffer is then cast and copied to the device, so every
backend, and MindSpore itself, starts from identical numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from minispore.common import dtype as mstype
from minispore.common import philox
from minispore.common.dtype import DTypeLike
from minispore.common.tensor import Tensor, check_shape


def fan_in_and_fan_out(shape: Sequence[int]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight: ``(in*k, out*k)`` with ``k`` the kernel's size.

    Raises:
        ValueError: the shape has fewer than 2 dimensions.
    """
    if len(shape) < 2:
        raise ValueError(f"Fan in and fan out need a shape of at least 2 dimensions, but got {tuple(shape)}.")
    receptive = int(np.prod(shape[2:], dtype=np.int64)) if len(shape) > 2 else 1
    return int(shape[1]) * receptive, int(shape[0]) * receptive


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (as PyTorch and MindSpore define it)."""
    linear = {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "sigmoid"}
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity!r}.")


def _count(shape: tuple[int, ...]) -> int:
    return int(np.prod(shape, dtype=np.int64))


def _uniform(shape: tuple[int, ...], a: float, b: float) -> np.ndarray[Any, Any]:
    return philox.uniform(philox.draw_seed(), _count(shape), a, b).reshape(shape)


def _normal(shape: tuple[int, ...], mean: float, sigma: float) -> np.ndarray[Any, Any]:
    if sigma < 0:
        raise ValueError(f"The standard deviation of a normal initializer must be >= 0, but got {sigma}.")
    return philox.normal(philox.draw_seed(), _count(shape), mean, sigma).reshape(shape)


class Initializer:
    """Base class: ``sample(shape)`` returns the host values (float32 for random ones)."""

    def sample(self, shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
        raise NotImplementedError

    def __call__(self, arr: np.ndarray[Any, Any]) -> None:
        """Fill a host array in place (MindSpore's initializer protocol)."""
        arr[...] = self.sample(tuple(arr.shape))

    def to_tensor(self, shape: Sequence[int] | None = None, dtype: DTypeLike = mstype.float32) -> Tensor:
        if shape is None:
            raise ValueError(f"{type(self).__name__} needs a shape to make a tensor.")
        return initializer(self, shape, dtype)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"


class Zero(Initializer):
    def sample(self, shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
        return np.zeros(shape)


class One(Initializer):
    def sample(self, shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
        return np.ones(shape)


class Constant(Initializer):
    def __init__(self, value: float) -> None:
        self.value = value

    def sample(self, shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
        return np.full(shape, self.value)


class Normal(Initializer):
    """``N(mean, sigma^2)``."""

    def __init__(self, sigma: float = 0.01, mean: float = 0.0) -> None:
        self.sigma, self.mean = sigma, mean

    def sample(self, shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
        return _normal(shape, self.mean, self.sigma)


class Uniform(Initializer):
    """``U(-scale, scale)``."""

    def __init__(self, scale: float = 0.07) -> None:
        self.scale = scale

    def sample(self, shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
        return _uniform(shape, -self.scale, self.scale)


class TruncatedNormal(Initializer):
    """``N(mean, sigma^2)`` restricted to ``[a, b]``, drawn by the inverse CDF (MindSpore's way)."""

    def __init__(self, sigma: float = 0.01, mean: float = 0.0, a: float = -2.0, b: float = 2.0) -> None:
        if a >= b:
            raise ValueError(f"For 'TruncatedNormal', 'a' ({a}) must be less than 'b' ({b}).")
        self.sigma, self.mean, self.a, self.b = sigma, mean, a, b

    def sample(self, shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
        values = philox.truncated_normal(philox.draw_seed(), _count(shape), self.a, self.b, self.mean, self.sigma)
        return values.reshape(shape)


class _Scaled(Initializer):
    def __init__(self, negative_slope: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> None:
        if mode not in ("fan_in", "fan_out"):
            raise ValueError(f"'mode' must be 'fan_in' or 'fan_out', but got {mode!r}.")
        self.negative_slope, self.mode, self.nonlinearity = negative_slope, mode, nonlinearity

    def std(self, shape: tuple[int, ...]) -> float:
        fan_in, fan_out = fan_in_and_fan_out(shape)
        fan = fan_in if self.mode == "fan_in" else fan_out
        return calculate_gain(self.nonlinearity, self.negative_slope) / math.sqrt(fan)


class HeUniform(_Scaled):
    """Kaiming uniform: ``U(±sqrt(3) * gain / sqrt(fan))``."""

    def sample(self, shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
        bound = math.sqrt(3.0) * self.std(shape)
        return _uniform(shape, -bound, bound)


class HeNormal(_Scaled):
    """Kaiming normal: ``N(0, (gain / sqrt(fan))^2)``."""

    def sample(self, shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
        return _normal(shape, 0.0, self.std(shape))


class XavierUniform(Initializer):
    """Glorot uniform: ``U(±gain * sqrt(6 / (fan_in + fan_out)))``."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def sample(self, shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
        fan_in, fan_out = fan_in_and_fan_out(shape)
        bound = self.gain * math.sqrt(6.0 / (fan_in + fan_out))
        return _uniform(shape, -bound, bound)


class XavierNormal(Initializer):
    """Glorot normal: ``N(0, gain^2 * 2 / (fan_in + fan_out))``."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def sample(self, shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
        fan_in, fan_out = fan_in_and_fan_out(shape)
        return _normal(shape, 0.0, self.gain * math.sqrt(2.0 / float(fan_in + fan_out)))


_BY_NAME: dict[str, type[Initializer]] = {
    "zeros": Zero,
    "zero": Zero,
    "ones": One,
    "one": One,
    "normal": Normal,
    "uniform": Uniform,
    "truncatednormal": TruncatedNormal,
    "heuniform": HeUniform,
    "he_uniform": HeUniform,
    "henormal": HeNormal,
    "he_normal": HeNormal,
    "xavieruniform": XavierUniform,
    "xavier_uniform": XavierUniform,
    "xaviernormal": XavierNormal,
    "xavier_normal": XavierNormal,
}


def initializer(
    init: Initializer | str | float | Tensor, shape: Sequence[int] | int, dtype: DTypeLike = mstype.float32
) -> Tensor:
    """A tensor of ``shape`` and ``dtype`` filled by ``init``.

    Args:
        init: an :class:`Initializer`, a name (``'zeros'``, ``'normal'``, ``'he_uniform'``,
            …), a number (a constant) or a Tensor (copied; its shape must match).
        shape: the tensor's shape.
        dtype: the element type.

    Raises:
        ValueError: an unknown name, or a Tensor whose shape differs from ``shape``.

    Example:
        >>> import minispore as ms
        >>> from minispore.common.initializer import initializer, One
        >>> initializer(One(), (2,)).asnumpy()
        array([1., 1.], dtype=float32)
    """
    dims = check_shape("initializer", shape)
    want = mstype.to_dtype(dtype)
    if isinstance(init, Tensor):
        if init.shape != dims:
            raise ValueError(f"For 'initializer', the Tensor has shape {init.shape} but the shape asked for is {dims}.")
        return Tensor(init.asnumpy(), dtype=want)
    if isinstance(init, bool):
        raise TypeError("For 'initializer', 'init' cannot be a bool.")
    if isinstance(init, int | float):
        init = Constant(init)
    if isinstance(init, str):
        cls = _BY_NAME.get(init.lower())
        if cls is None:
            raise ValueError(f"For 'initializer', unknown init {init!r}; use one of {sorted(set(_BY_NAME))}.")
        init = cls()
    if not isinstance(init, Initializer):
        raise TypeError(
            f"For 'initializer', 'init' must be an Initializer, str, number or Tensor, but got {type(init).__name__}."
        )
    return Tensor(init.sample(dims).astype(want.np_dtype), dtype=want)
