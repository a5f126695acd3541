"""``msrun``: MindSpore's launcher flags, run through ``mpiexec`` (MPICH's Hydra).

``msrun --worker_num=4 --local_worker_num=4 train.py --epochs 2`` runs
``mpiexec -n 4 -ppn 4 python train.py --epochs 2``. Across machines, MindSpore starts one
msrun per machine; with MPI one ``mpiexec`` on the first machine starts every worker over
ssh, so give it the machines with ``--hosts`` (a minispore flag) and run msrun on node 0
only (on other nodes it starts nothing and says so). ``--log_dir`` writes
``worker_<rank>.log`` per worker, as MindSpore does. ``--master_port``,
``--cluster_time_out``, ``--bind_core`` and the simulation flags are accepted and unused:
MPI finds its peers itself.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path


def parser() -> argparse.ArgumentParser:
    """MindSpore's msrun arguments (names and defaults), plus ``--hosts`` and ``--mpiexec``."""
    p = argparse.ArgumentParser(
        prog="msrun", description="Start a minispore data-parallel job through mpiexec, with MindSpore's msrun flags."
    )
    p.add_argument("--worker_num", type=int, default=8, help="workers in the whole job (default 8)")
    p.add_argument("--local_worker_num", type=int, default=8, help="workers on each machine (default 8)")
    p.add_argument("--master_addr", default="127.0.0.1", help="the first machine (default 127.0.0.1)")
    p.add_argument("--master_port", type=int, default=8118, help="accepted for MindSpore compatibility; unused")
    p.add_argument("--node_rank", type=int, default=-1, help="this machine's index; only node 0 (or -1) launches")
    p.add_argument("--log_dir", default="", help="write each worker's output to LOG_DIR/worker_<rank>.log")
    p.add_argument("--join", type=ast.literal_eval, default=False, help="wait for the job and return its status")
    p.add_argument("--cluster_time_out", type=int, default=600, help="accepted for MindSpore compatibility; unused")
    p.add_argument("--bind_core", default=False, help="accepted for MindSpore compatibility; unused")
    p.add_argument("--sim_level", type=int, default=-1, help="accepted for MindSpore compatibility; unused")
    p.add_argument("--hosts", default="", help="comma-separated machines, the first being --master_addr (minispore)")
    p.add_argument("--mpiexec", default="", help="the mpiexec to use (default: next to python, else on PATH)")
    p.add_argument("task_script", help="the training script")
    p.add_argument("task_script_args", nargs=argparse.REMAINDER, help="its arguments")
    return p


def _mpiexec(explicit: str) -> str:
    found = explicit or shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")
    if not found:
        raise SystemExit("msrun: mpiexec not found; install it with: pip install 'minispore[mpi]'")
    return found


def command(args: argparse.Namespace) -> list[str]:
    """The ``mpiexec`` command line for parsed msrun ``args``.

    Raises:
        SystemExit: the worker counts are inconsistent, or several machines without ``--hosts``.
    """
    if args.worker_num < 1 or not 1 <= args.local_worker_num <= args.worker_num:
        raise SystemExit(
            f"msrun: need 1 <= --local_worker_num <= --worker_num, but got {args.local_worker_num} and {args.worker_num}."
        )
    cmd = [_mpiexec(args.mpiexec), "-n", str(args.worker_num), "-ppn", str(args.local_worker_num)]
    if args.worker_num > args.local_worker_num:
        hosts = [h for h in args.hosts.split(",") if h]
        nodes = -(-args.worker_num // args.local_worker_num)
        if len(hosts) < nodes:
            raise SystemExit(
                f"msrun: {args.worker_num} workers at {args.local_worker_num} per machine need {nodes} machines; "
                f"list them with --hosts {args.master_addr},<node1>,... (passwordless ssh between them), "
                f"but got {hosts or 'none'}."
            )
        cmd += ["-hosts", ",".join(hosts)]
    if args.log_dir:
        Path(args.log_dir).mkdir(parents=True, exist_ok=True)
        pattern = str(Path(args.log_dir) / "worker_%r.log")
        cmd += ["-outfile-pattern", pattern, "-errfile-pattern", pattern]
    return cmd + [sys.executable, args.task_script, *args.task_script_args]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``msrun`` console script."""
    args = parser().parse_args(argv)
    if args.node_rank > 0:
        print(
            f"msrun: node {args.node_rank} starts nothing: under MPI the mpiexec on node 0 ({args.master_addr}) "
            "starts every machine's workers over ssh."
        )
        return 0
    cmd = command(args)
    env = {**os.environ, "MS_WORKER_NUM": str(args.worker_num)}
    if args.join:
        return subprocess.run(cmd, env=env).returncode
    process = subprocess.Popen(cmd, env=env, start_new_session=True)
    print(f"msrun: started {args.worker_num} workers (mpiexec pid {process.pid}); pass --join=True to wait for them.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
