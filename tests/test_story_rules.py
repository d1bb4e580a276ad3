"""Rules from the new-user trial: a story says something, an anonymous story names nobody,
and a date written another way is given back year-month-day. Exact messages, from `check`."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from casebook import options
from casebook.cli import main
from casebook.datewords import date_problem
from casebook.options import latest_today

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


def test_the_latest_today_is_the_date_where_it_is_already_tomorrow():
    utc = dt.UTC
    assert latest_today(dt.datetime(2026, 6, 14, 9, 59, tzinfo=utc)) == dt.date(2026, 6, 14)
    assert latest_today(dt.datetime(2026, 6, 14, 10, 0, tzinfo=utc)) == dt.date(2026, 6, 15)
    # 00:30 in London in summer is still 23:30 the day before in UTC
    london = dt.timezone(dt.timedelta(hours=1))
    assert latest_today(dt.datetime(2026, 6, 15, 0, 30, tzinfo=london)) == dt.date(2026, 6, 15)


def test_a_story_dated_today_somewhere_is_not_in_the_future(content_tree, monkeypatch, capsys):
    """check runs on UTC machines: a story written in New Zealand's morning passes it."""

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # 11:00 UTC: 01:00 the next day in Kiritimati (UTC+14)
            return dt.datetime(2026, 12, 14, 11, 0, tzinfo=dt.UTC)

    monkeypatch.setattr(options, "dt", SimpleNamespace(**{**vars(dt), "datetime": Clock}))
    latest = dt.date(2026, 12, 15)
    stories = {
        "today.md": story().replace("2024-05-01", latest.isoformat()),
        "tomorrow.md": story(title="Later").replace(
            "2024-05-01", (latest + dt.timedelta(days=1)).isoformat()
        ),
    }
    tomorrow = (latest + dt.timedelta(days=1)).isoformat()
    assert check(content_tree, monkeypatch, capsys, stories) == [
        f"content/stories/tomorrow.md:3: date {tomorrow} is in the future; use the date the "
        "self-assessment was made"
    ]


def test_the_day_a_story_was_shared_comes_after_its_self_assessment(
    content_tree, monkeypatch, capsys
):
    def shared(value: str, title: str) -> str:
        return story(title=title).replace(
            "date: 2024-05-01\n", f"date: 2024-05-01\nshared: {value}\n"
        )

    stories = {
        "a-before.md": shared("2024-04-30", "Before"),
        "b-future.md": shared("2999-01-01", "Future"),
        "c-uk-way.md": shared("24/11/2025", "UK"),
        "d-time.md": shared("2025-11-24 10:00:00", "Time"),
        "e-same-day.md": shared("2024-05-01", "Same day"),
        "f-later.md": shared("2025-11-24", "Later"),
        "g-empty.md": shared("", "Empty"),
    }
    assert check(content_tree, monkeypatch, capsys, stories) == [
        "content/stories/a-before.md:4: shared 2024-04-30 is before the story's date, 2024-05-01 "
        "(the day of the self-assessment); a story is shared on that day or later, so use the "
        "day it is shared here",
        "content/stories/b-future.md:4: shared 2999-01-01 is in the future; use the day the story "
        "is shared here: today's date, or the day it was shared if that was earlier",
        "content/stories/c-uk-way.md:4: shared '24/11/2025' is not in year-month-day form; write "
        "it as 2025-11-24",
        "content/stories/d-time.md:4: shared must be a day without a time; write the date as "
        "year-month-day, e.g. 2025-03-14",
    ]


def test_a_date_before_2000_is_a_mistyped_year(content_tree, monkeypatch, capsys):
    stories = {
        "typo.md": story().replace("2024-05-01", "1024-05-01"),
        "first.md": story(title="First").replace("2024-05-01", "2000-01-01"),
    }
    assert check(content_tree, monkeypatch, capsys, stories) == [
        "content/stories/typo.md:3: date 1024-05-01 is before 2000; check the year: the date is "
        "the day the self-assessment was made"
    ]


