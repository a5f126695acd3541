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


def interleave(contenders: list[Contender], rounds: int, repeat: int, warmup: int = 2) -> None:
    """Warm every contender up, then time ``rounds`` interleaved bursts of ``repeat`` steps."""
    for c in contenders:
        for _ in range(warmup):
            c.step()
        c.sync()
    for _ in range(rounds):
        for c in contenders:
            c.burst(repeat)


def format_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:9.1f} us"
    return f"{seconds * 1e3:9.2f} ms"
