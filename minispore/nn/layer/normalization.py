"""``nn.BatchNorm2d``: batch normalization over the channels of NCHW input."""

from __future__ import annotations

import numbers
from typing import Any

from minispore.common import dtype as mstype
from minispore.common.dtype import DTypeLike
from minispore.common.initializer import initializer
from minispore.common.parameter import Parameter
from minispore.common.tensor import Tensor
from minispore.common.validation import check_bool, check_positive_int
from minispore.nn.cell import Cell
from minispore.ops.nn_args import (
    check_data_format,
    check_input,
)
from minispore.ops.nn_functional import (
    batch_norm,
)


class BatchNorm2d(Cell):
    """Batch normalization of ``(N, C, H, W)`` input per channel.

    .. math::
        y = \\frac{x - \\mathrm{E}[x]}{\\sqrt{\\mathrm{Var}[x] + \\epsilon}} \\gamma + \\beta

    In training (``set_train()``) the statistics are the batch's: the mean and the
    biased variance over ``(N, H, W)``, as MindSpore's CPU kernel computes them. The
    moving statistics then follow MindSpore's momentum convention::

        moving = momentum * moving + (1 - momentum) * batch

    In evaluation the moving statistics normalize. ``use_batch_statistics`` True or
    False forces one behaviour regardless of the mode.

    Args:
        num_features: the channel count ``C``.
        eps: added to the variance.
        momentum: the weight of the old moving statistics, in ``[0, 1]``.
        affine: whether ``gamma`` and ``beta`` are trained.
        gamma_init: the initializer of ``gamma`` (a name such as ``'ones'``, a number or a Tensor).
        beta_init: the initializer of ``beta``.
        moving_mean_init: the initializer of ``moving_mean``.
        moving_var_init: the initializer of ``moving_variance``.
        use_batch_statistics: None (follow the mode), True or False.
        data_format: ``'NCHW'`` (``'NHWC'`` is GPU-only in MindSpore and not supported).
        dtype: the parameters' dtype.

    Parameters, in MindSpore's order: ``moving_mean`` and ``moving_variance``
    (``requires_grad=False``), then ``gamma`` and ``beta``.

    Raises:
        TypeError: an argument of the wrong type; at call time, a non-float input.
        ValueError: out-of-range arguments; at call time, an input that is not
            ``(N, num_features, H, W)``.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore import nn
        >>> bn = nn.BatchNorm2d(3).set_train()
        >>> y = bn(ms.Tensor(np.random.rand(4, 3, 2, 2).astype(np.float32)))
        >>> [p.name for p in bn.trainable_params()]
        ['gamma', 'beta']
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.9,
        affine: bool = True,
        gamma_init: Any = "ones",
        beta_init: Any = "zeros",
        moving_mean_init: Any = "zeros",
        moving_var_init: Any = "ones",
        use_batch_statistics: bool | None = None,
        data_format: str = "NCHW",
        dtype: DTypeLike = mstype.float32,
    ) -> None:
        super().__init__()
        op = "BatchNorm2d"
        self.num_features = check_positive_int(op, "num_features", num_features)
        for name, value in (("eps", eps), ("momentum", momentum)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"For '{op}', '{name}' must be a float, but got {type(value).__name__} {value!r}.")
        if eps <= 0:
            raise ValueError(f"For '{op}', 'eps' must be positive, but got {eps}.")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"For '{op}', 'momentum' must be in the range [0, 1], but got {momentum}.")
        if use_batch_statistics is not None and not isinstance(use_batch_statistics, bool):
            raise ValueError(
                f"For '{op}', 'use_batch_statistics' must be a bool or None, but got {use_batch_statistics!r}."
            )
        check_data_format(op, data_format)
        self.eps, self.momentum = float(eps), float(momentum)
        self.affine = check_bool(op, "affine", affine)
        self.use_batch_statistics = use_batch_statistics
        self.format = data_format
        shape = (num_features,)
        self.moving_mean = Parameter(initializer(moving_mean_init, shape, dtype), requires_grad=False)
        self.moving_variance = Parameter(initializer(moving_var_init, shape, dtype), requires_grad=False)
        self.gamma = Parameter(initializer(gamma_init, shape, dtype), requires_grad=affine)
        self.beta = Parameter(initializer(beta_init, shape, dtype), requires_grad=affine)

    def construct(self, x: Tensor) -> Tensor:
        check_input("BatchNorm2d", x, "4-D (N, C, H, W)", (4,), ("C", 1, self.num_features), weight=self.gamma)
        use_batch = self.training if self.use_batch_statistics is None else self.use_batch_statistics
        return batch_norm(
            x,
            self.moving_mean,
            self.moving_variance,
            self.gamma,
            self.beta,
            training=use_batch,
            momentum=1.0 - self.momentum,
            eps=self.eps,
        )

    def extend_repr(self) -> str:
        return (
            f"num_features={self.num_features}, eps={self.eps}, momentum={self.momentum}, gamma={self.gamma}, "
            f"beta={self.beta}, moving_mean={self.moving_mean}, moving_variance={self.moving_variance}"
        )
