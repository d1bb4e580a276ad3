"""Printed for a partnership meeting: the rubric on A4 landscape, one commitment per page.

Chromium prints the page to PDF with the site's print stylesheet; its PDF keeps each page's
dictionary and its link annotations readable, so the pages and their sizes are counted from
the bytes, and where a part of the page printed is found by laying a link over it first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser

from casebook.pipeline import BuildOptions, check_site

from .harness import CONTENT_DIR, Site

A4_LONG, A4_SHORT = 841.92, 594.96
BOOK = check_site(BuildOptions(content=CONTENT_DIR)).book


def printed_pages(browser: Browser, site: Site, path: str) -> list[tuple[float, float]]:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(site.base_url + path, wait_until="load")
        page.emulate_media(media="print")
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    finally:
        context.close()
    assert len(re.findall(rb"/Type /Page\b", pdf)) == len(re.findall(rb"/MediaBox", pdf))
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    return [(round(float(w), 2), round(float(h), 2)) for w, h in boxes]


MARK = "https://print-mark.invalid/"
# Lays a link over every element a selector matches (its own box, absolutely positioned, so the
# layout does not move): Chromium writes each link into the PDF as an annotation with its
# rectangle, one per page the element prints on.
MARK_ELEMENTS = """([marks, prefix]) => Object.fromEntries(Object.entries(marks).map(
    ([name, selector]) => {
        const elements = document.querySelectorAll(selector);
        elements.forEach((el, i) => {
            const link = document.createElement("a");
            link.href = `${prefix}${name}/${i}`;
            link.style.cssText = "position: absolute; inset: 0; display: block";
            if (getComputedStyle(el).position === "static") el.style.position = "relative";
            el.append(link);
        });
        return [name, elements.length];
    }
))"""

PUSH_DOWN = """([selector, points]) => {
    const spacer = document.createElement("div");
    spacer.className = "print-test-spacer";
    spacer.style.height = `${points}pt`;
    document.querySelector(selector).before(spacer);
}"""


@dataclass(frozen=True)
class Printed:
    """Where one element printed on one page: the page's index, and the element's top and
    bottom in points from the top of the paper."""

    page: int
    top: float
    bottom: float


@dataclass(frozen=True)
class PrintedPages:
    """A printed document: each page's height, and where each marked element printed."""

    heights: list[float]
    marks: dict[str, list[list[Printed]]]

    def pages_of(self, name: str) -> list[set[int]]:
        return [{part.page for part in parts} for parts in self.marks[name]]


