"""Writing MNIST-style IDX files for the dataset tests."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import numpy.typing as npt

IMAGE_MAGIC = 2051
LABEL_MAGIC = 2049


def idx_bytes(magic: int, data: npt.NDArray[np.uint8]) -> bytes:
    """An IDX file: big-endian magic, one size per dimension, then the uint8 data."""
    return struct.pack(f">{1 + data.ndim}I", magic, *data.shape) + data.tobytes()


def write_file(path: Path, payload: bytes, *, gz: bool = False) -> Path:
    """Write ``payload`` to ``path`` (gzip'd to ``path.gz`` when ``gz``) and return the path."""
    if gz:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(payload))
    else:
        path.write_bytes(payload)
    return path


def synthetic_mnist(num: int, seed: int) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    """Random 28x28 images and labels 0-9 (label ``i % 10`` makes orders easy to check)."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(num, 28, 28), dtype=np.uint8)
    labels = (np.arange(num) % 10).astype(np.uint8)
    return images, labels
