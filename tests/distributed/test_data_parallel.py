"""Data parallelism under real MPI: each test module run launches ``mpiexec -n 2`` and ``-n 3``.

The workers (``worker_lenet.py``, ``worker_api.py``) write their results; these tests read
them. Three ranks on a 2-core machine run with ``MPIR_CVAR_ENABLE_HEAVY_YIELD=1`` (MPICH
otherwise busy-polls). Skipped when mpiexec or mpi4py is not installed
(``pip install 'minispore[mpi]'``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from minispore.backend import available_backends

HERE = Path(__file__).resolve().parent
MPIEXEC = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")
try:
    import mpi4py  # noqa: F401

    HAVE_MPI4PY = True
except ImportError:
    HAVE_MPI4PY = False

pytestmark = pytest.mark.skipif(
    MPIEXEC is None or not HAVE_MPI4PY, reason="mpiexec/mpi4py not installed: pip install 'minispore[mpi]'"
)


def runs(*cases: tuple[int, str]) -> list[Any]:
    """``(ranks, device)`` fixture params: skipped where the device is unavailable or not in
    ``MINISPORE_TEST_DEVICES`` (so that each per-device CI session runs its own)."""
    wanted = {d.strip().lower() for d in os.environ.get("MINISPORE_TEST_DEVICES", "").split(",") if d.strip()}
    available = available_backends()
    params = []
    for ranks, device in cases:
        marks = []
        if device not in available or not available[device].available:
            marks.append(pytest.mark.skip(reason=f"{device} backend unavailable"))
        elif wanted and device.lower() not in wanted:
            marks.append(pytest.mark.skip(reason=f"{device} not in MINISPORE_TEST_DEVICES"))
        params.append(pytest.param((ranks, device), marks=marks, id=f"{ranks}ranks-{device}"))
    return params


def launch(ranks: int, worker: str, out: Path, device: str = "CPU") -> None:
    """Run ``worker`` on ``ranks`` MPI processes; fail with their output if any rank fails."""
    assert MPIEXEC is not None
    env = {**os.environ, "MPIR_CVAR_ENABLE_HEAVY_YIELD": "1", "OMP_NUM_THREADS": "1", "MINISPORE_DEVICE": device}
    done = subprocess.run(
        [MPIEXEC, "-n", str(ranks), sys.executable, str(HERE / worker), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, f"mpiexec -n {ranks} {worker} failed:\n{done.stdout}\n{done.stderr}"


# LeNet5 on OpenCL (PoCL) gives the same results but takes over a minute on 2 cores:
# MINISPORE_DEVICE=OpenCL mpiexec -n 2 python tests/distributed/worker_lenet.py OUT
@pytest.fixture(scope="module", params=runs((2, "CPU"), (3, "CPU")))
def lenet_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    ranks, device = request.param
    out = tmp_path_factory.mktemp(f"lenet{ranks}")
    launch(ranks, "worker_lenet.py", out, device)
    return ranks, out


# Not on GPU: NCCL needs one GPU per rank (and was never run; see test_engines.py).
@pytest.fixture(scope="module", params=runs((2, "CPU"), (3, "CPU"), (2, "OpenCL")))
def api_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    ranks, device = request.param
    out = tmp_path_factory.mktemp(f"api{ranks}{device}")
    launch(ranks, "worker_api.py", out, device)
    results = [json.loads((out / f"rank{r}.json").read_text()) for r in range(ranks)]
    for result in results:
        assert result["reducer"]["device"] == device
        assert result["reducer"]["engine"] == {"CPU": "HostMPI", "OpenCL": "StagedMPI"}[device]
    return results


def params(out: Path, name: str) -> np.ndarray[Any, Any]:
    loaded: np.ndarray[Any, Any] = np.load(out / f"{name}.npz")["params"]
    return loaded


def test_every_rank_holds_identical_parameters_after_every_step(lenet_run: tuple[int, Path]) -> None:
    ranks, out = lenet_run
    first = params(out, "rank0")
    assert first.shape[0] == 20
    for r in range(1, ranks):
        np.testing.assert_array_equal(params(out, f"rank{r}"), first)


def test_matches_one_process_with_the_global_batch(lenet_run: tuple[int, Path]) -> None:
    _, out = lenet_run
    dp, reference = params(out, "rank0"), params(out, "reference")
    assert np.abs(dp[-1] - dp[0]).max() > 1e-3  # the parameters did move
    np.testing.assert_allclose(dp, reference, rtol=0, atol=1e-6)


def test_one_process_simulation_of_two_ranks_is_bit_identical(lenet_run: tuple[int, Path]) -> None:
    ranks, out = lenet_run
    if ranks != 2:
        pytest.skip("three summands: the sum's order is the MPI library's choice")
    np.testing.assert_array_equal(params(out, "rank0"), params(out, "simulation"))


def test_rank_queries_before_and_after_init(api_run: list[dict[str, Any]]) -> None:
    size = len(api_run)
    for r, result in enumerate(api_run):
        assert result["before_init"] == {"rank": r, "size": size}  # from the launcher's environment
        assert "Please call `init()` method first" in result["early_error"]
        assert result["world_group"] == "mccl_world_group"
        assert (result["rank"], result["size"], result["hccl_alias_rank"]) == (r, size, r)
        assert (result["local_rank"], result["local_size"]) == (r, size)


def test_reducer_sums_or_averages_each_dtype_in_one_buffer(api_run: list[dict[str, Any]]) -> None:
    size = len(api_run)
    total = size * (size + 1) / 2
    for r, result in enumerate(api_run):
        reducer = result["reducer"]
        assert reducer["buckets"] == 2  # float32 and float16; the layerwise-parallel one stays local
        assert reducer["dtypes"] == ["Float32", "Float16", "Float32", "Float32"]
        for grads, factor in ((reducer["sum"], 1.0), (reducer["mean"], float(np.float32(1.0 / size)))):
            for g in grads[:3]:
                np.testing.assert_allclose(np.asarray(g).ravel(), np.float32(total) * np.float32(factor), rtol=1e-3)
            assert grads[3] == [r + 1.0]


def test_groups_reduce_among_their_members_only(api_run: list[dict[str, Any]]) -> None:
    size = len(api_run)
    members = [size - 2, size - 1]
    for r, result in enumerate(api_run):
        if r not in members:
            assert result["group"] == {}
            continue
        assert result["group"] == {"rank": members.index(r), "size": 2, "sum": [float(sum(members))] * 3}


def test_overflow_on_one_rank_skips_the_step_on_every_rank(api_run: list[dict[str, Any]]) -> None:
    runs = [result["overflow"] for result in api_run]
    for run in runs:
        assert run["overflow"] == [False, True, False, True, False]
        assert run["global_step"] == 3
        assert run["weights"][1] == run["weights"][0] and run["weights"][3] == run["weights"][2]
    assert all(run == runs[0] for run in runs)
