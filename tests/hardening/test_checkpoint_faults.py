"""Checkpoint faults found by fuzzing (issue 10): D1, D6, D7, D8 and the loader's error messages."""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import minispore as ms
from minispore import nn
from minispore.train.serialization import _wire
from minispore.train.serialization._atomic import remove_stale_temporaries

# --- D1: a .ckpt saved with a CRC and cut at a record boundary -------------------------------------


def test_d1_ckpt_cut_at_a_record_boundary_loses_its_crc_and_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.ckpt"
    ms.save_checkpoint(nn.Dense(4, 3), str(path), crc_check=True)
    data = path.read_bytes()
    path.write_bytes(data[:75])  # the whole 'weight' record: the 'bias' record and the trailer are gone
    assert [r.tag for r in _wire.decode_checkpoint(data[:75])] == ["weight"]
    with pytest.raises(ValueError, match=r"crc_check=True but the checkpoint file .*c\.ckpt ends without a CRC"):
        ms.load_checkpoint(str(path), crc_check=True)
    assert list(ms.load_checkpoint(str(path))) == ["weight"]  # without crc_check the format cannot tell


def test_d1_every_cut_of_a_crc_file_is_an_error_under_crc_check(tmp_path: Path) -> None:
    path = tmp_path / "c.ckpt"
    ms.save_checkpoint(nn.Dense(4, 3), str(path), crc_check=True)
    data = path.read_bytes()
    assert len(ms.load_checkpoint(str(path), crc_check=True)) == 2
    for size in range(len(data)):
        path.write_bytes(data[:size])
        with pytest.raises(ValueError, match=r"c\.ckpt"):
            ms.load_checkpoint(str(path), crc_check=True)


# --- D7: a damaged 'crc_num' in a safetensors header -----------------------------------------------


def _safetensors_with_crc(tmp_path: Path) -> Path:
    pytest.importorskip("safetensors")
    path = tmp_path / "c.safetensors"
    ms.save_checkpoint(nn.Dense(4, 3), str(path), crc_check=True, format="safetensors")
    return path


@pytest.mark.parametrize("damage", [b"crc_nuX", b"crc_Num"])
def test_d7_safetensors_crc_key_damaged_is_an_error_under_crc_check(tmp_path: Path, damage: bytes) -> None:
    path = _safetensors_with_crc(tmp_path)
    data = path.read_bytes()
    assert data.count(b'"crc_num"') == 1
    path.write_bytes(data.replace(b'"crc_num"', b'"' + damage + b'"'))
    with pytest.raises(ValueError, match=r"crc_check=True but the checkpoint file .*c\.safetensors has no CRC"):
        ms.load_checkpoint(str(path), format="safetensors", crc_check=True)


def test_d7_safetensors_crc_value_damaged_is_an_error(tmp_path: Path) -> None:
    path = _safetensors_with_crc(tmp_path)
    header_size = int.from_bytes(path.read_bytes()[:8], "little")
    header = json.loads(path.read_bytes()[8 : 8 + header_size])
    digits = header["__metadata__"]["crc_num"]
    data = path.read_bytes().replace(f'"{digits}"'.encode(), b'"x' + digits[1:].encode() + b'"')
    path.write_bytes(data)
    for crc_check in (True, False):
        with pytest.raises(ValueError, match=r"CRC check of the checkpoint file .*c\.safetensors failed"):
            ms.load_checkpoint(str(path), format="safetensors", crc_check=crc_check)


def test_d7_safetensors_nested_header_is_a_value_error(tmp_path: Path) -> None:
    pytest.importorskip("safetensors")
    header = b"[" * 100_000 + b"]" * 100_000
    path = tmp_path / "deep.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header)
    with pytest.raises(ValueError, match=r"deep\.safetensors: its JSON header nests deeper"):
        ms.load_checkpoint(str(path), format="safetensors")


# --- D6: a value that does not fit the parameter's dtype --------------------------------------------


def test_d6_int64_step_beyond_int32_is_an_error_and_nothing_changes() -> None:
    opt = nn.Momentum(nn.Dense(2, 2).trainable_params(), 0.1, 0.9)
    big = ms.Parameter(ms.Tensor(np.array([2**40 + 7], np.int64)), name="global_step")
    with pytest.raises(ValueError, match=r"global_step .* holds 1099511627783, which does not fit the Int32"):
        ms.load_param_into_net(opt, {"global_step": big})
    assert opt.global_step.asnumpy().tolist() == [0]
    fits = ms.Parameter(ms.Tensor(np.array([2**31 - 1], np.int64)), name="global_step")
    ms.load_param_into_net(opt, {"global_step": fits})
    assert opt.global_step.asnumpy().tolist() == [2**31 - 1]


def test_d6_float64_beyond_float32_is_an_error_but_rounding_is_not() -> None:
    net = nn.Dense(2, 1, has_bias=False)
    huge = ms.Parameter(ms.Tensor(np.array([[1e39, 0.0]])), name="weight")
    with pytest.raises(ValueError, match=r"weight .* holds 1e\+39, which does not fit the Float32"):
        ms.load_param_into_net(net, {"weight": huge})
    fine = ms.Parameter(ms.Tensor(np.array([[0.1, np.inf]])), name="weight")  # inf stays inf: no value changes
    ms.load_param_into_net(net, {"weight": fine})
    assert net.weight.asnumpy().tolist() == [[np.float32(0.1), np.inf]]


# --- D8: temporary files of killed saves ------------------------------------------------------------


