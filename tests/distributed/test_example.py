"""``examples/lenet5/train_data_parallel.py`` under ``mpiexec -n 2`` on 256 bundled images."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from minispore.dataset import idx

ROOT = Path(__file__).resolve().parents[2]
MNIST = ROOT / "examples" / "lenet5" / "data" / "mnist-5k"
MPIEXEC = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")

pytestmark = pytest.mark.skipif(MPIEXEC is None, reason="mpiexec not installed: pip install 'minispore[mpi]'")


def test_example_trains_on_two_ranks_and_reports_from_rank_0(tmp_path: Path) -> None:
    for prefix in ("train", "t10k"):
        images = idx.read_images(MNIST / f"{prefix}-images-idx3-ubyte.gz")[:256]
        labels = idx.read_labels(MNIST / f"{prefix}-labels-idx1-ubyte.gz")[:256]
        header = np.array([0x803, len(images), 28, 28], ">u4").tobytes()
        (tmp_path / f"{prefix}-images-idx3-ubyte").write_bytes(header + images.tobytes())
        label_header = np.array([0x801, len(labels)], ">u4").tobytes()
        (tmp_path / f"{prefix}-labels-idx1-ubyte").write_bytes(label_header + labels.tobytes())
    assert MPIEXEC is not None
    done = subprocess.run(
        [MPIEXEC, "-n", "2", sys.executable, str(ROOT / "examples" / "lenet5" / "train_data_parallel.py")]
        + ["--data_dir", str(tmp_path), "--epochs", "2"],
        env={**os.environ, "OMP_NUM_THREADS": "1", "MPIR_CVAR_ENABLE_HEAVY_YIELD": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    epochs = [line for line in lines if line.startswith("epoch ")]
    assert len(epochs) == 2 and all("on 2 ranks" in line for line in epochs)  # rank 0 only
    accuracy = [float(m[1]) for line in lines if (m := re.match(r"test accuracy ([0-9.]+)", line))]
    assert len(accuracy) == 1 and 0.0 <= accuracy[0] <= 1.0
