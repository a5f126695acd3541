"""Neural-network building blocks (MindSpore's ``mindspore.nn``)."""

from minispore.nn.cell import Cell, CellList, SequentialCell
from minispore.nn.dynamic_lr import (
    cosine_decay_lr,
    exponential_decay_lr,
    inverse_decay_lr,
    natural_exp_decay_lr,
    piecewise_constant_lr,
    polynomial_decay_lr,
    warmup_lr,
)
from minispore.nn.layer import *  # noqa: F403
from minispore.nn.layer import __all__ as _layer_all
from minispore.nn.learning_rate_schedule import (
    CosineDecayLR,
    ExponentialDecayLR,
    InverseDecayLR,
    LearningRateSchedule,
    NaturalExpDecayLR,
    PolynomialDecayLR,
    WarmUpLR,
)
from minispore.nn.loss import *  # noqa: F403
from minispore.nn.loss import __all__ as _loss_all
from minispore.nn.metrics import (
    MAE,
    MSE,
    Accuracy,
    Loss,
    Metric,
    Top1CategoricalAccuracy,
    Top5CategoricalAccuracy,
    TopKCategoricalAccuracy,
)
from minispore.nn.optim import SGD, Adam, AdamWeightDecay, Momentum, Optimizer, RMSProp
from minispore.nn.wrap import (
    DistributedGradReducer,
    DynamicLossScaleUpdateCell,
    FixedLossScaleUpdateCell,
    TrainOneStepCell,
    TrainOneStepWithLossScaleCell,
    WithEvalCell,
    WithLossCell,
)
from minispore.out_of_scope import GraphCell

__all__ = [
    "SGD",
    "Adam",
    "AdamWeightDecay",
    "RMSProp",
    "Accuracy",
    "DistributedGradReducer",
    "DynamicLossScaleUpdateCell",
    "FixedLossScaleUpdateCell",
    "Loss",
    "Metric",
    "Top1CategoricalAccuracy",
    "Top5CategoricalAccuracy",
    "TopKCategoricalAccuracy",
    "TrainOneStepCell",
    "TrainOneStepWithLossScaleCell",
    "WithEvalCell",
    "WithLossCell",
    "Cell",
    "CellList",
    "SequentialCell",
    "CosineDecayLR",
    "ExponentialDecayLR",
    "InverseDecayLR",
    "LearningRateSchedule",
    "Momentum",
    "Optimizer",
    "NaturalExpDecayLR",
    "PolynomialDecayLR",
    "WarmUpLR",
    "cosine_decay_lr",
    "exponential_decay_lr",
    "inverse_decay_lr",
    "natural_exp_decay_lr",
    "piecewise_constant_lr",
    "polynomial_decay_lr",
    "warmup_lr",
]
__all__ += _layer_all + _loss_all
__all__ += ["GraphCell", "MAE", "MSE"]  # GraphCell is out of scope: it raises an error naming the alternative
