"""``Model``: MindSpore's high-level train / eval / predict loop."""

from __future__ import annotations

import logging
from typing import Any

from minispore.amp import DynamicLossScaleManager, FixedLossScaleManager, LossScaleManager
from minispore.autograd import no_grad
from minispore.mixed_precision import add_loss_network, check_amp_kwargs, check_level, level_config, prepare_network
from minispore.nn.cell import Cell
from minispore.nn.metrics import Loss, get_metrics
from minispore.nn.optim.optimizer import Optimizer
from minispore.nn.wrap import TrainOneStepCell, TrainOneStepWithLossScaleCell, WithEvalCell
from minispore.train.callback.base import Callback, CallbackList, CallbackParams, RunContext
from minispore.train.fit import check_fit_callbacks, due, eval_callbacks

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


def _check_epochs(api: str, epoch: Any, initial_epoch: Any) -> None:
    """``epoch`` a positive int and ``initial_epoch`` an int in ``[0, epoch)``.

    Raises:
        ValueError: either is out of range or not an int.
    """
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch <= 0:
        raise ValueError(f"For '{api}', 'epoch' must be a positive int, but got {epoch!r}.")
    if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, int) or not 0 <= initial_epoch < epoch:
        raise ValueError(f"For '{api}', 'initial_epoch' must be an int in [0, {epoch}), but got {initial_epoch!r}.")


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
        boost_level: accepted for MindSpore compatibility; unused.
        boost_config_dict, acc_level: accepted for MindSpore's signature; minispore has
            no boost mode.

    Raises:
        TypeError: ``network`` is not a Cell, ``optimizer`` not an Optimizer, or
            ``loss_scale_manager`` not a manager.
        ValueError: an unknown keyword argument or ``amp_level``.

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
        if optimizer is not None and not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"For 'Model', 'optimizer' must be an Optimizer or None, but got {type(optimizer).__name__}."
            )
        check_amp_kwargs(kwargs)
        self._amp_level = check_level(amp_level, boost_level)
        amp_set = {k: kwargs[k] for k in ("loss_scale_manager", "keep_batchnorm_fp32") if k in kwargs}
        self._amp_config = dict(level_config(self._amp_level), **amp_set)
        manager = self._amp_config["loss_scale_manager"]
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
        cast_fp32 = self._amp_level in ("O2", "O3", "auto")
        self._eval_network = eval_network or (
            WithEvalCell(network, loss_fn, cast_fp32) if metrics is not None else None
        )
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
        network = prepare_network(self._network, self._amp_config, self._amp_level)
        cast_type = self._amp_config["cast_model_type"]
        with_loss = add_loss_network(network, self._loss_fn, cast_type) if self._loss_fn is not None else network
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
        _check_epochs("Model.train", epoch, initial_epoch)
        cbs = _check_run_args("Model.train", "train_dataset", train_dataset, callbacks)
        self._train(epoch, train_dataset, cbs, dataset_sink_mode, initial_epoch)

    def fit(
        self,
        epoch: int,
        train_dataset: Any,
        valid_dataset: Any = None,
        valid_frequency: int | list[int] = 1,
        callbacks: Callback | list[Callback] | None = None,
        dataset_sink_mode: bool = False,
        valid_dataset_sink_mode: bool = False,
        sink_size: int = -1,
        initial_epoch: int = 0,
    ) -> None:
        """Train, and evaluate on ``valid_dataset`` after every ``valid_frequency``-th epoch.

        Args:
            epoch: the last epoch (``initial_epoch`` counts as done).
            train_dataset: the training batches.
            valid_dataset: the evaluation batches; None trains only.
            valid_frequency: evaluate after epochs divisible by this int, or after the
                epochs (1-based) in this list.
            callbacks: called with ``on_train_*`` hooks, and (except minispore's own
                callbacks, TimeMonitor aside) with ``on_eval_*`` hooks during evaluation.
            dataset_sink_mode: accepted; minispore always feeds from Python.
            valid_dataset_sink_mode: accepted, likewise.
            sink_size: accepted, likewise (``-1`` or positive).
            initial_epoch: epochs already done.

        After each evaluation, ``run_context.original_args()`` holds ``metrics`` and
        ``eval_results`` (the metrics plus ``eval_loss``) until ``on_train_epoch_end`` returns;
        ``LossMonitor`` prints them.

        Raises:
            TypeError: ``valid_frequency`` is not an int or a list; a flag is not a bool.
            ValueError: ``valid_dataset`` without ``metrics``; a custom callback defines the
                old hook names (``step_end``, …) that ``fit`` does not allow; ``epoch``,
                ``initial_epoch`` or ``sink_size`` out of range.

        Example:
            >>> import numpy as np
            >>> import minispore as ms
            >>> from minispore import nn
            >>> x = np.ones((4, 2), np.float32); y = np.array([0, 1, 0, 1], np.int32)
            >>> data = ms.dataset.NumpySlicesDataset((x, y), column_names=["x", "y"], shuffle=False).batch(2)
            >>> net = nn.Dense(2, 2)
            >>> model = ms.train.Model(net, nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean"),
            ...                        nn.Momentum(net.trainable_params(), 0.1, 0.9), metrics={"accuracy"})
            >>> model.fit(2, data, data, callbacks=[ms.train.LossMonitor(0)])
            Eval result: epoch 1, metrics: {'accuracy': 0.5}
            Eval result: epoch 2, metrics: {'accuracy': 0.5}
        """
        if self._train_network is None:
            raise RuntimeError("For 'Model.fit', the Model needs an 'optimizer'; pass one to Model(...).")
        for name, flag in (
            ("dataset_sink_mode", dataset_sink_mode),
            ("valid_dataset_sink_mode", valid_dataset_sink_mode),
        ):
            if not isinstance(flag, bool):
                raise TypeError(f"For 'Model.fit', '{name}' must be a bool, but got {type(flag).__name__}.")
        if isinstance(sink_size, bool) or not isinstance(sink_size, int) or sink_size < -1 or sink_size == 0:
            raise ValueError(f"For 'Model.fit', 'sink_size' must be -1 or a positive int, but got {sink_size!r}.")
        _check_epochs("Model.fit", epoch, initial_epoch)
        if isinstance(valid_frequency, bool) or not isinstance(valid_frequency, int | list):
            raise TypeError(
                "For 'Model.fit', the type of 'valid_frequency' must be a list or an integer, "
                f"but got {type(valid_frequency).__name__}."
            )
        if valid_dataset is not None and not self._metrics:
            raise ValueError(
                "For 'Model.fit', a 'valid_dataset' needs the Model's 'metrics', "
                "e.g. Model(net, loss, opt, metrics={'accuracy'})."
            )
        cbs = _check_run_args("Model.fit", "train_dataset", train_dataset, callbacks)
        if valid_dataset is not None:
            _check_run_args("Model.fit", "valid_dataset", valid_dataset, None)
        check_fit_callbacks(callbacks)
        self._train(epoch, train_dataset, cbs, dataset_sink_mode, initial_epoch, (valid_dataset, valid_frequency))

    def _train(
        self,
        epoch: int,
        train_dataset: Any,
        cbs: CallbackList,
        dataset_sink_mode: bool,
        initial_epoch: int,
        validation: tuple[Any, int | list[int]] | None = None,
    ) -> None:
        """MindSpore's loop: ``cur_step_num`` counts from 0 and ``epoch_num`` is
        ``epoch - initial_epoch``, whatever ``initial_epoch`` is."""
        params = CallbackParams(
            train_network=self._train_network,
            network=self._network,
            optimizer=self._optimizer,
            loss_fn=self._loss_fn,
            train_dataset=train_dataset,
            epoch_num=epoch - initial_epoch,
            batch_num=_dataset_size(train_dataset),
            cur_step_num=0,
            net_outputs=None,
            mode="train",
            dataset_sink_mode=dataset_sink_mode,
            list_callback=cbs.callbacks,
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
            if validation is not None and validation[0] is not None and due(ep + 1, validation[1]):
                self._eval_in_fit(validation[0], cbs, params)
            cbs.on_train_epoch_end(context)
            params.pop("metrics", None)
            params.pop("eval_results", None)
            if context.get_stop_requested():
                break
        cbs.on_train_end(context)

    def _eval_in_fit(self, valid_dataset: Any, cbs: CallbackList, params: CallbackParams) -> None:
        """Evaluate inside ``fit`` with the training run's parameters, then restore them."""
        saved = {key: params[key] for key in ("cur_step_num", "batch_num", "net_outputs")}
        params.update(eval_network=self._eval_network, valid_dataset=valid_dataset)
        self._evaluate(valid_dataset, CallbackList(eval_callbacks(cbs.callbacks)), params, add_eval_loss=True)
        self._network.set_train(True)
        params.update(saved, mode="train")

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
    ) -> dict[str, Any]:
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
        cbs = _check_run_args("Model.eval", "valid_dataset", valid_dataset, callbacks)
        params = CallbackParams(network=self._network, eval_network=self._eval_network, valid_dataset=valid_dataset)
        was_training = self._network.training
        try:
            return self._evaluate(valid_dataset, cbs, params, add_eval_loss=False)
        finally:
            self._network.set_train(was_training)

    def _evaluate(
        self, valid_dataset: Any, cbs: CallbackList, params: CallbackParams, add_eval_loss: bool
    ) -> dict[str, Any]:
        """MindSpore's evaluation pass: hooks, metrics after ``on_eval_epoch_end``, before ``on_eval_end``."""
        assert self._eval_network is not None
        for metric in self._metrics.values():
            metric.clear()
        eval_loss = Loss()
        params.update(batch_num=_dataset_size(valid_dataset), cur_step_num=0, net_outputs=None, mode="eval")
        context = RunContext(params)
        self._network.set_train(False)
        cbs.on_eval_begin(context)
        cbs.on_eval_epoch_begin(context)
        with no_grad():
            for batch in _EpochBatches(valid_dataset, 1).epoch():
                params.cur_step_num += 1
                cbs.on_eval_step_begin(context)
                outputs = self._eval_network(*batch)
                params.net_outputs = outputs
                cbs.on_eval_step_end(context)
                self._update_metrics(outputs)
                if add_eval_loss:
                    eval_loss.update(outputs[(self._eval_indexes or [0])[0]])
                if context.get_stop_requested():
                    break
        cbs.on_eval_epoch_end(context)
        metrics = {name: metric.eval() for name, metric in self._metrics.items()}
        params.metrics = metrics
        if add_eval_loss:
            params.eval_results = {**metrics, "eval_loss": eval_loss.eval()}
        cbs.on_eval_end(context)
        return metrics

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
