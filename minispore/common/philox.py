"""MindSpore's initial-weight random numbers, reproduced bit for bit in NumPy.

MindSpore 2.x fills an initializer's tensor in three steps:

1. It draws a 64-bit seed from NumPy's global legacy generator,
   ``np.random.randint(1, 2**63, dtype=np.int64)``; ``ms.set_seed(s)`` calls
   ``np.random.seed(s)``, which fixes every such seed.
2. A Philox4x32-10 counter generator keyed by that seed yields a stream of uint32
   (``mindspore/ccsrc/include/common/random.h``): key ``(lo, hi)`` of the seed, counter
   ``(n_lo, n_hi, lo, hi)`` for block ``n``, four outputs per block.
3. A distribution turns the stream into float64 numbers, which are rounded to float32:

   - uniform: ``(b - a) * (u / 2^32) + a``;
   - normal (Box-Muller on consecutive pairs): ``u1, u2`` from the 23 mantissa bits of
     each uint32 (at least ``1e-7``), ``r = sqrt(-2 ln u1) * sigma``,
     ``t = 2 * 3.1415926f * u2``, outputs ``mean + r cos t`` then ``mean + r sin t``;
   - truncated normal (inverse CDF): ``p = Phi(alpha) + u (Phi(beta) - Phi(alpha))``,
     ``x = -sqrt(2) erfc^-1(2p)`` with Boost's rational approximations, ``mean + x sigma``.

MindSpore splits large buffers across threads but skips each thread's generator to its
offset, so the numbers do not depend on the thread count.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_KEY_STEP = (0x9E3779B9, 0xBB67AE85)
_LOW32 = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)
_F32 = np.float32

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


def draw_seed() -> int:
    """The next initializer seed from NumPy's global generator, as MindSpore draws it."""
    return int(np.random.randint(low=1, high=(1 << 63), dtype=np.int64))


def philox_uint32(seed: int, count: int) -> np.ndarray[Any, np.dtype[np.uint32]]:
    """The first ``count`` uint32 of the Philox4x32-10 stream for ``seed``."""
    blocks = (count + 3) // 4
    lo, hi = seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF
    n = np.arange(blocks, dtype=np.uint64)
    c0, c1 = (n & _LOW32).astype(np.uint32), (n >> _SHIFT).astype(np.uint32)
    c2, c3 = np.full(blocks, lo, np.uint32), np.full(blocks, hi, np.uint32)
    k0, k1 = lo, hi
    for _ in range(10):
        p0 = _M0 * c0.astype(np.uint64)
        p1 = _M1 * c2.astype(np.uint64)
        c0, c1, c2, c3 = (
            (p1 >> _SHIFT).astype(np.uint32) ^ c1 ^ np.uint32(k0),
            p1.astype(np.uint32),
            (p0 >> _SHIFT).astype(np.uint32) ^ c3 ^ np.uint32(k1),
            p0.astype(np.uint32),
        )
        k0, k1 = (k0 + _KEY_STEP[0]) & 0xFFFFFFFF, (k1 + _KEY_STEP[1]) & 0xFFFFFFFF
    return np.stack([c0, c1, c2, c3], axis=1).reshape(-1)[:count]


def _unit(bits: np.ndarray[Any, np.dtype[np.uint32]]) -> FloatArray:
    """``u / 2^32`` in [0, 1), MindSpore's ``UniformDistribution<double>`` on [0, 1)."""
    return bits.astype(np.float64) / 4294967296.0


def uniform(seed: int, count: int, a: float, b: float) -> np.ndarray[Any, np.dtype[np.float32]]:
    """``count`` float32 draws from ``U(a, b)`` (``a``, ``b`` rounded to float32 first)."""
    lo, hi = float(_F32(a)), float(_F32(b))
    return ((hi - lo) * _unit(philox_uint32(seed, count)) + lo).astype(np.float32)


