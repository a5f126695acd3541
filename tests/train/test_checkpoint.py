"""Checkpoints: MindSpore interop both ways, both formats, atomic saving, damaged files,
``load_param_into_net`` semantics, and bit-exact resumed training.

The MindSpore-written fixtures come from ``tests/fixtures/checkpoint/make_fixtures.py``
(real MindSpore 2.10.0); these tests never import mindspore.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pytest

import minispore as ms
from minispore import nn, ops
from minispore.train.serialization import _ckpt, _wire, save

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "checkpoint"
MS_EXPECTED: dict[str, list[dict[str, Any]]] = json.loads((FIXTURES / "mindspore_expected.json").read_text())
MINI_EXPECTED: dict[str, list[dict[str, Any]]] = json.loads((FIXTURES / "minispore_written.json").read_text())
FORMATS = ["ckpt", "safetensors"]
OPT_KEYS = ["global_step", "learning_rate", "w1", "b1", "w2", "momentum", "moments.w1", "moments.b1", "moments.w2"]


def _fmt(file: str) -> str:
    return "safetensors" if file.endswith(".safetensors") else "ckpt"


def _assert_matches(params: dict[str, ms.Parameter | str], expected: list[dict[str, Any]]) -> None:
    """Names in order, dtypes, shapes and values exactly as recorded."""
    assert list(params) == [e["name"] for e in expected]
    for e in expected:
        got = params[e["name"]]
        if e["dtype"] == "str":
            assert got == e["value"]
            continue
        assert isinstance(got, ms.Parameter) and got.name == e["name"]
        assert str(got.dtype) == e["dtype"] and list(got.shape) == e["shape"], e["name"]
        want = np.array(e["value"], dtype=got.dtype.np_dtype).reshape(e["shape"])
        np.testing.assert_array_equal(got.asnumpy(), want, err_msg=e["name"])


# --- interop with files MindSpore wrote, and files MindSpore read --------------------------


@pytest.mark.parametrize("file", sorted(MS_EXPECTED))
def test_reads_mindspore_files(file: str) -> None:
    _assert_matches(ms.load_checkpoint(str(FIXTURES / file), format=_fmt(file)), MS_EXPECTED[file])


@pytest.mark.parametrize("file", sorted(MS_EXPECTED))
def test_resaving_mindspore_files_is_byte_identical(file: str, tmp_path: Path) -> None:
    fmt = _fmt(file)
    params = ms.load_checkpoint(str(FIXTURES / file), format=fmt)
    out = tmp_path / file
    ms.save_checkpoint(params, str(out), crc_check="crc" in file, format=fmt)
    assert out.read_bytes() == (FIXTURES / file).read_bytes()


@pytest.mark.parametrize("file", sorted(MINI_EXPECTED))
def test_minispore_written_fixture_is_stable(file: str, tmp_path: Path) -> None:
    """MindSpore 2.10 read these files (see the fixtures' README); minispore still writes them."""
    fmt = _fmt(file)
    params = ms.load_checkpoint(str(FIXTURES / file), format=fmt)
    _assert_matches(params, MINI_EXPECTED[file])
    out = tmp_path / file
    ms.save_checkpoint(params, str(out), format=fmt)
    assert out.read_bytes() == (FIXTURES / file).read_bytes()


# --- round trips ----------------------------------------------------------------------------


class _Mixed(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.weight = ms.Parameter(np.arange(6, dtype=np.float32).reshape(2, 3) / 7)
        self.half = ms.Parameter(np.array([0.1, -2.5], np.float16))
        self.steps = ms.Parameter(np.array([3], np.int32), requires_grad=False)
        self.wide = ms.Parameter(np.array(np.e, np.float64))
        self.flags = ms.Parameter(np.array([True, False]))


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_keeps_names_dtypes_values(device: str, fmt: str, tmp_path: Path) -> None:
    net = _Mixed()
    if not all(p.backend.supports_dtype(p.dtype.np_dtype) for p in net.get_parameters()):
        pytest.skip(f"{device} lacks a dtype of this test")
    ms.save_checkpoint(net, str(tmp_path / "mixed"), format=fmt)
    params = ms.load_checkpoint(str(tmp_path / f"mixed.{fmt}"), format=fmt)
    names = ["weight", "half", "steps", "wide", "flags"]
    assert list(params) == (names if fmt == "ckpt" else sorted(names))
    for p in net.get_parameters():
        got = params[p.name]
        assert isinstance(got, ms.Parameter)
        assert got.dtype == p.dtype and got.shape == p.shape
        np.testing.assert_array_equal(got.asnumpy(), p.asnumpy())
    fresh = _Mixed()
    for p in fresh.get_parameters():
        p.set_data(np.zeros(p.shape, p.dtype.np_dtype))
    assert ms.load_param_into_net(fresh, params) == ([], [])
    for a, b in zip(net.get_parameters(), fresh.get_parameters()):
        np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())


def test_save_obj_forms_and_append_dict(tmp_path: Path) -> None:
    w = ms.Parameter(np.ones(2, np.float32), name="w")
    b = ms.Parameter(np.zeros(1, np.float32), name="b")
    path = str(tmp_path / "x.ckpt")
    ms.save_checkpoint([w, b], path, choice_func=lambda n: n != "b")
    assert list(ms.load_checkpoint(path)) == ["w"]
    ms.save_checkpoint([{"name": "t", "data": ms.Tensor([1, 2])}], path, append_dict={"epoch": 4, "lr": 0.5, "s": "hi"})
    params = ms.load_checkpoint(path)
    assert [(k, str(v.dtype) if isinstance(v, ms.Parameter) else v) for k, v in params.items()] == [
        ("t", "Int64"),
        ("epoch", "Int64"),
        ("lr", "Float32"),
        ("s", "hi"),
    ]
    ms.save_checkpoint({"a": np.arange(3, dtype=np.int32), "s": ""}, path)
    again = ms.load_checkpoint(path)
    assert again["s"] == "" and isinstance(again["a"], ms.Parameter) and again["a"].dtype == ms.int32
    with pytest.raises(ValueError, match=r"format='safetensors' stores tensors only.*'s'"):
        ms.save_checkpoint([w], str(tmp_path / "x"), append_dict={"s": "hi"}, format="safetensors")
    with pytest.raises(TypeError, match="list 'save_obj' must hold Parameters"):
        ms.save_checkpoint([np.ones(2)], path)
    with pytest.raises(TypeError, match="'append_dict' maps str to int"):
        ms.save_checkpoint([w], path, append_dict={"x": None})


def test_large_tensors_are_sliced_and_joined(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_ckpt, "SLICE_BYTES", 8)
    value = np.arange(15, dtype=np.float32).reshape(5, 3)
    path = str(tmp_path / "big.ckpt")
    ms.save_checkpoint([ms.Parameter(value, name="big"), ms.Parameter(np.ones(1, np.float32), name="one")], path)
    records = _wire.decode_checkpoint(Path(path).read_bytes())
    assert [r.tag for r in records] == ["big"] * 8 + ["one"]
    assert all(r.dims == (5, 3) for r in records[:8])
    np.testing.assert_array_equal(ms.load_checkpoint(path)["big"].asnumpy(), value)  # type: ignore[union-attr]


# --- optimizers and resumed training ----------------------------------------------------------


class _TwoLayer(nn.Cell):
    def __init__(self, seed: int) -> None:
        super().__init__()
        rng = np.random.default_rng(seed)
        self.w1 = ms.Parameter(rng.standard_normal((4, 8)).astype(np.float32) / 2)
        self.b1 = ms.Parameter(rng.standard_normal(8).astype(np.float32) / 10)
        self.w2 = ms.Parameter(rng.standard_normal((8, 1)).astype(np.float32) / 2)
        self.scale = ms.Parameter(np.array([1.0 + seed], np.float32), requires_grad=False)

    def construct(self, x: ms.Tensor) -> ms.Tensor:
        hidden = ops.relu(ops.matmul(x, self.w1) + self.b1)
        out: ms.Tensor = ops.matmul(hidden, self.w2) * self.scale
        return out


def _momentum(net: _TwoLayer) -> nn.Momentum:
    lrs = [0.1, 0.08, 0.06, 0.05, 0.04, 0.03]  # per step: a wrong global_step changes the trajectory
    return nn.Momentum(net.trainable_params(), learning_rate=lrs, momentum=0.9, weight_decay=1e-3)


def _train(net: _TwoLayer, opt: nn.Momentum, steps: range) -> None:
    def loss_fn(x: ms.Tensor, y: ms.Tensor) -> ms.Tensor:
        loss: ms.Tensor = ops.mean(ops.square(net(x) - y))
        return loss

    grad_fn = ms.value_and_grad(loss_fn, None, opt.parameters)
    for step in steps:
        rng = np.random.default_rng(1000 + step)
        x = ms.Tensor(rng.standard_normal((16, 4)).astype(np.float32))
        y = ms.Tensor(rng.standard_normal((16, 1)).astype(np.float32))
        _, grads = grad_fn(x, y)
        opt(grads)


def test_optimizer_checkpoint_keys(tmp_path: Path) -> None:
    net = _TwoLayer(0)
    opt = nn.Momentum(net.trainable_params(), learning_rate=0.1, momentum=0.9)
    _train(net, opt, range(2))
    ms.save_checkpoint(opt, str(tmp_path / "opt"))
    params = ms.load_checkpoint(str(tmp_path / "opt.ckpt"))
    assert list(params) == OPT_KEYS
    step, lr = params["global_step"], params["learning_rate"]
    assert isinstance(step, ms.Parameter) and isinstance(lr, ms.Parameter)
    assert step.dtype == ms.int32 and step.asnumpy().tolist() == [2]
    assert lr.dtype == ms.float32 and lr.shape == ()


@pytest.mark.parametrize("fmt", FORMATS)
def test_resumed_training_is_bit_exact(device: str, fmt: str, tmp_path: Path) -> None:
    net = _TwoLayer(0)
    opt = _momentum(net)
    _train(net, opt, range(6))

    first = _TwoLayer(0)
    first_opt = _momentum(first)
    _train(first, first_opt, range(3))
    ms.save_checkpoint(first, str(tmp_path / "net"), format=fmt)
    ms.save_checkpoint(first_opt, str(tmp_path / "opt"), format=fmt)

    resumed = _TwoLayer(1)  # other initial values, all of which the checkpoint must replace
    resumed_opt = _momentum(resumed)
    ms.load_checkpoint(str(tmp_path / f"net.{fmt}"), net=resumed, format=fmt)
    ms.load_checkpoint(str(tmp_path / f"opt.{fmt}"), net=resumed_opt, format=fmt)
    assert resumed_opt.global_step.asnumpy().tolist() == [3]
    _train(resumed, resumed_opt, range(3, 6))

    pairs = list(zip(net.get_parameters(), resumed.get_parameters()))
    pairs += list(zip(opt.moments, resumed_opt.moments))
    pairs += [(opt.global_step, resumed_opt.global_step)]
    for a, b in pairs:
        assert a.name == b.name
        if device == "CPU":
            assert np.array_equal(a.asnumpy(), b.asnumpy()), a.name
        else:
            np.testing.assert_allclose(a.asnumpy(), b.asnumpy(), rtol=1e-6, atol=1e-7, err_msg=a.name)


# --- atomic saving ------------------------------------------------------------------------------


def _crash_on_second_record(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = _wire.record_head

    def failing(*args: Any) -> bytes:
        calls.append(args)
        if len(calls) == 2:
            raise OSError("simulated crash: disk full")
        return real(*args)

    monkeypatch.setattr(_ckpt, "record_head", failing)


def test_failed_save_keeps_previous_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "net.ckpt"
    ms.save_checkpoint(_Mixed(), str(path))
    before = path.read_bytes()
    changed = _Mixed()
    changed.weight.set_data(np.zeros((2, 3), np.float32))
    _crash_on_second_record(monkeypatch)
    with pytest.raises(OSError, match="simulated crash"):
        ms.save_checkpoint(changed, str(path))
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["net.ckpt"]


def test_failed_safetensors_save_keeps_previous_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "net.safetensors"
    ms.save_checkpoint(_Mixed(), str(path), format="safetensors")
    before = path.read_bytes()

    def half_then_crash(stream: BinaryIO, payload: bytes) -> None:
        stream.write(payload[: len(payload) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(save, "_write_all", half_then_crash)
    with pytest.raises(KeyboardInterrupt):
        ms.save_checkpoint(_Mixed(), str(path), format="safetensors")
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["net.safetensors"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX rename semantics")
def test_save_replaces_a_read_only_file(tmp_path: Path) -> None:
    """MindSpore leaves its checkpoints mode 0400; saving over one still works."""
    path = tmp_path / "net.ckpt"
    path.write_bytes(b"old")
    path.chmod(0o400)
    ms.save_checkpoint(_Mixed(), str(path))
    assert list(ms.load_checkpoint(str(path))) == ["weight", "half", "steps", "wide", "flags"]


# --- damaged files ---------------------------------------------------------------------------------


def test_every_truncation_is_an_error_or_a_shorter_file(tmp_path: Path) -> None:
    data = (FIXTURES / "mindspore_net.ckpt").read_bytes()
    full = len(ms.load_checkpoint(str(FIXTURES / "mindspore_net.ckpt")))
    path = tmp_path / "cut.ckpt"
    for size in range(len(data)):
        path.write_bytes(data[:size])
        try:
            params = ms.load_checkpoint(str(path))
        except ValueError as exc:
            assert str(path) in str(exc)
        else:  # cut exactly between records: the file format cannot tell
            assert 0 < len(params) < full


def test_every_byte_flip_in_a_crc_file_is_an_error(tmp_path: Path) -> None:
    data = (FIXTURES / "mindspore_net_crc.ckpt").read_bytes()
    path = tmp_path / "flip.ckpt"
    for i in range(len(data)):
        damaged = bytearray(data)
        damaged[i] ^= 0x10
        path.write_bytes(bytes(damaged))
        with pytest.raises(ValueError, match=r"flip\.ckpt"):
            ms.load_checkpoint(str(path))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"is empty \(0 bytes\)"),
        (b"\x80\x04\x95pickle", "byte 0 should start a Checkpoint.value record.*not a MindSpore .ckpt file"),
        (_wire.record_head("w", [2, 3], "Float32", 20) + bytes(20), r"should hold 24 bytes for shape \(2, 3\)"),
        (_wire.record_head("w", [2], "Float32", 8)[:-3], "runs past the end|declares .* bytes but only"),
        (_wire.record_head("u", [1], "UInt16", 2) + bytes(2), "'u'.*dtype 'UInt16'.*choice_func"),
    ],
)
def test_damaged_ckpt_errors(content: bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.ckpt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        ms.load_checkpoint(str(path))


def test_unsupported_dtype_can_be_skipped(tmp_path: Path) -> None:
    path = tmp_path / "mixed.ckpt"
    ok = _wire.record_head("w", [1], "Float32", 4) + np.float32(2).tobytes()
    path.write_bytes(_wire.record_head("u", [1], "BFloat16", 2) + bytes(2) + ok)
    assert list(ms.load_checkpoint(str(path), choice_func=lambda n: n != "u")) == ["w"]


def test_wire_decoder_accepts_what_protobuf_may_write() -> None:
    """Packed dims, unknown fields and a split TensorProto, which MindSpore never writes."""
    tensor = b"\x0a\x02\x02\x01" + b"\x12\x07Float32" + b"\x28\x05" + b"\x1a\x08" + bytes(8)
    value = b"\x0a\x01w" + b"\x12" + bytes([len(tensor[:4])]) + tensor[:4] + b"\x12" + bytes([len(tensor) - 4])
    value += tensor[4:]
    (record,) = _wire.decode_checkpoint(b"\x0a" + bytes([len(value)]) + value)
    assert (record.tag, record.dims, record.tensor_type, bytes(record.content)) == ("w", (2, 1), "Float32", bytes(8))


def test_damaged_safetensors_errors(tmp_path: Path) -> None:
    data = (FIXTURES / "mindspore_net.safetensors").read_bytes()
    path = tmp_path / "bad.safetensors"
    for content in (b"", data[:7], data[:100], data[:-4], b"\xff" * 16):
        path.write_bytes(content)
        with pytest.raises(ValueError, match=r"failed to read the checkpoint file .*bad\.safetensors"):
            ms.load_checkpoint(str(path), format="safetensors")


def test_safetensors_crc(tmp_path: Path) -> None:
    path = tmp_path / "c.safetensors"
    ms.save_checkpoint(_Mixed(), str(path), crc_check=True, format="safetensors")
    assert len(ms.load_checkpoint(str(path), format="safetensors", crc_check=True)) == 5
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"CRC check .* failed"):
        ms.load_checkpoint(str(path), format="safetensors")


# --- names, formats, arguments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt", "written"),
    [
        ("net", "ckpt", "net.ckpt"),
        ("net.ckpt", "ckpt", "net.ckpt"),
        ("net.txt", "ckpt", "net.txt.ckpt"),
        ("net", "safetensors", "net.safetensors"),
        ("net.ckpt", "safetensors", "net.ckpt.safetensors"),
    ],
)
def test_suffix_is_appended_when_missing(name: str, fmt: str, written: str, tmp_path: Path) -> None:
    ms.save_checkpoint(_Mixed(), tmp_path / name, format=fmt)
    assert os.listdir(tmp_path) == [written]


def test_format_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="format must be 'safetensors' or 'ckpt', but got 'npz'"):
        ms.save_checkpoint(_Mixed(), str(tmp_path / "x"), format="npz")
    ms.save_checkpoint(_Mixed(), str(tmp_path / "x"), format="safetensors")
    with pytest.raises(ValueError, match=r"must end with '\.ckpt'.*pass format='safetensors'"):
        ms.load_checkpoint(str(tmp_path / "x.safetensors"))
    with pytest.raises(ValueError, match="format must be 'safetensors' or 'ckpt'"):
        ms.load_checkpoint(str(tmp_path / "x.safetensors"), format="npz")
    with pytest.raises(ValueError, match="does not exist"):
        ms.load_checkpoint(str(tmp_path / "missing.ckpt"))
    with pytest.raises(IsADirectoryError):
        ms.save_checkpoint(_Mixed(), str(tmp_path))


