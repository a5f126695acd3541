"""D9: MNIST IDX reading stops at the size the header declares (issue 10)."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minispore.dataset as ds

from .idx_files import IMAGE_MAGIC, LABEL_MAGIC, idx_bytes, write_file

BOMB_ZEROS = 64 * 1024 * 1024  # inflates 1000x: about 64 KiB on disk


@pytest.fixture
def bytes_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of every read the IDX reader makes from a gzip stream."""
    sizes: list[int] = []
    real_open = gzip.open

    def counting_open(path: Any, mode: str) -> Any:
        stream = real_open(path, mode)
        real_read = stream.read

        def read(size: int = -1) -> Any:
            data = real_read(size)
            sizes.append(len(data))
            return data

        stream.read = read  # type: ignore[method-assign,assignment]
        return stream

    monkeypatch.setattr(gzip, "open", counting_open)
    return sizes


def test_gzip_bomb_is_read_only_up_to_the_declared_size(tmp_path: Path, bytes_read: list[int]) -> None:
    images = np.zeros((2, 28, 28), np.uint8)
    header_and_data = idx_bytes(IMAGE_MAGIC, images)
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(header_and_data + bytes(BOMB_ZEROS), 9))
    write_file(tmp_path / "t10k-labels-idx1-ubyte", idx_bytes(LABEL_MAGIC, np.zeros(2, np.uint8)))
    assert (tmp_path / "t10k-images-idx3-ubyte.gz").stat().st_size < BOMB_ZEROS // 500
    with pytest.raises(RuntimeError, match=r"promises 1568 bytes of image data .* holds more than 1568"):
        ds.MnistDataset(tmp_path, usage="test")
    assert sum(bytes_read) == len(header_and_data) + 1  # the header, the data, one byte to see the excess


def test_header_declaring_a_huge_size_is_read_in_bounded_chunks(tmp_path: Path, bytes_read: list[int]) -> None:
    """2**32-1 images of 28x28 (3.4 TB) declared, 100 bytes present: the read asks for at most 16 MiB."""
    payload = struct.pack(">4I", IMAGE_MAGIC, 2**32 - 1, 28, 28) + bytes(100)
    write_file(tmp_path / "t10k-images-idx3-ubyte", payload, gz=True)
    write_file(tmp_path / "t10k-labels-idx1-ubyte", idx_bytes(LABEL_MAGIC, np.zeros(2, np.uint8)))
    with pytest.raises(RuntimeError, match=r"promises 3367254359280 bytes .* holds 100\. The file is truncated"):
        ds.MnistDataset(tmp_path, usage="test")
    assert sum(bytes_read) == len(payload)


def test_plain_file_with_extra_bytes_reports_its_size(tmp_path: Path) -> None:
    write_file(tmp_path / "t10k-images-idx3-ubyte", idx_bytes(IMAGE_MAGIC, np.zeros((2, 28, 28), np.uint8)) + bytes(7))
    write_file(tmp_path / "t10k-labels-idx1-ubyte", idx_bytes(LABEL_MAGIC, np.zeros(2, np.uint8)))
    with pytest.raises(RuntimeError, match=r"promises 1568 bytes .* holds 1575"):
        ds.MnistDataset(tmp_path, usage="test")
