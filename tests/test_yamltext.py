"""The YAML reader keeps lines and refuses what PyYAML would silently accept."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from casebook.yamltext import InvalidDate, YamlError, parse_yaml


def messages(text: str) -> list[tuple[int, str]]:
    with pytest.raises(YamlError) as caught:
        parse_yaml(text)
    return [(p.line, p.message) for p in caught.value.problems]


def mild(text: str) -> list[tuple[int, str]]:
    """The problems of a document still read whole (YamlDocument.problems)."""
    return [(p.line, p.message) for p in parse_yaml(text).problems]


def test_values_and_their_lines():
    doc = parse_yaml("title: A\nlist:\n  - x: 1\n    y: 2025-03-14\n", first_line=2)
    assert doc.value == {"title": "A", "list": [{"x": 1, "y": dt.date(2025, 3, 14)}]}
    assert doc.line("title") == 2
    assert doc.line("list", 0, "y") == 5
    assert doc.line("list", 0, "missing") == 4  # falls back to the nearest parent


def test_duplicate_keys_are_problems_not_last_wins():
    assert mild("a: 1\nb: 2\na: 3\n") == [
        (3, "duplicate field 'a' (also on line 1); keep only one")
    ]
    assert parse_yaml("a: 1\nb: 2\na: 3\n").value == {"a": 1, "b": 2}


def test_problems_that_leave_the_value_whole_are_listed_with_those_that_do_not():
    text = "title: Our #1\ntitle: again\nstage: !!python/object x\n"
    assert messages(text) == [
        (1, "'title' stops before '#1', as YAML reads ' #' as the start of a comment; "
            "put the whole value in quotes: title: \"Our #1\""),
        (2, "duplicate field 'title' (also on line 1); keep only one"),
        (3, "YAML tag '!!python/object' is not allowed; remove it and write a plain value"),
    ]  # fmt: skip


def test_aliases_are_refused_where_they_are_used():
    text = "a: &x [1, 2]\nb: *x\n"
    assert messages(text) == [
        (2, "YAML aliases (*name) are not allowed; write the value out in full")
    ]


def test_an_alias_bomb_fails_fast():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 30):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    problems = messages("\n".join(lines))
    assert problems[0] == (2, "YAML aliases (*name) are not allowed; write the value out in full")


def test_python_tags_are_refused():
    tag = "!!python/object/apply:os.system"
    assert messages(f"x: {tag} [ls]\n") == [
        (1, f"YAML tag '{tag}' is not allowed; remove it and write a plain value")
    ]


def test_a_tag_on_a_field_name_is_refused_with_the_tag_on_its_value():
    """A tag on a key was dropped silently: `!x title:` read as `title:`."""
    assert messages("!custom title: A\nsummary: !!python/name:os.system x\n") == [
        (1, "YAML tag '!custom' is not allowed on a field name; remove it"),
        (2, "YAML tag '!!python/name:os.system' is not allowed; remove it and write a plain value"),
    ]
    assert mild("? !!python/object x\n: 1\n") == [
        (1, "YAML tag '!!python/object' is not allowed on a field name; remove it")
    ]
    assert mild("!!int title: A\nx: {a: 1, !!bool b: 2}\n") == [
        (1, "YAML tag '!!int' is not allowed on a field name; remove it"),
        (2, "YAML tag '!!bool' is not allowed on a field name; remove it"),
    ]
    # the name is read as its text, so the file's other problems are told with it
    assert parse_yaml("!x title: A\n").value == {"title": "A"}
    # a tag that says what the name is already changes nothing
    assert parse_yaml("!!str title: A\n!!int 1: B\n").value == {"title": "A", "1": "B"}
    assert parse_yaml("1: A\nyes: B\nnull: C\n").value == {"1": "A", "yes": "B", "null": "C"}


def test_an_alias_of_a_field_name_or_as_one_is_refused():
    assert messages("&a title: A\nb: *a\n") == [
        (2, "YAML aliases (*name) are not allowed; write the value out in full")
    ]
    assert messages("x: &a k\n*a : 1\n") == [
        (2, "YAML aliases (*name) are not allowed; write the name out")
    ]


def test_merge_keys_are_refused():
    problems = messages("base: {a: 1}\nx:\n  <<: {a: 2}\n")
    assert problems == [(3, "YAML merge keys (<<) are not allowed; write the fields out")]


def test_deep_nesting_is_bounded():
    text = "x: " + "[" * 40 + "]" * 40
    problems = messages(text)
    assert problems == [(1, "YAML nested more than 16 levels deep; flatten it")]


def test_syntax_errors_keep_their_line():
    problems = messages("a: 1\nb: c: d\n")
    assert problems[0][0] == 2
    assert problems[0][1].startswith("YAML syntax error: mapping values are not allowed")


def test_impossible_dates_are_kept_for_validation_to_name():
    assert parse_yaml("d: 2025-02-30\n").value == {"d": InvalidDate("2025-02-30")}


def test_a_hashtag_that_would_cut_text_short_is_a_problem_with_the_quoted_fix():
    text = 'title: Our #1 priority: access\nsummary: We met weekly #proud and\nrole: say "hi" #x\n'
    assert mild(text) == [
        (1, "'title' stops before '#1 priority: access', as YAML reads ' #' as the start of "
            "a comment; put the whole value in quotes: title: \"Our #1 priority: access\""),
        (2, "'summary' stops before '#proud and', as YAML reads ' #' as the start of "
            "a comment; put the whole value in quotes: summary: \"We met weekly #proud and\""),
        (3, "'role' stops before '#x', as YAML reads ' #' as the start of a comment; "
            "put the whole value in quotes: role: 'say \"hi\" #x'"),
    ]  # fmt: skip


def test_comments_after_values_and_hashes_inside_text_are_not_problems():
    text = (
        "perspective: joint                # joint | students-union | institution\n"
        "summary: One or two sentences. # optional\n"
        "stage: 2 #3\n"
        "title: 'Our #1' #quoted\n"
        "lang: C# and F#\n"
        "url: https://example.org/page#part\n"
    )
    assert parse_yaml(text).value == {
        "perspective": "joint",
        "summary": "One or two sentences.",
        "stage": 2,
        "title": "Our #1",
        "lang": "C# and F#",
        "url": "https://example.org/page#part",
    }


def test_unquoted_values_read_as_numbers_or_dates_keep_the_text_as_written():
    doc = parse_yaml(
        "a: 1.10\nb: 0x1F\nc: 1:30\nd: 2024-05-01\ne: '1.10'\nf: ~\ng: yes\nh: [1.50]\n"
    )
    assert doc.value["a"] == 1.1 and doc.value["c"] == 90
    assert doc.written == {
        ("a",): "1.10", ("b",): "0x1F", ("c",): "1:30", ("d",): "2024-05-01", ("g",): "yes",
        ("h", 0): "1.50",
    }  # fmt: skip
    assert doc.text_of(doc.value["a"], "a") == "1.10"
    assert doc.text_of(doc.value["e"], "e") == "1.10" and doc.text_of(None, "f") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'title: "Nothing about us without us" in practice\ndate: 2025-01-01\n',
            (1, "a value that starts with a quotation mark must end with it; write "
                "title: '\"Nothing about us without us\" in practice'"),
        ),
        (
            "title: 'Twas a good year\ndate: 2025-01-01\nperspective: joint\n",
            (1, "a quotation mark opened on this line is not closed; close it, or if it is "
                "part of the text, put the whole value in quotes: title: \"'Twas a good year\""),
        ),
        (
            'title: A\npartnership:\n  students_union: "Y SU\nperspective: joint\n',
            (3, "a quotation mark opened on this line is not closed; close it, or if it is "
                "part of the text, put the whole value in quotes: students_union: '\"Y SU'"),
        ),
        (
            "title:A test story\ndate: 2025-01-01\nurl: https://example.org\n",
            (1, "put a space after the colon: 'title: A test story'"),
        ),
        (
            "title: A\nperspective:\u00a0joint\nassessments: x\n",
            (2, "this line has a no-break space (U+00A0) where YAML needs an ordinary space, "
                "as pasted from a word processor or a web page; retype the space"),
        ),
        (
            "partnership:\n\tinstitution: X\n",
            (2, "YAML syntax error: found character that cannot start any token while "
                "scanning for the next token; indent with spaces, not tabs"),
        ),
        (
            "title: 'It''s ours' at last\n",
            (1, "a value that starts with a quotation mark must end with it; write "
                "title: \"'It's ours' at last\""),
        ),
        (
            "title: 'x' ''y\n",
            (1, "a value that starts with a quotation mark must end with it; write "
                "title: \"'x' ''y\""),
        ),
        (
            "title: A\nsummary: - a list, or a dash?\n",
            (2, "a value that starts with '- ' is read as a list; put the whole value in "
                "quotes: summary: \"- a list, or a dash?\", or write each item of a list on a "
                "line of its own below"),
        ),
        ("title: & more\n", (1, "a value that starts with '&' must be in quotes: "
                                'title: "& more"')),
        ("title: @home\n", (1, "a value that starts with '@' must be in quotes: "
                               'title: "@home"')),
        ("title: [Draft] Our story\n", (1, "a value that starts with '[' must be in quotes: "
                                           'title: "[Draft] Our story"')),
        (
            "title: A\ntags: [a, b\nsummary: x\n",
            (2, "YAML syntax error: did not find expected ',' or ']' while parsing a flow "
                "sequence; a list in brackets needs its closing ']', e.g. tags: [a, b]"),
        ),
        (
            "title: A\npartnership: {institution: X\nsummary: x\n",
            (2, "YAML syntax error: did not find expected ',' or '}' while parsing a flow "
                "mapping"),
        ),
        ("title: A\ntags: [a, b\n", (2, "YAML syntax error: did not find expected ',' or ']' "
                                         "while parsing a flow sequence; a list in brackets "
                                         "needs its closing ']', e.g. tags: [a, b]")),
    ],
    ids=["quote-then-text", "apostrophe", "doubled-apostrophe", "apostrophes-after", "dash",
         "unclosed-quote",
         "no-space", "no-break-space", "tab",
         "ampersand", "at-sign", "brackets", "unclosed-list", "unclosed-mapping",
         "unclosed-list-last"],
)  # fmt: skip
def test_a_contributors_usual_slips_are_named_at_their_line_with_the_fix(text, expected):
    assert messages(text) == [expected]


CONTROL_LINE = (
    "this line contains an invisible control or text-direction character; retype it as plain text"
)


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ufffe"])
def test_a_control_character_is_named_at_its_line_with_the_rest(character):
    """YAML's reader refuses these with its own words and the position in the text; and NEL
    is a line break to YAML alone, which would put every later line out by one."""
    text = f"title: A\nsummary: one{character}two\ndate: 2025-01-01\nlist: [a\n"
    assert messages(text) == [
        (2, CONTROL_LINE),
        (4, "YAML syntax error: did not find expected ',' or ']' while parsing a flow "
            "sequence; a list in brackets needs its closing ']', e.g. tags: [a, b]"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("character", "name"),
    [("\u2028", "a line separator (U+2028)"), ("\u2029", "a paragraph separator (U+2029)")],
)
def test_a_line_separator_is_named_and_later_lines_keep_their_numbers(character, name):
    """An editor shows no line break there, but YAML reads one: quoted, the value was read
    and every later line's number was one too many; unquoted, a syntax error at a line
    after it."""
    found = (
        f"this line has {name}, which YAML reads as the end of a line; retype the text around it"
    )
    for title in (f'"A{character}B"', f"A{character}B"):
        document = parse_yaml(f"title: {title}\nsummary: x\nstage: 7\n", first_line=2)
        assert [(p.line, p.message) for p in document.problems] == [(2, found)]
        assert document.value == {"title": "A B", "summary": "x", "stage": 7}
        assert document.line("stage") == 4


def test_a_file_full_of_control_characters_is_read_in_one_pass():
    """Each is named at its line, and finding the line does not read the text again from
    its start for each one: a story's front matter may be a megabyte of them."""
    text = "title: " + "\x01" * 300_000 + "\nsummary: a\x01b\n"
    started = time.monotonic()
    problems = parse_yaml(text).problems
    assert [(p.line, p.message) for p in problems] == [(1, CONTROL_LINE), (2, CONTROL_LINE)]
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("end", ["---", "..."])
def test_a_second_document_is_named_at_its_start(end):
    """site.yaml or the rubric with a line that ends a YAML document, and more after it."""
    with pytest.raises(YamlError) as raised:
        parse_yaml(f"title: A\nper_page: 20\n{end}\nx: 1\n")
    assert [(p.line, p.message) for p in raised.value.problems] == [
        (3, "a second YAML document starts here (a line of '---' or '...' ends the first); "
            "the file holds one: remove that line, and put what follows it with the fields above")
    ]  # fmt: skip