def test_streams_are_read(tmp_path: Path) -> None:
    data = (FIXTURES / "mindspore_net.safetensors").read_bytes()
    params = ms.load_checkpoint(io.BytesIO(data), format="safetensors")
    _assert_matches(params, MS_EXPECTED["mindspore_net.safetensors"])


def test_unsupported_arguments_are_named(tmp_path: Path) -> None:
    path = str(tmp_path / "x")
    with pytest.raises(NotImplementedError, match=r"async_save=True is not supported.*async_save=False"):
        ms.save_checkpoint(_Mixed(), path, async_save=True)
    with pytest.raises(NotImplementedError, match="async_save='thread'"):
        ms.save_checkpoint(_Mixed(), path, async_save="thread")
    with pytest.raises(ValueError, match="'async_save' can only be 'process' or 'thread'"):
        ms.save_checkpoint(_Mixed(), path, async_save="later")
    with pytest.raises(NotImplementedError, match=r"'enc_key' is not supported.*enc_key=None"):
        ms.save_checkpoint(_Mixed(), path, enc_key=b"0123456789abcdef")
    with pytest.raises(TypeError, match="'crc_check'"):
        ms.save_checkpoint(_Mixed(), path, crc_check=1)  # type: ignore[arg-type]
    assert not os.listdir(tmp_path)
    ms.save_checkpoint(_Mixed(), path)
    with pytest.raises(NotImplementedError, match="'dec_key' is not supported"):
        ms.load_checkpoint(path + ".ckpt", dec_key=b"0123456789abcdef")
    with pytest.raises(TypeError, match="remove_redundancy=False"):
        ms.load_checkpoint(path + ".ckpt", net=_Mixed(), remove_redundancy=True)


