"""Replace a file atomically: readers, and a crash, see the old content or the new one.

A writer killed mid-save (SIGKILL, power loss) cannot remove its temporary file, so each
write first removes the temporary files that earlier writes of the same name left behind.
A writer holds an exclusive ``flock`` on its temporary file until the rename, and the kernel
drops that lock when the process dies, so "the lock can be taken" means "its writer is gone":
a save of the same name that is still running in another process is never disturbed. Where
there is no ``fcntl`` (Windows), an open file cannot be deleted, which gives the same test.
An empty file a few seconds old is kept too: its writer may have created it and not yet
taken the lock.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import time
from collections.abc import Callable
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


_FRESH_SECONDS = 5.0


def atomic_write(path: str, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write`` on a temporary file beside ``path``, make it durable, rename it over ``path``.

    The temporary file (``.<name>.<16 hex digits>.tmp`` in the same directory, so the rename
    never crosses filesystems) is flushed and ``fsync``-ed before ``os.replace``; if ``write``
    raises, it is removed and ``path`` is untouched. The new file's permissions follow the
    umask, as for any newly created file. Temporary files of ``path`` whose writer has died
    are removed first.
    """
    directory = os.path.dirname(path) or "."
    name = os.path.basename(path)
    remove_stale_temporaries(directory, name)
    tmp = os.path.join(directory, f".{name}.{secrets.token_hex(8)}.tmp")
    # O_EXCL: never open a file another writer created; 0o666 & ~umask, like open(path, 'wb').
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        with os.fdopen(fd, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
            os.replace(tmp, path)  # before the close releases the lock
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def remove_stale_temporaries(directory: str, name: str) -> list[str]:
    """Remove the ``.<name>.<16 hex digits>.tmp`` files in ``directory`` that no live writer holds.

    Returns:
        The paths removed. Files that cannot be inspected, locked or removed are left alone.
    """
    pattern = re.compile(rf"\.{re.escape(name)}\.[0-9a-f]{{16}}\.tmp")
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory):
            if pattern.fullmatch(entry.name) and _remove_if_abandoned(entry.path):
                removed.append(entry.path)
    return removed


def _remove_if_abandoned(path: str) -> bool:
    try:
        info = os.lstat(path)
        # An empty file seconds old may be a writer's, created but not yet locked: left for a later save.
        if not stat.S_ISREG(info.st_mode) or (info.st_size == 0 and time.time() - info.st_mtime < _FRESH_SECONDS):
            return False
        if fcntl is None:
            os.unlink(path)  # Windows refuses while a writer has it open
            return True
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.unlink(path)
    except OSError:  # locked: a save in another process is writing it
        return False
    finally:
        os.close(fd)
    return True


def _fsync_directory(directory: str) -> None:
    """Persist the rename itself (POSIX); a no-op where directories cannot be opened."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
