"""Topics as readers see them: the words of a story's tag ('first in family'), or the name
site.yaml gives it (`topics: {ucas: UCAS}`), wherever the site shows a topic; and the
mistakes a maintainer can make in `topics`, each at its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casebook.cli import main
from casebook.pipeline import BuildOptions, build_site
from casebook.slugs import topic_words

from .conftest import story
from .test_built_site import parse_html


@pytest.mark.parametrize(
    ("tag", "words"),
    [
        ("outreach", "outreach"),
        ("first-in-family", "first in family"),
        ("year-1-students", "year 1 students"),
        ("2024-25", "2024-25"),
        ("covid-19", "covid 19"),
        ("intake-2024-25", "intake 2024-25"),
    ],
)
def test_a_topic_is_shown_as_the_words_of_its_tag(tag: str, words: str):
    assert topic_words(tag) == words


def with_topics(content_tree, topics: list[str] | None, tags: str) -> Path:
    """A content tree with one story tagged `tags`; site.yaml's own `topics` block replaced
    by the lines `topics` (none if None). The block, if any, ends the file."""
    root = content_tree({"2024-01-a-story.md": story(extra=f"tags: {tags}\n")})
    site = root / "site.yaml"
    lines = site.read_text("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("topics:"))
    while start and lines[start - 1].startswith("#"):
        start -= 1
    kept = lines[:start] + (topics or [])
    site.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return root


def line_of(root: Path, text: str) -> int:
    lines = (root / "site.yaml").read_text("utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def texts(page: Path, selector) -> list[str]:
    doc = parse_html(page.read_text("utf-8"))
    return [el.plain for el in doc.iter() if selector(el)]


def test_topics_read_as_words_or_as_named_in_site_yaml(content_tree, tmp_path):
    root = with_topics(
        content_tree,
        ["topics:", "  ucas: UCAS", '  covid-19: "COVID-19"', "  not-used: Not used"],
        "[first-in-family, ucas, covid-19, 2024-25]",
    )
    out = tmp_path / "site"
    build_site(BuildOptions(content=root), out)
    shown = ["2024-25", "COVID-19", "first in family", "UCAS"]  # in the order of their tags

    def topic_link(el) -> bool:
        href = el.attrs.get("href", "")
        return el.tag == "a" and "/tags/" in href and not href.endswith("/tags/")

    assert texts(out / "stories/2024-01-a-story/index.html", topic_link) == shown
    assert texts(out / "tags/index.html", topic_link) == shown
    page = out / "tags/ucas/index.html"
    assert texts(page, lambda el: el.tag == "h1") == ["Stories tagged “UCAS”"]
    assert texts(page, lambda el: el.tag == "title") == ["Stories tagged “UCAS” – casebook"]
    # The search page's topic boxes keep the tag as their value and filter by the name.
    doc = parse_html((out / "search/index.html").read_text("utf-8"))
    boxes = [el.attrs for el in doc.iter() if el.tag == "input" and el.attrs.get("name") == "tag"]
    assert [(b["value"], b["data-label"]) for b in boxes] == [
        ("2024-25", "2024-25"),
        ("covid-19", "COVID-19"),
        ("first-in-family", "first in family"),
        ("ucas", "UCAS"),
    ]
    # The story is filed in the search index under the same names.
    doc = parse_html((out / "stories/2024-01-a-story/index.html").read_text("utf-8"))
    marks = [
        el.attrs["data-value"]
        for el in doc.iter()
        if el.attrs.get("data-pagefind-filter") == "tag[data-value]"
    ]
    assert marks == ["2024-25", "COVID-19", "first in family", "UCAS"]
    # A name no story uses changes nothing; the open data keep the tags as written.
    assert not (out / "tags/not-used").exists()
    data = json.loads((out / "data/stories.json").read_text("utf-8"))
    assert [s["tags"] for s in data["stories"]] == [
        ["2024-25", "covid-19", "first-in-family", "ucas"]
    ]


@pytest.mark.parametrize(
    ("topics", "at", "message"),
    [
        (
            ["topics: [ucas, UCAS]"],
            "topics:",
            "'topics' must be a set of fields, one per topic, like "
            'topics: {ucas: UCAS, covid-19: "COVID-19"}',
        ),
        (
            ["topics:", "  Widening Access: widening access"],
            "Widening Access",
            "tag 'Widening Access' may use only lowercase letters, digits and hyphens; "
            "for example 'widening-access'",
        ),
        (
            ["topics:", '  ucas: ""'],
            "ucas",
            "'ucas' is empty; write something or remove the field",
        ),
        (
            ["topics:", f"  ucas: {'U' * 61}"],
            "ucas",
            "'ucas' is 61 characters long; keep it to 60",
        ),
        (
            ["topics:", "  ucas: [U, C]"],
            "ucas",
            "'ucas' must be text, not a list",
        ),
    ],
    ids=["not-a-mapping", "not-a-tag", "empty", "too-long", "a-list"],
)
def test_a_mistake_in_topics_is_named_at_its_line(
    content_tree, monkeypatch, capsys, topics, at, message
):
    root = with_topics(content_tree, topics, "[ucas]")
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"content/site.yaml:{line_of(root, at)}: {message}",
        "casebook: 1 problem found; fix it and run check again",
    ]
