"""The YAML reader keeps lines and refuses what PyYAML would silently accept."""

from __future__ import annotations

import datetime as dt

import pytest

from casebook.yamltext import InvalidDate, YamlError, parse_yaml


def messages(text: str) -> list[tuple[int, str]]:
    with pytest.raises(YamlError) as caught:
        parse_yaml(text)
    return [(p.line, p.message) for p in caught.value.problems]


def test_values_and_their_lines():
    doc = parse_yaml("title: A\nlist:\n  - x: 1\n    y: 2025-03-14\n", first_line=2)
    assert doc.value == {"title": "A", "list": [{"x": 1, "y": dt.date(2025, 3, 14)}]}
    assert doc.line("title") == 2
    assert doc.line("list", 0, "y") == 5
    assert doc.line("list", 0, "missing") == 4  # falls back to the nearest parent


def test_duplicate_keys_are_errors_not_last_wins():
    assert messages("a: 1\nb: 2\na: 3\n") == [
        (3, "duplicate field 'a' (also on line 1); keep only one")
    ]


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
