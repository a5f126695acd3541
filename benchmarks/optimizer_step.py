"""Optimizer-step benchmark: minispore's fused nn.Momentum against its peers.

Times, in one process and interleaved, minispore's fused step (``opt(grads)``, which
includes landing the gradients in the flat buffer), its fused kernel alone, its per-tensor
reference path, ``torch.optim.SGD(momentum=0.9)`` (default and ``fused=True``) and
MindSpore's ``nn.Momentum`` when installed, plus a single-threaded fused C loop and a
memory copy as yardsticks (and, on sets of a million elements or more, the same C loop
on two threads: what a second core adds on this machine). Effective bandwidth counts 20 bytes per float32 element (read
p, v, g; write p, v).

    python benchmarks/optimizer_step.py [--sets lenet5 resnet50] [--devices CPU OpenCL] [--no-pairs]

The last tables time every fused optimizer (nn.SGD, nn.Adam, nn.AdamWeightDecay,
nn.RMSProp) against its torch counterpart (``fused=True`` where torch has it, else
``foreach=True``) on the CPU.
"""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import timing
from c_yardstick import build_loops
from param_sets import PARAM_SETS, total_elements
from timing import Contender, format_time, interleave

import minispore as ms
from minispore import nn
from minispore.backend import FusedUpdate, UpdateStep, available_backends
from minispore.nn.optim.rules import MOMENTUM as MOMENTUM_RULE

LR, MOMENTUM = 0.01, 0.9


