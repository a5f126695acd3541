"""The wheel holds every file the packages read at run time (kernel sources, reference data).

The wheel is built from a copy of the tracked files, as from a clean clone, so files that
only exist in this checkout (build outputs, an editable install's metadata) cannot hide a
missing package-data rule.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPILED = {".so", ".pyd", ".dll", ".dylib", ".o", ".obj", ".pyc"}


def _tracked_files() -> list[str]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"the wheel check copies the files git tracks, and git ls-files failed here: {exc}")
    return [name for name in out.split("\0") if name and (ROOT / name).is_file()]


def _installed_path(source: str) -> str | None:
    """Where a tracked file lands inside the wheel, or None when it is not under a package."""
    parts = PurePosixPath(source).parts
    if parts[0] == "minispore":
        return source
    if parts[0] == "backends" and len(parts) > 2 and parts[1].startswith("minispore"):
        return str(PurePosixPath(*parts[1:]))
    return None


def _runtime_data(tracked: list[str]) -> set[str]:
    """Every non-Python file under the packages: what the code may open at run time."""
    wanted = set()
    for source in tracked:
        target = _installed_path(source)
        suffix = PurePosixPath(source).suffix
        if target is not None and suffix not in {".py", *COMPILED}:
            wanted.add(target)
    return wanted


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[zipfile.ZipFile, list[str]]:
    tracked = _tracked_files()
    src = tmp_path_factory.mktemp("clone")
    for name in tracked:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("wheel")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(src)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}"
    (built,) = out.glob("minispore-*.whl")
    return zipfile.ZipFile(built), tracked


@pytest.mark.slow
def test_wheel_has_every_runtime_file(wheel: tuple[zipfile.ZipFile, list[str]]) -> None:
    archive, tracked = wheel
    names = set(archive.namelist())
    wanted = _runtime_data(tracked)
    # The walk sees the backends' sources too (a missing *.h once broke the GPU kernel build).
    assert any(name.startswith("minispore_numpy/") and not name.endswith("py.typed") for name in wanted)
    missing = sorted(wanted - names)
    assert not missing, f"the wheel lacks {missing}; add their patterns to [tool.setuptools.package-data]"


@pytest.mark.slow
def test_wheel_has_every_module_and_the_metadata(wheel: tuple[zipfile.ZipFile, list[str]]) -> None:
    archive, tracked = wheel
    names = set(archive.namelist())
    modules = {t for s in tracked if s.endswith(".py") and (t := _installed_path(s)) is not None}
    assert not sorted(modules - names)
    for package in ("minispore", "minispore_numpy", "minispore_opencl", "minispore_cupy"):
        assert f"{package}/py.typed" in names, f"{package} is typed but ships no py.typed marker"
    (meta,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    metadata = archive.read(meta).decode()
    assert "License-Expression: Apache-2.0" in metadata
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    (eps,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    entry_points = archive.read(eps).decode()
    for target in ("CPU", "GPU", "OpenCL"):
        assert f"{target} = minispore_" in entry_points
