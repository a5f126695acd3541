"""Mixed-precision LeNet5 training step: float32 against ``amp_level`` O2 and O3, per device.

Times one ``value_and_grad`` + ``nn.Momentum`` step on random 32x32 digits, the float32
network and its ``ms.amp.auto_mixed_precision`` copies interleaved, on each device.

    python benchmarks/amp_step.py [--batch-sizes 32 256] [--devices CPU OpenCL] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lenet_step import minispore_step
from timing import Contender, format_time, interleave

from minispore.backend import available_backends


def amp_step(device: str, level: str, batch_size: int) -> Contender:
    """One training step of LeNet5 prepared with ``auto_mixed_precision(net, level)``."""
    contender = minispore_step(device, batch_size, level)
    contender.name = f"{device} {level}"
    return contender


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    usable = [name for name, avail in available_backends().items() if avail.available]
    parser.add_argument("--devices", nargs="+", default=usable, help=f"minispore devices (default: {usable})")
    parser.add_argument("--levels", nargs="+", default=["O0", "O2", "O3"])
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=[32, 256])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    threads = {k: os.environ.get(k, "unset") for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    print(f"numpy {np.__version__}, python {platform.python_version()}, {os.cpu_count()} CPUs, threads {threads}")
    for batch_size in args.batch_sizes:
        for device in args.devices:
            contenders = [amp_step(device, level, batch_size) for level in args.levels]
            interleave(contenders, rounds=args.rounds, repeat=max(1, 64 // batch_size))
            base = contenders[0].median
            print(f"\n== LeNet5 training step, {device}, batch {batch_size} ==")
            print(f"{'level':12s} {'per step':>12s} {'images/s':>10s} {'vs ' + args.levels[0]:>8s}")
            for c in contenders:
                level = c.name.split()[-1]
                print(f"{level:12s} {format_time(c.median):>12s} {batch_size / c.median:10.0f} {c.median / base:7.2f}x")


if __name__ == "__main__":
    main()
