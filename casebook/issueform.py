"""The "Share a story" issue form, and turning an issue made with it into a story file.

The form (.github/ISSUE_TEMPLATE/share-a-story.yml) is generated from the rubric here, so its
labels are exactly the ones the converter reads. GitHub renders a submitted form as Markdown:
one `### Label` line per field, a blank line, then the answer; `_No response_` for an empty
one; `- [X] option` for a ticked box. The story workflow runs

    python -m casebook.issueform convert --issue N      (the body in the ISSUE_BODY variable)

and opens a pull request with the file it writes; `python -m casebook.issueform template`
prints the form.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import storyinput
from .characters import FORBIDDEN_CHARS, unix_line_ends
from .model import ABBREVIATIONS, PERSPECTIVES, Assessment, Rubric, typed
from .newstory import Settings, load_story_settings, write_new_story
from .options import latest_today
from .problems import ContentError, display_path, quoted
from .storyinput import AnswerError
from .storytext import NEXT_HEADING, WHY_HEADING, StoryDraft

NO_RESPONSE = "_No response_"
TEMPLATE_PATH = Path(".github") / "ISSUE_TEMPLATE" / "share-a-story.yml"


@dataclass(frozen=True)
class Field:
    id: str
    label: str
    kind: str  # input, textarea, dropdown or checkboxes
    required: bool
    description: str = ""
    options: tuple[str, ...] = ()


# The form's words keep the straight apostrophe a keyboard types, where the site's use ’
# (model.typed): GitHub copies its labels and options into each issue, and the converter
# finds the answers by them, in issues opened long ago too.
TITLE_PREFIX = "Story: "
DATE = Field(
    "date",
    "Date of the self-assessment",
    "input",
    True,
    "The day you agreed where you are, written year-month-day, for example 2025-03-14 "
    "(not 14/03/2025).",
)
INSTITUTION = Field("institution", "Institution", "input", True, "The university or college.")
UNION = Field("students_union", "Students' union", "input", True, "The students' union's name.")
ANONYMOUS = Field(
    "anonymous",
    "Anonymity",
    "checkboxes",
    False,
    "The site will not show the names. This issue and the story file on GitHub are public, "
    "so anyone can still find them there: for a story that must stay private, ask a "
    "maintainer to submit it for you instead.",
    ("Hide the institution's and the students' union's names on the site",),
)
PERSPECTIVE = Field(
    "perspective",
    "Who is writing the story?",
    "dropdown",
    True,
    "",
    tuple(typed(label) for label in PERSPECTIVES.values()),
)
SUMMARY = Field(
    "summary",
    "Summary (optional)",
    "textarea",
    False,
    "One or two sentences shown in lists of stories and in the feed.",
)
WHY = Field(
    "why",
    WHY_HEADING,
    "textarea",
    True,
    "What your partnership looks like today and which of the tool's words for this stage "
    "match it. Be "
    "honest about why you are not at the next stage yet: that is what helps others most.",
)
NEXT = Field(
    "next",
    NEXT_HEADING,
    "textarea",
    True,
    "What you will do next, and what you think reaching the next stage will take.",
)
CONTRIBUTORS = Field(
    "contributors",
    "Who wrote it (optional)",
    "textarea",
    False,
    "One person a line: a name, then a comma and a role if you like, for example: "
    "A. Person, student officer",
)
TAGS = Field(
    "tags",
    "Topics (optional)",
    "input",
    False,
    "Lowercase words joined by hyphens and separated by commas, for example: "
    "data-sharing, mature-students",
)
CONSENT = Field(
    "consent",
    "Consent",
    "checkboxes",
    True,
    "",
    (
        "Both partners, and everyone named in this story, agreed to publish it on the site, "
        "where anyone can read it",
    ),
)


def stage_field(rubric: Rubric, sub_id: str) -> Field:
    sub = rubric.sub_element(sub_id)
    commitment = rubric.commitment(sub.commitment_id)
    stages = "\n".join(
        f"- **{s.number} {s.name}**: {sub.descriptor(s.number)}" for s in rubric.stages
    )
    return Field(
        f"stage-{sub.id}",
        f"{commitment.name}: {sub.name}",
        "dropdown",
        False,
        f"Leave empty if your story is not about this. The stages:\n\n{stages}",
        tuple(f"{s.number} {s.name}" for s in rubric.stages),
    )


def form_fields(rubric: Rubric) -> tuple[Field, ...]:
    stages = tuple(stage_field(rubric, sub.id) for sub in rubric.sub_elements)
    head = (DATE, INSTITUTION, UNION, ANONYMOUS, PERSPECTIVE)
    return (*head, *stages, SUMMARY, WHY, NEXT, CONTRIBUTORS, TAGS, CONSENT)


def template_yaml(rubric: Rubric, site_url: str) -> str:
    """The issue form, as .github/ISSUE_TEMPLATE/share-a-story.yml holds it."""
    body: list[dict[str, Any]] = [
        {
            "type": "markdown",
            "attributes": {
                "value": (
                    "Tell others where your partnership placed itself on the "
                    f"[{rubric.short_title}]({site_url}rubric/), why, and how you will move "
                    f"on. {typed(ABBREVIATIONS)} **Write your story's title in the issue's "
                    "title above, after "
                    f"“{TITLE_PREFIX.strip()}”.** "
                    "Choose a stage only for the parts your story is about. Write in words: a "
                    "picture pasted into the issue cannot be published from it. A maintainer "
                    "turns this issue into a story file, checks it and publishes it; nothing "
                    "is published before that."
                )
            },
        }
    ]
    for field in form_fields(rubric):
        attributes: dict[str, Any] = {"label": field.label}
        if field.description:
            attributes["description"] = field.description
        if field.kind == "dropdown":
            attributes["options"] = list(field.options)
        elif field.kind == "checkboxes":
            attributes["options"] = [
                {"label": o, "required": field.required} for o in field.options
            ]
        item: dict[str, Any] = {"type": field.kind, "id": field.id, "attributes": attributes}
        if field.kind != "checkboxes":
            item["validations"] = {"required": field.required}
        body.append(item)
    form = {
        "name": "Share a story",
        "description": "Tell how your partnership placed itself on the tool, and how you will "
        "move on. No git needed.",
        "title": TITLE_PREFIX,
        "labels": ["story-submission"],
        "body": body,
    }
    header = "# Made by `python -m casebook.issueform template`; edit casebook/issueform.py.\n"
    return header + yaml.safe_dump(form, sort_keys=False, allow_unicode=True, width=100)


AFTER_EDITING = (
    "Edit the issue to fix these (the ⋯ menu, then Edit), then add a comment here to say "
    "so: a maintainer will remove the label and add it again to try once more."
)


def report_text(problems: tuple[str, ...]) -> str:
    """The comment the workflow posts on the issue: the problems in an indented code block,
    every line of it indented, so that what the contributor typed and the problems quote
    (a link, an @mention, a closing fence) is shown as typed, never as Markdown."""
    lines = [f"    {line}" for problem in problems for line in f"- {problem}".splitlines()]
    return (
        "The story could not be made from this issue:\n\n"
        + "\n".join(lines)
        + f"\n\n{AFTER_EDITING}\n"
    )


class ConversionError(Exception):
    """Every problem with an issue's answers, each naming the question."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


