"""The fused ``nn.Momentum`` update on CuPy: one CUDA kernel launch per call.

The gradient tensors are first gathered into a scratch buffer (one concatenate), then
float32 and float64 buffers run ``kernels/momentum.cu`` (NVRTC, ``--fmad=false``, one
thread per element, 256 threads per block); float16 buffers, which the kernel does not
cover, run the same steps as CuPy ufuncs. Centralized segments are handled before the
launch: the decay over ``[0, decay_count)`` and the row means, then the kernel without
decay.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

from minispore.backend.protocol import Array, MomentumStep
from minispore_cupy.kernels import momentum_defines, source

THREADS = 256


class FusedMomentum:
    """Compiles kernel variants on first use and launches them."""

    def __init__(self, cupy: ModuleType) -> None:
        self._cp = cupy
        self._kernels: dict[tuple[str, bool, bool, bool], Any] = {}
        self._scratch: dict[tuple[int, str], Array] = {}

    def _gathered(self, grads: Sequence[Array], like: Array) -> Array:
        """The gradients laid end to end in a scratch buffer of ``like``'s size and dtype."""
        key = (int(like.shape[0]), like.dtype.str)
        flat = self._scratch.get(key)
        if flat is None:
            flat = self._scratch[key] = self._cp.empty_like(like)
        self._cp.concatenate([g.reshape(-1) for g in grads], out=flat)
        return flat

    def _kernel(self, dtype_name: str, decay: bool, scale: bool, nesterov: bool) -> Any:
        key = (dtype_name, decay, scale, nesterov)
        kernel = self._kernels.get(key)
        if kernel is None:
            code = source("momentum.cu").replace('#include "momentum_element.h"', source("momentum_element.h"))
            options = (*momentum_defines(*key), "--fmad=false", "--std=c++17")
            kernel = self._cp.RawModule(code=code, options=options).get_function("momentum")
            self._kernels[key] = kernel
        return kernel

    def __call__(self, param: Array, moment: Array, grads: Sequence[Array], step: MomentumStep) -> None:
        cp = self._cp
        grad = self._gathered(grads, param)
        n = int(param.shape[0])
        decay_count = step.decay_count
        if step.centralized:
            if decay_count:
                grad[:decay_count] += param[:decay_count] * param.dtype.type(step.weight_decay)
            for seg in step.centralized:
                rows = grad[seg.offset : seg.offset + seg.rows * seg.cols].reshape(seg.rows, seg.cols)
                rows -= rows.mean(axis=1, keepdims=True, dtype=rows.dtype)
            decay_count = 0
        if param.dtype.kind != "f" or param.dtype.itemsize == 2:
            _ufunc_update(cp, param, moment, grad, step, decay_count)
            return
        dtype_name = "float" if param.dtype.itemsize == 4 else "double"
        kernel = self._kernel(dtype_name, decay_count > 0, step.grad_scale is not None, step.nesterov)
        t = param.dtype.type
        args = (
            param,
            moment,
            grad,
            cp.int64(n),
            cp.int64(decay_count),
            t(step.lr),
            t(step.momentum),
            t(step.weight_decay),
            t(step.grad_scale or 1.0),
        )
        kernel(((n + THREADS - 1) // THREADS,), (THREADS,), args)


def _ufunc_update(cp: ModuleType, p: Array, v: Array, g: Array, step: MomentumStep, decay_count: int) -> None:
    """The same steps as CuPy ufuncs, for dtypes the kernel does not cover (float16)."""
    t = p.dtype.type
    if decay_count:
        g[:decay_count] = p[:decay_count] * t(step.weight_decay) + g[:decay_count]
    if step.grad_scale is not None:
        cp.multiply(g, t(step.grad_scale), out=g)
    cp.multiply(v, t(step.momentum), out=v)
    cp.add(v, g, out=v)
    if step.nesterov:
        p -= g * t(step.lr) + (v * t(step.momentum)) * t(step.lr)
    else:
        p -= v * t(step.lr)
