"""Training callbacks (MindSpore's ``mindspore.train.callback``)."""

from minispore.train.callback.base import Callback, CallbackParams, RunContext
from minispore.train.callback.checkpoint import CheckpointConfig, ModelCheckpoint
from minispore.train.callback.monitors import History, LossMonitor, TimeMonitor
from minispore.train.callback.progress import ProgressBar

__all__ = [
    "Callback",
    "CallbackParams",
    "CheckpointConfig",
    "History",
    "LossMonitor",
    "ModelCheckpoint",
    "ProgressBar",
    "RunContext",
    "TimeMonitor",
]
