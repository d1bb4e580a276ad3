"""The example content, built once for a sub-path and checked page by page as parsed HTML.

Every page is parsed with the standard library's html.parser into a small element tree and
the assertions are about that structure (headings, landmarks, tables, links), never about
strings found in the raw bytes. What to expect is read from the content itself, through the
package's own model (`check_site(...).book`), so adding a story never breaks these tests.

The site is built for https://example.org/wp-stories/, so every link must carry the
/wp-stories/ prefix: a link that assumes the site lives at the root of its host fails here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from casebook.model import Casebook, Story
from casebook.pipeline import BuildOptions, build_site, check_site

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
BASE_URL = "https://example.org/wp-stories/"
BASE_PATH = urlsplit(BASE_URL).path
HOST = urlsplit(BASE_URL).netloc
LANGUAGE = "en-GB"
FEED_LIMIT = 50
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


# --- A small element tree, built with html.parser ------------------------------------------

VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"}
VOID_ELEMENTS |= {"source", "track", "wbr"}
HEADING_LEVELS = {f"h{n}": n for n in range(1, 7)}
URL_ATTRIBUTES = ("href", "src", "action", "poster", "formaction")
SCOPES = {"row", "col", "rowgroup", "colgroup"}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    line: int
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    def __repr__(self) -> str:
        shown = " ".join(f'{k}="{v}"' for k, v in self.attrs.items())
        return f"<{self.tag}{' ' + shown if shown else ''}> (line {self.line})"

    @property
    def elements(self) -> list[Element]:
        return [c for c in self.children if isinstance(c, Element)]

    def iter(self) -> Iterator[Element]:
        """This element and every element inside it, in document order."""
        yield self
        for child in self.elements:
            yield from child.iter()

    def find_all(self, tag: str) -> list[Element]:
        return [el for el in self.iter() if el.tag == tag and el is not self]

    def find(self, tag: str) -> Element | None:
        return next(iter(self.find_all(tag)), None)

    def one(self, tag: str) -> Element:
        found = self.find_all(tag)
        assert len(found) == 1, f"expected one <{tag}> in {self!r}, found {len(found)}"
        return found[0]

    @property
    def text(self) -> str:
        """All the text inside, as written (entities decoded)."""
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    @property
    def plain(self) -> str:
        """The text inside with runs of white space made one space."""
        return " ".join(self.text.split())

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def next_element(self) -> Element | None:
        assert self.parent is not None
        siblings = self.parent.elements
        index = siblings.index(self)
        return siblings[index + 1] if index + 1 < len(siblings) else None


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, 0)
        self.stack = [self.root]
        self.doctype: str | None = None
        self.nesting_errors: list[str] = []

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> Element:
        parent = self.stack[-1]
        names = [name for name, _ in attrs]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            self.nesting_errors.append(f"line {self.getpos()[0]}: <{tag}> repeats {repeated}")
        element = Element(tag, {k: v or "" for k, v in attrs}, self.getpos()[0], parent)
        parent.children.append(element)
        return element

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = self._element(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_ELEMENTS:
            return
        if self.stack[-1].tag == tag:
            self.stack.pop()
            return
        line = self.getpos()[0]
        self.nesting_errors.append(f"line {line}: </{tag}> while <{self.stack[-1].tag}> is open")
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


@dataclass(eq=False)
class Document:
    root: Element
    doctype: str | None
    nesting_errors: list[str]

    def find_all(self, tag: str) -> list[Element]:
        return self.root.find_all(tag)

    def one(self, tag: str) -> Element:
        return self.root.one(tag)

    def iter(self) -> Iterator[Element]:
        return self.root.iter()

    @property
    def main(self) -> Element:
        return self.one("main")


def parse_html(text: str) -> Document:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    errors = list(builder.nesting_errors)
    errors += [f"<{el.tag}> (line {el.line}) is never closed" for el in builder.stack[1:]]
    return Document(builder.root, builder.doctype, errors)


def section(container: Element, heading: str) -> list[Element]:
    """The elements after the child heading with this text, up to the next heading as high."""
    children = container.elements
    for index, element in enumerate(children):
        level = HEADING_LEVELS.get(element.tag)
        if level and element.plain == heading:
            found = []
            for sibling in children[index + 1 :]:
                if HEADING_LEVELS.get(sibling.tag, 7) <= level:
                    break
                found.append(sibling)
            return found
    headings = [el.plain for el in children if el.tag in HEADING_LEVELS]
    raise AssertionError(f"no heading {heading!r} in {container!r}; its headings: {headings}")


def links_in(elements: list[Element]) -> list[str]:
    return [a.attrs["href"] for el in elements for a in el.iter() if a.tag == "a"]


# --- The example content and its URL map ------------------------------------------------------


def load_book() -> Casebook:
    return check_site(BuildOptions(content=CONTENT, base_url=BASE_URL)).book


BOOK = load_book()


def href(site_url: str) -> str:
    """The link a page should use for a site-relative URL such as 'rubric/trust/'."""
    return BASE_PATH + site_url


def absolute(site_url: str) -> str:
    return BASE_URL + site_url


def output_path(site_url: str) -> str:
    """Where the page at a site-relative URL is written: 'x/' is 'x/index.html'."""
    return site_url + "index.html" if site_url == "" or site_url.endswith("/") else site_url


def story_url(story: Story) -> str:
    return f"stories/{story.slug}/"


def cell_url(sub_id: str, stage: int) -> str:
    return f"rubric/{sub_id}/{stage}/"


def expected_pages(book: Casebook) -> list[str]:
    """Every HTML page of the URL map, as site-relative URLs ('' is the home page)."""
    pages = ["", "rubric/"]
    for sub in book.rubric.sub_elements:
        pages.append(f"rubric/{sub.id}/")
        pages += [cell_url(sub.id, stage.number) for stage in book.rubric.stages]
    pages.append("stories/")
    pages += [story_url(story) for story in book.stories]
    pages.append("partnerships/")
    pages += [f"partnerships/{p.slug}/" for p in book.partnerships]
    pages.append("tags/")
    pages += [f"tags/{tag}/" for tag in book.tags]
    pages += ["assess/", "search/", "about/", "contribute/", "data/", "404.html"]
    return pages


PAGES = expected_pages(BOOK)
OTHER_FILES = ["feed.xml", "sitemap.xml", "robots.txt"]
OTHER_FILES += ["data/stories.json", "data/stories.csv", "data/rubric.json"]
CELLS = [(sub.id, stage.number) for sub in BOOK.rubric.sub_elements for stage in BOOK.rubric.stages]
ANONYMOUS = [story for story in BOOK.stories if story.anonymous]


def page_id(site_url: str) -> str:
    return site_url or "home"


def newest_first(stories) -> list[Story]:
    return sorted(stories, key=lambda s: (s.date, s.slug), reverse=True)


def latest_first(stories) -> list[Story]:
    """By the day each was shared, or failing that its date: the feed's order."""
    return sorted(stories, key=lambda s: (s.shared or s.date, s.date, s.slug), reverse=True)


