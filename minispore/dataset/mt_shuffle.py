"""MindSpore's shuffle for sharded sources: ``std::mt19937`` and libstdc++'s ``std::shuffle``.

MindSpore's ``DistributedSampler`` shuffles the row indices in C++ with
``std::shuffle(rows, std::mt19937(seed))`` (the epoch's permutation is the previous epoch's,
shuffled again with the next seed). Reproducing it exactly makes every shard read the rows
MindSpore's would: NumPy's ``MT19937`` with MT's reference seeding is the same generator, and
:func:`std_shuffle` follows libstdc++'s algorithm, which draws two swap positions from one
number while the range allows (``(2^32 - 1) / n >= n``).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

_U32 = 0xFFFFFFFF


def _mt19937(seed: int) -> Iterator[int]:
    """The 32-bit outputs of ``std::mt19937(seed)``, drawn in blocks."""
    bits = np.random.MT19937(0)
    bits._legacy_seeding(seed & _U32)
    while True:
        yield from (int(x) for x in bits.random_raw(1024))


def _uniform(draw: Iterator[int], high: int) -> int:
    """``std::uniform_int_distribution(0, high)`` on a 32-bit generator (libstdc++, Lemire's method)."""
    span = high + 1
    product = next(draw) * span
    low = product & _U32
    if low < span:
        threshold = ((1 << 32) - span) % span
        while low < threshold:
            product = next(draw) * span
            low = product & _U32
    return product >> 32


def std_shuffle(values: npt.NDArray[np.int64], seed: int) -> npt.NDArray[np.int64]:
    """``std::shuffle(values, std::mt19937(seed))`` as libstdc++ does it; returns a new array."""
    out = values.tolist()  # Python lists swap elements faster than arrays
    n = len(out)
    draw = _mt19937(seed)
    if n < 2:
        return np.array(out, dtype=np.int64)
    if _U32 // n < n:
        for i in range(1, n):
            j = _uniform(draw, i)
            out[i], out[j] = out[j], out[i]
        return np.array(out, dtype=np.int64)
    i = 1
    if n % 2 == 0:
        j = _uniform(draw, 1)
        out[i], out[j] = out[j], out[i]
        i += 1
    while i < n:
        span = i + 1
        both = _uniform(draw, span * (span + 1) - 1)
        first, second = divmod(both, span + 1)
        out[i], out[first] = out[first], out[i]
        out[i + 1], out[second] = out[second], out[i + 1]
        i += 2
    return np.array(out, dtype=np.int64)
