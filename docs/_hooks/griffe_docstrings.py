"""Griffe extension for the API reference: reads the project's docstrings as written.

The docstrings follow Google style with two habits that griffe's Google parser does not
know: an ``Example:`` section (griffe knows only ``Examples:``) and reStructuredText
``.. math::`` blocks. This extension renames the first and turns the second into
``$$ ... $$`` blocks that ``pymdownx.arithmatex`` and MathJax render.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def math_blocks(text: str) -> str:
    """Turn each indented ``.. math::`` block into a ``$$`` block at the directive's indent."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() != ".. math::":
            out.append(line)
            i += 1
            continue
        base = _indent(line)
        i += 1
        body: list[str] = []
        while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > base):
            body.append(lines[i])
            i += 1
        while body and not body[-1].strip():
            i -= 1
            body.pop()
        content = [b for b in body if b.strip()]
        inner = min((_indent(b) for b in content), default=0)
        pad = " " * base
        out += [pad + "$$", *(pad + b[inner:] for b in content), pad + "$$"]
    return "\n".join(out)


def rewrite(text: str) -> str:
    """The docstring as griffe's Google parser should see it."""
    return _EXAMPLE.sub(r"\1Examples:", math_blocks(text))


class ProjectDocstrings(griffe.Extension):
    """Rewrite every docstring once it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj.docstring.value)
