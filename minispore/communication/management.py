"""MindSpore's communication API (``mindspore.communication``) on MPI.

``init()`` joins the MPI job that ``mpiexec`` (or ``msrun``) started; the world group is
``MPI.COMM_WORLD`` under MindSpore's names (``"hccl_world_group"`` and friends all mean the
world). Before ``init`` the rank queries answer as MindSpore does: from the environment
(``RANK_ID``, ``RANK_SIZE``, ``LOCAL_RANK``, ``LOCAL_RANK_SIZE``; under MPI launchers their
own variables), or 0 and 1; group management raises.

Example:
    >>> from minispore.communication import get_group_size, get_rank
    >>> get_rank(), get_group_size()  # before init, in a single process
    (0, 1)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from minispore.communication import _mpi

HCCL_WORLD_COMM_GROUP = "hccl_world_group"
NCCL_WORLD_COMM_GROUP = "nccl_world_group"
MCCL_WORLD_COMM_GROUP = "mccl_world_group"
_WORLD_NAMES = (HCCL_WORLD_COMM_GROUP, NCCL_WORLD_COMM_GROUP, MCCL_WORLD_COMM_GROUP)
_BACKEND_OF_DEVICE = {"GPU": "nccl", "CPU": "mccl", "OpenCL": "mccl"}
_NOT_INITED = (
    "Distributed Communication has not been inited.You can't invoke this interface yet. "
    "Please call `init()` method first."
)


class GlobalComm:
    """The process's communication state, as MindSpore's ``GlobalComm``.

    ``BACKEND`` is ``"mccl"`` (MPI) or ``"nccl"``; ``WORLD_COMM_GROUP`` the world group's
    name; ``INITED`` whether :func:`init` ran.
    """

    BACKEND = "hccl"
    WORLD_COMM_GROUP = HCCL_WORLD_COMM_GROUP
    INITED = False


@dataclass
class Group:
    """A communication group: its MPI communicator and its world ranks (sorted)."""

    name: str
    comm: Any
    ranks: tuple[int, ...]
    _local: Any = None

    @property
    def local(self) -> Any:
        """The members of this group on this machine."""
        if self._local is None:
            self._local = _mpi.node_local(self.comm)
        return self._local


_groups: dict[str, Group] = {}


def _env_int(names: tuple[str, ...], default: int) -> int:
    for name in names:
        value = os.environ.get(name)
        if value:
            return int(value)
    return default


def _check_group_arg(op: str, group: Any) -> None:
    if not isinstance(group, str):
        raise TypeError(
            f"For '{op}', the argument 'group' must be type of string, but got 'group' type : {type(group)}."
        )


def get_group(group: str) -> Group:
    """The :class:`Group` named ``group`` (any world name gives the world).

    Raises:
        RuntimeError: :func:`init` has not run.
        ValueError: no group of that name was created on this rank.
    """
    if not GlobalComm.INITED:
        raise RuntimeError(_NOT_INITED)
    name = GlobalComm.WORLD_COMM_GROUP if group in _WORLD_NAMES else group
    if name not in _groups:
        raise ValueError(
            f"The communication group {group!r} does not exist on rank {get_rank()}: create it with "
            f"create_group({group!r}, rank_ids) on every rank in rank_ids first."
        )
    return _groups[name]


def init(backend_name: str | None = None) -> None:
    """Join the job's processes: MindSpore's ``init``, on MPI.

    Launch the script with ``mpiexec -n N python train.py`` or ``msrun --worker_num N``;
    run directly, ``init()`` makes a one-rank world.

    Args:
        backend_name: ``"mccl"`` (MPI; the default on CPU and OpenCL) or ``"nccl"`` (the
            default for ``device_target="GPU"``: gradients are reduced with NCCL through CuPy,
            or with MPI through host memory when NCCL is missing). ``"hccl"`` (Ascend) is
            refused.

    Raises:
        TypeError: ``backend_name`` is not a string.
        RuntimeError: the backend does not fit the device target, or mpi4py is missing.

    Example:
        >>> from minispore.communication import init, get_rank
        >>> init()  # doctest: +SKIP
        >>> get_rank()  # doctest: +SKIP
        0
    """
    from minispore.context import get_context

    device_target = get_context("device_target")
    if backend_name is None:
        if device_target not in _BACKEND_OF_DEVICE:
            raise RuntimeError(
                f"For 'set_context', the argument 'device_target' {device_target} is not supported in parallel "
                "initialization, please use CPU, GPU or OpenCL."
            )
        backend_name = _BACKEND_OF_DEVICE[device_target]
    if not isinstance(backend_name, str):
        raise TypeError(
            f"For 'init', the argument 'backend_name' must be a string, but got the type : {type(backend_name)}"
        )
    if backend_name not in ("hccl", "nccl", "mccl"):
        raise RuntimeError(
            "For 'init', the argument 'backend_name' must be one of 'hccl', 'nccl' and 'mccl', "
            f"but got 'backend_name' : {backend_name}"
        )
    expected = _BACKEND_OF_DEVICE.get(device_target, "hccl")
    if backend_name == "hccl" or (backend_name == "nccl" and device_target != "GPU"):
        raise RuntimeError(
            f"For 'init', the argument 'backend_name' should be '{expected}' to init '{device_target}', "
            f"but got '{backend_name}'."
        )
    world = _mpi.world()
    name = NCCL_WORLD_COMM_GROUP if backend_name == "nccl" else MCCL_WORLD_COMM_GROUP
    _groups[name] = Group(name, world, tuple(range(world.Get_size())))
    GlobalComm.BACKEND = backend_name
    GlobalComm.WORLD_COMM_GROUP = name
    GlobalComm.INITED = True


def release() -> None:
    """Free the groups made by :func:`create_group` and the NCCL communicators.

    The world stays usable; MPI itself is finalized when the process exits.
    """
    from minispore.communication import engines

    engines.release()
    for name in [n for n in _groups if n != GlobalComm.WORLD_COMM_GROUP]:
        _groups.pop(name).comm.Free()


def get_rank(group: str = GlobalComm.WORLD_COMM_GROUP) -> int:
    """This process's rank in ``group`` (before :func:`init`: ``RANK_ID`` or 0).

    Raises:
        TypeError: ``group`` is not a string.
    """
    _check_group_arg("get_rank", group)
    if not GlobalComm.INITED:
        return _env_int(("RANK_ID", "PMI_RANK", "OMPI_COMM_WORLD_RANK"), 0)
    return int(get_group(group).comm.Get_rank())


def get_group_size(group: str = GlobalComm.WORLD_COMM_GROUP) -> int:
    """The number of ranks in ``group`` (before :func:`init`: ``RANK_SIZE`` or 1).

    Raises:
        TypeError: ``group`` is not a string.
    """
    _check_group_arg("get_group_size", group)
    if not GlobalComm.INITED:
        return _env_int(("RANK_SIZE", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE"), 1)
    return int(get_group(group).comm.Get_size())


def get_local_rank(group: str = GlobalComm.WORLD_COMM_GROUP) -> int:
    """This process's rank among the members of ``group`` on this machine
    (before :func:`init`: ``LOCAL_RANK`` or 0).

    Raises:
        TypeError: ``group`` is not a string.
    """
    _check_group_arg("get_local_rank", group)
    if not GlobalComm.INITED:
        return _env_int(("LOCAL_RANK", "MPI_LOCALRANKID", "OMPI_COMM_WORLD_LOCAL_RANK"), 0)
    return int(get_group(group).local.Get_rank())


def get_local_rank_size(group: str = GlobalComm.WORLD_COMM_GROUP) -> int:
    """How many members of ``group`` run on this machine (before :func:`init`:
    ``LOCAL_RANK_SIZE`` or 1).

    Raises:
        TypeError: ``group`` is not a string.
    """
    _check_group_arg("get_local_rank_size", group)
    if not GlobalComm.INITED:
        return _env_int(("LOCAL_RANK_SIZE", "MPI_LOCALNRANKS", "OMPI_COMM_WORLD_LOCAL_SIZE"), 1)
    return int(get_group(group).local.Get_size())


def create_group(group: str, rank_ids: list[int], options: object = None) -> None:
    """Make a group of the world ranks ``rank_ids``; every rank in it must call this.

    Ranks are numbered in the group in increasing world-rank order, as in MindSpore.

    Args:
        group: the new group's name.
        rank_ids: distinct world ranks, this process's among them.
        options: MindSpore's ``GroupOptions`` (HCCL settings); must be None here.

    Raises:
        RuntimeError: :func:`init` has not run.
        TypeError: ``group`` is not a string or ``rank_ids`` is not a list.
        ValueError: ``rank_ids`` is empty, repeats a rank, names a rank outside the world,
            leaves out this process, or ``group`` exists with other ranks.

    Example:
        >>> from minispore.communication import create_group, get_rank
        >>> create_group("pair", [0, 1]) if get_rank() < 2 else None  # doctest: +SKIP
    """
    _check_group_arg("create_group", group)
    if not GlobalComm.INITED:
        raise RuntimeError(_NOT_INITED)
    if group in _groups:
        if list(_groups[group].ranks) != sorted(rank_ids):
            raise ValueError(
                f"The group {group} has been created, the rank_list is {list(_groups[group].ranks)}, "
                f"but current rank_list for the group is {rank_ids}"
            )
        return
    if not isinstance(rank_ids, list):
        raise TypeError(
            f"For 'create_group', the argument 'rank_ids' must be type of list, but got 'rank_ids' type : {type(rank_ids)}."
        )
    if not rank_ids:
        raise ValueError(
            "For 'create_group', the argument 'rank_ids' size should be greater than 1, but got 'rank_ids' size : 0."
        )
    if len(set(rank_ids)) != len(rank_ids):
        raise ValueError(f"List rank_ids in Group {group} has duplicate data!")
    if options is not None:
        raise ValueError(f"For 'create_group', 'options' configures HCCL and must be None here, but got {options!r}.")
    world = _groups[GlobalComm.WORLD_COMM_GROUP].comm
    size, rank = world.Get_size(), world.Get_rank()
    bad = [r for r in rank_ids if not isinstance(r, int) or not 0 <= r < size]
    if bad:
        raise ValueError(f"For 'create_group', 'rank_ids' must be world ranks in [0, {size}), but got {bad}.")
    if rank not in rank_ids:
        raise ValueError(
            f"For 'create_group', only the ranks in 'rank_ids' call create_group, but rank {rank} is not in {rank_ids}."
        )
    ranks = tuple(sorted(rank_ids))
    comm = world.Create_group(world.Get_group().Incl(list(ranks)))
    _groups[group] = Group(group, comm, ranks)


def destroy_group(group: str) -> None:
    """Free a group made by :func:`create_group`.

    Raises:
        RuntimeError: :func:`init` has not run.
        TypeError: ``group`` is not a string.
        ValueError: ``group`` is the world group, or does not exist.
    """
    _check_group_arg("destroy_group", group)
    if not GlobalComm.INITED:
        raise RuntimeError(_NOT_INITED)
    if group in _WORLD_NAMES:
        raise ValueError("The world_group does not support destruction.")
    from minispore.communication import engines

    engines.release(group)
    get_group(group).comm.Free()
    del _groups[group]
