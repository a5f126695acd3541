"""Optimizers (MindSpore's ``mindspore.nn.optim``)."""

from minispore.nn.optim.momentum import Momentum
from minispore.nn.optim.optimizer import Optimizer

__all__ = ["Momentum", "Optimizer"]
