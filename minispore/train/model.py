"""``Model``: MindSpore's high-level train / eval / predict loop."""

from __future__ import annotations

import logging
from typing import Any

from minispore.amp import DynamicLossScaleManager, FixedLossScaleManager, LossScaleManager
from minispore.autograd import no_grad
from minispore.nn.cell import Cell
from minispore.nn.metrics import Loss, get_metrics
from minispore.nn.optim.optimizer import Optimizer
from minispore.nn.wrap import TrainOneStepCell, TrainOneStepWithLossScaleCell, WithEvalCell, WithLossCell
from minispore.train.callback.base import Callback, CallbackList, CallbackParams, RunContext

_logger = logging.getLogger("minispore")


class _EpochBatches:
    """One pipeline iterator for all epochs, so that each epoch reshuffles (MindSpore's way)."""

    def __init__(self, dataset: Any, epochs: int) -> None:
        self._dataset = dataset
        self._iterator = (
            dataset.create_tuple_iterator(num_epochs=epochs) if hasattr(dataset, "create_tuple_iterator") else None
        )

    def epoch(self) -> Any:
        """The batches of the next epoch."""
        return self._iterator if self._iterator is not None else iter(self._dataset)


def _dataset_size(dataset: Any) -> int:
    if hasattr(dataset, "get_dataset_size"):
        return int(dataset.get_dataset_size())
    return len(dataset)


def _check_run_args(api: str, name: str, dataset: Any, callbacks: Any) -> CallbackList:
    """The callbacks as one list, after checking ``dataset`` and ``callbacks``.

    Raises:
        TypeError: ``dataset`` is neither a Dataset nor a sized iterable of batches, or
            ``callbacks`` is not a Callback, a list of Callbacks or None.
    """
    if not hasattr(dataset, "get_dataset_size") and not (hasattr(dataset, "__len__") and hasattr(dataset, "__iter__")):
        raise TypeError(
            f"For '{api}', '{name}' must be a Dataset (such as ms.dataset.MnistDataset(...).batch(32)) or a sized "
            f"iterable of batches, but got {type(dataset).__name__}."
        )
    if callbacks is not None and not isinstance(callbacks, Callback | list | tuple):
        raise TypeError(
            f"For '{api}', 'callbacks' must be a Callback, a list of Callbacks or None, but got "
            f"{type(callbacks).__name__}."
        )
    return CallbackList(callbacks)


