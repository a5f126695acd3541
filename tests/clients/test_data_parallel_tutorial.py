"""MindSpore's data-parallel tutorial sample, imports changed to minispore, under ``mpiexec -n 2``.

The sample (``data_parallel_tutorial/distributed_data_parallel.py``; source and commit in its
header) trains an MLP for 10 epochs on MNIST sharded across the ranks, with
``nn.DistributedGradReducer`` and ``nn.SGD``. It reads ``DATA_PATH``: here, the first 256
training images of the bundled MNIST subset, so that it runs in seconds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from minispore import nn
from minispore.dataset import idx

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "data_parallel_tutorial" / "distributed_data_parallel.py"
MNIST = HERE.parents[1] / "examples" / "lenet5" / "data" / "mnist-5k"
MPIEXEC = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")
LOSS = re.compile(r"epoch: (\d+), step: (\d+), loss is (\S+)$")
"""``print(tensor)`` shows the bare value, as MindSpore 2.10 prints it."""

pytestmark = pytest.mark.skipif(MPIEXEC is None, reason="mpiexec not installed: pip install 'minispore[mpi]'")


@pytest.fixture
def data_path(tmp_path: Path) -> Path:
    """256 MNIST training images as plain IDX files."""
    images = idx.read_images(MNIST / "train-images-idx3-ubyte.gz")[:256]
    labels = idx.read_labels(MNIST / "train-labels-idx1-ubyte.gz")[:256]
    header = np.array([0x803, len(images), 28, 28], ">u4").tobytes()
    (tmp_path / "train-images-idx3-ubyte").write_bytes(header + images.tobytes())
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(
        np.array([0x801, len(labels)], ">u4").tobytes() + labels.tobytes()
    )
    return tmp_path


def run(script: Path, data: Path, logs: Path) -> list[list[tuple[int, int, float]]]:
    """Run ``script`` on 2 ranks; the (epoch, step, loss) lines each rank printed."""
    assert MPIEXEC is not None
    env = {**os.environ, "DATA_PATH": str(data), "OMP_NUM_THREADS": "1", "MINISPORE_DEVICE": "CPU"}
    pattern = str(logs / "rank_%r.log")
    done = subprocess.run(
        [MPIEXEC, "-n", "2", "-outfile-pattern", pattern, "-errfile-pattern", pattern, sys.executable, str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    outputs = [(logs / f"rank_{r}.log").read_text() for r in range(2)]
    assert done.returncode == 0, "\n".join(outputs)
    found = [[LOSS.search(line) for line in out.splitlines()] for out in outputs]
    return [[(int(m[1]), int(m[2]), float(m[3])) for m in rank if m] for rank in found]


def check(ranks: list[list[tuple[int, int, float]]]) -> None:
    # 256 images in 2 shards of 128, batches of 32: 4 steps per epoch, printed at step 0.
    for lines in ranks:
        assert [(epoch, step) for epoch, step, _ in lines] == [(e, 0) for e in range(10)]
        losses = [loss for _, _, loss in lines]
        assert np.isfinite(losses).all()
        assert losses[-1] < losses[0]


@pytest.mark.skipif(not hasattr(nn, "SGD"), reason="the sample's optimizer, nn.SGD, is not in minispore yet")
def test_tutorial_sample_runs_with_only_the_imports_changed(data_path: Path, tmp_path: Path) -> None:
    check(run(SAMPLE, data_path, tmp_path))


def test_tutorial_sample_with_momentum_zero_for_sgd(data_path: Path, tmp_path: Path) -> None:
    """The same sample with ``nn.SGD(params, lr)`` spelled ``nn.Momentum(params, lr, 0.0)`` (the same update)."""
    text = SAMPLE.read_text()
    assert text.count("nn.SGD(net.trainable_params(), 1e-2)") == 1
    script = tmp_path / "sample_momentum.py"
    script.write_text(
        text.replace("nn.SGD(net.trainable_params(), 1e-2)", "nn.Momentum(net.trainable_params(), 1e-2, 0.0)")
    )
    check(run(script, data_path, tmp_path))
