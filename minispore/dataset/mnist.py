"""``MnistDataset``: the MNIST (or Fashion-MNIST) IDX files of a directory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from minispore.dataset import idx
from minispore.dataset.sampling import Sampling
from minispore.dataset.source import ArraySourceDataset

# File prefixes per usage. For 'all' MindSpore reads the files in sorted name order, so the
# 10,000 test images come before the 60,000 training images.
_PREFIXES = {"train": ("train",), "test": ("t10k",), "all": ("t10k", "train")}


class MnistDataset(ArraySourceDataset):
    """MNIST from its IDX files, with MindSpore's columns and sampling.

    The directory holds ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each plain or gzip'd
    (``.gz``; a plain file wins when both exist). With ``usage='all'`` the test files come
    first, then the training files (MindSpore's order); a pair that is absent is skipped.
    The files are read and checked once, here.

    Columns: ``image``, uint8 of shape ``(28, 28, 1)`` (HWC); ``label``, a uint32 scalar.
    minispore Tensors have no uint32, so cast the label (``TypeCast(ms.int32)``, as the
    LeNet5 tutorial does) before iterating it as a Tensor.

    Args:
        dataset_dir: the directory of the IDX files.
        usage: ``'train'``, ``'test'`` or ``'all'`` (None means ``'all'``).
        num_samples: read at most this many images per epoch (None or 0: all).
        num_parallel_workers: accepted for MindSpore compatibility; unused.
        shuffle: a new random order each epoch (None means True, as in MindSpore). With
            ``num_samples`` too, images are drawn with replacement, as MindSpore does.
        sampler: a :class:`~minispore.dataset.DistributedSampler` (other samplers are not
            supported), instead of ``shuffle``, ``num_samples`` and the shard arguments.
        num_shards: split the rows into this many shards, one per data-parallel rank.
        shard_id: the shard to read (``get_rank()``), with ``num_shards``: rows are dealt
            round-robin, each shard padded to ``ceil(n / num_shards)`` by wrapping around,
            as in MindSpore (see :mod:`minispore.dataset.samplers`).

    Raises:
        ValueError: ``dataset_dir`` is not a directory, ``usage`` is not one of the three
            names, ``num_samples`` is negative, or an unsupported argument is set.
        TypeError: ``shuffle`` is not a bool or None.
        RuntimeError: the files for ``usage`` are missing, one file of a pair is missing, a
            file is corrupt (wrong magic number, wrong image size, truncated or with extra
            bytes, bad gzip), or a pair holds different numbers of images and labels.

    Example:
        >>> import minispore.dataset as ds
        >>> from minispore.dataset import vision
        >>> data = ds.MnistDataset(MNIST_DIR, usage="test", shuffle=False)  # doctest: +SKIP
        >>> data = data.map(vision.Rescale(1.0 / 255.0, 0.0), "image").batch(32)  # doctest: +SKIP
        >>> data.get_dataset_size()  # doctest: +SKIP
        32
    """

    def __init__(
        self,
        dataset_dir: str | os.PathLike[str],
        usage: str | None = None,
        num_samples: int | None = None,
        num_parallel_workers: int | None = None,
        shuffle: bool | None = None,
        sampler: object = None,
        num_shards: int | None = None,
        shard_id: int | None = None,
    ) -> None:
        sampling = Sampling.from_args("MnistDataset", shuffle, num_samples, num_shards, shard_id, sampler)
        directory = Path(dataset_dir)
        if not directory.is_dir():
            raise ValueError(
                f"For 'MnistDataset', 'dataset_dir' must be a directory holding the MNIST IDX files, "
                f"but {str(dataset_dir)!r} does not exist or is not a directory."
            )
        usage = "all" if usage is None else usage
        if usage not in _PREFIXES:
            raise ValueError(f"For 'MnistDataset', 'usage' must be 'train', 'test', 'all' or None, but got {usage!r}.")
        images, labels = _load(directory, usage)
        super().__init__(["image", "label"], [images, labels], sampling)


def _load(directory: Path, usage: str) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint32]]:
    images: list[npt.NDArray[np.uint8]] = []
    labels: list[npt.NDArray[np.uint8]] = []
    for prefix in _PREFIXES[usage]:
        pair = _find_pair(directory, prefix)
        if pair is None:
            continue
        image_path, label_path = pair
        images.append(idx.read_images(image_path))
        labels.append(idx.read_labels(label_path))
        if len(images[-1]) != len(labels[-1]):
            raise RuntimeError(
                f"Invalid MNIST files: {image_path} holds {len(images[-1])} images but {label_path} holds "
                f"{len(labels[-1])} labels. The two files must come from the same MNIST release."
            )
    if not images:
        wanted = " and ".join(f"{p}-images-idx3-ubyte / {p}-labels-idx1-ubyte" for p in _PREFIXES[usage])
        raise RuntimeError(
            f"For 'MnistDataset', {directory} has no MNIST files for usage={usage!r}: expected {wanted} "
            f"(each plain or .gz)."
        )
    image_array = images[0] if len(images) == 1 else np.concatenate(images)
    label_array: npt.NDArray[Any] = labels[0] if len(labels) == 1 else np.concatenate(labels)
    return image_array[..., np.newaxis], label_array.astype(np.uint32)


def _find_pair(directory: Path, prefix: str) -> tuple[Path, Path] | None:
    """The image and label files of ``prefix``, None if both are absent."""
    image = _find(directory, f"{prefix}-images-idx3-ubyte")
    label = _find(directory, f"{prefix}-labels-idx1-ubyte")
    if image is None and label is None:
        return None
    if image is None or label is None:
        found, missing = (label, "images-idx3") if image is None else (image, "labels-idx1")
        raise RuntimeError(
            f"For 'MnistDataset', {directory} has {found} but no {prefix}-{missing}-ubyte (plain or .gz); "
            f"MNIST files come in image/label pairs."
        )
    return image, label


def _find(directory: Path, name: str) -> Path | None:
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None
