"""On a phone, the main menu's links are targets a thumb can hit: 44 CSS pixels tall (WCAG
2.5.5, target size enhanced), where on a desktop they stay as compact as the text."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .harness import Site

if TYPE_CHECKING:
    from playwright.sync_api import Browser

HEIGHTS = "links => links.map(a => a.getBoundingClientRect().height)"


def menu_link_heights(browser: Browser, site: Site, width: int) -> list[float]:
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(site.base_url, wait_until="networkidle")
        return page.locator(".site-nav a").evaluate_all(HEIGHTS)
    finally:
        context.close()


@pytest.mark.parametrize("width", [320, 390])
def test_the_menus_links_are_44_pixels_tall_on_a_phone(browser: Browser, site: Site, width: int):
    heights = menu_link_heights(browser, site, width)
    assert len(heights) >= 8 and min(heights) >= 44, heights


def test_the_menu_stays_compact_on_a_desktop(browser: Browser, site: Site):
    heights = menu_link_heights(browser, site, 1280)
    assert len(heights) >= 8 and max(heights) < 44, heights