# A picture, as GitHub writes one pasted into an issue (Markdown or an <img> tag), and an
# <img> tag's alt text. The /contribute/ form's script reads with the same two patterns
# (casebook/contribute.py), case-blind as here.
PICTURE = re.compile(r"!\[([^\]]*)\]\(|<img\b[^>]*>", re.IGNORECASE)
PICTURE_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def picture_problems(text: str) -> list[str]:
    """One message for each picture in an answer, in order. The site shows only pictures kept
    beside a story, which an issue cannot give; GitHub shows the picture in the issue, so
    without this the story would fail `check` with advice about folders, or show the tag."""
    found = []
    for match in PICTURE.finditer(text):
        if match.group(1) is not None:
            alt = match.group(1)
        else:
            attribute = PICTURE_ALT.search(match.group())
            alt = next((g for g in attribute.groups() if g is not None), "") if attribute else ""
        which = f"the picture {quoted(alt)}" if alt.strip() else "a picture"
        found.append(
            f"{which} cannot be published from an issue; remove it, and if the story needs "
            "it, say so in a comment: a maintainer can add it to the story"
        )
    return found


def _lines(body: str) -> list[str]:
    """The issue's lines, whichever line ends GitHub handed it with."""
    return unix_line_ends(body).split("\n")


def sections(body: str, fields: tuple[Field, ...]) -> dict[str, str]:
    """Each field's answer by id. Only the form's own labels start a section, so a `###`
    heading inside someone's answer stays part of that answer."""
    by_label = {f"### {f.label}": f for f in fields}
    answers: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in _lines(body):
        field = by_label.get(line.rstrip())
        if field is not None and field.id not in answers:
            current = answers[field.id] = []
        elif current is not None:
            current.append(line)
    result = {}
    for key, lines in answers.items():
        text = "\n".join(lines).strip()
        result[key] = "" if text == NO_RESPONSE else text
    return result


