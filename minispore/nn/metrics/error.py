"""Regression metrics: mean absolute error and mean squared error (MindSpore's ``MAE``, ``MSE``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from minispore.nn.metrics.metric import Metric, host_values


class _PerSampleError(Metric):
    """Sums an elementwise error over an evaluation and divides by the number of samples
    (the length of the first axis), as MindSpore does."""

    name = "Error"

    def clear(self) -> None:
        self._error_sum = 0.0
        self._samples = 0

    def _error(self, diff: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        raise NotImplementedError

    def update(self, *inputs: Any) -> None:
        if len(inputs) != 2:
            raise ValueError(
                f"For '{self.name}.update', it needs 2 inputs (predicted value, true value), but got {len(inputs)}."
            )
        y_pred, y = host_values(inputs[0]), host_values(inputs[1])
        self._error_sum += float(self._error(y.reshape(y_pred.shape) - y_pred).sum())
        self._samples += int(y.shape[0])

    def eval(self) -> float:
        if self._samples == 0:
            raise RuntimeError(f"The '{self.name}' can not be calculated, because the number of samples is 0.")
        return self._error_sum / self._samples


class MAE(_PerSampleError):
    """Mean absolute error: ``sum |y_pred - y| / n`` over ``n`` samples.

    Example:
        >>> import numpy as np
        >>> from minispore import nn
        >>> m = nn.MAE()
        >>> m.update(np.array([[0.5], [2.0]]), np.array([[1.0], [1.0]]))
        >>> m.eval()
        0.75
    """

    name = "MAE"

    def _error(self, diff: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.asarray(np.abs(diff))


class MSE(_PerSampleError):
    """Mean squared error: ``sum (y_pred - y)^2 / n`` over ``n`` samples.

    Example:
        >>> import numpy as np
        >>> from minispore import nn
        >>> m = nn.MSE()
        >>> m.update(np.array([[0.5], [2.0]]), np.array([[1.0], [1.0]]))
        >>> m.eval()
        0.625
    """

    name = "MSE"

    def _error(self, diff: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.asarray(np.square(diff))
