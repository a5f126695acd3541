"""Every ```python block of the README and the user guide runs as written, on its own.

Each block gets a fresh namespace, so a block that leans on an earlier one fails here. A
block that picks a device that cannot run on this machine is skipped with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import minispore as ms
from minispore.backend import available_backends

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["README.md", "docs/user-guide.md"]
FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
DEVICE_CALL = re.compile(r"""set_device\(\s*["']([A-Za-z]+)""")


def _blocks() -> Iterator[object]:
    for page in PAGES:
        text = (ROOT / page).read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 2  # the block's first line of code
            yield pytest.param(page, line, match.group(1), id=f"{page}:{line}")


BLOCKS = list(_blocks())


def test_the_pages_have_snippets() -> None:
    pages = {p.values[0] for p in BLOCKS}  # type: ignore[attr-defined]
    assert pages == set(PAGES)


@pytest.mark.parametrize(("page", "line", "code"), BLOCKS)
def test_snippet_runs_on_its_own(page: str, line: int, code: str, capsys: pytest.CaptureFixture[str]) -> None:
    found = available_backends()
    for device in DEVICE_CALL.findall(code):
        if device in found and not found[device].available:
            pytest.skip(f"the snippet uses {device}, which cannot run here: {found[device].reason}")
    previous = ms.get_device()
    try:
        exec(compile(code, f"{page}:{line}", "exec"), {"__name__": "__snippet__"})
    finally:
        ms.set_device(previous)
