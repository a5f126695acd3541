"""``im2col`` and ``col2im`` over NCHW arrays, and the index math the window kernels share.

The window kernels split flat indices into ``(nc, y, x)`` on every work-item. x86 has no
vector integer division, so a ``/`` by a size read from the arguments is eight scalar
divisions per vector. Where indices fit in ``int``, :func:`divide` multiplies by a magic
number instead (``n / d`` is ``(n * m) >> s`` for every ``0 <= n < 2**31``, with
``m < 2**32``), which vectorises as a 32 x 32 -> 64-bit multiply and a shift; dividing by
a literal was slower still on PoCL, and so was a float reciprocal.

``col2im`` is a gather: each input pixel visits the kernel taps that read it, in the
order ``i`` then ``j``, and sums their column entries from zero, rounding after each add.
That is the order in which the NumPy reference adds the taps, so the result is
deterministic and equal to NumPy's bit for bit. With the taps written out and ``int``
magic division it went from 1.6 ms to 0.68 ms on PoCL (LeNet5's second convolution at
batch 32), where the tap loops with ``long`` ``/`` and ``%`` per tap spent most of the time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from minispore_opencl.kernels.grid import guarded_kernel
from minispore_opencl.scalar_types import ScalarType, preamble

DIVISORS = ("height", "width", "oh", "sh", "sw", "area")
"""The fields that kernels divide by; each has a magic pair ``<name>_m, <name>_s``."""

FIELDS = (
    "offset height width kh kw sh sw dh dw top left oh ow area plane " + " ".join(f"{d}_m {d}_s" for d in DIVISORS)
).split()
"""``window_t``'s fields in order (``area`` is ``H*W``, ``plane`` is ``OH*OW``)."""

STRUCT = f"typedef struct {{ index_t {', '.join(FIELDS)}; }} window_t;\n"
"""Host side: one array of the index type (int32 or int64) in :data:`FIELDS` order.

The fields have the index type so that the math on them stays in it: with ``long``
fields, ``int`` indices were promoted to 64-bit multiplies, which AVX2 lacks
(``max_pool_grad``, LeNet5 at batch 32: 500 us to 410 us)."""


