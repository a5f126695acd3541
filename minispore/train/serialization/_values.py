"""What the file formats exchange: names with host arrays (or strings), and the name filter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minispore.common import dtype as mstype

HostArray = np.ndarray[Any, Any]
HostValue = HostArray | str
NameFilter = Callable[[str], bool]


def unsupported_dtype(tag: str, dtype: object, source: str) -> ValueError:
    """The error for a stored tensor whose dtype (uint16, bfloat16, ...) minispore cannot hold."""
    names = ", ".join(d.name for d in mstype.ALL)
    return ValueError(
        f"For 'load_checkpoint', the parameter '{tag}' in {source} has dtype {dtype}, which minispore does not "
        f"support (supported: {names}). Leave it out with choice_func=lambda name: name != {tag!r}."
    )
