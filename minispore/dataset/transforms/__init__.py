"""General transforms (``mindspore.dataset.transforms``): ``TypeCast``."""

from minispore.dataset.transforms.operation import TensorOperation
from minispore.dataset.transforms.type_cast import TypeCast

__all__ = ["TensorOperation", "TypeCast"]
