"""The MindSpore LeNet5 tutorial's MNIST pipeline, unchanged but for the import."""

from __future__ import annotations

from pathlib import Path

import minispore as ms
import minispore.dataset as ds
from minispore.dataset import transforms, vision
from minispore.dataset.dataset import Dataset

BUNDLED_DATA = Path(__file__).resolve().parent / "data" / "mnist-5k"


def create_dataset(data_path: str | Path, usage: str, batch_size: int = 32, shuffle: bool = True) -> Dataset:
    """Resize to 32x32, scale to [0, 1], normalize with MNIST's mean and std, CHW, int32 labels.

    Args:
        data_path: a directory of MNIST IDX files (plain or .gz).
        usage: ``'train'`` or ``'test'``.
        batch_size: images per batch (the last partial batch is dropped).
        shuffle: shuffle (with a 10,000-image buffer) each epoch.
    """
    mnist: Dataset = ds.MnistDataset(str(data_path), usage=usage, shuffle=False)
    mnist = mnist.map(operations=transforms.TypeCast(ms.int32), input_columns="label")
    mnist = mnist.map(operations=vision.Resize((32, 32), interpolation=vision.Inter.LINEAR), input_columns="image")
    mnist = mnist.map(operations=vision.Rescale(1.0 / 255.0, 0.0), input_columns="image")
    mnist = mnist.map(operations=vision.Rescale(1 / 0.3081, -1 * 0.1307 / 0.3081), input_columns="image")
    mnist = mnist.map(operations=vision.HWC2CHW(), input_columns="image")
    if shuffle:
        mnist = mnist.shuffle(buffer_size=10000)
    return mnist.batch(batch_size, drop_remainder=True)
