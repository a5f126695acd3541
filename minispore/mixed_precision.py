"""Automatic mixed precision: MindSpore's ``auto_mixed_precision``, ``custom_mixed_precision``
and ``build_train_network`` (``mindspore/train/amp.py``), re-exported from ``minispore.amp``.

Everything rests on :meth:`Cell.to_float`: a flagged cell casts the floating-point inputs of
each of its operations, parameters included, at call time. Parameters, optimizer moments
and gradients stay float32; there is no float16 master copy. The levels:

* ``O0``: the network unchanged.
* ``O1``: each cell whose class is in :func:`get_white_list` runs in float16 and hands
  float32 on (``to_float(float16)`` plus a cast of its output).
* ``O2``: the whole network in float16, except the cells of :func:`get_black_list`
  (BatchNorm), which run in float32 and hand float16 on; the output is cast to float32.
* ``O3``: the whole network in float16, the output cast to float32.
* ``auto``: per operation: matrix products and convolutions in float16, exp, log, pow and
  sums in float32, everything else in the dtype its inputs promote to (see
  :mod:`minispore.precision`); the output may be float16.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minispore.common import dtype as mstype
from minispore.common.tensor import Tensor
from minispore.nn.cell import Cell
from minispore.nn.layer import BatchNorm2d, Conv2d, Dense
from minispore.nn.optim.optimizer import Optimizer
from minispore.nn.wrap import TrainOneStepCell, TrainOneStepWithLossScaleCell, WithLossCell
from minispore.nn.wrap.cell_wrapper import AmpWithLossCell, float32_outputs
from minispore.ops.array import cast
from minispore.precision import Precision

if TYPE_CHECKING:
    from minispore.amp import LossScaleManager

AMP_LEVELS = ("O0", "O1", "O2", "O3", "auto")

_WHITE_LIST: list[type[Cell]] = [Conv2d, Dense]
"""MindSpore's O1 list, restricted to the layers minispore has (its other entries are
``Conv1d/3d``, the transposed convolutions, the RNN cells, and primitives such as
``P.MatMul`` and ``P.ReLU``, which have no minispore class)."""

_BLACK_LIST: list[type[Cell]] = [BatchNorm2d]
"""MindSpore's O2 list (``BatchNorm1d/2d/3d``, ``LayerNorm``), restricted likewise."""


def get_white_list() -> list[type[Cell]]:
    """A copy of the cell classes that ``O1`` runs in float16.

    Example:
        >>> from minispore import amp, nn
        >>> nn.Dense in amp.get_white_list()
        True
    """
    return list(_WHITE_LIST)


def get_black_list() -> list[type[Cell]]:
    """A copy of the cell classes that ``O2`` keeps in float32.

    Example:
        >>> from minispore import amp, nn
        >>> amp.get_black_list() == [nn.BatchNorm2d]
        True
    """
    return list(_BLACK_LIST)


class _OutputTo16(Cell):
    """Run ``backbone`` and cast its output to ``dtype`` (wraps a float32 black-list cell)."""

    def __init__(self, backbone: Cell, dtype: mstype.DType = mstype.float16) -> None:
        super().__init__(auto_prefix=False)
        self._backbone = backbone
        self.dtype = dtype

    def construct(self, *args: Any, **kwargs: Any) -> Tensor:
        return cast(self._backbone(*args, **kwargs), self.dtype)


class _OutputTo32(Cell):
    """Run ``backbone`` and cast its floating-point outputs to float32."""

    def __init__(self, backbone: Cell) -> None:
        super().__init__(auto_prefix=False)
        self._backbone = backbone
        self._amp_level = backbone._amp_level

    def construct(self, *args: Any, **kwargs: Any) -> Any:
        return float32_outputs(self._backbone(*args, **kwargs))


def _replace_child(parent: Cell, name: str, child: Cell) -> None:
    """Swap a child in place, keeping its parameters' names (``Cell.__setattr__`` would prefix them)."""
    object.__setattr__(parent, name, child)
    parent._cells[name] = child


