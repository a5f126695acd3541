"""The nodes that pipeline methods add: map, shuffle, batch, repeat, project and take."""

from __future__ import annotations

import abc
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from minispore.dataset.block import BLOCK_ROWS, Block, Row, stack_rows, to_row
from minispore.dataset.dataset import BlockStream, Dataset
from minispore.dataset.transforms.operation import TensorOperation

Operation = Callable[..., Any]
"""A transform: a built-in :class:`TensorOperation` or any callable on column values."""

_INT32_MAX = 2147483647


def column_list(op: str, arg: str, value: str | Sequence[str]) -> list[str]:
    """``value`` as a list of column names: a str is one name.

    Raises:
        TypeError: ``value`` is not a str or a sequence of str.
        RuntimeError: a name repeats.
    """
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, Sequence) or not names or not all(isinstance(n, str) for n in names):
        raise TypeError(f"For '{op}', '{arg}' must be a column name or a non-empty list of names, but got {value!r}.")
    if len(set(names)) != len(names):
        raise RuntimeError(f"For '{op}', '{arg}' must not repeat a name, but got {list(names)}.")
    return list(names)


def column_indices(op: str, arg: str, names: Sequence[str], available: Sequence[str]) -> list[int]:
    """The positions of ``names`` among ``available``.

    Raises:
        RuntimeError: a name is not available.
    """
    missing = [n for n in names if n not in available]
    if missing:
        raise RuntimeError(
            f"For '{op}', '{arg}' names columns {missing} that the dataset does not have; "
            f"its columns are {list(available)}."
        )
    return [list(available).index(n) for n in names]


def _check_int(op: str, arg: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"For '{op}', '{arg}' must be an int, but got {type(value).__name__} {value!r}.")
    return value


class PipelineNode(Dataset):
    """A node with one input dataset; by default it keeps the input's columns and size."""

    def __init__(self, child: Dataset) -> None:
        self._child = child

    def get_col_names(self) -> list[str]:
        return self._child.get_col_names()

    def get_batch_size(self) -> int:
        return self._child.get_batch_size()

    def _rows_per_epoch(self) -> int:
        return self._child._rows_per_epoch()

    def _open(self, seed: np.random.SeedSequence) -> BlockStream:
        child = self._child._open(seed.spawn(1)[0])
        rng = np.random.default_rng(seed)
        return lambda: self._epoch(child, rng)

    @abc.abstractmethod
    def _epoch(self, child: BlockStream, rng: np.random.Generator) -> Iterator[Block]:
        """One epoch of this node's output, given the input's stream and this node's generator."""


