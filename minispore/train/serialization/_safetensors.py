"""The safetensors format, through the optional ``safetensors`` package.

A file is an 8-byte little-endian header length, a JSON header (names, dtypes, shapes,
offsets and a ``__metadata__`` map) and the raw tensor bytes. MindSpore writes the
metadata ``{"format": "ms"}`` and, with ``crc_check=True``, ``"crc_num"``: the CRC32 over
each name (UTF-8) and its tensor's bytes, in sorted name order. It reads names in sorted
order, which is the order :func:`load_checkpoint` returns for this format. Under
``crc_check=True`` a header without a readable ``"crc_num"`` is an error (MindSpore only
warns): a damaged key must not switch the check off.
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from minispore.common import dtype as mstype
from minispore.train.serialization._values import HostValue, NameFilter, unsupported_dtype

_RESERVED_METADATA = ("format", "crc_num", "remove_redundancy")


def _safetensors_numpy() -> ModuleType:
    try:
        import safetensors.numpy
    except ImportError as exc:
        raise ImportError(
            "format='safetensors' needs the 'safetensors' package: pip install 'minispore[checkpoint]' "
            "(or use format='ckpt', which needs nothing beyond NumPy)."
        ) from exc
    return safetensors.numpy


def _crc(arrays: dict[str, Any]) -> int:
    crc = 0
    for name in sorted(arrays):
        crc = binascii.crc32(arrays[name].tobytes(), binascii.crc32(name.encode(), crc))
    return crc


def encode_safetensors(items: Sequence[tuple[str, HostValue]], crc_check: bool) -> bytes:
    """The bytes of a safetensors file holding ``items``.

    Raises:
        ValueError: an item is a string (only ``format='ckpt'`` stores strings).
    """
    arrays: dict[str, Any] = {}
    for name, value in items:
        if isinstance(value, str):
            raise ValueError(
                f"For 'save_checkpoint', format='safetensors' stores tensors only, but '{name}' is the string "
                f"{value!r}. Use format='ckpt', or leave the string out of 'append_dict'."
            )
        arrays[name] = value
    metadata = {"format": "ms"}
    if crc_check:
        metadata["crc_num"] = str(_crc(arrays))
    data: bytes = _safetensors_numpy().save(arrays, metadata=metadata if arrays else None)
    return data


def read_safetensors(data: bytes, source: str, crc_check: bool, keep: NameFilter) -> list[tuple[str, HostValue]]:
    """The ``(name, array)`` pairs of a safetensors file's bytes, in sorted name order.

    Raises:
        ValueError: the file is truncated or corrupt, fails its CRC, or holds a dtype that
            minispore does not support.
    """
    st = _safetensors_numpy()
    metadata = _metadata(data, source)
    try:
        arrays: dict[str, Any] = st.load(data)
    except Exception as exc:  # safetensors raises its own SafetensorError (and others for bad dtypes)
        raise ValueError(
            f"For 'load_checkpoint', failed to read {source}: {exc}. The file is truncated "
            "or corrupted, or it is not a safetensors file."
        ) from exc
    if "crc_num" in metadata:
        if str(_crc(arrays)) != metadata["crc_num"]:
            raise ValueError(f"For 'load_checkpoint', the CRC check of {source} failed: the file is damaged.")
    elif crc_check:
        raise ValueError(
            f"For 'load_checkpoint', crc_check=True but {source} has no CRC code ('crc_num' in its header's "
            "metadata): the header is damaged, or the file was saved without crc_check=True. Pass "
            "crc_check=False only if it was saved without a CRC."
        )
    out: list[tuple[str, HostValue]] = []
    for name in sorted(arrays):
        if not keep(name):
            continue
        special = metadata.get(name) if name not in _RESERVED_METADATA else None
        if special is not None or not _supported(arrays[name]):
            raise unsupported_dtype(name, special or arrays[name].dtype, source)
        out.append((name, arrays[name]))
    return out


def _supported(array: Any) -> bool:
    try:
        mstype.from_numpy_dtype(array.dtype)
    except TypeError:
        return False
    return True


def _metadata(data: bytes, source: str) -> dict[str, str]:
    """The header's ``__metadata__`` (MindSpore records special dtypes such as Int4 there)."""
    size = int.from_bytes(data[:8], "little") if len(data) >= 8 else -1
    try:
        if not 0 < size <= len(data) - 8:
            raise ValueError(f"the header size field says {size} bytes but the file has {len(data)}")
        header = json.loads(data[8 : 8 + size])
        if not isinstance(header, dict):
            raise ValueError("the header is not a JSON object")
    except RecursionError:
        raise ValueError(
            f"For 'load_checkpoint', failed to read {source}: its JSON header nests deeper than Python can parse, "
            "which no safetensors writer produces. The file is corrupted or crafted."
        ) from None
    except ValueError as exc:
        raise ValueError(
            f"For 'load_checkpoint', failed to read {source}: {exc}. The file is truncated "
            "or corrupted, or it is not a safetensors file (for a .ckpt file pass format='ckpt')."
        ) from exc
    metadata = header.get("__metadata__") or {}
    return {str(k): str(v) for k, v in metadata.items()} if isinstance(metadata, dict) else {}
