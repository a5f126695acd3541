"""Evaluation metrics (MindSpore's ``mindspore.train.metrics``, also under ``nn``)."""

from minispore.nn.metrics.error import MAE, MSE
from minispore.nn.metrics.metric import (
    Accuracy,
    Loss,
    Metric,
    Top1CategoricalAccuracy,
    Top5CategoricalAccuracy,
    TopKCategoricalAccuracy,
    get_metric_fn,
    get_metrics,
    register_metric,
)

register_metric("mae", MAE)
register_metric("mse", MSE)

__all__ = [
    "MAE",
    "MSE",
    "Accuracy",
    "Loss",
    "Metric",
    "Top1CategoricalAccuracy",
    "Top5CategoricalAccuracy",
    "TopKCategoricalAccuracy",
    "get_metric_fn",
    "get_metrics",
]
