"""LeNet5 as in MindSpore's documentation (``docs/mindspore/code/lenet.py``)."""

from __future__ import annotations

import minispore as ms
from minispore import nn
from minispore.common.initializer import Normal


class LeNet5(nn.Cell):
    """conv(5x5, 6) -> relu -> maxpool -> conv(5x5, 16) -> relu -> maxpool -> 3 dense layers.

    Args:
        num_class: number of classes.
        num_channel: input channels (1 for MNIST).
    """

    def __init__(self, num_class: int = 10, num_channel: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(num_channel, 6, 5, pad_mode="valid")
        self.conv2 = nn.Conv2d(6, 16, 5, pad_mode="valid")
        self.fc1 = nn.Dense(16 * 5 * 5, 120, weight_init=Normal(0.02))
        self.fc2 = nn.Dense(120, 84, weight_init=Normal(0.02))
        self.fc3 = nn.Dense(84, num_class, weight_init=Normal(0.02))
        self.relu = nn.ReLU()
        self.max_pool2d = nn.MaxPool2d(kernel_size=2, stride=2)
        self.flatten = nn.Flatten()

    def construct(self, x: ms.Tensor) -> ms.Tensor:
        x = self.max_pool2d(self.relu(self.conv1(x)))
        x = self.max_pool2d(self.relu(self.conv2(x)))
        x = self.flatten(x)
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        out: ms.Tensor = self.fc3(x)
        return out