def normal(seed: int, count: int, mean: float, sigma: float) -> np.ndarray[Any, np.dtype[np.float32]]:
    """``count`` float32 draws from ``N(mean, sigma^2)`` by MindSpore's Box-Muller."""
    pairs = (count + 1) // 2
    bits = philox_uint32(seed, 2 * pairs)
    mantissa = (bits & np.uint32(0x7FFFFF)) | np.uint32(127 << 23)
    u = np.maximum((mantissa.view(np.float32) - _F32(1.0)).astype(np.float64), float(_F32(1e-7)))
    radius = np.sqrt(-2.0 * np.log(u[0::2])) * float(_F32(sigma))
    angle = 2.0 * float(_F32(3.1415926)) * u[1::2]
    out = np.empty(2 * pairs)
    out[0::2] = float(_F32(mean)) + radius * np.cos(angle)
    out[1::2] = float(_F32(mean)) + radius * np.sin(angle)
    return out[:count].astype(np.float32)


def truncated_normal(
    seed: int, count: int, a: float, b: float, mean: float, sigma: float
) -> np.ndarray[Any, np.dtype[np.float32]]:
    """``count`` float32 draws from ``N(mean, sigma^2)`` restricted to ``[a, b]`` (inverse CDF)."""
    a64, b64, mean64, sigma64 = (float(_F32(v)) for v in (a, b, mean, sigma))
    root_two = float(_F32(1.4142135))
    cdf_a = math.erfc(-((a64 - mean64) / sigma64) / root_two) / 2.0
    cdf_b = math.erfc(-((b64 - mean64) / sigma64) / root_two) / 2.0
    p = cdf_a + _unit(philox_uint32(seed, count)) * (cdf_b - cdf_a)
    x = -_erfc_inv(2.0 * p) * root_two
    return (mean64 + x * sigma64).astype(np.float32)


def _erfc_inv(z: FloatArray) -> FloatArray:
    z = np.clip(z, float(np.nextafter(_F32(0), _F32(2))), float(np.nextafter(_F32(2), _F32(0))))
    upper = z > 1.0
    q = np.where(upper, 2.0 - z, z)
    p = np.where(upper, 1.0 - q, 1.0 - z)
    return np.where(upper, -1.0, 1.0) * _erf_inv(p, q)


def _poly(coeffs: tuple[float, ...], x: FloatArray) -> FloatArray:
    """Horner's rule, highest power last in ``coeffs`` (as MindSpore unrolls it)."""
    out = np.full_like(x, coeffs[-1])
    for c in reversed(coeffs[:-1]):
        out = out * x + c
    return out


