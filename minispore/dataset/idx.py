"""Reading MNIST's IDX files (``train-images-idx3-ubyte`` …), plain or gzip'd.

IDX layout (big-endian): a 4-byte magic number (``0x00000803`` = 2051 for 3-d uint8 image
files, ``0x00000801`` = 2049 for 1-d uint8 label files), one 4-byte size per dimension,
then the uint8 data. Every check that fails raises RuntimeError naming the file, as
MindSpore's MnistDataset does.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

IMAGE_MAGIC = 2051
LABEL_MAGIC = 2049
IMAGE_SIZE = (28, 28)


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
    raw = _read_bytes(path)
    header = 4 * (1 + ndim)
    if len(raw) < header:
        raise RuntimeError(
            f"Invalid MNIST file {path}: it holds {len(raw)} bytes, fewer than the {header}-byte header of an "
            f"IDX {kind} file. The file is truncated; download it again."
        )
    fields = np.frombuffer(raw, dtype=">u4", count=1 + ndim)
    if int(fields[0]) != magic:
        raise RuntimeError(
            f"Invalid MNIST file {path}: the magic number of an IDX {kind} file is {magic}, but got "
            f"{int(fields[0])}. Check that this is the MNIST {kind} file, uncompressed or gzip'd."
        )
    shape = tuple(int(n) for n in fields[1:])
    expected = int(np.prod(shape, dtype=np.int64))
    if len(raw) - header != expected:
        raise RuntimeError(
            f"Invalid MNIST file {path}: the header promises {expected} bytes of {kind} data "
            f"(shape {shape}), but the file holds {len(raw) - header}. The file is truncated or corrupt; "
            f"download it again."
        )
    data: npt.NDArray[Any] = np.frombuffer(raw, dtype=np.uint8, offset=header)
    return data, shape


def _read_bytes(path: Path) -> bytes:
    if path.suffix != ".gz":
        return path.read_bytes()
    try:
        return gzip.decompress(path.read_bytes())
    except (OSError, EOFError, zlib.error) as exc:
        raise RuntimeError(
            f"Invalid MNIST file {path}: it is not a readable gzip file ({exc}). Download it again, "
            f"or store it uncompressed without the .gz suffix."
        ) from exc
