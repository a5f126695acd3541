"""``WithLossCell``, ``WithEvalCell`` and ``TrainOneStepCell`` (MindSpore's training wrappers)."""

from __future__ import annotations

from typing import Any

from minispore.common import dtype as mstype
from minispore.common.tensor import Tensor
from minispore.grad import value_and_grad
from minispore.nn.cell import Cell
from minispore.nn.optim.optimizer import Optimizer
from minispore.nn.wrap.grad_reducer import DataParallelStep
from minispore.ops.array import cast


def float32_outputs(value: Any) -> Any:
    """``value`` with every floating-point Tensor in it (tuples and lists too) cast to float32.

    MindSpore's ``mixed_precision_cast(float32, value)``: integer labels pass unchanged.
    """
    if isinstance(value, Tensor):
        return cast(value, mstype.float32) if value.dtype.is_floating else value
    if isinstance(value, tuple | list):
        return type(value)(float32_outputs(v) for v in value)
    return value


class WithLossCell(Cell):
    """``loss_fn(backbone(data), label)``.

    Args:
        backbone: the network.
        loss_fn: a loss Cell taking ``(logits, label)``.

    Example:
        >>> import minispore as ms
        >>> from minispore import nn
        >>> net = nn.WithLossCell(nn.Dense(2, 2), nn.MSELoss())
        >>> net(ms.ops.ones((1, 2)), ms.ops.zeros((1, 2))).shape
        ()
    """

    def __init__(self, backbone: Cell, loss_fn: Cell) -> None:
        super().__init__(auto_prefix=False)
        self._backbone = backbone
        self._loss_fn = loss_fn

    @property
    def backbone_network(self) -> Cell:
        """The network whose output goes into the loss function."""
        return self._backbone

    def construct(self, data: Tensor, label: Tensor) -> Tensor:
        out: Tensor = self._loss_fn(self._backbone(data), label)
        return out


class AmpWithLossCell(WithLossCell):
    """``loss_fn(float32(backbone(data)), float32(label))``: the loss cell of a float16 network.

    ``build_train_network`` and ``Model`` use it for ``O2``/``O3``, whose network returns
    float16; float labels are cast too, integer labels pass unchanged.
    """

    def construct(self, data: Tensor, label: Tensor) -> Tensor:
        out: Tensor = self._loss_fn(float32_outputs(self._backbone(data)), float32_outputs(label))
        return out


class WithEvalCell(Cell):
    """Returns ``(loss, outputs, label)`` for evaluation (``loss`` is None without a loss).

    Args:
        network: the network.
        loss_fn: the loss Cell, or None.
        add_cast_fp32: cast the outputs and a float label to float32 first (``Model``
            sets it for ``amp_level`` O2, O3 and auto).
    """

    def __init__(self, network: Cell, loss_fn: Cell | None, add_cast_fp32: bool = False) -> None:
        super().__init__(auto_prefix=False)
        if not isinstance(add_cast_fp32, bool):
            raise TypeError(
                f"For 'WithEvalCell', 'add_cast_fp32' must be a bool, but got {type(add_cast_fp32).__name__}."
            )
        self._network = network
        self._loss_fn = loss_fn
        self.add_cast_fp32 = add_cast_fp32

    def construct(self, data: Tensor, label: Tensor) -> tuple[Tensor | None, Tensor, Tensor]:
        outputs = self._network(data)
        if self.add_cast_fp32:
            outputs, label = float32_outputs(outputs), float32_outputs(label)
        loss = self._loss_fn(outputs, label) if self._loss_fn is not None else None
        return loss, outputs, label


class TrainOneStepCell(Cell):
    """One training step: the loss, its gradients with respect to the optimizer's
    parameters (with sensitivity ``sens``), and one optimizer call.

    Args:
        network: a Cell returning the loss (e.g. :class:`WithLossCell`).
        optimizer: the optimizer; gradients follow ``optimizer.parameters``.
        sens: the initial gradient of the loss (the loss scale); 1.0 when None. The
            gradients reach the optimizer multiplied by it, so the optimizer's
            ``loss_scale`` must match (MindSpore's contract).

    In ``DATA_PARALLEL`` mode (``ms.set_auto_parallel_context``) the gradients are reduced
    across ranks by a :class:`~minispore.nn.DistributedGradReducer` before the optimizer
    sees them (``self.grad_reducer``), as in MindSpore.

    Calling the cell runs one step and returns the loss (not scaled).
    """

    def __init__(self, network: Cell, optimizer: Optimizer, sens: float | None = None) -> None:
        super().__init__(auto_prefix=False)
        self.network = network
        self.optimizer = optimizer
        self.weights = optimizer.parameters
        self.sens = 1.0 if sens is None else float(sens)
        self._grad_fn = value_and_grad(network, None, self.weights, sens_param=True)
        self._parallel = DataParallelStep(network, self.weights)
        self.grad_reducer = self._parallel.reducer

    def construct(self, *inputs: Any) -> Tensor:
        self._parallel.before_step()
        loss, grads = self._grad_fn(*inputs, self.sens)
        self.optimizer(self._parallel.reduce(grads))
        out: Tensor = loss
        return out
