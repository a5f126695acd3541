"""Pipeline sources: ``SourceDataset`` and ``ArraySourceDataset`` (rows held as arrays)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from minispore.dataset.block import BLOCK_ROWS, Block
from minispore.dataset.dataset import BlockStream, Dataset
from minispore.dataset.sampling import Sampling


def reject_unsupported(op: str, **args: object) -> None:
    """Refuse MindSpore arguments that minispore does not implement, unless left at None."""
    for name, value in args.items():
        if value is not None:
            raise ValueError(
                f"For '{op}', minispore does not support '{name}', but got {value!r}. Leave it None "
                f"(use 'shuffle' and 'num_samples' to choose rows)."
            )


def sampled_epoch(
    indices: npt.NDArray[np.int64], read: Callable[[npt.NDArray[np.int64]], Iterator[Block]]
) -> Iterator[Block]:
    """One epoch of a random-access source: ``read`` the epoch's ``indices`` a block at a time."""
    for start in range(0, len(indices), BLOCK_ROWS):
        yield from read(indices[start : start + BLOCK_ROWS])


class SourceDataset(Dataset):
    """A pipeline's first node: it produces rows rather than transforming them."""

    def __init__(self, column_names: Sequence[str]) -> None:
        self._column_names = list(column_names)

    def get_col_names(self) -> list[str]:
        return list(self._column_names)


class ArraySourceDataset(SourceDataset):
    """A source whose columns are arrays in memory, with one row per index of axis 0."""

    def __init__(self, column_names: Sequence[str], columns: Sequence[npt.NDArray[Any]], sampling: Sampling) -> None:
        super().__init__(column_names)
        self._columns = tuple(columns)
        self._sampling = sampling

    def _rows_per_epoch(self) -> int:
        return self._sampling.size(len(self._columns[0]))

    def _open(self, seed: np.random.SeedSequence) -> BlockStream:
        next_epoch = self._sampling.epochs(len(self._columns[0]), seed)
        return lambda: sampled_epoch(next_epoch(), self._read)

    def _read(self, indices: npt.NDArray[np.int64]) -> Iterator[Block]:
        yield Block(tuple(column[indices] for column in self._columns))