def _old_stage_questions(body: str, fields: tuple[Field, ...], rubric: Rubric) -> str:
    """The body's `### ` headings that the form does not have but that were answered as a
    stage question is (with a stage, or not at all), each with its answer."""
    known = {f"### {field.label}" for field in fields}
    answers = {NO_RESPONSE, *(f"{s.number} {s.name}" for s in rubric.stages)}
    lines = [line.rstrip() for line in _lines(body)]
    found = []
    for at, line in enumerate(lines):
        if not line.startswith("### ") or line in known:
            continue
        answer = next((later.strip() for later in lines[at + 1 :] if later.strip()), "")
        if answer in answers:
            found.append(f"'{line[4:]}' (answered '{answer}')")
    return ", ".join(found)


def ticked(answer: str, option: str) -> bool:
    return f"- [x] {option}" in answer or f"- [X] {option}" in answer


def story_title(issue_title: str) -> str:
    """The story's title: the issue's, without the form's "Story: " in front."""
    title = issue_title.strip()
    prefix = TITLE_PREFIX.strip().casefold()
    if title.casefold().startswith(prefix):
        title = title[len(prefix) :]
    if not title.strip():
        raise AnswerError(
            f"write your story's title in the issue's title, after '{TITLE_PREFIX.strip()}'"
        )
    return storyinput.title(title)


def draft_from_issue(
    body: str, rubric: Rubric, today: dt.date, issue_title: str = ""
) -> StoryDraft:
    """The story an issue describes; ConversionError lists every problem at once."""
    fields = form_fields(rubric)
    answers = sections(body, fields)
    problems: list[str] = []
    missing = [f for f in fields if f.id not in answers]
    if any(not f.id.startswith("stage-") for f in missing):
        listed = ", ".join(f"'{f.label}'" for f in missing)
        raise ConversionError(
            [f"the issue has no {listed}; was it made with the Share a story form?"]
        )
    if missing:  # only stage questions: the tool's parts changed after the issue was made
        old = _old_stage_questions(body, fields, rubric)
        if old:
            asked = ", ".join(f"'{f.label}'" for f in missing)
            raise ConversionError(
                [
                    f"the form changed after this issue was made: it no longer asks {old}; "
                    "a maintainer can edit the issue and rename each such heading to the "
                    f"question it became, one of {asked}, or remove it"
                ]
            )
        answers.update({f.id: "" for f in missing})  # a part added since: not answered

    def read(field: Field, reader: Callable[[str], Any], default: Any = None) -> Any:
        answer = answers[field.id]
        if not answer and not field.required:
            return default
        if not answer:
            problems.append(f"{field.label}: no answer; this question needs one")
            return default
        try:
            return reader(answer)
        except AnswerError as error:
            problems.append(f"{field.label}: {error}")
            return default

    title = None
    try:
        title = story_title(issue_title)
    except AnswerError as error:
        problems.append(f"Issue title: {error}")
    date = read(DATE, lambda a: storyinput.date(a, today))
    institution = read(INSTITUTION, lambda a: storyinput.name(a, "institution"))
    union = read(UNION, lambda a: storyinput.name(a, "union's name"))
    perspective = read(PERSPECTIVE, storyinput.perspective)
    assessments = []
    for sub in rubric.sub_elements:
        stage = read(stage_field(rubric, sub.id), lambda a: storyinput.stage(a, rubric))
        if stage is not None:
            assessments.append(Assessment(sub, stage))
    if not assessments:
        problems.append("choose a stage for at least one part of the tool")
    summary = read(SUMMARY, storyinput.summary, "")
    why = read(WHY, lambda a: storyinput.readable(a, "text"), "")
    next_steps = read(NEXT, lambda a: storyinput.readable(a, "text"), "")
    for field, text in ((WHY, why), (NEXT, next_steps)):
        if FORBIDDEN_CHARS.search(text.replace("\t", " ")):
            problems.append(f"{field.label}: contains an invisible control character; retype it")
    for field, text in ((SUMMARY, summary), (WHY, why), (NEXT, next_steps)):
        problems.extend(f"{field.label}: {problem}" for problem in picture_problems(text))
    contributors = read(CONTRIBUTORS, storyinput.contributors, ())
    tag_problems = storyinput.tag_problems(answers[TAGS.id])
    problems.extend(f"{TAGS.label}: {problem}" for problem in tag_problems)
    tags = () if tag_problems else storyinput.tags(answers[TAGS.id])
    anonymous = ticked(answers[ANONYMOUS.id], ANONYMOUS.options[0])
    if anonymous and contributors:
        problems.append(
            f"{CONTRIBUTORS.label}: an anonymous story can't list contributors by name; leave "
            f"it empty, or untick '{ANONYMOUS.options[0]}'"
        )
    if not ticked(answers[CONSENT.id], CONSENT.options[0]):
        problems.append(
            "Consent: the box is not ticked; we publish a story only when both partners and "
            "everyone named agreed"
        )
    if problems:
        raise ConversionError(problems)
    return StoryDraft(
        title=title,
        date=date,
        institution=institution,
        students_union=union,
        perspective=perspective,
        assessments=tuple(assessments),
        summary=summary,
        contributors=contributors,
        tags=tags,
        anonymous=anonymous,
        why=why,
        next_steps=next_steps,
        shared=storyinput.shared_day(date, today),
    )