def _auto_black_list(network: Cell, black_list: list[type[Cell]], dtype: mstype.DType) -> Cell:
    """``network`` in ``dtype``, each cell of ``black_list`` in float32 with its output cast to ``dtype``."""
    network.to_float(dtype)
    for name, sub in network.name_cells().items():
        if sub is network:
            continue
        if isinstance(sub, tuple(black_list)):
            _replace_child(network, name, _OutputTo16(sub.to_float(mstype.float32), dtype))
        else:
            _auto_black_list(sub, black_list, dtype)
    return network


def _auto_white_list(network: Cell, white_list: list[type[Cell]], dtype: mstype.DType) -> Cell:
    """Each cell of ``white_list`` inside ``network`` in ``dtype`` with its output cast to float32.

    MindSpore inserts the same casts by rewriting the network's source; the numbers agree.
    """
    if isinstance(network, tuple(white_list)):
        return _OutputTo32(network.to_float(dtype))
    for name, sub in network.name_cells().items():
        if isinstance(sub, tuple(white_list)):
            _replace_child(network, name, _OutputTo32(sub.to_float(dtype)))
        else:
            _auto_white_list(sub, white_list, dtype)
    return network


def _check_dtype(dtype: Any) -> mstype.DType:
    if not isinstance(dtype, mstype.DType) or dtype != mstype.float16:
        raise ValueError(
            f"The dtype should be one of (mstype.float16, mstype.bfloat16), but got {dtype}. "
            "(minispore has no bfloat16 dtype yet: use mstype.float16.)"
        )
    return dtype


def auto_mixed_precision(network: Cell, amp_level: str = "O0", dtype: mstype.DType = mstype.float16) -> Cell:
    """The network prepared for mixed precision at ``amp_level`` (see the module docstring).

    ``O2`` and ``O3`` flag the network in place and return a wrapper whose output is
    float32; afterwards the network itself returns float16. Parameters stay float32.

    Args:
        network: the network.
        amp_level: ``'O0'``, ``'O1'``, ``'O2'``, ``'O3'`` or ``'auto'``.
        dtype: the low precision, ``ms.float16``.

    Returns:
        The prepared network (``network`` itself for ``O0``, ``O1`` and ``auto``).

    Raises:
        TypeError: ``network`` is not a Cell.
        ValueError: an unknown ``amp_level`` or a ``dtype`` other than float16.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore import nn
        >>> net = nn.SequentialCell(nn.Dense(4, 3), nn.ReLU())
        >>> amp_net = ms.amp.auto_mixed_precision(net, "O3")
        >>> x = ms.Tensor(np.ones((2, 4), np.float32))
        >>> amp_net(x).dtype, net(x).dtype, net[0].weight.dtype
        (Float32, Float16, Float32)
    """
    if not isinstance(network, Cell):
        raise TypeError(f"For amp_level '{amp_level}', the network type should be Cell.")
    _check_dtype(dtype)
    if amp_level == "O0":
        return network
    if amp_level == "O1":
        network = _auto_white_list(network, _WHITE_LIST, dtype)
    elif amp_level == "auto":
        network._mixed_precision = Precision(dtype.np_dtype, per_operation=True)
    elif amp_level == "O2":
        network = _OutputTo32(_auto_black_list(network, _BLACK_LIST, dtype))
    elif amp_level == "O3":
        network = _OutputTo32(network.to_float(dtype))
    else:
        raise ValueError(f"The amp level {amp_level} is not supported")
    network._amp_level = amp_level
    return network


def _list_check(custom_list: Any, list_name: str) -> list[type[Cell]]:
    if not isinstance(custom_list, list):
        raise TypeError(f"The type of {list_name} should be list, but got {type(custom_list)}")
    for elem in custom_list:
        if not isinstance(elem, type):
            raise TypeError(f"The element in {list_name} should be a class, but got {elem}")
        if not issubclass(elem, Cell):
            raise TypeError(f"The subclass of element in {list_name} should be one of 'Cell', but got {elem}")
    return custom_list


