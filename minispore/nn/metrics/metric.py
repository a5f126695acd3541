"""Metrics accumulate on the host over an evaluation: ``clear``, ``update``, ``eval``."""

from __future__ import annotations

from typing import Any

import numpy as np

from minispore.common.tensor import Tensor


def host_values(x: Any) -> np.ndarray[Any, Any]:
    if isinstance(x, Tensor):
        return x.asnumpy()
    if isinstance(x, list | tuple | np.ndarray | int | float):
        return np.asarray(x)
    raise TypeError(f"A metric input must be a Tensor, list or numpy.ndarray, but got {type(x).__name__}.")


class Metric:
    """Base class: ``clear()``, ``update(*inputs)``, ``eval()``."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Forget every sample seen so far; ``Model.eval`` calls it before the first batch."""
        raise NotImplementedError

    def update(self, *inputs: Any) -> None:
        """Add one batch: ``update(y_pred, y)`` for accuracies, ``update(loss)`` for :class:`Loss`."""
        raise NotImplementedError

    def eval(self) -> float:
        """The metric over every batch since the last :meth:`clear`."""
        raise NotImplementedError


def _sparse_labels(y_pred: np.ndarray[Any, Any], y: np.ndarray[Any, Any], name: str) -> np.ndarray[Any, Any]:
    if y.ndim == y_pred.ndim and y.shape == y_pred.shape:
        return np.asarray(y.argmax(axis=-1))
    if y.ndim == y_pred.ndim - 1 and y.shape == y_pred.shape[:-1]:
        return y.astype(np.int64)
    raise ValueError(
        f"For '{name}', the labels must be class indices of shape {y_pred.shape[:-1]} or one-hot of shape "
        f"{y_pred.shape}, but got shape {y.shape}."
    )


class _HitRate(Metric):
    """The fraction of samples a subclass's ``_hits`` counts as correct."""

    name = "HitRate"

    def clear(self) -> None:
        self._correct = 0
        self._total = 0

    def update(self, *inputs: Any) -> None:
        if len(inputs) != 2:
            raise ValueError(f"For '{self.name}.update', pass (y_pred, y), but got {len(inputs)} inputs.")
        hits = self._hits(host_values(inputs[0]), host_values(inputs[1]))
        self._correct += int(hits.sum())
        self._total += int(hits.size)

    def _hits(self, y_pred: np.ndarray[Any, Any], y: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        raise NotImplementedError

    def eval(self) -> float:
        if self._total == 0:
            raise RuntimeError(f"For '{self.name}', 'update' must be called before 'eval' (no samples seen).")
        return self._correct / self._total


class Accuracy(_HitRate):
    """The fraction of samples whose arg-max prediction equals the label.

    Args:
        eval_type: ``'classification'`` (labels are indices or one-hot) or
            ``'multilabel'`` (predictions rounded and compared per element).

    Example:
        >>> import numpy as np
        >>> from minispore import nn
        >>> acc = nn.Accuracy()
        >>> acc.update(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 1]))
        >>> acc.eval()
        0.5
    """

    name = "Accuracy"

    def __init__(self, eval_type: str = "classification") -> None:
        if eval_type not in ("classification", "multilabel"):
            raise ValueError(
                f"For 'Accuracy', 'eval_type' must be 'classification' or 'multilabel', but got {eval_type!r}."
            )
        self._type = eval_type
        super().__init__()

    def _hits(self, y_pred: np.ndarray[Any, Any], y: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        if self._type == "multilabel":
            return np.asarray(np.all(np.round(y_pred) == y, axis=-1))
        return np.asarray(y_pred.argmax(axis=-1) == _sparse_labels(y_pred, y, self.name))


class TopKCategoricalAccuracy(_HitRate):
    """The fraction of samples whose label is among the ``k`` highest predictions."""

    name = "TopKCategoricalAccuracy"

    def __init__(self, k: int) -> None:
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"For 'TopKCategoricalAccuracy', 'k' must be a positive int, but got {k!r}.")
        self.k = k
        super().__init__()

    def _hits(self, y_pred: np.ndarray[Any, Any], y: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        labels = _sparse_labels(y_pred, y, self.name)
        target = np.take_along_axis(y_pred, labels[..., None], axis=-1)
        # Ties with the label's score count in its favour, as MindSpore's argsort-based rule.
        return np.asarray((y_pred > target).sum(axis=-1) < self.k)


class Top1CategoricalAccuracy(TopKCategoricalAccuracy):
    """``TopKCategoricalAccuracy(1)``: the fraction of samples whose label has the highest prediction."""

    def __init__(self) -> None:
        super().__init__(1)


class Top5CategoricalAccuracy(TopKCategoricalAccuracy):
    """``TopKCategoricalAccuracy(5)``: the fraction of samples whose label is among the five highest predictions."""

    def __init__(self) -> None:
        super().__init__(5)


class Loss(Metric):
    """The mean of the losses passed to ``update``."""

    def clear(self) -> None:
        self._sum = 0.0
        self._count = 0

    def update(self, *inputs: Any) -> None:
        if len(inputs) != 1:
            raise ValueError(f"For 'Loss.update', pass one loss, but got {len(inputs)} inputs.")
        loss = host_values(inputs[0])
        if loss.ndim > 1:
            raise ValueError(f"For 'Loss.update', the loss must be 0-D or 1-D, but got shape {loss.shape}.")
        self._sum += float(loss.mean())
        self._count += 1

    def eval(self) -> float:
        """The mean loss: the sum of the losses passed to ``update`` divided by their count."""
        if self._count == 0:
            raise RuntimeError("For 'Loss', 'update' must be called before 'eval'.")
        return self._sum / self._count


_BY_NAME: dict[str, type[Metric]] = {
    "accuracy": Accuracy,
    "acc": Accuracy,
    "loss": Loss,
    "top_1_accuracy": Top1CategoricalAccuracy,
    "top_5_accuracy": Top5CategoricalAccuracy,
}


def register_metric(name: str, cls: type[Metric]) -> None:
    """Make ``cls`` available by ``name`` in ``Model(metrics={name})``."""
    _BY_NAME[name] = cls


def get_metric_fn(name: str) -> Metric:
    """A new metric from its MindSpore name (``'accuracy'``, ``'loss'``, ``'top_5_accuracy'``...)."""
    cls = _BY_NAME.get(name)
    if cls is None:
        raise KeyError(f"Unknown metric {name!r}; use one of {sorted(_BY_NAME)} or pass a Metric instance.")
    return cls()


def get_metrics(metrics: Any) -> dict[str, Metric]:
    """``{'accuracy'}`` or ``{'acc': nn.Accuracy()}`` as a dict of metric instances."""
    if metrics is None:
        return {}
    if isinstance(metrics, dict):
        out = {}
        for name, metric in metrics.items():
            if not isinstance(metric, Metric):
                raise TypeError(f"The metric {name!r} must be a Metric instance, but got {type(metric).__name__}.")
            out[name] = metric
        return out
    if isinstance(metrics, set | list | tuple):
        return {name: get_metric_fn(name) for name in metrics}
    raise TypeError(
        f"'metrics' must be a set of names or a dict of Metric instances, but got {type(metrics).__name__}."
    )
