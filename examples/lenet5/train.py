"""Train LeNet5 on MNIST through ``ms.train.Model``: MindSpore's tutorial, ``import minispore as ms``.

With no arguments it trains 10 epochs on the bundled 5,000-image subset and prints each
epoch's test accuracy, time and images per second. ``--amp O2`` trains in mixed precision
(float16 compute, float32 weights, dynamic loss scaling). ``--help`` lists the options.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from data_pipeline import create_dataset
from lenet import LeNet5
from report import EpochRecord, TrainingReport, parse_args

import minispore as ms
from minispore import nn
from minispore.train import Callback, CheckpointConfig, LossMonitor, Model, ModelCheckpoint, ProgressBar, RunContext


class EvalEachEpoch(Callback):
    """Evaluate on the test set after every epoch and record time and throughput."""

    def __init__(self, model: Model, test_set: object, report: TrainingReport, batch_size: int) -> None:
        self.model, self.test_set, self.report, self.batch_size = model, test_set, report, batch_size
        self._start = 0.0

    def on_train_epoch_begin(self, run_context: RunContext) -> None:
        self._start = time.perf_counter()

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        params = run_context.original_args()
        seconds = time.perf_counter() - self._start
        accuracy = self.model.eval(self.test_set)["accuracy"]
        outputs = params.net_outputs  # (loss, overflow, scale) with a loss-scale manager (--amp O2)
        loss = float((outputs[0] if isinstance(outputs, tuple) else outputs).asnumpy())
        images = params.batch_num * self.batch_size
        self.report.add(EpochRecord(params.cur_epoch_num, loss, accuracy, seconds, images))


def main() -> None:
    args = parse_args(__doc__ or "")
    ms.set_seed(args.seed)
    train_set = create_dataset(args.data_dir, "train", args.batch_size)
    test_set = create_dataset(args.data_dir, "test", args.batch_size, shuffle=False)
    print(f"device {args.device}: {train_set.get_dataset_size()} training batches of {args.batch_size}")

    net = LeNet5()
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    optimizer = nn.Momentum(net.trainable_params(), learning_rate=args.lr, momentum=args.momentum)
    model = Model(net, loss_fn, optimizer, metrics={"accuracy"}, amp_level=args.amp)

    report = TrainingReport()
    # The bar goes first so that it closes its line before the epoch report prints.
    callbacks = [
        ProgressBar(enable=not args.no_progress),
        EvalEachEpoch(model, test_set, report, args.batch_size),
        LossMonitor(per_print_times=0),
    ]
    if args.ckpt_dir is not None:
        config = CheckpointConfig(save_checkpoint_steps=train_set.get_dataset_size(), keep_checkpoint_max=args.epochs)
        callbacks.append(ModelCheckpoint(prefix="lenet5", directory=args.ckpt_dir, config=config))
    model.train(args.epochs, train_set, callbacks=callbacks)
    report.summary()
    report.plot(args.plot)


if __name__ == "__main__":
    main()