def custom_mixed_precision(
    network: Cell,
    *,
    white_list: list[type[Cell]] | None = None,
    black_list: list[type[Cell]] | None = None,
    dtype: mstype.DType = mstype.float16,
) -> Cell:
    """Mixed precision from your own list: exactly one of ``white_list`` and ``black_list``.

    With ``white_list``, the cells of those classes run in ``dtype`` and hand float32 on
    (like ``O1``). With ``black_list``, everything else runs in ``dtype``, the listed cells
    in float32, and the output is cast to float32 (like ``O2``).

    Raises:
        TypeError: ``network`` is not a Cell, a list is not a list of Cell classes.
        ValueError: neither or both lists, or a ``dtype`` other than float16.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> net = nn.SequentialCell(nn.Dense(4, 3), nn.ReLU())
        >>> net = ms.amp.custom_mixed_precision(net, white_list=[nn.Dense])
        >>> net(ms.ops.ones((1, 4))).dtype
        Float32
    """
    if not isinstance(network, Cell):
        raise TypeError("The network type should be Cell.")
    if white_list is None and black_list is None:
        raise ValueError("For custom_mixed_precision, one of white_list and black_list must be provided.")
    if white_list is not None and black_list is not None:
        raise ValueError(
            "For custom_mixed_precision, the white_list or black_list cannot be provided at the same time, "
            "please provide one or the other."
        )
    _check_dtype(dtype)
    if white_list is not None:
        return _auto_white_list(network, _list_check(white_list, "white_list"), dtype)
    assert black_list is not None
    return _OutputTo32(_auto_black_list(network, _list_check(black_list, "black_list"), dtype))


def level_config(level: str) -> dict[str, Any]:
    """MindSpore's defaults of a level: ``keep_batchnorm_fp32``, ``cast_model_type``, ``loss_scale_manager``.

    ``O2`` gets a new ``DynamicLossScaleManager(2**24, 2, 2000)`` each time (MindSpore
    shares one instance between all networks).
    """
    from minispore.amp import DynamicLossScaleManager

    o2 = level == "O2"
    return {
        "keep_batchnorm_fp32": o2,
        "cast_model_type": mstype.float16 if level in ("O2", "O3") else mstype.float32,
        "loss_scale_manager": DynamicLossScaleManager() if o2 else None,
    }


def check_level(level: Any, boost_level: Any) -> str:
    """``level`` if it is one of :data:`AMP_LEVELS` and ``boost_level`` one of O0/O1/O2.

    Raises:
        TypeError: ``level`` is not a str.
        ValueError: either is out of range.
    """
    if not isinstance(level, str):
        raise TypeError(
            f"The argument `level` must be a string in ['O0', 'O1', 'O2', 'O3', 'auto'],but got type {type(level)}."
        )
    if level not in AMP_LEVELS:
        raise ValueError(f"The 'level' should be in : {list(AMP_LEVELS)}, but got {level}.")
    if boost_level not in ("O0", "O1", "O2"):
        raise ValueError(f"The 'boost_level' should be in : ['O0', 'O1', 'O2'], but got {boost_level}.")
    return level


def check_amp_kwargs(kwargs: dict[str, Any]) -> None:
    """Validate the types of the mixed-precision keyword arguments present in ``kwargs``.

    Raises:
        TypeError: ``cast_model_type`` not float16/float32, ``keep_batchnorm_fp32`` not a
            bool, ``loss_scale_manager`` not a LossScaleManager.
    """
    from minispore.amp import LossScaleManager

    if "cast_model_type" in kwargs and kwargs["cast_model_type"] not in (mstype.float16, mstype.float32):
        raise TypeError(
            f"For 'cast_model_type', the type of 'cast_model_type' should be in ['Float16', 'Float32'], "
            f"but got {kwargs['cast_model_type']}."
        )
    if "keep_batchnorm_fp32" in kwargs and not isinstance(kwargs["keep_batchnorm_fp32"], bool):
        raise TypeError(
            "The type of 'keep_batchnorm_fp32' should be 'bool', but got type "
            f"'{type(kwargs['keep_batchnorm_fp32']).__name__}'."
        )
    manager = kwargs.get("loss_scale_manager")
    if manager is not None and not isinstance(manager, LossScaleManager):
        raise TypeError(
            f"The type of 'loss_scale_manager' should be 'LossScaleManager', but got type '{type(manager).__name__}'."
        )


