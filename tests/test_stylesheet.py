"""The stylesheet's blocks are balanced, and screen rules are not trapped inside @media print.

Each feature appends its own section to site.css; a lost closing brace at a boundary would
quietly turn every later rule into a print-only rule, which no page test would notice."""

from __future__ import annotations

import re

from .conftest import REPO

CSS = REPO / "templates" / "static" / "site.css"


def depths() -> list[tuple[int, int, str]]:
    """(line number, nesting depth at the start of the line, the line) for every line."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), CSS.read_text(), flags=re.S)
    out, depth = [], 0
    for number, line in enumerate(text.split("\n"), 1):
        out.append((number, depth, line))
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"site.css:{number}: a '}}' closes nothing"
    assert depth == 0, f"site.css ends with {depth} block(s) still open"
    return out


def test_every_block_is_closed():
    depths()


def test_section_comments_start_at_the_top_level():
    original = CSS.read_text().split("\n")
    inside = [
        f"site.css:{number}: {original[number - 1][:60]}"
        for number, depth, _ in depths()
        if depth > 0 and original[number - 1].startswith("/*")
    ]
    assert inside == []
