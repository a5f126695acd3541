"""``mindspore.experimental.optim``: the PyTorch-style optimizer API on minispore's fused updates."""

from minispore.experimental.optim import lr_scheduler
from minispore.experimental.optim.adam import Adam, AdamW
from minispore.experimental.optim.optimizer import Optimizer
from minispore.experimental.optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "lr_scheduler"]
