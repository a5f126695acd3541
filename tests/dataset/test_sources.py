"""NumpySlicesDataset and GeneratorDataset: the forms of their data and their errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import minispore.dataset as ds


def column(data: ds.Dataset, index: int = 0) -> list[Any]:
    return [row[index].tolist() for row in data.create_tuple_iterator(output_numpy=True, num_epochs=1)]


def test_numpy_slices_forms() -> None:
    assert column(ds.NumpySlicesDataset([1, 2, 3], shuffle=False)) == [1, 2, 3]
    matrix = ds.NumpySlicesDataset(np.ones((4, 2), np.float32), shuffle=False)
    assert matrix.get_col_names() == ["column_0"] and matrix.get_dataset_size() == 4
    assert [r[0].dtype for r in matrix.create_tuple_iterator(output_numpy=True)] == [np.float32] * 4
    pair = ds.NumpySlicesDataset(([1, 2], [0.5, 1.5]), shuffle=False)
    assert pair.get_col_names() == ["column_0", "column_1"]
    assert column(pair, 1) == [0.5, 1.5]
    named = ds.NumpySlicesDataset({"b": [1, 2], "a": [3, 4]}, shuffle=False)
    assert named.get_col_names() == ["b", "a"]
    renamed = ds.NumpySlicesDataset(([1], [2]), column_names=["p", "q"])
    assert renamed.get_col_names() == ["p", "q"]


def test_numpy_slices_shuffles_by_default() -> None:
    data = ds.NumpySlicesDataset(list(range(30)))
    order = column(data)
    assert sorted(order) == list(range(30)) and order != list(range(30))


def test_numpy_slices_errors() -> None:
    with pytest.raises(ValueError, match=r"same length, but got \[2, 3\]"):
        ds.NumpySlicesDataset(([1, 2], [1, 2, 3]))
    with pytest.raises(ValueError, match=r"column 0 of 'data' must be rectangular"):
        ds.NumpySlicesDataset([[1, 2], [3]])
    with pytest.raises(RuntimeError, match=r"'column_names' must name each of the 2 columns"):
        ds.NumpySlicesDataset(([1], [2]), column_names=["only"])


def test_generator_function_is_called_each_epoch() -> None:
    calls = []

    def rows() -> Iterator[tuple[Any, ...]]:
        calls.append(1)
        for i in range(5):
            yield np.array(i), np.array([i, i])

    data = ds.GeneratorDataset(rows, ["a", "b"], shuffle=True)  # ignored: not random-access
    assert column(data) == [0, 1, 2, 3, 4]
    assert column(data.batch(2), 1) == [[[0, 0], [1, 1]], [[2, 2], [3, 3]], [[4, 4]]]
    assert data.get_dataset_size() == 5
    assert ds.GeneratorDataset(rows, ["a", "b"], num_samples=3).get_dataset_size() == 3
    assert len(calls) == 4  # two epochs, then one count per dataset (cached)


def test_generator_random_access_and_iterables() -> None:
    class Squares:
        def __getitem__(self, index: int) -> tuple[int, float]:
            return index, index**2 / 2

        def __len__(self) -> int:
            return 4

    squares = ds.GeneratorDataset(Squares(), ["i", "half_square"], shuffle=False)
    assert column(squares, 1) == [0.0, 0.5, 2.0, 4.5]
    assert sorted(column(ds.GeneratorDataset(Squares(), ["i", "s"]))) == [0, 1, 2, 3]
    listed = ds.GeneratorDataset([3, 1, 2], "x", shuffle=False)
    assert column(listed) == [3, 1, 2] and listed.get_dataset_size() == 3

    class Countdown:
        def __iter__(self) -> Iterator[int]:
            return iter(range(3, 0, -1))

    assert column(ds.GeneratorDataset(Countdown(), ["n"])) == [3, 2, 1]
    generator_object = ds.GeneratorDataset((i * 2 for i in range(3)), ["n"])
    assert column(generator_object) == column(generator_object) == [0, 2, 4]


def test_generator_errors() -> None:
    with pytest.raises(ValueError, match=r"pass 'column_names'"):
        ds.GeneratorDataset([1, 2])
    with pytest.raises(TypeError, match=r"'source' must be random-access"):
        ds.GeneratorDataset(42, ["x"])  # type: ignore[arg-type]

    class NoLength:
        def __getitem__(self, index: int) -> int:
            return index

    with pytest.raises(RuntimeError, match=r"also needs '__len__'"):
        ds.GeneratorDataset(NoLength(), ["x"])  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match=r"yielded 2 values per row, but 'column_names' has 1"):
        column(ds.GeneratorDataset([(1, 2)], ["x"]))

    def broken() -> Iterator[int]:
        yield 1
        raise KeyError("missing")

    with pytest.raises(RuntimeError, match=r"the source raised KeyError") as info:
        column(ds.GeneratorDataset(broken, ["x"]))
    assert isinstance(info.value.__cause__, KeyError)
    with pytest.raises(ValueError, match=r"DistributedSampler only"):
        ds.GeneratorDataset([1], ["x"], sampler=[0])