# --- The build -----------------------------------------------------------------------------


@dataclass
class BuiltSite:
    root: Path
    book: Casebook
    _parsed: dict[str, Document] = field(default_factory=dict, repr=False)

    def file(self, site_url: str) -> Path:
        return self.root / output_path(site_url)

    def page(self, site_url: str) -> Document:
        if site_url not in self._parsed:
            path = self.file(site_url)
            assert path.is_file(), f"{href(site_url)} was not built (no {path})"
            self._parsed[site_url] = parse_html(path.read_text(encoding="utf-8"))
        return self._parsed[site_url]

    def xml(self, site_url: str) -> ET.Element:
        return ET.parse(self.file(site_url)).getroot()

    def html_files(self) -> set[str]:
        return {p.relative_to(self.root).as_posix() for p in self.root.rglob("*.html")}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    output = tmp_path_factory.mktemp("built") / "site"
    checked = build_site(BuildOptions(content=CONTENT, base_url=BASE_URL), output)
    return BuiltSite(output, checked.book)


def file_for_link(url_path: str) -> str | None:
    """The output file a link path points at, or None when it is outside the site."""
    if not url_path.startswith(BASE_PATH):
        return None
    return output_path(unquote(url_path[len(BASE_PATH) :]))


def url_references(doc: Document) -> Iterator[tuple[Element, str, str]]:
    for element in doc.iter():
        for name in URL_ATTRIBUTES:
            if name in element.attrs:
                yield element, name, element.attrs[name]


def is_in_story_body(element: Element) -> bool:
    return any(a.tag == "div" and a.has_class("prose") for a in element.ancestors())


# --- The URL map: every page exists ----------------------------------------------------------


def test_rubric_has_three_commitments_of_three_sub_elements_at_five_stages():
    rubric = BOOK.rubric
    assert [len(c.sub_elements) for c in rubric.commitments] == [3, 3, 3]
    assert [s.number for s in rubric.stages] == [1, 2, 3, 4, 5]
    assert len(CELLS) == 45


@pytest.mark.parametrize("site_url", PAGES + OTHER_FILES, ids=page_id)
def test_page_of_the_url_map_is_built(site: BuiltSite, site_url: str):
    assert site.file(site_url).is_file(), f"{href(site_url)} was not built"


def test_no_html_page_outside_the_url_map(site: BuiltSite):
    expected = {output_path(url) for url in PAGES}
    assert site.html_files() - expected == set(), "pages built that the URL map does not name"


def test_the_model_used_here_is_the_one_built(site: BuiltSite):
    assert [s.slug for s in site.book.stories] == [s.slug for s in BOOK.stories]


# --- Every HTML page --------------------------------------------------------------------------

every_page = pytest.mark.parametrize("site_url", PAGES, ids=page_id)


@every_page
def test_markup_nests_properly(site: BuiltSite, site_url: str):
    doc = site.page(site_url)
    assert (doc.doctype or "").lower() == "doctype html", "the page must start <!doctype html>"
    assert doc.nesting_errors == []


@every_page
def test_html_element_is_in_british_english(site: BuiltSite, site_url: str):
    html = site.page(site_url).one("html")
    assert html.attrs.get("lang") == LANGUAGE == BOOK.site.language


