"""The Share a story issue form: the committed template is the generated one, and recorded
issue bodies (exactly as GitHub renders a submitted form) become story files check accepts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
import yaml

from casebook import storyinput
from casebook.cli import main as casebook_main
from casebook.issueform import (
    AFTER_EDITING,
    TEMPLATE_PATH,
    ConversionError,
    draft_from_issue,
    form_fields,
    main,
    template_yaml,
)
from casebook.newstory import load_story_settings
from casebook.storytext import story_text

REPO = Path(__file__).resolve().parents[1]
BODIES = REPO / "tests" / "fixtures" / "issue-forms"
TODAY = dt.date(2026, 11, 22)
SCHEMA_URL = "https://casebook.example.org/schema/story.schema.json"
SETTINGS = load_story_settings(REPO / "content")
ISSUE_TITLE = "Story: Agreeing what data we could share: a year on"

FULL_STORY = f"""\
---
# yaml-language-server: $schema={SCHEMA_URL}
title: "Agreeing what data we could share: a year on"
date: 2025-03-14
shared: {TODAY.isoformat()}
partnership:
  institution: Fenmoor University
  students_union: Fenmoor Students' Union
perspective: joint
assessments:
  - sub_element: trust  # Developing trust
    stage: 2  # Developing
  - sub_element: outputs-and-reporting  # Outputs and reporting
    stage: 3  # Developed
summary: How we agreed what data we could share, and why it took a year.
contributors:
  - name: A. Person
    role: student officer
  - name: B. Person
tags: [data-sharing, outreach]
---
## Why we placed ourselves here

We have a draft data-sharing agreement, but it is not signed yet.

### Steps we took

1. We met every month.
2. We wrote it down.

## What we will do to move on

