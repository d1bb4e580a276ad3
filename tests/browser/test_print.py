"""Printed for a partnership meeting: the rubric on A4 landscape, one commitment per page.

Chromium prints the page to PDF with the site's print stylesheet; its PDF keeps each page's
dictionary readable, so the pages and their sizes are counted from the bytes.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser

from casebook.pipeline import BuildOptions, check_site

from .harness import CONTENT_DIR, Site

A4_LONG, A4_SHORT = 841.92, 594.96


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


def test_rubric_prints_one_commitment_per_a4_landscape_page(browser: Browser, site: Site):
    commitments = len(check_site(BuildOptions(content=CONTENT_DIR)).book.rubric.commitments)
    pages = printed_pages(browser, site, "rubric/")
    assert pages == [(A4_LONG, A4_SHORT)] * (1 + commitments), (
        "expected the introduction, then each commitment on its own A4 landscape page"
    )


def test_a_story_prints_on_a4_portrait(browser: Browser, site: Site):
    story = next(
        p for p in site.pages if p.label.startswith("/stories/") and p.label != "/stories/"
    )
    pages = printed_pages(browser, site, story.label.removeprefix("/"))
    assert pages and all(size == (A4_SHORT, A4_LONG) for size in pages)


def test_a_story_prints_as_a_handout_without_site_chrome(browser: Browser, site: Site):
    """Printed, a story is its own text: no header, navigation, breadcrumbs, footer or search,
    and a link to another site is followed by its address, since paper cannot be clicked."""
    book = check_site(BuildOptions(content=CONTENT_DIR)).book
    linked = next(s for s in book.stories if "](http" in s.body)
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
    finally:
        context.close()


BOOK = check_site(BuildOptions(content=CONTENT_DIR)).book
EMPTY_STAGE = next(
    f"rubric/{sub.id}/{stage.number}/"
    for sub in BOOK.rubric.sub_elements
    for stage in BOOK.rubric.stages
    if not BOOK.stories_at(sub.id, stage.number)
)
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


@pytest.mark.parametrize("path", ["", "about/", "rubric/", EMPTY_STAGE, "assess/"])
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
