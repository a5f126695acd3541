"""Which rows a random-access source reads each epoch, and the seed of a pipeline's randomness.

Randomness in a pipeline (a source's shuffle, ``Dataset.shuffle``) is drawn from generators
seeded when an iterator is created: from ``ms.set_seed``'s seed when one was set, so that the
order is reproducible, or from fresh entropy otherwise. Generators live as long as the
iterator, so each epoch (and each repetition of ``repeat``) gets a new order.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from minispore.context import get_seed
from minispore.dataset.samplers import DistributedSampler, ShardEpochs, Shards


def pipeline_seed() -> np.random.SeedSequence:
    """The root seed for a new iterator: ``ms.set_seed``'s value, or fresh entropy."""
    return np.random.SeedSequence(get_seed())


@dataclass(frozen=True)
class Sampling:
    """How a random-access source with ``num_rows`` rows is read each epoch.

    As MindSpore's samplers: without shuffling, the first ``num_samples`` rows in order;
    shuffled, a new permutation every epoch. Shuffled with ``num_samples`` set, MindSpore
    draws ``num_samples`` indices uniformly **with replacement** (its
    ``RandomSampler(replacement=True)``), and so does minispore.

    Sharded (``shards`` set), the rows are dealt as MindSpore's ``DistributedSampler`` deals
    them (see :mod:`minispore.dataset.samplers`): shuffled, with MindSpore's own permutations.
    """

    shuffle: bool
    num_samples: int | None
    shards: Shards | None = None

    @classmethod
    def from_args(
        cls,
        op: str,
        shuffle: bool | None,
        num_samples: int | None,
        num_shards: int | None = None,
        shard_id: int | None = None,
        sampler: object = None,
    ) -> Sampling:
        """Validate MindSpore's ``shuffle`` (None means True), ``num_samples`` (None or 0: all),
        ``num_shards``/``shard_id`` and ``sampler`` (a :class:`DistributedSampler` or None).

        Raises:
            TypeError: ``shuffle`` is not a bool or None; a shard argument is not an int.
            ValueError: ``num_samples`` is negative; the shard arguments are inconsistent; a
                sampler comes with ``shuffle``, ``num_samples`` or shard arguments; a sampler
                other than ``DistributedSampler``.
        """
        if sampler is not None:
            if any(arg is not None for arg in (shuffle, num_samples, num_shards, shard_id)):
                raise ValueError(
                    f"Conflicting arguments during sampler assignments. num_samples: {num_samples}, "
                    f"num_shards: {num_shards}, shard_id: {shard_id}, shuffle: {shuffle}."
                )
            if not isinstance(sampler, DistributedSampler):
                raise ValueError(
                    f"For '{op}', minispore supports 'sampler'=DistributedSampler only, but got "
                    f"{type(sampler).__name__}. Use 'shuffle' and 'num_samples' to choose rows."
                )
            return cls(sampler.shuffle, sampler.num_samples or None, sampler.shards)
        if shuffle is not None and not isinstance(shuffle, bool):
            raise TypeError(
                f"For '{op}', 'shuffle' must be a bool or None, but got {type(shuffle).__name__} {shuffle!r}."
            )
        if num_samples is not None and (
            not isinstance(num_samples, numbers.Integral) or isinstance(num_samples, bool) or num_samples < 0
        ):
            raise ValueError(
                f"For '{op}', 'num_samples' must be None or an int >= 0 (0 reads every row), but got {num_samples!r}."
            )
        return cls(
            shuffle=shuffle is not False,
            num_samples=int(num_samples) if num_samples else None,
            shards=Shards.from_args(num_shards, shard_id),
        )

    def epochs(self, num_rows: int, seed: np.random.SeedSequence) -> Callable[[], npt.NDArray[np.int64]]:
        """For one iterator: a function returning each successive epoch's row indices."""
        if self.shards is None:
            rng = np.random.default_rng(seed)
            return lambda: self.indices(num_rows, rng)
        return ShardEpochs(self.shards, num_rows, self.shuffle, self.size(num_rows))

    def size(self, num_rows: int) -> int:
        """Rows read per epoch."""
        rows = num_rows if self.shards is None else self.shards.per_shard(num_rows)
        return rows if self.num_samples is None else min(self.num_samples, rows)

    def indices(self, num_rows: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
        """The row indices of one epoch, in reading order."""
        count = self.size(num_rows)
        if not self.shuffle:
            return np.arange(count, dtype=np.int64)
        if self.num_samples is None:
            return rng.permutation(num_rows).astype(np.int64)
        return rng.integers(0, num_rows, size=count, dtype=np.int64)
