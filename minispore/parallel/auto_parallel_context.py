"""MindSpore's auto-parallel context: ``set_auto_parallel_context`` and ``ParallelMode``.

minispore runs ``stand_alone`` (one process) and ``data_parallel`` (every rank holds the whole
network; gradients are averaged or summed across ranks by ``nn.DistributedGradReducer``,
which ``TrainOneStepCell`` and ``Model`` insert by themselves in this mode). The sharding
modes (``semi_auto_parallel``, ``auto_parallel``, ``hybrid_parallel``) are refused.

Example:
    >>> import minispore as ms
    >>> ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL, gradients_mean=True)
    >>> ms.get_auto_parallel_context("parallel_mode")
    'data_parallel'
    >>> ms.reset_auto_parallel_context()
"""

from __future__ import annotations

from typing import Any, ClassVar


class ParallelMode:
    """Parallel mode names (MindSpore's ``ParallelMode``); minispore runs the first two."""

    STAND_ALONE = "stand_alone"
    DATA_PARALLEL = "data_parallel"
    HYBRID_PARALLEL = "hybrid_parallel"
    SEMI_AUTO_PARALLEL = "semi_auto_parallel"
    AUTO_PARALLEL = "auto_parallel"
    MODE_LIST: ClassVar[list[str]] = [STAND_ALONE, DATA_PARALLEL, HYBRID_PARALLEL, SEMI_AUTO_PARALLEL, AUTO_PARALLEL]


# key: (type, default). Keys whose non-default values minispore cannot honour are in _FIXED.
_KEYS: dict[str, tuple[type, Any]] = {
    "device_num": (int, 1),
    "global_rank": (int, 0),
    "gradients_mean": (bool, False),
    "gradient_fp32_sync": (bool, True),
    "parallel_mode": (str, ParallelMode.STAND_ALONE),
    "search_mode": (str, "recursive_programming"),
    "auto_parallel_search_mode": (str, "recursive_programming"),
    "parameter_broadcast": (bool, False),
    "strategy_ckpt_load_file": (str, ""),
    "strategy_ckpt_save_file": (str, ""),
    "full_batch": (bool, False),
    "dataset_strategy": (str, "data_parallel"),
    "enable_parallel_optimizer": (bool, False),
    "force_fp32_communication": (bool, False),
    "enable_alltoall": (bool, False),
    "all_reduce_fusion_config": (list, []),
    "pipeline_stages": (int, 1),
    "pipeline_result_broadcast": (bool, False),
    "comm_fusion": (dict, {}),
    "auto_pipeline": (bool, False),
}
_FIXED = ("full_batch", "enable_parallel_optimizer", "pipeline_stages", "auto_pipeline", "dataset_strategy")


class _AutoParallelContext:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.explicit: set[str] = set()
        self.reset()

    def reset(self) -> None:
        self.values = {
            key: (list(d) if isinstance(d, list) else dict(d) if isinstance(d, dict) else d)
            for key, (_, d) in _KEYS.items()
        }
        self.explicit = set()


_context = _AutoParallelContext()


def _has_type(value: object, kind: type) -> bool:
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def _check(key: str, value: Any) -> None:
    kind, default = _KEYS[key]
    if not _has_type(value, kind):
        raise TypeError(f"The parameter '{key}' must be {kind}, but got {type(value)}")
    if key == "parallel_mode":
        if value not in ParallelMode.MODE_LIST:
            raise ValueError(
                "The context configuration parameter 'parallel_mode' only support 'stand_alone', 'data_parallel', "
                f"'hybrid_parallel', 'semi_auto_parallel' and 'auto_parallel', but got the value : {value}."
            )
        if value not in (ParallelMode.STAND_ALONE, ParallelMode.DATA_PARALLEL):
            raise ValueError(
                f"For 'set_auto_parallel_context', minispore runs parallel_mode 'stand_alone' and 'data_parallel' "
                f"only (every rank holds the whole network), but got {value!r}. Use ParallelMode.DATA_PARALLEL."
            )
    elif key == "device_num" and value < 1:
        raise ValueError(
            f"The context configuration parameter 'device_num' must be a positive integer, but got the value of "
            f"device_num : {value}."
        )
    elif key == "global_rank" and not 0 <= value <= 4095:
        raise ValueError(
            f"The context configuration parameter 'global_rank' must be in [0, 4095], but got the value of "
            f"global_rank : {value}."
        )
    elif key in _FIXED and value != default:
        raise ValueError(
            f"For 'set_auto_parallel_context', minispore's data parallelism needs '{key}' at its default "
            f"{default!r}, but got {value!r}."
        )


def set_auto_parallel_context(**kwargs: Any) -> None:
    """Set keys of the auto-parallel context (MindSpore's names, types and defaults).

    The keys that matter here: ``parallel_mode`` (``"stand_alone"`` or ``"data_parallel"``),
    ``gradients_mean`` (average rather than sum the gradients: each rank's gradient sum is
    multiplied by ``float32(1 / device_num)``), ``device_num`` (the divisor; by default the
    world size), ``parameter_broadcast`` (copy rank 0's parameters to every rank before the
    first training step). Other MindSpore keys are accepted and stored.

    Raises:
        ValueError: an unknown key, a value out of range, a sharding mode, or a feature
            minispore does not have (parallel optimizer, pipeline stages, full batch).
        TypeError: a value of the wrong type.
    """
    for key, value in kwargs.items():
        if key not in _KEYS:
            raise ValueError(f"Set context keyword {key} is not recognized!")
        _check(key, value)
    for key, value in kwargs.items():
        _context.values[key] = value
        _context.explicit.add(key)


def get_auto_parallel_context(attr_key: str) -> Any:
    """The value of one key.

    Raises:
        ValueError: an unknown key.
    """
    if attr_key not in _KEYS:
        raise ValueError(f"Get context keyword {attr_key} is not recognized!")
    return _context.values[attr_key]


def reset_auto_parallel_context() -> None:
    """Every key back to its default (``parallel_mode="stand_alone"``, ``gradients_mean=False`` …)."""
    _context.reset()


def is_data_parallel() -> bool:
    """Whether training cells should reduce gradients across ranks."""
    return bool(_context.values["parallel_mode"] == ParallelMode.DATA_PARALLEL)


def device_num() -> int:
    """The gradient divisor: 1 stand-alone, the set ``device_num``, or else the world size."""
    from minispore.communication.management import get_group_size

    if not is_data_parallel():
        return 1
    if "device_num" in _context.explicit:
        return int(_context.values["device_num"])
    return get_group_size()
