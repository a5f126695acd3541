"""GPU measurements for ``nox -s gpu``: LeNet5 step, fused update, device copy bandwidth.

Each against its peer when that is installed: PyTorch CUDA eager for the step,
``torch.optim.SGD(fused=True)`` for the update. Prints one line per measurement as
``name<TAB>value<TAB>detail``, which the nox session gathers into its summary.

    python benchmarks/gpu_bench.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lenet_step import minispore_step, torch_step
from optimizer_step import LR, MOMENTUM, minispore_contenders
from param_sets import resnet50_shapes, total_elements
from timing import Contender, format_time, interleave


def _report(name: str, seconds: float, detail: str) -> None:
    print(f"{name}\t{format_time(seconds).strip()}\t{detail}", flush=True)


def _torch_cuda() -> Any | None:
    try:
        import torch
    except ImportError:
        return None
    return torch if torch.cuda.is_available() else None


def lenet(rounds: int) -> None:
    torch = _torch_cuda()
    for batch_size in (32, 256):
        contenders = [minispore_step("GPU", batch_size)]
        peer = torch_step(batch_size, "cuda") if torch is not None else None
        contenders += [peer] if peer is not None else []
        interleave(contenders, rounds=rounds, repeat=max(1, 256 // batch_size))
        ours = contenders[0].median
        versus = f", {ours / peer.median:.2f}x torch CUDA eager" if peer is not None else ", torch CUDA not installed"
        _report(f"LeNet5 step, batch {batch_size}", ours, f"{batch_size / ours:.0f} images/s{versus}")


def fused_update(rounds: int) -> None:
    shapes = resnet50_shapes()
    contenders = minispore_contenders(shapes, "GPU", reference=False)[:1]
    torch = _torch_cuda()
    if torch is not None:
        params = [torch.nn.Parameter(torch.randn(s, device="cuda")) for s in shapes]
        for p in params:
            p.grad = torch.randn_like(p)
        opt = torch.optim.SGD(params, lr=LR, momentum=MOMENTUM, fused=True)
        contenders.append(Contender("torch SGD fused=True", opt.step, torch.cuda.synchronize))
    interleave(contenders, rounds=rounds, repeat=10)
    ours = contenders[0].median
    gbs = 20 * total_elements(shapes) / ours / 1e9
    versus = f", {ours / contenders[1].median:.2f}x torch fused" if len(contenders) > 1 else ""
    _report("Momentum update, ResNet-50 set", ours, f"{gbs:.0f} GB/s effective{versus}")


def copy_bandwidth(rounds: int) -> None:
    import cupy

    src = cupy.asarray(np.ones(64 << 20, dtype=np.float32))
    dst = cupy.empty_like(src)
    sync = cupy.cuda.Device().synchronize
    contender = Contender("copy", lambda: cupy.copyto(dst, src), sync)
    interleave([contender], rounds=rounds, repeat=10)
    _report("device copy, 256 MiB", contender.median, f"{2 * src.nbytes / contender.median / 1e9:.0f} GB/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    lenet(args.rounds)
    fused_update(args.rounds)
    copy_bandwidth(args.rounds)


if __name__ == "__main__":
    main()
