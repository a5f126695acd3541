"""What the LeNet5 examples print and plot: per-epoch accuracy, time and throughput."""

from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from data_pipeline import BUNDLED_DATA

import minispore as ms
from minispore.backend import BackendUnavailableError


@dataclass
class EpochRecord:
    epoch: int
    loss: float
    accuracy: float
    seconds: float
    images: int

    @property
    def images_per_second(self) -> float:
        return self.images / self.seconds if self.seconds > 0 else float("nan")


@dataclass
class TrainingReport:
    """Collects one record per epoch and writes the summary and the curves."""

    records: list[EpochRecord] = field(default_factory=list)

    def add(self, record: EpochRecord) -> None:
        self.records.append(record)
        print(
            f"epoch {record.epoch}: loss {record.loss:.4f}, test accuracy {record.accuracy * 100:.2f}%, "
            f"{record.seconds:.1f} s, {record.images_per_second:.0f} images/s",
            flush=True,
        )

    def summary(self) -> None:
        if not self.records:
            return
        last = self.records[-3:]
        mean_acc = statistics.mean(r.accuracy for r in last)
        per_epoch = statistics.mean(r.seconds for r in self.records)
        ips = statistics.mean(r.images_per_second for r in self.records)
        first, final = last[0].epoch, last[-1].epoch
        print(
            f"mean test accuracy of epochs {first}-{final}: {mean_acc * 100:.2f}%; "
            f"{per_epoch:.1f} s per epoch; {ips:.0f} training images/s",
            flush=True,
        )

    def plot(self, path: Path) -> None:
        """Write loss and accuracy curves to ``path`` when matplotlib is installed."""
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            from matplotlib.ticker import MaxNLocator
        except ImportError:
            print("matplotlib is not installed: no plot written (pip install 'minispore[plot]')")
            return
        epochs = [r.epoch for r in self.records]
        fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.5))
        ax_loss.plot(epochs, [r.loss for r in self.records], marker="o")
        ax_loss.set_xlabel("epoch")
        ax_loss.set_ylabel("training loss (last step)")
        ax_acc.plot(epochs, [r.accuracy * 100 for r in self.records], marker="o", color="tab:green")
        ax_acc.set_xlabel("epoch")
        ax_acc.set_ylabel("test accuracy (%)")
        for ax in (ax_loss, ax_acc):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        fig.suptitle("LeNet5 on MNIST (minispore)")
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)
        print(f"curves written to {path}")


def parse_args(description: str) -> argparse.Namespace:
    """The command-line options both LeNet5 examples share; also makes ``--device`` the default device.

    A device that cannot run here ends the program with one line (the reason and the fix)
    and exit status 2, as argparse does for a bad option.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=BUNDLED_DATA,
        help="directory of MNIST or Fashion-MNIST IDX files (default: the bundled 5,000-image subset)",
    )
    parser.add_argument("--device", default="CPU", help="CPU, OpenCL, OpenCL:1, GPU ... (default CPU)")
    parser.add_argument("--epochs", type=int, default=10, help="training epochs (default 10)")
    parser.add_argument("--batch-size", type=int, default=32, help="images per batch (default 32)")
    parser.add_argument("--lr", type=float, default=0.01, help="learning rate of nn.Momentum (default 0.01)")
    parser.add_argument("--momentum", type=float, default=0.9, help="momentum (default 0.9)")
    parser.add_argument("--seed", type=int, default=1, help="global seed for weights and shuffling (default 1)")
    parser.add_argument("--ckpt-dir", type=Path, default=None, help="save a checkpoint after each epoch here")
    parser.add_argument("--plot", type=Path, default=Path("lenet5_curves.png"), help="where to write the curves PNG")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.add_argument(
        "--amp",
        choices=("O0", "O1", "O2", "O3"),
        default="O0",
        help="mixed precision, Model(amp_level=...) in train.py (default O0: float32)",
    )
    args = parser.parse_args()
    for name in ("epochs", "batch_size"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be a positive integer, got {getattr(args, name)}")
    if args.lr < 0:
        parser.error(f"--lr must be >= 0, got {args.lr}")
    if not args.data_dir.is_dir():
        parser.error(f"--data-dir {args.data_dir} is not a directory of MNIST IDX files")
    try:
        ms.set_context(device_target=args.device)
    except (BackendUnavailableError, ValueError) as exc:
        parser.exit(2, f"{parser.prog}: error: {exc}\n")
    return args
