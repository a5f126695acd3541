"""MnistDataset: IDX parsing (plain and gzip'd), usage, sampling and every corrupt-file error."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

import minispore as ms
import minispore.dataset as ds

from .conftest import MnistWriter
from .idx_files import IMAGE_MAGIC, LABEL_MAGIC, idx_bytes, synthetic_mnist, write_file


def labels_of(data: ds.Dataset) -> list[int]:
    return [int(label) for _, label in data.create_tuple_iterator(output_numpy=True, num_epochs=1)]


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
def test_reads_images_and_labels_in_file_order(write_mnist: MnistWriter, gz: bool) -> None:
    images, labels = synthetic_mnist(12, seed=3)
    directory = write_mnist("train", images, labels, gz=gz)
    data = ds.MnistDataset(str(directory), usage="train", shuffle=False)
    rows = list(data.create_tuple_iterator(output_numpy=True, num_epochs=1))
    assert data.get_col_names() == ["image", "label"]
    assert data.get_dataset_size() == len(rows) == 12
    image, label = rows[5]
    assert image.shape == (28, 28, 1) and image.dtype == np.uint8
    assert label.shape == () and label.dtype == np.uint32
    np.testing.assert_array_equal(image[:, :, 0], images[5])
    assert [int(r[1]) for r in rows] == labels.tolist()


def test_usage_selects_files_and_all_puts_test_first(mnist_dir: Path) -> None:
    assert ds.MnistDataset(mnist_dir, usage="train").get_dataset_size() == 100
    assert ds.MnistDataset(mnist_dir, usage="test").get_dataset_size() == 30
    everything = ds.MnistDataset(mnist_dir, shuffle=False)  # usage=None means 'all'
    assert everything.get_dataset_size() == 130
    test_only = ds.MnistDataset(mnist_dir, usage="test", shuffle=False)
    first_test_image = next(test_only.create_tuple_iterator(columns=["image"]))[0]
    first_image = next(everything.create_tuple_iterator(output_numpy=True))[0]
    np.testing.assert_array_equal(first_image, first_test_image.asnumpy())


def test_all_reads_the_pairs_that_exist(write_mnist: MnistWriter) -> None:
    directory = write_mnist("t10k", *synthetic_mnist(7, seed=0))
    assert ds.MnistDataset(directory, usage="all").get_dataset_size() == 7


def test_plain_file_wins_over_gz(write_mnist: MnistWriter, tmp_path: Path) -> None:
    write_mnist("t10k", *synthetic_mnist(5, seed=0), gz=True)
    write_mnist("t10k", *synthetic_mnist(3, seed=0))
    assert ds.MnistDataset(tmp_path, usage="test").get_dataset_size() == 3


def test_shuffle_is_reproducible_under_set_seed_and_changes_each_epoch(mnist_dir: Path) -> None:
    data = ds.MnistDataset(mnist_dir, usage="train")
    ms.set_seed(7)
    first = labels_of(data)
    ms.set_seed(7)
    iterator = data.create_tuple_iterator(output_numpy=True, num_epochs=2)
    epoch1 = [int(label) for _, label in iterator]
    epoch2 = [int(label) for _, label in iterator]
    assert epoch1 == first
    assert epoch1 != epoch2
    assert sorted(epoch1) == sorted(epoch2) == sorted(labels_of(ds.MnistDataset(mnist_dir, "train", shuffle=False)))
    ms.set_seed(8)
    assert labels_of(data) != first


def test_num_samples(mnist_dir: Path) -> None:
    ordered = ds.MnistDataset(mnist_dir, usage="train", num_samples=15, shuffle=False)
    assert ordered.get_dataset_size() == 15
    assert labels_of(ordered) == [i % 10 for i in range(15)]
    # Shuffled with num_samples, MindSpore samples with replacement; the count is the same.
    assert len(labels_of(ds.MnistDataset(mnist_dir, usage="train", num_samples=15))) == 15
    assert ds.MnistDataset(mnist_dir, usage="train", num_samples=1000).get_dataset_size() == 100


def test_shards_deal_the_images_round_robin(mnist_dir: Path) -> None:
    every = labels_of(ds.MnistDataset(mnist_dir, usage="train", shuffle=False))
    shards = [labels_of(ds.MnistDataset(mnist_dir, "train", shuffle=False, num_shards=3, shard_id=s)) for s in range(3)]
    padded = every + every[: 3 * len(shards[0]) - len(every)]
    assert shards == [padded[s::3] for s in range(3)]


def test_argument_errors(mnist_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"'dataset_dir'.*does not exist"):
        ds.MnistDataset(tmp_path / "missing")
    with pytest.raises(ValueError, match=r"'usage'.*'val'"):
        ds.MnistDataset(mnist_dir, usage="val")
    with pytest.raises(TypeError, match=r"'shuffle'"):
        ds.MnistDataset(mnist_dir, shuffle=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"'num_samples'"):
        ds.MnistDataset(mnist_dir, num_samples=-1)
    with pytest.raises(ValueError, match=r"num_shards and shard_id need to be passed in together"):
        ds.MnistDataset(mnist_dir, num_shards=2)


def test_missing_files(write_mnist: MnistWriter, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"no MNIST files for usage='all'"):
        ds.MnistDataset(tmp_path)
    write_mnist("t10k", *synthetic_mnist(4, seed=0))
    with pytest.raises(RuntimeError, match=r"no MNIST files for usage='train'.*train-images-idx3-ubyte"):
        ds.MnistDataset(tmp_path, usage="train")
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(RuntimeError, match=r"t10k-images-idx3-ubyte but no t10k-labels-idx1-ubyte"):
        ds.MnistDataset(tmp_path, usage="test")


def corrupt_pair(directory: Path, image_bytes: bytes, label_bytes: bytes) -> Path:
    directory.mkdir()
    write_file(directory / "t10k-images-idx3-ubyte", image_bytes)
    write_file(directory / "t10k-labels-idx1-ubyte", label_bytes)
    return directory


GOOD_IMAGES, GOOD_LABELS = synthetic_mnist(6, seed=0)
IMAGE_FILE = idx_bytes(IMAGE_MAGIC, GOOD_IMAGES)
LABEL_FILE = idx_bytes(LABEL_MAGIC, GOOD_LABELS)


@pytest.mark.parametrize(
    ("image_bytes", "label_bytes", "message"),
    [
        (struct.pack(">I", 2052) + IMAGE_FILE[4:], LABEL_FILE, r"t10k-images.*magic number .* is 2051, but got 2052"),
        (IMAGE_FILE, struct.pack(">I", 2051) + LABEL_FILE[4:], r"t10k-labels.*magic number .* is 2049, but got 2051"),
        (IMAGE_FILE[:-100], LABEL_FILE, r"t10k-images.*promises 4704 bytes .* holds 4604.*truncated"),
        (IMAGE_FILE + b"xx", LABEL_FILE, r"t10k-images.*promises 4704 bytes .* holds 4706"),
        (IMAGE_FILE, LABEL_FILE[:-2], r"t10k-labels.*promises 6 bytes .* holds 4"),
        (IMAGE_FILE[:10], LABEL_FILE, r"t10k-images.*holds 10 bytes, fewer than the 16-byte header"),
        (
            IMAGE_FILE[:8] + struct.pack(">II", 14, 56) + IMAGE_FILE[16:],
            LABEL_FILE,
            r"t10k-images.*should be 28x28, but the header says 14x56",
        ),
        (IMAGE_FILE, idx_bytes(LABEL_MAGIC, GOOD_LABELS[:5]), r"holds 6 images but .*t10k-labels.* holds 5 labels"),
    ],
    ids=[
        "image-magic",
        "label-magic",
        "images-truncated",
        "images-extra-bytes",
        "labels-truncated",
        "header-truncated",
        "image-size",
        "count-mismatch",
    ],
)
def test_corrupt_files_name_the_file_and_the_problem(
    tmp_path: Path, image_bytes: bytes, label_bytes: bytes, message: str
) -> None:
    directory = corrupt_pair(tmp_path / "mnist", image_bytes, label_bytes)
    with pytest.raises(RuntimeError, match=message):
        ds.MnistDataset(directory, usage="test")


def test_bad_gzip_names_the_file(tmp_path: Path) -> None:
    write_file(tmp_path / "t10k-images-idx3-ubyte.gz", gzip.compress(IMAGE_FILE)[:-20])
    write_file(tmp_path / "t10k-labels-idx1-ubyte", LABEL_FILE)
    with pytest.raises(RuntimeError, match=r"t10k-images-idx3-ubyte.gz: it is not a readable gzip file"):
        ds.MnistDataset(tmp_path, usage="test")
