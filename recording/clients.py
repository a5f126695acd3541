"""Record what the client scripts of ``tests/clients/scripts`` print under MindSpore 2.10.

Run with the real MindSpore 2.10.0 CPU wheel (numpy 1.26.4)::

    /work/msvenv/bin/python recording/clients.py [NAME ...]

``modelzoo_lenet`` runs the model zoo's LeNet ``train.py`` for one epoch instead.

Each script is run as the client wrote it: the only change minispore made
(``mindspore`` -> ``minispore`` in the imports) is undone. It runs in a fresh directory
holding ``MNIST_Data/train`` and ``MNIST_Data/test`` (the bundled 5,000-image subset,
decompressed), after ``numpy.random.seed(0)``: MindSpore draws every initializer's seed
from NumPy's global generator, so minispore, seeded the same way, starts from the same
weights. What it prints goes to ``tests/fixtures/clients/<name>.txt``.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import runpy
import shutil
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "tests" / "clients" / "scripts"
MODELZOO_LENET = ROOT / "tests" / "clients" / "modelzoo_lenet"
OUT = ROOT / "tests" / "fixtures" / "clients"
MNIST = ROOT / "examples" / "lenet5" / "data" / "mnist-5k"


def mnist_tree(root: Path) -> None:
    """``root/MNIST_Data/{train,test}`` with the uncompressed IDX files."""
    for split, prefix in (("train", "train"), ("test", "t10k")):
        folder = root / "MNIST_Data" / split
        folder.mkdir(parents=True)
        for kind in ("images-idx3-ubyte", "labels-idx1-ubyte"):
            with gzip.open(MNIST / f"{prefix}-{kind}.gz") as src, open(folder / f"{prefix}-{kind}", "wb") as dst:
                shutil.copyfileobj(src, dst)


def record(name: str) -> None:
    source = (SCRIPTS / f"{name}.py").read_text().replace("minispore", "mindspore")
    printed = io.StringIO()
    with tempfile.TemporaryDirectory() as tmp:
        mnist_tree(Path(tmp))
        script = Path(tmp) / f"{name}.py"
        script.write_text(source)
        cwd = os.getcwd()
        os.chdir(tmp)
        np.random.seed(0)
        try:
            with contextlib.redirect_stdout(printed):
                runpy.run_path(str(script), run_name="__main__")
        except Exception:  # the script's own failure is part of the record
            printed.write("Traceback (most recent call last):\n" + traceback.format_exc().splitlines()[-1] + "\n")
        finally:
            os.chdir(cwd)
    (OUT / f"{name}.txt").write_text(printed.getvalue())
    print(f"{name}: {len(printed.getvalue().splitlines())} lines")


def record_modelzoo_lenet() -> None:
    """The model zoo's LeNet ``train.py`` for one epoch (its own ``--epoch_size`` knob)."""
    with tempfile.TemporaryDirectory() as tmp:
        mnist_tree(Path(tmp))
        shutil.copytree(MODELZOO_LENET, Path(tmp) / "lenet")
        for path in (Path(tmp) / "lenet").rglob("*.py"):
            path.write_text(path.read_text().replace("minispore", "mindspore"))
        args = ["--data_path", f"{tmp}/MNIST_Data", "--device_target", "CPU", "--epoch_size", "1"]
        args += ["--ckpt_path", f"{tmp}/ckpt"]
        result = subprocess.run(
            [sys.executable, "train.py", *args], cwd=Path(tmp) / "lenet", capture_output=True, text=True, check=True
        )
    printed = result.stdout.replace(f"{tmp}/lenet", "<script>").replace(tmp, "<tmp>")
    (OUT / "modelzoo_lenet.txt").write_text(printed)
    print(f"modelzoo_lenet: {len(result.stdout.splitlines())} lines")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    names = sys.argv[1:] or [*sorted(p.stem for p in SCRIPTS.glob("*.py")), "modelzoo_lenet"]
    for name in names:
        if name == "modelzoo_lenet":
            record_modelzoo_lenet()
        else:
            record(name)


if __name__ == "__main__":
    main()
