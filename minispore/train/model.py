"""``Model``: MindSpore's high-level train / eval / predict loop."""

from __future__ import annotations

from typing import Any

from minispore.amp import DynamicLossScaleManager, FixedLossScaleManager, LossScaleManager
from minispore.autograd import no_grad
from minispore.mixed_precision import add_loss_network, check_amp_kwargs, check_level, level_config, prepare_network
from minispore.nn.cell import Cell
from minispore.nn.metrics import Loss, get_metrics
from minispore.nn.optim.optimizer import Optimizer
from minispore.nn.wrap import TrainOneStepCell, TrainOneStepWithLossScaleCell, WithEvalCell
from minispore.train.callback.base import Callback, CallbackList, CallbackParams, RunContext


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


class Model:
    """Wrap a network with its loss and optimizer for ``train``, ``eval`` and ``predict``.

    Args:
        network: the network (or, with ``loss_fn=None``, a Cell that returns the loss).
        loss_fn: the loss Cell.
        optimizer: the optimizer.
        metrics: ``{'accuracy'}`` or ``{'acc': nn.Accuracy()}`` for :meth:`eval`.
        eval_network: a Cell returning ``(loss, outputs, label)`` or ``(outputs, label)``.
        eval_indexes: positions of ``[loss, outputs, label]`` in ``eval_network``'s output.
        amp_level: mixed precision, ``'O0'`` (none), ``'O1'``, ``'O2'``, ``'O3'`` or
            ``'auto'`` (see :func:`minispore.amp.build_train_network`). O2 and O3 flag
            ``network`` itself: afterwards it returns float16; the loss sees float32.
        loss_scale_manager: a ``FixedLossScaleManager`` or ``DynamicLossScaleManager``;
            both work on every backend (MindSpore's CPU build refuses all but
            ``FixedLossScaleManager(drop_overflow_update=False)``). The default is the
            level's: ``DynamicLossScaleManager(2**24, 2, 2000)`` for O2, else None.
        keep_batchnorm_fp32: run BatchNorm in float32 (the default for O2 only).
        boost_config_dict, acc_level: accepted for MindSpore's signature; minispore has
            no boost mode.

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
        unknown = [
            k
            for k in kwargs
            if k not in ("loss_scale_manager", "keep_batchnorm_fp32", "boost_config_dict", "acc_level")
        ]
        if unknown:
            raise ValueError(
                "The argument in 'kwargs' should be 'loss_scale_manager' or 'keep_batchnorm_fp32' or "
                f"'boost_config_dict' or 'acc_level', but got '{unknown[0]}'."
            )
        check_amp_kwargs(kwargs)
        self._amp_level = check_level(amp_level, boost_level)
        amp_set = {k: kwargs[k] for k in ("loss_scale_manager", "keep_batchnorm_fp32") if k in kwargs}
        self._amp_config = dict(level_config(self._amp_level), **amp_set)
        manager = self._amp_config["loss_scale_manager"]
        if eval_indexes is not None and (len(eval_indexes) != 3):
            raise ValueError(f"For 'Model', 'eval_indexes' must list 3 positions, but got {eval_indexes!r}.")
        self._network = network
        self._loss_fn = loss_fn
        self._optimizer = optimizer
        self._metrics = get_metrics(metrics)
        self._loss_scale_manager: LossScaleManager | None = manager
        self._eval_indexes = eval_indexes
        self._train_network = self._build_train_network() if optimizer is not None else None
        cast_fp32 = self._amp_level in ("O2", "O3", "auto")
        self._eval_network = eval_network or (
            WithEvalCell(network, loss_fn, cast_fp32) if metrics is not None else None
        )
        if eval_network is None and metrics is not None:
            self._eval_indexes = [0, 1, 2]

    @property
    def train_network(self) -> Cell | None:
        return self._train_network

    @property
    def predict_network(self) -> Cell:
        return self._network

    @property
    def eval_network(self) -> Cell | None:
        return self._eval_network

    def _build_train_network(self) -> Cell:
        assert self._optimizer is not None
        network = prepare_network(self._network, self._amp_config, self._amp_level)
        cast_type = self._amp_config["cast_model_type"]
        with_loss = add_loss_network(network, self._loss_fn, cast_type) if self._loss_fn is not None else network
        manager = self._loss_scale_manager
        if manager is None:
            return TrainOneStepCell(with_loss, self._optimizer)
        if isinstance(manager, FixedLossScaleManager) and not manager.get_drop_overflow_update():
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
            RuntimeError: the Model has no optimizer.
            ValueError: ``epoch`` is not a positive int or ``initial_epoch`` is out of range.
        """
        if self._train_network is None:
            raise RuntimeError("For 'Model.train', the Model needs an 'optimizer'; pass one to Model(...).")
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch <= 0:
            raise ValueError(f"For 'Model.train', 'epoch' must be a positive int, but got {epoch!r}.")
        if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, int) or not 0 <= initial_epoch < epoch:
            raise ValueError(
                f"For 'Model.train', 'initial_epoch' must be an int in [0, {epoch}), but got {initial_epoch!r}."
            )
        cbs = CallbackList(callbacks)
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
        if isinstance(self._loss_scale_manager, DynamicLossScaleManager) and isinstance(
            self._train_network, TrainOneStepWithLossScaleCell
        ):
            self._loss_scale_manager.loss_scale = self._train_network.scale_sense.get_loss_scale()
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
        """
        if not self._metrics or self._eval_network is None:
            raise ValueError(
                "For 'Model.eval', the Model needs 'metrics', e.g. Model(net, loss, opt, metrics={'accuracy'})."
            )
        for metric in self._metrics.values():
            metric.clear()
        cbs = CallbackList(callbacks)
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
