"""The floors a build is measured against, each timed in one process.

    python bench/floors.py CONTENT

prints one JSON line: seconds to read and YAML-parse every story file (PyYAML's C loader where
present), and seconds for Python-Markdown to render every body with the extensions casebook
uses, one converter reused with reset() as casebook does. Where markdown-it-py is installed
(it is not one of casebook's dependencies: `pip install markdown-it-py`), also the seconds it
takes for the same bodies with tables on, the alternative issue 7 asks to be measured; else
null.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import markdown
import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _split(text: str) -> tuple[str, str]:
    _, front, body = text.split("---\n", 2)
    return front, body


def read_and_parse(content: Path) -> tuple[float, list[str]]:
    started = time.perf_counter()
    bodies = []
    for path in sorted((content / "stories").rglob("*.md")):
        front, body = _split(path.read_text(encoding="utf-8"))
        yaml.load(front, Loader=LOADER)
        bodies.append(body)
    return time.perf_counter() - started, bodies


def render_markdown(bodies: list[str]) -> float:
    md = markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists"])
    started = time.perf_counter()
    for body in bodies:
        md.reset()
        md.convert(body)
    return time.perf_counter() - started


def render_markdown_it(bodies: list[str]) -> float | None:
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        return None
    md = MarkdownIt("commonmark").enable("table")
    started = time.perf_counter()
    for body in bodies:
        md.render(body)
    return time.perf_counter() - started


if __name__ == "__main__":
    parse_seconds, bodies = read_and_parse(Path(sys.argv[1]))
    figures = {"read_parse": parse_seconds, "markdown": render_markdown(bodies)}
    figures["markdown_it"] = render_markdown_it(bodies)
    print(json.dumps(figures))
