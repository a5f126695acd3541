"""The docs build's docstring rewriting (docs/_hooks/griffe_docstrings.py) and README home page hook."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / "_hooks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_math_and_example_sections_become_what_griffe_reads() -> None:
    pytest.importorskip("griffe")
    hooks = _load("griffe_docstrings")
    text = "Summary.\n\n.. math::\n    y = \\frac{x}{2}\n\n    + 1\n\nMore.\n\nExample:\n    >>> 1\n    1"
    assert hooks.rewrite(text).splitlines() == [
        "Summary.",
        "",
        "$$",
        "y = \\frac{x}{2}",
        "+ 1",
        "$$",
        "",
        "More.",
        "",
        "Examples:",
        "    >>> 1",
        "    1",
    ]


def test_home_page_is_the_readme_with_site_links() -> None:
    readme = _load("readme")
    page = SimpleNamespace(file=SimpleNamespace(src_uri="index.md"))
    home = readme.on_page_markdown("placeholder", page, None, None)
    assert home.startswith("# minispore")
    assert "](docs/" not in home and "](user-guide.md)" in home
    other = SimpleNamespace(file=SimpleNamespace(src_uri="user-guide.md"))
    assert readme.on_page_markdown("text", other, None, None) == "text"
