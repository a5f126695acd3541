"""The parameter sets the optimizer benchmarks use: LeNet5 and ResNet-50 shapes."""

from __future__ import annotations

import math


def lenet5_shapes() -> list[tuple[int, ...]]:
    """LeNet5 with biases everywhere: 61,706 floats in 10 tensors."""
    return [(6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,), (84, 120), (84,), (10, 84), (10,)]


def resnet50_shapes() -> list[tuple[int, ...]]:
    """torchvision's ResNet-50 parameter shapes: 25,557,032 floats in 161 tensors."""
    shapes: list[tuple[int, ...]] = [(64, 3, 7, 7), (64,), (64,)]
    in_ch = 64
    for width, blocks in ((64, 3), (128, 4), (256, 6), (512, 3)):
        for b in range(blocks):
            out_ch = width * 4
            shapes += [(width, in_ch, 1, 1), (width,), (width,)]
            shapes += [(width, width, 3, 3), (width,), (width,)]
            shapes += [(out_ch, width, 1, 1), (out_ch,), (out_ch,)]
            if b == 0:
                shapes += [(out_ch, in_ch, 1, 1), (out_ch,), (out_ch,)]
            in_ch = out_ch
    shapes += [(1000, 2048), (1000,)]
    return shapes


PARAM_SETS = {"lenet5": lenet5_shapes, "resnet50": resnet50_shapes}


def total_elements(shapes: list[tuple[int, ...]]) -> int:
    return sum(math.prod(s) for s in shapes)