@every_page
def test_title_is_not_empty(site: BuiltSite, site_url: str):
    title = site.page(site_url).one("head").one("title")
    assert title.plain, "the <title> is empty"


@every_page
def test_exactly_one_h1(site: BuiltSite, site_url: str):
    h1s = site.page(site_url).find_all("h1")
    assert len(h1s) == 1, f"found {len(h1s)} h1: {[h.plain for h in h1s]}"
    assert h1s[0].plain, "the h1 is empty"
    assert any(a.tag == "main" for a in h1s[0].ancestors()), "the h1 is outside <main>"


@every_page
def test_one_main_landmark_with_id_main(site: BuiltSite, site_url: str):
    mains = site.page(site_url).find_all("main")
    assert len(mains) == 1, f"found {len(mains)} <main> elements"
    assert mains[0].attrs.get("id") == "main"


@every_page
def test_first_link_skips_to_main(site: BuiltSite, site_url: str):
    doc = site.page(site_url)
    first = next((a for a in doc.find_all("a") if "href" in a.attrs), None)
    assert first is not None, "the page has no links"
    assert first.attrs["href"] == "#main", f"the first link is {first!r}, not a skip link"
    assert first.plain, "the skip link has no text"


@every_page
def test_every_nav_is_labelled(site: BuiltSite, site_url: str):
    navs = site.page(site_url).find_all("nav")
    assert navs, "the page has no <nav>"
    unlabelled = [nav for nav in navs if not nav.attrs.get("aria-label", "").strip()]
    assert unlabelled == [], "every <nav> needs an aria-label"
    labels = [nav.attrs["aria-label"] for nav in navs]
    assert len(set(labels)) == len(labels), f"two navs share a label: {labels}"


@every_page
def test_ids_are_unique(site: BuiltSite, site_url: str):
    ids = Counter(el.attrs["id"] for el in site.page(site_url).iter() if "id" in el.attrs)
    assert [i for i, n in ids.items() if n > 1] == []


ID_REFERENCES = ("aria-labelledby", "aria-describedby", "aria-controls", "for", "headers")


@every_page
def test_id_references_point_at_ids_on_the_page(site: BuiltSite, site_url: str):
    doc = site.page(site_url)
    ids = {el.attrs["id"] for el in doc.iter() if "id" in el.attrs}
    dangling = [
        (el, name, ref)
        for el in doc.iter()
        for name in ID_REFERENCES
        for ref in el.attrs.get(name, "").split()
        if ref not in ids
    ]
    assert dangling == []


@every_page
def test_tables_have_captions_and_scoped_headers(site: BuiltSite, site_url: str):
    for table in site.page(site_url).find_all("table"):
        first = table.elements[0] if table.elements else None
        assert first is not None and first.tag == "caption", f"{table!r} has no <caption> first"
        assert first.plain, f"{table!r} has an empty caption"
        unscoped = [th for th in table.find_all("th") if th.attrs.get("scope") not in SCOPES]
        assert unscoped == [], f"<th> without a scope in {table!r}"


@every_page
def test_no_inline_script_or_style(site: BuiltSite, site_url: str):
    """A strict Content-Security-Policy (script-src and style-src 'self') must hold."""
    doc = site.page(site_url)
    scripts = [s for s in doc.find_all("script") if s.attrs.get("type") != "application/ld+json"]
    inline_scripts = [s for s in scripts if "src" not in s.attrs or s.text.strip()]
    assert inline_scripts == [], "inline <script>"
    assert doc.find_all("style") == [], "<style> element"
    styled = [el for el in doc.iter() if "style" in el.attrs]
    assert styled == [], "style attribute"
    handlers = [el for el in doc.iter() if any(name.startswith("on") for name in el.attrs)]
    assert handlers == [], "inline event handler attribute"
    script_urls = [
        (el, v) for el, _, v in url_references(doc) if v.strip().lower().startswith("javascript:")
    ]
    assert script_urls == [], "javascript: URL"


@every_page
def test_root_relative_urls_carry_the_sub_path(site: BuiltSite, site_url: str):
    wrong = [
        (el, name, value)
        for el, name, value in url_references(site.page(site_url))
        if value.startswith("/") and not value.startswith(BASE_PATH)
    ]
    assert wrong == [], f"links that would break under {BASE_PATH}"


@every_page
def test_assets_are_local(site: BuiltSite, site_url: str):
    """Stylesheets, icons, images and scripts come from this site: the templates' by a
    sub-path link, a folder story's pictures by a link relative to its page (which a
    contributor writes: ![Our room](room.png))."""
    doc = site.page(site_url)
    assets = [(el, el.attrs["src"]) for el in doc.iter() if "src" in el.attrs]
    assets += [
        (link, link.attrs.get("href", ""))
        for link in doc.find_all("link")
        if link.attrs.get("rel", "").lower() not in {"canonical", "alternate"}
    ]
    assert assets, "expected at least a stylesheet"

    def local(element: Element, value: str) -> bool:
        by_sub_path = value.startswith(BASE_PATH)
        beside_its_story = element.tag == "img" and "/" not in value
        inside = urljoin(absolute(site_url), value).startswith(BASE_URL)
        return (by_sub_path or beside_its_story) and inside

    remote = [(el, value) for el, value in assets if not local(el, value)]
    assert remote == [], "assets must be served from this site"


