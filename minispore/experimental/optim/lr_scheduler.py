"""``mindspore.experimental.optim.lr_scheduler``: PyTorch-style schedulers over the group learning rates."""

from __future__ import annotations

from typing import Any

import numpy as np

from minispore.common.tensor import Tensor
from minispore.experimental.optim.optimizer import Optimizer

F32 = np.float32


class LRScheduler:
    """Base of the schedulers: ``step()`` advances the epoch and writes each group's rate.

    Args:
        optimizer: an ``experimental.optim`` optimizer.
        last_epoch: the epoch to resume from (``-1`` starts; each group's ``initial_lr`` is set).

    Raises:
        TypeError: ``optimizer`` is not an ``experimental.optim`` optimizer.
        KeyError: resuming (``last_epoch != -1``) without ``initial_lr`` in a group.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"For '{type(self).__name__}', 'optimizer' must be an experimental.optim optimizer, "
                f"but got {type(optimizer).__name__}."
            )
        self.optimizer = optimizer
        for k, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", optimizer._initial_lrs[k])
            elif "initial_lr" not in group:
                raise KeyError(f"param 'initial_lr' is not specified in param_groups[{k}] when resuming an optimizer")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._last_lr: list[Tensor] = []
        self.step()

    def get_lr(self) -> list[float]:
        """The rates for ``last_epoch`` (float32 values)."""
        raise NotImplementedError(f"{type(self).__name__} must define get_lr()")

    def get_last_lr(self) -> list[Tensor]:
        """The rates the last ``step()`` set: one 0-d float32 Tensor per group."""
        return list(self._last_lr)

    def step(self) -> None:
        """Advance one epoch and write the new rates into the groups' learning-rate Parameters."""
        self.last_epoch += 1
        values = self.get_lr()
        for k, value in enumerate(values):
            lr = self.optimizer.lrs[k]
            if F32(value) != F32(self.optimizer.group_lr(k)):
                lr.set_data(Tensor(F32(value)))
        self._last_lr = [Tensor(F32(v)) for v in values]

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state (everything but the optimizer)."""
        return {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "_last_lr")}


class StepLR(LRScheduler):
    """Multiply each group's rate by ``gamma`` every ``step_size`` epochs: ``lr = float32(lr * float32(gamma))``.

    Args:
        optimizer: an ``experimental.optim`` optimizer.
        step_size: the period, a positive int.
        gamma: the factor (default 0.1).
        last_epoch: the epoch to resume from.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore.experimental import optim
        >>> w = ms.Parameter(np.ones(2, np.float32), name="w")
        >>> opt = optim.SGD([w], lr=0.1)
        >>> scheduler = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
        >>> scheduler.step()
        >>> [float(lr) for lr in scheduler.get_last_lr()]
        [0.05000000074505806]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"For 'StepLR', 'step_size' must be a positive int, but got {step_size!r}.")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        current = [self.optimizer.group_lr(k) for k in range(len(self.optimizer.param_groups))]
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return current
        return [float(F32(F32(lr) * F32(self.gamma))) for lr in current]
