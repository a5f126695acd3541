"""``Inter``: the interpolation modes of :class:`~minispore.dataset.vision.Resize`."""

from __future__ import annotations

from enum import IntEnum


class Inter(IntEnum):
    """Interpolation modes, with MindSpore's names and values.

    ``LINEAR`` and ``BILINEAR`` are the same mode, as are ``CUBIC`` and ``BICUBIC``.
    minispore's :class:`~minispore.dataset.vision.Resize` implements ``NEAREST`` and
    ``LINEAR``; the other members exist so that scripts naming them import cleanly.

    Example:
        >>> from minispore.dataset.vision import Inter
        >>> Inter.BILINEAR is Inter.LINEAR
        True
    """

    NEAREST = 0
    ANTIALIAS = 1
    LINEAR = 2
    BILINEAR = 2
    CUBIC = 3
    BICUBIC = 3
    AREA = 4
    PILCUBIC = 5
