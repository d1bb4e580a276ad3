"""bench/: the synthetic corpus is valid, realistic and deterministic; run.py makes its table."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from casebook.cli import main

from .conftest import REPO

sys.path.insert(0, str(REPO / "bench"))

from generate import generate


def front_and_body(path: Path) -> tuple[dict, str]:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


def test_the_corpus_is_valid_and_shaped_like_real_stories(tmp_path, capsys):
    generate(80, tmp_path / "c")
    stories = sorted((tmp_path / "c" / "stories").glob("*.md"))
    assert len(stories) == 80
    assert main(["check", "--content", str(tmp_path / "c"), "--no-cache"]) == 0
    assert "80 stories, no problems" in capsys.readouterr().out
    partnerships, tags, cells = set(), set(), set()
    for path in stories:
        front, body = front_and_body(path)
        assert front["example"] is True
        assert 300 <= len(body.split()) <= 1400
        assert re.search(r"^## ", body, re.M)
        assert 1 <= len(front["assessments"]) <= 3
        partnerships.add(front["partnership"]["institution"])
        tags.update(front["tags"])
        cells.update((a["sub_element"], a["stage"]) for a in front["assessments"])
    assert len(partnerships) == 10  # N/8
    assert len(tags) > 30
    assert len(cells) > 35  # of 45: every sub-element and stage is in play


def test_the_same_seed_gives_the_same_bytes(tmp_path):
    generate(12, tmp_path / "a")
    generate(12, tmp_path / "b")
    generate(12, tmp_path / "other", seed=2)
    files = sorted(p.name for p in (tmp_path / "a" / "stories").iterdir())
    for name in files:
        a = (tmp_path / "a" / "stories" / name).read_bytes()
        assert a == (tmp_path / "b" / "stories" / name).read_bytes()
    assert files != sorted(p.name for p in (tmp_path / "other" / "stories").iterdir())


def test_run_prints_the_table_and_writes_the_figures(tmp_path):
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--stories", "16", "--repeat", "1",
         "--json", str(tmp_path / "figures.json")],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for label in (
        "cold build (--no-cache, empty output)",
        "rebuild, nothing changed",
        "rebuild after editing one story",
        "rebuild after adding one story",
        "rebuild after a template change",
        "floor: Python-Markdown, every body, one process",
        "alternative: markdown-it-py, every body, one process",
        "peak RSS (largest process)",
        "peak RSS, the build's own process",
        "site size / content size",
        "serve: save one story to the reload signal",
        "serve: save one story to its search index being current",
    ):
        assert f"| {label}" in done.stdout
    figures = json.loads((tmp_path / "figures.json").read_text())
    assert figures["stories"] == 16
    assert figures["files"] > 16
    steps = ("cold", "no_change", "edit_one", "save_to_reload", "save_to_search")
    assert all(figures[f"{step}_s"] > 0 for step in steps)
    assert figures["save_to_search_s"] > figures["save_to_reload_s"]
    assert 0 < figures["build_rss_mb"] <= figures["peak_rss_mb"]
    try:
        import markdown_it  # noqa: F401  (not a dependency: measured where installed)

        assert figures["markdown_it_s"] > 0
    except ImportError:
        assert figures["markdown_it_s"] is None
        assert "not measured (pip install markdown-it-py)" in done.stdout
