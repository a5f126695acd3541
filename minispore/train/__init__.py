"""Training surface (MindSpore's ``mindspore.train``): Model, callbacks, metrics, checkpoints."""

from minispore.nn.metrics import (
    MAE,
    MSE,
    Accuracy,
    Loss,
    Metric,
    Top1CategoricalAccuracy,
    Top5CategoricalAccuracy,
    TopKCategoricalAccuracy,
    get_metric_fn,
)
from minispore.out_of_scope import export, load
from minispore.train import metrics
from minispore.train.callback import (
    Callback,
    CheckpointConfig,
    History,
    LossMonitor,
    ModelCheckpoint,
    ProgressBar,
    RunContext,
    TimeMonitor,
)
from minispore.train.model import Model
from minispore.train.serialization import load_checkpoint, load_param_into_net, save_checkpoint

__all__ = [
    "MAE",
    "MSE",
    "TopKCategoricalAccuracy",
    "export",
    "get_metric_fn",
    "load",
    "metrics",
    "Accuracy",
    "Callback",
    "CheckpointConfig",
    "History",
    "Loss",
    "LossMonitor",
    "Metric",
    "Model",
    "ModelCheckpoint",
    "ProgressBar",
    "RunContext",
    "Top1CategoricalAccuracy",
    "Top5CategoricalAccuracy",
    "TimeMonitor",
    "load_checkpoint",
    "load_param_into_net",
    "save_checkpoint",
]
