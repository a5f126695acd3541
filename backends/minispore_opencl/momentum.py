"""The fused ``nn.Momentum`` update: one kernel launch per call without centralization.

With centralized segments the update takes two or three launches: weight decay over
``[0, decay_count)`` (when there is any), the row means subtracted in every segment
(one launch for all segments), then the update itself without decay. Every path rounds
as the NumPy backend does and matches it bit for bit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minispore.backend.protocol import Array, MomentumStep
from minispore_opencl.elementwise import run_map
from minispore_opencl.kernels.momentum import centralize_source, decay_spec, momentum_source
from minispore_opencl.layout import Layout, layout_of
from minispore_opencl.scalar_types import ScalarType, scalar_type

if TYPE_CHECKING:
    from minispore_opencl.runtime import Runtime


def _check(param: Array, moment: Array, grad: Array, step: MomentumStep) -> list[Layout]:
    """The layouts of the three buffers; raises if they differ or do not fit the step."""
    layouts = [layout_of(x) for x in (param, moment, grad)]
    for name, x, lay in zip(("param", "moment", "grad"), (param, moment, grad), layouts):
        if len(lay.shape) != 1 or not lay.is_contiguous or x.dtype != param.dtype or lay.shape != (param.shape[0],):
            raise ValueError(
                f"For 'fused_momentum', '{name}' must be 1-D contiguous with the shape and dtype of 'param' "
                f"({tuple(param.shape)}, {param.dtype}), but got {lay.shape} {x.dtype}."
            )
    if param.dtype.kind != "f":
        raise TypeError(f"For 'fused_momentum', buffers must have a float dtype, but got {param.dtype}.")
    n = int(param.shape[0])
    if not 0 <= step.decay_count <= n:
        raise ValueError(f"For 'fused_momentum', 'decay_count' must be in [0, {n}], but got {step.decay_count}.")
    for seg in step.centralized:
        if seg.offset < 0 or seg.offset + seg.rows * seg.cols > n:
            raise ValueError(f"For 'fused_momentum', centralized segment {seg} does not fit in {n} elements.")
    return layouts


def _centralize(rt: Runtime, t: ScalarType, param: Array, grad: Array, step: MomentumStep) -> None:
    """Decay the gradient where it applies, then subtract each segment row's mean."""
    if step.decay_count:
        head = Layout(layout_of(grad).offset, (step.decay_count,), (1,))
        decayed = rt.view(grad, head)
        params = rt.view(param, Layout(layout_of(param).offset, (step.decay_count,), (1,)))
        run_map(rt, decay_spec(t), decayed, [decayed, params], [t.scalar(step.weight_decay)])
    table: list[int] = []
    rows = 0
    for seg in step.centralized:
        if seg.rows * seg.cols:
            table += [rows, seg.offset, seg.cols]
            rows += seg.rows
    if rows:
        segments = rt.table(tuple(table))
        count, offset = np.int64(len(table) // 3), np.int64(layout_of(grad).offset)
        rt.launch_items(centralize_source(t), "centralize", (rows,), grad.base_data, segments.base_data, count, offset)


def _grad_scale(step: MomentumStep) -> float:
    """The loss-scale factor (1 when there is none; the kernel then skips the multiply)."""
    return 1.0 if step.grad_scale is None else step.grad_scale


def fused_momentum(rt: Runtime, param: Array, moment: Array, grad: Array, step: MomentumStep) -> None:
    """Apply :class:`~minispore.backend.protocol.MomentumStep` in place (``grad`` may be clobbered).

    Raises:
        ValueError: the buffers differ in shape or layout, or the step does not fit them.
        TypeError: the buffers are not of a float dtype.
    """
    layouts = _check(param, moment, grad, step)
    n = layouts[0].size
    if n == 0:
        return
    t = scalar_type(param.dtype)
    centralized = any(seg.rows * seg.cols for seg in step.centralized)
    if centralized:
        _centralize(rt, t, param, grad, step)
    source = momentum_source(t, step.decay_count > 0 and not centralized, step.grad_scale is not None, step.nesterov)
    scalars = [t.scalar(v) for v in (step.lr, step.momentum, step.weight_decay, _grad_scale(step))]
    offsets = [np.int64(lay.offset) for lay in layouts]
    buffers = (param.base_data, moment.base_data, grad.base_data)
    rt.launch_items(source, "momentum", (n,), *buffers, *scalars, np.int64(step.decay_count), *offsets)