@every_page
def test_links_to_other_hosts_are_only_story_links_and_the_repository(
    site: BuiltSite, site_url: str
):
    """A page may link out (it is not a request), but only from a story's own text, or to the
    project's repository or a page in it (the footer, and the about and contribute pages,
    point there: the contributing guide and the Share a story issue form), to the text of
    the stories' licence, or to the maintainers' contact from site.yaml."""
    doc = site.page(site_url)
    page_url = absolute(site_url)
    repository = BOOK.site.repository_url
    licence = BOOK.site.licence.url
    offsite = []
    for element, name, value in url_references(doc):
        target = urlsplit(urljoin(page_url, value))
        if target.scheme in {"http", "https"} and target.netloc == HOST:
            continue
        in_repository = value == repository or value.startswith(repository + "/")
        contact = bool(BOOK.site.contact) and value == BOOK.site.contact_href  # site.yaml's
        allowed = element.tag == "a" and (
            is_in_story_body(element) or in_repository or value == licence or contact
        )
        if not allowed:
            offsite.append((element, name, value))
    assert offsite == [], "links to other hosts outside story bodies"


@every_page
def test_footer_links_to_the_repository(site: BuiltSite, site_url: str):
    footer = site.page(site_url).one("footer")
    assert BOOK.site.repository_url in links_in([footer])


