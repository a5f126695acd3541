"""``Dataset``: the base of every pipeline node, with MindSpore's pipeline methods.

A pipeline is a chain of nodes: a source (``MnistDataset``, ``GeneratorDataset`` …) and the
nodes that ``map``, ``shuffle``, ``batch``, ``repeat``, ``project`` and ``take`` add on top.
Creating an iterator *opens* the chain (each node gets its own random generator, see
:mod:`minispore.dataset.sampling`); each epoch then pulls :class:`~minispore.dataset.block.Block`
objects through it. Nodes are immutable, so one dataset can be iterated any number of times,
and by several iterators at once.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from minispore.dataset.block import Block

if TYPE_CHECKING:
    from minispore.dataset.iterators import DictIterator, TupleIterator
    from minispore.dataset.pipeline import Operation

BlockStream = Callable[[], Iterator[Block]]
"""An opened pipeline: each call runs one epoch and yields its blocks."""


class Dataset(abc.ABC):
    """A node of a data pipeline (MindSpore's ``mindspore.dataset.Dataset``).

    Example:
        >>> import numpy as np
        >>> import minispore.dataset as ds
        >>> data = ds.NumpySlicesDataset({"x": np.arange(10)}, shuffle=False)
        >>> data = data.map(lambda x: x * 2, input_columns="x").batch(4)
        >>> [b[0].tolist() for b in data.create_tuple_iterator(output_numpy=True, num_epochs=1)]
        [[0, 2, 4, 6], [8, 10, 12, 14], [16, 18]]
        >>> data.get_dataset_size()
        3
    """

    @abc.abstractmethod
    def get_col_names(self) -> list[str]:
        """The names of the columns, in row order."""

    @abc.abstractmethod
    def _open(self, seed: np.random.SeedSequence) -> BlockStream:
        """Prepare one iteration of the pipeline below and including this node."""

    @abc.abstractmethod
    def _rows_per_epoch(self) -> int:
        """How many rows (batches, after ``batch``) this node yields per epoch."""

    def get_dataset_size(self) -> int:
        """The number of rows per epoch; after ``batch``, the number of batches.

        An infinite ``repeat()`` counts one pass, as MindSpore does.
        """
        return self._rows_per_epoch()

    def get_batch_size(self) -> int:
        """The batch size of the nearest ``batch`` below this node, or 1 without one."""
        return 1

    # pipeline methods ----------------------------------------------------------------
    def map(
        self,
        operations: Operation | Sequence[Operation],
        input_columns: str | Sequence[str] | None = None,
        output_columns: str | Sequence[str] | None = None,
        num_parallel_workers: int | None = None,
        python_multiprocessing: bool = False,
    ) -> Dataset:
        """Apply ``operations`` in order to ``input_columns`` of every row.

        The first operation gets the input columns (the first column by default) as its
        arguments; each later one gets the previous one's results. The last results are named
        ``output_columns`` (default: the input names, replacing those columns in place).
        When the names differ, the output columns come first, followed by the columns that
        were not inputs, in their old order (MindSpore's layout). Built-in transforms run on
        whole blocks of rows; other callables run once per row, and may return one value or
        a tuple of values.

        ``num_parallel_workers`` and ``python_multiprocessing`` are accepted for MindSpore
        compatibility; minispore runs transforms in the iterating thread.

        Raises:
            TypeError: ``operations`` holds something that is not callable.
            RuntimeError: a column name is unknown, or the output names collide; when
                iterating, an operation fails or returns a different number of columns than
                ``output_columns`` names.
        """
        from minispore.dataset.pipeline import MapDataset

        return MapDataset(self, operations, input_columns, output_columns)

    def shuffle(self, buffer_size: int) -> Dataset:
        """Shuffle rows through a buffer of ``buffer_size`` rows, with a new order each epoch.

        Raises:
            TypeError: ``buffer_size`` is not an int.
            ValueError: ``buffer_size`` is not in ``[2, 2147483647]``.
        """
        from minispore.dataset.pipeline import ShuffleDataset

        return ShuffleDataset(self, buffer_size)

    def batch(self, batch_size: int, drop_remainder: bool = False, num_parallel_workers: int | None = None) -> Dataset:
        """Stack every ``batch_size`` consecutive rows into one row of arrays.

        Raises:
            TypeError: ``batch_size`` is not an int or ``drop_remainder`` not a bool.
            ValueError: ``batch_size`` is not in ``[1, 2147483647]``.
            RuntimeError: (when iterating) rows of one batch differ in shape or dtype.
        """
        from minispore.dataset.pipeline import BatchDataset

        return BatchDataset(self, batch_size, drop_remainder)

    def repeat(self, count: int | None = None) -> Dataset:
        """Repeat the rows ``count`` times per epoch; ``None`` or ``-1`` repeats forever.

        Raises:
            TypeError: ``count`` is not an int or None.
            ValueError: ``count`` is 0 or below -1.
        """
        from minispore.dataset.pipeline import RepeatDataset

        return RepeatDataset(self, count)

    def project(self, columns: str | Sequence[str]) -> Dataset:
        """Keep only ``columns``, in the given order.

        Raises:
            RuntimeError: a name is not a column of this dataset.
        """
        from minispore.dataset.pipeline import ProjectDataset

        return ProjectDataset(self, columns)

    def take(self, count: int = -1) -> Dataset:
        """The first ``count`` rows (batches, after ``batch``) of each epoch; -1 takes all.

        Raises:
            TypeError: ``count`` is not an int.
            ValueError: ``count`` is 0 or below -1.
        """
        from minispore.dataset.pipeline import TakeDataset

        return TakeDataset(self, count)

    # iteration ---------------------------------------------------------------------------
    def create_tuple_iterator(
        self,
        columns: Sequence[str] | None = None,
        num_epochs: int = -1,
        output_numpy: bool = False,
        do_copy: bool = False,
    ) -> TupleIterator:
        """An iterator over rows as lists, one value per column.

        Each ``for`` loop over the iterator runs one epoch; it may be looped over
        ``num_epochs`` times (-1: without limit).

        Args:
            columns: the columns to yield, in this order (default: all).
            num_epochs: how many epochs the iterator may run; -1 for no limit.
            output_numpy: yield ``numpy.ndarray`` values instead of :class:`minispore.Tensor`.
            do_copy: accepted for MindSpore compatibility; Tensors always own their data.

        Raises:
            ValueError: ``num_epochs`` is 0 or below -1.
            RuntimeError: a name in ``columns`` is unknown, or (when iterating) a loop
                starts epoch ``num_epochs + 1``.
            TypeError: (when iterating) a value has a dtype that minispore Tensors do not
                hold, such as MnistDataset's uint32 labels: cast it with ``TypeCast`` or
                iterate with ``output_numpy=True``.
        """
        from minispore.dataset.iterators import TupleIterator

        return TupleIterator(self, columns, num_epochs, output_numpy)

    def create_dict_iterator(
        self, num_epochs: int = -1, output_numpy: bool = False, do_copy: bool = False
    ) -> DictIterator:
        """An iterator over rows as ``{column name: value}`` dicts.

        See :meth:`create_tuple_iterator` for the arguments.
        """
        from minispore.dataset.iterators import DictIterator

        return DictIterator(self, None, num_epochs, output_numpy)

    def __iter__(self) -> TupleIterator:
        """One epoch of rows as lists of Tensors (``create_tuple_iterator(num_epochs=1)``)."""
        return self.create_tuple_iterator(num_epochs=1)
