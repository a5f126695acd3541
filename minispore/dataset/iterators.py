"""Iterators over a dataset: ``TupleIterator`` (lists) and ``DictIterator`` (dicts).

An iterator opens the pipeline once and runs one epoch per ``for`` loop, up to
``num_epochs`` loops, as MindSpore's iterators do; each epoch reshuffles.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy.typing as npt

from minispore.common import dtype as mstype
from minispore.common.tensor import Tensor
from minispore.dataset.block import Row
from minispore.dataset.pipeline import column_indices, column_list
from minispore.dataset.sampling import pipeline_seed

if TYPE_CHECKING:
    from minispore.dataset.dataset import Dataset

T = TypeVar("T")


class DatasetIterator(abc.ABC, Generic[T]):
    """Rows of a dataset, epoch by epoch; each ``for`` loop over it runs one epoch."""

    def __init__(self, dataset: Dataset, columns: Sequence[str] | None, num_epochs: int, output_numpy: bool) -> None:
        if not isinstance(num_epochs, int) or isinstance(num_epochs, bool) or (num_epochs < 1 and num_epochs != -1):
            raise ValueError(f"'num_epochs' must be -1 (no limit) or a positive int, but got {num_epochs!r}.")
        if not isinstance(output_numpy, bool):
            raise TypeError(f"'output_numpy' must be a bool, but got {type(output_numpy).__name__} {output_numpy!r}.")
        names = dataset.get_col_names()
        self._names = names if columns is None else column_list("create_tuple_iterator", "columns", columns)
        self._index = column_indices("create_tuple_iterator", "columns", self._names, names)
        self._num_epochs = num_epochs
        self._output_numpy = output_numpy
        self._stream = dataset._open(pipeline_seed())
        self._rows: Iterator[Row] | None = None
        self._epochs_started = 0

    def __iter__(self) -> DatasetIterator[T]:
        return self

    def __next__(self) -> T:
        if self._rows is None:
            if self._num_epochs != -1 and self._epochs_started >= self._num_epochs:
                raise RuntimeError(
                    f"This iterator was created with num_epochs={self._num_epochs} and has run them all. "
                    f"Create it with a larger num_epochs (or -1 for no limit)."
                )
            self._rows = (row for block in self._stream() for row in block.select(self._index).rows())
            self._epochs_started += 1
        try:
            row = next(self._rows)
        except StopIteration:
            self._rows = None
            raise
        return self._pack([self._convert(name, value) for name, value in zip(self._names, row)])

    def _convert(self, name: str, value: npt.NDArray[Any]) -> Any:
        if self._output_numpy:
            return value
        try:
            mstype.from_numpy_dtype(value.dtype)
        except TypeError:
            raise TypeError(
                f"Column '{name}' holds {value.dtype} values, which a minispore Tensor cannot hold. "
                f"Cast it in the pipeline, e.g. .map(transforms.TypeCast(ms.int32), input_columns='{name}'), "
                f"or iterate with output_numpy=True."
            ) from None
        return Tensor(value)

    @abc.abstractmethod
    def _pack(self, values: list[Any]) -> T:
        """Arrange one row's converted values."""


class TupleIterator(DatasetIterator[list[Any]]):
    """Yields each row as a list with one Tensor (or array) per column."""

    def _pack(self, values: list[Any]) -> list[Any]:
        return values


class DictIterator(DatasetIterator[dict[str, Any]]):
    """Yields each row as ``{column name: Tensor (or array)}``."""

    def _pack(self, values: list[Any]) -> dict[str, Any]:
        return dict(zip(self._names, values))