class Model:
    """Wrap a network with its loss and optimizer for ``train``, ``eval`` and ``predict``.

    Args:
        network: the network (or, with ``loss_fn=None``, a Cell that returns the loss).
        loss_fn: the loss Cell.
        optimizer: the optimizer.
        metrics: ``{'accuracy'}`` or ``{'acc': nn.Accuracy()}`` for :meth:`eval`.
        eval_network: a Cell returning ``(loss, outputs, label)`` or ``(outputs, label)``.
        eval_indexes: positions of ``[loss, outputs, label]`` in ``eval_network``'s output.
        amp_level: only ``'O0'`` (no mixed precision) is supported.
        boost_level: accepted for MindSpore compatibility; unused.
        **kwargs: ``loss_scale_manager``, a ``FixedLossScaleManager`` or
            ``DynamicLossScaleManager``; both work on every backend (MindSpore's CPU build
            refuses all but ``FixedLossScaleManager(drop_overflow_update=False)``). With that
            one the optimizer's ``loss_scale`` should equal the manager's; a mismatch is
            logged as a warning. ``keep_batchnorm_fp32`` and ``cast_model_type`` are
            accepted and unused.

    Raises:
        TypeError: ``network`` is not a Cell, ``optimizer`` not an Optimizer, or
            ``loss_scale_manager`` not a manager.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore import nn
        >>> net = nn.Dense(2, 2)
        >>> opt = nn.Momentum(net.trainable_params(), 0.1, 0.9)
        >>> model = ms.train.Model(net, nn.MSELoss(), opt)
        >>> model.predict(ms.Tensor(np.ones((1, 2), np.float32))).shape
        (1, 2)
    """

    def __init__(
        self,
        network: Cell,
        loss_fn: Cell | None = None,
        optimizer: Optimizer | None = None,
        metrics: Any = None,
        eval_network: Cell | None = None,
        eval_indexes: list[int] | None = None,
        amp_level: str = "O0",
        boost_level: str = "O0",
        **kwargs: Any,
    ) -> None:
        if not isinstance(network, Cell):
            raise TypeError(f"For 'Model', 'network' must be a Cell, but got {type(network).__name__}.")
        if amp_level != "O0":
            raise ValueError(
                f"For 'Model', amp_level={amp_level!r} is not supported: minispore trains in the network's own "
                "dtype. Use amp_level='O0' (the default)."
            )
        unknown = set(kwargs) - {"loss_scale_manager", "keep_batchnorm_fp32", "cast_model_type"}
        if unknown:
            raise ValueError(f"For 'Model', unknown keyword arguments {sorted(unknown)}.")
        if optimizer is not None and not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"For 'Model', 'optimizer' must be an Optimizer or None, but got {type(optimizer).__name__}."
            )
        manager = kwargs.get("loss_scale_manager")
        if manager is not None and not isinstance(manager, LossScaleManager):
            raise TypeError(
                f"For 'Model', 'loss_scale_manager' must be a FixedLossScaleManager or DynamicLossScaleManager, "
                f"but got {type(manager).__name__}."
            )
        if eval_indexes is not None and (len(eval_indexes) != 3):
            raise ValueError(f"For 'Model', 'eval_indexes' must list 3 positions, but got {eval_indexes!r}.")
        self._network = network
        self._loss_fn = loss_fn
        self._optimizer = optimizer
        self._metrics = get_metrics(metrics)
        self._loss_scale_manager: LossScaleManager | None = manager
        self._eval_indexes = eval_indexes
        self._train_network = self._build_train_network() if optimizer is not None else None
        self._eval_network = eval_network or (WithEvalCell(network, loss_fn) if metrics is not None else None)
        if eval_network is None and metrics is not None:
            self._eval_indexes = [0, 1, 2]

    @property
    def train_network(self) -> Cell | None:
        """The Cell one training step calls (loss, gradients, optimizer update); None without an optimizer."""
        return self._train_network

    @property
    def predict_network(self) -> Cell:
        """The network ``predict`` runs: the ``network`` given to the constructor."""
        return self._network

    @property
    def eval_network(self) -> Cell | None:
        """The Cell ``eval`` runs to get ``(loss, outputs, label)``; None without metrics or an ``eval_network``."""
        return self._eval_network

    def _build_train_network(self) -> Cell:
        assert self._optimizer is not None
        with_loss = WithLossCell(self._network, self._loss_fn) if self._loss_fn is not None else self._network
        manager = self._loss_scale_manager
        if manager is None:
            return TrainOneStepCell(with_loss, self._optimizer)
        if isinstance(manager, FixedLossScaleManager) and not manager.get_drop_overflow_update():
            if self._optimizer.loss_scale != manager.get_loss_scale():
                _logger.warning(
                    "For 'Model', FixedLossScaleManager(%s, drop_overflow_update=False) scales the gradients, but the "
                    "optimizer's 'loss_scale' is %s, so every update is multiplied by %s. Pass loss_scale=%s to "
                    "the optimizer as well (MindSpore trains with the same mismatch without a word).",
                    manager.get_loss_scale(),
                    self._optimizer.loss_scale,
                    manager.get_loss_scale() / self._optimizer.loss_scale,
                    manager.get_loss_scale(),
                )
            return TrainOneStepCell(with_loss, self._optimizer, sens=manager.get_loss_scale())
        if isinstance(manager, FixedLossScaleManager | DynamicLossScaleManager):
            update_cell = manager.get_update_cell()
            assert update_cell is not None
            return TrainOneStepWithLossScaleCell(with_loss, self._optimizer, update_cell)
        raise TypeError(f"Unsupported loss_scale_manager {type(manager).__name__}.")

    # training --------------------------------------------------------------------------
    def train(
        self,
        epoch: int,
        train_dataset: Any,
        callbacks: Callback | list[Callback] | None = None,
        dataset_sink_mode: bool = False,
        sink_size: int = -1,
        initial_epoch: int = 0,
    ) -> None:
        """Train for ``epoch`` epochs (counting ``initial_epoch`` as already done).

        ``dataset_sink_mode`` is accepted and behaves as False: minispore always feeds
        batches from Python. ``sink_size`` is ignored.

        Raises:
            RuntimeError: the Model has no optimizer, or a ``DynamicLossScaleManager`` saw
                more than 1000 overflowing steps in a row.
            ValueError: ``epoch`` is not a positive int or ``initial_epoch`` is out of range.
            TypeError: ``train_dataset`` is not a dataset or ``callbacks`` not Callbacks.
        """
        if self._train_network is None:
            raise RuntimeError("For 'Model.train', the Model needs an 'optimizer'; pass one to Model(...).")
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch <= 0:
            raise ValueError(f"For 'Model.train', 'epoch' must be a positive int, but got {epoch!r}.")
        if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, int) or not 0 <= initial_epoch < epoch:
            raise ValueError(
                f"For 'Model.train', 'initial_epoch' must be an int in [0, {epoch}), but got {initial_epoch!r}."
            )
        cbs = _check_run_args("Model.train", "train_dataset", train_dataset, callbacks)
        params = CallbackParams(
            train_network=self._train_network,
            network=self._network,
            optimizer=self._optimizer,
            loss_fn=self._loss_fn,
            train_dataset=train_dataset,
            epoch_num=epoch,
            batch_num=_dataset_size(train_dataset),
            cur_epoch_num=initial_epoch,
            cur_step_num=initial_epoch * _dataset_size(train_dataset),
            net_outputs=None,
            mode="train",
            dataset_sink_mode=dataset_sink_mode,
        )
        context = RunContext(params)
        batches = _EpochBatches(train_dataset, epoch - initial_epoch)
        self._network.set_train(True)
        cbs.on_train_begin(context)
        for ep in range(initial_epoch, epoch):
            params.cur_epoch_num = ep + 1
            cbs.on_train_epoch_begin(context)
            for batch in batches.epoch():
                params.cur_step_num += 1
                cbs.on_train_step_begin(context)
                params.net_outputs = self._train_step(batch)
                cbs.on_train_step_end(context)
                if context.get_stop_requested():
                    break
            cbs.on_train_epoch_end(context)
            if context.get_stop_requested():
                break
        cbs.on_train_end(context)

    def _train_step(self, batch: Any) -> Any:
        assert self._train_network is not None
        outputs = self._train_network(*batch)
        if self._loss_scale_manager is not None and isinstance(self._train_network, TrainOneStepWithLossScaleCell):
            # MindSpore's Model feeds each step's overflow to the manager: its own copy of the scale
            # rule, and the count of consecutive overflows that raises after 1000.
            self._loss_scale_manager.update_loss_scale(bool(outputs[1]))
        return outputs

    # evaluation -----------------------------------------------------------------------
    def eval(
        self, valid_dataset: Any, callbacks: Callback | list[Callback] | None = None, dataset_sink_mode: bool = False
    ) -> dict[str, float]:
        """Run the metrics over ``valid_dataset`` in evaluation mode.

        Returns:
            ``{metric_name: value}``.

        Raises:
            ValueError: the Model was built without ``metrics``.
            TypeError: ``valid_dataset`` is not a dataset or ``callbacks`` not Callbacks.
        """
        if not self._metrics or self._eval_network is None:
            raise ValueError(
                "For 'Model.eval', the Model needs 'metrics', e.g. Model(net, loss, opt, metrics={'accuracy'})."
            )
        for metric in self._metrics.values():
            metric.clear()
        cbs = _check_run_args("Model.eval", "valid_dataset", valid_dataset, callbacks)
        params = CallbackParams(
            network=self._network,
            eval_network=self._eval_network,
            valid_dataset=valid_dataset,
            batch_num=_dataset_size(valid_dataset),
            cur_step_num=0,
            net_outputs=None,
            mode="eval",
        )
        context = RunContext(params)
        was_training = self._network.training
        self._network.set_train(False)
        try:
            cbs.on_eval_begin(context)
            cbs.on_eval_epoch_begin(context)
            with no_grad():
                for batch in _EpochBatches(valid_dataset, 1).epoch():
                    params.cur_step_num += 1
                    cbs.on_eval_step_begin(context)
                    outputs = self._eval_network(*batch)
                    params.net_outputs = outputs
                    self._update_metrics(outputs)
                    cbs.on_eval_step_end(context)
            params.metrics = {name: metric.eval() for name, metric in self._metrics.items()}
            cbs.on_eval_epoch_end(context)
            cbs.on_eval_end(context)
        finally:
            self._network.set_train(was_training)
        result: dict[str, float] = params.metrics
        return result

    def _update_metrics(self, outputs: Any) -> None:
        if not isinstance(outputs, tuple):
            outputs = (outputs,)
        loss_i, out_i, label_i = self._eval_indexes or (None, 0, 1)
        for metric in self._metrics.values():
            if isinstance(metric, Loss):
                if loss_i is None or outputs[loss_i] is None:
                    raise ValueError("The 'loss' metric needs a loss_fn (or an eval_network that returns the loss).")
                metric.update(outputs[loss_i])
            else:
                metric.update(outputs[out_i], outputs[label_i])

    def predict(self, *predict_data: Any) -> Any:
        """The network's output for ``predict_data``, in evaluation mode, with no gradients."""
        was_training = self._network.training
        self._network.set_train(False)
        try:
            with no_grad():
                return self._network(*predict_data)
        finally:
            self._network.set_train(was_training)
