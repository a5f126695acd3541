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

    def burst(self, repeat: int) -> None:
        self.sync()
        start = time.perf_counter()
        for _ in range(repeat):
            self.step()
        self.sync()
        self.per_step.append((time.perf_counter() - start) / repeat)

    @property
    def median(self) -> float:
        return statistics.median(self.per_step)


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
