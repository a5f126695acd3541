"""The NCCL engine's wiring, against a stub of ``cupy.cuda.nccl`` (no GPU was available).

This checks only what minispore sends to NCCL: the unique id made on rank 0 and broadcast
over MPI, the communicator's (size, id, rank), and one in-place float32 SUM allreduce of the
whole buffer on the current stream, then the scale. Running it for real needs CuPy, NCCL and
GPUs.
"""

from __future__ import annotations

import sys
import types
from typing import Any

import numpy as np
import pytest

from minispore.communication import engines


class FakeComm:
    """An MPI communicator of ``size`` ranks seen from ``rank``; ``bcast`` returns rank 0's object."""

    def __init__(self, rank: int, size: int, root_object: object) -> None:
        self.rank, self.size, self.root_object = rank, size, root_object
        self.broadcasts: list[object] = []

    def Get_rank(self) -> int:
        return self.rank

    def Get_size(self) -> int:
        return self.size

    def bcast(self, obj: object, root: int) -> object:
        self.broadcasts.append(obj)
        return self.root_object


class FakeNcclCommunicator:
    def __init__(self, size: int, unique_id: object, rank: int) -> None:
        self.args = (size, unique_id, rank)
        self.calls: list[tuple[Any, ...]] = []
        self.destroyed = False

    def allReduce(self, *args: Any) -> None:
        self.calls.append(args)

    def destroy(self) -> None:
        self.destroyed = True


@pytest.fixture
def nccl(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    module = types.ModuleType("cupy.cuda.nccl")
    module.get_unique_id = lambda: "uid-from-rank-0"  # type: ignore[attr-defined]
    module.NcclCommunicator = FakeNcclCommunicator  # type: ignore[attr-defined]
    module.NCCL_FLOAT32 = 7  # type: ignore[attr-defined]
    module.NCCL_SUM = 0  # type: ignore[attr-defined]
    cuda = types.ModuleType("cupy.cuda")
    cuda.nccl = module  # type: ignore[attr-defined]
    cupy = types.ModuleType("cupy")
    cupy.cuda = cuda  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cupy", cupy)
    monkeypatch.setitem(sys.modules, "cupy.cuda", cuda)
    monkeypatch.setitem(sys.modules, "cupy.cuda.nccl", module)
    return module


class FakeCupyBackend:
    device_target = "GPU"

    def __init__(self) -> None:
        self.scaled: list[tuple[Any, np.float32]] = []
        stream = types.SimpleNamespace(ptr=99)
        self.xp = types.SimpleNamespace(
            cuda=types.SimpleNamespace(get_current_stream=lambda: stream),
            multiply=lambda buf, factor, out: self.scaled.append((out, factor)),
        )


@pytest.mark.parametrize("rank", [0, 1])
def test_unique_id_comes_from_rank_0_over_mpi(nccl: types.ModuleType, rank: int) -> None:
    comm = FakeComm(rank, 2, "uid-from-rank-0")
    engine = engines.Nccl(comm, FakeCupyBackend())  # type: ignore[arg-type]
    assert comm.broadcasts == ["uid-from-rank-0" if rank == 0 else None]
    assert engine._comm.args == (2, "uid-from-rank-0", rank)


def test_one_in_place_float32_sum_then_the_scale(nccl: types.ModuleType) -> None:
    backend = FakeCupyBackend()
    engine = engines.Nccl(FakeComm(0, 2, "uid"), backend)  # type: ignore[arg-type]
    buffer = types.SimpleNamespace(data=types.SimpleNamespace(ptr=4096), size=61684)
    engine.allreduce(buffer, 0.5)
    assert engine._comm.calls == [(4096, 4096, 61684, 7, 0, 99)]
    assert backend.scaled == [(buffer, np.float32(0.5))]
    engine.allreduce(buffer, None)
    assert len(backend.scaled) == 1
    engine.destroy()
    assert engine._comm.destroyed
