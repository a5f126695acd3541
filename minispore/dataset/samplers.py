"""Sharding a source across data-parallel ranks: ``num_shards``/``shard_id`` and ``DistributedSampler``.

MindSpore's dealing, which minispore reproduces exactly: the rows of an epoch (in order, or
shuffled) are padded by wrapping around to ``N * ceil(n / N)`` and dealt round-robin, so shard
``s`` reads positions ``s, s + N, s + 2N, …``. Every shard reads ``ceil(n / N)`` rows (at most
``num_samples``); the shards of an epoch together read every row, the first
``N * ceil(n / N) - n`` twice.

Shuffled, the permutation is MindSpore's own (:mod:`minispore.dataset.mt_shuffle`): the first
epoch shuffles ``0 … n-1`` with ``std::mt19937(seed + 1)``, each later epoch shuffles the
previous permutation again with the next seed, where ``seed`` is ``ms.set_seed``'s value or
MindSpore's default dataset seed 5489. Every rank, and every new iterator, starts from the same
permutation, so the shards never overlap.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from minispore.context import get_seed
from minispore.dataset.mt_shuffle import std_shuffle

# MindSpore's default dataset seed (``mindspore.dataset.config.get_seed()``, std::mt19937's default).
DEFAULT_DATASET_SEED = 5489


def _check_int(name: str, value: object) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"Argument {name} with value {value!r} is not of type [<class 'int'>], but got {type(value)}.")
    return int(value)


def dataset_seed() -> int:
    """``ms.set_seed``'s value, else MindSpore's default dataset seed (read when a source is made)."""
    seed = get_seed()
    return DEFAULT_DATASET_SEED if seed is None else seed


@dataclass(frozen=True)
class Shards:
    """Shard ``shard_id`` of ``num_shards``, shuffled from ``seed`` (taken when the source is made)."""

    num_shards: int
    shard_id: int
    seed: int = field(default_factory=dataset_seed)

    @classmethod
    def from_args(cls, num_shards: object, shard_id: object) -> Shards | None:
        """Validate MindSpore's ``num_shards`` and ``shard_id`` (both None: no sharding).

        Raises:
            ValueError: only one is given, ``num_shards < 1``, or ``shard_id`` is outside
                ``[0, num_shards)``.
            TypeError: either is not an int.
        """
        if num_shards is None and shard_id is None:
            return None
        if num_shards is None or shard_id is None:
            raise ValueError("num_shards and shard_id need to be passed in together.")
        shards, shard = _check_int("num_shards", num_shards), _check_int("shard_id", shard_id)
        if shards < 1:
            raise ValueError(
                f"Input num_shards is not within the required interval of [1, 2147483647], but got {shards}."
            )
        if shard < 0:
            raise ValueError(f"Input shard_id is not within the required interval of [0, 2147483647], but got {shard}.")
        if shard >= shards:
            raise ValueError("shard_id should be less than num_shards.")
        return cls(shards, shard)

    def per_shard(self, num_rows: int) -> int:
        """``ceil(num_rows / num_shards)``: the rows of every shard after padding."""
        return math.ceil(num_rows / self.num_shards)

    def deal(self, order: npt.NDArray[np.int64], count: int) -> npt.NDArray[np.int64]:
        """This shard's first ``count`` rows of ``order``, padded by wrapping and dealt round-robin."""
        padded = np.resize(order, self.per_shard(len(order)) * self.num_shards)
        return padded[self.shard_id :: self.num_shards][:count].astype(np.int64)


class ShardEpochs:
    """One iterator's epochs of a shard: each call returns the next epoch's row indices.

    Args:
        shards: which shard.
        num_rows: rows in the source.
        shuffle: MindSpore's shuffle, as the module docstring says.
        count: rows per epoch for this shard (``ceil(n / N)``, or fewer with ``num_samples``).
    """

    def __init__(self, shards: Shards, num_rows: int, shuffle: bool, count: int) -> None:
        self._shards = shards
        self._shuffle = shuffle
        self._count = count
        self._order = np.arange(num_rows, dtype=np.int64)
        self._seed = shards.seed + 1

    def __call__(self) -> npt.NDArray[np.int64]:
        if self._shuffle:
            self._order = std_shuffle(self._order, self._seed)
            self._seed += 1
        return self._shards.deal(self._order, self._count)


class DistributedSampler:
    """Read one shard of a source (MindSpore's ``mindspore.dataset.DistributedSampler``).

    Pass it as ``sampler=`` to a source; it is the same as giving the source ``num_shards``,
    ``shard_id``, ``shuffle`` and ``num_samples``. See the module docstring for the dealing.

    Args:
        num_shards: how many shards (ranks).
        shard_id: this shard, in ``[0, num_shards)``.
        shuffle: one new permutation per epoch, the same on every rank (default True).
        num_samples: at most this many rows for this shard (None: all of them).
        offset: MindSpore's ConcatDataset offset; only -1 (the default) is supported.

    Raises:
        TypeError: an argument has the wrong type.
        ValueError: ``num_shards < 1``, ``shard_id`` out of range, ``num_samples < 0`` or
            an ``offset`` other than -1.

    Example:
        >>> import numpy as np
        >>> import minispore.dataset as ds
        >>> sampler = ds.DistributedSampler(num_shards=2, shard_id=1, shuffle=False)
        >>> data = ds.NumpySlicesDataset({"x": np.arange(7)}, sampler=sampler)
        >>> [int(x) for (x,) in data.create_tuple_iterator(output_numpy=True)]
        [1, 3, 5, 0]
    """

    def __init__(
        self, num_shards: int, shard_id: int, shuffle: bool = True, num_samples: int | None = None, offset: int = -1
    ) -> None:
        if not isinstance(num_shards, int):
            raise TypeError(f"num_shards must be integer but was: {num_shards}.")
        if not isinstance(shard_id, int):
            raise TypeError(f"shard_id must be integer but was: {shard_id}.")
        if not isinstance(shuffle, bool):
            raise TypeError(f"shuffle must be a boolean value or valid shuffle mode but was: {shuffle}.")
        if num_samples is not None and (not isinstance(num_samples, int) or num_samples < 0):
            raise ValueError(f"num_samples exceeds the boundary between 0 and {2**63 - 1}(INT64_MAX)!")
        if offset != -1:
            raise ValueError(f"For 'DistributedSampler', minispore supports only offset=-1, but got {offset!r}.")
        shards = Shards.from_args(num_shards, shard_id)
        assert shards is not None
        self.shards = shards
        self.shuffle = shuffle
        self.num_samples = num_samples

    @property
    def num_shards(self) -> int:
        """How many shards the rows are dealt into."""
        return self.shards.num_shards

    @property
    def shard_id(self) -> int:
        """Which shard this sampler reads (0-based)."""
        return self.shards.shard_id
