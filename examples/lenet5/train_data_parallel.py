"""Train LeNet5 data-parallel on MPI ranks: MindSpore's data-parallel recipe, ``import minispore as ms``.

Run it on 2 processes of this machine (``pip install 'minispore[mpi]'``)::

    mpiexec -n 2 python examples/lenet5/train_data_parallel.py
    msrun --worker_num=2 --local_worker_num=2 --join=True examples/lenet5/train_data_parallel.py

Each rank reads its shard of MNIST (``num_shards``/``shard_id``), ``Model`` inserts the
gradient allreduce by itself (``ParallelMode.DATA_PARALLEL``), and every rank ends with the
same parameters. Rank 0 prints each epoch's loss and, at the end, the test accuracy.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from data_pipeline import BUNDLED_DATA
from lenet import LeNet5

import minispore as ms
import minispore.dataset as ds
from minispore import nn
from minispore.communication import get_group_size, get_rank, init
from minispore.dataset import transforms, vision
from minispore.dataset.dataset import Dataset
from minispore.train import Callback, Model, RunContext


def create_dataset(data_path: Path, usage: str, batch_size: int, num_shards: int, shard_id: int) -> Dataset:
    """The LeNet5 tutorial's pipeline over one shard of MNIST."""
    mnist: Dataset = ds.MnistDataset(str(data_path), usage=usage, num_shards=num_shards, shard_id=shard_id)
    mnist = mnist.map(operations=transforms.TypeCast(ms.int32), input_columns="label")
    mnist = mnist.map(operations=vision.Resize((32, 32), interpolation=vision.Inter.LINEAR), input_columns="image")
    mnist = mnist.map(operations=vision.Rescale(1.0 / 255.0, 0.0), input_columns="image")
    mnist = mnist.map(operations=vision.Rescale(1 / 0.3081, -1 * 0.1307 / 0.3081), input_columns="image")
    mnist = mnist.map(operations=vision.HWC2CHW(), input_columns="image")
    return mnist.batch(batch_size, drop_remainder=True)


class EpochReport(Callback):
    """Rank 0 prints each epoch's last loss, time and images per second (all ranks together)."""

    def __init__(self, global_batch: int) -> None:
        self.global_batch = global_batch
        self._start = 0.0

    def on_train_epoch_begin(self, run_context: RunContext) -> None:
        self._start = time.perf_counter()

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        params = run_context.original_args()
        seconds = time.perf_counter() - self._start
        if get_rank() == 0:
            rate = params.batch_num * self.global_batch / seconds
            print(
                f"epoch {params.cur_epoch_num}: loss {float(params.net_outputs.asnumpy()):.4f}, "
                f"{seconds:.1f} s, {rate:.0f} images/s on {get_group_size()} ranks"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--data_dir", type=Path, default=BUNDLED_DATA, help="MNIST IDX files (default: bundled 5k)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch_size", type=int, default=32, help="the global batch, split across the ranks")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--device", default="CPU", help="CPU, OpenCL or GPU")
    args = parser.parse_args()

    ms.set_context(device_target=args.device)
    init()
    ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL, gradients_mean=True)
    ms.set_seed(1)  # the same initial parameters on every rank
    rank, size = get_rank(), get_group_size()
    if args.batch_size % size:
        raise SystemExit(f"--batch_size {args.batch_size} must be a multiple of the {size} ranks.")
    train_set = create_dataset(args.data_dir, "train", args.batch_size // size, size, rank)

    net = LeNet5()
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    optimizer = nn.Momentum(net.trainable_params(), learning_rate=args.lr, momentum=0.9)
    model = Model(net, loss_fn, optimizer, metrics={"accuracy"})
    model.train(args.epochs, train_set, callbacks=[EpochReport(args.batch_size)])
    if rank == 0:
        test_set = create_dataset(args.data_dir, "test", args.batch_size, 1, 0)
        print(f"test accuracy {model.eval(test_set)['accuracy']:.4f}")


if __name__ == "__main__":
    main()
