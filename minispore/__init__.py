"""minispore: MindSpore-style training that runs anywhere Python and NumPy run.

Change ``import mindspore as ms`` to ``import minispore as ms``; the rest of the script
stays as it is.
"""

from minispore import amp, dataset, nn, ops, train
from minispore.common import dtype
from minispore.common.api import jit, jit_class
from minispore.common.dtype import (
    DType,
    bool_,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
)
from minispore.common.interop import from_dlpack, from_numpy, to_dlpack
from minispore.common.parameter import Parameter, ParameterTuple
from minispore.common.tensor import Tensor
from minispore.context import (
    COMPATIBLE,
    GRAPH_MODE,
    LAX,
    PYNATIVE_MODE,
    STRICT,
    get_context,
    get_device,
    get_seed,
    set_context,
    set_device,
    set_seed,
)
from minispore.grad import grad, value_and_grad
from minispore.nn.metrics import MAE, MSE
from minispore.out_of_scope import export, load
from minispore.parallel import (
    ParallelMode,
    get_auto_parallel_context,
    reset_auto_parallel_context,
    set_auto_parallel_context,
)
from minispore.train import (
    Accuracy,
    Callback,
    CheckpointConfig,
    History,
    Loss,
    LossMonitor,
    Metric,
    Model,
    ModelCheckpoint,
    RunContext,
    TimeMonitor,
    Top1CategoricalAccuracy,
    Top5CategoricalAccuracy,
    TopKCategoricalAccuracy,
    get_metric_fn,
)
from minispore.train.serialization import load_checkpoint, load_param_into_net, save_checkpoint

float_ = float32
int_ = int64
__version__ = "0.1.0"

__all__ = [
    "Accuracy",
    "Callback",
    "CheckpointConfig",
    "History",
    "Loss",
    "LossMonitor",
    "Metric",
    "ModelCheckpoint",
    "RunContext",
    "TimeMonitor",
    "Top1CategoricalAccuracy",
    "Top5CategoricalAccuracy",
    "TopKCategoricalAccuracy",
    "get_metric_fn",
    "MAE",
    "MSE",
    "COMPATIBLE",
    "dataset",
    "LAX",
    "STRICT",
    "export",
    "from_dlpack",
    "from_numpy",
    "jit",
    "jit_class",
    "load",
    "to_dlpack",
    "DType",
    "GRAPH_MODE",
    "PYNATIVE_MODE",
    "ParallelMode",
    "Parameter",
    "ParameterTuple",
    "Model",
    "Tensor",
    "amp",
    "bool_",
    "dtype",
    "float16",
    "float32",
    "float64",
    "float_",
    "get_auto_parallel_context",
    "get_context",
    "get_device",
    "get_seed",
    "grad",
    "int16",
    "int32",
    "int64",
    "int8",
    "int_",
    "load_checkpoint",
    "load_param_into_net",
    "nn",
    "ops",
    "reset_auto_parallel_context",
    "save_checkpoint",
    "set_auto_parallel_context",
    "set_context",
    "set_device",
    "set_seed",
    "train",
    "uint8",
    "value_and_grad",
]
