"""``load_param_into_net``: copy a ``{name: Parameter}`` dict into a Cell's parameters."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from minispore.common.parameter import Parameter
from minispore.common.validation import check_bool
from minispore.nn.cell import Cell
from minispore.train.serialization._values import HostArray

_API = "load_param_into_net"
_logger = logging.getLogger("minispore")


def load_param_into_net(
    net: Cell,
    parameter_dict: Mapping[str, Parameter | str],
    strict_load: bool = False,
    remove_redundancy: bool = False,
) -> tuple[list[str], list[str]]:
    """Set each parameter of ``net`` from the entry of ``parameter_dict`` with its name.

    Every entry is checked before any parameter changes, so on error ``net`` is untouched.
    Values are written into each parameter's existing storage, so an optimizer's moments
    and parameters stay inside its fused buffers and training resumes exactly.

    With ``strict_load=False`` (MindSpore's default) two relaxations apply: a float entry
    loads into a float parameter of another width (an int into an int) by casting, and
    parameters not found by name are looked up under a common prefix, so
    ``backbone.fc.weight`` in the dict loads into ``fc.weight``. A stored shape that is the
    parameter's shape followed by 1s (``(2, 3, 1, 1)`` for ``(2, 3)``) is reshaped.

    Args:
        net: the Cell to load into (an optimizer loads its ``global_step``, learning rate,
            ``momentum`` and ``moments.*`` too).
        parameter_dict: ``{name: Parameter}``, as :func:`load_checkpoint` returns. ``str``
            entries (saved from ``append_dict``) are skipped.
        strict_load: require exact names and dtypes.
        remove_redundancy: must be False: deduplicated checkpoints exist only in parallel
            training.

    Returns:
        ``(params_not_loaded, ckpt_not_loaded)``: the names of ``net``'s parameters that
        the dict did not provide (even with ``strict_load=True`` these are reported, not
        raised), and the dict's keys that went into no parameter.

    Raises:
        RuntimeError: a shape or dtype does not match; the message names the parameter
            and both shapes (or dtypes).
        ValueError: a cast allowed by ``strict_load=False`` would change a value (an int64
            step count beyond the int32 range, a float64 beyond the float32 range).
        TypeError: ``net`` is not a Cell, ``parameter_dict`` is not a dict of Parameters,
            or ``remove_redundancy`` is True.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore import nn
        >>> class Net(nn.Cell):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.weight = ms.Parameter(np.zeros(2, np.float32))
        ...         self.bias = ms.Parameter(np.zeros(1, np.float32))
        >>> net = Net()
        >>> params = {"weight": ms.Parameter(np.ones(2, np.float32), name="weight"),
        ...           "extra": ms.Parameter(np.ones(1, np.float32), name="extra")}
        >>> ms.load_param_into_net(net, params)
        (['bias'], ['extra'])
        >>> net.weight.asnumpy()
        array([1., 1.], dtype=float32)
    """
    _check_arguments(net, parameter_dict)
    check_bool(_API, "strict_load", strict_load)
    check_bool(_API, "remove_redundancy", remove_redundancy)
    if remove_redundancy:
        raise TypeError(
            "The deduplication feature for loading checkpoint can only be used in parallel scenarios, but got "
            "stand_alone. Pass remove_redundancy=False."
        )
    tensors = {k: v for k, v in parameter_dict.items() if isinstance(v, Parameter)}
    params = [p for _, p in net.parameters_and_names()]
    plan = [(p, p.name) for p in params if p.name in tensors]
    not_loaded = [p.name for p in params if p.name not in parameter_dict and not p.name.startswith("accu_grads")]
    if not_loaded and not strict_load:
        plan.extend(_prefixed_matches(params, tensors, not_loaded))
    values = [(p, _converted(p, tensors[key], strict_load)) for p, key in plan]
    for param, value in values:
        param.set_data(value)
    used = {key for _, key in plan}
    if not_loaded:
        _logger.warning(
            "For '%s', %d parameters in the 'net' are not loaded, because they are not in the 'parameter_dict': %s",
            _API,
            len(not_loaded),
            not_loaded,
        )
    return not_loaded, [k for k in parameter_dict if k not in used]


def _check_arguments(net: Any, parameter_dict: Any) -> None:
    if not isinstance(net, Cell):
        raise TypeError(f"For '{_API}', the argument 'net' should be a Cell, but got {type(net).__name__}.")
    if not isinstance(parameter_dict, Mapping):
        raise TypeError(
            f"For '{_API}', the argument 'parameter_dict' should be a dict, but got {type(parameter_dict).__name__}."
        )
    for key, value in parameter_dict.items():
        if not isinstance(key, str) or not isinstance(value, Parameter | str):
            raise TypeError(
                f"For '{_API}', 'parameter_dict' must map str to Parameter, but got {type(key).__name__}: "
                f"{type(value).__name__} for {key!r}. Wrap arrays as ms.Parameter(array, name=key)."
            )


def _prefixed_matches(
    params: list[Parameter], tensors: Mapping[str, Parameter], not_loaded: list[str]
) -> Iterator[tuple[Parameter, str]]:
    """MindSpore's fallback: strip a prefix common to the dict's keys, one prefix at a time.

    Takes the first dict key ending with a not-loaded name, treats what precedes that name
    as a prefix, matches every not-loaded parameter under it, and repeats. Matched names
    are removed from ``not_loaded`` as they are yielded.
    """
    while True:
        prefix = next((k[: -len(n)] for n in not_loaded for k in tensors if n and k.endswith(n)), None)
        if prefix is None:
            return
        for p in params:
            if p.name in not_loaded and prefix + p.name in tensors:
                not_loaded.remove(p.name)
                yield p, prefix + p.name


def _converted(param: Parameter, new: Parameter, strict_load: bool) -> HostArray:
    """``new``'s value as ``param`` will hold it.

    Raises:
        RuntimeError: the shapes differ (beyond trailing 1s), or the dtypes differ and may
            not be cast (``strict_load``, or float against int).
    """
    value = new.asnumpy()
    shape, want = param.shape, param.dtype.np_dtype
    if value.shape != shape:
        tail = value.shape[len(shape) :]
        if value.shape[: len(shape)] != shape or not tail or any(d != 1 for d in tail):
            raise RuntimeError(
                f"For '{_API}', {param.name} in the argument 'net' should have the same shape as {param.name} in "
                f"the argument 'parameter_dict'. But got its shape {shape} in the argument 'net' and shape "
                f"{value.shape} in the argument 'parameter_dict'. Check that the checkpoint belongs to this network "
                "(layer sizes, number of classes)."
            )
        value = value.reshape(shape)
    if value.dtype != want:
        kinds = {value.dtype.kind, np.dtype(want).kind}
        if strict_load or kinds not in ({"f"}, {"i"}):
            raise RuntimeError(
                f"For '{_API}', {param.name} in the argument 'net' should have the same type as {param.name} in the "
                f"argument 'parameter_dict'. But got its type {param.dtype} in the argument 'net' and type "
                f"{new.dtype} in the argument 'parameter_dict'. Cast the entry (or pass strict_load=False to cast "
                "between float widths or int widths)."
            )
        _check_fits(param, new, value)
        _logger.warning("For '%s', %s is converted from %s to %s.", _API, param.name, new.dtype, param.dtype)
        value = value.astype(want)
    return value


def _check_fits(param: Parameter, new: Parameter, value: HostArray) -> None:
    """Refuse a narrowing cast that would change a value: an int that wraps, a finite float that overflows.

    Raises:
        ValueError: names the parameter, both dtypes and the first value that does not fit.
    """
    want = np.dtype(param.dtype.np_dtype)
    if value.size == 0 or np.can_cast(value.dtype, want, casting="safe"):
        return
    if want.kind == "i":
        info = np.iinfo(want)
        bad = (value < info.min) | (value > info.max)
        limits = f"[{info.min}, {info.max}]"
    else:
        largest = float(np.finfo(want).max)
        bad = np.isfinite(value) & (np.abs(value) > largest)
        limits = f"[-{largest:g}, {largest:g}]"
    if bad.any():
        raise ValueError(
            f"For '{_API}', {param.name} in the argument 'parameter_dict' holds {value[bad].flat[0].item()!r}, which "
            f"does not fit the {param.dtype} of {param.name} in the argument 'net' (range {limits}); casting "
            f"from {new.dtype} would change it. Check that the checkpoint belongs to this network and is not damaged."
        )
