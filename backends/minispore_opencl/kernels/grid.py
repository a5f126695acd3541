"""Kernels over padded ranges: one launch for any size, at full speed.

:meth:`~minispore_opencl.runtime.Runtime.launch_items` rounds each dimension of a range up
to whole work-groups and passes the true sizes as the trailing ``items0, items1``
arguments. A kernel returns early for the padding, with a test that first asks whether
its whole work-group lies inside the range, which is the same for every work-item of the
group. Measured on PoCL (25.6M-element momentum update): this ran as fast as the bare
body launched on an exact multiple of the group size, where a plain ``if (i < n)``
around the body ran 2.6x slower, and where running the body twice, unguarded in whole
groups and guarded at the edge, made ``im2col`` 3x slower. A second launch for the
remainder would cost another 45-75 us.
"""

from __future__ import annotations

from collections.abc import Sequence


def guarded_kernel(name: str, params: Sequence[str], body: Sequence[str], ndim: int) -> str:
    """Source of ``__kernel void name(params..., items...)`` running ``body`` inside the range."""
    dims = range(ndim)
    whole = " && ".join(f"(get_group_id({d}) + 1) * get_local_size({d}) <= items{d}" for d in dims)
    inside = " && ".join(f"get_global_id({d}) < items{d}" for d in dims)
    args = ",\n        ".join([*params, *(f"const long items{d}" for d in dims)])
    block = "\n    ".join(body)
    return f"__kernel void {name}(\n        {args}) {{\n    if (!({whole}) && !({inside})) return;\n    {block}\n}}\n"
