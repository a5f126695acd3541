"""MkDocs hook: the site's home page is README.md, with its ``docs/`` links made site-relative."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace ``index.md``'s body with the README (links into ``docs/`` become page links)."""
    if page.file.src_uri != "index.md":
        return markdown
    return re.sub(r"\]\(docs/", "](", README.read_text(encoding="utf-8"))
