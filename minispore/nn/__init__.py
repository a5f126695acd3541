"""Neural-network building blocks (MindSpore's ``mindspore.nn``)."""

from minispore.nn.cell import Cell, CellList, SequentialCell

__all__ = ["Cell", "CellList", "SequentialCell"]