def print_marked(
    browser: Browser,
    site: Site,
    path: str,
    marks: dict[str, str],
    javascript: bool = True,
    push_down: tuple[str, float] | None = None,
) -> PrintedPages:
    """Print a page to PDF with each element of `marks` (a name: a CSS selector) marked, and
    read back on which page, and where on it, each part of each element printed. `push_down`
    (a selector, points) first puts an empty block that tall before that element, marked
    "spacer"."""
    context = browser.new_context(java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(site.base_url + path, wait_until="load")
        page.emulate_media(media="print")
        if push_down:
            page.evaluate(PUSH_DOWN, list(push_down))
            marks = {**marks, "spacer": ".print-test-spacer"}
        counts = page.evaluate(MARK_ELEMENTS, [marks, MARK])
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    finally:
        context.close()
    objects = {
        number: body
        for number, body in re.findall(
            rb"(?m)^(\d+) 0 obj\n(<<(?:(?!stream).)*?>>)\nendobj", pdf, re.S
        )
    }
    pages = [body for body in objects.values() if re.match(rb"<</Type /Page\b", body)]
    found: dict[str, dict[int, list[Printed]]] = {name: {} for name in marks}
    heights = []
    for index, body in enumerate(pages):
        height = float(re.search(rb"/MediaBox \[0 0 [\d.]+ ([\d.]+)\]", body)[1])
        heights.append(height)
        annots = re.search(rb"/Annots \[([^\]]*)\]", body)
        for number in re.findall(rb"(\d+) 0 R", annots[1] if annots else b""):
            annot = objects[number]
            uri = re.search(rb"/URI \((.*?)\)>>", annot)
            if not uri or not uri[1].startswith(MARK.encode()):
                continue
            name, i = uri[1].decode().removeprefix(MARK).split("/")
            rect = [float(x) for x in re.search(rb"/Rect \[([^\]]*)\]", annot)[1].split()]
            part = Printed(index, round(height - rect[3], 1), round(height - rect[1], 1))
            found[name].setdefault(int(i), []).append(part)
    for name, by_index in found.items():
        assert counts[name] and sorted(by_index) == list(range(counts[name])), (
            f"{marks[name]!r}: {len(by_index)} of {counts[name]} elements printed"
        )
    return PrintedPages(heights, {n: [b[i] for i in sorted(b)] for n, b in found.items()})


def test_rubric_prints_one_commitment_per_a4_landscape_page(browser: Browser, site: Site):
    """The introduction shares the first page with the first commitment (a page of its own
    would be mostly blank); each later commitment starts a page, and none is split."""
    commitments = len(BOOK.rubric.commitments)
    pages = printed_pages(browser, site, "rubric/")
    assert pages == [(A4_LONG, A4_SHORT)] * commitments, (
        "expected each commitment on its own A4 landscape page, the introduction on the first"
    )
    printed = print_marked(
        browser,
        site,
        "rubric/",
        {"intro": ".rubric-print > h1", "commitment": ".rubric-commitment"},
    )
    assert printed.pages_of("intro") == [{0}]
    assert printed.pages_of("commitment") == [{n} for n in range(commitments)]


def test_the_matrix_never_strands_a_commitment_heading_from_its_rows(browser: Browser, site: Site):
    """On paper each commitment's heading row prints on the page of its sub-element rows
    (the matrix may break between commitments, never inside one); here all of it fits on the
    first page, under the introduction."""
    printed = print_marked(
        browser,
        site,
        "",
        {"heading": ".matrix .matrix__commitment", "row": ".matrix th[scope='row']"},
    )
    rows = iter(printed.pages_of("row"))
    headings = printed.pages_of("heading")
    for commitment, heading in zip(BOOK.rubric.commitments, headings, strict=True):
        pages = set(heading).union(*(next(rows) for _ in commitment.sub_elements))
        assert len(pages) == 1, f"{commitment.name}: its heading and rows print on pages {pages}"
    assert set().union(*headings) == {0}, "the matrix does not fit on the first page"


def test_a_matrix_pushed_over_the_foot_of_a_page_breaks_between_commitments(
    browser: Browser, site: Site
):
    """Were the introduction longer, the foot of the first page would fall inside the matrix:
    pushed down so that each commitment's heading row in turn is the last row that fits, the
    matrix still prints each heading on the page of its rows, and its caption and column
    headings never print at the foot of a page without a commitment under them."""
    marks = {
        "heading": ".matrix .matrix__commitment",
        "row": ".matrix th[scope='row']",
        "caption": ".matrix caption",
        "columns": ".matrix thead th:first-child",
    }
    region = ".table-scroll:has(.matrix)"
    # a spacer two pages tall runs to the foot of the first page: the bottom of the space
    # the page gives to its content
    tall = print_marked(browser, site, "", marks, push_down=(region, 2 * A4_LONG))
    foot = max(part.bottom for part in tall.marks["spacer"][0] if part.page == 0)
    where = print_marked(browser, site, "", marks).marks["heading"]
    for k, commitment in enumerate(BOOK.rubric.commitments):
        (heading,) = where[k]
        row = heading.bottom - heading.top
        pushed = print_marked(
            browser, site, "", marks, push_down=(region, foot - heading.bottom - row / 2)
        )
        rows = iter(pushed.pages_of("row"))
        headings = pushed.pages_of("heading")
        for c, on in zip(BOOK.rubric.commitments, headings, strict=True):
            pages = set(on).union(*(next(rows) for _ in c.sub_elements))
            assert len(pages) == 1, f"pushed to {commitment.name}: {c.name} prints on {pages}"
        with_rows = set().union(*headings)
        assert pushed.pages_of("caption") == [{min(with_rows)}], f"pushed to {commitment.name}"
        assert pushed.pages_of("columns")[0] <= with_rows, f"pushed to {commitment.name}"


def test_the_worksheet_prints_compactly_each_sub_element_whole(browser: Browser, site: Site):
    """The printed worksheet (A4 landscape) keeps each sub-element's block on one page, a block
    takes at most a third of the printable height (so three share a page), and a page ends
    early only where the next block (with its commitment's heading) would not fit: no page is
    left half empty by a forced break."""
    printed = print_marked(
        browser,
        site,
        "assess/",
        {
            "title": ".assess h1",
            "sub": ".worksheet__sub",
            "heading": ".worksheet__commitment > h2",
        },
        javascript=False,
    )
    subs, headings = printed.marks["sub"], printed.marks["heading"]
    assert len(subs) == len(BOOK.rubric.sub_elements)
    assert all(len(parts) == 1 for parts in subs), "a sub-element's block is split"
    blocks = {parts[0] for parts in subs}
    # the title starts at the top margin, and the bottom margin is as wide
    (title,) = printed.marks["title"][0]
    foot = [height - title.top for height in printed.heights]
    for block in blocks:
        assert block.bottom - block.top <= (foot[block.page] - title.top) / 3, (
            f"a block takes over a third of page {block.page + 1}"
        )
    parts = sorted({p for ps in subs + headings for p in ps}, key=lambda p: (p.page, p.top))
    for page in range(len(printed.heights) - 1):
        following = [p for p in parts if p.page == page + 1]
        needed = min(p.bottom for p in following if p in blocks) - following[0].top
        left = foot[page] - max(p.bottom for p in parts if p.page == page)
        assert needed > left - 8, (
            f"page {page + 1} ends {left:.0f}pt early, where the next {needed:.0f}pt fit"
        )
    assert len(printed.heights) <= -(-len(subs) // 3) + 1


def test_a_story_prints_on_a4_portrait(browser: Browser, site: Site):
    story = next(
        p for p in site.pages if p.label.startswith("/stories/") and p.label != "/stories/"
    )
    pages = printed_pages(browser, site, story.label.removeprefix("/"))
    assert pages and all(size == (A4_SHORT, A4_LONG) for size in pages)


def test_a_story_prints_as_a_handout_without_site_chrome(browser: Browser, site: Site):
    """Printed, a story is its own text: no header, navigation, breadcrumbs, footer or search,
    and a link to another site is followed by its address, since paper cannot be clicked."""
    linked = next(s for s in BOOK.stories if "](http" in s.body)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(site.base_url + f"stories/{linked.slug}/", wait_until="load")
        page.emulate_media(media="print")
        hidden = page.evaluate(
            """selectors => selectors.map(s => [...document.querySelectorAll(s)]
                .every(el => getComputedStyle(el).display === "none"))""",
            [".site-header", ".site-nav", ".breadcrumbs", ".site-footer", ".skip-link"],
        )
        assert hidden == [True] * 5
        assert page.locator("h1").is_visible() and page.locator(".prose").is_visible()
        spelled = page.evaluate(
            """() => [...document.querySelectorAll('.prose a[href^="http"]')].map(a =>
                [a.getAttribute("href"), getComputedStyle(a, "::after").content])"""
        )
        assert spelled and all(after == f'" ({href})"' for href, after in spelled)
        licence = page.locator(".licence a[rel=license]")
        href = licence.get_attribute("href")
        assert licence.evaluate("a => getComputedStyle(a, '::after').content") == f'" ({href})"'
    finally:
        context.close()


def test_a_printed_story_leaves_out_its_notes_links_back_to_the_text(browser: Browser, site: Site):
    """Paper cannot follow "↩" back to where a note is referred to; the note's number in
    the text stays."""
    noted = next(s for s in BOOK.stories if "[^" in s.body)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(site.base_url + f"stories/{noted.slug}/", wait_until="load")
        back = page.locator('.prose a[href^="#note-ref-"]')
        assert back.count() > 0 and back.first.is_visible()
        page.emulate_media(media="print")
        shown = back.evaluate_all("links => links.filter(a => a.getClientRects().length)")
        assert shown == []
        assert page.locator('.prose sup[id^="note-ref-"]').first.is_visible()
    finally:
        context.close()


# a stage no story is at shows "Share yours"; once every stage has a story, any stage page
EMPTY_STAGE = next(
    (
        f"rubric/{sub.id}/{stage.number}/"
        for sub in BOOK.rubric.sub_elements
        for stage in BOOK.rubric.stages
        if not BOOK.stories_at(sub.id, stage.number)
    ),
    None,
)
STAGE = EMPTY_STAGE or f"rubric/{BOOK.rubric.sub_elements[0].id}/1/"
PRINTED = """() => {
    const shown = el => getComputedStyle(el).display !== "none" && el.getClientRects().length > 0;
    const address = document.querySelector(".print-address");
    const visible = [...document.body.querySelectorAll("*")]
        .filter(el => shown(el) && el.innerText?.trim());
    return {
        canonical: document.querySelector('link[rel="canonical"]').href,
        address: shown(address) ? address.innerText : null,
        lowest: Math.max(...visible.map(el => el.getBoundingClientRect().bottom)),
        addressBottom: address.getBoundingClientRect().bottom,
        screenOnly: [...document.querySelectorAll(".screen-only")]
            .map(el => [el.innerText, shown(el)]),
    };
}"""


@pytest.mark.parametrize("path", ["", "about/", "rubric/", STAGE, "assess/"])
def test_a_printed_page_ends_with_its_address_and_without_screen_instructions(
    browser: Browser, site: Site, path: str
):
    """On paper a link cannot be followed: every printed page ends with its own address (its
    canonical URL), and instructions that only work on a screen ("Choose a number to read…",
    "Share yours", "All 12 stories") are left out. On screen it is the other way round."""
    context = browser.new_context(java_script_enabled=path != "assess/")  # the worksheet
    try:
        page = context.new_page()
        page.goto(site.base_url + path, wait_until="load")
        on_screen = page.evaluate(PRINTED)
        page.emulate_media(media="print")
        printed = page.evaluate(PRINTED)
    finally:
        context.close()
    assert on_screen["address"] is None
    assert printed["address"] == f"This page is at {printed['canonical']}"
    assert printed["addressBottom"] >= printed["lowest"] - 0.5, "the address is not at the foot"
    assert all(shown for _, shown in on_screen["screenOnly"])
    assert not any(shown for _, shown in printed["screenOnly"])
    if path in ("", EMPTY_STAGE):
        words = " ".join(text for text, _ in on_screen["screenOnly"])
        assert ("Choose a number" if path == "" else "Share yours") in words