def _arrays(shapes: list[tuple[int, ...]], seed: int) -> list[np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


def minispore_contenders(shapes: list[tuple[int, ...]], device: str, reference: bool) -> list[Contender]:
    ms.set_device(device)
    params = [ms.Parameter(a, name=f"p{i}") for i, a in enumerate(_arrays(shapes, 0))]
    grads = tuple(ms.Tensor(a) for a in _arrays(shapes, 1))
    opt = nn.Momentum(params, LR, MOMENTUM)
    backend = params[0].backend
    group = opt._flat.members[0][1]
    grad_arrays = [g._data for g in grads]
    kernel_step = UpdateStep(
        MOMENTUM_RULE, frozenset(), 0, (float(np.float32(LR)), float(np.float32(MOMENTUM)), 0.0, 1.0)
    )
    assert isinstance(backend, FusedUpdate)
    out = [
        Contender(f"minispore {device} opt(grads)", lambda: opt(grads), backend.synchronize),
        Contender(
            f"minispore {device} fused kernel",
            lambda: backend.fused_update(kernel_step, group.buffers[0], group.buffers[1:], grad_arrays),
            backend.synchronize,
        ),
    ]
    if reference:
        ref_params = [ms.Parameter(a, name=f"p{i}") for i, a in enumerate(_arrays(shapes, 0))]
        ref = nn.Momentum(ref_params, LR, MOMENTUM)
        ref.fused = False
        out.append(Contender(f"minispore {device} reference", lambda: ref(grads), backend.synchronize))
    return out


def torch_contenders(shapes: list[tuple[int, ...]]) -> list[Contender]:
    try:
        import torch
    except ImportError:
        print("torch not installed: skipping torch.optim.SGD")
        return []
    torch.set_num_threads(os.cpu_count() or 1)
    out = []
    for fused in (False, True):
        params = [torch.nn.Parameter(torch.from_numpy(a)) for a in _arrays(shapes, 0)]
        for p, g in zip(params, _arrays(shapes, 1)):
            p.grad = torch.from_numpy(g)
        opt = torch.optim.SGD(params, lr=LR, momentum=MOMENTUM, fused=fused or None)
        out.append(Contender(f"torch SGD {'fused=True' if fused else 'default'}", opt.step))
    return out


def mindspore_contenders(shapes: list[tuple[int, ...]]) -> list[Contender]:
    try:
        import mindspore
    except ImportError:
        print("mindspore not installed: skipping MindSpore nn.Momentum")
        return []
    params = [mindspore.Parameter(mindspore.Tensor(a), name=f"p{i}") for i, a in enumerate(_arrays(shapes, 0))]
    grads = tuple(mindspore.Tensor(a) for a in _arrays(shapes, 1))
    opt = mindspore.nn.Momentum(params, LR, MOMENTUM)
    return [Contender("MindSpore nn.Momentum", lambda: opt(grads))]


def yardsticks(n: int) -> tuple[list[Contender], float | None]:
    out = []
    loops = build_loops()
    p, v, g = (np.random.default_rng(i).standard_normal(n).astype(np.float32) for i in range(3))
    if loops is not None:
        one, two = loops[1], loops[2]
        out.append(Contender("C loop, 1 thread (yardstick)", lambda: one(p, v, g, LR, MOMENTUM)))
        if n >= 1_000_000:  # the compiled kernel's threshold for a second thread
            out.append(Contender("C loop, 2 threads (ceiling)", lambda: two(p, v, g, LR, MOMENTUM)))
    src = np.ones(max(n, 1 << 24), np.float32)
    dst = np.empty_like(src)
    copy = Contender("memory copy", lambda: np.copyto(dst, src))
    interleave([copy], rounds=5, repeat=3)
    copy_bandwidth = 2 * src.nbytes / copy.median
    return out, copy_bandwidth


def run(set_name: str, devices: list[str], rounds: int) -> None:
    shapes = PARAM_SETS[set_name]()
    n = total_elements(shapes)
    repeat = 200 if n < 1_000_000 else 3
    print(f"\n== {set_name}: {n:,} float32 elements in {len(shapes)} tensors, {20 * n / 1e6:.1f} MB moved per step ==")
    contenders: list[Contender] = []
    for device in devices:
        contenders += minispore_contenders(shapes, device, reference=True)
    contenders += torch_contenders(shapes) + mindspore_contenders(shapes)
    sticks, copy_bw = yardsticks(n)
    contenders += sticks
    interleave(contenders, rounds=rounds, repeat=repeat)
    c_time = next((c.median for c in contenders if c.name.startswith("C loop")), None)
    torch_fused = next((c.median for c in contenders if c.name == "torch SGD fused=True"), None)
    print(f"memory copy bandwidth (read + write): {copy_bw / 1e9:.1f} GB/s" if copy_bw else "")
    print(
        f"{'contender':38s} {'per step':>12s} {'GB/s':>8s} {'of copy':>8s} {'vs C loop':>10s} {'vs torch fused':>15s}"
    )
    for c in contenders:
        gbs = 20 * n / c.median / 1e9
        of_copy = f"{gbs * 1e9 / copy_bw:7.0%}" if copy_bw else "-"
        vs_c = f"{c.median / c_time:9.2f}x" if c_time else "-"
        vs_t = f"{c.median / torch_fused:14.2f}x" if torch_fused else "-"
        print(f"{c.name:38s} {format_time(c.median):>12s} {gbs:8.2f} {of_copy:>8s} {vs_c:>10s} {vs_t:>15s}")


PAIRS: list[tuple[str, Any, str, Any]] = [
    ("nn.SGD(momentum=0.9)", lambda ps: nn.SGD(ps, LR, momentum=MOMENTUM), "SGD", {"momentum": MOMENTUM}),
    ("nn.Adam", lambda ps: nn.Adam(ps, LR), "Adam", {}),
    ("nn.AdamWeightDecay(0.01)", lambda ps: nn.AdamWeightDecay(ps, LR, weight_decay=0.01), "AdamW", {}),
    ("nn.RMSProp(momentum=0.9)", lambda ps: nn.RMSProp(ps, LR, momentum=MOMENTUM), "RMSprop", {"momentum": MOMENTUM}),
]
"""Each minispore optimizer and its torch counterpart (``fused=True`` where torch has it, else ``foreach``)."""


def optimizer_pairs(set_name: str, device: str, rounds: int) -> None:
    """Every fused optimizer against its torch counterpart, interleaved, on one parameter set."""
    shapes = PARAM_SETS[set_name]()
    n = total_elements(shapes)
    repeat = 100 if n < 1_000_000 else 2
    try:
        import torch
    except ImportError:
        torch = None
        print("torch not installed: minispore alone")
    ms.set_device(device)
    print(f"\n== optimizers on {set_name} ({n:,} elements), minispore on {device} ==")
    print(f"{'optimizer':28s} {'minispore opt(grads)':>21s} {'torch':>12s} {'torch kind':>12s} {'ratio':>7s}")
    for label, make, torch_name, torch_kwargs in PAIRS:
        params = [ms.Parameter(a, name=f"p{i}") for i, a in enumerate(_arrays(shapes, 0))]
        grads = tuple(ms.Tensor(a) for a in _arrays(shapes, 1))
        opt = make(params)
        backend = params[0].backend
        step: Any = partial(opt, grads)
        contenders = [Contender(label, step, backend.synchronize)]
        kind = "-"
        if torch is not None:
            tparams = [torch.nn.Parameter(torch.from_numpy(a)) for a in _arrays(shapes, 0)]
            for p, g in zip(tparams, _arrays(shapes, 1)):
                p.grad = torch.from_numpy(g)
            cls = getattr(torch.optim, torch_name)
            try:
                topt = cls(tparams, lr=LR, fused=True, **torch_kwargs)
                kind = "fused=True"
            except (RuntimeError, TypeError, ValueError):
                topt = cls(tparams, lr=LR, foreach=True, **torch_kwargs)
                kind = "foreach"
            contenders.append(Contender(f"torch {torch_name}", topt.step))
        interleave(contenders, rounds=rounds, repeat=repeat)
        ours = contenders[0].median
        theirs = contenders[1].median if len(contenders) > 1 else None
        ratio = f"{ours / theirs:6.2f}x" if theirs else "-"
        print(
            f"{label:28s} {format_time(ours):>21s} {format_time(theirs) if theirs else '-':>12s} {kind:>12s} {ratio:>7s}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", default=list(PARAM_SETS), choices=list(PARAM_SETS))
    usable = [name for name, avail in available_backends().items() if avail.available]
    parser.add_argument("--devices", nargs="+", default=usable, help=f"minispore devices (default: {usable})")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved timing rounds (default 7)")
    parser.add_argument(
        "--settle",
        type=float,
        default=timing.SETTLE,
        help=f"untimed busy wait before each burst, seconds (default {timing.SETTLE}; 0: back to back)",
    )
    parser.add_argument(
        "--no-pairs", action="store_true", help="skip the table of each optimizer against its torch counterpart"
    )
    args = parser.parse_args()
    timing.SETTLE = args.settle
    for set_name in args.sets:
        run(set_name, args.devices, args.rounds)
    if not args.no_pairs:
        for set_name in args.sets:
            optimizer_pairs(set_name, "CPU", args.rounds)


if __name__ == "__main__":
    main()
