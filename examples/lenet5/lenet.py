"""LeNet5 as in MindSpore's documentation (``docs/mindspore/code/lenet.py``).

The network ships with minispore's conformance suite, which trains it against a
recording from real MindSpore; the examples use that same definition::

    conv1 = Conv2d(1, 6, 5, pad_mode='valid');  conv2 = Conv2d(6, 16, 5, pad_mode='valid')
    fc1 = Dense(400, 120), fc2 = Dense(120, 84), fc3 = Dense(84, 10)  (weight_init=Normal(0.02))
    x -> conv1 -> relu -> maxpool(2, 2) -> conv2 -> relu -> maxpool(2, 2) -> flatten
      -> fc1 -> relu -> fc2 -> relu -> fc3
"""

from minispore.testing.lenet import LeNet5

__all__ = ["LeNet5"]
