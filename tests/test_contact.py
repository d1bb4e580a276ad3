"""site.yaml's optional `contact`: how a contributor reaches a maintainer, checked like every
setting and shown on /contribute/ and /about/ only when it is set."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from casebook.cli import main
from casebook.pipeline import BuildOptions, build_site

from .conftest import story


def with_contact(content_tree, value: str | None) -> Path:
    root = content_tree({"a.md": story()})
    site = root / "site.yaml"
    text = site.read_text("utf-8")
    lines = [line for line in text.splitlines() if not line.startswith(("contact:", "# How"))]
    if value is not None:
        lines.append(f"contact: {value}")
    site.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def contact_line(root) -> int:
    """The line of the contact field: the last line of the site.yaml with_contact wrote."""
    return (root / "site.yaml").read_text("utf-8").count("\n")


@pytest.mark.parametrize(
    "value",
    ["not an address", "http://example.org/contact", "javascript:alert(1)", "a@b", "@example.org"],
)
def test_a_contact_must_be_an_email_or_a_web_address(content_tree, monkeypatch, capsys, value):
    root = with_contact(content_tree, f'"{value}"')
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"content/site.yaml:{contact_line(root)}: 'contact' must be an email address like "
        "stories@example.org or "
        f"a web address starting https://, not '{value}'",
        "casebook: 1 problem found; fix it and run check again",
    ]


def test_an_empty_contact_is_named(content_tree, monkeypatch, capsys) -> None:
    root = with_contact(content_tree, '""')
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"content/site.yaml:{contact_line(root)}: 'contact' is empty; write something or "
        "remove the field"
    )


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links(path: Path) -> list[str]:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.hrefs


@pytest.mark.parametrize(
    ("value", "href"),
    [
        ("stories@casebook.example.org", "mailto:stories@casebook.example.org"),
        ("https://casebook.example.org/contact/", "https://casebook.example.org/contact/"),
        (None, None),
    ],
)
def test_the_contact_is_shown_where_contributors_look(content_tree, tmp_path, value, href):
    root = with_contact(content_tree, value)
    out = tmp_path / "site"
    build_site(BuildOptions(content=root), out)
    for page in ("contribute", "about"):
        found = [h for h in links(out / page / "index.html") if h == href]
        assert len(found) == (0 if value is None else 1 if page == "about" else 3), page
        if value is None:
            assert not any(h.startswith("mailto:") for h in links(out / page / "index.html"))
