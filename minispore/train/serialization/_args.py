"""Argument checks shared by saving and loading, with MindSpore's exception types."""

from __future__ import annotations

from typing import Any

FORMATS = ("ckpt", "safetensors")


def check_format(format: Any, api: str) -> str:
    """``format`` itself if it is ``'ckpt'`` or ``'safetensors'``.

    Raises:
        ValueError: any other value.
    """
    if not isinstance(format, str) or format not in FORMATS:
        raise ValueError(f"For '{api}', the format must be 'safetensors' or 'ckpt', but got {format!r}.")
    return format


def check_no_key(key: Any, mode: Any, key_name: str, mode_name: str, api: str) -> None:
    """Reject encryption, which minispore does not implement.

    Raises:
        TypeError: ``key`` is not bytes or None, or ``mode`` is not a str.
        NotImplementedError: a key is given.
    """
    if key is not None and not isinstance(key, bytes):
        raise TypeError(f"For '{api}', '{key_name}' must be bytes or None, but got {type(key).__name__}.")
    if not isinstance(mode, str):
        raise TypeError(f"For '{api}', '{mode_name}' must be a str such as 'AES-GCM', but got {type(mode).__name__}.")
    if key is not None:
        raise NotImplementedError(
            f"For '{api}', '{key_name}' is not supported: minispore does not encrypt checkpoints. "
            f"Pass {key_name}=None, and protect the file by other means (file permissions, an encrypted volume)."
        )
