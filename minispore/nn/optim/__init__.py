"""Optimizers (MindSpore's ``mindspore.nn.optim``)."""

from minispore.nn.optim.adam import Adam, AdamWeightDecay
from minispore.nn.optim.momentum import Momentum
from minispore.nn.optim.optimizer import Optimizer
from minispore.nn.optim.rmsprop import RMSProp
from minispore.nn.optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamWeightDecay", "Momentum", "Optimizer", "RMSProp"]
