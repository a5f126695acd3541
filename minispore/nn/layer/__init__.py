"""Layers (MindSpore's ``mindspore.nn`` layers): convolution, dense, pooling, activations, …"""

from minispore.nn.layer.activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh, get_activation
from minispore.nn.layer.basic import Dense, Dropout, Flatten
from minispore.nn.layer.conv import Conv2d
from minispore.nn.layer.normalization import BatchNorm2d
from minispore.nn.layer.pooling import AvgPool2d, MaxPool2d

__all__ = [
    "AvgPool2d",
    "BatchNorm2d",
    "Conv2d",
    "Dense",
    "Dropout",
    "Flatten",
    "LogSoftmax",
    "MaxPool2d",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "get_activation",
]
