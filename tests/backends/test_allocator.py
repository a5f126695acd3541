"""The NumPy device keeps freed host memory: a block freed and asked for again is not faulted in anew."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc settings")

SCRIPT = textwrap.dedent(
    """
    import resource, sys
    import numpy as np
    from minispore_numpy.allocator import keep_freed_memory

    def faults():
        return resource.getrusage(resource.RUSAGE_THREAD).ru_minflt

    if not keep_freed_memory():
        print("skip: libc is not glibc")
        sys.exit(0)
    elements = 2 << 20  # 8 MiB of float32: about 500 faults from a fresh mapping, 0 reused
    first = np.ones(elements, np.float32)
    del first
    before = faults()
    second = np.ones(elements, np.float32)
    print(faults() - before, float(second[-1]))
    """
)


def test_a_freed_block_is_reused_without_page_faults() -> None:
    # In a fresh process: the heap of a test process that ran other tests (an OpenCL
    # runtime's threads, large arrays still alive) says nothing about the setting.
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout.split()
    if out[0] == "skip:":
        pytest.skip(" ".join(out[1:]))
    faults, last = int(out[0]), float(out[1])
    assert faults < 64, f"{faults} page faults for a block freed just before"
    assert last == 1.0
