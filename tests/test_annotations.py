"""`check` under GitHub Actions also prints one workflow annotation per problem."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from casebook.annotations import annotation, escape_data, escape_property
from casebook.problems import Problem

from .conftest import story

BUILD = Path(__file__).resolve().parents[1] / "build.py"


def test_escaping_follows_githubs_rules() -> None:
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext%3A a%2C b"
    problem = Problem("a,b:c/x.md", 0, "bad \x1b[31m value")
    assert annotation(problem) == (
        "::error file=a%2Cb%3Ac/x.md,title=casebook check::bad \\x1b[31m value"
    )


def run_check(cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    return subprocess.run(
        [sys.executable, str(BUILD), "check", "--content", "a,b:c"],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_prints_annotations_only_under_github_actions(content_tree, tmp_path: Path) -> None:
    bad = story().replace("sub_element: trust", 'sub_element: "tr%st\\nx"')
    bad = bad.replace("stage: 2", "stage: 7")
    content_tree({"bad.md": bad, "notes.txt": "x"}, folder="a,b:c")
    plain = run_check(tmp_path)
    assert plain.returncode == 1
    assert plain.stdout == ""
    annotated = run_check(tmp_path, GITHUB_ACTIONS="true")
    assert annotated.returncode == 1
    assert annotated.stderr == plain.stderr
    stages = (
        "choose 1 (Early stages), 2 (Developing), 3 (Developed), 4 (Refining) or 5 (Best practice)"
    )
    assert annotated.stdout.splitlines() == [
        "::error file=a%2Cb%3Ac/stories/bad.md,line=9,title=casebook check::"
        # a value is quoted on one line (problems.quoted), so its line break is a space here
        "unknown sub_element 'tr%25st x'; did you mean 'trust'?",
        "::error file=a%2Cb%3Ac/stories/bad.md,line=10,title=casebook check::"
        f"stage 7 is out of range; {stages}",
        "::error file=a%2Cb%3Ac/stories/notes.txt,title=casebook check::"
        "not a story; a story is a .md file, or a folder with index.md and its images",
    ]