def prepare_network(network: Cell, config: dict[str, Any], level: str) -> Cell:
    """Apply a level's casts as ``build_train_network`` does (MindSpore's ``_auto_mixed_precision_process``).

    With ``cast_model_type=float16`` the network is flagged in place and returns float16
    (no output cast: the loss cell casts); otherwise :func:`auto_mixed_precision` applies.
    """
    if config["cast_model_type"] == mstype.float16:
        if config["keep_batchnorm_fp32"]:
            return _auto_black_list(network, _BLACK_LIST, mstype.float16)
        return network.to_float(mstype.float16)
    if not config["keep_batchnorm_fp32"] and level == "O2":
        return network.to_float(mstype.float16)
    if config["cast_model_type"] == mstype.float32 and level in ("O2", "O3"):
        return network
    return auto_mixed_precision(network, level)


def add_loss_network(network: Cell, loss_fn: Cell, cast_model_type: mstype.DType) -> Cell:
    """``loss_fn(network(data), label)``, casting output and label to float32 for float16 networks."""
    if not isinstance(loss_fn, Cell):
        raise TypeError(f"The type of 'loss_fn' should be 'Cell', but got type '{type(loss_fn).__name__}'.")
    if cast_model_type == mstype.float16 or network._amp_level in ("O2", "O3", "auto"):
        return AmpWithLossCell(network, loss_fn)
    return WithLossCell(network, loss_fn)


def build_train_network(
    network: Cell,
    optimizer: Optimizer,
    loss_fn: Cell | None = None,
    level: str = "O0",
    boost_level: str = "O0",
    **kwargs: Any,
) -> Cell:
    """One training step with the loss, mixed precision at ``level`` and loss scaling.

    Args:
        network: the network (with ``loss_fn=None``, a Cell that returns the loss).
        optimizer: the optimizer.
        loss_fn: the loss Cell.
        level: ``'O0'``, ``'O1'``, ``'O2'``, ``'O3'`` or ``'auto'``; it sets the defaults
            of ``keep_batchnorm_fp32``, ``cast_model_type`` and ``loss_scale_manager``
            (O2: True, float16, ``DynamicLossScaleManager()``).
        boost_level: validated; minispore has no boost mode.
        **kwargs: ``cast_model_type``, ``keep_batchnorm_fp32``, ``loss_scale_manager``.

    Unlike MindSpore's CPU build, which refuses any manager but
    ``FixedLossScaleManager(drop_overflow_update=False)``, every manager runs here.

    Raises:
        TypeError: ``optimizer`` is not an Optimizer, or a kwarg of the wrong type.
        ValueError: an unknown ``level`` or kwarg.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> net = nn.Dense(4, 2)
        >>> opt = nn.Momentum(net.trainable_params(), 0.01, 0.9)
        >>> step = ms.amp.build_train_network(net, opt, nn.MSELoss(), level="O3")
        >>> type(step).__name__
        'TrainOneStepCell'
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"The type of 'optimizer' should be 'Optimizer', but got type '{type(optimizer).__name__}'.")
    level = check_level(level, boost_level)
    for arg in kwargs:
        if arg not in ("cast_model_type", "keep_batchnorm_fp32", "loss_scale_manager"):
            raise ValueError(f"Unsupported arg '{arg}'")
    check_amp_kwargs(kwargs)
    config = dict(level_config(level), **kwargs)
    network = prepare_network(network, config, level)
    if loss_fn is not None:
        network = add_loss_network(network, loss_fn, config["cast_model_type"])
    manager: LossScaleManager | None = config["loss_scale_manager"]
    if manager is None:
        return TrainOneStepCell(network, optimizer).set_train()
    update_cell = manager.get_update_cell()
    if update_cell is None:
        return TrainOneStepCell(network, optimizer, sens=manager.get_loss_scale()).set_train()
    return TrainOneStepWithLossScaleCell(network, optimizer, update_cell).set_train()
