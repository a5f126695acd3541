"""Cells that wrap a network for training: loss, gradients, loss scaling."""

from minispore.nn.wrap.cell_wrapper import TrainOneStepCell, WithEvalCell, WithLossCell
from minispore.nn.wrap.grad_reducer import DistributedGradReducer
from minispore.nn.wrap.loss_scale import (
    DynamicLossScaleUpdateCell,
    FixedLossScaleUpdateCell,
    TrainOneStepWithLossScaleCell,
)

__all__ = [
    "DistributedGradReducer",
    "DynamicLossScaleUpdateCell",
    "FixedLossScaleUpdateCell",
    "TrainOneStepCell",
    "TrainOneStepWithLossScaleCell",
    "WithEvalCell",
    "WithLossCell",
]
