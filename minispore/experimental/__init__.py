"""MindSpore's ``mindspore.experimental``: the PyTorch-style optimizer API (:mod:`.optim`)."""

from minispore.experimental import optim

__all__ = ["optim"]
