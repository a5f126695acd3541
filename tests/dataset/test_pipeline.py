"""Pipeline methods: map, shuffle, batch, repeat, project, take, and the iterators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

import minispore as ms
import minispore.dataset as ds
from minispore.dataset import transforms, vision


def numbers(n: int = 10) -> ds.NumpySlicesDataset:
    return ds.NumpySlicesDataset({"x": np.arange(n), "y": np.arange(n) * 10}, shuffle=False)


def rows(data: ds.Dataset) -> list[list[Any]]:
    return [[v.tolist() for v in row] for row in data.create_tuple_iterator(output_numpy=True, num_epochs=1)]


def test_lenet5_tutorial_pipeline(mnist_dir: Path) -> None:
    data: ds.Dataset = ds.MnistDataset(mnist_dir, usage="train")
    data = data.map(vision.Resize((32, 32), interpolation=vision.Inter.LINEAR))
    data = data.map(vision.Rescale(1 / 255, 0))
    data = data.map(vision.Rescale(1 / 0.3081, -0.1307 / 0.3081))
    data = data.map(vision.HWC2CHW())
    data = data.map(transforms.TypeCast(ms.int32), "label")
    data = data.batch(32, drop_remainder=True)
    assert data.get_dataset_size() == 3  # 100 images
    assert data.get_batch_size() == 32
    assert data.get_col_names() == ["image", "label"]
    batches = list(data.create_tuple_iterator(num_epochs=1))
    assert len(batches) == 3
    image, label = batches[0]
    assert isinstance(image, ms.Tensor) and isinstance(label, ms.Tensor)
    assert image.shape == (32, 1, 32, 32) and image.dtype == ms.float32
    assert label.shape == (32,) and label.dtype == ms.int32
    as_dict = next(data.create_dict_iterator(num_epochs=1, output_numpy=True))
    assert as_dict["image"].dtype == np.float32 and as_dict["label"].dtype == np.int32


def test_a_dataset_is_reiterable(mnist_dir: Path) -> None:
    data = ds.MnistDataset(mnist_dir, usage="test", shuffle=False).batch(8)
    first = [b[1].tolist() for b in data.create_tuple_iterator(output_numpy=True, num_epochs=1)]
    assert [b[1].tolist() for b in data.create_tuple_iterator(output_numpy=True, num_epochs=1)] == first
    assert len([row for row in data.project("image")]) == data.get_dataset_size() == 4


def test_map_in_place_and_chained() -> None:
    data = numbers(3).map([lambda x: x + 1, lambda x: x * 2], input_columns="y")
    assert data.get_col_names() == ["x", "y"]
    assert rows(data) == [[0, 2], [1, 22], [2, 42]]
    assert rows(numbers(2).map(lambda x: x - 5)) == [[-5, 0], [-4, 10]]  # first column by default


def test_map_output_columns_come_first() -> None:
    data = ds.NumpySlicesDataset({"a": [1, 2], "b": [3, 4], "c": [5, 6]}, shuffle=False)
    split = data.map(lambda b: (b, b * 10), input_columns="b", output_columns=["b1", "b2"])
    assert split.get_col_names() == ["b1", "b2", "a", "c"]
    assert rows(split) == [[3, 30, 1, 5], [4, 40, 2, 6]]
    merged = data.map(lambda c, a: c + a, input_columns=["c", "a"], output_columns="s")
    assert merged.get_col_names() == ["s", "b"]
    assert rows(merged) == [[6, 3], [8, 4]]


def test_map_python_values_become_numpy_dtypes() -> None:
    data = numbers(2).map(lambda x: float(x) / 2)
    assert [row[0].dtype for row in data.create_tuple_iterator(output_numpy=True)] == [np.float64] * 2


def test_map_with_ragged_results_keeps_rows_in_order() -> None:
    data = numbers(5).map(lambda x: np.arange(int(x)), input_columns="x")
    assert rows(data) == [[[], 0], [[0], 10], [[0, 1], 20], [[0, 1, 2], 30], [[0, 1, 2, 3], 40]]


def test_map_errors() -> None:
    with pytest.raises(TypeError, match=r"'operations' must be a callable"):
        numbers().map(3)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match=r"'input_columns' names columns \['z'\].*columns are \['x', 'y'\]"):
        numbers().map(abs, input_columns="z")
    with pytest.raises(RuntimeError, match=r"repeat names"):
        numbers().map(abs, input_columns="x", output_columns="y")
    wrong_count = numbers().map(lambda x, y: x + y, input_columns=["x", "y"])
    with pytest.raises(RuntimeError, match=r"return 1 columns, but 'output_columns' names 2"):
        rows(wrong_count)
    failing = numbers().map(lambda x: 1 // 0)
    with pytest.raises(RuntimeError, match=r"failed on input columns \['x'\]: ZeroDivisionError") as info:
        rows(failing)
    assert isinstance(info.value.__cause__, ZeroDivisionError)


def test_batch_sizes_and_remainder() -> None:
    assert [r[0] for r in rows(numbers(10).batch(4))] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert [r[0] for r in rows(numbers(10).batch(4, drop_remainder=True))] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert numbers(10).batch(4).get_dataset_size() == 3
    assert numbers(10).batch(4, drop_remainder=True).get_dataset_size() == 2
    big = numbers(600).batch(300)  # batches spanning several source blocks
    assert [r[0][-1] for r in rows(big)] == [299, 599]


def test_batch_errors() -> None:
    ragged = ds.GeneratorDataset([np.zeros(2), np.zeros(3)], "x", shuffle=False).batch(2)
    with pytest.raises(RuntimeError, match=r"column 'x' has rows of \(2,\) float64 and \(3,\) float64"):
        rows(ragged)
    with pytest.raises(ValueError, match=r"'batch_size' must be in \[1, 2147483647\], but got 0"):
        numbers().batch(0)
    with pytest.raises(TypeError, match=r"'drop_remainder' must be a bool"):
        numbers().batch(2, drop_remainder=1)  # type: ignore[arg-type]


def test_shuffle_buffer() -> None:
    data = numbers(50).shuffle(buffer_size=8)
    ms.set_seed(3)
    first = [r[0] for r in rows(data)]
    ms.set_seed(3)
    assert [r[0] for r in rows(data)] == first
    assert sorted(first) == list(range(50)) and first != list(range(50))
    assert sorted(r[0] for r in rows(numbers(5).shuffle(100))) == list(range(5))
    with pytest.raises(ValueError, match=r"'buffer_size' must be in \[2, 2147483647\], but got 1"):
        numbers().shuffle(1)


def test_repeat_and_take() -> None:
    assert [r[0] for r in rows(numbers(3).repeat(2))] == [0, 1, 2, 0, 1, 2]
    assert numbers(3).repeat(2).get_dataset_size() == 6
    assert numbers(3).batch(2).repeat(3).get_dataset_size() == 6
    forever = numbers(3).repeat()
    assert forever.get_dataset_size() == 3  # MindSpore counts one pass
    assert [r[0] for r in rows(forever.take(7))] == [0, 1, 2, 0, 1, 2, 0]
    assert numbers(10).take(4).get_dataset_size() == 4
    assert [r[0] for r in rows(numbers(10).batch(3).take(2))] == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match=r"'count' must be None or -1"):
        numbers().repeat(0)
    with pytest.raises(ValueError, match=r"'count' must be -1"):
        numbers().take(0)


def test_project() -> None:
    data = ds.NumpySlicesDataset({"a": [1], "b": [2], "c": [3]}, shuffle=False)
    assert rows(data.project(["c", "a"])) == [[3, 1]]
    assert data.project("b").get_col_names() == ["b"]
    with pytest.raises(RuntimeError, match=r"names columns \['z'\]"):
        data.project(["z"])


def test_iterator_epochs() -> None:
    iterator = numbers(3).create_tuple_iterator(num_epochs=2, output_numpy=True)
    assert len(list(iterator)) == 3
    assert len(list(iterator)) == 3
    with pytest.raises(RuntimeError, match=r"num_epochs=2 and has run them all"):
        list(iterator)
    unlimited = numbers(3).create_tuple_iterator()
    assert [len(list(unlimited)) for _ in range(4)] == [3, 3, 3, 3]
    with pytest.raises(ValueError, match=r"'num_epochs'"):
        numbers().create_tuple_iterator(num_epochs=0)


def test_iterator_outputs() -> None:
    row = next(numbers().create_tuple_iterator(columns=["y"]))
    assert isinstance(row, list) and len(row) == 1
    assert isinstance(row[0], ms.Tensor) and row[0].dtype == ms.int64
    as_dict = next(numbers().create_dict_iterator())
    assert list(as_dict) == ["x", "y"] and int(as_dict["y"].asnumpy()) == 0
    assert isinstance(next(iter(numbers()))[0], ms.Tensor)


def test_uint32_columns_need_a_cast_for_tensors(mnist_dir: Path) -> None:
    data = ds.MnistDataset(mnist_dir, usage="test")
    with pytest.raises(TypeError, match=r"Column 'label' holds uint32.*TypeCast\(ms.int32\)"):
        next(data.create_tuple_iterator())
    label: npt.NDArray[Any] = next(data.create_tuple_iterator(output_numpy=True))[1]
    assert label.dtype == np.uint32
