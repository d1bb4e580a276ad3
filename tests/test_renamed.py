"""A sub-element renamed in the rubric (`formerly`): its old addresses send readers on to the
new ones, and a story that still uses the old id is told the new one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casebook.cli import main
from casebook.pipeline import BuildOptions, build_site, check_site

from .conftest import story
from .test_built_site import parse_html

BASE_URL = "https://example.org/casebook/"
OLD, NEW = "working-together", "working-partnerships"


def rename(root: Path, formerly: str = f"[{OLD}]", sub: str = NEW) -> None:
    rubric = root / "rubric" / "rubric.yaml"
    text = rubric.read_text(encoding="utf-8")
    line = f"      - id: {sub}\n"
    assert line in text
    rubric.write_text(text.replace(line, f"{line}        formerly: {formerly}\n"), "utf-8")


def errors(root: Path, monkeypatch, capsys) -> list[str]:
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    return capsys.readouterr().err.splitlines()[:-1]


def test_old_addresses_send_readers_to_the_new_pages(content_tree, tmp_path):
    root = content_tree({"a.md": story()})
    rename(root)
    output = tmp_path / "site"
    book = build_site(BuildOptions(content=root, base_url=BASE_URL), output).book
    sub = book.rubric.sub_element(NEW)
    assert sub.formerly == (OLD,) and book.rubric.renamed == {OLD: sub}
    moved = sorted(p.relative_to(output).as_posix() for p in (output / "rubric" / OLD).rglob("*"))
    stages = [str(s.number) for s in book.rubric.stages]
    assert [m for m in moved if m.endswith(".html")] == [
        *(f"rubric/{OLD}/{n}/index.html" for n in stages),
        f"rubric/{OLD}/index.html",
    ]
    for old, new, name in [
        (f"rubric/{OLD}/", f"rubric/{NEW}/", sub.name),
        (f"rubric/{OLD}/3/", f"rubric/{NEW}/3/", f"{sub.name}: {book.rubric.stage(3).name}"),
    ]:
        doc = parse_html((output / old / "index.html").read_text(encoding="utf-8"))
        metas = {
            (m.attrs.get("http-equiv") or m.attrs.get("name")): m.attrs["content"]
            for m in doc.root.iter()
            if m.tag == "meta" and ("http-equiv" in m.attrs or "name" in m.attrs)
        }
        assert metas["refresh"] == f"0; url=/casebook/{new}"
        assert metas["robots"] == "noindex"
        [canonical] = [el for el in doc.root.iter() if el.attrs.get("rel") == "canonical"]
        assert canonical.attrs["href"] == BASE_URL + new
        assert doc.one("title").plain == f"Moved: {name} – casebook"
        assert doc.main.one("h1").plain == "This page has moved"
        [link] = [el for el in doc.main.iter() if el.tag == "a"]
        assert (link.attrs["href"], link.plain) == (f"/casebook/{new}", name)
        assert (output / new / "index.html").is_file()
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    assert OLD not in sitemap and f"rubric/{NEW}/3/" in sitemap


def test_a_story_with_the_old_id_is_told_the_new_one(content_tree, monkeypatch, capsys):
    old_story = story().replace("sub_element: trust", f"sub_element: {OLD}")
    root = content_tree({"old.md": old_story})
    rename(root)
    assert errors(root, monkeypatch, capsys) == [
        f"content/stories/old.md:9: sub_element '{OLD}' has been renamed '{NEW}' in the "
        f"rubric; write '{NEW}'",
    ]


@pytest.mark.parametrize(
    ("formerly", "message"),
    [
        ("[Working Together]", "id 'Working Together' may use only lowercase letters, digits "
         "and hyphens; for example 'working-together'"),
        ("[trust]", "id 'trust' is used twice in the rubric, also at line {trust}; ids must "
         "be unique"),
        ("[~]", "an id is lowercase letters, digits and hyphens, not empty"),
        (OLD, "'formerly' must list the ids this sub-element had before, for example: "
         "formerly: [working-together]"),
    ],
)  # fmt: skip
def test_formerly_is_checked_at_its_line(content_tree, monkeypatch, capsys, formerly, message):
    root = content_tree({"a.md": story()})
    rename(root, formerly)
    line = next(
        n
        for n, text in enumerate((root / "rubric" / "rubric.yaml").read_text().splitlines(), 1)
        if "formerly:" in text
    )
    trust = line_of(root, "- id: trust")
    message = message.format(trust=trust)
    assert errors(root, monkeypatch, capsys) == [f"content/rubric/rubric.yaml:{line}: {message}"]


def line_of(root: Path, text: str) -> int:
    """The line of the rubric that holds text (the first)."""
    lines = (root / "rubric" / "rubric.yaml").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def test_two_sub_elements_cannot_claim_one_former_id(content_tree, monkeypatch, capsys):
    root = content_tree({"a.md": story()})
    rename(root)
    rename(root, sub="time")
    lines = (root / "rubric" / "rubric.yaml").read_text(encoding="utf-8").splitlines()
    first, second = (n for n, line in enumerate(lines, 1) if f"formerly: [{OLD}]" in line)
    assert errors(root, monkeypatch, capsys) == [
        f"content/rubric/rubric.yaml:{second}: id '{OLD}' is used twice in the rubric, "
        f"also at line {first}; ids must be unique"
    ]


def test_a_former_id_that_is_another_sub_elements_id_names_both_lines(
    content_tree, monkeypatch, capsys
):
    """The former id comes first in the file: the sub-element that has it now is told of
    the line that claimed it."""
    root = content_tree({"a.md": story()})
    rename(root, "[people]", sub="trust")
    formerly, people = line_of(root, "formerly: [people]"), line_of(root, "- id: people")
    assert errors(root, monkeypatch, capsys) == [
        f"content/rubric/rubric.yaml:{people}: id 'people' is used twice in the rubric, also "
        f"at line {formerly}; ids must be unique"
    ]


def test_the_open_data_and_new_know_the_old_id(content_tree, tmp_path):
    from casebook.storyinput import sub_element

    root = content_tree({"a.md": story()})
    rename(root)
    checked = check_site(BuildOptions(content=root))
    data = json.loads(next(f.data for f in checked.files if f.path == "data/rubric.json"))
    formerly = {
        sub["id"]: sub["formerly"] for c in data["commitments"] for sub in c["sub_elements"]
    }
    assert formerly[NEW] == [OLD]
    assert [old for sub_id, old in formerly.items() if sub_id != NEW] == [[]] * 8
    rubric = checked.book.rubric
    assert sub_element(OLD, rubric) is rubric.sub_element(NEW)
    assert sub_element(OLD.upper(), rubric) is rubric.sub_element(NEW)