def _erf_inv(p: FloatArray, q: FloatArray) -> FloatArray:
    """Boost's ``erf_inv_imp`` for 64-bit precision, region by region."""
    out = np.empty_like(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        small = p <= 0.5
        g = p * (p + 10.0)
        r = _poly(_P1, p) / _poly(_Q1, p)
        out[small] = (g * float(_F32(0.0891314744949340820313)) + g * r)[small]
        mid = ~small & (q >= 0.25)
        g = np.sqrt(-2.0 * np.log(q))
        xs = q - 0.25
        r = _poly(_P2, xs) / _poly(_Q2, xs)
        out[mid] = (g / (float(_F32(2.249481201171875)) + r))[mid]
        x = np.sqrt(-np.log(q))
        tail = ~small & ~mid
        for lower, upper, y, shift, num, den in _TAILS:
            sel = tail & (x >= lower) & (x < upper)
            xs = x - shift
            out[sel] = (float(_F32(y)) * x + _poly(num, xs) / _poly(den, xs) * x)[sel]
    return out


_P1 = (
    -0.000508781949658280665617, -0.00836874819741736770379, 0.0334806625409744615033, -0.0126926147662974029034,
    -0.0365637971411762664006, 0.0219878681111168899165, 0.00822687874676915743155, -0.00538772965071242932965,
)  # fmt: skip
_Q1 = (
    1.0, -0.970005043303290640362, -1.56574558234175846809, 1.56221558398423026363, 0.662328840472002992063,
    -0.71228902341542847553, -0.0527396382340099713954, 0.0795283687341571680018, -0.00233393759374190016776,
    0.000886216390456424707504,
)  # fmt: skip
_P2 = (
    -0.202433508355938759655, 0.105264680699391713268, 8.37050328343119927838, 17.6447298408374015486,
    -18.8510648058714251895, -44.6382324441786960818, 17.445385985570866523, 21.1294655448340526258,
    -3.67192254707729348546,
)  # fmt: skip
_Q2 = (
    1.0, 6.24264124854247537712, 3.9713437953343869095, -28.6608180499800029974, -20.1432634680485188801,
    48.5609213108739935468, 10.8268667355460159008, -22.6436933413139721736, 1.72114765761200282724,
)  # fmt: skip
# (lower, upper, Y, shift, P, Q) for x = sqrt(-ln q) in [lower, upper).
_TAILS: tuple[tuple[float, float, float, float, tuple[float, ...], tuple[float, ...]], ...] = (
    (-math.inf, 3.0, 0.807220458984375, 1.125, (
        -0.131102781679951906451, -0.163794047193317060787, 0.117030156341995252019, 0.387079738972604337464,
        0.337785538912035898924, 0.142869534408157156766, 0.0290157910005329060432, 0.00214558995388805277169,
        -0.679465575181126350155e-6, 0.285225331782217055858e-7, -0.681149956853776992068e-9,
    ), (
        1.0, 3.46625407242567245975, 5.38168345707006855425, 4.77846592945843778382, 2.59301921623620271374,
        0.848854343457902036425, 0.152264338295331783612, 0.01105924229346489121,
    )),
    (3.0, 6.0, 0.93995571136474609375, 3.0, (
        -0.0350353787183177984712, -0.00222426529213447927281, 0.0185573306514231072324, 0.00950804701325919603619,
        0.00187123492819559223345, 0.000157544617424960554631, 0.460469890584317994083e-5,
        -0.230404776911882601748e-9, 0.266339227425782031962e-11,
    ), (
        1.0, 1.3653349817554063097, 0.762059164553623404043, 0.220091105764131249824, 0.0341589143670947727934,
        0.00263861676657015992959, 0.764675292302794483503e-4,
    )),
    (6.0, 18.0, 0.98362827301025390625, 6.0, (
        -0.0167431005076633737133, -0.00112951438745580278863, 0.00105628862152492910091,
        0.000209386317487588078668, 0.149624783758342370182e-4, 0.449696789927706453732e-6,
        0.462596163522878599135e-8, -0.281128735628831791805e-13, 0.99055709973310326855e-16,
    ), (
        1.0, 0.591429344886417493481, 0.138151865749083321638, 0.0160746087093676504695,
        0.000964011807005165528527, 0.275335474764726041141e-4, 0.282243172016108031869e-6,
    )),
    (18.0, 44.0, 0.99714565277099609375, 18.0, (
        -0.0024978212791898131227, -0.779190719229053954292e-5, 0.254723037413027451751e-4,
        0.162397777342510920873e-5, 0.396341011304801168516e-7, 0.411632831190944208473e-9,
        0.145596286718675035587e-11, -0.116765012397184275695e-17,
    ), (
        1.0, 0.207123112214422517181, 0.0169410838120975906478, 0.000690538265622684595676,
        0.145007359818232637924e-4, 0.144437756628144157666e-6, 0.509761276599778486139e-9,
    )),
    (44.0, math.inf, 0.99941349029541015625, 44.0, (
        -0.000539042911019078575891, -0.28398759004727721098e-6, 0.899465114892291446442e-6,
        0.229345859265920864296e-7, 0.225561444863500149219e-9, 0.947846627503022684216e-12,
        0.135880130108924861008e-14, -0.348890393399948882918e-21,
    ), (
        1.0, 0.0845746234001899436914, 0.00282092984726264681981, 0.468292921940894236786e-4,
        0.399968812193862100054e-6, 0.161809290887904476097e-8, 0.231558608310259605225e-11,
    )),
)  # fmt: skip
