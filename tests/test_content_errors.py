"""Broken content gets every problem reported at once, exactly, with exit status 1.

Each folder in fixtures/broken/ holds the stories/ of one kind of broken content and
expected.txt, the exact lines `python build.py check` must print for it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from casebook.cli import main

from .conftest import REPO, story

BROKEN = Path(__file__).parent / "fixtures" / "broken"
KINDS = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


def _tree(content_tree, kind: str) -> Path:
    root = content_tree({})
    shutil.rmtree(root / "stories")
    shutil.copytree(BROKEN / kind / "stories", root / "stories")
    return root


@pytest.mark.parametrize("kind", KINDS)
def test_check_reports_every_problem_exactly(kind, content_tree, monkeypatch, capsys):
    root = _tree(content_tree, kind)
    monkeypatch.chdir(root.parent)
    assert main(["check", "--content", "content"]) == 1
    captured = capsys.readouterr()
    expected = (BROKEN / kind / "expected.txt").read_text(encoding="utf-8")
    assert captured.err == expected
    assert captured.out == ""


@pytest.mark.parametrize("kind", KINDS)
def test_failed_build_writes_nothing(kind, content_tree, monkeypatch, capsys):
    root = _tree(content_tree, kind)
    monkeypatch.chdir(root.parent)
    assert main(["build", "--content", "content", "--output", "site"]) == 1
    assert "nothing was built and site/ is unchanged" in capsys.readouterr().err
    assert sorted(p.name for p in root.parent.iterdir()) == ["content"]


def test_problems_in_many_files_are_all_reported(content_tree, monkeypatch, capsys):
    root = content_tree(
        {
            "a.md": story(extra="colour: blue\n"),
            "b.md": story().replace("stage: 2", "stage: 9"),
            "c.md": "no front matter",
        }
    )
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in err[:-1]] == [
        "content/stories/a.md",
        "content/stories/b.md",
        "content/stories/c.md",
    ]
    assert err[-1] == "casebook: 3 problems found; fix them and run check again"


def test_command_line_never_shows_a_traceback(content_tree):
    root = _tree(content_tree, "yaml-tags-and-aliases")
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "check", "--content", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{root}/stories/tags.md:2: YAML tag" in result.stderr


def test_check_passes_on_the_example_content(monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    assert main(["check"]) == 0
    assert capsys.readouterr().out.startswith("casebook: content is fine: ")
