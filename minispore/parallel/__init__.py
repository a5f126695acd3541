"""Parallel training settings (MindSpore's ``mindspore.parallel``): the auto-parallel context."""

from minispore.parallel.auto_parallel_context import (
    ParallelMode,
    get_auto_parallel_context,
    reset_auto_parallel_context,
    set_auto_parallel_context,
)

__all__ = ["ParallelMode", "get_auto_parallel_context", "reset_auto_parallel_context", "set_auto_parallel_context"]
