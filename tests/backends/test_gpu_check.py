"""The parts of ``nox -s gpu`` that run without a GPU: driver banner, wheel choice, summary."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from gpu_check import Row, cuda_major, cupy_wheel, summary_table

BANNER = """+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 580.65.06              Driver Version: 580.65.06      CUDA Version: 13.0     |
|-----------------------------------------+------------------------+----------------------+"""


def test_cuda_major_reads_the_banner() -> None:
    assert cuda_major(BANNER) == 13
    assert cuda_major(BANNER.replace("13.0", "12.4")) == 12
    assert cuda_major("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.") is None


def test_cupy_wheel_matches_the_driver() -> None:
    assert cupy_wheel(12) == "cupy-cuda12x"
    assert cupy_wheel(13) == "cupy-cuda13x"
    with pytest.raises(ValueError, match=r"CUDA 11\.x.*12\.x, 13\.x"):
        cupy_wheel(11)


def test_summary_table_has_one_line_per_row() -> None:
    table = summary_table(
        [Row("suite on GPU", "passed", 61.54, "1236 passed"), Row("device copy", "1.2 ms", None, "3900 GB/s")]
    )
    assert table.splitlines() == [
        "| check | outcome | time | detail |",
        "|---|---|---|---|",
        "| suite on GPU | passed | 61.5 s | 1236 passed |",
        "| device copy | 1.2 ms | - | 3900 GB/s |",
    ]
