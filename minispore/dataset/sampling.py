"""Which rows a random-access source reads each epoch, and the seed of a pipeline's randomness.

Randomness in a pipeline (a source's shuffle, ``Dataset.shuffle``) is drawn from generators
seeded when an iterator is created: from ``ms.set_seed``'s seed when one was set, so that the
order is reproducible, or from fresh entropy otherwise. Generators live as long as the
iterator, so each epoch (and each repetition of ``repeat``) gets a new order.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from minispore.context import get_seed


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
    """

    shuffle: bool
    num_samples: int | None

    @classmethod
    def from_args(cls, op: str, shuffle: bool | None, num_samples: int | None) -> Sampling:
        """Validate MindSpore's ``shuffle`` (None means True) and ``num_samples`` (None or 0: all)."""
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
        return cls(shuffle=shuffle is not False, num_samples=int(num_samples) if num_samples else None)

    def size(self, num_rows: int) -> int:
        """Rows read per epoch."""
        return num_rows if self.num_samples is None else min(self.num_samples, num_rows)

    def indices(self, num_rows: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
        """The row indices of one epoch, in reading order."""
        count = self.size(num_rows)
        if not self.shuffle:
            return np.arange(count, dtype=np.int64)
        if self.num_samples is None:
            return rng.permutation(num_rows).astype(np.int64)
        return rng.integers(0, num_rows, size=count, dtype=np.int64)
