"""MindSpore's ``.ckpt`` file: ``Checkpoint.value`` records, large tensors in slices, an
optional CRC32 trailer.

A file is a concatenation of records, one per parameter (see :mod:`._wire`). A tensor larger
than 512 MiB is written as several consecutive records with the same tag whose contents
join into the full tensor. With ``crc_check=True`` the file ends with ``b"crc_num"`` and the
CRC32 of all preceding bytes as 10 big-endian bytes; MindSpore strips that trailer whenever
it is present.

The trailer is the only trace of the CRC: a file cut exactly between two records loses it
together with the records after it, and then reads as a valid file saved without a CRC.
MindSpore loads such a file with ``crc_check=True`` after a warning; minispore refuses it,
since loading part of a network silently is worse than asking for ``crc_check=False``.
"""

from __future__ import annotations

import binascii
import math
from collections.abc import Sequence
from itertools import groupby
from typing import BinaryIO

import numpy as np

from minispore.common import dtype as mstype
from minispore.train.serialization._values import HostArray, HostValue, NameFilter, unsupported_dtype
from minispore.train.serialization._wire import TensorRecord, WireError, decode_checkpoint, record_head

SLICE_BYTES = 512 * 1024 * 1024
_CRC_MARK = b"crc_num"
_CRC_TRAILER = len(_CRC_MARK) + 10
_MAX_DIMS = 64  # NumPy's limit, as MindSpore's
_MAX_BYTES = 2**63 - 1
_DTYPES = {d.name: d for d in mstype.ALL}


def _string_bytes(text: str) -> bytes:
    # NumPy's UTF-32 layout, as MindSpore writes np.array(text).tobytes(); "" takes one code unit.
    return np.array(text, dtype=f"<U{max(len(text), 1)}").tobytes()


def write_ckpt(stream: BinaryIO, items: Sequence[tuple[str, HostValue]], crc_check: bool) -> None:
    """Write ``items`` as a ``.ckpt`` file to ``stream``."""
    crc = 0
    for name, value in items:
        if isinstance(value, str):
            slices: list[bytes | memoryview] = [_string_bytes(value)]
            dims: Sequence[int] = [0]
            tensor_type = "str"
        else:
            raw = np.ascontiguousarray(value, dtype=value.dtype.newbyteorder("<")).reshape(-1).view(np.uint8).data
            slices = [raw[i : i + SLICE_BYTES] for i in range(0, max(len(raw), 1), SLICE_BYTES)]
            dims, tensor_type = value.shape, mstype.from_numpy_dtype(value.dtype).name
        for content in slices:
            for piece in (record_head(name, dims, tensor_type, len(content)), content):
                stream.write(piece)
                crc = binascii.crc32(piece, crc) if crc_check else crc
    if crc_check:
        stream.write(_CRC_MARK + crc.to_bytes(10, "big"))


def read_ckpt(data: bytes, source: str, crc_check: bool, keep: NameFilter) -> list[tuple[str, HostValue]]:
    """The ``(name, value)`` pairs of a ``.ckpt`` file's bytes, in file order, names kept by ``keep``.

    Raises:
        ValueError: the file is empty, truncated or corrupt, fails its CRC, or holds a dtype
            that minispore does not support.
    """
    if not data:
        raise ValueError(f"For 'load_checkpoint', {source} is empty (0 bytes); it may be truncated.")
    body = _strip_crc(data, source, crc_check)
    try:
        records = decode_checkpoint(body)
    except WireError as exc:
        raise ValueError(
            f"For 'load_checkpoint', failed to read {source}: {exc}. The file is truncated or "
            "corrupted, or it is not a MindSpore .ckpt file (for a .safetensors file pass format='safetensors')."
        ) from exc
    out = []
    for tag, group in groupby(records, key=lambda r: r.tag):
        if keep(tag):
            out.append((tag, _value(list(group), source)))
    return out


def _strip_crc(data: bytes, source: str, crc_check: bool) -> memoryview:
    view = memoryview(data)
    if bytes(view[-_CRC_TRAILER : -_CRC_TRAILER + len(_CRC_MARK)]) != _CRC_MARK:
        if crc_check:
            raise ValueError(
                f"For 'load_checkpoint', crc_check=True but {source} ends without a CRC code (the 'crc_num' "
                "trailer): it was cut short, which drops the trailer with the last parameters, or it was saved "
                "without crc_check=True. Pass crc_check=False only if it was saved without a CRC."
            )
        return view
    body, stored = view[:-_CRC_TRAILER], int.from_bytes(view[-10:], "big")
    # Checked even when crc_check is False: a present checksum that fails means a damaged file.
    if binascii.crc32(body) != stored:
        raise ValueError(f"For 'load_checkpoint', the CRC check of {source} failed: the file is damaged.")
    return body


def _value(slices: list[TensorRecord], source: str) -> HostValue:
    """Join the slices of one tensor (or string) and check its size against its dims."""
    last = slices[-1]
    where = f"the parameter '{last.tag}' in {source}"
    if any((s.dims, s.tensor_type) != (last.dims, last.tensor_type) for s in slices):
        raise ValueError(f"For 'load_checkpoint', the slices of {where} disagree on shape or dtype: corrupt file.")
    content = last.content if len(slices) == 1 else b"".join(s.content for s in slices)
    if last.tensor_type == "str":
        return _text(content, where)
    dtype = _DTYPES.get(last.tensor_type)
    if dtype is None:
        raise unsupported_dtype(last.tag, repr(last.tensor_type), source)
    shape = last.dims
    if len(shape) > _MAX_DIMS or math.prod(max(d, 1) for d in shape) * dtype.itemsize > _MAX_BYTES:
        raise ValueError(
            f"For 'load_checkpoint', {where} has dims {list(shape)}, but a tensor has at most {_MAX_DIMS} dims "
            f"and {_MAX_BYTES} bytes even where a dim is 0: the file is corrupt."
        )
    size = math.prod(shape) * dtype.itemsize
    if shape == (0,) and len(content) == dtype.itemsize:
        shape, size = (), dtype.itemsize  # MindSpore reads dims [0] as a scalar
    if len(content) != size:
        raise ValueError(
            f"For 'load_checkpoint', {where} should hold {size} bytes for shape {shape} of {dtype}, but the file "
            f"has {len(content)}: the file is truncated or corrupted."
        )
    array: HostArray = np.frombuffer(content, dtype=dtype.np_dtype.newbyteorder("<")).astype(dtype.np_dtype)
    return array.reshape(shape)


def _text(content: bytes | memoryview, where: str) -> str:
    """A ``'str'`` record: NumPy's UTF-32 text, trailing NULs dropped as NumPy drops them."""
    try:
        if len(content) % 4:
            raise ValueError(f"{len(content)} bytes, not a multiple of 4")
        return bytes(content).decode("utf-32-le", "surrogatepass").rstrip("\x00")
    except ValueError as exc:  # UnicodeDecodeError included: a code point above U+10FFFF
        raise ValueError(
            f"For 'load_checkpoint', the string {where} is not UTF-32 text ({exc}): corrupt file."
        ) from None