def test_a_pasted_page_of_text_or_digits_gives_a_message_of_one_short_line(
    content_tree, monkeypatch, capsys
):
    """A value is quoted in a message up to 60 characters; a number too long to be a stage
    (YAML keeps one of over 4,300 digits as text) is called too large, not misspelt."""
    stages = (
        "choose 1 (Early stages), 2 (Developing), 3 (Developed), 4 (Refining) or 5 (Best practice)"
    )
    stories = {
        "a-digits.md": story().replace("stage: 2", "stage: " + "9" * 5000),
        "b-digits.md": story().replace("stage: 2", "stage: " + "9" * 300),
        "c-sub.md": story().replace("sub_element: trust", "sub_element: " + "y" * 3000),
        "d-perspective.md": story().replace("perspective: joint", "perspective: " + "z" * 3000),
        "e-field.md": story(extra="x" * 500 + ": 1\n"),
    }
    nines, why, zeds = "9" * 59, "y" * 59, "z" * 59
    assert check(content_tree, monkeypatch, capsys, stories) == [
        f"content/stories/a-digits.md:10: 'stage' '{nines}…' is far too large; {stages}",
        f"content/stories/b-digits.md:10: 'stage' '{nines}…' is far too large; {stages}",
        f"content/stories/c-sub.md:9: unknown sub_element '{why}…'; choose one of: trust, "
        "working-partnerships, shared-objectives, people, time, funding-and-facilities, "
        "working-practices, outputs-and-reporting, impact-and-evaluation",
        f"content/stories/d-perspective.md:7: unknown perspective '{zeds}…'; choose joint, "
        "students-union or institution",
        f"content/stories/e-field.md:12: unknown field '{'x' * 59}…'; a story can have: title, "
        "date, shared, partnership, perspective, assessments, summary, contributors, tags, draft, "
        "example, anonymous",
    ]


def test_a_badly_named_story_is_checked_all_the_same(content_tree, monkeypatch, capsys):
    """Renaming the file should not be the first of several rounds of fixes."""
    stories = {"Our Story.md": story().replace("stage: 2", "stage: 7")}
    assert check(content_tree, monkeypatch, capsys, stories) == [
        "content/stories/Our Story.md: the name 'Our Story' becomes the story's web address, so "
        "it may use only lowercase letters, digits and single hyphens; rename it, for example "
        "to 'our-story'",
        "content/stories/Our Story.md:10: stage 7 is out of range; choose 1 (Early stages), "
        "2 (Developing), 3 (Developed), 4 (Refining) or 5 (Best practice)",
    ]


def test_long_names_fit_in_the_sites_folder_names(content_tree, monkeypatch, capsys, tmp_path):
    """Each within its limit, a long institution and union make a partnership page whose
    folder name fits; a topic's name is limited, as it is a folder's name too."""
    institution, union = ("Long " * 40).strip(), ("Union " * 33).strip()
    partnership = f"  institution: {institution}\n  students_union: {union}\n"
    long_tag = "a" * 61
    stories = {
        "long.md": story().replace(
            "  institution: Example University\n  students_union: Example Students' Union\n",
            partnership,
        ),
        "tagged.md": story(title="Tagged", extra=f"tags: [{long_tag}, outreach]\n"),
    }
    assert check(content_tree, monkeypatch, capsys, stories) == [
        f"content/stories/tagged.md:12: tag '{'a' * 40}…' is 61 characters long; keep a "
        "topic's name to 60 characters"
    ]
    del stories["tagged.md"]
    root = content_tree(stories, folder="again")
    assert main(["build", "--content", str(root), "--output", str(tmp_path / "site")]) == 0
    [page] = (tmp_path / "site" / "partnerships").glob("long-*/index.html")
    assert len(page.parent.name) <= 200 and institution in page.read_text()


def test_optional_text_written_as_a_number_is_kept_as_written(content_tree):
    """`summary: 0` or `role: 2.50` are that text; an empty summary or role is none."""
    from casebook.load import load_content
    from casebook.validate import validate

    people = "contributors:\n  - name: A. Person\n    role: 2.50\n  - name: B\n    role: ''\n"
    root = content_tree({"s.md": story(extra="summary: 0\n" + people)})
    [told] = validate(load_content(root), today=latest_today()).stories
    assert told.summary == "0"
    assert [(c.name, c.role) for c in told.contributors] == [("A. Person", "2.50"), ("B", "")]


def test_new_and_the_issue_form_refuse_the_topics_check_refuses():
    from casebook.storyinput import tag_problems

    assert tag_problems(f"outreach, {'b' * 61}") == [
        f"tag '{'b' * 40}…' is 61 characters long; keep a topic's name to 60 characters"
    ]


