"""Keep freed host memory for reuse instead of handing it back to the OS at every free.

glibc serves blocks above its mmap threshold (128 KiB to start) with fresh pages and
unmaps them when they are freed, so every new im2col buffer or activation is faulted
in again, page by page: about 2,000 faults and a third of the CPU time of a LeNet5 step
at batch 32 (measured with ``getrusage``). Raising the mmap and trim thresholds makes
such blocks come from the heap, where a freed block serves the next allocation of the
step: PyTorch's caching allocator, in two settings. No-op where libc is not glibc.
"""

from __future__ import annotations

import ctypes
import sys

MMAP_THRESHOLD = 32 << 20
"""Blocks below this come from the heap (glibc's ceiling for the setting on 64-bit)."""
TRIM_THRESHOLD = 512 << 20
"""Free memory at the top of the heap is kept up to this much."""

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_done = False


def keep_freed_memory() -> bool:
    """Set glibc's thresholds once per process; True when they are in force."""
    global _done
    if not _done and sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL("libc.so.6")
            _done = bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
                libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
            )
        except (OSError, AttributeError):
            _done = False
    return _done
