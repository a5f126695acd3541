"""Parameter, ParameterTuple and the naming and traversal rules of nn.Cell (spec §9)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import minispore as ms
from minispore import nn
from minispore.common.initializer import One


class Leaf(nn.Cell):
    """A layer with a trainable weight and a frozen bias."""

    def __init__(self, size: int = 2) -> None:
        super().__init__()
        self.weight = ms.Parameter(np.ones(size, np.float32))
        self.bias = ms.Parameter(np.zeros(size, np.float32), requires_grad=False)

    def construct(self, x: ms.Tensor) -> ms.Tensor:
        return x * self.weight + self.bias


class Block(nn.Cell):
    """A cell with its own parameter registered between two children."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = Leaf()
        self.scale = ms.Parameter(np.float32(2.0))
        self.conv2 = Leaf()

    def construct(self, x: ms.Tensor) -> ms.Tensor:
        out: ms.Tensor = self.conv2(self.conv1(x)) * self.scale
        return out


class Net(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.block = Block()
        self.head = Leaf(3)

    def construct(self, x: ms.Tensor) -> ms.Tensor:
        out: ms.Tensor = self.head(self.block(x))
        return out


# Parameter --------------------------------------------------------------------------------


def test_auto_name_until_adopted(device: str) -> None:
    p = ms.Parameter(np.zeros(2, np.float32))
    assert re.fullmatch(r"Parameter#\d+", p.name)
    q = ms.Parameter(np.zeros(2, np.float32))
    assert int(q.name.split("#")[1]) > int(p.name.split("#")[1])

    class Holder(nn.Cell):
        def __init__(self) -> None:
            super().__init__()
            self.w = p

    Holder()
    assert p.name == "w"


def test_explicit_names_survive_adoption(device: str) -> None:
    named = ms.Parameter(np.zeros(2, np.float32), name="kept")
    renamed = ms.Parameter(np.zeros(2, np.float32))
    renamed.name = "by_hand"
    cell = nn.Cell()
    cell.a = named
    cell.b = renamed
    assert named.name == "kept"
    assert renamed.name == "by_hand"
    assert [n for n, _ in cell.parameters_and_names()] == ["a", "b"]


def test_child_cells_prefix_names(device: str) -> None:
    net = Net()
    assert net.block.conv1.weight.name == "block.conv1.weight"
    assert net.block.scale.name == "block.scale"
    assert net.head.bias.name == "head.bias"
    leaf = Leaf()
    assert leaf.weight.name == "weight"


def test_insert_param_and_child(device: str) -> None:
    cell = nn.Cell()
    cell.insert_param_to_cell("w", ms.Parameter(np.zeros(1, np.float32)))
    cell.insert_child_to_cell("conv1", Leaf())
    assert [p.name for p in cell.get_parameters()] == ["w", "conv1.weight", "conv1.bias"]
    with pytest.raises(KeyError, match="must not contain"):
        cell.insert_param_to_cell("a.b", ms.Parameter(np.zeros(1, np.float32)))
    with pytest.raises(TypeError, match="Cell"):
        cell.insert_child_to_cell("x", object())  # type: ignore[arg-type]


def test_repr(device: str) -> None:
    p = ms.Parameter(ms.Tensor([1.0, 2.0]), name="p")
    assert repr(p) == "Parameter (name=p, shape=(2,), dtype=Float32, requires_grad=True)"
    assert str(p) == repr(p)
    frozen = ms.Parameter(np.zeros((2, 3), np.int32), name="f", requires_grad=False)
    assert repr(frozen) == "Parameter (name=f, shape=(2, 3), dtype=Int32, requires_grad=False)"


@pytest.mark.parametrize(
    ("value", "dtype"),
    [
        (np.arange(3, dtype=np.float64), ms.float64),
        (np.arange(3, dtype=np.float32), ms.float32),
        ([1.0, 2.0], ms.float32),
        (1.5, ms.float32),
        (np.array([1, 2], np.int32), ms.int32),
    ],
)
def test_inputs_accepted(device: str, value: Any, dtype: ms.DType) -> None:
    p = ms.Parameter(value, name="p")
    assert ms.Parameter(ms.Tensor(value), name="from_tensor").dtype == dtype
    assert p.dtype == dtype
    assert p.device == device
    np.testing.assert_array_equal(p.asnumpy(), np.asarray(value))
    assert isinstance(p, ms.Tensor)


def test_parameter_copies_its_tensor(device: str) -> None:
    t = ms.Tensor([1.0, 2.0])
    p = ms.Parameter(t, name="p")
    p.set_data(ms.Tensor([5.0, 6.0]))
    assert t.tolist() == [1.0, 2.0]


def test_initializer_input(device: str) -> None:
    p = ms.Parameter(ms.Tensor(shape=(2, 2), init=One()), name="p")
    np.testing.assert_array_equal(p.asnumpy(), np.ones((2, 2)))


def test_set_data_casts_to_the_parameter_dtype(device: str) -> None:
    p = ms.Parameter(np.zeros(2, np.float32), name="p")
    p.set_data(ms.Tensor([1, 2], ms.int32))
    assert p.dtype == ms.float32
    assert p.tolist() == [1.0, 2.0]
    p.set_data(np.array([3.5, 4.5], np.float64))
    assert p.dtype == ms.float32
    assert p.tolist() == [3.5, 4.5]
    ints = ms.Parameter(np.zeros(2, np.int32), name="i")
    ints.set_data(ms.Tensor([1.7, -2.7]))
    assert ints.dtype == ms.int32
    assert ints.tolist() == [1, -2]


def test_set_data_accepts_a_new_shape(device: str) -> None:
    p = ms.Parameter(np.zeros(2, np.float32), name="p")
    returned = p.set_data(ms.Tensor(np.ones((3, 4), np.float32)))
    assert returned is p
    assert p.shape == (3, 4)
    assert "shape=(3, 4)" in repr(p)
    np.testing.assert_array_equal(p.asnumpy(), np.ones((3, 4)))


def test_set_data_same_shape_writes_in_place(device: str) -> None:
    p = ms.Parameter(np.zeros(2, np.float32), name="p")
    storage = p._data
    source = ms.Tensor([1.0, 2.0])
    p.set_data(source)
    assert p._data is storage
    source[0] = 9.0
    assert p.tolist() == [1.0, 2.0], "set_data copies the value"


def test_requires_grad_setter(device: str) -> None:
    cell = Leaf()
    cell.weight.requires_grad = False
    assert cell.trainable_params() == []
    cell.bias.requires_grad = True
    assert [p.name for p in cell.trainable_params()] == ["bias"]
    with pytest.raises(TypeError, match="requires_grad"):
        cell.bias.requires_grad = 1  # type: ignore[assignment]
    with pytest.raises(TypeError, match="name"):
        cell.bias.name = 3  # type: ignore[assignment]


def test_clone(device: str) -> None:
    p = ms.Parameter(np.array([1.0, 2.0], np.float32), name="w", requires_grad=False)
    c = p.clone()
    assert c is not p
    assert c.name == "w"
    assert c.requires_grad is False
    assert c.dtype == p.dtype
    c.set_data(ms.Tensor([7.0, 8.0]))
    assert p.tolist() == [1.0, 2.0]
    zeros = p.clone(init="zeros")
    assert zeros.tolist() == [0.0, 0.0]
    assert zeros.shape == (2,)


def test_parameter_tuple_clone(device: str) -> None:
    net = Net()
    params = ms.ParameterTuple(net.trainable_params())
    names = [p.name for p in params]
    moments = params.clone(prefix="moments", init="zeros")
    assert isinstance(moments, ms.ParameterTuple)
    assert [m.name for m in moments] == [f"moments.{n}" for n in names]
    for m, p in zip(moments, params):
        assert m.shape == p.shape
        assert m.dtype == p.dtype
        assert not m.asnumpy().any()
        assert m is not p
    assert [p.name for p in params] == names, "cloning leaves the originals alone"
    with pytest.raises(ValueError, match="prefix"):
        params.clone(prefix="")
    with pytest.raises(TypeError, match="Parameters"):
        ms.ParameterTuple([ms.Tensor([1.0])])  # type: ignore[list-item]


def test_parameter_is_hashable_by_identity(device: str) -> None:
    a = ms.Parameter(np.zeros(1, np.float32), name="a")
    b = ms.Parameter(np.zeros(1, np.float32), name="a")
    assert len({a, b}) == 2


# Cell traversal --------------------------------------------------------------------------------


def test_parameter_order(device: str) -> None:
    net = Net()
    everything = [
        "block.scale",
        "block.conv1.weight",
        "block.conv1.bias",
        "block.conv2.weight",
        "block.conv2.bias",
        "head.weight",
        "head.bias",
    ]
    assert [n for n, _ in net.parameters_and_names()] == everything
    assert [p.name for p in net.get_parameters()] == everything
    assert [p.name for p in net.trainable_params()] == [n for n in everything if not n.endswith("bias")]
    assert [p.name for p in net.untrainable_params()] == [n for n in everything if n.endswith("bias")]
    assert list(net.parameters_dict()) == everything


def test_non_recursive_traversal(device: str) -> None:
    net = Net()
    assert [p.name for p in net.block.get_parameters(expand=False)] == ["block.scale"]
    assert [p.name for p in net.block.trainable_params(recurse=False)] == ["block.scale"]
    assert net.trainable_params(recurse=False) == []


def test_parameters_and_names_prefix(device: str) -> None:
    names = [n for n, _ in Leaf().parameters_and_names(name_prefix="net")]
    assert names == ["net.weight", "net.bias"]


def test_cells_and_names(device: str) -> None:
    net = Net()
    assert [n for n, _ in net.cells_and_names()] == ["", "block", "block.conv1", "block.conv2", "head"]
    assert [type(c).__name__ for _, c in net.cells_and_names()] == ["Net", "Block", "Leaf", "Leaf", "Leaf"]
    assert list(net.name_cells()) == ["block", "head"]
    assert [type(c).__name__ for c in net.cells()] == ["Block", "Leaf"]


def test_shared_parameters_and_cells_are_listed_once(device: str) -> None:
    leaf = Leaf()

    class Twice(nn.Cell):
        def __init__(self) -> None:
            super().__init__(auto_prefix=False)
            self.a = leaf
            self.b = leaf
            self.alias = leaf.weight

    net = Twice()
    assert [p.name for p in net.get_parameters()] == ["weight", "bias"]
    assert [n for n, _ in net.cells_and_names()] == ["", "a"]


def test_reassignment_and_deletion(device: str) -> None:
    cell = Leaf()
    cell.bias = ms.Tensor([1.0])  # type: ignore[assignment]
    assert [p.name for p in cell.get_parameters()] == ["weight"]
    del cell.weight
    assert list(cell.get_parameters()) == []


def test_super_init_is_required() -> None:
    class Broken(nn.Cell):
        def __init__(self) -> None:
            self.w = ms.Parameter(np.zeros(1, np.float32))

    with pytest.raises(RuntimeError, match=r"super\(\)\.__init__\(\)"):
        Broken()


def test_set_train_recurses(device: str) -> None:
    net = Net()
    assert not any(c.training for _, c in net.cells_and_names())
    assert net.set_train() is net
    assert all(c.training for _, c in net.cells_and_names())
    net.set_train(False)
    assert not any(c.training for _, c in net.cells_and_names())


def test_calling_a_cell_runs_construct(device: str) -> None:
    out = Leaf()(ms.Tensor([1.0, 2.0]))
    assert out.tolist() == [1.0, 2.0]
    with pytest.raises(NotImplementedError, match="construct"):
        nn.Cell()()


# containers ---------------------------------------------------------------------------------------


def test_sequential_cell_naming_and_order(device: str) -> None:
    seq = nn.SequentialCell([Leaf(), Leaf()])
    assert [p.name for p in seq.get_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert len(seq) == 2
    assert isinstance(seq[1], Leaf)
    seq.append(Leaf())
    assert seq[2].trainable_params()[0].name == "2.weight"
    assert seq(ms.Tensor([3.0, 4.0])).tolist() == [3.0, 4.0]


def test_sequential_cell_forms(device: str) -> None:
    from collections import OrderedDict

    by_args = nn.SequentialCell(Leaf(), Leaf())
    assert list(by_args.name_cells()) == ["0", "1"]
    named = nn.SequentialCell(OrderedDict([("first", Leaf()), ("second", Leaf())]))
    assert [p.name for p in named.trainable_params()] == ["first.weight", "second.weight"]


def test_nested_containers_prefix(device: str) -> None:
    class Model(nn.Cell):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.SequentialCell([Leaf(), Leaf()])
            self.layers = nn.CellList([Leaf(), Leaf()])

    names = [p.name for p in Model().trainable_params()]
    assert names == ["features.0.weight", "features.1.weight", "layers.0.weight", "layers.1.weight"]


def test_cell_list(device: str) -> None:
    cells = nn.CellList([Leaf(), Leaf()])
    assert [p.name for p in cells.get_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    cells.append(Leaf())
    cells.extend([Leaf()])
    assert len(cells) == 4
    assert [p.name for p in cells.trainable_params()][-1] == "3.weight"
    assert all(isinstance(c, Leaf) for c in cells)
    assert isinstance(cells[0], Leaf)
