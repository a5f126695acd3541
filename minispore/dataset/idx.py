"""Reading MNIST's IDX files (``train-images-idx3-ubyte`` …), plain or gzip'd.

IDX layout (big-endian): a 4-byte magic number (``0x00000803`` = 2051 for 3-d uint8 image
files, ``0x00000801`` = 2049 for 1-d uint8 label files), one 4-byte size per dimension,
then the uint8 data. Every check that fails raises RuntimeError naming the file, as
MindSpore's MnistDataset does.
"""

from __future__ import annotations

import gzip
import io
import math
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

IMAGE_MAGIC = 2051
LABEL_MAGIC = 2049
IMAGE_SIZE = (28, 28)
_CHUNK = 16 * 1024 * 1024


def read_images(path: Path) -> npt.NDArray[np.uint8]:
    """The images of an IDX image file, shape ``(N, 28, 28)``.

    Raises:
        RuntimeError: the file is not gzip-readable (for ``.gz``), has the wrong magic
            number or image size, or holds more or fewer bytes than its header promises.
    """
    data, shape = _parse(path, IMAGE_MAGIC, "image", ndim=3)
    if shape[1:] != IMAGE_SIZE:
        raise RuntimeError(
            f"Invalid MNIST file {path}: images should be 28x28, but the header says {shape[1]}x{shape[2]}."
        )
    return data.reshape(shape)


def read_labels(path: Path) -> npt.NDArray[np.uint8]:
    """The labels of an IDX label file, shape ``(N,)``.

    Raises:
        RuntimeError: as :func:`read_images`.
    """
    data, shape = _parse(path, LABEL_MAGIC, "label", ndim=1)
    return data.reshape(shape)


def _parse(path: Path, magic: int, kind: str, ndim: int) -> tuple[npt.NDArray[np.uint8], tuple[int, ...]]:
    """Read the header, then exactly the data it declares, then one byte more to find extra data.

    Reading stops at the declared size, so a small ``.gz`` that inflates to gigabytes (a
    "gzip bomb", or a damaged file) costs at most the declared size in memory.
    """
    header = 4 * (1 + ndim)
    with _open(path) as stream:
        head = _read_up_to(stream, path, header)
        if len(head) < header:
            raise RuntimeError(
                f"Invalid MNIST file {path}: it holds {len(head)} bytes, fewer than the {header}-byte header of an "
                f"IDX {kind} file. The file is truncated; download it again."
            )
        fields = np.frombuffer(head, dtype=">u4", count=1 + ndim)
        if int(fields[0]) != magic:
            raise RuntimeError(
                f"Invalid MNIST file {path}: the magic number of an IDX {kind} file is {magic}, but got "
                f"{int(fields[0])}. Check that this is the MNIST {kind} file, uncompressed or gzip'd."
            )
        shape = tuple(int(n) for n in fields[1:])
        expected = math.prod(shape)
        body = _read_up_to(stream, path, expected)
        extra = len(_read_up_to(stream, path, 1))
    if len(body) != expected or extra:
        # A plain file's size is known without reading it; a .gz is never inflated past the promise.
        held = len(body) if not extra else path.stat().st_size - header if path.suffix != ".gz" else None
        held_text = f"more than {expected}" if held is None else str(held)
        raise RuntimeError(
            f"Invalid MNIST file {path}: the header promises {expected} bytes of {kind} data "
            f"(shape {shape}), but the file holds {held_text}. The file is truncated or corrupt; "
            f"download it again."
        )
    data: npt.NDArray[Any] = np.frombuffer(body, dtype=np.uint8)
    return data, shape


def _open(path: Path) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")


def _read_up_to(stream: io.BufferedIOBase, path: Path, size: int) -> bytearray:
    """At most ``size`` bytes, fewer at the end of the stream, read in bounded chunks.

    Chunks keep memory proportional to what the file really holds when a damaged header
    declares an enormous size.
    """
    out = bytearray()
    try:
        while len(out) < size:
            chunk = stream.read(min(size - len(out), _CHUNK))
            if not chunk:
                break
            out += chunk
    except (OSError, EOFError, zlib.error) as exc:
        raise RuntimeError(
            f"Invalid MNIST file {path}: it is not a readable gzip file ({exc}). Download it again, "
            f"or store it uncompressed without the .gz suffix."
        ) from exc
    return out