def names_in_a_sentence(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@every_page
def test_footer_names_the_tools_authors_as_a_sentence(site: BuiltSite, site_url: str):
    """The footer reads "by Joff Cooke, Jane de Vekey and Alex Wardrop of …", not a list."""
    footer = site.page(site_url).one("footer")
    rubric = BOOK.rubric
    authors = names_in_a_sentence(rubric.authors)
    assert f"is by {authors} of {names_in_a_sentence(rubric.makers)};" in footer.plain
    assert len(rubric.authors) < 3 or ", ".join(rubric.authors) not in footer.plain


@pytest.mark.parametrize(
    ("site_url", "words"),
    [("", "The tool’s authors, {authors}, hoped"), ("about/", "was written by {authors} of"),
     ("rubric/", "By {authors}, ")],
)  # fmt: skip
def test_pages_name_the_tools_authors_as_a_sentence(site: BuiltSite, site_url: str, words: str):
    main = site.page(site_url).main
    assert words.format(authors=names_in_a_sentence(BOOK.rubric.authors)) in main.plain


@pytest.mark.parametrize(
    ("names", "expected"),
    [(("Ann",), "Ann"), (("Ann", "Bo"), "Ann and Bo"), (("Ann", "Bo", "Cy"), "Ann, Bo and Cy"),
     (("A & B", "C"), "A &amp; B and C")],
)  # fmt: skip
def test_and_list_joins_names_for_running_text(names: tuple[str, ...], expected: str):
    from casebook.render import make_environment

    macros = make_environment(REPO / "templates").get_template("macros.html").module
    assert str(macros.and_list(list(names))) == expected  # type: ignore[attr-defined]


WRITTEN_BY = {
    "joint": "written jointly",
    "students-union": "written by the students’ union",
    "institution": "written by the institution",
}


def story_cards(doc: Document) -> list[Element]:
    return [el for el in doc.main.iter() if el.tag == "article" and el.has_class("story-card")]


A_FULL_CELL = next(c for c in CELLS if BOOK.stories_at(*c))


@pytest.mark.parametrize(
    "site_url",
    ["", "stories/", f"tags/{BOOK.tags[0]}/", cell_url(*A_FULL_CELL)],
    ids=["home", "stories", "tag", "stage"],
)
def test_story_cards_say_who_wrote_the_story(site: BuiltSite, site_url: str):
    """The meta line ends "· written by the institution", not a bare "· Institution"."""
    cards = story_cards(site.page(site_url))
    assert cards
    by_url = {href(story_url(s)): s for s in BOOK.stories}
    for card in cards:
        title = next(el for el in card.elements if el.tag in HEADING_LEVELS)
        story = by_url[title.one("a").attrs["href"]]
        meta = next(p for p in card.find_all("p") if p.has_class("story-card__meta"))
        assert meta.plain.endswith(" · " + WRITTEN_BY[story.perspective]), meta.plain
    assert set(WRITTEN_BY) >= {s.perspective for s in BOOK.stories}


@every_page
def test_page_carries_its_address_for_print(site: BuiltSite, site_url: str):
    """Paper cannot be clicked: each page ends with its own address, shown only in print
    (site.css hides .print-address on screens; tests/browser/test_print.py shows it printed)."""
    doc = site.page(site_url)
    body = doc.one("body")
    last = body.elements[-1]
    assert last.tag == "p" and last.has_class("print-address"), f"the body ends with {last!r}"
    assert last.plain == f"This page is at {absolute(site_url)}"
    assert not any(el.has_class("print-address") for el in doc.main.iter())


def screen_only(element: Element) -> bool:
    return any(el.has_class("screen-only") for el in (element, *element.ancestors()))


def test_screen_only_instructions_are_marked_as_such(site: BuiltSite):
    """Instructions to choose or follow a link mean nothing on paper; the print stylesheet
    hides .screen-only."""
    home = site.page("").main
    choose = [el for el in home.iter() if el.text.strip().startswith("Choose a number")]
    assert choose and all(screen_only(el) for el in choose)
    everything = [a for a in home.find_all("a") if a.attrs.get("href") == href("stories/")]
    assert len(BOOK.stories) <= 6 or (everything and all(screen_only(a) for a in everything))
    rubric = site.page("rubric/").main
    assert all(screen_only(el) for el in rubric.iter() if el.text.strip().startswith("Choose a"))
    empty_cells = [c for c in CELLS if not BOOK.stories_at(*c)]
    assert empty_cells, "the example content has a stage without stories"
    for cell in empty_cells:
        links = site.page(cell_url(*cell)).main.find_all("a")
        share = [a for a in links if a.plain == "Share yours"]
        assert share and all(screen_only(a) for a in share)


@every_page
def test_canonical_link_is_this_page(site: BuiltSite, site_url: str):
    canonical = [
        link
        for link in site.page(site_url).find_all("link")
        if link.attrs.get("rel") == "canonical"
    ]
    assert [link.attrs.get("href") for link in canonical] == [absolute(site_url)]


@every_page
def test_internal_links_reach_built_files_and_ids(site: BuiltSite, site_url: str):
    page_url = absolute(site_url)
    broken = []
    for element, name, value in url_references(site.page(site_url)):
        target = urlsplit(urljoin(page_url, value))
        if target.netloc != HOST:
            continue
        relative = file_for_link(target.path)
        if relative is None or not (site.root / relative).is_file():
            broken.append(f"{element!r} {name}={value!r}: no file {relative}")
            continue
        if target.fragment and relative.endswith(".html"):
            linked_url = target.path[len(BASE_PATH) :]
            linked_url = "" if linked_url == "index.html" else linked_url.removesuffix("index.html")
            ids = {el.attrs.get("id") for el in site.page(unquote(linked_url)).iter()}
            if target.fragment not in ids:
                broken.append(f"{element!r} {name}={value!r}: no id {target.fragment!r}")
    assert broken == []


# --- The home page: the matrix ---------------------------------------------------------------


def heatmap_rows(site: BuiltSite) -> dict[str, Element]:
    """The matrix's rows, by the sub-element page their row header links to."""
    table = site.page("").main.find("table")
    assert table is not None, "the home page has no matrix table"
    rows = {}
    for tr in table.find_all("tr"):
        headers = [th for th in tr.elements if th.tag == "th" and th.attrs.get("scope") == "row"]
        if headers:
            rows[links_in(headers)[0]] = tr
    return rows


def test_heatmap_has_a_row_header_per_sub_element(site: BuiltSite):
    rows = heatmap_rows(site)
    subs = BOOK.rubric.sub_elements
    assert list(rows) == [href(f"rubric/{sub.id}/") for sub in subs]
    names = [tr.elements[0].plain for tr in rows.values()]
    assert names == [sub.name for sub in subs]


def test_heatmap_has_a_column_header_per_stage(site: BuiltSite):
    table = site.page("").main.find("table")
    assert table is not None
    head = table.one("thead")
    columns = [th for th in head.find_all("th") if th.attrs.get("scope") == "col"]
    stages = BOOK.rubric.stages
    assert len(columns) == 1 + len(stages), "a corner header, then one header per stage"
    for th, stage in zip(columns[1:], stages, strict=True):
        assert th.plain == f"{stage.number} {stage.name}"


@pytest.mark.parametrize(("sub_id", "stage"), CELLS, ids=[f"{s}-{n}" for s, n in CELLS])
def test_heatmap_cell_counts_and_links(site: BuiltSite, sub_id: str, stage: int):
    row = heatmap_rows(site)[href(f"rubric/{sub_id}/")]
    cells = [td for td in row.elements if td.tag == "td"]
    assert len(cells) == len(BOOK.rubric.stages)
    cell = cells[stage - 1]
    assert links_in([cell]) == [href(cell_url(sub_id, stage))]
    shown = re.match(r"\d+", cell.plain)
    assert shown is not None, f"the cell shows no number: {cell.plain!r}"
    assert int(shown.group()) == len(BOOK.stories_at(sub_id, stage))


def test_heatmap_counts_add_up_to_every_assessment(site: BuiltSite):
    total = sum(len(story.assessments) for story in BOOK.stories)
    shown = sum(
        int(re.match(r"\d+", td.plain).group())  # type: ignore[union-attr]
        for row in heatmap_rows(site).values()
        for td in row.elements
        if td.tag == "td"
    )
    assert shown == total > 0


# --- The rubric ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "commitment", BOOK.rubric.commitments, ids=[c.id for c in BOOK.rubric.commitments]
)
def test_rubric_page_quotes_every_descriptor_exactly(site: BuiltSite, commitment):
    tables = site.page("rubric/").main.find_all("table")
    assert len(tables) == len(BOOK.rubric.commitments)
    table = tables[commitment.number - 1]
    rows = table.one("tbody").find_all("tr")
    assert len(rows) == len(commitment.sub_elements)
    for tr, sub in zip(rows, commitment.sub_elements, strict=True):
        header = tr.elements[0]
        assert header.tag == "th" and header.attrs.get("scope") == "row"
        assert links_in([header]) == [href(f"rubric/{sub.id}/")]
        descriptors = [td.text.strip() for td in tr.elements if td.tag == "td"]
        assert descriptors == list(sub.descriptors), f"descriptors of {sub.id}"
        assert len(descriptors) == len(BOOK.rubric.stages)


