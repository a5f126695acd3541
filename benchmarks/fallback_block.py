"""Block size of the NumPy fallback of the fused update (no compiled kernels).

    OMP_NUM_THREADS=1 python benchmarks/fallback_block.py

Times one ``nn.Momentum`` update of the ResNet-50 parameter set through
``minispore_numpy.fused_update._blocks`` with 32K, 64K and 128K-element blocks, interleaved.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from minispore_numpy import fused_update
from param_sets import PARAM_SETS

from minispore.backend import UpdateStep
from minispore.nn.optim.rules import MOMENTUM


def main() -> None:
    shapes = PARAM_SETS["resnet50"]()
    n = sum(int(np.prod(s)) for s in shapes)
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    param, moment = rng.standard_normal(n).astype(np.float32), np.zeros(n, np.float32)
    step = UpdateStep(MOMENTUM, frozenset(), 0, (float(np.float32(0.01)), float(np.float32(0.9)), 0.0, 1.0))
    times: dict[int, list[float]] = {k * 1024: [] for k in (32, 64, 128)}
    for _ in range(5):
        for block in times:
            fused_update.BLOCK = block
            start = time.perf_counter()
            fused_update._blocks(step, param, [moment], grads)
            times[block].append(time.perf_counter() - start)
    for block, ts in times.items():
        print(f"{block // 1024:4d}K elements per block: {np.median(ts) * 1e3:7.1f} ms per update (median of 5)")


if __name__ == "__main__":
    main()
