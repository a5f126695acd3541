"""Global context: the default device, the execution mode and the random seed.

``ms.set_device("OpenCL")`` and ``ms.set_context(device_target="OpenCL")`` choose where
new tensors are created. The ``MINISPORE_DEVICE`` environment variable sets the default
before any call (for example ``MINISPORE_DEVICE=OpenCL:1 python train.py``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minispore.backend.protocol import Backend
from minispore.backend.registry import DeviceSpec, get_backend
from minispore.parallel.auto_parallel_context import (  # MindSpore scripts reach these through ms.context
    ParallelMode as ParallelMode,
)
from minispore.parallel.auto_parallel_context import (
    get_auto_parallel_context as get_auto_parallel_context,
)
from minispore.parallel.auto_parallel_context import (
    reset_auto_parallel_context as reset_auto_parallel_context,
)
from minispore.parallel.auto_parallel_context import (
    set_auto_parallel_context as set_auto_parallel_context,
)

PYNATIVE_MODE = 1
GRAPH_MODE = 0
# ``set_context(jit_syntax_level=...)`` values; accepted and ignored, like graph mode.
STRICT = 0
COMPATIBLE = 1
LAX = 2
DEVICE_ENV_VAR = "MINISPORE_DEVICE"
# The keys MindSpore 2.10's set_context accepts (recorded by recording/set_context_keys.py); minispore
# acts on device_target, device_id and mode and ignores the others, since it runs every mode eagerly.
MINDSPORE_CONTEXT_KEYS = frozenset(
    """
    aoe_config aoe_job_type aoe_tune_mode ascend_config atomic_clean_policy bias_add_comm_swap
    check_bprop compile_cache_path compute_communicate_fusion_level conv_allow_hf32 conv_allow_tf32
    conv_dgrad_algo conv_fprop_algo conv_wgrad_algo cur_step_num dataset_broadcast_opt_level
    debug_level deterministic device_id device_target disable_format_transform
    enable_allreduce_slice_to_reducescatter enable_begin_end_inline_opt enable_compile_cache
    enable_concat_eliminate_opt enable_debug_runtime enable_flash_attention_load_balance
    enable_fused_cast_add_opt enable_ge enable_grad_comm_opt enable_graph_kernel
    enable_interleave_parallel_branch enable_interleave_split_concat_branch
    enable_offloading_packed_experts enable_opt_shard_comm_opt enable_parallel_split
    enable_profiling enable_reduce_precision enable_task_opt env_config_path exec_order ge_options
    gpu_config graph_kernel_flags hccl_watchdog host_scheduling_max_threshold infer_boost
    inter_op_parallel_num interleaved_layernorm_comm interleaved_matmul_comm jit_compile jit_config
    jit_level jit_syntax_level last_triggered_step matmul_allow_hf32 matmul_allow_tf32
    matmul_grad_comm_overlap max_call_depth max_device_memory memory_optimize_level
    mempool_block_size mode need_ckpt op_debug_option op_precision_mode op_timeout pp_1f1b_overlap
    precision_mode print_file_path profiling_options pynative_synchronize
    recompute_allgather_overlap_fagrad recompute_comm_overlap reserve_class_name_in_scope
    runtime_num_threads save_checkpoint_steps save_graphs save_graphs_path support_binary topo_order
    variable_memory_max_size
    """.split()  # noqa: SIM905 (a word list reads better than 83 quoted lines)
)


@dataclass
class _Context:
    device: str = field(default_factory=lambda: os.environ.get(DEVICE_ENV_VAR, "CPU"))
    mode: int = PYNATIVE_MODE
    seed: int | None = None
    rng: np.random.Generator = field(default_factory=np.random.default_rng)


_ctx = _Context()


def default_backend() -> Backend:
    """The backend that new tensors are created on."""
    return get_backend(_ctx.device)


def set_device(device_target: str, device_id: int | None = None) -> None:
    """Choose the default device for new tensors, as ``mindspore.set_device`` does.

    Args:
        device_target: ``"CPU"``, ``"GPU"``, ``"OpenCL"`` (or any installed backend's
            target), optionally with an index: ``"OpenCL:1"``.
        device_id: the device index, instead of the ``":N"`` suffix.

    Raises:
        BackendUnavailableError: the device is not installed or cannot run here.

    Example:
        >>> import minispore as ms
        >>> ms.set_device("CPU")
    """
    spec = DeviceSpec.parse(device_target)
    index = spec.index if device_id is None else int(device_id)
    name = f"{spec.target}:{index}" if index else spec.target
    get_backend(name)
    _ctx.device = name


def get_device() -> str:
    """The default device string, such as ``"CPU"`` or ``"OpenCL:1"``."""
    return _ctx.device


def set_context(**kwargs: Any) -> None:
    """MindSpore's ``set_context``: ``device_target``, ``device_id`` and ``mode``.

    ``mode=ms.GRAPH_MODE`` is accepted and recorded (``get_context("mode")`` returns it),
    but minispore runs every mode eagerly: a script written for graph mode runs and gives
    the same numbers. Other MindSpore keys (``save_graphs``, ``jit_config``,
    ``jit_syntax_level``, …) are accepted and ignored for the same reason; a key MindSpore
    does not know is an error, as in MindSpore, so that a misspelt ``device_targt`` is not
    silently ignored.

    Raises:
        ValueError: a key is not one of MindSpore's, or ``mode`` is not
            ``PYNATIVE_MODE`` or ``GRAPH_MODE``.
    """
    unknown = sorted(set(kwargs) - MINDSPORE_CONTEXT_KEYS)
    if unknown:
        raise ValueError(
            f"For 'context.set_context', the keyword argument {unknown[0]} is not recognized! It must be one of "
            "MindSpore's set_context arguments, such as device_target, device_id or mode."
        )
    if "mode" in kwargs:
        if kwargs["mode"] not in (PYNATIVE_MODE, GRAPH_MODE):
            raise ValueError(
                f"For 'set_context', 'mode' must be ms.PYNATIVE_MODE or ms.GRAPH_MODE, but got {kwargs['mode']!r}."
            )
        _ctx.mode = int(kwargs["mode"])
    if "device_target" in kwargs:
        set_device(kwargs["device_target"], kwargs.get("device_id"))
    elif "device_id" in kwargs:
        set_device(DeviceSpec.parse(_ctx.device).target, kwargs["device_id"])


def get_context(key: str) -> Any:
    """Read ``device_target``, ``device_id`` or ``mode``."""
    spec = DeviceSpec.parse(_ctx.device)
    values = {"device_target": spec.target, "device_id": spec.index, "mode": _ctx.mode}
    if key not in values:
        raise ValueError(f"For 'get_context', the key must be one of {sorted(values)}, but got {key!r}.")
    return values[key]


def set_seed(seed: int) -> None:
    """Seed initial weights, NumPy's global generator and dropout, as ``mindspore.set_seed`` does.

    Like MindSpore, this calls ``numpy.random.seed(seed)``: every random initializer then
    draws its Philox seed from NumPy's global generator, so a script gets MindSpore's own
    initial weights (see :mod:`minispore.common.philox`).

    Raises:
        TypeError: ``seed`` is not an int (a bool included).
        ValueError: ``seed`` is negative or at least ``2**32``.

    Example:
        >>> import minispore as ms
        >>> ms.set_seed(1)
        >>> ms.get_seed()
        1
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"For 'set_seed', 'seed' must be an int such as 1, but got {type(seed).__name__} {seed!r}.")
    if not 0 <= seed < 2**32:
        raise ValueError(f"For 'set_seed', 'seed' must be an int in [0, 2**32 - 1], but got {seed}.")
    np.random.seed(seed)
    _ctx.seed = seed
    _ctx.rng = np.random.default_rng(seed)


def get_seed() -> int | None:
    """The seed given to :func:`set_seed`, or None."""
    return _ctx.seed


def host_rng() -> np.random.Generator:
    """The host NumPy generator for initial weights and dropout masks."""
    return _ctx.rng