def test_sub_element_pages_link_every_stage_and_story(site: BuiltSite):
    for sub in BOOK.rubric.sub_elements:
        links = set(links_in([site.page(f"rubric/{sub.id}/").main]))
        for stage in BOOK.rubric.stages:
            assert href(cell_url(sub.id, stage.number)) in links
            for story in BOOK.stories_at(sub.id, stage.number):
                assert href(story_url(story)) in links, f"{sub.id}: {story.slug}"


@pytest.mark.parametrize(("sub_id", "stage"), CELLS, ids=[f"{s}-{n}" for s, n in CELLS])
def test_cell_page(site: BuiltSite, sub_id: str, stage: int):
    sub = BOOK.rubric.sub_element(sub_id)
    main = site.page(cell_url(sub_id, stage)).main
    quotes = [q.plain for q in main.find_all("blockquote")]
    assert quotes, "the cell page quotes no descriptor"
    assert quotes[0] == sub.descriptor(stage), "the first quote is not this cell's descriptor"

    here = section(main, "Stories at this stage")
    expected = sorted(href(story_url(s)) for s in BOOK.stories_at(sub_id, stage))
    shown = sorted(link for link in links_in(here) if link.startswith(href("stories/")))
    assert shown == expected, "the stories at this stage"

    # then the words the stage had in earlier versions of the tool, if any
    earlier = [e.text for e in BOOK.rubric.earlier_words(sub_id, stage)]
    assert quotes[1 : 1 + len(earlier)] == earlier, "the stage's earlier words"
    later = quotes[1 + len(earlier) :]
    if stage < len(BOOK.rubric.stages):
        assert later[:1] == [sub.descriptor(stage + 1)], "the next stage's descriptor"
        assert href(cell_url(sub_id, stage + 1)) in links_in([main])
    else:
        assert later == [], "the last stage quotes only its own words"


# --- Stories ---------------------------------------------------------------------------------

every_story = pytest.mark.parametrize("story", BOOK.stories, ids=lambda s: s.slug)


def names_of(story: Story) -> list[str]:
    p = story.partnership
    return [p.institution, p.students_union, p.name, p.slug]


@every_story
def test_story_page_shows_its_title_and_badge(site: BuiltSite, story: Story):
    doc = site.page(story_url(story))
    h1 = doc.main.one("h1")
    badges = [el for el in h1.iter() if el.has_class("badge") and el.plain == "Example"]
    title = "".join(c for c in h1.children if isinstance(c, str)).strip()
    assert title == story.title
    assert len(badges) == (1 if story.example else 0), "an Example badge iff example: true"
    assert story.title in doc.one("title").plain


@every_story
def test_story_page_names_its_partnership_unless_anonymous(site: BuiltSite, story: Story):
    main = site.page(story_url(story)).main
    partnership_link = href(f"partnerships/{story.partnership.slug}/")
    links = [a for a in main.find_all("a") if a.attrs.get("href") == partnership_link]
    if story.anonymous:
        assert links == [], "an anonymous story links to its partnership"
    else:
        assert links, "the story does not link to its partnership"
        assert {a.plain for a in links} == {story.partnership.name}


@every_story
def test_story_page_links_each_assessed_cell(site: BuiltSite, story: Story):
    links = set(links_in([site.page(story_url(story)).main]))
    for a in story.assessments:
        assert href(cell_url(a.sub_element.id, a.stage.number)) in links


@every_story
def test_story_page_shows_the_version_of_the_tool(site: BuiltSite, story: Story):
    """The link says what it is out of context (a list of links reads "version 1.0 of the
    tool", not "1.0"), in the words the menu uses: the tool, never "rubric"."""
    main = site.page(story_url(story)).main
    terms = [dt_ for dt_ in main.find_all("dt") if dt_.plain == "Assessed against"]
    assert len(terms) == 1, "one 'Assessed against' term in the facts"
    value = terms[0].next_element()
    assert value is not None and value.tag == "dd"
    [link] = value.find_all("a")
    assert link.plain == value.plain == f"version {story.rubric_version} of the tool"
    assert link.attrs["href"] == href("about/#versions")
    assert story.rubric_version in {v.version for v in BOOK.rubric.changelog}


