"""The backend protocol: what a device must provide for minispore to run on it.

A backend is a table of primitives plus data transfer (the tinygrad split). Autograd,
layers and optimizers are written once, on these primitives; a backend never sees a
gradient graph. Arrays are the backend's own objects (``numpy.ndarray``,
``cupy.ndarray``, ``pyopencl.array.Array``); minispore only reads their ``shape`` and
``dtype`` and hands them back to the backend that made them.

Conventions every backend follows:

* Results are arrays the caller must treat as read-only: they may share memory with an
  input (NumPy's ``reshape`` and ``broadcast_to`` return views). Callers write only
  through :meth:`Backend.setitem`, :meth:`Backend.copy_into` and
  :meth:`FusedUpdate.fused_update`, and only into arrays they made with
  :meth:`Backend.full` or :meth:`Backend.view`.
* Elementwise and ``where`` broadcast with NumPy's rules. Binary operands arrive with one
  dtype (minispore promotes first); comparisons return ``bool``.
* ``dtype`` arguments are :class:`numpy.dtype` objects.
* Indexing keys are *normalized*: one entry per dimension, each an ``int`` (already
  non-negative) or a ``slice`` whose ``start``, ``stop`` and ``step`` are ints with
  ``step > 0`` and ``0 <= start <= stop <= dim``.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeAlias, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from minispore.nn.optim.rules import Program, UpdateRule

Shape: TypeAlias = tuple[int, ...]
IndexKey: TypeAlias = tuple["int | slice", ...]
Array: TypeAlias = Any
"""A backend's device array. It has ``.shape`` (a tuple of ints) and ``.dtype``."""


class UnaryOp(enum.Enum):
    """Elementwise functions of one operand; the result has the operand's dtype."""

    NEG = "neg"
    EXP = "exp"
    LOG = "log"
    SQRT = "sqrt"
    ABS = "abs"
    SIGN = "sign"
    SIN = "sin"
    COS = "cos"
    TANH = "tanh"
    SIGMOID = "sigmoid"
    FLOOR = "floor"
    CEIL = "ceil"


class BinaryOp(enum.Enum):
    """Elementwise functions of two operands, broadcast with NumPy's rules."""

    ADD = "add"
    SUB = "sub"
    MUL = "mul"
    DIV = "div"
    POW = "pow"
    MAXIMUM = "maximum"
    MINIMUM = "minimum"
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    LOGICAL_AND = "logical_and"
    LOGICAL_OR = "logical_or"

    @property
    def is_comparison(self) -> bool:
        """True for the ops whose result dtype is ``bool``."""
        return self in _COMPARISONS


_COMPARISONS = frozenset(
    {
        BinaryOp.EQ,
        BinaryOp.NE,
        BinaryOp.LT,
        BinaryOp.LE,
        BinaryOp.GT,
        BinaryOp.GE,
        BinaryOp.LOGICAL_AND,
        BinaryOp.LOGICAL_OR,
    }
)


class ReduceOp(enum.Enum):
    """Reductions along a set of axes."""

    SUM = "sum"
    MAX = "max"
    MIN = "min"


class ArgReduceOp(enum.Enum):
    """Index-of reductions along one axis (first occurrence wins, as in NumPy)."""

    ARGMAX = "argmax"
    ARGMIN = "argmin"


@dataclass(frozen=True)
class Window2d:
    """A 2-D sliding window over an NCHW array, shared by convolution and pooling.

    ``padding`` is ``(top, bottom, left, right)``; asymmetric padding is how MindSpore's
    ``pad_mode='same'`` is expressed. The output spatial size is
    ``(H + top + bottom - dilation_h*(kh-1) - 1) // stride_h + 1`` (and likewise for W).
    """

    kernel: tuple[int, int]
    stride: tuple[int, int] = (1, 1)
    dilation: tuple[int, int] = (1, 1)
    padding: tuple[int, int, int, int] = (0, 0, 0, 0)

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        """Spatial size ``(OH, OW)`` of the output for an input of ``height x width``."""
        top, bottom, left, right = self.padding
        oh = (height + top + bottom - self.dilation[0] * (self.kernel[0] - 1) - 1) // self.stride[0] + 1
        ow = (width + left + right - self.dilation[1] * (self.kernel[1] - 1) - 1) // self.stride[1] + 1
        return oh, ow