def test_name_filters(tmp_path: Path) -> None:
    path = str(tmp_path / "x.ckpt")
    ms.save_checkpoint(_Mixed(), path)
    assert list(ms.load_checkpoint(path, filter_prefix=["we", "ha"])) == ["steps", "wide", "flags"]
    assert list(ms.load_checkpoint(path, specify_prefix="w")) == ["weight", "wide"]
    assert list(ms.load_checkpoint(path, specify_prefix="w", filter_prefix="wi")) == ["weight"]
    assert list(ms.load_checkpoint(path, choice_func=lambda n: n.endswith("s"))) == ["steps", "flags"]
    with pytest.raises(ValueError, match="no parameter is left to load"):
        ms.load_checkpoint(path, choice_func=lambda n: False)
    with pytest.raises(ValueError, match="'filter_prefix' must not be empty"):
        ms.load_checkpoint(path, filter_prefix=[""])


# --- load_param_into_net --------------------------------------------------------------------------------


class _Dense(nn.Cell):
    def __init__(self, n_in: int = 3) -> None:
        super().__init__()
        self.weight = ms.Parameter(np.zeros((2, n_in), np.float32))
        self.bias = ms.Parameter(np.zeros(2, np.float32))


def _entry(name: str, value: np.ndarray[Any, Any]) -> ms.Parameter:
    return ms.Parameter(value, name=name)