def test_d8_next_save_removes_stale_temporaries_of_that_name_only(tmp_path: Path) -> None:
    stale = [tmp_path / f".net.ckpt.{i:016x}.tmp" for i in (1, 0xABC)]
    others = [tmp_path / ".other.ckpt.0000000000000001.tmp", tmp_path / ".net.ckpt.xyz.tmp", tmp_path / "keep.tmp"]
    for path in stale + others:
        path.write_bytes(b"partial")
    fresh_empty = tmp_path / ".net.ckpt.00000000000000ff.tmp"  # may be a live writer's, not yet locked
    fresh_empty.write_bytes(b"")
    ms.save_checkpoint(nn.Dense(2, 2), str(tmp_path / "net.ckpt"))
    assert sorted(os.listdir(tmp_path)) == sorted(["net.ckpt", fresh_empty.name, *(p.name for p in others)])
    os.utime(fresh_empty, (time.time() - 60, time.time() - 60))
    ms.save_checkpoint(nn.Dense(2, 2), str(tmp_path / "net.ckpt"))
    assert sorted(os.listdir(tmp_path)) == sorted(["net.ckpt", *(p.name for p in others)])


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and flock are POSIX")
def test_d8_a_save_killed_by_sigkill_is_cleaned_up_by_the_next_save(tmp_path: Path) -> None:
    """A child process saves a large tensor and is killed mid-write, leaving its temp file."""
    script = textwrap.dedent(
        f"""
        import numpy as np, minispore as ms, sys
        from minispore.train.serialization import _atomic
        def announce_then_wait(fd):
            print("writing", flush=True)
            sys.stdin.readline()  # the parent kills us here, before the rename
        _atomic.os.fsync = announce_then_wait
        ms.save_checkpoint({{"w": ms.Tensor(np.ones(1000, np.float32))}}, {str(tmp_path / "big.ckpt")!r})
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert child.stdout is not None
    assert child.stdout.readline() == b"writing\n"
    (live,) = os.listdir(tmp_path)
    assert remove_stale_temporaries(str(tmp_path), "big.ckpt") == []  # its writer holds the lock: kept
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert os.listdir(tmp_path) == [live]
    ms.save_checkpoint({"w": ms.Tensor(np.zeros(3, np.float32))}, str(tmp_path / "big.ckpt"))
    assert os.listdir(tmp_path) == ["big.ckpt"]
    (saved,) = ms.load_checkpoint(str(tmp_path / "big.ckpt")).values()
    assert isinstance(saved, ms.Parameter) and saved.asnumpy().tolist() == [0.0, 0.0, 0.0]


def test_save_into_a_missing_directory_names_the_directory(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "c.ckpt"
    with pytest.raises(FileNotFoundError, match=r"the directory of 'ckpt_file_name' must exist, but .*missing does"):
        ms.save_checkpoint(nn.Dense(2, 2), str(target))
    assert not (tmp_path / "missing").exists()


# --- loader errors name the file, the fault and the expectation -------------------------------------


def _record(tag: str, dims: list[int], tensor_type: str, content: bytes) -> bytes:
    return _wire.record_head(tag, dims, tensor_type, len(content)) + content


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_record("s", [0], "str", struct.pack("<I", 0x110000)), r"the string the parameter 's' .* is not UTF-32"),
        (_record("s", [0], "str", b"abc"), r"'s' .* is not UTF-32 text \(3 bytes"),
        (_record("w", [1] * 65, "Float32", bytes(4)), r"'w' .* has dims \[1, 1, .*at most 64 dims"),
        (_record("w", [0, 2**62], "Float32", b""), r"'w' .* has dims \[0, 4611686018427387904\]"),
    ],
    ids=["code-point", "odd-size", "65-dims", "huge-dim"],
)
def test_damaged_records_name_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.ckpt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as info:
        ms.load_checkpoint(str(path))
    assert str(path) in str(info.value)


def test_strings_still_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "s.ckpt"
    texts = {"empty": "", "ascii": "epoch 3", "wide": "naïve 日本 \U0001f600"}
    ms.save_checkpoint({"w": ms.Tensor([1.0])}, str(path), append_dict=texts)
    loaded = ms.load_checkpoint(str(path))
    assert {k: loaded[k] for k in texts} == texts


def test_directory_and_fifo_are_not_reported_missing(tmp_path: Path) -> None:
    (tmp_path / "d.ckpt").mkdir()
    with pytest.raises(ValueError, match=r"must name a regular file, but .*d\.ckpt is a directory"):
        ms.load_checkpoint(str(tmp_path / "d.ckpt"))
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "f.ckpt")
        start = time.monotonic()
        with pytest.raises(ValueError, match=r"f\.ckpt is not a regular file \(a FIFO"):
            ms.load_checkpoint(str(tmp_path / "f.ckpt"))
        assert time.monotonic() - start < 60  # never opened, so never blocked
    with pytest.raises(ValueError, match=r"the checkpoint file .*none\.ckpt does not exist"):
        ms.load_checkpoint(str(tmp_path / "none.ckpt"))


def test_no_message_doubles_its_subject(tmp_path: Path) -> None:
    path = tmp_path / "w.ckpt"
    ms.save_checkpoint({"w": ms.Tensor([1.0])}, str(path))
    messages = []
    for kwargs in ({"crc_check": True}, {"choice_func": lambda name: False}):
        with pytest.raises(ValueError) as info:
            ms.load_checkpoint(str(path), **kwargs)
        messages.append(str(info.value))
    assert all("the checkpoint file the checkpoint file" not in m for m in messages)
