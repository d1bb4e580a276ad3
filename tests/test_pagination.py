"""Long lists are cut into pages of site.yaml's per_page, with stable, linked addresses."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import pytest

from casebook.pages import Pagination
from casebook.pipeline import BuildOptions, build_site, check_site
from casebook.problems import ContentError
from casebook.slugs import name_slug

from .conftest import story


class Listing(HTMLParser):
    """The story links of a page's story list, its title, and its pager's links."""

    def __init__(self) -> None:
        super().__init__()
        self.stories: list[str] = []
        self.pager: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in = {"story-list": 0, "pager": 0, "title": 0, "h": 0}
        self._lists: list[bool] = []  # for each open <ul>: is it a story list?

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "ul":
            self._lists.append("story-list" in classes)
            self._in["story-list"] += "story-list" in classes
        if tag == "nav" and "pager--pages" in classes:
            self._in["pager"] += 1
        if tag == "title":
            self._in["title"] += 1
        if tag in ("h2", "h3") and self._in["story-list"]:
            self._in["h"] += 1
        if tag == "a" and self._in["story-list"] and self._in["h"]:
            self.stories.append(a["href"])
        if tag == "a" and self._in["pager"]:
            self.pager.append((a["href"], a))

    def handle_endtag(self, tag):
        if tag == "ul" and self._lists:
            self._in["story-list"] -= self._lists.pop()
        if tag == "nav" and self._in["pager"]:
            self._in["pager"] -= 1
        if tag == "title":
            self._in["title"] -= 1
        if tag in ("h2", "h3") and self._in["h"]:
            self._in["h"] -= 1

    def handle_data(self, data):
        if self._in["title"]:
            self.title += data


def listing(site: Path, href: str) -> Listing:
    parsed = Listing()
    parsed.feed((site / href.lstrip("/") / "index.html").read_text())
    return parsed


def stories(count: int, stage: int = 2) -> dict[str, str]:
    return {
        f"s{i}.md": story(f"Story {i}", extra="tags: [shared]\n")
        .replace("date: 2024-05-01", f"date: 2024-05-{i + 1:02d}")
        .replace("stage: 2", f"stage: {stage}")
        for i in range(count)
    }


@pytest.fixture
def paged(content_tree, tmp_path):
    root = content_tree(stories(5))
    with (root / "site.yaml").open("a") as file:
        file.write("per_page: 2\n")
    site = tmp_path / "site"
    build_site(BuildOptions(root, base_url="https://example.org/"), site)
    return site


@pytest.mark.parametrize(
    ("first", "title"),
    [
        ("/stories/", "All stories"),
        ("/rubric/trust/2/", "Developing trust: Developing"),
        ("/tags/shared/", "Stories tagged “shared”"),
    ],
)
def test_a_long_list_is_cut_into_linked_pages(paged, first, title):
    hrefs = [first, f"{first}page/2/", f"{first}page/3/"]
    pages = [listing(paged, href) for href in hrefs]
    assert [len(p.stories) for p in pages] == [2, 2, 1]
    newest_first = [f"/stories/s{i}/" for i in range(4, -1, -1)]
    assert [s for p in pages for s in p.stories] == newest_first
    assert pages[0].title.startswith(f"{title}, page 1 of 3 – ")
    assert pages[2].title.startswith(f"{title}, page 3 of 3 – ")
    links = pages[1].pager
    assert (hrefs[0], "prev") in [(href, a.get("rel")) for href, a in links]
    assert (hrefs[2], "next") in [(href, a.get("rel")) for href, a in links]
    assert [href for href, a in links if a.get("aria-current") == "page"] == [hrefs[1]]
    assert not (paged / first.lstrip("/") / "page" / "4").exists()


def test_later_pages_are_in_the_sitemap(paged):
    sitemap = (paged / "sitemap.xml").read_text()
    assert "<loc>https://example.org/stories/page/3/</loc>" in sitemap
    assert "<loc>https://example.org/rubric/trust/2/page/2/</loc>" in sitemap


def test_a_short_list_has_one_page_and_no_pager(content_tree, tmp_path):
    root = content_tree(stories(3))
    build_site(BuildOptions(root, base_url="https://example.org/"), tmp_path / "site")
    page = listing(tmp_path / "site", "/stories/")
    assert len(page.stories) == 3
    assert page.pager == []
    assert page.title.startswith("All stories – ")
    assert not (tmp_path / "site" / "stories" / "page").exists()


def test_partnerships_are_paged_too(content_tree, tmp_path):
    texts = {
        f"p{i}.md": story(f"P {i}").replace("Example University", f"University {i}")
        for i in range(3)
    }
    root = content_tree(texts)
    with (root / "site.yaml").open("a") as file:
        file.write("per_page: 2\n")
    build_site(BuildOptions(root, base_url="https://example.org/"), tmp_path / "site")
    second = (tmp_path / "site" / "partnerships" / "page" / "2" / "index.html").read_text()
    assert "University 2 and Example Students" in second or "University 0" in second
    assert "Partnerships, page 2 of 2" in second


def test_every_list_page_stays_bounded_as_the_corpus_grows(content_tree, tmp_path):
    """Every page but a partnership's own (which grows with that partnership's stories, not
    with the corpus) lists at most per_page stories, plus five at the next stage on a cell."""
    root = content_tree(stories(11))
    with (root / "site.yaml").open("a") as file:
        file.write("per_page: 3\n")
    build_site(BuildOptions(root, base_url="https://example.org/"), tmp_path / "site")
    pages = list((tmp_path / "site").rglob("index.html"))
    assert len(pages) > 30
    for page in pages:
        if page.parent.parent.name == "partnerships":
            continue
        parsed = Listing()
        parsed.feed(page.read_text())
        assert len(parsed.stories) <= 3 + 5, page  # a cell also shows 5 at the next stage


def test_a_story_may_not_be_called_page(content_tree):
    root = content_tree({"page.md": story()})
    with pytest.raises(ContentError) as caught:
        check_site(BuildOptions(root, today=dt.date.today()))
    assert [str(p) for p in caught.value.problems] == [
        f"{root}/stories/page.md: the name 'page' is kept for the later pages of the list of "
        "stories; rename it, for example to 'our-page'"
    ]


def test_no_partnership_slug_is_page():
    assert name_slug("page !!!").startswith("page-")
    assert name_slug("Page University") == "page-university"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1", "'per_page' must be from 2 to 500, not 1"),
        ("1000", "'per_page' must be from 2 to 500, not 1000"),
        ("many", "'per_page' must be a whole number, not 'many'"),
        ('"20"', "write 'per_page' as a whole number without quotes or decimals"),
    ],
)
def test_per_page_must_be_a_sensible_number(content_tree, value, message):
    root = content_tree({"a.md": story()})
    text = (root / "site.yaml").read_text()
    (root / "site.yaml").write_text(text + f"per_page: {value}\n")
    line = text.count("\n") + 1
    with pytest.raises(ContentError) as caught:
        check_site(BuildOptions(root, today=dt.date.today()))
    assert [str(p) for p in caught.value.problems] == [f"{root}/site.yaml:{line}: {message}"]


@pytest.mark.parametrize(
    ("number", "count", "shown"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 9, [1, 2, 3, None, 9]),
        (4, 9, [1, 2, 3, 4, 5, 6, None, 9]),
        (5, 9, [1, 2, 3, 4, 5, 6, 7, 8, 9]),
        (6, 12, [1, None, 4, 5, 6, 7, 8, None, 12]),
        (12, 12, [1, None, 10, 11, 12]),
    ],
)
def test_the_pager_shows_the_ends_and_the_pages_near_this_one(number, count, shown):
    urls = tuple(f"/p/{n}/" for n in range(1, count + 1))
    assert Pagination(number, urls, (), 0, 1).shown() == shown
