"""``Block``: consecutive rows of a pipeline, stacked column by column.

Rows flow through a pipeline in blocks so that NumPy handles many rows per call: a source
reads a few hundred rows with one fancy index, and the built-in transforms run on the whole
stack. A block holds one array per column whose first axis indexes its rows; rows in a block
share their shapes and dtypes (rows that differ go to separate blocks).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Row = tuple[npt.NDArray[Any], ...]
"""One row: one array per column."""

BLOCK_ROWS = 256
"""How many rows a source reads at once."""


@dataclass(frozen=True)
class Block:
    """Rows stacked per column: ``columns[j][i]`` is column ``j`` of row ``i``."""

    columns: tuple[npt.NDArray[Any], ...]

    @property
    def num_rows(self) -> int:
        return int(self.columns[0].shape[0])

    def rows(self) -> Iterator[Row]:
        """Each row, as views into the block (0-d arrays for scalar columns)."""
        for i in range(self.num_rows):
            yield tuple(c[i, ...] for c in self.columns)

    def slice(self, start: int, stop: int) -> Block:
        """Rows ``start`` to ``stop`` (views)."""
        return Block(tuple(c[start:stop] for c in self.columns))

    def select(self, indices: Sequence[int]) -> Block:
        """The columns at ``indices``, in that order."""
        return Block(tuple(self.columns[i] for i in indices))


def stack_rows(rows: Iterable[Row], max_rows: int = BLOCK_ROWS) -> Iterator[Block]:
    """Group consecutive rows into blocks of at most ``max_rows`` rows.

    A new block starts whenever a row's column count, shapes or dtypes differ from the
    previous row's, so ragged data passes through one row per block.

    Example:
        >>> import numpy as np
        >>> rows = [(np.zeros(2),), (np.ones(2),), (np.ones(3),)]
        >>> [b.columns[0].shape for b in stack_rows(rows)]
        [(2, 2), (1, 3)]
    """
    group: list[Row] = []
    key: tuple[tuple[tuple[int, ...], np.dtype[Any]], ...] = ()
    for row in rows:
        row_key = tuple((c.shape, c.dtype) for c in row)
        if group and (row_key != key or len(group) == max_rows):
            yield _stack(group)
            group = []
        key = row_key
        group.append(row)
    if group:
        yield _stack(group)


def _stack(rows: list[Row]) -> Block:
    return Block(tuple(np.stack(column) for column in zip(*rows)))


def to_row(value: object) -> Row:
    """Convert what a user function returns into a row, as MindSpore does.

    A tuple or list gives one column per element; anything else (an array, a number, a
    Tensor) is a single column. Python ints become int64 and floats float64, as in NumPy.

    Raises:
        TypeError: an element does not convert to a numeric, bool or string array.
    """
    items = list(value) if isinstance(value, tuple | list) else [value]
    return tuple(_to_array(item, index) for index, item in enumerate(items))


def _to_array(item: object, index: int) -> npt.NDArray[Any]:
    from minispore.common.tensor import Tensor

    arr = item.asnumpy() if isinstance(item, Tensor) else np.asarray(item)
    if arr.dtype == object:
        raise TypeError(
            f"Column {index} of a row must be a number, a string, a numpy.ndarray or a Tensor, "
            f"but got {type(item).__name__} {item!r:.80}."
        )
    return arr