class MapDataset(PipelineNode):
    """The result of :meth:`Dataset.map`."""

    def __init__(
        self,
        child: Dataset,
        operations: Operation | Sequence[Operation],
        input_columns: str | Sequence[str] | None,
        output_columns: str | Sequence[str] | None,
    ) -> None:
        super().__init__(child)
        ops: list[Operation] = list(operations) if isinstance(operations, Sequence) else [operations]
        if not ops or not all(callable(op) for op in ops):
            raise TypeError(
                f"For 'map', 'operations' must be a callable or a non-empty list of callables, but got {operations!r}."
            )
        self._operations = ops
        names = child.get_col_names()
        self._child_names = names
        self._inputs = names[:1] if input_columns is None else column_list("map", "input_columns", input_columns)
        self._input_index = column_indices("map", "input_columns", self._inputs, names)
        self._outputs = (
            list(self._inputs) if output_columns is None else column_list("map", "output_columns", output_columns)
        )
        if self._outputs == self._inputs:
            self._names = list(names)
        else:
            self._names = self._outputs + [n for n in names if n not in self._inputs]
        if len(set(self._names)) != len(self._names):
            raise RuntimeError(
                f"For 'map', 'output_columns' {self._outputs} repeat names of columns that are kept "
                f"({[n for n in names if n not in self._inputs]}); choose new names."
            )

    def get_col_names(self) -> list[str]:
        return list(self._names)

    def _epoch(self, child: BlockStream, rng: np.random.Generator) -> Iterator[Block]:
        for block in child():
            yield from self._map_block(block)

    def _map_block(self, block: Block) -> Iterator[Block]:
        # Per-row callables can split a block where their results change shape, so the
        # block travels as parts: (first row, columns of the rows that follow).
        parts: list[tuple[int, tuple[npt.NDArray[Any], ...]]] = [(0, block.select(self._input_index).columns)]
        for op in self._operations:
            parts = [out for part in parts for out in self._apply(op, *part)]
        old = dict(zip(self._child_names, block.columns))
        for start, columns in parts:
            if len(columns) != len(self._outputs):
                raise RuntimeError(
                    f"For 'map', the operations return {len(columns)} columns, but 'output_columns' names "
                    f"{len(self._outputs)}: {self._outputs}. Pass one output name per returned value."
                )
            stop = start + int(columns[0].shape[0])
            values = {n: c[start:stop] for n, c in old.items()}
            values.update(zip(self._outputs, columns))
            yield Block(tuple(values[n] for n in self._names))

    def _apply(
        self, op: Operation, start: int, columns: tuple[npt.NDArray[Any], ...]
    ) -> Iterator[tuple[int, tuple[npt.NDArray[Any], ...]]]:
        if isinstance(op, TensorOperation):
            if len(columns) != 1:
                raise RuntimeError(f"For 'map', {op!r} takes 1 input column, but got {len(columns)}.")
            yield start, (op.apply_rows(columns[0]),)
            return
        for block in stack_rows(self._call_per_row(op, columns), max_rows=BLOCK_ROWS):
            yield start, block.columns
            start += block.num_rows

    def _call_per_row(self, op: Operation, columns: tuple[npt.NDArray[Any], ...]) -> Iterator[Row]:
        for row in Block(columns).rows():
            try:
                result = op(*row)
            except Exception as exc:
                raise RuntimeError(
                    f"For 'map', the operation {op!r} failed on input columns {self._inputs}: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            yield to_row(result)


class ShuffleDataset(PipelineNode):
    """The result of :meth:`Dataset.shuffle`.

    MindSpore's buffer shuffle: the first ``buffer_size`` rows fill a buffer; then each
    incoming row replaces a uniformly chosen buffered row, which is emitted; at the end the
    rest of the buffer is emitted in random order.
    """

    def __init__(self, child: Dataset, buffer_size: int) -> None:
        super().__init__(child)
        size = _check_int("shuffle", "buffer_size", buffer_size)
        if not 2 <= size <= _INT32_MAX:
            raise ValueError(f"For 'shuffle', 'buffer_size' must be in [2, {_INT32_MAX}], but got {size}.")
        self._buffer_size = size

    def _epoch(self, child: BlockStream, rng: np.random.Generator) -> Iterator[Block]:
        rows = (row for block in child() for row in block.rows())
        return stack_rows(_buffer_shuffle(rows, self._buffer_size, rng))


def _buffer_shuffle(rows: Iterator[Row], size: int, rng: np.random.Generator) -> Iterator[Row]:
    buffer = list(itertools.islice(rows, size))
    if len(buffer) == size:
        for chunk in _batched(rows, 1024):
            for slot, row in zip(rng.integers(0, size, size=len(chunk)), chunk):
                yield buffer[slot]
                buffer[slot] = row
    for i in rng.permutation(len(buffer)):
        yield buffer[i]


def _batched(rows: Iterable[Row], n: int) -> Iterator[list[Row]]:
    it = iter(rows)
    while chunk := list(itertools.islice(it, n)):
        yield chunk


class BatchDataset(PipelineNode):
    """The result of :meth:`Dataset.batch`: each output row is ``batch_size`` stacked rows."""

    def __init__(self, child: Dataset, batch_size: int, drop_remainder: bool) -> None:
        super().__init__(child)
        size = _check_int("batch", "batch_size", batch_size)
        if not 1 <= size <= _INT32_MAX:
            raise ValueError(f"For 'batch', 'batch_size' must be in [1, {_INT32_MAX}], but got {size}.")
        if not isinstance(drop_remainder, bool):
            raise TypeError(
                f"For 'batch', 'drop_remainder' must be a bool, but got {type(drop_remainder).__name__} "
                f"{drop_remainder!r}."
            )
        self._batch_size = size
        self._drop_remainder = drop_remainder

    def get_batch_size(self) -> int:
        return self._batch_size

    def _rows_per_epoch(self) -> int:
        rows = self._child._rows_per_epoch()
        return rows // self._batch_size if self._drop_remainder else -(-rows // self._batch_size)

    def _epoch(self, child: BlockStream, rng: np.random.Generator) -> Iterator[Block]:
        pending: list[Block] = []
        count = 0
        for block in child():
            pending.append(block)
            count += block.num_rows
            while count >= self._batch_size:
                batch, pending = _split_front(pending, self._batch_size)
                count -= self._batch_size
                yield self._stack(batch)
        if count and not self._drop_remainder:
            yield self._stack(pending)

    def _stack(self, blocks: list[Block]) -> Block:
        names = self.get_col_names()
        columns = []
        for j, name in enumerate(names):
            parts = [b.columns[j] for b in blocks]
            first = parts[0]
            for part in parts[1:]:
                if part.shape[1:] != first.shape[1:] or part.dtype != first.dtype:
                    raise RuntimeError(
                        f"For 'batch', the rows of one batch must have the same shape and dtype, but column "
                        f"'{name}' has rows of {first.shape[1:]} {first.dtype} and {part.shape[1:]} {part.dtype}. "
                        f"Resize or pad them first, or use batch_size=1."
                    )
            batch = first if len(parts) == 1 else np.concatenate(parts)
            columns.append(batch[np.newaxis])
        return Block(tuple(columns))


def _split_front(blocks: list[Block], n: int) -> tuple[list[Block], list[Block]]:
    """The first ``n`` rows of ``blocks``, and the rest."""
    front: list[Block] = []
    for i, block in enumerate(blocks):
        used = min(n, block.num_rows)
        front.append(block.slice(0, used))
        n -= used
        if n == 0:
            rest = [block.slice(used, block.num_rows)] if used < block.num_rows else []
            return front, rest + blocks[i + 1 :]
    return front, []


class RepeatDataset(PipelineNode):
    """The result of :meth:`Dataset.repeat`."""

    def __init__(self, child: Dataset, count: int | None) -> None:
        super().__init__(child)
        if count is not None:
            _check_int("repeat", "count", count)
            if count == 0 or count < -1:
                raise ValueError(
                    f"For 'repeat', 'count' must be None or -1 (forever) or in [1, {_INT32_MAX}], but got {count}."
                )
        self._count = None if count in (None, -1) else count

    def _rows_per_epoch(self) -> int:
        rows = self._child._rows_per_epoch()
        return rows if self._count is None else rows * self._count

    def _epoch(self, child: BlockStream, rng: np.random.Generator) -> Iterator[Block]:
        passes = itertools.count() if self._count is None else range(self._count)
        for _ in passes:
            yield from child()


class ProjectDataset(PipelineNode):
    """The result of :meth:`Dataset.project`."""

    def __init__(self, child: Dataset, columns: str | Sequence[str]) -> None:
        super().__init__(child)
        self._names = column_list("project", "columns", columns)
        self._index = column_indices("project", "columns", self._names, child.get_col_names())

    def get_col_names(self) -> list[str]:
        return list(self._names)

    def _epoch(self, child: BlockStream, rng: np.random.Generator) -> Iterator[Block]:
        return (block.select(self._index) for block in child())


class TakeDataset(PipelineNode):
    """The result of :meth:`Dataset.take`."""

    def __init__(self, child: Dataset, count: int) -> None:
        super().__init__(child)
        _check_int("take", "count", count)
        if count == 0 or count < -1:
            raise ValueError(f"For 'take', 'count' must be -1 (all) or in [1, {_INT32_MAX}], but got {count}.")
        self._count = count

    def _rows_per_epoch(self) -> int:
        rows = self._child._rows_per_epoch()
        return rows if self._count == -1 else min(rows, self._count)

    def _epoch(self, child: BlockStream, rng: np.random.Generator) -> Iterator[Block]:
        if self._count == -1:
            yield from child()
            return
        left = self._count
        for block in child():
            if block.num_rows >= left:
                yield block.slice(0, left)
                return
            yield block
            left -= block.num_rows
