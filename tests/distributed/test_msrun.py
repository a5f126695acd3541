"""``msrun``: MindSpore's flags mapped onto mpiexec."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from minispore.parallel import msrun


def cmd(*argv: str) -> list[str]:
    return msrun.command(msrun.parser().parse_args(["--mpiexec", "mpiexec", *argv]))


def test_one_machine() -> None:
    assert cmd("--worker_num=4", "--local_worker_num=4", "train.py", "--lr", "0.1") == [
        "mpiexec", "-n", "4", "-ppn", "4", sys.executable, "train.py", "--lr", "0.1",
    ]  # fmt: skip


def test_several_machines_need_their_hosts() -> None:
    with pytest.raises(SystemExit, match=r"need 2 machines; list them with --hosts 10\.0\.0\.1"):
        cmd("--worker_num=8", "--local_worker_num=4", "--master_addr=10.0.0.1", "train.py")
    line = cmd("--worker_num=8", "--local_worker_num=4", "--hosts=10.0.0.1,10.0.0.2", "train.py")
    assert line[:7] == ["mpiexec", "-n", "8", "-ppn", "4", "-hosts", "10.0.0.1,10.0.0.2"]


def test_log_dir_gets_one_file_per_worker(tmp_path: Path) -> None:
    line = cmd("--worker_num=2", "--local_worker_num=2", f"--log_dir={tmp_path / 'logs'}", "train.py")
    pattern = str(tmp_path / "logs" / "worker_%r.log")
    assert line[5:9] == ["-outfile-pattern", pattern, "-errfile-pattern", pattern]
    assert (tmp_path / "logs").is_dir()


def test_bad_counts_and_other_nodes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit, match="--local_worker_num <= --worker_num"):
        cmd("--worker_num=2", "--local_worker_num=4", "train.py")
    assert msrun.main(["--node_rank=1", "--worker_num=8", "--local_worker_num=4", "train.py"]) == 0
    assert "starts nothing" in capsys.readouterr().out


@pytest.mark.skipif(
    shutil.which("mpiexec", path=str(Path(sys.executable).parent)) is None and shutil.which("mpiexec") is None,
    reason="mpiexec not installed: pip install 'minispore[mpi]'",
)
def test_runs_a_job_and_writes_worker_logs(tmp_path: Path) -> None:
    script = tmp_path / "hello.py"
    script.write_text(
        "from minispore.communication import init, get_rank, get_group_size\n"
        "init()\nprint('rank', get_rank(), 'of', get_group_size())\n"
    )
    status = msrun.main(["--worker_num=2", "--local_worker_num=2", f"--log_dir={tmp_path}", "--join=True", str(script)])
    assert status == 0
    assert [(tmp_path / f"worker_{r}.log").read_text() for r in range(2)] == ["rank 0 of 2\n", "rank 1 of 2\n"]
