"""Collective engines: how one flat gradient buffer is summed across a group's ranks.

Three engines, chosen per (backend, group) by :func:`engine_for`:

- host memory (the NumPy ``"CPU"`` backend): ``MPI_Allreduce(MPI_IN_PLACE, SUM)`` straight
  on the buffer, through mpi4py's buffer API;
- other devices (OpenCL, and CuPy without NCCL): staged through host memory, one copy
  down, the same MPI call, one copy up;
- CuPy with ``init("nccl")``: ``ncclAllReduce`` in place on the device buffer, over a NCCL
  communicator whose unique id rank 0 broadcasts over MPI.

The NCCL path is written against ``cupy.cuda.nccl`` and type-checked, but no GPU was
available to run it when it was written; the MPI paths are tested under ``mpiexec``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from minispore.backend.protocol import Array, Backend
from minispore.communication import _mpi


class Engine(Protocol):
    """Sums a flat float32 buffer across the ranks of a group, in place."""

    def allreduce(self, buffer: Array, scale: float | None) -> None:
        """``buffer = sum over ranks of buffer``, then ``buffer *= float32(scale)`` if a scale is given."""
        ...


class HostMPI:
    """``MPI_Allreduce`` in place on a host (NumPy) buffer."""

    def __init__(self, comm: Any) -> None:
        self._comm = comm
        self._MPI = _mpi.mpi()

    def allreduce(self, buffer: Array, scale: float | None) -> None:
        self._comm.Allreduce(self._MPI.IN_PLACE, buffer, op=self._MPI.SUM)
        if scale is not None:
            np.multiply(buffer, np.float32(scale), out=buffer)


class StagedMPI:
    """``MPI_Allreduce`` on a host copy of a device buffer, written back after."""

    def __init__(self, comm: Any, backend: Backend) -> None:
        self._host = HostMPI(comm)
        self._backend = backend

    def allreduce(self, buffer: Array, scale: float | None) -> None:
        host = self._backend.to_numpy(buffer)
        self._host.allreduce(host, scale)
        self._backend.copy_into(buffer, self._backend.from_numpy(host))


class Nccl:
    """``ncclAllReduce`` in place on a CuPy buffer, on the current stream."""

    def __init__(self, comm: Any, backend: Backend) -> None:
        from cupy.cuda import nccl

        unique_id = nccl.get_unique_id() if comm.Get_rank() == 0 else None
        unique_id = comm.bcast(unique_id, root=0)
        self._nccl = nccl
        self._comm = nccl.NcclCommunicator(comm.Get_size(), unique_id, comm.Get_rank())
        xp = getattr(backend, "xp", None)
        if xp is None:
            raise TypeError(f"NCCL reduces CuPy arrays, but the {backend.device_target} backend has no array module.")
        self._xp: Any = xp

    def allreduce(self, buffer: Array, scale: float | None) -> None:
        stream = self._xp.cuda.get_current_stream().ptr
        ptr = buffer.data.ptr
        self._comm.allReduce(ptr, ptr, buffer.size, self._nccl.NCCL_FLOAT32, self._nccl.NCCL_SUM, stream)
        if scale is not None:
            self._xp.multiply(buffer, np.float32(scale), out=buffer)

    def destroy(self) -> None:
        self._comm.destroy()


_engines: dict[tuple[str, int], Engine] = {}


def _nccl_usable() -> bool:
    try:
        from cupy.cuda import nccl
    except ImportError:
        return False
    return bool(getattr(nccl, "available", True))


def engine_for(backend: Backend, group: str) -> Engine:
    """The engine that reduces ``backend``'s buffers over ``group`` (made once, then cached)."""
    from minispore.communication.management import GlobalComm, get_group

    found = get_group(group)
    key = (found.name, id(backend))
    if key not in _engines:
        engine: Engine
        if getattr(backend, "xp", None) is np:
            engine = HostMPI(found.comm)
        elif backend.device_target == "GPU" and GlobalComm.BACKEND == "nccl" and _nccl_usable():
            engine = Nccl(found.comm, backend)
        else:
            engine = StagedMPI(found.comm, backend)
        _engines[key] = engine
    return _engines[key]


def release(group: str | None = None) -> None:
    """Forget the engines of ``group`` (all groups when None), destroying NCCL communicators."""
    for key in [k for k in _engines if group is None or k[0] == group]:
        engine = _engines.pop(key)
        if isinstance(engine, Nccl):
            engine.destroy()


def gather(backend: Backend, grads: Sequence[Array], buffer: Array) -> None:
    """Copy ``grads`` end to end into the 1-D ``buffer``, cast to its dtype, with one concatenate."""
    xp = getattr(backend, "xp", None)
    if xp is not None:
        xp.concatenate([g.reshape(-1) for g in grads], out=buffer, casting="same_kind")
        return
    flat = [backend.reshape(g, (int(np.prod(g.shape, dtype=np.int64)),)) for g in grads]
    backend.copy_into(buffer, backend.concat(flat, 0))
