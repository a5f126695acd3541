"""``GeneratorDataset``: rows from Python code (a generator function, an iterable, or a
random-access object with ``__getitem__`` and ``__len__``)."""

from __future__ import annotations

import itertools
import types
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol, cast

import numpy as np
import numpy.typing as npt

from minispore.dataset.block import Block, Row, stack_rows, to_row
from minispore.dataset.dataset import BlockStream
from minispore.dataset.pipeline import column_list
from minispore.dataset.sampling import Sampling
from minispore.dataset.source import SourceDataset, reject_unsupported, sampled_epoch


class RandomAccessSource(Protocol):
    """A map-style source: ``source[i]`` is row ``i`` of ``len(source)`` rows."""

    def __getitem__(self, index: int) -> Any: ...

    def __len__(self) -> int: ...


class GeneratorDataset(SourceDataset):
    """Rows produced by Python code, as MindSpore's ``GeneratorDataset``.

    How ``source`` is read, in MindSpore's order of precedence:

    - it has ``__getitem__`` (a list, an array, a map-style class): random access, with
      ``len(source)`` rows, read through a sampler; it is shuffled by default;
    - it has ``__iter__`` (an iterable, or a generator object, which is replayed from memory
      in later epochs): iterated once per epoch, in order;
    - it is callable (a generator function): called once per epoch for a fresh iterator.

    ``shuffle`` only applies to random-access sources; MindSpore ignores it for the others,
    and so does minispore. Each item is a tuple with one value per column (or one value for
    a single column); Python ints become int64 and floats float64.

    Args:
        source: the rows, as above.
        column_names: one name per value of an item.
        num_samples: at most this many rows per epoch (None or 0: all).
        num_parallel_workers: accepted for MindSpore compatibility; unused.
        shuffle: a new random order each epoch (None means True) for random-access sources.
        sampler: a :class:`~minispore.dataset.DistributedSampler`, for random-access sources.
        num_shards, shard_id: read one shard of a random-access source, dealt as MindSpore
            deals it (see :mod:`minispore.dataset.samplers`).
        column_types, schema, max_rowsize: not supported; leave None.
        python_multiprocessing: accepted for MindSpore compatibility; unused.

    Raises:
        ValueError: ``column_names`` is missing, or an unsupported argument is set.
        TypeError: ``source`` is neither random-access, iterable nor callable.
        RuntimeError: a random-access source has no ``__len__``; when iterating, the source
            raises, or an item has a different number of values than ``column_names``.

    Example:
        >>> import numpy as np
        >>> import minispore.dataset as ds
        >>> def pairs():
        ...     for i in range(3):
        ...         yield np.array([i, i]), i * 0.5
        >>> data = ds.GeneratorDataset(pairs, column_names=["x", "y"]).batch(2)
        >>> [(x.shape, y.tolist()) for x, y in data.create_tuple_iterator(output_numpy=True)]
        [((2, 2), [0.0, 0.5]), ((1, 2), [1.0])]
    """

    def __init__(
        self,
        source: RandomAccessSource | Iterable[Any] | Callable[[], Iterable[Any]],
        column_names: str | Sequence[str] | None = None,
        column_types: object = None,
        schema: object = None,
        num_samples: int | None = None,
        num_parallel_workers: int = 1,
        shuffle: bool | None = None,
        sampler: object = None,
        num_shards: int | None = None,
        shard_id: int | None = None,
        python_multiprocessing: bool = True,
        max_rowsize: int | None = None,
    ) -> None:
        reject_unsupported(
            "GeneratorDataset",
            column_types=column_types,
            schema=schema,
            max_rowsize=max_rowsize,
        )
        if column_names is None:
            raise ValueError("For 'GeneratorDataset', pass 'column_names': one name per value that the source yields.")
        super().__init__(column_list("GeneratorDataset", "column_names", column_names))
        self._sampling = Sampling.from_args("GeneratorDataset", shuffle, num_samples, num_shards, shard_id, sampler)
        self._random_access = hasattr(source, "__getitem__")
        if self._sampling.shards is not None and not self._random_access:
            raise ValueError("num_shards is not supported if source does not have attribute '__getitem__'.")
        if self._random_access and not hasattr(source, "__len__"):
            raise RuntimeError(
                f"For 'GeneratorDataset', a source with '__getitem__' also needs '__len__' for random access, "
                f"but {type(source).__name__} has none. Add __len__, or make the source iterable instead."
            )
        if not (self._random_access or hasattr(source, "__iter__") or callable(source)):
            raise TypeError(
                f"For 'GeneratorDataset', 'source' must be random-access (__getitem__ and __len__), iterable or a "
                f"callable that returns an iterator, but got {type(source).__name__}."
            )
        if isinstance(source, types.GeneratorType):
            source = _Replayed(source)
        self._source = source
        self._counted_rows: int | None = None

    def _rows_per_epoch(self) -> int:
        if self._random_access:
            return self._sampling.size(len(cast(RandomAccessSource, self._source)))
        if self._counted_rows is None:
            self._counted_rows = sum(1 for _ in self._iterate())
        return self._counted_rows

    def _open(self, seed: np.random.SeedSequence) -> BlockStream:
        if self._random_access:
            num_rows = len(cast(RandomAccessSource, self._source))
            next_epoch = self._sampling.epochs(num_rows, seed)
            return lambda: sampled_epoch(next_epoch(), self._read)
        return lambda: stack_rows(self._iterate())

    def _read(self, indices: npt.NDArray[np.int64]) -> Iterator[Block]:
        return stack_rows((self._fetch(int(i)) for i in indices), max_rows=len(indices))

    def _fetch(self, index: int) -> Row:
        try:
            item = cast(RandomAccessSource, self._source)[index]
        except Exception as exc:
            raise self._source_error(exc) from exc
        return self._check_width(to_row(item))

    def _iterate(self) -> Iterator[Row]:
        source = self._source
        try:
            items = iter(source) if hasattr(source, "__iter__") else iter(cast(Callable[[], Iterable[Any]], source)())
        except Exception as exc:
            raise self._source_error(exc) from exc
        items = itertools.islice(items, self._sampling.num_samples)
        while True:
            try:
                item = next(items)
            except StopIteration:
                return
            except Exception as exc:
                raise self._source_error(exc) from exc
            yield self._check_width(to_row(item))

    def _source_error(self, exc: Exception) -> RuntimeError:
        return RuntimeError(f"For 'GeneratorDataset', the source raised {type(exc).__name__}: {exc}")

    def _check_width(self, row: Row) -> Row:
        if len(row) != len(self._column_names):
            raise RuntimeError(
                f"For 'GeneratorDataset', the source yielded {len(row)} values per row, but 'column_names' has "
                f"{len(self._column_names)}: {self._column_names}. Give one name per value."
            )
        return row


class _Replayed:
    """A generator object made re-iterable: later passes replay what the first one read."""

    def __init__(self, generator: Iterator[Any]) -> None:
        self._generator = generator

    def __iter__(self) -> Iterator[Any]:
        self._generator, copy = itertools.tee(self._generator)
        return copy
