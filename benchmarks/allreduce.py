"""Data-parallel cost on this machine: the gradient allreduce and LeNet5 throughput on 1 and 2 ranks.

    python benchmarks/allreduce.py [--ranks 1 2] [--batch 32]

Launches itself under ``mpiexec -n N`` (``MPIR_CVAR_ENABLE_HEAVY_YIELD=1``, one BLAS thread per
rank) and prints, per N: ``DistributedGradReducer`` on LeNet5's gradients (61,684 float32, one
buffer), a raw in-place ``MPI_Allreduce`` of that size and of ResNet-50's (25.6M float32), and
LeNet5 training throughput with ``batch`` images per rank (``TrainOneStepCell``, which reduces
the gradients itself on 2 ranks). Medians of interleaved bursts; rank 0 reports.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

RESNET50_FLOATS = 25_557_032


def timed(step: Callable[[], object], comm: Any, repeat: int, rounds: int) -> float:
    """Median seconds per ``step`` over ``rounds`` bursts of ``repeat``, all ranks starting together."""
    step()
    times = []
    for _ in range(rounds):
        comm.Barrier()
        start = time.perf_counter()
        for _ in range(repeat):
            step()
        times.append((time.perf_counter() - start) / repeat)
    return statistics.median(times)


def worker(batch: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples" / "lenet5"))
    from lenet import LeNet5
    from mpi4py import MPI

    import minispore as ms
    from minispore import nn
    from minispore.communication import get_group_size, init

    init()
    comm, size = MPI.COMM_WORLD, get_group_size()
    if size > 1:
        ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL, gradients_mean=True)
    ms.set_seed(0)
    net = LeNet5()
    params = net.trainable_params()
    grads = tuple(ms.Tensor(np.ones(p.shape, np.float32)) for p in params)
    reducer = nn.DistributedGradReducer(params, mean=True)
    lenet_floats = sum(p.size for p in params)
    small = np.ones(lenet_floats, np.float32)
    large = np.ones(RESNET50_FLOATS, np.float32)

    def allreduce(buf: np.ndarray[Any, Any]) -> Callable[[], None]:
        return lambda: comm.Allreduce(MPI.IN_PLACE, buf, op=MPI.SUM)

    rng = np.random.default_rng(0)
    x = ms.Tensor(rng.standard_normal((batch, 1, 32, 32)).astype(np.float32))
    y = ms.Tensor(rng.integers(0, 10, batch).astype(np.int32))
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    train = nn.TrainOneStepCell(nn.WithLossCell(net, loss), nn.Momentum(params, 0.01, 0.9))
    result = {
        "ranks": size,
        "lenet_floats": lenet_floats,
        "reducer_s": timed(lambda: reducer(grads), comm, 50, 7),
        "allreduce_lenet_s": timed(allreduce(small), comm, 50, 7),
        "allreduce_resnet50_s": timed(allreduce(large), comm, 1, 5),
        "step_s": timed(lambda: train(x, y), comm, 5, 7),
    }
    result["images_per_s"] = size * batch / result["step_s"]
    if comm.Get_rank() == 0:
        print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch", type=int, default=32, help="images per rank per step")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.batch)
        return
    mpiexec = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")
    if mpiexec is None:
        raise SystemExit("mpiexec not found: pip install 'minispore[mpi]'")
    env = {**os.environ, "MPIR_CVAR_ENABLE_HEAVY_YIELD": "1", "OMP_NUM_THREADS": "1", "MINISPORE_DEVICE": "CPU"}
    rows = []
    for n in args.ranks:
        cmd = [mpiexec, "-n", str(n), sys.executable, __file__, "--worker", "--batch", str(args.batch)]
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    ms_ = 1e3
    print(f"LeNet5 gradients: {rows[0]['lenet_floats']:,} float32; ResNet-50: {RESNET50_FLOATS:,} float32")
    print("ranks  reducer(LeNet5)  Allreduce(LeNet5)  Allreduce(ResNet-50)  train step  images/s")
    for r in rows:
        print(
            f"{r['ranks']:5d}  {r['reducer_s'] * ms_:12.3f} ms  {r['allreduce_lenet_s'] * ms_:14.3f} ms  "
            f"{r['allreduce_resnet50_s'] * ms_:17.1f} ms  {r['step_s'] * ms_:7.2f} ms  {r['images_per_s']:8.0f}"
        )
    if len(rows) > 1:
        print(
            f"throughput {rows[0]['ranks']} -> {rows[-1]['ranks']} ranks: x{rows[-1]['images_per_s'] / rows[0]['images_per_s']:.2f}"
        )


if __name__ == "__main__":
    main()
