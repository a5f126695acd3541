"""``ModelCheckpoint`` and ``CheckpointConfig``: periodic checkpoints during training."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

from minispore.nn.cell import Cell
from minispore.train.callback.base import Callback, CallbackParams, RunContext
from minispore.train.callback.monitors import step_in_epoch


def _positive_int_or_none(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"For 'CheckpointConfig', '{name}' must be an int >= 0, but got {value!r}.")
    return value


class CheckpointConfig:
    """When and how ``ModelCheckpoint`` saves.

    Args:
        save_checkpoint_steps: save every N steps (counted across epochs).
        save_checkpoint_seconds: save at most every N seconds instead (0: off).
        keep_checkpoint_max: keep the newest N files of this run (0: keep all).
        keep_checkpoint_per_n_minutes: accepted for compatibility; not used.
        saved_network: save this Cell instead of the training network.
        format: ``'ckpt'`` or ``'safetensors'``.

    Raises:
        ValueError: negative counts, both step and second triggers off, or a bad format.
    """

    def __init__(
        self,
        save_checkpoint_steps: int = 1,
        save_checkpoint_seconds: int = 0,
        keep_checkpoint_max: int = 5,
        keep_checkpoint_per_n_minutes: int = 0,
        integrated_save: bool = True,
        async_save: bool = False,
        saved_network: Cell | None = None,
        append_info: Any = None,
        format: str = "ckpt",
        **kwargs: Any,
    ) -> None:
        self.save_checkpoint_steps = _positive_int_or_none(save_checkpoint_steps, "save_checkpoint_steps") or 0
        self.save_checkpoint_seconds = _positive_int_or_none(save_checkpoint_seconds, "save_checkpoint_seconds") or 0
        self.keep_checkpoint_max = _positive_int_or_none(keep_checkpoint_max, "keep_checkpoint_max") or 0
        self.keep_checkpoint_per_n_minutes = keep_checkpoint_per_n_minutes
        if not self.save_checkpoint_steps and not self.save_checkpoint_seconds:
            raise ValueError(
                "For 'CheckpointConfig', 'save_checkpoint_steps' and 'save_checkpoint_seconds' cannot both be 0; "
                "set one of them."
            )
        if format not in ("ckpt", "safetensors"):
            raise ValueError(f"For 'CheckpointConfig', 'format' must be 'ckpt' or 'safetensors', but got {format!r}.")
        if saved_network is not None and not isinstance(saved_network, Cell):
            raise TypeError(
                f"For 'CheckpointConfig', 'saved_network' must be a Cell, but got {type(saved_network).__name__}."
            )
        self.integrated_save = integrated_save
        self.async_save = async_save
        self.saved_network = saved_network
        self.append_info = append_info
        self.format = format


class ModelCheckpoint(Callback):
    """Save the training network (weights and optimizer state) during training.

    Files are named ``<prefix>-<epoch>_<step in epoch>.<format>`` in ``directory``. When
    files of an earlier run with the same prefix exist, the prefix becomes
    ``<prefix>_1``, ``<prefix>_2``, … as in MindSpore. A last checkpoint is written at
    the end of training if the last step was not saved.

    Args:
        prefix: the file-name prefix.
        directory: where to save (created if needed); the working directory if None.
        config: a :class:`CheckpointConfig`.
    """

    def __init__(
        self,
        prefix: str = "CKP",
        directory: str | os.PathLike[str] | None = None,
        config: CheckpointConfig | None = None,
    ) -> None:
        if not isinstance(prefix, str) or not prefix or "/" in prefix:
            raise ValueError(
                f"For 'ModelCheckpoint', 'prefix' must be a non-empty file-name prefix, but got {prefix!r}."
            )
        self._config = config or CheckpointConfig()
        self._directory = Path(directory) if directory is not None else Path.cwd()
        self._base_prefix = prefix
        self._prefix = prefix
        self._saved: list[Path] = []
        self._last_step = 0
        self._last_time = time.monotonic()
        self.latest_ckpt_file_name = ""

    def _choose_prefix(self) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        pattern = re.compile(rf"^{re.escape(self._base_prefix)}(_\d+)?-\d+_\d+\.{self._config.format}$")
        taken = {p.name.split("-")[0] for p in self._directory.iterdir() if pattern.match(p.name)}
        prefix, n = self._base_prefix, 0
        while prefix in taken:
            n += 1
            prefix = f"{self._base_prefix}_{n}"
        self._prefix = prefix

    def on_train_begin(self, run_context: RunContext) -> None:
        self._choose_prefix()
        self._saved = []
        self._last_step = 0
        self._last_time = time.monotonic()

    def _due(self, params: CallbackParams) -> bool:
        cfg = self._config
        if cfg.save_checkpoint_steps:
            return bool(params.cur_step_num % cfg.save_checkpoint_steps == 0)
        return time.monotonic() - self._last_time >= cfg.save_checkpoint_seconds

    def on_train_step_end(self, run_context: RunContext) -> None:
        params = run_context.original_args()
        if self._due(params):
            self._save(params)

    def on_train_end(self, run_context: RunContext) -> None:
        params = run_context.original_args()
        if params.get("cur_step_num", 0) and self._last_step != params.cur_step_num:
            self._save(params)

    def _save(self, params: CallbackParams) -> None:
        from minispore.train.serialization import save_checkpoint

        network = self._config.saved_network or params.train_network
        path = self._directory / f"{self._prefix}-{params.cur_epoch_num}_{step_in_epoch(params)}.{self._config.format}"
        save_checkpoint(network, str(path), format=self._config.format)
        self._last_step = params.cur_step_num
        self._last_time = time.monotonic()
        self.latest_ckpt_file_name = str(path)
        self._saved.append(path)
        keep = self._config.keep_checkpoint_max
        while keep and len(self._saved) > keep:
            self._saved.pop(0).unlink(missing_ok=True)
