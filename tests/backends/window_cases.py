"""Generated sliding windows, shared by the window-kernel parity tests."""

from __future__ import annotations

from hypothesis import strategies as st

from minispore.backend.protocol import Shape, Window2d


@st.composite
def windows(draw: st.DrawFn) -> tuple[Shape, Window2d]:
    """An NCHW input shape and a window with at least one output position."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    # Unpadded windows half the time: the OpenCL kernels have a variant without bounds tests.
    sides = st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2), st.integers(0, 2))
    padding = draw(st.one_of(st.just((0, 0, 0, 0)), sides))
    reach = (dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1)
    h = draw(st.integers(max(1, reach[0] - padding[0] - padding[1]), 8))
    w = draw(st.integers(max(1, reach[1] - padding[2] - padding[3]), 8))
    window = Window2d(kernel, (draw(st.integers(1, 3)), draw(st.integers(1, 3))), dilation, padding)
    return (draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w), window
