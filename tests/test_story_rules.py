"""Rules from the new-user trial: a story says something, an anonymous story names nobody,
and a date written another way is given back year-month-day. Exact messages, from `check`."""

from __future__ import annotations

import pytest

from casebook.cli import main
from casebook.datewords import date_problem

from .conftest import story

HEADER = story().split("## Why")[0]  # the front matter of a good story, through "---\n"
EMPTY_WHY = "the section 'Why we placed ourselves here' is empty; write a few sentences under it"
EMPTY_NEXT = "the section 'What we will do to move on' is empty; write a few sentences under it"


def check(content_tree, monkeypatch, capsys, stories: dict[str, str]) -> list[str]:
    root = content_tree(stories)
    monkeypatch.chdir(root.parent)
    status = main(["check", "--content", "content"])
    lines = capsys.readouterr().err.splitlines()
    assert status == (1 if lines else 0)
    return lines[:-1]  # without the count


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "",
            [
                "13: the story has no text; write a few sentences under the headings "
                "'## Why we placed ourselves here' and '## What we will do to move on'"
            ],
        ),
        (
            "\n\n   \n",
            [
                "13: the story has no text; write a few sentences under the headings "
                "'## Why we placed ourselves here' and '## What we will do to move on'"
            ],
        ),
        (
            "## Why we placed ourselves here\n\n## What we will do to move on\n",
            [f"13: {EMPTY_WHY}", f"15: {EMPTY_NEXT}"],
        ),
        (
            "## Why we placed ourselves here\n\nWords.\n\n## What we will do to move on\n\n",
            [f"17: {EMPTY_NEXT}"],
        ),
        (
            "## Why we placed ourselves here\n<!-- write here -->\n"
            "## What we will do to move on\nX",
            [f"13: {EMPTY_WHY}"],
        ),
        # text under a sub-heading fills the section above it; the empty sub-heading is named
        (
            "## Why we placed ourselves here\n### Staff\nWords.\n### Money\n",
            [
                "16: the section 'Money' is empty; write a few sentences under it, or remove the "
                "heading"
            ],
        ),
        # a '#' line inside fenced code is not a heading, and code is text
        ("## Why we placed ourselves here\n```\n# not a heading\n```\n", []),
        ("Words before any heading.\n", []),
        ("## Why we placed ourselves here\nOne word.\n", []),
    ],
)
def test_a_story_must_say_something(content_tree, monkeypatch, capsys, body, expected):
    lines = check(content_tree, monkeypatch, capsys, {"s.md": HEADER + body})
    assert lines == [f"content/stories/s.md:{e}" for e in expected]


ANONYMOUS_NAMED = (
    "an anonymous story can't list contributors by name; remove contributors, "
    "or set anonymous: false"
)


def test_an_anonymous_story_names_nobody(content_tree, monkeypatch, capsys) -> None:
    named = "contributors:\n  - name: Sam Example\n    role: vice-president education\n"
    stories = {
        "named.md": story(extra="anonymous: true\n" + named),
        "listed-before.md": story(extra=named + "anonymous: true\n"),
        "empty-list.md": story(extra="anonymous: true\ncontributors: []\n"),
        "not-anonymous.md": story(title="Another", extra="anonymous: false\n" + named),
    }
    assert check(content_tree, monkeypatch, capsys, stories) == [
        f"content/stories/listed-before.md:12: {ANONYMOUS_NAMED}",
        f"content/stories/named.md:13: {ANONYMOUS_NAMED}",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-03-14", None),
        ("14/03/2025", "date '14/03/2025' is not in year-month-day form; write it as 2025-03-14"),
        ("4.3.2025", "date '4.3.2025' is not in year-month-day form; write it as 2025-03-04"),
        ("03/14/2025", "date '03/14/2025' is not in year-month-day form; write it as 2025-03-14"),
        ("2025/3/4", "date '2025/3/4' is not in year-month-day form; write it as 2025-03-04"),
        (
            "31/02/2025",
            "date '31/02/2025' is not in year-month-day form; write the date as year-month-day, "
            "e.g. 2025-03-14",
        ),
        (
            "March 2025",
            "date 'March 2025' is not in year-month-day form; write the date as year-month-day, "
            "e.g. 2025-03-14",
        ),
        (
            "2025-02-30",
            "date '2025-02-30' is not a real date; write the date as year-month-day, "
            "e.g. 2025-03-14",
        ),
    ],
)
def test_date_words(text: str, message: str | None) -> None:
    assert date_problem(text) == message
