"""Fixtures for the dataset tests: MNIST-like IDX files written into ``tmp_path``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from .idx_files import IMAGE_MAGIC, LABEL_MAGIC, idx_bytes, synthetic_mnist, write_file

MnistWriter = Callable[..., Path]


@pytest.fixture
def write_mnist(tmp_path: Path) -> MnistWriter:
    """``write_mnist(prefix, images, labels, gz=False, directory=tmp_path)`` writes one IDX pair."""

    def write(
        prefix: str,
        images: npt.NDArray[np.uint8],
        labels: npt.NDArray[np.uint8],
        gz: bool = False,
        directory: Path = tmp_path,
    ) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        write_file(directory / f"{prefix}-images-idx3-ubyte", idx_bytes(IMAGE_MAGIC, images), gz=gz)
        write_file(directory / f"{prefix}-labels-idx1-ubyte", idx_bytes(LABEL_MAGIC, labels), gz=gz)
        return directory

    return write


@pytest.fixture
def mnist_dir(write_mnist: MnistWriter, tmp_path: Path) -> Path:
    """A directory with 100 training and 30 test images, training files gzip'd."""
    write_mnist("train", *synthetic_mnist(100, seed=0), gz=True)
    return write_mnist("t10k", *synthetic_mnist(30, seed=1))
