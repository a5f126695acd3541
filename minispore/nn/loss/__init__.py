"""Losses (MindSpore's ``mindspore.nn`` loss cells)."""

from minispore.nn.loss.likelihood import BCELoss, BCEWithLogitsLoss, KLDivLoss, NLLLoss
from minispore.nn.loss.loss import (
    CrossEntropyLoss,
    L1Loss,
    LossBase,
    MSELoss,
    SmoothL1Loss,
    SoftmaxCrossEntropyWithLogits,
)

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "KLDivLoss",
    "L1Loss",
    "LossBase",
    "MSELoss",
    "NLLLoss",
    "SmoothL1Loss",
    "SoftmaxCrossEntropyWithLogits",
]
