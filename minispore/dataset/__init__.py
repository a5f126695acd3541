"""Data pipelines (``mindspore.dataset``): sources, pipeline methods and transforms.

Everything runs on the host with NumPy; iterators hand out :class:`minispore.Tensor` values
(or NumPy arrays with ``output_numpy=True``).

Example:
    >>> import numpy as np
    >>> import minispore as ms
    >>> import minispore.dataset as ds
    >>> from minispore.dataset import transforms, vision
    >>> images = np.zeros((8, 28, 28, 1), np.uint8)
    >>> data = ds.NumpySlicesDataset({"image": images, "label": np.arange(8)}, shuffle=False)
    >>> data = data.map([vision.Resize((32, 32)), vision.Rescale(1.0 / 255.0, 0.0), vision.HWC2CHW()], "image")
    >>> data = data.map(transforms.TypeCast(ms.int32), "label").batch(4, drop_remainder=True)
    >>> image, label = next(data.create_tuple_iterator())
    >>> image.shape, image.dtype, label.dtype
    ((4, 1, 32, 32), Float32, Int32)
"""

from minispore.dataset import transforms, vision
from minispore.dataset.dataset import Dataset
from minispore.dataset.generator import GeneratorDataset
from minispore.dataset.iterators import DictIterator, TupleIterator
from minispore.dataset.mnist import MnistDataset
from minispore.dataset.numpy_slices import NumpySlicesDataset
from minispore.dataset.samplers import DistributedSampler
from minispore.out_of_scope import MindDataset

__all__ = [
    "Dataset",
    "DictIterator",
    "DistributedSampler",
    "GeneratorDataset",
    "MindDataset",
    "MnistDataset",
    "NumpySlicesDataset",
    "TupleIterator",
    "transforms",
    "vision",
]