@every_story
def test_story_facts_terms_and_values_are_apart_for_the_search_index(site: BuiltSite, story: Story):
    """Pagefind joins a <dt> and its <dd> with nothing between them ("PartnershipFenmoor" in a
    search excerpt) unless there is white space between them in the page."""
    facts = next(dl for dl in site.page(story_url(story)).main.find_all("dl")
                 if dl.has_class("facts"))  # fmt: skip
    for pair in facts.elements:
        term, value = pair.elements
        assert (term.tag, value.tag) == ("dt", "dd")
        between = pair.children[pair.children.index(term) + 1]
        assert isinstance(between, str) and between.isspace(), f"nothing between {term.plain!r}"


def test_stories_page_links_every_story(site: BuiltSite):
    links = links_in([site.page("stories/").main])
    story_links = [link for link in links if link.startswith(href("stories/"))]
    assert story_links == [href(story_url(s)) for s in newest_first(BOOK.stories)]


# --- Anonymous stories -----------------------------------------------------------------------


def test_example_content_has_an_anonymous_story():
    """So that the privacy checks below have something to check."""
    assert ANONYMOUS


def visible_strings_html(doc: Document) -> Iterator[str]:
    for element in doc.iter():
        yield from (c for c in element.children if isinstance(c, str))
        yield from element.attrs.values()


def visible_strings_xml(root: ET.Element) -> Iterator[str]:
    for element in root.iter():
        yield from (element.text or "", element.tail or "")
        yield from element.attrib.values()


def leaked_names(strings: Iterator[str]) -> set[str]:
    text = "\n".join(strings).casefold()
    return {name for story in ANONYMOUS for name in names_of(story) if name.casefold() in text}


@pytest.mark.parametrize("site_url", PAGES, ids=page_id)
def test_anonymous_partnerships_are_named_on_no_page(site: BuiltSite, site_url: str):
    assert leaked_names(visible_strings_html(site.page(site_url))) == set()


@pytest.mark.parametrize("site_url", ["feed.xml", "sitemap.xml"])
def test_anonymous_partnerships_are_named_in_no_feed(site: BuiltSite, site_url: str):
    assert leaked_names(visible_strings_xml(site.xml(site_url))) == set()


def test_anonymous_stories_have_no_partnership_page(site: BuiltSite):
    named = {p.slug for p in BOOK.partnerships}
    for story in ANONYMOUS:
        if story.partnership.slug not in named:
            assert not site.file(f"partnerships/{story.partnership.slug}/").exists()


# --- Partnerships and tags -------------------------------------------------------------------


@pytest.mark.parametrize("partnership", BOOK.partnerships, ids=lambda p: p.slug)
def test_partnership_page_lists_its_stories_in_date_order(site: BuiltSite, partnership):
    main = site.page(f"partnerships/{partnership.slug}/").main
    assert main.one("h1").plain.startswith(partnership.name)
    stories = sorted(
        (s for s in BOOK.stories if s.partnership == partnership and not s.anonymous),
        key=lambda s: (s.date, s.slug),
    )
    listed = section(main, "Stories, oldest first")
    story_links = [link for link in links_in(listed) if link.startswith(href("stories/"))]
    assert story_links == [href(story_url(s)) for s in stories]
    metas = [p for el in listed for p in el.iter() if p.has_class("story-card__meta")]
    dates = [meta.find("time").attrs["datetime"] for meta in metas]  # then "(shared ...)"
    assert dates == sorted(dates) == [s.date.isoformat() for s in stories]


def test_partnerships_page_links_every_named_partnership(site: BuiltSite):
    links = links_in([site.page("partnerships/").main])
    expected = [href(f"partnerships/{p.slug}/") for p in BOOK.partnerships]
    assert [link for link in links if link in expected] == expected


@pytest.mark.parametrize("tag", BOOK.tags)
def test_tag_page_lists_the_stories_with_that_tag(site: BuiltSite, tag: str):
    links = links_in([site.page(f"tags/{tag}/").main])
    story_links = sorted(link for link in links if link.startswith(href("stories/")))
    expected = sorted(href(story_url(s)) for s in BOOK.stories if tag in s.tags)
    assert story_links == expected
    assert href(f"tags/{tag}/") in links_in([site.page("tags/").main])


# --- Feed, sitemap, robots.txt ---------------------------------------------------------------


def test_feed_has_one_entry_per_story_with_absolute_urls(site: BuiltSite):
    feed = site.xml("feed.xml")
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    expected = [absolute(story_url(s)) for s in latest_first(BOOK.stories)[:FEED_LIMIT]]
    assert [e.findtext(f"{ATOM}id") for e in entries] == expected
    for entry in entries:
        links = [link.attrib["href"] for link in entry.findall(f"{ATOM}link")]
        assert links == [entry.findtext(f"{ATOM}id")]
    every_link = [link.attrib["href"] for link in feed.iter(f"{ATOM}link")]
    assert all(link.startswith(BASE_URL) for link in every_link), every_link
    assert absolute("feed.xml") in every_link, "the feed has no rel=self link"