@dataclass(frozen=True)
class UpdateStep:
    """One fused optimizer update over flat buffers: the rule variant and its host scalars.

    Per element ``i`` of the flat buffers, the backend runs ``rule``'s program with
    ``options`` (plus ``decay`` for ``i < decay_count``): every value is loaded as float32,
    every operation rounds to float32 in the traced order (no fused multiply-add), and
    the stored values are rounded to the buffers' dtype. ``scalars`` follow
    ``rule.all_scalars``; the backend rounds each to float32 once. The optimizer has folded
    MindSpore's conventions in (``weight_decay`` is ``float32(wd * loss_scale)``,
    ``grad_scale`` is ``float32(1 / loss_scale)``), so the backend only computes.
    """

    rule: UpdateRule
    options: frozenset[str]
    decay_count: int
    scalars: tuple[float, ...]

    def program(self, decay: bool) -> Program:
        """The traced variant for the elements with (``decay``) or without weight decay."""
        return self.rule.program(self.options | {"decay"} if decay else self.options)


@runtime_checkable
class FusedUpdate(Protocol):
    """The optional fast path of a backend: a whole parameter group's update in one pass.

    A backend without it gets :func:`minispore.nn.optim.fused.default_fused_update`,
    built on its primitives, which gives the same bits more slowly.
    """

    def fused_update(self, step: UpdateStep, param: Array, states: Sequence[Array], grads: Sequence[Array]) -> None:
        """In place: ``step`` over ``param`` and its ``states``.

        ``param`` and every state are 1-D contiguous buffers of one float dtype and
        length (arrays made with :meth:`Backend.full`). ``grads`` are the gradients of the
        group's tensors in buffer order (any shapes, the buffers' dtype, sizes adding up to
        the buffers' length); they are read, never written.
        """
        ...


@dataclass(frozen=True)
class Availability:
    """Whether a backend can run on this machine, and if not, why and how to fix it.

    Attributes:
        available: True when the backend can open its device here.
        reason: why it cannot, as a clause without a final period, e.g.
            ``"CuPy is not installed"``. An available backend may give a note here instead,
            on how it runs (the NumPy backend says whether its compiled kernels are in use).
        fix: what the user should do about ``reason``, e.g. ``"pip install 'minispore[cuda]'"``;
            when empty the registry offers the backend's ``install_hint``.
        devices: names of the devices the probe found, in index order; ``python -m
            minispore.backend`` prints them.

    Example:
        >>> from minispore.backend import Availability
        >>> Availability(False, "metal_runtime is not installed", "pip install minispore-metal").available
        False
    """

    available: bool
    reason: str = ""
    fix: str = ""
    devices: tuple[str, ...] = ()


