"""Client scripts (MindSpore tutorials) run with only their imports changed, and compared
with what MindSpore 2.10 printed (``recording/clients.py``) from the same initial weights.

Each script runs in a fresh directory holding ``MNIST_Data/train`` and ``MNIST_Data/test``
(the bundled subset), after ``numpy.random.seed(0)``: MindSpore draws its initial weights
from NumPy's global generator, and so does minispore, so both start from the same weights.
Printed numbers must agree within 1e-5 relative; the rest of the text exactly (up to the
column padding NumPy chooses from the values).
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
RECORDED = ROOT / "tests" / "fixtures" / "clients"
MNIST = ROOT / "examples" / "lenet5" / "data" / "mnist-5k"
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
RUNNER = "import runpy, sys, numpy; numpy.random.seed(0); runpy.run_path(sys.argv[1], run_name='__main__')"


def _mnist_tree(root: Path) -> None:
    for split, prefix in (("train", "train"), ("test", "t10k")):
        folder = root / "MNIST_Data" / split
        folder.mkdir(parents=True)
        for kind in ("images-idx3-ubyte", "labels-idx1-ubyte"):
            with gzip.open(MNIST / f"{prefix}-{kind}.gz") as src, open(folder / f"{prefix}-{kind}", "wb") as dst:
                shutil.copyfileobj(src, dst)


def _run(name: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    _mnist_tree(cwd)
    script = HERE / "scripts" / f"{name}.py"
    return subprocess.run(
        [sys.executable, "-c", RUNNER, str(script)], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def _assert_same_print(ours: str, theirs: str) -> None:
    """Same text once numbers are masked and runs of spaces (array column widths) collapsed;
    numbers within 1e-5 relative."""
    assert re.sub(r" +", " ", NUMBER.sub("#", ours)) == re.sub(r" +", " ", NUMBER.sub("#", theirs))
    got = [float(x) for x in NUMBER.findall(ours)]
    want = [float(x) for x in NUMBER.findall(theirs)]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_beginner_model_prints_what_mindspore_prints(tmp_path: Path) -> None:
    result = _run("beginner_model", tmp_path)
    assert result.returncode == 0, result.stderr
    _assert_same_print(result.stdout, (RECORDED / "beginner_model.txt").read_text())


def test_beginner_save_load_runs_until_mindir_export(tmp_path: Path) -> None:
    """The checkpoint half runs as in MindSpore; MindIR export stops with the error that names the fix."""
    result = _run("beginner_save_load", tmp_path)
    recorded = (RECORDED / "beginner_save_load.txt").read_text().splitlines()
    assert result.stdout.splitlines() == recorded[:1]
    assert result.returncode != 0
    assert "NotImplementedError: 'mindspore.export' is out of minispore's scope" in result.stderr
    assert "ms.save_checkpoint" in result.stderr


def test_modelzoo_lenet_trains_one_epoch_like_mindspore(tmp_path: Path) -> None:
    """The model zoo's LeNet ``train.py`` with its own knobs (``--epoch_size 1``): the same
    configuration print-out, step lines and checkpoint as MindSpore. It calls ``set_seed(1)``,
    so both start from the same weights, but each shuffles MNIST with its own generator:
    the losses are compared as an epoch mean (within 1%), not step by step."""
    pytest.importorskip("yaml", reason="the model zoo's config loader needs PyYAML: pip install -e '.[dev]'")
    _mnist_tree(tmp_path)
    args = ["--data_path", f"{tmp_path}/MNIST_Data", "--device_target", "CPU", "--epoch_size", "1"]
    args += ["--ckpt_path", f"{tmp_path}/ckpt"]
    result = subprocess.run(
        [sys.executable, "-B", "train.py", *args],
        cwd=HERE / "modelzoo_lenet",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    ours = result.stdout.replace(str(HERE / "modelzoo_lenet"), "<script>").replace(str(tmp_path), "<tmp>").splitlines()
    theirs = (RECORDED / "modelzoo_lenet.txt").read_text().splitlines()

    def split(lines: list[str]) -> tuple[list[str], list[str], list[float]]:
        steps = [line for line in lines if line.startswith("epoch: ")]
        other = [line for line in lines if not line.startswith(("epoch: ", "Train epoch time: "))]
        return other, [line.split(",")[0] for line in steps], [float(line.rsplit(" ", 1)[1]) for line in steps]

    (other, steps, losses), (want_other, want_steps, want_losses) = split(ours), split(theirs)
    assert other == want_other
    assert steps == want_steps == [f"epoch: 1 step: {i}" for i in range(1, 126)]
    np.testing.assert_allclose(np.mean(losses), np.mean(want_losses), rtol=1e-2)
    assert (tmp_path / "ckpt" / "checkpoint_lenet-1_125.ckpt").exists()


def test_beginner_quick_start_trains_like_mindspore(tmp_path: Path) -> None:
    """Everything before training prints as in MindSpore; training then learns (both
    frameworks shuffle MNIST with their own generators, so batches and losses differ)."""
    result = _run("beginner_quick_start", tmp_path)
    assert result.returncode == 0, result.stderr
    ours, theirs = result.stdout.splitlines(), (RECORDED / "beginner_quick_start.txt").read_text().splitlines()
    head = theirs.index("Epoch 1")
    assert ours[:head] == theirs[:head]
    assert [line for line in ours if not NUMBER.search(line)] == [line for line in theirs if not NUMBER.search(line)]
    accuracy = [float(line.split()[1].rstrip("%,")) for line in ours if line.strip().startswith("Accuracy:")]
    assert accuracy[-1] > 60.0
