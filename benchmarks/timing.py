"""Interleaved timing: every contender runs a burst each round, medians are reported."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Contender:
    """A named step function; ``sync`` waits for queued device work."""

    name: str
    step: Callable[[], object]
    sync: Callable[[], object] = lambda: None
    per_step: list[float] = field(default_factory=list)
    cpu_per_step: list[float] = field(default_factory=list)
    """This process's CPU time per step (all its threads): on a loaded machine it counts
    the work done, where wall time also counts the waits for a core."""

    def burst(self, repeat: int) -> None:
        self.sync()
        start, cpu_start = time.perf_counter(), time.process_time()
        for _ in range(repeat):
            self.step()
        self.sync()
        self.per_step.append((time.perf_counter() - start) / repeat)
        self.cpu_per_step.append((time.process_time() - cpu_start) / repeat)

    @property
    def median(self) -> float:
        return statistics.median(self.per_step)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_per_step)


SETTLE = 0.05
"""Seconds of untimed busy-waiting before each burst, so that the previous contender's
idle threads have gone to sleep before the next one runs.

PyTorch's OpenMP threads spin for a while after each step: on 2 cores a kernel timed
right after a torch step ran on about one core (nn.SGD on the ResNet-50 set: 11.3 ms
right after torch, 9.3 ms with ``OMP_WAIT_POLICY=PASSIVE``, which in turn slowed torch
from 9.9 to 14.9 ms). The pause is a busy wait, not a sleep: sleeping 50 ms between
bursts slowed both sides (12.6 and 14.4 ms), the VM's cores going idle. With this pause,
nn.SGD took 9.7-9.9 ms and torch 10.4 ms. ``--settle 0`` gives the old back-to-back runs."""


def _busy_wait(seconds: float) -> None:
    """Keep this core busy for ``seconds`` (see :data:`SETTLE`)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def interleave(
    contenders: list[Contender], rounds: int, repeat: int, warmup: int = 2, settle: float | None = None
) -> None:
    """Warm every contender up, then time ``rounds`` interleaved bursts of ``repeat`` steps,
    each after an untimed pause of ``settle`` seconds (default :data:`SETTLE`)."""
    settle = SETTLE if settle is None else settle
    for c in contenders:
        for _ in range(warmup):
            c.step()
        c.sync()
    for _ in range(rounds):
        for c in contenders:
            _busy_wait(settle)
            c.burst(repeat)


def format_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:9.1f} us"
    return f"{seconds * 1e3:9.2f} ms"
