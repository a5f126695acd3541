"""Image transforms (``mindspore.dataset.vision``): Resize, Rescale, Normalize, HWC2CHW, Inter.

Each transform is a class; an instance is a callable on one image (a NumPy array) and runs on
whole stacks of images inside a dataset pipeline.

Example:
    >>> import numpy as np
    >>> from minispore.dataset import vision
    >>> img = np.zeros((28, 28, 1), np.uint8)
    >>> vision.HWC2CHW()(vision.Rescale(1.0 / 255.0, 0.0)(vision.Resize((32, 32))(img))).shape
    (1, 32, 32)
"""

from minispore.dataset.vision.intensity import Normalize, Rescale
from minispore.dataset.vision.inter import Inter
from minispore.dataset.vision.layout import HWC2CHW
from minispore.dataset.vision.resize import Resize

__all__ = ["HWC2CHW", "Inter", "Normalize", "Rescale", "Resize"]