def magic(d: int) -> tuple[int, int]:
    """``(m, s)`` with ``n // d == (n * m) >> s`` for ``0 <= n < 2**31`` and ``m < 2**32``.

    With ``l = ceil(log2 d)``, ``s = 31 + l`` and ``m = ceil(2**s / d)``, the error
    ``m*d - 2**s < d <= 2**l`` times ``n < 2**31`` stays below ``2**s``, so the floor is exact.
    """
    shift = 31 + (d - 1).bit_length()
    return -(-(1 << shift) // d), shift


def divide(index: str, n: str, field: str) -> str:
    """C expression ``n / L.field`` for a non-negative ``n`` of type ``index``."""
    if index == "int":
        return f"(int)(((ulong)(uint)({n}) * (ulong)(uint)L.{field}_m) >> L.{field}_s)"
    return f"(({n}) / L.{field})"


def header(t: ScalarType, index: str) -> str:
    """The start of every window kernel source: the preamble, ``index_t`` and ``window_t``."""
    return preamble(t) + f"typedef {index} index_t;\n" + STRUCT


Geometry = tuple[int, ...]
"""The fields of ``window_t`` after ``offset``, as the host packs them (magic multipliers
above ``2**31`` already wrapped for ``int``)."""


def window_kernel(
    name: str,
    t: ScalarType,
    index: str,
    params: Sequence[str],
    body: Sequence[str],
    ndim: int,
    geometry: Geometry | None,
) -> str:
    """Source of window kernel ``name``: generic (``geometry`` None: ``L`` is the last
    argument before the sizes) or for one window geometry (``L`` is a constant made of
    ``geometry`` and the ``offset`` argument, in that place).

    With the sizes in the source the compiler folds the index arithmetic: LeNet5's conv2
    ``col2im`` at batch 32 ran 0.60 ms alone on PoCL with ``L`` an argument and 0.45 ms
    with the sizes as literals. Each geometry is its own program (built once, then read
    from the program cache); the batch size stays an argument.
    """
    if geometry is None:
        return header(t, index) + guarded_kernel(name, [*params, "const window_t L"], body, ndim)
    values = ", ".join(f"(index_t)({v}L)" for v in geometry)
    first = f"const window_t L = {{ offset, {values} }};"
    return header(t, index) + guarded_kernel(name, [*params, "const index_t offset"], [first, *body], ndim)


def read_tap(t: ScalarType, padded: bool, outside: str) -> str:
    """Statements that set ``v`` to pixel ``(y, xx)`` of the plane at ``image`` in ``x``.

    With ``padded`` a tap outside the image loads from a clamped index and takes
    ``outside`` instead, with no branch; without, every tap lies inside the image and
    loads with no test.
    """
    if not padded:
        return f"const {t.compute} v = {t.load('x', 'image + y * L.width + xx')};"
    return (
        "const int inside = (y >= 0) & (y < L.height) & (xx >= 0) & (xx < L.width);\n"
        f"const {t.compute} read = {t.load('x', 'image + (inside ? y * L.width + xx : 0)')};\n"
        f"const {t.compute} v = inside ? read : {outside};"
    )


def taps(kernel: tuple[int, int]) -> list[tuple[int, int]]:
    """Kernel taps ``(i, j)`` in row-major order."""
    return [(i, j) for i in range(kernel[0]) for j in range(kernel[1])]


def input_pixel(index: str) -> str:
    """Work-item ``q`` of an ``N*C*H*W`` range: plane ``nc`` and padded coordinates ``py, px``."""
    return f"""
const index_t q = get_global_id(0);
const index_t nc = {divide(index, "q", "area")}, pixel = q - nc * L.area;
const index_t y = {divide(index, "pixel", "width")};
const index_t py = y + L.top, px = pixel - y * L.width + L.left;
"""


def pixel_rows(index: str) -> str:
    """Work-item ``(x, row)`` of a ``(W, N*C*H)`` range: pixel ``q``, plane ``nc`` and padded
    coordinates ``py, px`` (one division a work-item, and ``x`` runs along the lanes)."""
    return f"""
const index_t x0 = get_global_id(0), row = get_global_id(1);
const index_t nc = {divide(index, "row", "height")}, y = row - nc * L.height;
const index_t q = row * L.width + x0;
const index_t py = y + L.top, px = x0 + L.left;
"""


def gather(index: str, kernel: tuple[int, int], term: Callable[[int, int], str], unit_stride: bool = False) -> str:
    """Body lines where input pixel ``q`` visits every tap ``(i, j)`` that reads it.

    A pixel at padded row ``py`` is read by tap ``i`` of output row ``oy`` when
    ``py = oy*sh + i*dh``: with ``py = yd*sh + ym`` and ``i*dh = id*sh + im``, that is
    ``ym == im`` at ``oy = yd - id``. With ``unit_stride`` (``sh = sw = 1``) that is
    ``oy = py - i*dh`` with no division, over a ``(W, N*C*H)`` range (:func:`pixel_rows`);
    otherwise the range is ``N*C*H*W`` (:func:`input_pixel`). ``term(i, j)`` is the code run
    for each tap, with ``hit`` (the tap reads the pixel) and ``at`` (its output pixel
    ``oy*OW + ox``, else 0).
    """
    lines = [pixel_rows(index) if unit_stride else input_pixel(index)]
    if not unit_stride:
        lines += [
            f"const index_t yd = {divide(index, 'py', 'sh')}, ym = py - yd * L.sh;",
            f"const index_t xd = {divide(index, 'px', 'sw')}, xm = px - xd * L.sw;",
        ]
    for axis, count, reach, stride, out in (("y", kernel[0], "dh", "sh", "oh"), ("x", kernel[1], "dw", "sw", "ow")):
        for k in range(count):
            if unit_stride:
                lines.append(
                    f"const index_t o{axis}{k} = p{axis} - {k} * L.{reach};\n"
                    f"const int h{axis}{k} = (o{axis}{k} >= 0) & (o{axis}{k} < L.{out});"
                )
                continue
            lines.append(
                f"const index_t {axis}d{k} = {divide(index, f'{k} * L.{reach}', stride)}, "
                f"o{axis}{k} = {axis}d - {axis}d{k};\n"
                f"const int h{axis}{k} = ({axis}m == {k} * L.{reach} - {axis}d{k} * L.{stride}) "
                f"& (o{axis}{k} >= 0) & (o{axis}{k} < L.{out});"
            )
    for i, j in taps(kernel):
        lines.append(
            f"{{\n    const int hit = hy{i} & hx{j};\n    const index_t at = hit ? oy{i} * L.ow + ox{j} : 0;\n"
            f"    {term(i, j)}\n}}"
        )
    return "\n".join(lines)


@cache
def im2col_source(t: ScalarType, kernel: tuple[int, int], index: str, geometry: Geometry | None, padded: bool) -> str:
    """Kernel ``im2col`` over an ``(OH*OW, N*C)`` range: one output pixel's ``kh*kw`` column entries.

    ``cols[(nc*kh + i)*kw + j][oy*OW + ox]`` is ``x[nc][y][x]``, or the pad value outside.
    The taps are written out for ``kernel`` (one source per kernel size), so that a
    work-item splits its pixel index with one ``index``-typed division for all of them;
    a padding tap loads from a clamped index and selects ``pad`` instead of branching.
    Measured on PoCL (LeNet5's 5x5 convolutions at batch 32): 1.5 ms to 0.8 ms, where
    the kernel with one entry per work-item spent most of its time in ``long`` divisions.
    Without ``padded`` every tap lies inside the image and is copied with no test.
    """
    setup = f"""
const index_t p = get_global_id(0), nc = get_global_id(1);
const index_t ow = L.ow, plane = L.oh * L.ow;
const index_t oy = p / ow, ox = p - oy * ow;
const index_t top = oy * L.sh - L.top, left = ox * L.sw - L.left;
const index_t image = L.offset + nc * L.height * L.width;
__global {t.storage}* column = cols + nc * {kernel[0] * kernel[1]} * plane + p;
"""
    lines = [
        f"{{\nconst index_t y = top + {i} * L.dh, xx = left + {j} * L.dw;\n{read_tap(t, padded, 'pad')}\n"
        f"{t.store('column', f'{i * kernel[1] + j} * plane', 'v')}\n}}"
        for i, j in taps(kernel)
    ]
    params = [f"__global {t.storage}* cols", f"__global const {t.storage}* x", f"const {t.compute} pad"]
    body = (setup + "\n".join(lines)).strip().splitlines()
    return window_kernel("im2col", t, index, params, body, 2, geometry)


@cache
def col2im_source(
    t: ScalarType, kernel: tuple[int, int], index: str, geometry: Geometry | None, unit_stride: bool = False
) -> str:
    """Kernel ``col2im``: each pixel sums the column entries that read it.

    The sum runs in the compute type and is rounded once (float16: in ``float``, as the
    NumPy backend and MindSpore's kernels do); a tap that misses adds an exact 0. The
    range is ``N*C*H*W``, or for ``unit_stride`` windows (every convolution with stride 1)
    ``(W, N*C*H)``, where the taps are found without a division.
    """
    count = kernel[0] * kernel[1]

    def term(i: int, j: int) -> str:
        # A load only where the tap reads the pixel: PoCL vectorises a guarded load into a
        # masked one, where an unguarded load from a clamped index became a gather (LeNet5's
        # conv2 at batch 32, alone: 0.48 to 0.37 ms).
        load = t.load("cols", f"L.offset + (nc * {count} + {i * kernel[1] + j}) * L.plane + oy{i} * L.ow + ox{j}")
        return f"sum += hit ? {load} : 0;"

    body = f"{t.compute} sum = 0;\n{gather(index, kernel, term, unit_stride)}\n{t.store('x', 'q', 'sum')}"
    params = [f"__global {t.storage}* x", f"__global const {t.storage}* cols"]
    return window_kernel("col2im", t, index, params, body.strip().splitlines(), 2 if unit_stride else 1, geometry)
