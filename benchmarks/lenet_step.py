"""LeNet5 training-step benchmark: forward, backward and nn.Momentum on each device.

Times one ``value_and_grad`` + optimizer step on random 32x32 digits, interleaved across
minispore's available devices and PyTorch eager (when installed) on the same machine.
One run measures twice, each in a fresh process: with one thread for both (BLAS, OpenMP
and torch: the fair yardstick) and with the default threads.

    python benchmarks/lenet_step.py [--batch-sizes 32 128] [--devices CPU OpenCL] [--threads 1|default]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples" / "lenet5"))

from lenet import LeNet5
from timing import Contender, format_time, interleave

import minispore as ms
from minispore import nn
from minispore.backend import available_backends


def _batch(batch_size: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((batch_size, 1, 32, 32)).astype(np.float32), rng.integers(0, 10, batch_size).astype(
        np.int32
    )


def minispore_step(device: str, batch_size: int, amp_level: str | None = None) -> Contender:
    """One LeNet5 training step on ``device``; with ``amp_level``, of the network that
    ``ms.amp.auto_mixed_precision`` prepares (the optimizer keeps the float32 weights)."""
    ms.set_device(device)
    ms.set_seed(0)
    user_net = LeNet5()
    net = user_net if amp_level is None else ms.amp.auto_mixed_precision(user_net, amp_level)
    net.set_train()
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    opt = nn.Momentum(user_net.trainable_params(), 0.01, 0.9)
    x, y = (ms.Tensor(a) for a in _batch(batch_size))

    def forward(data: ms.Tensor, label: ms.Tensor) -> ms.Tensor:
        out: ms.Tensor = loss_fn(net(data), label)
        return out

    grad_fn = ms.value_and_grad(forward, None, opt.parameters)

    def step() -> None:
        _, grads = grad_fn(x, y)
        opt(grads)

    return Contender(f"minispore {device}", step, x.backend.synchronize)


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
"""Read by the BLAS libraries when they load: set in the child's environment, never later."""


def torch_step(batch_size: int, device: str = "cpu") -> Contender | None:
    """PyTorch eager's LeNet5 step on ``device`` (``"cpu"`` or ``"cuda"``), or None without torch."""
    try:
        import torch
    except ImportError:
        print("torch not installed: skipping the PyTorch eager comparison")
        return None
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2, 2),
        torch.nn.Conv2d(6, 16, 5),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2, 2),
        torch.nn.Flatten(),
        torch.nn.Linear(400, 120),
        torch.nn.ReLU(),
        torch.nn.Linear(120, 84),
        torch.nn.ReLU(),
        torch.nn.Linear(84, 10),
    ).to(device)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    x_np, y_np = _batch(batch_size)
    x, y = torch.from_numpy(x_np).to(device), torch.from_numpy(y_np).long().to(device)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step() -> None:
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()

    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    return Contender("PyTorch eager", step, sync)


def _versions(threads: int | None) -> str:
    """The versions and thread counts of this measurement; sets torch's thread count first."""
    try:
        import torch

        if threads is not None:
            torch.set_num_threads(threads)
        peer = f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
    except ImportError:
        peer = "torch not installed"
    blas = "1 thread" if threads == 1 else f"default threads ({os.cpu_count()} CPUs)"
    return f"numpy {np.__version__}, BLAS {blas}, {peer}, Python {platform.python_version()}"


def measure(args: argparse.Namespace) -> None:
    """Time every contender, interleaved, at each batch size, in this process's thread setting."""
    threads = None if args.threads == "default" else int(args.threads)
    print(f"\n#### {args.threads} thread(s): {_versions(threads)}")
    for batch_size in args.batch_sizes:
        candidates = [minispore_step(d, batch_size) for d in args.devices] + [torch_step(batch_size)]
        contenders = [c for c in candidates if c is not None]
        # Five untimed steps: OpenCL's window kernels are built for their geometry at the fourth.
        interleave(contenders, rounds=args.rounds, repeat=max(1, 256 // batch_size), warmup=5)
        torch = next((c for c in contenders if c.name == "PyTorch eager"), None)
        print(f"\n== LeNet5 training step, batch {batch_size}, {args.threads} thread(s) ==")
        print(
            f"{'contender':24s} {'wall/step':>12s} {'images/s':>10s} {'vs PyTorch':>11s} {'CPU/step':>12s} {'vs PyTorch':>11s}"
        )
        for c in contenders:
            wall = f"{c.median / torch.median:10.2f}x" if torch else "-"
            cpu = f"{c.cpu_median / torch.cpu_median:10.2f}x" if torch else "-"
            print(
                f"{c.name:24s} {format_time(c.median):>12s} {batch_size / c.median:10.0f} {wall:>11s} "
                f"{format_time(c.cpu_median):>12s} {cpu:>11s}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    usable = [name for name, avail in available_backends().items() if avail.available]
    parser.add_argument("--devices", nargs="+", default=usable, help=f"minispore devices (default: {usable})")
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=[32, 128])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threads", choices=["1", "default"], help="measure in this process with this setting")
    args = parser.parse_args()
    if args.threads is not None:
        measure(args)
        return
    for setting in ("1", "default"):
        env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
        if setting == "1":
            env.update(dict.fromkeys(THREAD_VARIABLES, "1"))
        subprocess.run([sys.executable, __file__, *sys.argv[1:], "--threads", setting], env=env, check=True)


if __name__ == "__main__":
    main()