- Sign the agreement by June.
- Share the first report with the union's trustees.
"""


def refusal(text: str) -> tuple[str, ...]:
    """The problems the converter refuses an issue with (its title the usual one)."""
    with pytest.raises(ConversionError) as caught:
        draft_from_issue(text, SETTINGS.rubric, TODAY, ISSUE_TITLE)
    return caught.value.problems


def body(name: str) -> str:
    return (BODIES / name).read_bytes().decode("utf-8")


def test_the_committed_form_is_the_generated_one() -> None:
    committed = (REPO / TEMPLATE_PATH).read_text(encoding="utf-8")
    assert committed == template_yaml(SETTINGS.rubric, SETTINGS.site.base_url), (
        f"{TEMPLATE_PATH} is not the form the rubric and site.yaml give (it quotes every "
        "descriptor): make it again with `python -m casebook.issueform template > "
        f"{TEMPLATE_PATH}`"
    )
    assert "descriptor" not in committed, "hints say 'the tool's words for this stage'"
    form = yaml.safe_load(committed)
    ids = [item["id"] for item in form["body"] if "id" in item]
    labels = [item["attributes"]["label"] for item in form["body"] if "id" in item]
    assert len(set(ids)) == len(ids) and len(set(labels)) == len(labels)
    assert ids == [f.id for f in form_fields(SETTINGS.rubric)]
    consent = form["body"][-1]
    assert consent["id"] == "consent"
    assert consent["attributes"]["options"][0]["required"] is True
    trust = next(item for item in form["body"] if item.get("id") == "stage-trust")
    assert trust["attributes"]["options"][4] == "5 Best practice"
    assert "There is never any question of trust at all." in trust["attributes"]["description"]


def test_a_full_issue_becomes_a_story_that_check_and_build_accept(
    content_tree, tmp_path: Path, monkeypatch
) -> None:
    draft = draft_from_issue(body("full.md"), SETTINGS.rubric, TODAY, ISSUE_TITLE)
    assert story_text(draft, SCHEMA_URL) == FULL_STORY
    content = content_tree({})
    monkeypatch.delenv("ISSUE_BODY", raising=False)
    assert main(["convert", "--content", str(content), "--issue", "7"]) == 1  # no body given
    monkeypatch.setenv("ISSUE_BODY", body("full.md"))
    monkeypatch.setenv("ISSUE_TITLE", ISSUE_TITLE)
    convert = ["convert", "--content", str(content), "--today", TODAY.isoformat()]
    assert main([*convert, "--issue", "7"]) == 0
    assert main([*convert, "--issue", "8"]) == 0  # name taken
    stories = sorted(p.name for p in (content / "stories").iterdir())
    assert stories == [
        "2025-03-agreeing-what-data-we-could-share-a-year-on-issue-8.md",
        "2025-03-agreeing-what-data-we-could-share-a-year-on.md",
    ]
    schema, rest = FULL_STORY.split("\n", 2)[1:]
    made = f"---\n{schema}\n# made from issue #7 by the story workflow\n{rest}"
    assert (content / "stories" / stories[1]).read_text(encoding="utf-8") == made
    (content / "stories" / stories[0]).unlink()
    assert casebook_main(["check", "--content", str(content)]) == 0
    out = tmp_path / "site"
    assert casebook_main(["build", "--content", str(content), "--output", str(out)]) == 0


def test_an_anonymous_issue_with_windows_line_ends(content_tree) -> None:
    draft = draft_from_issue(
        body("anonymous-crlf.md"), SETTINGS.rubric, TODAY, "Sharing data without names"
    )
    text = story_text(draft, SCHEMA_URL)
    assert "anonymous: true\n" in text
    assert "\r" not in text
    assert "summary" not in text and "contributors" not in text and "tags" not in text
    assert [a.sub_element.id for a in draft.assessments] == ["trust"]
    content = content_tree({"2025-03-sharing-data-without-names.md": text})
    assert casebook_main(["check", "--content", str(content)]) == 0


def test_every_problem_is_listed(tmp_path: Path, monkeypatch, capsys) -> None:
    with pytest.raises(ConversionError) as caught:
        draft_from_issue(body("problems.md"), SETTINGS.rubric, TODAY, "Story:  ")
    assert caught.value.problems == (
        "Issue title: write your story's title in the issue's title, after 'Story:'",
        "Date of the self-assessment: date '14/03/2025' is not in year-month-day form; "
        "write it as 2025-03-14",
        "Institution: no answer; this question needs one",
        "Partnership: Developing trust: unknown stage 'Sixth stage'; choose 1 (Early stages), "
        "2 (Developing), 3 (Developed), 4 (Refining) or 5 (Best practice)",
        "choose a stage for at least one part of the tool",
        "Topics (optional): tag 'Data Sharing' may use only lowercase letters, digits and "
        "hyphens; for example 'data-sharing'",
        "Consent: the box is not ticked; we publish a story only when both partners and "
        "everyone named agreed",
    )
    monkeypatch.setenv("ISSUE_BODY", body("problems.md"))
    report = tmp_path / "report.md"
    content = REPO / "content"
    argv = ["convert", "--content", str(content), "--issue", "12", "--report", str(report)]
    assert main(argv) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[1] == (
        "casebook: issue #12: Date of the self-assessment: date '14/03/2025' is not in "
        "year-month-day form; write it as 2025-03-14"
    )
    assert len(err) == 7
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "The story could not be made from this issue:"
    assert lines[4] == "    - Institution: no answer; this question needs one"
    assert lines[-1] == (
        "Edit the issue to fix these (the ⋯ menu, then Edit), then add a comment here to say "
        "so: a maintainer will remove the label and add it again to try once more."
    )


def test_every_bad_topic_is_named() -> None:
    topics = body("problems.md").replace(
        "\nData Sharing\n", "\nData Sharing, outreach, WP events\n"
    )
    problems = refusal(topics)
    assert [p for p in problems if p.startswith("Topics")] == [
        "Topics (optional): tag 'Data Sharing' may use only lowercase letters, digits and "
        "hyphens; for example 'data-sharing'",
        "Topics (optional): tag 'WP events' may use only lowercase letters, digits and "
        "hyphens; for example 'wp-events'",
    ]


def test_no_stage_chosen() -> None:
    problems = refusal(body("no-stage.md"))
    assert problems == ("choose a stage for at least one part of the tool",)


def test_an_issue_not_made_with_the_form() -> None:
    problems = refusal(body("not-the-form.md"))
    (problem,) = problems
    assert problem.startswith("the issue has no 'Date of the self-assessment', 'Institution'")
    assert problem.endswith("'Consent'; was it made with the Share a story form?")


def test_a_future_date_and_a_hidden_control_character() -> None:
    text = body("full.md").replace("2025-03-14", "2027-01-01")
    text = text.replace("but it is not signed yet", "but it is not\u202e signed yet")
    problems = refusal(text)
    assert problems == (
        "Date of the self-assessment: date 2027-01-01 is in the future; use the day of the "
        "self-assessment",
        "Why we placed ourselves here: contains an invisible control character; retype it",
    )


def test_a_picture_pasted_into_the_issue_is_named_not_published() -> None:
    """GitHub writes a pasted picture as an <img> tag (alt text its file name) or as Markdown;
    either would fail `check` with advice about story folders, or show as a tag."""
    pasted = (
        '<img width="800" alt="Our plan" '
        'src="https://github.com/user-attachments/assets/0b6e6a8e-1234" />'
    )
    text = body("full.md").replace(
        "but it is not signed yet",
        f"but it is not signed yet\n\n{pasted}\n\n"
        "![](https://github.com/user-attachments/assets/1b6e) and <IMG SRC='x.png'>",
    )
    text = text.replace(
        "How we agreed what data we could share, and why it took a year.",
        "How we agreed. ![Signing\nday](https://example.org/a.png)",
    )
    problems = refusal(text)
    advice = (
        "cannot be published from an issue; remove it, and if the story needs it, say so in a "
        "comment: a maintainer can add it to the story"
    )
    assert problems == (
        f"Summary (optional): the picture 'Signing day' {advice}",
        f"Why we placed ourselves here: the picture 'Our plan' {advice}",
        f"Why we placed ourselves here: a picture {advice}",
        f"Why we placed ourselves here: a picture {advice}",
    )


def test_a_date_before_2000() -> None:
    text = body("full.md").replace("2025-03-14", "1925-03-14")
    problems = refusal(text)
    assert problems == (
        "Date of the self-assessment: date 1925-03-14 is before 2000; check the year: the date "
        "is the day the self-assessment was made",
    )


def test_both_names_taken_is_an_error_not_an_overwrite(content_tree) -> None:
    from casebook.issueform import write_story

    draft = draft_from_issue(body("full.md"), SETTINGS.rubric, TODAY, ISSUE_TITLE)
    stem = "2025-03-agreeing-what-data-we-could-share-a-year-on"
    content = content_tree({f"{stem}.md": "first\n", f"{stem}-issue-7/index.md": "second\n"})
    with pytest.raises(ConversionError) as caught:
        write_story(draft, SETTINGS, content, 7)
    (problem,) = caught.value.problems
    assert problem == (
        f"{content}/stories/{stem}.md and {content}/stories/{stem}-issue-7 already exist, not "
        "overwriting; if one of them is this issue's story, edit that file in a pull request "
        "instead"
    )
    assert (content / "stories" / f"{stem}.md").read_text(encoding="utf-8") == "first\n"


def test_the_workflow_run_again_after_its_story_was_merged_makes_no_second_story(
    content_tree, monkeypatch, capsys
) -> None:
    """The label taken off and put back after the pull request was merged: the story made
    from the issue is found by its origin line, whatever its name now, and not made again."""
    content = content_tree({})
    monkeypatch.setenv("ISSUE_BODY", body("full.md"))
    monkeypatch.setenv("ISSUE_TITLE", ISSUE_TITLE)
    assert main(["convert", "--content", str(content), "--issue", "7"]) == 0
    stories = content / "stories"
    (made,) = stories.iterdir()
    (stories / "renamed-by-a-maintainer").mkdir()
    made.rename(stories / "renamed-by-a-maintainer" / "index.md")
    capsys.readouterr()
    report = content.parent / "report.md"
    args = ["convert", "--content", str(content), "--issue", "7", "--report", str(report)]
    assert main(args) == 1
    assert capsys.readouterr().err == (
        f"casebook: issue #7: {stories}/renamed-by-a-maintainer/index.md was made from this "
        "issue already; to change it, edit that file in a pull request, or delete it first to "
        "make it again from the issue\n"
    )
    assert report.is_file()
    assert sorted(p.name for p in stories.iterdir()) == ["renamed-by-a-maintainer"]
    assert main(["convert", "--content", str(content), "--issue", "17"]) == 0


@pytest.mark.parametrize(
    ("issue_title", "title"),
    [
        ("Story: Our shared calendar", "Our shared calendar"),
        ("story:Our shared calendar ", "Our shared calendar"),
        ("Our shared calendar", "Our shared calendar"),
        ("Story: Story: the sequel", "Story: the sequel"),
    ],
)
def test_the_title_comes_from_the_issue_title(issue_title: str, title: str) -> None:
    draft = draft_from_issue(body("full.md"), SETTINGS.rubric, TODAY, issue_title)
    assert draft.title == title


def test_an_anonymous_issue_may_not_name_its_writers() -> None:
    text = body("full.md").replace("- [ ] Hide the institution's", "- [X] Hide the institution's")
    problems = refusal(text)
    assert problems == (
        "Who wrote it (optional): an anonymous story can't list contributors by name; leave "
        "it empty, or untick 'Hide the institution's and the students' union's names on the "
        "site'",
    )


def test_a_date_in_other_digits_is_reported(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("ISSUE_BODY", body("full.md").replace("2025-03-14", "２０２５-０３-１４"))
    monkeypatch.setenv("ISSUE_TITLE", ISSUE_TITLE)
    report = tmp_path / "report.md"
    content = REPO / "content"
    argv = ["convert", "--content", str(content), "--issue", "3", "--report", str(report)]
    assert main([*argv, "--today", TODAY.isoformat()]) == 1
    problem = (
        "Date of the self-assessment: date '２０２５-０３-１４' uses digits other than 0-9; "
        "write it as 2025-03-14"
    )
    assert capsys.readouterr().err == f"casebook: issue #3: {problem}\n"
    assert report.read_text(encoding="utf-8").splitlines()[2] == f"    - {problem}"


def test_answers_that_are_not_utf8_are_reported(tmp_path: Path, monkeypatch) -> None:
    """The environment hands bytes that are not UTF-8 on as lone surrogates."""
    text = body("full.md").replace("not signed yet", "not sign\udce9 yet")
    text = text.replace("data-sharing, outreach", "data-sharing, outr\udce9ach")
    monkeypatch.setenv("ISSUE_BODY", text)
    monkeypatch.setenv("ISSUE_TITLE", "Story: Caf\udce9")
    report = tmp_path / "report.md"
    content = REPO / "content"
    argv = ["convert", "--content", str(content), "--issue", "4", "--report", str(report)]
    assert main([*argv, "--today", TODAY.isoformat()]) == 1
    unreadable = "contains characters that could not be read (it is not UTF-8 text); retype it"
    assert report.read_text(encoding="utf-8").splitlines()[2:5] == [
        f"    - Issue title: the title {unreadable}",
        f"    - Why we placed ourselves here: the text {unreadable}",
        f"    - Topics (optional): the list of topics {unreadable}",
    ]


def test_what_the_contributor_typed_is_shown_in_the_report_never_as_markdown(
    tmp_path: Path, monkeypatch
) -> None:
    """The bot posts the report on the issue: a link, an @mention or a fence typed as the
    date must not become a link, a ping or the end of the code block."""
    typed = "@octocat [sign in](https://evil.example/login)\n~~~~\n```\n# Heading"
    monkeypatch.setenv("ISSUE_BODY", body("full.md").replace("2025-03-14", typed))
    monkeypatch.setenv("ISSUE_TITLE", ISSUE_TITLE)
    report = tmp_path / "report.md"
    content = REPO / "content"
    argv = ["convert", "--content", str(content), "--issue", "5", "--report", str(report)]
    assert main([*argv, "--today", TODAY.isoformat()]) == 1
    lines = report.read_text(encoding="utf-8").split("\n")
    assert lines[:2] == ["The story could not be made from this issue:", ""]
    assert lines[-3:] == ["", AFTER_EDITING, ""]
    quoted = lines[2:-3]
    assert quoted[0].startswith("    - Date of the self-assessment: date '@octocat [sign in]")
    assert all(line.startswith("    ") for line in quoted), quoted


def _rubric_with(rename: str | None = None, add: bool = False):
    """The rubric with the trust sub-element renamed, or with a sub-element added."""
    rubric = SETTINGS.rubric
    first = rubric.commitments[0]
    subs = list(first.sub_elements)
    if rename is not None:
        subs[0] = dataclasses.replace(subs[0], name=rename)
    if add:
        subs.append(dataclasses.replace(subs[0], id="listening", letter="d", name="Listening"))
    commitment = dataclasses.replace(first, sub_elements=tuple(subs))
    return dataclasses.replace(rubric, commitments=(commitment, *rubric.commitments[1:]))


def test_an_issue_made_before_a_sub_element_was_added_still_converts() -> None:
    draft = draft_from_issue(body("full.md"), _rubric_with(add=True), TODAY, ISSUE_TITLE)
    assert "listening" not in [a.sub_element.id for a in draft.assessments]
    assert "trust" in [a.sub_element.id for a in draft.assessments]


def test_an_issue_made_before_a_sub_element_was_renamed_says_what_to_change() -> None:
    """Its answer would be lost if the old question were passed over: it is named instead."""
    rubric = _rubric_with(rename="Building trust")
    with pytest.raises(ConversionError) as caught:
        draft_from_issue(body("full.md"), rubric, TODAY, ISSUE_TITLE)
    assert caught.value.problems == (
        "the form changed after this issue was made: it no longer asks 'Partnership: "
        "Developing trust' (answered '2 Developing'); a maintainer can edit the issue and "
        "rename each such heading to the question it became, one of 'Partnership: Building "
        "trust', or remove it",
    )


def test_a_heading_in_an_answer_is_not_taken_for_an_old_question() -> None:
    text = body("full.md").replace("2 Developing", "_No response_", 1)
    text = text.replace("### Partnership: Developing trust", "### Partnership: Old trust", 1)
    rubric = _rubric_with(add=True)
    answer = "### Our heading\n\nSome words of our own."
    with pytest.raises(ConversionError) as caught:
        draft_from_issue(text.replace("not signed yet", answer), rubric, TODAY, ISSUE_TITLE)
    (problem,) = caught.value.problems
    assert "'Partnership: Old trust' (answered '_No response_')" in problem
    assert "Our heading" not in problem


def test_a_story_from_an_issue_is_shared_on_this_machines_day() -> None:
    """The converter's today is the latest anywhere (tomorrow in Britain from 10 a.m.); the
    day a story is shared is the machine's own, and never before the story's date."""
    here = dt.date.today()
    latest = here + dt.timedelta(days=1)
    assert storyinput.shared_day(here - dt.timedelta(days=10), latest) == here
    assert storyinput.shared_day(latest, latest) == latest  # assessed today in New Zealand
    assert storyinput.shared_day(dt.date(2025, 3, 14), TODAY) == TODAY  # --today in the past
