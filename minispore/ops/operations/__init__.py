"""MindSpore's primitive operator classes (``from mindspore.ops import operations as P``).

Each class is configured by its constructor (``P.MatMul(transpose_b=True)``) and called
on tensors; the computations run on minispore's differentiable functions, so primitives
work inside a Cell's ``construct`` and under ``ms.value_and_grad``.
"""

from minispore.ops.operations.array_ops import (
    Assign,
    Concat,
    ExpandDims,
    Flatten,
    Gather,
    OnesLike,
    Reshape,
    Shape,
    Squeeze,
    Transpose,
    Unique,
    ZerosLike,
)
from minispore.ops.operations.math_ops import (
    Add,
    BatchMatMul,
    Cast,
    Exp,
    Log,
    MatMul,
    Mul,
    RealDiv,
    ReduceMax,
    ReduceMean,
    ReduceSum,
    Sqrt,
    Square,
    Sub,
)
from minispore.ops.operations.nn_ops import (
    ApplyMomentum,
    BiasAdd,
    LogSoftmax,
    ReLU,
    Softmax,
    SoftmaxCrossEntropyWithLogits,
    SparseSoftmaxCrossEntropyWithLogits,
)
from minispore.ops.operations.primitive import Primitive
from minispore.ops.operations.window_ops import AvgPool, Conv2D, MaxPool

__all__ = [
    "Add",
    "ApplyMomentum",
    "Assign",
    "AvgPool",
    "BatchMatMul",
    "BiasAdd",
    "Cast",
    "Concat",
    "Conv2D",
    "Exp",
    "ExpandDims",
    "Flatten",
    "Gather",
    "Log",
    "LogSoftmax",
    "MatMul",
    "MaxPool",
    "Mul",
    "OnesLike",
    "Primitive",
    "RealDiv",
    "ReLU",
    "ReduceMax",
    "ReduceMean",
    "ReduceSum",
    "Reshape",
    "Shape",
    "Softmax",
    "SoftmaxCrossEntropyWithLogits",
    "SparseSoftmaxCrossEntropyWithLogits",
    "Sqrt",
    "Square",
    "Squeeze",
    "Sub",
    "Transpose",
    "Unique",
    "ZerosLike",
]
