"""Wide tables on narrow screens, in Chromium: a table that does not fit scrolls inside its
.table-scroll region, and the reader can see that it does, without JavaScript.

The sign is a shadow at each edge that hides columns (backgrounds that scroll with the table
cover it at the table's ends: background-attachment: local) and, where the browser can tell
that the region scrolls (scroll-state container queries), a line under the caption. The
caption itself wraps within the visible width and stays in view while the table scrolls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from .harness import Site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Where the audit found columns hidden with no sign: the results of /assess/ (filled in by its
# link), a partnership's journey (three self-assessments, so three date columns), the matrix.
TABLES = {
    "assess": ("assess/#su=24-31-25-&inst=22--3124-", "#assess-views"),
    "journey": ("partnerships/fenmoor-university-fenmoor-students-union/", "table.journey"),
    "matrix": ("", "table.matrix"),
}
HINT = "Scroll sideways to see every column"

MEASURE = """table => {
    const region = table.closest(".table-scroll");
    const caption = table.querySelector("caption");
    const style = getComputedStyle(region);
    const after = getComputedStyle(caption, "::after");
    const edge = () => [region.getBoundingClientRect(), caption.getBoundingClientRect()];
    const [box, atStart] = edge();
    region.scrollLeft = region.scrollWidth;
    const [, atEnd] = edge();
    region.scrollLeft = 0;
    return {
        scrolls: region.scrollWidth > region.clientWidth,
        left: box.left, right: box.left + region.clientWidth,
        captionAtStart: [atStart.left, atStart.right], captionAtEnd: [atEnd.left, atEnd.right],
        attachment: style.backgroundAttachment, images: style.backgroundImage,
        hint: after.display === "none" ? null : after.content,
    };
}"""


def measure(browser: Browser, site: Site, name: str, width: int) -> dict[str, Any]:
    path, selector = TABLES[name]
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page: Page = context.new_page()
        page.goto(site.base_url + path, wait_until="networkidle")
        return page.locator(selector).evaluate(MEASURE)
    finally:
        context.close()


@pytest.mark.parametrize(
    ("name", "width"), [("assess", 390), ("journey", 390), ("assess", 320), ("journey", 320)]
)
def test_a_table_that_scrolls_says_so_and_keeps_its_caption_in_view(
    browser: Browser, site: Site, name: str, width: int
):
    found = measure(browser, site, name, width)
    assert found["scrolls"], f"the {name} table fits at {width}px: this test checks nothing"
    # the shadows: two covers that scroll with the table over two shadows that stay put
    assert found["attachment"].startswith("local, local, scroll, scroll"), found["attachment"]
    assert found["images"].count("linear-gradient") == 4
    # the line under the caption (generated content, with empty alternative text for
    # screen readers, which announce the table's size themselves)
    assert found["hint"] == f'"{HINT}" / ""'
    # the caption wraps inside the visible width, and is still there at the far end
    for start, end in (found["captionAtStart"], found["captionAtEnd"]):
        assert found["left"] - 0.5 <= start and end <= found["right"] + 0.5, found


@pytest.mark.parametrize("name", list(TABLES))
def test_no_scroll_sign_where_a_table_fits(browser: Browser, site: Site, name: str):
    found = measure(browser, site, name, 1280)
    assert not found["scrolls"] and found["hint"] is None


@pytest.mark.parametrize("width", [320, 390])
def test_the_matrix_fits_a_small_phone(browser: Browser, site: Site, width: int):
    """At 320px the matrix used to hide its last column exactly at the screen's edge, where
    nothing showed that there was more; its cells are narrower on phones, and it fits."""
    found = measure(browser, site, "matrix", width)
    assert not found["scrolls"] and found["hint"] is None


@pytest.mark.parametrize(("width", "shown"), [(375, True), (1280, False)])
def test_the_stage_numbers_are_named_under_the_matrix_on_a_phone(
    browser: Browser, site: Site, width: int, shown: bool
):
    """On a phone the matrix's columns show only the numbers 1 to 5: a line under it names
    them. Wider, the column headings name the stages, and the line is not shown."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page: Page = context.new_page()
        page.goto(site.base_url, wait_until="networkidle")
        key = page.locator(".matrix__key")
        assert key.is_visible() is shown
        assert key.text_content() == (
            "Stages: 1 Early stages, 2 Developing, 3 Developed, 4 Refining, 5 Best practice."
        )
    finally:
        context.close()


STOPS = """() => Array.from(document.querySelectorAll(".table-scroll"), region => ({
    label: region.getAttribute("aria-labelledby") || region.getAttribute("aria-label"),
    scrolls: region.scrollWidth > region.clientWidth,
    tabindex: region.getAttribute("tabindex"),
}))"""


def tab_stops(page: Page) -> list[dict[str, Any]]:
    page.wait_for_function(STOPS + ".every(r => r.scrolls === (r.tabindex === '0'))")
    return page.evaluate(STOPS)


def test_only_a_table_wider_than_the_screen_is_a_tab_stop(browser: Browser, site: Site):
    """tables.js keeps a region's Tab stop (for scrolling with the keyboard) only while its
    table does not fit, and asks again when the window changes: at 1280px the matrix's three
    tables and /contribute/'s four fit and are not stops; at 390px the three do not, and the
    template's table does not either, and each is one."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page: Page = context.new_page()
        page.goto(site.base_url + "rubric/", wait_until="networkidle")
        wide = tab_stops(page)
        assert [r["tabindex"] for r in wide] == [None, None, None], wide
        page.set_viewport_size({"width": 390, "height": 800})
        narrow = tab_stops(page)
        assert [(r["scrolls"], r["tabindex"]) for r in narrow] == [(True, "0")] * 3, narrow
        page.goto(site.base_url + "contribute/", wait_until="networkidle")
        by_label = {r["label"]: r for r in tab_stops(page)}
        assert by_label["Story template"]["tabindex"] == "0", by_label
        page.set_viewport_size({"width": 1280, "height": 800})
        assert [r["tabindex"] for r in tab_stops(page)] == [None] * 4
    finally:
        context.close()


def test_a_region_with_the_focus_keeps_its_stop_until_it_loses_it(browser: Browser, site: Site):
    """A window widened while the keyboard is in a table does not take the focus's element out
    of the Tab order under it; once the focus moves on, the table that now fits drops out."""
    context = browser.new_context(viewport={"width": 390, "height": 800})
    try:
        page: Page = context.new_page()
        page.goto(site.base_url + "rubric/", wait_until="networkidle")
        tab_stops(page)
        region = page.locator(".table-scroll").first
        region.focus()
        page.set_viewport_size({"width": 1280, "height": 800})
        page.wait_for_timeout(200)  # a ResizeObserver round; the stop must still be there
        assert region.get_attribute("tabindex") == "0"
        page.keyboard.press("Tab")
        page.wait_for_function(
            "() => !document.querySelector('.table-scroll').hasAttribute('tabindex')"
        )
    finally:
        context.close()


def test_without_javascript_every_table_region_is_a_tab_stop(browser: Browser, site: Site):
    """Without script nothing can tell which tables fit, so the HTML makes each a stop."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, java_script_enabled=False
    )
    try:
        page: Page = context.new_page()
        page.goto(site.base_url + "rubric/", wait_until="networkidle")
        assert page.evaluate(STOPS) == [
            {"label": f"caption-{c}", "scrolls": False, "tabindex": "0"}
            for c in ("partnership", "resourcing", "delivery")
        ]
    finally:
        context.close()
