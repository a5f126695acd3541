"""``ms.value_and_grad`` and ``ms.grad``: MindSpore's return structures (spec §9)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import minispore as ms
from minispore import nn


def f(x: ms.Tensor, y: ms.Tensor) -> ms.Tensor:
    """``sum(x * y**2)``: d/dx = y**2, d/dy = 2xy."""
    return (x * y * y).sum()


X = np.array([1.0, 2.0], np.float32)
Y = np.array([3.0, -1.0], np.float32)
DX = Y**2
DY = 2 * X * Y


def inputs() -> tuple[ms.Tensor, ms.Tensor]:
    return ms.Tensor(X), ms.Tensor(Y)


def assert_tensor(actual: Any, expected: Any) -> None:
    assert isinstance(actual, ms.Tensor)
    np.testing.assert_allclose(actual.asnumpy(), expected, rtol=1e-6)


class Affine(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.w = ms.Parameter(np.array([2.0, 3.0], np.float32))
        self.b = ms.Parameter(np.array([0.5], np.float32))
        self.frozen = ms.Parameter(np.array([4.0], np.float32), requires_grad=False)

    def construct(self, x: ms.Tensor) -> ms.Tensor:
        return ((x * self.w).sum() + self.b * self.frozen).sum()


# grad_position -----------------------------------------------------------------------------------


def test_int_position_gives_one_tensor(device: str) -> None:
    value, grad = ms.value_and_grad(f)(*inputs())
    assert_tensor(value, (X * Y * Y).sum())
    assert_tensor(grad, DX)
    _, grad = ms.value_and_grad(f, grad_position=1)(*inputs())
    assert_tensor(grad, DY)
    assert grad.dtype == ms.float32


def test_tuple_position_gives_a_tuple(device: str) -> None:
    _, grads = ms.value_and_grad(f, grad_position=(0, 1))(*inputs())
    assert isinstance(grads, tuple)
    assert len(grads) == 2
    assert_tensor(grads[0], DX)
    assert_tensor(grads[1], DY)
    _, grads = ms.value_and_grad(f, grad_position=(1,))(*inputs())
    assert isinstance(grads, tuple)
    assert len(grads) == 1
    assert_tensor(grads[0], DY)
    _, grads = ms.value_and_grad(f, grad_position=(1, 0))(*inputs())
    assert_tensor(grads[0], DY)
    assert_tensor(grads[1], DX)


def test_keyword_arguments_pass_through(device: str) -> None:
    def scaled(x: ms.Tensor, scale: float = 1.0) -> ms.Tensor:
        return (x * scale).sum()

    _, grad = ms.value_and_grad(scaled)(ms.Tensor(X), scale=3.0)
    assert_tensor(grad, [3.0, 3.0])


@pytest.mark.parametrize("position", [2, -1, (0, 5)])
def test_position_out_of_range(device: str, position: Any) -> None:
    with pytest.raises(ValueError, match="out of range"):
        ms.value_and_grad(f, grad_position=position)(*inputs())


@pytest.mark.parametrize("position", [1.0, True, "0", (0, None)])
def test_position_must_be_ints(device: str, position: Any) -> None:
    with pytest.raises(TypeError, match="grad_position"):
        ms.value_and_grad(f, grad_position=position)(*inputs())


def test_position_must_select_a_tensor(device: str) -> None:
    with pytest.raises(TypeError, match="must be a Tensor"):
        ms.value_and_grad(lambda x, k: (x * k).sum(), grad_position=1)(ms.Tensor(X), 2.0)


def test_unused_inputs_get_zeros(device: str) -> None:
    ints = ms.Tensor(np.array([[1, 2]], np.int32))
    _, grads = ms.value_and_grad(lambda x, y, z: (x * 2.0).sum(), grad_position=(0, 1, 2))(*inputs(), ints)
    assert_tensor(grads[0], [2.0, 2.0])
    assert_tensor(grads[1], [0.0, 0.0])
    assert grads[1].dtype == ms.float32
    assert grads[2].shape == (1, 2)
    assert grads[2].dtype == ms.int32
    assert not grads[2].asnumpy().any()


def test_both_none_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="cannot both be None"):
        ms.value_and_grad(f, grad_position=None, weights=None)
    with pytest.raises(ValueError, match="cannot both be None"):
        ms.grad(f, grad_position=None)


# weights -------------------------------------------------------------------------------------------


def test_weights_only(device: str) -> None:
    net = Affine()
    x = ms.Tensor(X)
    value, grads = ms.value_and_grad(net, grad_position=None, weights=net.trainable_params())(x)
    assert_tensor(value, (X * [2.0, 3.0]).sum() + 0.5 * 4.0)
    assert isinstance(grads, tuple)
    assert len(grads) == 2
    assert_tensor(grads[0], X)
    assert_tensor(grads[1], [4.0])


@pytest.mark.parametrize("form", ["list", "ParameterTuple", "tuple", "generator"])
def test_weight_containers(device: str, form: str) -> None:
    net = Affine()
    params = [net.w, net.b]
    weights: Any = {
        "list": params,
        "ParameterTuple": ms.ParameterTuple(params),
        "tuple": tuple(params),
        "generator": (p for p in params),
    }[form]
    grad_fn = ms.value_and_grad(net, None, weights)
    for _ in range(2):  # the weights are read once, so a generator serves every call
        _, grads = grad_fn(ms.Tensor(X))
        assert isinstance(grads, tuple)
        assert len(grads) == 2
        assert_tensor(grads[0], X)


def test_single_parameter_gives_one_tensor(device: str) -> None:
    net = Affine()
    _, grad = ms.value_and_grad(net, None, net.w)(ms.Tensor(X))
    assert_tensor(grad, X)


def test_inputs_and_weights(device: str) -> None:
    net = Affine()
    _, (input_grad, weight_grads) = ms.value_and_grad(net, 0, net.trainable_params())(ms.Tensor(X))
    assert_tensor(input_grad, [2.0, 3.0])
    assert isinstance(weight_grads, tuple)
    assert_tensor(weight_grads[0], X)
    assert_tensor(weight_grads[1], [4.0])
    _, (input_grads, weight_grad) = ms.value_and_grad(net, (0,), net.w)(ms.Tensor(X))
    assert isinstance(input_grads, tuple)
    assert_tensor(input_grads[0], [2.0, 3.0])
    assert_tensor(weight_grad, X)


def test_frozen_weight_gets_zeros(device: str) -> None:
    net = Affine()
    _, grads = ms.value_and_grad(net, None, [net.w, net.frozen, net.b])(ms.Tensor(X))
    assert_tensor(grads[0], X)
    assert_tensor(grads[1], [0.0])
    assert grads[1].dtype == ms.float32
    assert_tensor(grads[2], [4.0])


def test_weight_frozen_after_wrapping_gets_zeros(device: str) -> None:
    net = Affine()
    grad_fn = ms.value_and_grad(net, None, [net.w, net.b])
    net.b.requires_grad = False
    _, grads = grad_fn(ms.Tensor(X))
    assert_tensor(grads[0], X)
    assert_tensor(grads[1], [0.0])


def test_unused_weight_gets_zeros(device: str) -> None:
    spare = ms.Parameter(np.ones((2, 2), np.float32), name="spare")
    _, grads = ms.value_and_grad(f, None, [spare])(*inputs())
    assert grads[0].shape == (2, 2)
    assert not grads[0].asnumpy().any()


def test_weights_must_be_parameters(device: str) -> None:
    with pytest.raises(TypeError, match="Parameters"):
        ms.value_and_grad(f, None, [ms.Tensor(X)])


def test_parameters_are_updated_between_calls(device: str) -> None:
    net = Affine()
    grad_fn = ms.value_and_grad(net, 0)
    _, before = grad_fn(ms.Tensor(X))
    net.w.set_data(ms.Tensor([5.0, 7.0]))
    _, after = grad_fn(ms.Tensor(X))
    assert_tensor(before, [2.0, 3.0])
    assert_tensor(after, [5.0, 7.0])


# outputs -----------------------------------------------------------------------------------------


def test_has_aux_differentiates_only_the_first_output(device: str) -> None:
    def fn(x: ms.Tensor, y: ms.Tensor) -> tuple[ms.Tensor, ms.Tensor, ms.Tensor]:
        return f(x, y), x * 100.0, (y * 5.0).sum()

    value, grads = ms.value_and_grad(fn, (0, 1), has_aux=True)(*inputs())
    assert isinstance(value, tuple)
    assert len(value) == 3
    assert_tensor(value[0], (X * Y * Y).sum())
    assert_tensor(value[1], X * 100.0)
    assert_tensor(value[2], (Y * 5.0).sum())
    assert_tensor(grads[0], DX)
    assert_tensor(grads[1], DY)


@pytest.mark.parametrize("result", ["tensor", "one-tuple"])
def test_has_aux_needs_two_outputs(device: str, result: str) -> None:
    def fn(x: ms.Tensor) -> Any:
        loss = x.sum()
        return loss if result == "tensor" else (loss,)

    with pytest.raises(ValueError, match="more than one output"):
        ms.value_and_grad(fn, has_aux=True)(ms.Tensor(X))


def test_multiple_outputs_are_summed(device: str) -> None:
    def fn(x: ms.Tensor, y: ms.Tensor) -> tuple[ms.Tensor, ms.Tensor]:
        return f(x, y), x * 3.0

    value, grad = ms.value_and_grad(fn)(*inputs())
    assert isinstance(value, tuple)
    assert_tensor(value[1], X * 3.0)
    assert_tensor(grad, DX + 3.0)

    def listed(x: ms.Tensor) -> list[ms.Tensor]:
        return [x * 2.0, (x * x).sum()]

    value, grad = ms.value_and_grad(listed)(ms.Tensor(X))
    assert isinstance(value, list)
    assert_tensor(grad, 2.0 + 2 * X)


def test_non_tensor_output_is_a_type_error(device: str) -> None:
    with pytest.raises(TypeError, match="must return Tensors"):
        ms.value_and_grad(lambda x: 1.0)(ms.Tensor(X))


def test_non_scalar_output_uses_a_sensitivity_of_ones(device: str) -> None:
    _, grad = ms.value_and_grad(lambda x: x * x)(ms.Tensor(X))
    assert_tensor(grad, 2 * X)


def test_sens_param_scales_the_gradient(device: str) -> None:
    value, grad = ms.value_and_grad(f, 0, sens_param=True)(*inputs(), ms.Tensor(np.float32(4.0)))
    assert_tensor(value, (X * Y * Y).sum())
    assert_tensor(grad, 4.0 * DX)
    _, grad = ms.value_and_grad(lambda x: x * 2.0, 0, sens_param=True)(ms.Tensor(X), ms.Tensor([1.0, -1.0]))
    assert_tensor(grad, [2.0, -2.0])


def test_calls_are_independent(device: str) -> None:
    grad_fn = ms.value_and_grad(f, (0, 1))
    first = grad_fn(*inputs())
    second = grad_fn(*inputs())
    for a, b in zip(first[1], second[1]):
        np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())


def test_an_error_inside_fn_leaves_no_tape_behind(device: str) -> None:
    def broken(x: ms.Tensor) -> ms.Tensor:
        raise RuntimeError("boom")

    x = ms.Tensor(X)
    with pytest.raises(RuntimeError, match="boom"):
        ms.value_and_grad(broken)(x)
    assert (x * 2.0)._node is None


# return_ids ---------------------------------------------------------------------------------------


def test_return_ids(device: str) -> None:
    net = Affine()
    x = ms.Tensor(X)
    _, grad = ms.value_and_grad(net, 0, return_ids=True)(x)
    assert grad[0] == 0
    assert_tensor(grad[1], [2.0, 3.0])

    _, grads = ms.value_and_grad(f, (0, 1), return_ids=True)(*inputs())
    assert [i for i, _ in grads] == [0, 1]
    assert_tensor(grads[1][1], DY)

    _, grads = ms.value_and_grad(net, None, net.trainable_params(), return_ids=True)(x)
    assert [name for name, _ in grads] == ["w", "b"]
    assert_tensor(grads[0][1], X)

    _, (input_grads, weight_grads) = ms.value_and_grad(net, (0,), [net.b], return_ids=True)(x)
    assert input_grads[0][0] == 0
    assert weight_grads[0][0] == "b"
    assert_tensor(weight_grads[0][1], [4.0])


# ms.grad -------------------------------------------------------------------------------------------


def test_grad_returns_only_gradients(device: str) -> None:
    assert_tensor(ms.grad(f)(*inputs()), DX)
    grads = ms.grad(f, (0, 1))(*inputs())
    assert isinstance(grads, tuple)
    assert_tensor(grads[1], DY)
    net = Affine()
    weight_grads = ms.grad(net, None, net.trainable_params())(ms.Tensor(X))
    assert_tensor(weight_grads[1], [4.0])
    input_grad, weight_grad = ms.grad(net, 0, net.w)(ms.Tensor(X))
    assert_tensor(input_grad, [2.0, 3.0])
    assert_tensor(weight_grad, X)


def test_grad_with_aux_returns_the_aux_outputs_as_a_tuple(device: str) -> None:
    def fn(x: ms.Tensor, y: ms.Tensor) -> tuple[ms.Tensor, ms.Tensor]:
        return f(x, y), x + y

    grad, aux = ms.grad(fn, 0, has_aux=True)(*inputs())
    assert_tensor(grad, DX)
    assert isinstance(aux, tuple)
    assert len(aux) == 1
    assert_tensor(aux[0], X + Y)
    assert aux[0]._node is None

    def two(x: ms.Tensor, y: ms.Tensor) -> tuple[ms.Tensor, ms.Tensor, ms.Tensor]:
        return f(x, y), x, y

    grads, aux = ms.grad(two, (0, 1), has_aux=True)(*inputs())
    assert_tensor(grads[1], DY)
    assert len(aux) == 2


def test_grad_return_ids(device: str) -> None:
    grads = ms.grad(f, (0, 1), return_ids=True)(*inputs())
    assert grads[0][0] == 0
    assert_tensor(grads[0][1], DX)
