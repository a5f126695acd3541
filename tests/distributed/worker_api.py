"""The communication API, the reducer and collective overflow skipping under ``mpiexec -n N``.

Each rank writes ``OUT/rank{r}.json`` (and ``OUT/overflow{r}.npz``) for
``tests/distributed/test_data_parallel.py`` to check.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

import minispore as ms
from minispore import nn
from minispore.communication import (
    GlobalComm,
    create_group,
    destroy_group,
    engines,
    get_group_size,
    get_local_rank,
    get_local_rank_size,
    get_rank,
    init,
    release,
)


def reducer_results(rank: int, size: int) -> dict[str, Any]:
    """Sum and mean of known per-rank gradients, float32 and float16, in the world."""
    params = [
        ms.Parameter(ms.Tensor(np.zeros((2, 3), np.float32)), name="a"),
        ms.Parameter(ms.Tensor(np.zeros((4,), np.float16)), name="b"),
        ms.Parameter(ms.Tensor(np.zeros((5,), np.float32)), name="c"),
        ms.Parameter(ms.Tensor(np.zeros((1,), np.float32)), name="d", layerwise_parallel=True),
    ]
    grads = tuple(ms.Tensor(np.full(p.shape, rank + 1, p.dtype.np_dtype)) for p in params)
    summed = nn.DistributedGradReducer(params, mean=False)(grads)
    mean = nn.DistributedGradReducer(params, mean=True)(grads)
    assert isinstance(summed, tuple) and isinstance(mean, tuple)
    engine = engines.engine_for(params[0].backend, GlobalComm.WORLD_COMM_GROUP)
    return {
        "device": params[0].device,
        "engine": type(engine).__name__,
        "sum": [g.asnumpy().tolist() for g in summed],
        "mean": [g.asnumpy().tolist() for g in mean],
        "dtypes": [str(g.dtype) for g in mean],
        "buckets": len(nn.DistributedGradReducer(params).buckets),
    }


def group_results(rank: int, size: int) -> dict[str, Any]:
    """A group of the last two ranks: its ranks, size and a sum within it."""
    members = [size - 2, size - 1]
    if rank not in members:
        return {}
    create_group("pair", members)
    param = ms.Parameter(ms.Tensor(np.zeros((3,), np.float32)), name="p")
    reduced = nn.DistributedGradReducer([param], mean=False, group="pair")(ms.Tensor(np.full((3,), rank, np.float32)))
    assert isinstance(reduced, ms.Tensor)
    out = {"rank": get_rank("pair"), "size": get_group_size("pair"), "sum": reduced.asnumpy().tolist()}
    destroy_group("pair")
    return out


class Doubler(nn.Cell):
    """``w * x``; an inf in ``x`` overflows the gradient of ``w``."""

    def __init__(self) -> None:
        super().__init__()
        self.w = ms.Parameter(ms.Tensor(np.ones((3,), np.float32)), name="w")

    def construct(self, x: ms.Tensor) -> ms.Tensor:
        out: ms.Tensor = (self.w * x).sum()
        return out


def overflow_run(rank: int) -> dict[str, Any]:
    """Steps 1 and 3 overflow on rank 1 only; every rank must skip both."""
    net = Doubler()
    opt = nn.Momentum(net.trainable_params(), learning_rate=0.1, momentum=0.9)
    step = nn.TrainOneStepWithLossScaleCell(net, opt, nn.DynamicLossScaleUpdateCell(2.0**10, 2.0, 100))
    flags, weights = [], []
    for i in range(5):
        x = np.full((3,), float(rank + 1), np.float32)
        if rank == 1 and i in (1, 3):
            x[0] = np.inf
        _, overflow, _ = step(ms.Tensor(x))
        flags.append(bool(overflow))
        weights.append(net.w.asnumpy().tolist())
    return {"overflow": flags, "weights": weights, "global_step": int(opt.global_step.asnumpy()[0])}


def main() -> None:
    out = Path(sys.argv[1])
    before = {"rank": get_rank(), "size": get_group_size()}
    try:
        create_group("early", [0])
        early_error = ""
    except RuntimeError as exc:
        early_error = str(exc)
    init()
    rank, size = get_rank(), get_group_size()
    ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL, gradients_mean=True)
    result = {
        "before_init": before,
        "early_error": early_error,
        "world_group": GlobalComm.WORLD_COMM_GROUP,
        "rank": rank,
        "size": size,
        "local_rank": get_local_rank(),
        "local_size": get_local_rank_size(),
        "hccl_alias_rank": get_rank("hccl_world_group"),
        "reducer": reducer_results(rank, size),
        "group": group_results(rank, size),
        "overflow": overflow_run(rank),
    }
    release()
    (out / f"rank{rank}.json").write_text(json.dumps(result))


if __name__ == "__main__":
    main()