@runtime_checkable
class Backend(Protocol):
    """The primitives a device provides. See the module docstring for the conventions."""

    device_target: ClassVar[str]
    """MindSpore-style device name: ``"CPU"``, ``"GPU"``, ``"OpenCL"``, …"""
    install_hint: ClassVar[str]
    """What to install to make this backend available, e.g. ``pip install minispore[opencl]``."""

    def __init__(self, device_index: int = 0) -> None:
        """Open device ``device_index`` of this kind; called only when available."""
        ...

    @classmethod
    def availability(cls) -> Availability:
        """Probe the machine without side effects; never raises."""
        ...

    @property
    def device_index(self) -> int:
        """Which device of this kind the instance drives (``"OpenCL:1"`` gives 1)."""
        ...

    def supports_dtype(self, dtype: np.dtype[Any]) -> bool:
        """Whether arrays of ``dtype`` can live on this device (e.g. float64 on OpenCL)."""
        ...

    # transfer -------------------------------------------------------------------
    def from_numpy(self, array: np.ndarray[Any, Any]) -> Array:
        """Copy a host array to the device (the result is contiguous and owned)."""
        ...

    def to_numpy(self, x: Array) -> np.ndarray[Any, Any]:
        """Copy a device array to a new host array."""
        ...

    def synchronize(self) -> None:
        """Wait for queued work to finish (for timing)."""
        ...

    # creation and memory ----------------------------------------------------------
    def full(self, shape: Shape, value: float | int | bool, dtype: np.dtype[Any]) -> Array:
        """A new contiguous array filled with ``value``."""
        ...

    def view(self, buffer: Array, offset: int, shape: Shape) -> Array:
        """A view of ``prod(shape)`` elements of the 1-D contiguous ``buffer`` from ``offset``.

        Writes through the view (``copy_into``, ``setitem``) change the buffer and
        vice versa.
        """
        ...

    def copy_into(self, dst: Array, src: Array) -> None:
        """In place: ``dst[...] = src`` with ``src`` broadcast to ``dst.shape`` and cast."""
        ...

    def setitem(self, x: Array, key: IndexKey, value: Array) -> None:
        """In place: ``x[key] = value``, ``value`` broadcast to the indexed shape."""
        ...

    # elementwise --------------------------------------------------------------------
    def unary(self, op: UnaryOp, x: Array) -> Array:
        """Apply the elementwise function ``op`` (see :class:`UnaryOp`); same shape and dtype."""
        ...

    def binary(self, op: BinaryOp, x: Array, y: Array) -> Array:
        """Apply ``op`` to two operands of one dtype, broadcast with NumPy's rules (comparisons give ``bool``)."""
        ...

    def where(self, condition: Array, x: Array, y: Array) -> Array:
        """``x`` where the ``bool`` array ``condition`` holds, else ``y``, broadcast with NumPy's rules."""
        ...

    def cast(self, x: Array, dtype: np.dtype[Any]) -> Array:
        """Convert to ``dtype`` (float to int truncates toward zero, as NumPy)."""
        ...

    # reductions ---------------------------------------------------------------------
    def reduce(self, op: ReduceOp, x: Array, axes: tuple[int, ...], keepdims: bool) -> Array:
        """Reduce over ``axes`` (non-negative, sorted, possibly empty: then a copy)."""
        ...

    def arg_reduce(self, op: ArgReduceOp, x: Array, axis: int, keepdims: bool) -> Array:
        """Index of the max/min along ``axis``, as int32."""
        ...

    # movement -----------------------------------------------------------------------
    def reshape(self, x: Array, shape: Shape) -> Array:
        """The elements of ``x`` in row-major order, in ``shape`` (same element count); may be a view."""
        ...

    def transpose(self, x: Array, perm: tuple[int, ...]) -> Array:
        """Permute the axes: axis ``i`` of the result is axis ``perm[i]`` of ``x``."""
        ...

    def broadcast_to(self, x: Array, shape: Shape) -> Array:
        """Broadcast ``x`` to ``shape`` with NumPy's rules; may be a read-only view."""
        ...

    def index(self, x: Array, key: IndexKey) -> Array:
        """Basic indexing with a normalized key (ints drop their axis)."""
        ...

    def concat(self, xs: Sequence[Array], axis: int) -> Array:
        """Join arrays of one dtype along the existing axis ``axis``."""
        ...

    def take(self, x: Array, indices: Array, axis: int) -> Array:
        """Gather ``x`` along ``axis`` with an int32/int64 ``indices`` array (in range)."""
        ...

    def scatter_add(self, shape: Shape, indices: Array, values: Array, axis: int) -> Array:
        """The adjoint of :meth:`take`: zeros of ``shape`` with ``values`` summed in."""
        ...

    # linear algebra and windows -----------------------------------------------------
    def matmul(self, a: Array, b: Array) -> Array:
        """``a @ b`` for 2-D operands or 3-D operands with equal batch size."""
        ...

    def im2col(self, x: Array, window: Window2d, pad_value: float) -> Array:
        """Unfold NCHW ``x`` into ``(N, C*kh*kw, OH*OW)`` columns.

        Row ``c*kh*kw + i*kw + j`` holds input pixel ``(c, oh*sh + i*dh - top,
        ow*sw + j*dw - left)`` for column ``oh*OW + ow``; positions in the padding read
        ``pad_value``.
        """
        ...

    def col2im(self, cols: Array, input_shape: Shape, window: Window2d) -> Array:
        """The adjoint of :meth:`im2col`: sum each column entry back into its pixel."""
        ...

    def max_pool2d(self, x: Array, window: Window2d) -> tuple[Array, Array]:
        """The maximum of each window of NCHW ``x`` and where it sits.

        Returns ``(values, taps)``, both ``(N, C, OH, OW)``: ``taps`` (int32) is the
        first maximal tap ``i*kw + j`` in row-major order, padding reading ``-inf`` and
        a NaN counting as the maximum (NumPy's ``argmax``).
        """
        ...

    def max_pool2d_grad(self, grad: Array, taps: Array, input_shape: Shape, window: Window2d) -> Array:
        """The adjoint of :meth:`max_pool2d`: zeros of ``input_shape`` with each window's
        ``grad`` added at its tap, the taps reaching one pixel added in the order ``i, j``."""
        ...
