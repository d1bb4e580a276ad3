"""A new story file's text, written the same way by `new`, the issue-form converter and the
/contribute/ form (templates/static/contribute.js mirrors these rules line for line, and a
browser test compares the two outputs).

Every value from a contributor is data: text is written as a plain YAML scalar only when it
cannot be read as anything else, and otherwise as a double-quoted string (JSON's escaping,
which YAML reads the same way), so a title can never become a number, a flag or more fields.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from .characters import unix_line_ends
from .model import Assessment, Contributor
from .slugs import shortened, slugify

SCHEMA_COMMENT = "# yaml-language-server: $schema="
WHY_HEADING = "Why we placed ourselves here"
NEXT_HEADING = "What we will do to move on"
MAX_NAME = 60

# Plain only when it starts with an ASCII letter and holds nothing YAML gives a meaning to.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 .,'’()&/-]*\Z")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


@dataclass(frozen=True)
class StoryDraft:
    """What a contributor told us; assessments come from the rubric, so ids are real."""

    title: str
    date: dt.date
    institution: str
    students_union: str
    perspective: str
    assessments: tuple[Assessment, ...]
    summary: str = ""
    contributors: tuple[Contributor, ...] = ()
    tags: tuple[str, ...] = ()
    anonymous: bool = False
    why: str = ""
    next_steps: str = ""
    shared: dt.date | None = None  # the day it is shared: the day the file is made


def yaml_scalar(text: str) -> str:
    """text as a YAML value that reads back as exactly this string."""
    if _PLAIN.match(text) and not text.endswith(" ") and text.lower() not in _RESERVED:
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    # YAML folds these two line separators inside quotes; JSON leaves them raw.
    return quoted.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def file_stem(draft: StoryDraft) -> str:
    """The story's file name without .md: year-month and the title, as a web address."""
    slug = shortened(slugify(draft.title) or "story", MAX_NAME)
    return f"{draft.date:%Y-%m}-{slug}"


def story_text(draft: StoryDraft, schema_url: str, origin: str = "") -> str:
    """The whole file: front matter (with the schema line editors read, and a comment line
    origin if given: where the story was made from), then the two headings."""
    lines = [
        "---",
        SCHEMA_COMMENT + schema_url,
        *([origin] if origin else []),
        f"title: {yaml_scalar(draft.title)}",
        f"date: {draft.date.isoformat()}",
        *([f"shared: {draft.shared.isoformat()}"] if draft.shared else []),
        "partnership:",
        f"  institution: {yaml_scalar(draft.institution)}",
        f"  students_union: {yaml_scalar(draft.students_union)}",
        f"perspective: {draft.perspective}",
        "assessments:",
    ]
    for a in draft.assessments:
        lines.append(f"  - sub_element: {a.sub_element.id}  # {a.sub_element.name}")
        lines.append(f"    stage: {a.stage.number}  # {a.stage.name}")
    if draft.summary:
        lines.append(f"summary: {yaml_scalar(draft.summary)}")
    if draft.contributors:
        lines.append("contributors:")
        for c in draft.contributors:
            lines.append(f"  - name: {yaml_scalar(c.name)}")
            if c.role:
                lines.append(f"    role: {yaml_scalar(c.role)}")
    if draft.tags:
        lines.append(f"tags: [{', '.join(yaml_scalar(t) for t in draft.tags)}]")
    if draft.anonymous:
        lines.append("anonymous: true")
    lines += ["---", f"## {WHY_HEADING}", ""]
    if draft.why.strip():
        lines += [_body(draft.why), ""]
    lines += [f"## {NEXT_HEADING}", ""]
    if draft.next_steps.strip():
        lines += [_body(draft.next_steps), ""]
    return "\n".join(lines)  # the last line is empty, so the file ends with one newline


def _body(text: str) -> str:
    """A section's text with Unix line ends and no trailing spaces on the whole."""
    return unix_line_ends(text).strip()
