"""The vision transforms and TypeCast, against hand-computed values and MindSpore 2.10's output.

``tests/fixtures/dataset/resize_mindspore.npz`` was recorded from MindSpore 2.10.0 (CPU) by
``make_resize_fixture.py`` next to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

import minispore as ms
from minispore.dataset import transforms, vision
from minispore.dataset.vision import Inter

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "dataset" / "resize_mindspore.npz"


@pytest.fixture(scope="module")
def recorded() -> dict[str, npt.NDArray[Any]]:
    with np.load(FIXTURE, allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


# 2x2 -> 4x4 with half-pixel centres: the source coordinate of output index d is
# (d + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25. Columns outside [0, W-1] clamp to the edge
# column; rows clamp their index but keep the weight, which also gives the edge row here.
SMALL = np.array([[0, 10], [20, 30]])
SMALL_4X4 = np.array(
    [
        [0.0, 2.5, 7.5, 10.0],
        [5.0, 7.5, 12.5, 15.0],
        [15.0, 17.5, 22.5, 25.0],
        [20.0, 22.5, 27.5, 30.0],
    ]
)


def test_resize_bilinear_hand_computed_float() -> None:
    out = vision.Resize((4, 4))(SMALL.astype(np.float32)[:, :, None])
    assert out.dtype == np.float32 and out.shape == (4, 4, 1)
    np.testing.assert_array_equal(out[:, :, 0], SMALL_4X4)


def test_resize_bilinear_uint8_uses_fixed_point() -> None:
    # uint8 weights have 11 fractional bits (0.25 -> 512, 0.75 -> 1536). Output rows this narrow
    # (under 16 bytes) take OpenCV's scalar path, (t0*b0 + t1*b1 + 2**21) >> 22, which rounds
    # halves up: 2.5 -> 3, 7.5 -> 8, 12.5 -> 13.
    out = vision.Resize((4, 4))(SMALL.astype(np.uint8)[:, :, None])[:, :, 0]
    expected = np.array([[0, 3, 8, 10], [5, 8, 13, 15], [15, 18, 23, 25], [20, 23, 28, 30]])
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == np.uint8
    # Values printed by MindSpore 2.10's vision.Resize((3, 3)) while minispore was written.
    shrunk = vision.Resize((3, 3))(np.arange(0, 160, 10, dtype=np.uint8).reshape(4, 4))
    np.testing.assert_array_equal(shrunk, [[8, 22, 35], [62, 75, 88], [115, 128, 142]])


def test_resize_matches_mindspore_on_mnist(recorded: dict[str, npt.NDArray[Any]]) -> None:
    images = recorded["images"]
    for key, size in [("resized_32x32", (32, 32)), ("resized_20x37", (20, 37))]:
        resize = vision.Resize(size)
        np.testing.assert_array_equal(resize.apply_rows(images), recorded[key], err_msg=key)
        np.testing.assert_array_equal(resize(images[1]), recorded[key][1], err_msg=key)
    as_float = vision.Resize((20, 37)).apply_rows(images.astype(np.float32))
    np.testing.assert_array_equal(as_float, recorded["resized_float_20x37"])


def test_tutorial_image_chain_matches_mindspore(recorded: dict[str, npt.NDArray[Any]]) -> None:
    ops = [
        vision.Resize((32, 32)),
        vision.Rescale(1.0 / 255.0, 0.0),
        vision.Rescale(1 / 0.3081, -1 * 0.1307 / 0.3081),
        vision.HWC2CHW(),
    ]
    out = recorded["images"]
    for op in ops:
        out = op.apply_rows(out)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, recorded["pipeline"])


def test_resize_shapes_and_modes() -> None:
    img = np.arange(28 * 40, dtype=np.uint8).reshape(28, 40, 1)
    assert vision.Resize(32)(img).shape == (32, 45, 1)  # shorter edge 32, 40/28*32 = 45.7 -> 45
    assert vision.Resize(16)(img.reshape(40, 28, 1)).shape == (22, 16, 1)
    assert vision.Resize((4, 5))(img[:, :, 0]).shape == (4, 5)
    assert vision.Resize((4, 5))(np.zeros((2, 28, 28, 1), np.uint8)).shape == (2, 4, 5, 1)
    same = vision.Resize((28, 40))(img)
    np.testing.assert_array_equal(same, img)
    nearest = vision.Resize((3, 5), Inter.NEAREST)(np.arange(16, dtype=np.uint8).reshape(4, 4))
    np.testing.assert_array_equal(nearest, [[0, 0, 1, 2, 3], [4, 4, 5, 6, 7], [8, 8, 9, 10, 11]])
    assert Inter["BILINEAR"] is Inter.LINEAR


def test_resize_errors() -> None:
    with pytest.raises(TypeError, match=r"'size' must be an int or a sequence of two ints"):
        vision.Resize((32, 32, 3))
    with pytest.raises(TypeError, match=r"'size'"):
        vision.Resize(32.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"'size' must be in \[1, 16777216\], but got \(0, 4\)"):
        vision.Resize((0, 4))
    with pytest.raises(TypeError, match=r"'interpolation' must be a vision.Inter"):
        vision.Resize(4, 2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"Inter.CUBIC.*not implemented"):
        vision.Resize(4, Inter.CUBIC)
    with pytest.raises(RuntimeError, match=r"<H, W> or <..., H, W, C>, but got shape"):
        vision.Resize(4)(np.zeros(5, np.uint8))
    with pytest.raises(RuntimeError, match=r"dtype must be one of .* but got int64"):
        vision.Resize(4)(np.zeros((5, 5), np.int64))


def test_rescale_is_float32_with_mindspore_rounding() -> None:
    pixels = np.array([[[0, 51, 255]]], np.uint8)
    out = vision.Rescale(1.0 / 255.0, 0.0)(pixels)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, pixels.astype(np.float32) * np.float32(1.0 / 255.0))
    # Recorded from MindSpore 2.10: one fused multiply-add in float32.
    normalized = vision.Rescale(1 / 0.3081, -0.1307 / 0.3081)(np.array([[[0.5]]], np.float32))
    assert float(normalized[0, 0, 0]) == 1.198636770248413
    assert vision.Rescale(1, 0)(np.ones((2, 2), np.float64)).dtype == np.float32
    with pytest.raises(TypeError, match=r"'rescale' must be a float, but got str"):
        vision.Rescale("1", 0.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"'shift' must fit in float32"):
        vision.Rescale(1.0, 1e40)


def test_normalize() -> None:
    hwc = vision.Normalize([10.0, 20.0, 30.0], [2.0, 4.0, 5.0])(np.full((1, 2, 3), 40, np.uint8))
    assert hwc.dtype == np.float32
    np.testing.assert_array_equal(hwc, [[[15.0, 5.0, 2.0], [15.0, 5.0, 2.0]]])
    chw = vision.Normalize([10.0, 20.0, 30.0], [2.0, 4.0, 5.0], is_hwc=False)(np.full((3, 1, 2), 40, np.uint8))
    np.testing.assert_array_equal(chw, [[[15.0, 15.0]], [[5.0, 5.0]], [[2.0, 2.0]]])
    broadcast = vision.Normalize([10.0], [2.0])(np.full((1, 1, 3), 40, np.uint8))
    np.testing.assert_array_equal(broadcast, [[[15.0, 15.0, 15.0]]])
    assert vision.Normalize([10.0], [2.0])(np.zeros((2, 2), np.uint8)).shape == (2, 2)
    with pytest.raises(
        RuntimeError,
        match=r"has 1 channel\(s\), so 'mean' and 'std' need 1 values .* but got 3",
    ):
        vision.Normalize([1.0, 2.0, 3.0], [1.0, 1.0, 1.0])(np.zeros((2, 2, 1), np.uint8))
    with pytest.raises(ValueError, match=r"same length"):
        vision.Normalize([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match=r"'std\[0\]' must be in \(0, 255\], but got 0"):
        vision.Normalize([1.0], [0])
    with pytest.raises(TypeError, match=r"'mean' must be a list or tuple of numbers"):
        vision.Normalize(0.5, [1.0])  # type: ignore[arg-type]


def test_hwc2chw() -> None:
    assert vision.HWC2CHW()(np.zeros((28, 30, 3), np.uint8)).shape == (3, 28, 30)
    assert vision.HWC2CHW()(np.zeros((28, 30), np.uint8)).shape == (28, 30)
    with pytest.raises(RuntimeError, match=r"<H, W> or <H, W, C>, but got shape"):
        vision.HWC2CHW()(np.zeros((2, 3, 4, 5), np.uint8))


def test_type_cast() -> None:
    out = transforms.TypeCast(ms.int32)(np.array([-1.7, 2.7, 3.5]))
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, [-1, 2, 3])
    assert transforms.TypeCast(np.int16)(np.array([1.0])).dtype == np.int16
    assert transforms.TypeCast("float32")(np.uint32(7)).dtype == np.float32
    with pytest.raises(TypeError, match=r"'data_type' must be a numeric or bool dtype"):
        transforms.TypeCast(str)
    with pytest.raises(TypeError, match=r"'data_type' must be a dtype.*None"):
        transforms.TypeCast(None)  # type: ignore[arg-type]
