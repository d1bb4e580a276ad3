"""A JSON Schema (draft 2020-12) for story front matter, made from the rubric and the field
list in storyfields, so an editor with a YAML language server checks a story as it is typed.

`check` remains the judge; the schema says the same wherever JSON Schema can say it, and a
test feeds both the same good and bad front matters. What it cannot say is in UNEXPRESSED.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .characters import FORBIDDEN_CHARS, VISIBLE
from .model import PERSPECTIVES, Rubric
from .slugs import MAX_TAG, SLUG_PATTERN
from .storyfields import MAX_TITLE, STORY_FIELDS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
MAX_NAME = 200  # institution, students' union, contributor names and roles
MAX_SUMMARY = 1000

# Rules `check` applies that this schema does not, and why it cannot.
UNEXPRESSED = (
    "a date in the future: the schema cannot know today's date",
    "a shared date before the story's date: the schema cannot compare two dates",
    "a stage written as 2.0: JSON Schema counts 2.0 as the whole number 2",
    "YAML-only mistakes (duplicate fields, anchors and aliases, tags, nesting deeper than 16): "
    "they are gone once YAML is read into JSON values",
    "rules across files (the same partnership spelt two ways, two stories at one address)",
    "length and emptiness are measured after trimming spaces at either end",
    "the file name, the story text and its images, which are outside the front matter",
)

Schema = dict[str, Any]


def ecma_pattern(pattern: str) -> str:
    """A regular expression with its invisible characters written as \\uXXXX escapes."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in pattern)


_VISIBLE_ONLY = "^[^" + ecma_pattern(FORBIDDEN_CHARS.pattern)[1:-1] + "]*$"


def _text_string(limit: int) -> Schema:
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": limit,
        "allOf": [
            {"pattern": ecma_pattern(VISIBLE.pattern), "description": "something visible"},
            {"pattern": _VISIBLE_ONLY, "description": "no invisible control characters"},
        ],
    }


def _text(limit: int) -> Schema:
    """Text, which YAML may have read as a number (`title: 2024` is the text '2024')."""
    return {"anyOf": [_text_string(limit), {"type": "number"}]}


def _optional(schema: Schema) -> Schema:
    """Optional fields may be left empty (null) or, for text, written as ''."""
    return {"anyOf": [{"type": "null"}, {"const": ""}, schema]}


def _flag() -> Schema:
    return {"type": ["boolean", "null"]}


def _assessment(rubric: Rubric) -> Schema:
    stages_of = [
        {
            "if": {"properties": {"sub_element": {"const": sub.id}}, "required": ["sub_element"]},
            "then": {
                "properties": {
                    "stage": {
                        "oneOf": [
                            {
                                "const": stage.number,
                                "title": f"{stage.number} {stage.name}",
                                "description": sub.descriptor(stage.number),
                            }
                            for stage in rubric.stages
                        ]
                    }
                }
            },
        }
        for sub in rubric.sub_elements
    ]
    return {
        "type": "object",
        "required": ["sub_element", "stage"],
        "additionalProperties": False,
        "properties": {
            "sub_element": {"$ref": "#/$defs/sub_element"},
            "stage": {"$ref": "#/$defs/stage"},
        },
        "allOf": stages_of,
    }


def _assessments(rubric: Rubric) -> Schema:
    once = [
        {
            "contains": {
                "type": "object",
                "properties": {"sub_element": {"const": sub.id}},
                "required": ["sub_element"],
            },
            "minContains": 0,
            "maxContains": 1,
            "description": f"{sub.id} at most once",
        }
        for sub in rubric.sub_elements
    ]
    return {
        "type": "array",
        "minItems": 1,
        "maxItems": len(rubric.sub_elements),
        "items": {"$ref": "#/$defs/assessment"},
        "allOf": once,
    }


def _partnership(_: Rubric) -> Schema:
    return {
        "type": "object",
        "required": ["institution", "students_union"],
        "additionalProperties": False,
        "properties": {
            "institution": {**_text(MAX_NAME), "description": "The institution’s name."},
            "students_union": {**_text(MAX_NAME), "description": "The students’ union’s name."},
        },
    }


def _contributors(_: Rubric) -> Schema:
    person = {
        "type": "object",
        "required": ["name"],
        "additionalProperties": False,
        "properties": {"name": _text(MAX_NAME), "role": _optional(_text(MAX_NAME))},
    }
    return {"type": ["array", "null"], "items": {"anyOf": [_text_string(MAX_NAME), person]}}


def _tags(_: Rubric) -> Schema:
    tag = {"type": "string", "pattern": f"^{SLUG_PATTERN}$", "maxLength": MAX_TAG}
    return {"anyOf": [{"type": "null"}, tag, {"type": "array", "items": tag}]}


_DATE: Schema = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}

_RULES: dict[str, Callable[[Rubric], Schema]] = {
    "title": lambda _: _text(MAX_TITLE),
    "date": lambda _: _DATE,
    "shared": lambda _: {"anyOf": [{"type": "null"}, _DATE]},
    "partnership": _partnership,
    "perspective": lambda _: {
        "oneOf": [{"const": k, "description": label} for k, label in PERSPECTIVES.items()]
    },
    "assessments": _assessments,
    "summary": lambda _: _optional(_text(MAX_SUMMARY)),
    "contributors": _contributors,
    "tags": _tags,
    "draft": lambda _: _flag(),
    "example": lambda _: _flag(),
    "anonymous": lambda _: _flag(),
}


def story_schema(rubric: Rubric, schema_url: str) -> Schema:
    """The schema as a dict, one property per field of STORY_FIELDS, in their order."""
    properties = {}
    for spec in STORY_FIELDS:
        properties[spec.name] = {**_RULES[spec.name](rubric), "description": spec.description}
    commitments = {c.id: c for c in rubric.commitments}
    return {
        "$schema": DRAFT,
        "$id": schema_url,
        "title": "Story front matter",
        "description": (
            f"The fields at the top of a story, checked against {rubric.short_title} "
            f"version {rubric.version}."
        ),
        "type": "object",
        "required": [spec.name for spec in STORY_FIELDS if spec.required],
        "additionalProperties": False,
        "properties": properties,
        # check's rule: an anonymous story lists no contributors by name
        "if": {"properties": {"anonymous": {"const": True}}, "required": ["anonymous"]},
        "then": {"properties": {"contributors": {"maxItems": 0}}},
        "$defs": {
            "assessment": _assessment(rubric),
            "sub_element": {
                "oneOf": [
                    {
                        "const": sub.id,
                        "title": sub.name,
                        "description": (
                            f"{commitments[sub.commitment_id].name}, {sub.letter}. {sub.name}"
                        ),
                    }
                    for sub in rubric.sub_elements
                ]
            },
            "stage": {
                "type": "integer",
                "oneOf": [
                    {
                        "const": s.number,
                        "title": s.name,
                        "description": f"Stage {s.number}: {s.name}",
                    }
                    for s in rubric.stages
                ],
            },
        },
    }


def schema_text(rubric: Rubric, schema_url: str) -> str:
    """The schema as the site serves it: stable key order, two-space indent, one final newline."""
    return json.dumps(story_schema(rubric, schema_url), indent=2, ensure_ascii=False) + "\n"
