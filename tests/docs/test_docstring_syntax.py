"""Every docstring parses as the API reference reads it (griffe, Google style), without a warning.

``mkdocs build --strict`` fails on the same warnings (a parameter that is not in the
signature, ``a, b: ...`` on one line, a ``Raises`` entry without an exception type); this
test reports them under plain pytest, in about a second.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _walk(obj: Any) -> int:
    count = 0
    for member in obj.members.values():
        if member.is_alias:
            continue
        if member.docstring is not None:
            member.docstring.parse("google")
            count += 1
        count += _walk(member)
    return count


def test_docstrings_parse_without_warnings(caplog: pytest.LogCaptureFixture) -> None:
    griffe = pytest.importorskip("griffe")
    spec = importlib.util.spec_from_file_location(
        "griffe_docstrings", ROOT / "docs" / "_hooks" / "griffe_docstrings.py"
    )
    assert spec is not None and spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    extensions = griffe.load_extensions(hooks.ProjectDocstrings)
    with caplog.at_level(logging.WARNING, logger="griffe"):
        package = griffe.load(
            "minispore",
            search_paths=[str(ROOT), str(ROOT / "backends")],
            docstring_parser="google",
            extensions=extensions,
            resolve_aliases=False,
        )
        assert _walk(package) > 500
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not problems, "docstrings the API reference cannot read:\n" + "\n".join(problems)