@pytest.mark.parametrize(
    "words",
    [
        "Words.",
        "We met: weekly #proud",  # read as a field cut short by a hashtag
    ],
)
def test_a_front_matter_left_open_is_named_at_the_storys_first_heading(
    words, content_tree, monkeypatch, capsys
):
    """Without its closing ---, the story's text is read as fields (its headings are YAML
    comments) up to a --- rule further down."""
    left_open = story(body=f"{words}\n\n---\n\nMore words.").replace("example: true\n---\n", "")
    assert check(content_tree, monkeypatch, capsys, {"s.md": left_open}) == [
        "content/stories/s.md:11: front matter is not closed before the story's text; add a "
        "line '---' after the last field"
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("base_url: https://maintainer:secret@example.org/",
         "'base_url' 'https://maintainer:secret@example.org/' holds a user name or password, "
         "which every page's links would publish; remove the part before @"),
        ("base_url: https://example.org:99999/",
         "'base_url' 'https://example.org:99999/' is not a web address; write it in full, like "
         "https://example.org/wp-stories/"),
        ('base_url: "https://[::1/"',
         "'base_url' 'https://[::1/' is not a web address; write it in full, like "
         "https://example.org/wp-stories/"),
        ("repository_url: http://github.com/example/casebook",
         "'repository_url' must be a web address starting https://"),
    ],
    ids=["credentials", "port", "broken-ipv6", "repository-http"],
)  # fmt: skip
def test_site_addresses_are_plain_https_or_http_addresses(
    content_tree, monkeypatch, capsys, line, message
):
    root = content_tree({"s.md": story()})
    settings = root / "site.yaml"
    field = line.split(":")[0]
    kept = [x for x in settings.read_text().split("\n") if not x.startswith(f"{field}:")]
    settings.write_text("\n".join([*kept, line, ""]))
    monkeypatch.chdir(root.parent)
    assert main(["check", "--content", "content"]) == 1
    assert capsys.readouterr().err.splitlines()[:-1] == [
        f"content/site.yaml:{len(kept) + 1}: {message}"
    ]


def test_quoted_flags_and_topics_without_brackets_get_the_form_to_write(
    content_tree, monkeypatch, capsys
):
    stories = {
        "flag.md": story(extra='anonymous: "False"\n'),
        "tags.md": story(title="Tags", extra="tags: data-sharing, Outreach work\n"),
    }
    assert check(content_tree, monkeypatch, capsys, stories) == [
        "content/stories/flag.md:12: 'anonymous' must be true or false without quotes: "
        "anonymous: false",
        "content/stories/tags.md:12: write several topics as a list in brackets: "
        "tags: [data-sharing, outreach-work]",
    ]


def test_a_storys_picture_problems_come_with_the_other_stories_problems(
    content_tree, monkeypatch, capsys
):
    """A picture from elsewhere is found by rendering; a missing field by checking. One round
    of check names both, and the badly named story's picture too."""
    pictured = story(body="Words. ![Team](https://example.org/team.jpg)")
    stories = {
        "Our Story.md": pictured,
        "pictured.md": pictured.replace("A good story", "Pictured"),
        "broken.md": story(title="Broken").replace("perspective: joint\n", ""),
    }
    away = (
        "picture 'https://example.org/team.jpg' cannot be shown: it is on another website, and "
        "the site makes no request to another host; make the story a folder, "
    )
    assert check(content_tree, monkeypatch, capsys, stories) == [
        "content/stories/Our Story.md: the name 'Our Story' becomes the story's web address, so "
        "it may use only lowercase letters, digits and single hyphens; rename it, for example "
        "to 'our-story'",
        f"content/stories/Our Story.md:15: {away}stories/Our Story/index.md, save the picture "
        "beside it as team.jpg and write ![Team](team.jpg)",
        "content/stories/broken.md:2: missing field 'perspective'; add it, for example: "
        "perspective: joint",
        f"content/stories/pictured.md:15: {away}stories/pictured/index.md, save the picture "
        "beside it as team.jpg and write ![Team](team.jpg)",
    ]


def test_a_file_saved_as_utf16_or_starting_with_a_blank_line_is_named_for_what_it_is(
    content_tree, monkeypatch, capsys
):
    stories = {
        "utf16.md": story().encode("utf-16-le"),  # no byte order mark: it read as UTF-8
        "blank.md": "\n  \n" + story(title="Blank"),
    }
    assert check(content_tree, monkeypatch, capsys, stories) == [
        "content/stories/blank.md:1: the file starts with an empty line; remove it, so that "
        "'---' is the first line",
        "content/stories/utf16.md:1: file is UTF-16 text, not UTF-8; save it with UTF-8 encoding",
    ]
