"""The floors a build is measured against, each timed in one process.

    python bench/floors.py CONTENT

prints one JSON line: seconds to read and YAML-parse every story file (PyYAML's C loader where
present), and seconds for Python-Markdown to render every body with the extensions casebook
uses, one converter reused with reset() as casebook does.
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


if __name__ == "__main__":
    parse_seconds, bodies = read_and_parse(Path(sys.argv[1]))
    print(json.dumps({"read_parse": parse_seconds, "markdown": render_markdown(bodies)}))
