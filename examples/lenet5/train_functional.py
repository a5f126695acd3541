"""Train LeNet5 with a ``value_and_grad`` loop (MindSpore's functional quick-start style).

Same options and output as ``train.py``; the loop is written out instead of ``Model``.
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


def main() -> None:
    args = parse_args(__doc__ or "")
    ms.set_seed(args.seed)
    train_set = create_dataset(args.data_dir, "train", args.batch_size)
    test_set = create_dataset(args.data_dir, "test", args.batch_size, shuffle=False)

    net = LeNet5()
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    optimizer = nn.Momentum(net.trainable_params(), learning_rate=args.lr, momentum=args.momentum)

    def forward(data: ms.Tensor, label: ms.Tensor) -> tuple[ms.Tensor, ms.Tensor]:
        logits: ms.Tensor = net(data)
        loss: ms.Tensor = loss_fn(logits, label)
        return loss, logits

    grad_fn = ms.value_and_grad(forward, None, optimizer.parameters, has_aux=True)

    def train_step(data: ms.Tensor, label: ms.Tensor) -> ms.Tensor:
        value, grads = grad_fn(data, label)
        optimizer(grads)
        loss: ms.Tensor = value[0]
        return loss

    def test_accuracy() -> float:
        net.set_train(False)
        correct = total = 0
        for data, label in test_set.create_tuple_iterator():
            predicted = net(data).argmax(1)
            correct += int((predicted == label).sum().asnumpy())
            total += label.shape[0]
        return correct / total

    report = TrainingReport()
    # One iterator for all epochs: each pass over it is an epoch, reshuffled.
    batches = train_set.create_tuple_iterator(num_epochs=args.epochs)
    for epoch in range(1, args.epochs + 1):
        net.set_train()
        start = time.perf_counter()
        loss = ms.Tensor(0.0)
        steps = 0
        for data, label in batches:
            loss = train_step(data, label)
            steps += 1
        seconds = time.perf_counter() - start
        report.add(EpochRecord(epoch, float(loss.asnumpy()), test_accuracy(), seconds, steps * args.batch_size))
        if args.ckpt_dir is not None:
            args.ckpt_dir.mkdir(parents=True, exist_ok=True)
            ms.save_checkpoint(net, str(args.ckpt_dir / f"lenet5_functional-{epoch}.ckpt"))
    report.summary()
    report.plot(args.plot)


if __name__ == "__main__":
    main()
