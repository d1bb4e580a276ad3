"""The rule that a story says something: its body has text besides headings, and no heading
stands over an empty section. `check` applies it; templates/static/contribute.js applies the
same rule to the two text boxes of the /contribute/ form.

Headings are ATX headings (`## Why we placed ourselves here`) outside fenced code blocks;
a section is everything under a heading up to the next heading of the same or a higher level
(fewer `#`), so text under a sub-heading counts for the heading above it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*\Z")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_COMMENT = re.compile(r"\s*<!--.*?-->\s*\Z")


@dataclass(frozen=True)
class BodyProblem:
    line: int  # in the file
    message: str


@dataclass(frozen=True)
class _Heading:
    line: int
    level: int
    text: str


def empty_story_message(headings: tuple[str, ...]) -> str:
    named = " and ".join(f"'## {h}'" for h in headings)
    return f"the story has no text; write a few sentences under the headings {named}"


def empty_section_message(heading: str, headings: tuple[str, ...] = ()) -> str:
    """Removing a heading is offered only for the writer's own; the two standard headings
    (`headings`) must stay and hold text."""
    message = f"the section '{heading}' is empty; write a few sentences under it"
    return message if heading in headings else f"{message}, or remove the heading"


def body_problems(body: str, first_line: int, headings: tuple[str, ...]) -> list[BodyProblem]:
    """What is missing from a story's body; `headings` are the two every story should have,
    named when the body is empty. An HTML comment alone on a line is not text."""
    lines = body.split("\n")
    found: list[_Heading] = []
    has_text: list[bool] = []  # per line: holds text (not a heading, blank or comment)
    fence = ""
    for number, line in enumerate(lines, start=first_line):
        if fence:
            has_text.append(True)
            if re.match(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*\Z", line):
                fence = ""
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)
            has_text.append(True)
            continue
        heading = _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            found.append(_Heading(number, level, (heading.group(2) or "").strip()))
            has_text.append(False)
            continue
        has_text.append(bool(line.strip()) and not _COMMENT.match(line))
    if not any(has_text):
        if found:
            return [_section_problem(h, headings) for h in found]
        return [BodyProblem(first_line, empty_story_message(headings))]
    problems = []
    for i, heading in enumerate(found):
        end = next(
            (h.line for h in found[i + 1 :] if h.level <= heading.level),
            first_line + len(lines),
        )
        if not any(has_text[heading.line - first_line + 1 : end - first_line]):
            problems.append(_section_problem(heading, headings))
    return problems


def _section_problem(heading: _Heading, headings: tuple[str, ...]) -> BodyProblem:
    text = heading.text or "#" * heading.level
    return BodyProblem(heading.line, empty_section_message(text, headings))
