"""The fields a story's front matter may have: one list read by validation and by the
field reference on /contribute/, so the documentation can never drift from the checks."""

from __future__ import annotations

from dataclasses import dataclass

MAX_TITLE = 200
MAX_ASSESSMENTS = 9


@dataclass(frozen=True)
class FieldSpec:
    name: str
    required: bool
    kind: str
    description: str
    example: str
    comment: str = ""  # said after the example in the template on /contribute/


STORY_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "title",
        True,
        "text",
        f"What the story is about, in a few words (at most {MAX_TITLE} characters).",
        "title: Agreeing a data-sharing protocol",
    ),
    FieldSpec(
        "date",
        True,
        "date",
        "When the self-assessment was made, as YYYY-MM-DD. Not in the future.",
        "date: 2025-03-14",
        "the day of the self-assessment",
    ),
    FieldSpec(
        "shared",
        False,
        "date",
        "The day the story was shared here, as YYYY-MM-DD. The form on /contribute/, the new "
        "command and the issue form fill it in. The feed and the home page’s latest stories "
        "come in this order. Not before the self-assessment’s date, and not in the future.",
        "shared: 2025-06-02",
        "the day you send the story",
    ),
    FieldSpec(
        "partnership",
        True,
        "institution and students_union",
        "The institution and the students’ union whose partnership this is.",
        "partnership:\n  institution: Example University\n"
        "  students_union: Example Students' Union",
    ),
    FieldSpec(
        "perspective",
        True,
        "joint, students-union or institution",
        "Who wrote the story: both partners together, the students’ union, or the institution.",
        "perspective: joint",
    ),
    FieldSpec(
        "assessments",
        True,
        f"a list of 1 to {MAX_ASSESSMENTS} sub_element and stage pairs",
        "Where the partnership placed itself: a sub-element id and a stage number, both "
        "listed below. Each sub-element at most once.",
        "assessments:\n  - sub_element: trust\n    stage: 2",
    ),
    FieldSpec(
        "summary",
        False,
        "text",
        "One or two sentences shown in lists of stories and in the feed.",
        "summary: How we agreed what data we could share, and why it took a year.",
    ),
    FieldSpec(
        "contributors",
        False,
        "a list of name and role",
        "Who wrote or contributed to the story. Role is optional.",
        "contributors:\n  - name: A. Person\n    role: student officer",
    ),
    FieldSpec(
        "tags",
        False,
        "a list of tags",
        "Topics, in lowercase letters, digits and hyphens.",
        "tags: [data-sharing, outreach]",
    ),
    FieldSpec(
        "draft",
        False,
        "true or false",
        "A draft is not published (unless the site is built with --drafts).",
        "draft: false",
    ),
    FieldSpec(
        "example",
        False,
        "true or false",
        "Only for the made-up stories that show how the site works (badged as examples); "
        "leave it out of a real story.",
        "example: false",
    ),
    FieldSpec(
        "anonymous",
        False,
        "true or false",
        "Hide the institution’s and the students’ union’s names everywhere on the site.",
        "anonymous: false",
    ),
)

FIELD_NAMES = tuple(f.name for f in STORY_FIELDS)
PARTNERSHIP_FIELDS = ("institution", "students_union")
ASSESSMENT_FIELDS = ("sub_element", "stage")
CONTRIBUTOR_FIELDS = ("name", "role")
PERSPECTIVE_IDS = ("joint", "students-union", "institution")