@pytest.mark.parametrize("strict", [False, True])
def test_missing_and_extra_keys_are_reported_not_raised(strict: bool) -> None:
    net = _Dense()
    params = {"weight": _entry("weight", np.ones((2, 3), np.float32)), "extra": _entry("extra", np.ones(1, np.float32))}
    assert ms.load_param_into_net(net, params, strict_load=strict) == (["bias"], ["extra"])
    np.testing.assert_array_equal(net.weight.asnumpy(), np.ones((2, 3), np.float32))


def test_dtype_casts_only_without_strict_load() -> None:
    wide = {"weight": _entry("weight", np.full((2, 3), 0.1, np.float64))}
    net = _Dense()
    assert ms.load_param_into_net(net, wide) == (["bias"], [])
    assert net.weight.dtype == ms.float32 and net.weight.asnumpy()[0, 0] == np.float32(0.1)
    with pytest.raises(RuntimeError, match=r"weight .* same type .* Float32 .* Float64"):
        ms.load_param_into_net(_Dense(), wide, strict_load=True)
    with pytest.raises(RuntimeError, match=r"same type .* Float32 .* Int32"):
        ms.load_param_into_net(_Dense(), {"weight": _entry("weight", np.ones((2, 3), np.int32))})


def test_shape_mismatch_names_parameter_and_shapes_and_changes_nothing() -> None:
    net = _Dense()
    params = {"bias": _entry("bias", np.ones(2, np.float32)), "weight": _entry("weight", np.ones((2, 4), np.float32))}
    with pytest.raises(RuntimeError, match=r"weight .* shape \(2, 3\) in the argument 'net' and shape \(2, 4\)"):
        ms.load_param_into_net(net, params)
    assert not net.bias.asnumpy().any()