def origin_line(issue: int) -> str:
    """The comment a story made from this issue carries in its front matter."""
    return f"# made from issue #{issue} by the story workflow"


def made_from(content: Path, issue: int) -> Path | None:
    """The story already made from this issue (its front matter has origin_line), if any."""
    wanted = origin_line(issue)
    folder = content / "stories"
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    for name in names:
        path = folder / name / "index.md" if (folder / name).is_dir() else folder / name
        if path.suffix != ".md" or path.is_symlink() or not path.is_file():
            continue
        try:
            with path.open(encoding="utf-8", errors="replace") as file:
                lines = [file.readline().rstrip("\r\n") for _ in range(3)]
        except OSError:
            continue
        if lines[0] == "---" and wanted in lines[1:]:
            return path
    return None


def write_story(draft: StoryDraft, settings: Settings, content: Path, issue: int) -> Path:
    """Write the story; the issue number keeps the name free when the plain one is taken.
    A story already made from this issue (the workflow run again after its pull request was
    merged) is not made twice."""
    made = made_from(content, issue)
    if made is not None:
        message = (
            f"{display_path(made)} was made from this issue already; to change it, edit that "
            "file in a pull request, or delete it first to make it again from the issue"
        )
        raise ConversionError([message])
    try:
        return write_new_story(
            draft, settings, content, ("", f"-issue-{issue}"), origin_line(issue)
        )
    except FileExistsError as error:
        names = " and ".join(display_path(path) for path in error.args)
        message = (
            f"{names} already exist, not overwriting; if one of them is this issue's story, "
            "edit that file in a pull request instead"
        )
        raise ConversionError([message]) from None
    except OSError as error:
        folder = display_path(content / "stories")
        message = f"could not write the story into {folder}: {error.strerror or error}"
        raise ConversionError([message]) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m casebook.issueform")
    commands = parser.add_subparsers(dest="command", required=True)
    template = commands.add_parser("template", help="print the issue form")
    template.add_argument("--content", type=Path, default=Path("content"))
    convert = commands.add_parser("convert", help="write the story an issue describes")
    convert.add_argument("--content", type=Path, default=Path("content"))
    convert.add_argument("--issue", type=int, required=True, help="the issue's number")
    convert.add_argument("--body-env", default="ISSUE_BODY", help="variable holding the body")
    convert.add_argument(
        "--title-env", default="ISSUE_TITLE", help="variable holding the issue's title"
    )
    convert.add_argument("--report", type=Path, help="write problems here, as Markdown")
    convert.add_argument("--today", type=dt.date.fromisoformat, default=latest_today())
    args = parser.parse_args(argv)
    try:
        settings = load_story_settings(args.content)
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    if args.command == "template":
        sys.stdout.write(template_yaml(settings.rubric, settings.site.base_url))
        return 0
    try:
        draft = draft_from_issue(
            os.environ.get(args.body_env, ""),
            settings.rubric,
            args.today,
            os.environ.get(args.title_env, ""),
        )
        path = write_story(draft, settings, args.content, args.issue)
    except ConversionError as error:
        for problem in error.problems:
            print(f"casebook: issue #{args.issue}: {problem}", file=sys.stderr)
        if args.report:
            args.report.write_text(report_text(error.problems), encoding="utf-8")
        return 1
    print(display_path(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
