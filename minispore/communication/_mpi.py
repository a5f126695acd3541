"""The MPI world that ``minispore.communication`` runs on (mpi4py, imported on first use).

minispore never opens sockets of its own: the processes of a job are MPI ranks, started by
``mpiexec`` (or the ``msrun`` wrapper), and every collective goes through mpi4py. This module
is the only one that imports ``mpi4py``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

INSTALL_HINT = "pip install 'minispore[mpi]' (mpi4py and the MPICH wheel), then launch with 'mpiexec -n N python ...'"


def mpi() -> ModuleType:
    """The ``mpi4py.MPI`` module.

    Raises:
        RuntimeError: mpi4py (or an MPI library under it) is not installed.
    """
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise RuntimeError(
            f"Distributed training in minispore runs on MPI, but mpi4py cannot be imported ({exc}). "
            f"Install it: {INSTALL_HINT}."
        ) from exc
    return MPI


def world() -> Any:
    """``MPI.COMM_WORLD``: every process of the job."""
    return mpi().COMM_WORLD


def node_local(comm: Any) -> Any:
    """The ranks of ``comm`` that share this machine (``MPI_COMM_TYPE_SHARED``)."""
    MPI = mpi()
    return comm.Split_type(MPI.COMM_TYPE_SHARED, key=comm.Get_rank())


def allreduce_flag(comm: Any, flag: bool) -> bool:
    """Whether ``flag`` is set on any rank of ``comm`` (an in-place MAX of one int32)."""
    MPI = mpi()
    buf = np.array([1 if flag else 0], dtype=np.int32)
    comm.Allreduce(MPI.IN_PLACE, buf, op=MPI.MAX)
    return bool(buf[0])
