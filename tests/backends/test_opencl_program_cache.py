"""The on-disk cache of compiled OpenCL programs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from minispore_opencl import OpenCLBackend

_AVAILABILITY = OpenCLBackend.availability()
if not _AVAILABILITY.available:
    pytest.skip(f"OpenCL backend unavailable: {_AVAILABILITY.reason}", allow_module_level=True)

import pyopencl as cl  # noqa: E402
from minispore_opencl import device, program_cache  # noqa: E402

SOURCE = "__kernel void twice(__global float* a) { a[get_global_id(0)] *= 2.0f; }"


def _run(program: cl.Program, context: cl.Context) -> np.ndarray[Any, Any]:
    queue = cl.CommandQueue(context)
    host = np.arange(4, dtype=np.float32)
    buf = cl.Buffer(context, cl.mem_flags.READ_WRITE | cl.mem_flags.COPY_HOST_PTR, hostbuf=host)
    program.twice(queue, (4,), None, buf)
    cl.enqueue_copy(queue, host, buf)
    queue.finish()
    return host


def test_binary_is_stored_then_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    dev = device.select(0)
    context = cl.Context([dev])
    first = program_cache.build(context, dev, SOURCE, [])
    stored = list((tmp_path / "minispore" / "opencl").glob("*.bin"))
    assert len(stored) == 1
    built_from_source: list[str] = []
    original = cl.Program.__init__

    def spy(self: cl.Program, *args: Any) -> None:
        if len(args) == 2:  # (context, source): a build from source
            built_from_source.append("yes")
        original(self, *args)

    monkeypatch.setattr(cl.Program, "__init__", spy)
    second = program_cache.build(context, dev, SOURCE, [])
    assert built_from_source == []
    np.testing.assert_array_equal(_run(second, context), _run(first, context))


def test_corrupt_binary_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    dev = device.select(0)
    context = cl.Context([dev])
    program_cache.build(context, dev, SOURCE, [])
    (path,) = (tmp_path / "minispore" / "opencl").glob("*.bin")
    path.write_bytes(b"not a binary")
    program = program_cache.build(context, dev, SOURCE, [])
    np.testing.assert_array_equal(_run(program, context), [0.0, 2.0, 4.0, 6.0])
    assert path.read_bytes() != b"not a binary"


def test_cache_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(program_cache.DISABLE_VARIABLE, "0")
    assert program_cache.cache_dir() is None


def test_cache_keeps_its_size_by_dropping_the_least_recently_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "minispore" / "opencl"
    dev = device.select(0)
    context = cl.Context([dev])
    sources = [SOURCE.replace("2.0f", f"{k}.0f") for k in range(3)]
    for source in sources:
        program_cache.build(context, dev, source, [])
        for path in folder.glob("*.bin"):  # the earlier a file was stored, the older it looks
            os.utime(path, (path.stat().st_atime, path.stat().st_mtime - 10))
    sizes = [p.stat().st_size for p in folder.glob("*.bin")]
    assert len(sizes) == 3
    program_cache.build(context, dev, sources[0], [])  # read back: now the most recently used
    monkeypatch.setattr(program_cache, "LIMIT_BYTES", sum(sizes))
    program_cache.build(context, dev, SOURCE.replace("2.0f", "7.0f"), [])  # a fourth: over the limit
    kept = {p.name for p in folder.glob("*.bin")}
    names = [f"{program_cache._key(dev, s, [])}.bin" for s in sources]
    assert names[0] in kept and names[1] not in kept  # the oldest went, the one read back stayed
    assert sum(p.stat().st_size for p in folder.glob("*.bin")) <= sum(sizes) * 3 // 4
