"""``save_checkpoint``: a Cell's parameters, or a list or dict of them, to ``.ckpt`` or safetensors."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, BinaryIO

import numpy as np

from minispore.common import dtype as mstype
from minispore.common.parameter import Parameter
from minispore.common.tensor import Tensor, host_array
from minispore.common.validation import check_bool
from minispore.nn.cell import Cell
from minispore.train.serialization._args import check_format, check_no_key
from minispore.train.serialization._atomic import atomic_write
from minispore.train.serialization._ckpt import write_ckpt
from minispore.train.serialization._safetensors import encode_safetensors
from minispore.train.serialization._values import HostValue

_API = "save_checkpoint"


def save_checkpoint(
    save_obj: Cell | Sequence[Any] | Mapping[str, Any],
    ckpt_file_name: str | os.PathLike[str],
    integrated_save: bool = True,
    async_save: bool | str = False,
    append_dict: Mapping[str, Any] | None = None,
    enc_key: bytes | None = None,
    enc_mode: str = "AES-GCM",
    choice_func: Callable[[str], bool] | None = None,
    crc_check: bool = False,
    format: str = "ckpt",
) -> None:
    """Save parameters to a MindSpore ``.ckpt`` (protobuf) or ``.safetensors`` file.

    The file is replaced atomically: it is written to a temporary file in the same
    directory, flushed and ``fsync``-ed, then renamed over ``ckpt_file_name``, so a crash
    mid-save leaves the previous file intact. The temporary file of a save that was killed
    is removed by the next save of the same name. The ``.ckpt`` output is byte-identical to
    MindSpore 2.10's for the same parameters, and each format loads in MindSpore.

    Args:
        save_obj: a Cell (all its parameters, frozen ones too, keyed by ``Parameter.name``;
            an optimizer's include ``global_step``, ``learning_rate``, ``momentum`` and
            ``moments.*``), a list of Parameters, a list of ``{'name': str, 'data': Tensor}``
            dicts, or a dict ``{name: Parameter | Tensor | numpy.ndarray | str}`` such as
            :func:`load_checkpoint` returns.
        ckpt_file_name: the file; ``.ckpt`` or ``.safetensors`` (per ``format``) is appended
            when the name does not end with it. An existing file is replaced.
        integrated_save: accepted for compatibility (it matters only to parallel training).
        async_save: must be False: minispore saves synchronously.
        append_dict: extra entries ``{name: int | float | bool | str | Tensor}``, saved after
            the parameters (an int as Int64, a float as Float32, as ``Tensor`` infers them).
            Strings are stored only by ``format='ckpt'``.
        enc_key: must be None: minispore does not encrypt checkpoints.
        enc_mode: accepted for compatibility; unused without ``enc_key``.
        choice_func: keep only the parameters whose name it returns True for.
        crc_check: append a CRC32 of the content that loading verifies.
        format: ``'ckpt'`` or ``'safetensors'`` (needs ``pip install 'minispore[checkpoint]'``).

    Raises:
        ValueError: ``format`` is neither ``'ckpt'`` nor ``'safetensors'``, or ``async_save``
            is a str other than ``'process'``/``'thread'``.
        TypeError: ``save_obj``, ``ckpt_file_name``, ``append_dict`` or a flag has the wrong type.
        IsADirectoryError: ``ckpt_file_name`` is a directory.
        FileNotFoundError: the directory of ``ckpt_file_name`` does not exist.
        NotImplementedError: ``async_save`` is set or ``enc_key`` is given.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore import nn
        >>> class Net(nn.Cell):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.w = ms.Parameter(np.arange(3, dtype=np.float32))
        >>> path = os.path.join(tempfile.mkdtemp(), "net")
        >>> ms.save_checkpoint(Net(), path)
        >>> ms.load_checkpoint(path + ".ckpt")["w"].asnumpy()
        array([0., 1., 2.], dtype=float32)
    """
    format = check_format(format, _API)
    if not isinstance(save_obj, Cell | list | tuple | Mapping):
        raise TypeError(
            f"For '{_API}', 'save_obj' must be a Cell, a list of Parameters or of {{'name', 'data'}} dicts, "
            f"or a dict of Parameters, but got {type(save_obj).__name__}."
        )
    path = _target_path(ckpt_file_name, format)
    check_bool(_API, "integrated_save", integrated_save)
    _check_async_save(async_save)
    check_no_key(enc_key, enc_mode, "enc_key", "enc_mode", _API)
    check_bool(_API, "crc_check", crc_check)
    items = _collect(save_obj, choice_func)
    items.update(_appended(append_dict))
    entries = list(items.items())
    if format == "ckpt":
        atomic_write(path, lambda stream: write_ckpt(stream, entries, crc_check))
    else:
        payload = encode_safetensors(entries, crc_check)
        atomic_write(path, lambda stream: _write_all(stream, payload))


def _write_all(stream: BinaryIO, payload: bytes) -> None:
    stream.write(payload)


def _target_path(name: Any, format: str) -> str:
    raw = os.fspath(name) if isinstance(name, str | os.PathLike) else None
    if not isinstance(raw, str):
        raise TypeError(f"For '{_API}', 'ckpt_file_name' must be a str path, but got {type(name).__name__}.")
    path = os.path.realpath(raw)
    if os.path.isdir(path):
        raise IsADirectoryError(f"For '{_API}', 'ckpt_file_name' {path} is a directory; pass a file name.")
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"For '{_API}', the directory of 'ckpt_file_name' must exist, but {directory} does not (or is not a "
            f"directory). Create it first, e.g. os.makedirs({directory!r}, exist_ok=True)."
        )
    return path if path.endswith(f".{format}") else f"{path}.{format}"


def _check_async_save(async_save: Any) -> None:
    if not isinstance(async_save, bool | str):
        raise TypeError(f"For '{_API}', 'async_save' must be a bool or str, but got {type(async_save).__name__}.")
    if isinstance(async_save, str) and async_save not in ("process", "thread"):
        raise ValueError(f"For '{_API}', 'async_save' can only be 'process' or 'thread', but got {async_save!r}.")
    if async_save:
        raise NotImplementedError(
            f"For '{_API}', async_save={async_save!r} is not supported: minispore saves synchronously "
            "(and atomically). Pass async_save=False."
        )


def _host(name: str, data: Any, what: str) -> HostValue:
    """A saved value as a host array (or str), with the dtype check saving needs."""
    if isinstance(data, str):
        return data
    if isinstance(data, Tensor):
        return data.asnumpy()
    if isinstance(data, np.ndarray):
        try:
            mstype.from_numpy_dtype(data.dtype)
        except TypeError as exc:
            raise TypeError(f"For '{_API}', '{name}' in {what} has an unsupported dtype: {exc}") from None
        return data
    raise TypeError(
        f"For '{_API}', '{name}' in {what} must be a Parameter, Tensor, numpy.ndarray or str, "
        f"but got {type(data).__name__}."
    )


def _collect(
    save_obj: Cell | Sequence[Any] | Mapping[str, Any], choice_func: Callable[[str], bool] | None
) -> dict[str, HostValue]:
    """``{name: value}`` in save order; a repeated name keeps its first position and last value."""
    keep = choice_func or (lambda _: True)
    if isinstance(save_obj, Cell):
        named: list[tuple[str, Any]] = [(p.name, p) for _, p in save_obj.parameters_and_names()]
        what = "the Cell"
    elif isinstance(save_obj, Mapping):
        named, what = list(save_obj.items()), "the dict"
    else:
        named, what = [_list_entry(entry) for entry in save_obj], "the list"
    items: dict[str, HostValue] = {}
    for name, data in named:
        if not isinstance(name, str):
            raise TypeError(f"For '{_API}', the names in {what} must be str, but got {type(name).__name__}.")
        if keep(name):
            items[name] = _host(name, data, what)
    return items


def _list_entry(entry: Any) -> tuple[Any, Any]:
    if isinstance(entry, Parameter):
        return entry.name, entry
    if isinstance(entry, dict) and "name" in entry and "data" in entry and isinstance(entry["data"], Tensor):
        return entry["name"], entry["data"]
    raise TypeError(
        f"For '{_API}', a list 'save_obj' must hold Parameters or {{'name': str, 'data': Tensor}} dicts, "
        f"but got {entry!r:.80}."
    )


def _appended(append_dict: Mapping[str, Any] | None) -> dict[str, HostValue]:
    if append_dict is None:
        return {}
    if not isinstance(append_dict, Mapping):
        raise TypeError(f"For '{_API}', 'append_dict' must be a dict, but got {type(append_dict).__name__}.")
    out: dict[str, HostValue] = {}
    for key, value in append_dict.items():
        if not isinstance(key, str) or not isinstance(value, int | float | str | Tensor):
            raise TypeError(
                f"For '{_API}', 'append_dict' maps str to int, float, bool, str or Tensor, but got "
                f"{type(key).__name__}: {type(value).__name__} for {key!r}."
            )
        out[key] = _host(key, value if isinstance(value, str | Tensor) else host_array(value), "'append_dict'")
    return out
