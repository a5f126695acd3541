"""``NumpySlicesDataset``: rows sliced from in-memory arrays, lists or dicts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from minispore.dataset.pipeline import column_list
from minispore.dataset.sampling import Sampling
from minispore.dataset.source import ArraySourceDataset


class NumpySlicesDataset(ArraySourceDataset):
    """One row per index of the first axis of ``data``.

    ``data`` may be an array or a list (one column), a tuple of them (one column each), or a
    dict (one column per key, named by the key). Python ints become int64 and floats
    float64, as in NumPy.

    Args:
        data: the columns, as above.
        column_names: names for the columns; default: the dict's keys, or ``column_0``,
            ``column_1`` …
        num_samples: read at most this many rows per epoch (None or 0: all).
        num_parallel_workers: accepted for MindSpore compatibility; unused.
        shuffle: a new random order each epoch (None means True, as in MindSpore).
        sampler: a :class:`~minispore.dataset.DistributedSampler` (other samplers are not
            supported), instead of ``shuffle``, ``num_samples`` and the shard arguments.
        num_shards: split the rows into this many shards, one per data-parallel rank.
        shard_id: the shard to read (``get_rank()``), with ``num_shards``: rows are dealt
            round-robin, each shard padded to ``ceil(n / num_shards)`` by wrapping around,
            as in MindSpore (see :mod:`minispore.dataset.samplers`).

    Raises:
        ValueError: the columns have different lengths, or a column is ragged.
        RuntimeError: ``column_names`` has a different length than the number of columns.

    Example:
        >>> import numpy as np
        >>> import minispore.dataset as ds
        >>> data = ds.NumpySlicesDataset({"x": np.arange(3), "y": [0.5, 1.5, 2.5]}, shuffle=False)
        >>> [(int(x), float(y)) for x, y in data.create_tuple_iterator(output_numpy=True)]
        [(0, 0.5), (1, 1.5), (2, 2.5)]
    """

    def __init__(
        self,
        data: Any,
        column_names: str | Sequence[str] | None = None,
        num_samples: int | None = None,
        num_parallel_workers: int | None = 1,
        shuffle: bool | None = None,
        sampler: object = None,
        num_shards: int | None = None,
        shard_id: int | None = None,
    ) -> None:
        sampling = Sampling.from_args("NumpySlicesDataset", shuffle, num_samples, num_shards, shard_id, sampler)
        if isinstance(data, Mapping):
            default_names = [str(k) for k in data]
            values = list(data.values())
        else:
            values = list(data) if isinstance(data, tuple) else [data]
            default_names = [f"column_{i}" for i in range(len(values))]
        columns = [_column(v, i) for i, v in enumerate(values)]
        lengths = [len(c) for c in columns]
        if len(set(lengths)) > 1:
            raise ValueError(
                f"For 'NumpySlicesDataset', every column of 'data' must have the same length, but got {lengths}."
            )
        names = (
            default_names if column_names is None else column_list("NumpySlicesDataset", "column_names", column_names)
        )
        if len(names) != len(columns):
            raise RuntimeError(
                f"For 'NumpySlicesDataset', 'column_names' must name each of the {len(columns)} columns of "
                f"'data', but got {names}."
            )
        super().__init__(names, columns, sampling)


def _column(value: Any, index: int) -> npt.NDArray[Any]:
    try:
        arr = np.asarray(value)
    except ValueError as exc:
        raise ValueError(
            f"For 'NumpySlicesDataset', column {index} of 'data' must be rectangular (every row the same "
            f"shape): {exc}. Use GeneratorDataset for rows of different shapes."
        ) from exc
    if arr.ndim == 0 or arr.dtype == object:
        raise ValueError(
            f"For 'NumpySlicesDataset', column {index} of 'data' must be a list or array of numbers, "
            f"one row per element, but got {type(value).__name__} {value!r:.80}."
        )
    return arr
