"""The cases of ``nn.SGD``, ``nn.Adam``, ``nn.AdamWeightDecay``, ``nn.RMSProp`` and float16 ``nn.Momentum``."""

from __future__ import annotations

from typing import Any

NEW_CASES: list[dict[str, Any]] = []
