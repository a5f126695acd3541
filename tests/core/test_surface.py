"""The small MindSpore entry points real scripts touch: ``mindspore.common``, ``jit`` and
graph mode, ``_cell_graph_executor.compile``, constants, ``from_numpy`` / DLPack,
``Parameter.data``, ``mindspore.train.metrics`` and the out-of-scope APIs."""

from __future__ import annotations

import numpy as np
import pytest

import minispore as ms
import minispore.common
import minispore.dataset as ds
from minispore import nn
from minispore.common.api import _cell_graph_executor
from minispore.common.interop import adopts_host_memory


def test_common_exports_the_names_scripts_import() -> None:
    from minispore.common import Parameter, Tensor, float32, get_seed, jit, set_seed
    from minispore.common import dtype as mstype

    set_seed(4)
    assert get_seed() == 4
    assert Tensor is ms.Tensor and Parameter is ms.Parameter and jit is ms.jit
    assert float32 is mstype.float32 is ms.float32
    assert minispore.common.float_ is ms.float32 and minispore.common.int_ is ms.int64
    with pytest.raises(AttributeError, match="nothing_here"):
        _ = minispore.common.nothing_here


def test_train_metrics_is_the_metrics_module() -> None:
    from minispore.train.metrics import Accuracy, Loss

    assert Accuracy is nn.Accuracy and Loss is nn.Loss


def test_constants_and_graph_mode_are_accepted() -> None:
    assert (ms.STRICT, ms.COMPATIBLE, ms.LAX) == (0, 1, 2)
    assert (ms.GRAPH_MODE, ms.PYNATIVE_MODE) == (0, 1)
    try:
        ms.set_context(mode=ms.GRAPH_MODE, jit_syntax_level=ms.LAX)
        assert ms.get_context("mode") == ms.GRAPH_MODE
        np.testing.assert_array_equal(nn.ReLU()(ms.Tensor([-1.0, 2.0])).asnumpy(), [0.0, 2.0])
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)


def test_jit_with_and_without_arguments() -> None:
    @ms.jit
    def double(x: ms.Tensor) -> ms.Tensor:
        return x * 2

    class Net(nn.Cell):
        @ms.jit(capture_mode="bytecode", jit_level="O1")
        def construct(self, x: ms.Tensor) -> ms.Tensor:
            return x + 1

    assert double(ms.Tensor(2.0)).item() == 4.0
    assert Net()(ms.Tensor(2.0)).item() == 3.0
    assert ms.jit_class(Net) is Net
    with pytest.raises(ValueError, match="capture_mode"):
        ms.jit(capture_mode="graph")
    with pytest.raises(TypeError, match="function"):
        ms.jit(3)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="class"):
        ms.jit_class(double)  # type: ignore[arg-type]


def test_compile_runs_the_cell_and_changes_no_parameter(device: str) -> None:
    ms.set_seed(0)
    net = nn.Dense(3, 2)
    opt = nn.Momentum(net.trainable_params(), 0.1, 0.9)
    train = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), opt)
    before = {p.name: p.asnumpy().copy() for p in train.get_parameters()}
    x, y = ms.Tensor(np.ones((4, 3), np.float32)), ms.Tensor(np.zeros((4, 2), np.float32))
    phase, fresh = _cell_graph_executor.compile(train, x, y)
    assert fresh and _cell_graph_executor.has_compiled(phase)
    for p in train.get_parameters():
        np.testing.assert_array_equal(p.asnumpy(), before[p.name], err_msg=p.name)
    with pytest.raises(ValueError):
        _cell_graph_executor.compile(net, ms.Tensor(np.ones((4, 5), np.float32)))
    with pytest.raises(AttributeError, match="construct"):
        _cell_graph_executor.compile(object())


def test_from_numpy_shares_host_memory_on_cpu(device: str) -> None:
    a = np.zeros(3, np.float32)
    t, u = ms.from_numpy(a), ms.Tensor.from_numpy(a)
    a[0] = 5.0
    shared = adopts_host_memory(t.backend)
    assert shared == (device == "CPU")
    assert t.asnumpy()[0] == u.asnumpy()[0] == (5.0 if shared else 0.0)
    strided = np.arange(6, dtype=np.float32).reshape(2, 3)[:, ::2]
    copied = ms.from_numpy(strided)
    strided[0, 0] = 100.0
    np.testing.assert_array_equal(copied.asnumpy(), [[0.0, 2.0], [3.0, 5.0]])
    with pytest.raises(TypeError, match=r"numpy\.ndarray"):
        ms.from_numpy([1.0, 2.0])  # type: ignore[arg-type]


def test_dlpack_where_the_device_allows_it(device: str) -> None:
    t = ms.Tensor(np.arange(3, dtype=np.float32))
    if device == "CPU":
        view = np.from_dlpack(t)
        assert t.__dlpack_device__() == (1, 0)
        np.testing.assert_array_equal(view, [0.0, 1.0, 2.0])
        source = np.arange(4, dtype=np.float32)
        for shared in (ms.from_dlpack(source), ms.from_dlpack(ms.to_dlpack(ms.from_numpy(source)))):
            source[1] = 9.0
            assert shared.asnumpy()[1] == 9.0
    elif device == "OpenCL":
        with pytest.raises(BufferError, match="asnumpy"):
            t.__dlpack__()
        with pytest.raises(BufferError, match="OpenCL"):
            t.__dlpack_device__()
        with pytest.raises(RuntimeError, match="set_device"):
            ms.from_dlpack(np.zeros(2, np.float32))


def test_parameter_data_shares_storage(device: str) -> None:
    p = ms.Parameter(ms.Tensor([1.0, 2.0]), name="w")
    data = p.data
    assert type(data) is ms.Tensor
    p.set_data(ms.Tensor([3.0, 4.0]))
    np.testing.assert_array_equal(data.asnumpy(), [3.0, 4.0])


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: ms.export(nn.Dense(2, 2), file_name="net"), "mindspore.export"),
        (lambda: ms.load("net.mindir"), "mindspore.load"),
        (lambda: nn.GraphCell(None), "mindspore.nn.GraphCell"),
        (lambda: ds.MindDataset("data.mindrecord"), "mindspore.dataset.MindDataset"),
        (lambda: __import__("minispore.mindrecord").mindrecord.FileWriter("x"), "mindspore.mindrecord.FileWriter"),
        (lambda: __import__("minispore.mindrecord").mindrecord.FileReader("x"), "mindspore.mindrecord.FileReader"),
        (lambda: __import__("minispore.profiler").profiler.Profiler(), "mindspore.profiler.Profiler"),
    ],
)
def test_out_of_scope_apis_name_the_alternative(call: object, name: str) -> None:
    with pytest.raises(NotImplementedError, match=f"'{name}' is out of minispore's scope") as caught:
        call()  # type: ignore[operator]
    assert "Instead" in str(caught.value)
    assert isinstance(caught.value, RuntimeError)
