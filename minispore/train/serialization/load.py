"""``load_checkpoint``: read a ``.ckpt`` or safetensors file into ``{name: Parameter}``."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from typing import Any

from minispore.common.parameter import Parameter
from minispore.common.validation import check_bool
from minispore.nn.cell import Cell
from minispore.train.serialization._args import check_format, check_no_key
from minispore.train.serialization._ckpt import read_ckpt
from minispore.train.serialization._safetensors import read_safetensors
from minispore.train.serialization._values import NameFilter
from minispore.train.serialization.into_net import load_param_into_net

_API = "load_checkpoint"


def load_checkpoint(
    ckpt_file_name: str | os.PathLike[str] | io.BufferedIOBase | io.BytesIO,
    net: Cell | None = None,
    strict_load: bool = False,
    filter_prefix: str | Sequence[str] | None = None,
    dec_key: bytes | None = None,
    dec_mode: str = "AES-GCM",
    specify_prefix: str | Sequence[str] | None = None,
    choice_func: Callable[[str], bool] | None = None,
    crc_check: bool = False,
    remove_redundancy: bool = False,
    format: str = "ckpt",
) -> dict[str, Parameter | str]:
    """Read a MindSpore ``.ckpt`` or ``.safetensors`` file, and optionally load it into ``net``.

    Nothing is unpickled or executed: ``.ckpt`` is parsed as MindSpore's protobuf schema by
    minispore's own decoder, safetensors by the ``safetensors`` package. Every length, dtype
    and shape is checked, so a truncated or damaged file raises ValueError naming the file
    and the fault. A file cut exactly between two parameters still parses (the format has
    no end marker); save with ``crc_check=True`` and load with ``crc_check=True`` to detect
    that too. A CRC trailer, when present, is always verified.

    Args:
        ckpt_file_name: the file (its name must end with ``.ckpt`` or ``.safetensors``
            to match ``format``), or a binary stream such as ``io.BytesIO``.
        net: if given, the parameters are loaded into it with :func:`load_param_into_net`.
        strict_load: passed to :func:`load_param_into_net`.
        filter_prefix: skip names starting with this prefix (or any of these prefixes).
        dec_key: must be None: minispore does not decrypt checkpoints.
        dec_mode: accepted for compatibility; unused without ``dec_key``.
        specify_prefix: load only names starting with this prefix (or any of these).
        choice_func: load only names it returns True for; ignored when ``filter_prefix``
            or ``specify_prefix`` is given, as in MindSpore.
        crc_check: require a CRC: a file without one (saved without ``crc_check=True``,
            or cut short, which drops the CRC trailer) raises ValueError. A CRC that is
            present is verified either way.
        remove_redundancy: passed to :func:`load_param_into_net`.
        format: ``'ckpt'`` or ``'safetensors'``.

    Returns:
        ``{name: Parameter}`` in file order (sorted by name for safetensors, which MindSpore
        reads that way), dtypes as stored (an optimizer's ``global_step`` is Int32). Strings
        saved through ``append_dict`` come back as ``str``.

    Raises:
        ValueError: ``format`` is invalid or does not match the file name; the file is
            missing, truncated, corrupt or holds an unsupported dtype; nothing is left to load.
        TypeError: an argument has the wrong type.
        NotImplementedError: ``dec_key`` is given.
        ImportError: ``format='safetensors'`` without the ``safetensors`` package.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore import nn
        >>> w = ms.Parameter(np.ones(2, np.float32), name="w")
        >>> opt = nn.Momentum([w], learning_rate=0.1, momentum=0.9)
        >>> path = os.path.join(tempfile.mkdtemp(), "opt.ckpt")
        >>> ms.save_checkpoint(opt, path)
        >>> params = ms.load_checkpoint(path)
        >>> list(params)
        ['global_step', 'learning_rate', 'w', 'momentum', 'moments.w']
        >>> params["global_step"]
        Parameter (name=global_step, shape=(1,), dtype=Int32, requires_grad=True)
    """
    specify = _check_prefix(specify_prefix, "specify_prefix")
    skip = _check_prefix(filter_prefix, "filter_prefix")
    check_no_key(dec_key, dec_mode, "dec_key", "dec_mode", _API)
    check_bool(_API, "crc_check", crc_check)
    check_bool(_API, "remove_redundancy", remove_redundancy)
    format = check_format(format, _API)
    source, data = _read(ckpt_file_name, format)
    keep = _name_filter(specify, skip, choice_func)
    read = read_ckpt if format == "ckpt" else read_safetensors
    params: dict[str, Parameter | str] = {}
    for name, value in read(data, source, crc_check, keep):
        params[name] = value if isinstance(value, str) else Parameter(value, name=name)
    if not params:
        raise ValueError(
            f"For '{_API}', no parameter is left to load from {source}: the file is empty, or 'filter_prefix', "
            "'specify_prefix' or 'choice_func' rejected every name."
        )
    if net is not None:
        load_param_into_net(net, params, strict_load, remove_redundancy)
    return params


def _check_prefix(prefix: Any, name: str) -> tuple[str, ...]:
    if prefix is None:
        return ()
    items = (prefix,) if isinstance(prefix, str) else prefix
    if not isinstance(items, list | tuple) or not all(isinstance(p, str) for p in items):
        raise TypeError(f"For '{_API}', '{name}' must be a str or a list/tuple of str, but got {prefix!r}.")
    if not items or "" in items:
        raise ValueError(f"For '{_API}', '{name}' must not be empty or contain '', but got {prefix!r}.")
    return tuple(items)


def _name_filter(specify: tuple[str, ...], skip: tuple[str, ...], choice_func: NameFilter | None) -> NameFilter:
    if specify or skip:
        return lambda name: (not specify or name.startswith(specify)) and not (skip and name.startswith(skip))
    return choice_func or (lambda _: True)


def _read(file: Any, format: str) -> tuple[str, bytes]:
    """``(description for errors, bytes)`` of a path or a binary stream."""
    if isinstance(file, io.IOBase):
        data = file.read()
        if not isinstance(data, bytes):
            raise TypeError(f"For '{_API}', the stream 'ckpt_file_name' must be binary (such as io.BytesIO).")
        return f"the {type(file).__name__} stream", data
    raw = os.fspath(file) if isinstance(file, str | os.PathLike) else None
    if not isinstance(raw, str):
        raise TypeError(
            f"For '{_API}', 'ckpt_file_name' must be a str path or a binary stream, but got {type(file).__name__}."
        )
    if not raw.endswith(f".{format}"):
        other = "safetensors" if format == "ckpt" else "ckpt"
        hint = f" pass format='{other}'" if raw.endswith(f".{other}") else f" name the file '*.{format}'"
        raise ValueError(
            f"For '{_API}', the file name must end with '.{format}' to match format='{format}', but got "
            f"'{raw}'. To read it,{hint}."
        )
    path = os.path.realpath(raw)
    if not os.path.exists(path):
        raise ValueError(f"For '{_API}', the checkpoint file {path} does not exist; check 'ckpt_file_name'.")
    if not os.path.isfile(path):  # checked before opening: opening a FIFO would block
        kind = "a directory" if os.path.isdir(path) else "not a regular file (a FIFO, socket or device)"
        raise ValueError(f"For '{_API}', 'ckpt_file_name' must name a regular file, but {path} is {kind}.")
    with open(path, "rb") as f:
        return f"the checkpoint file {path}", f.read()
