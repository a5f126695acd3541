"""Data-parallel LeNet5 under ``mpiexec -n N``: 20 steps, sharded data, ``Model.train``.

Every rank writes ``OUT/rank{r}.npz`` with its parameters after each step (``params``,
shape ``(20, 61706)``). Ranks start from different seeds with ``parameter_broadcast=True``,
so rank 0's initial parameters reach every rank. Rank 0 then also writes, in stand-alone
mode from the same initial parameters, ``reference.npz`` (one process, global batch B) and
``simulation.npz`` (N shards' gradients summed left to right, times ``float32(1/N)``).
Used by ``tests/distributed/test_data_parallel.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

import minispore as ms
import minispore.dataset as ds
from minispore import nn
from minispore.communication import get_group_size, get_rank, init
from minispore.testing.lenet import LeNet5
from minispore.train.callback import Callback

STEPS, GLOBAL_BATCH, SEED = 20, 24, 1


def inputs() -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    rng = np.random.default_rng(0)
    images = rng.standard_normal((STEPS * GLOBAL_BATCH, 1, 32, 32)).astype(np.float32)
    labels = rng.integers(0, 10, STEPS * GLOBAL_BATCH).astype(np.int32)
    return images, labels


def flat(net: nn.Cell) -> np.ndarray[Any, Any]:
    return np.concatenate([p.asnumpy().ravel() for p in net.trainable_params()])


class Snapshots(Callback):
    def __init__(self, net: nn.Cell) -> None:
        self.net = net
        self.params: list[np.ndarray[Any, Any]] = []

    def on_train_step_end(self, run_context: Any) -> None:
        self.params.append(flat(self.net))


def train(seed: int, shard: tuple[int, int] | None) -> np.ndarray[Any, Any]:
    """20 steps of ``Model.train``; ``shard`` is ``(num_shards, shard_id)`` or None."""
    ms.set_seed(seed)
    net = LeNet5()
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    opt = nn.Momentum(net.trainable_params(), learning_rate=0.01, momentum=0.9)
    images, labels = inputs()
    num_shards, shard_id = shard or (None, None)
    data = ds.NumpySlicesDataset(
        {"image": images, "label": labels}, shuffle=False, num_shards=num_shards, shard_id=shard_id
    ).batch(GLOBAL_BATCH // (num_shards or 1))
    snapshots = Snapshots(net)
    ms.train.Model(net, loss, opt).train(1, data, callbacks=[snapshots])
    return np.stack(snapshots.params)


def simulate(ranks: int) -> np.ndarray[Any, Any]:
    """One process plays ``ranks`` ranks: per-shard gradients, summed in rank order, scaled."""
    ms.set_seed(SEED)
    net = LeNet5()
    with_loss = nn.WithLossCell(net, nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean"))
    opt = nn.Momentum(net.trainable_params(), learning_rate=0.01, momentum=0.9)
    grad_fn = ms.value_and_grad(with_loss, None, opt.parameters, sens_param=True)
    images, labels = inputs()
    scale = np.float32(1.0 / ranks)
    out = []
    for step in range(STEPS):
        rows = np.arange(step * GLOBAL_BATCH, (step + 1) * GLOBAL_BATCH)
        total: list[np.ndarray[Any, Any]] | None = None
        for r in range(ranks):
            mine = rows[rows % ranks == r]
            _, grads = grad_fn(ms.Tensor(images[mine]), ms.Tensor(labels[mine]), 1.0)
            host = [g.asnumpy() for g in grads]
            total = host if total is None else [a + b for a, b in zip(total, host)]
        assert total is not None
        opt(tuple(ms.Tensor(g * scale) for g in total))
        out.append(flat(net))
    return np.stack(out)


def main() -> None:
    out = Path(sys.argv[1])
    init()
    rank, size = get_rank(), get_group_size()
    ms.set_auto_parallel_context(
        parallel_mode=ms.ParallelMode.DATA_PARALLEL, gradients_mean=True, parameter_broadcast=True
    )
    np.savez(out / f"rank{rank}.npz", params=train(SEED + rank, (size, rank)))
    if rank == 0:
        ms.reset_auto_parallel_context()
        np.savez(out / "reference.npz", params=train(SEED, None))
        np.savez(out / "simulation.npz", params=simulate(size))


if __name__ == "__main__":
    main()