def test_sitemap_lists_every_page_but_404(site: BuiltSite):
    sitemap = site.xml("sitemap.xml")
    assert sitemap.tag == f"{SITEMAP}urlset"
    locs = [url.findtext(f"{SITEMAP}loc") for url in sitemap.findall(f"{SITEMAP}url")]
    assert len(locs) == len(set(locs)), "a page is listed twice"
    built = {
        absolute("" if path == "index.html" else path.removesuffix("index.html"))
        for path in site.html_files()
        if path != "404.html"
    }
    assert set(locs) == built
    assert absolute("404.html") not in locs


def test_robots_txt_names_the_sitemap(site: BuiltSite):
    lines = site.file("robots.txt").read_text(encoding="utf-8").splitlines()
    sitemaps = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Sitemap:")]
    assert sitemaps == [absolute("sitemap.xml")]


# --- Determinism -----------------------------------------------------------------------------


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def cli_build(output: Path, hash_seed: str) -> None:
    """Build with the command line in a fresh interpreter, so set order varies by hash seed.
    The day it runs on is no input: two builds either side of midnight are the same too."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    command = [
        sys.executable, str(REPO / "build.py"), "build", "--content", str(CONTENT),
        "--output", str(output), "--base-url", BASE_URL,
    ]  # fmt: skip
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_building_twice_gives_identical_bytes(site: BuiltSite, tmp_path: Path):
    cli_build(tmp_path / "a", "1")
    cli_build(tmp_path / "b", "2")
    first, second = tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b")
    assert sorted(first) == sorted(second), "the two builds wrote different files"
    differing = [name for name in first if first[name] != second[name]]
    assert differing == [], "files that differ between two builds"
    in_process = tree_bytes(site.root)
    assert sorted(in_process) == sorted(first)
    assert [name for name in first if first[name] != in_process[name]] == []


def test_about_quotes_how_the_tool_might_work_with_its_list(site: BuiltSite):
    """The source's "These are:" is followed by its three commitments, word for word."""
    rubric = site.book.rubric
    quotes = [q for q in site.page("about/").main.find_all("blockquote") if q.has_class("quote")]
    how = quotes[1]
    paragraphs = [p.plain for p in how.find_all("p")]
    assert paragraphs == list(rubric.how_it_works)
    assert [li.plain for li in how.one("ol").find_all("li")] == [
        c.summary for c in rubric.commitments
    ]


def test_more_from_a_partnership_is_capped(content_tree, tmp_path):
    """A partnership with many stories lists at most five others on each story page."""
    from casebook.pipeline import BuildOptions, build_site

    from .conftest import story

    stories = {
        f"s{i:02d}.md": story(title=f"Story {i}").replace("2024-05-01", f"2024-05-{i + 1:02d}")
        for i in range(8)
    }
    out = tmp_path / "out"
    build_site(BuildOptions(content=content_tree(stories)), out)
    doc = parse_html((out / "stories" / "s00" / "index.html").read_text(encoding="utf-8"))
    heading = "More from Example University and Example Students' Union"
    others = next(
        s for s in doc.main.find_all("section") if s.attrs.get("aria-labelledby") == "others"
    )
    more = section(others, heading)
    assert [li.plain.split(" (")[0] for li in more[0].find_all("li")] == [
        "Story 7 Example",
        "Story 6 Example",
        "Story 5 Example",
        "Story 4 Example",
        "Story 3 Example",
    ]
    assert more[1].one("a").plain == "All 8 stories from this partnership"


def test_one_content_security_policy_in_every_page_and_in_headers(site: BuiltSite):
    from casebook.render import CONTENT_SECURITY_POLICY

    policy = dict(
        (part.split()[0], part.split()[1:]) for part in CONTENT_SECURITY_POLICY.split("; ")
    )
    assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'"]  # Pagefind's WebAssembly
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"] and policy["default-src"] == ["'none'"]
    for site_url in expected_pages(site.book):
        if not site_url.endswith(("/", ".html")) and site_url:
            continue
        metas = [
            m
            for m in site.page(site_url).find_all("meta")
            if m.attrs.get("http-equiv") == "Content-Security-Policy"
        ]
        assert [m.attrs["content"] for m in metas] == [CONTENT_SECURITY_POLICY], site_url
    headers = (site.root / "_headers").read_text(encoding="utf-8").splitlines()
    assert headers[0] == "/wp-stories/*"
    assert headers[1] == (
        f"  Content-Security-Policy: {CONTENT_SECURITY_POLICY}; frame-ancestors 'none'"
    )


@every_page
def test_links_with_the_same_words_lead_to_the_same_page(site: BuiltSite, site_url: str):
    """In a screen reader's list of links, two links that read alike must go to one place: a
    story's stages and a journey's cells ("2. Developing") name their sub-element in hidden
    text; a footnote's back-link ("↩") is named by its aria-label ("Back to the text (note
    1)")."""
    doc = site.page(site_url)
    targets: dict[str, set[str]] = {}
    for link in doc.find_all("a"):
        name = link.attrs.get("aria-label") or link.plain
        targets.setdefault(name, set()).add(link.attrs.get("href", ""))
    alike = {words: sorted(hrefs) for words, hrefs in targets.items() if len(hrefs) > 1}
    assert alike == {}
