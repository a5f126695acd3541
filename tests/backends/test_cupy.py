"""The CuPy backend as far as a machine without a GPU can check it.

On a GPU machine the ``device`` fixture runs the whole suite on ``GPU`` as well; here the
probe reports the backend unavailable and those runs are skipped with the reason.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from minispore_cupy import CupyBackend
from minispore_cupy.kernels import MOMENTUM_VARIANTS, momentum_defines, source
from minispore_numpy import NumpyBackend

import minispore as ms
from minispore.backend import BackendUnavailableError, MomentumStep, available_backends


def test_import_does_not_need_cupy() -> None:
    code = "import sys, minispore_cupy, minispore; assert 'cupy' not in sys.modules, sorted(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_probe_reports_a_reason_instead_of_raising() -> None:
    avail = CupyBackend.availability()
    if avail.available:
        pytest.skip("a CUDA device is present: the GPU runs of the suite cover this backend")
    assert avail.reason and avail.fix
    assert available_backends()["GPU"] == avail
    with pytest.raises(BackendUnavailableError, match=r"^Device 'GPU' is unavailable: .* To fix: ") as caught:
        ms.set_device("GPU")
    assert avail.reason in str(caught.value) and avail.fix in str(caught.value)


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not installed")
def test_kernels_compile_with_nvcc() -> None:
    from minispore_cupy.compile_check import compile_all

    assert compile_all() == []


def _opencl_program(dtype_name: str, variant: tuple[str, bool, bool, bool]) -> str:
    defines = "".join(f"#define {d[2:].replace('=', ' ')}\n" for d in momentum_defines(*variant))
    header = source("momentum_element.h")
    prelude = "#pragma OPENCL FP_CONTRACT OFF\n"
    if dtype_name == "double":
        prelude += "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n"
    return (
        prelude
        + defines
        + "#define MS_QUAL inline\n#define MS_GLOBAL __global\n#define MS_INDEX long\n"
        + header
        + """
__kernel void momentum(__global MS_T* p, __global MS_T* v, __global const MS_T* g, long decay_count,
                       MS_T lr, MS_T u, MS_T wd, MS_T gs) {
    ms_momentum_element(p, v, g, get_global_id(0), decay_count, lr, u, wd, gs);
}
"""
    )


@pytest.mark.parametrize("variant", MOMENTUM_VARIANTS, ids=lambda v: "-".join(map(str, v)))
def test_cuda_element_body_matches_numpy_on_opencl(variant: tuple[str, bool, bool, bool]) -> None:
    """The per-element body the CUDA kernel includes, run through PoCL, equals the NumPy update."""
    cl = pytest.importorskip("pyopencl")
    from minispore_opencl import OpenCLBackend

    if not OpenCLBackend.availability().available:
        pytest.skip(f"OpenCL unavailable: {OpenCLBackend.availability().reason}")
    dtype_name, decay, scale, nesterov = variant
    dtype = np.dtype(np.float32 if dtype_name == "float" else np.float64)
    ctx = cl.create_some_context(interactive=False)
    if dtype_name == "double" and "cl_khr_fp64" not in ctx.devices[0].extensions:
        pytest.skip("the OpenCL device has no float64")
    queue = cl.CommandQueue(ctx)
    rng = np.random.default_rng(7)
    n = 1000
    p, v, g = (rng.standard_normal(n).astype(dtype) for _ in range(3))
    step = MomentumStep(
        lr=float(np.float32(0.05)),
        momentum=float(np.float32(0.9)),
        weight_decay=float(np.float32(0.01)) if decay else 0.0,
        decay_count=400 if decay else 0,
        grad_scale=float(np.float32(1 / 8)) if scale else None,
        nesterov=nesterov,
    )
    want_p, want_v, want_g = p.copy(), v.copy(), g.copy()
    NumpyBackend().fused_momentum(want_p, want_v, [want_g], step)
    mf = cl.mem_flags
    bufs: list[Any] = [cl.Buffer(ctx, mf.READ_WRITE | mf.COPY_HOST_PTR, hostbuf=a) for a in (p, v, g)]
    program = cl.Program(ctx, _opencl_program(dtype_name, variant)).build()
    t = dtype.type
    program.momentum(
        queue,
        (n,),
        None,
        *bufs,
        np.int64(step.decay_count),
        t(step.lr),
        t(step.momentum),
        t(step.weight_decay),
        t(step.grad_scale or 1.0),
    )
    got_p, got_v = np.empty_like(p), np.empty_like(v)
    cl.enqueue_copy(queue, got_p, bufs[0])
    cl.enqueue_copy(queue, got_v, bufs[1])
    queue.finish()
    np.testing.assert_array_equal(got_v, want_v)
    np.testing.assert_array_equal(got_p, want_p)