def test_trailing_unit_dims_are_squeezed() -> None:
    net = _Dense()
    ms.load_param_into_net(net, {"weight": _entry("weight", np.full((2, 3, 1, 1), 7, np.float32))})
    assert net.weight.shape == (2, 3) and (net.weight.asnumpy() == 7).all()


def test_prefixed_keys_load_without_strict_load() -> None:
    prefixed = {
        f"backbone.{n}": _entry(f"backbone.{n}", np.full(s, 5, np.float32))
        for n, s in [("weight", (2, 3)), ("bias", (2,))]
    }
    net = _Dense()
    assert ms.load_param_into_net(net, prefixed) == ([], [])
    assert (net.weight.asnumpy() == 5).all() and (net.bias.asnumpy() == 5).all()
    assert ms.load_param_into_net(_Dense(), prefixed, strict_load=True) == (["weight", "bias"], list(prefixed))


def test_argument_types() -> None:
    with pytest.raises(TypeError, match="'net' should be a Cell"):
        ms.load_param_into_net({}, {})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"must map str to Parameter.*ms\.Parameter\(array, name=key\)"):
        ms.load_param_into_net(_Dense(), {"weight": np.ones((2, 3))})  # type: ignore[dict-item]
    net = _Dense()
    assert ms.load_param_into_net(net, {"weight": "a note", "bias": _entry("bias", np.ones(2, np.float32))}) == (
        [],
        ["weight"],
    )


# --- dependencies -------------------------------------------------------------------------------------


def test_ckpt_needs_only_numpy(tmp_path: Path) -> None:
    """With protobuf and safetensors unimportable, .ckpt still works and safetensors names the extra."""
    script = f"""
import sys
sys.modules.update({{"google": None, "google.protobuf": None, "safetensors": None, "safetensors.numpy": None}})
import numpy as np
import minispore as ms
w = ms.Parameter(np.ones(2, np.float32), name="w")
ms.save_checkpoint([w], {str(tmp_path / "w")!r})
assert ms.load_checkpoint({str(tmp_path / "w.ckpt")!r})["w"].asnumpy().tolist() == [1.0, 1.0]
try:
    ms.save_checkpoint([w], {str(tmp_path / "w")!r}, format="safetensors")
except ImportError as exc:
    print(exc)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "pip install 'minispore[checkpoint]'" in result.stdout
