"""What each field of the open data files means: one list, read by the /data/ page and checked
against the files by the tests, so the documentation cannot drift from the data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataField:
    name: str
    kind: str
    description: str


HEADER_FIELDS: tuple[DataField, ...] = (
    DataField("schema", "text", "“casebook-stories” or “casebook-rubric”: which file this is."),
    DataField(
        "schema_version",
        "number",
        "The version of this layout. It goes up only when a field is removed or changes meaning.",
    ),
    DataField("documentation", "URL", "This page."),
    DataField("site", "object", "The site’s title and address."),
    DataField(
        "generated_from",
        "object",
        "The repository the content comes from, the current version of the tool and the newest "
        "date in the content. There is no build time: the same content always gives the same file.",
    ),
)

STORIES_FIELDS: tuple[DataField, ...] = (
    DataField("licence", "object", "The licence of the stories: its name and the URL of its text."),
    DataField("story_count", "number", "How many stories follow."),
    DataField("stories", "list", "Every published story, oldest first (then by id)."),
)

STORY_FIELDS: tuple[DataField, ...] = (
    DataField(
        "id",
        "text",
        "The story’s stable identifier: its file name, which is also the last part of its URL.",
    ),
    DataField("url", "URL", "The story’s page."),
    DataField("title", "text", "The title, as its writers gave it."),
    DataField("date", "date", "When the self-assessment was made, as YYYY-MM-DD."),
    DataField(
        "shared",
        "date or null",
        "The day the story was shared on this site, as YYYY-MM-DD; null when the story does "
        "not say (it was written before the field existed, or by hand without it).",
    ),
    DataField("summary", "text or null", "The writers’ one or two sentence summary, if any."),
    DataField(
        "anonymous",
        "true or false",
        "True when the partnership asked not to be named: its institution, students’ union "
        "and partnership page are then null.",
    ),
    DataField(
        "partnership",
        "object",
        "institution, students_union (the names, or null when anonymous) and url (the "
        "partnership’s page, or null).",
    ),
    DataField("perspective", "text", "Who wrote it: joint, students-union or institution."),
    DataField("perspective_label", "text", "The same, in words."),
    DataField("assessments", "list", "Where the partnership placed itself: see below."),
    DataField("contributors", "list", "People named by the story: name and role (or null)."),
    DataField("tags", "list of text", "Topics, as lowercase words joined by hyphens."),
    DataField("example", "true or false", "True for a fictional example written for this site."),
    DataField("draft", "true or false", "True only in a preview build that includes drafts."),
    DataField(
        "rubric_version",
        "text",
        "The version of the tool in force on the story’s date: the wording it was assessed "
        "against.",
    ),
    DataField(
        "body_text",
        "text",
        "The story as plain text, without formatting, links or pictures, white space made "
        "single spaces.",
    ),
)

ASSESSMENT_FIELDS: tuple[DataField, ...] = (
    DataField("commitment_id", "text", "The commitment’s id, as in rubric.json."),
    DataField("commitment", "text", "The commitment’s name."),
    DataField("sub_element_id", "text", "The sub-element’s id, as in rubric.json, such as trust."),
    DataField("sub_element", "text", "The sub-element’s name."),
    DataField("stage", "number", "The stage, from 1 (Early stages) to 5 (Best practice)."),
    DataField("stage_name", "text", "The stage’s name."),
    DataField("url", "URL", "The page of that stage of that sub-element."),
)

CSV_FIELDS: tuple[DataField, ...] = (
    DataField("story_id", "text", "The story’s id (see stories.json)."),
    DataField("url", "URL", "The story’s page."),
    DataField("title", "text", "The story’s title."),
    DataField("date", "date", "When the self-assessment was made, as YYYY-MM-DD."),
    DataField("anonymous", "true or false", "True when the partnership is not named."),
    DataField("institution", "text", "The institution; empty when anonymous."),
    DataField("students_union", "text", "The students’ union; empty when anonymous."),
    DataField("perspective", "text", "joint, students-union or institution."),
    DataField("commitment_id", "text", "The commitment’s id."),
    DataField("commitment", "text", "The commitment’s name."),
    DataField("sub_element_id", "text", "The sub-element’s id."),
    DataField("sub_element", "text", "The sub-element’s name."),
    DataField("stage", "number", "The stage, 1 to 5."),
    DataField("stage_name", "text", "The stage’s name."),
    DataField("rubric_version", "text", "The version of the tool in force on the date."),
    DataField("tags", "text", "The story’s topics, joined by “; ”."),
    DataField("example", "true or false", "True for a fictional example."),
    DataField(
        "shared", "date", "The day the story was shared on this site; empty when it does not say."
    ),
)

RUBRIC_FIELDS: tuple[DataField, ...] = (
    DataField("title", "text", "The tool’s full title."),
    DataField("short_title", "text", "The short name this site uses."),
    DataField("authors", "list of text", "The people who wrote the tool."),
    DataField("makers", "list of text", "The organisations they wrote it at."),
    DataField("attribution", "text", "How to credit the tool."),
    DataField("introduction", "list of text", "The tool’s introduction, paragraph by paragraph."),
    DataField("how_it_works", "list of text", "“How we thought it might work”, by paragraph."),
    DataField("version", "text", "The current version of the wording."),
    DataField(
        "changelog",
        "list",
        "Every version, newest first: version, date (or null) and what changed.",
    ),
    DataField("stages", "list", "The stages: number and name."),
    DataField(
        "commitments",
        "list",
        "The commitments (id, number, name, question, summary) and their sub_elements (id, "
        "letter, name and descriptors: one per stage, with stage, stage_name and the text, "
        "verbatim).",
    ),
)
