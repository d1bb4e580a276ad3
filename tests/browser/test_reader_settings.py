"""The site under settings readers choose for themselves, in Chromium: forced colours (Windows
High Contrast), a screen 320 CSS pixels wide (a small phone, or 400% zoom), and a story whose
text holds a long line of code.

Forced colours drop backgrounds and box shadows, so a focus style made of them vanishes and
a key drawn as a coloured background is left empty; only outlines and borders are drawn, in
the reader's own colours."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .harness import Site, built_page, examples_served
from .test_pages_in_browser import describe_violation, fail_with

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Pages with every kind of control: buttons (the search's, the filters' "Clear filters", the
# results of /assess/ and its "Copy the link"), links styled as buttons, the matrix's cells,
# summaries, checkboxes, radios and text fields.
FOCUS_PAGES = (
    "",
    "stories/",
    "search/?q=trust",
    "assess/#su=24031-25-&inst=220-3124-&v=1.0",
    "contribute/",
)
MAX_TAB_STOPS = 400
FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const style = getComputedStyle(e);
    const name = (e.innerText || e.value || e.getAttribute("aria-label") || "").trim();
    return {
        element: `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""} “${name.slice(0, 40)}”`,
        style: style.outlineStyle, width: parseFloat(style.outlineWidth),
    };
}"""
# how many colours a PNG (base64) holds, counted on a blank page outside the site's CSP
COLOURS = """async png => {
    const bytes = Uint8Array.from(atob(png), c => c.charCodeAt(0));
    const image = await createImageBitmap(new Blob([bytes], {type: "image/png"}));
    const canvas = new OffscreenCanvas(image.width, image.height);
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, image.width, image.height).data;
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4) seen.add(data.slice(i, i + 3).join());
    return seen.size;
}"""
JOURNEY = "partnerships/fenmoor-university-fenmoor-students-union/"
STORY = "stories/2023-03-fenmoor-starting-from-separate-agendas/"


def forced_colours_page(browser: Browser, site: Site, path: str) -> tuple[Any, Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.emulate_media(forced_colors="active")
    page.goto(site.base_url + path, wait_until="networkidle")
    return context, page


@pytest.mark.parametrize("path", FOCUS_PAGES)
def test_in_forced_colours_every_focused_control_draws_an_outline(
    browser: Browser, site: Site, path: str
):
    """A focus style of background and shadow alone leaves only the browser's thin ring in
    forced colours, which on a bordered button is hard to tell from its border."""
    context, page = forced_colours_page(browser, site, path)
    try:
        for summary in page.locator("summary").all():
            summary.click()  # the filters' boxes are inside
        page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
        faint, stops = set(), 0
        while stops < MAX_TAB_STOPS:
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if focused is None:
                break
            stops += 1
            if focused["style"] in ("none", "auto") or focused["width"] < 2:
                faint.add(f"{focused['element']}: outline {focused['style']} {focused['width']}px")
    finally:
        context.close()
    assert stops > 5, f"only {stops} tab stops on /{path}"
    fail_with(sorted(faint), f"Focused in forced colours without a clear outline on /{path}")


def test_in_forced_colours_the_journey_legend_keeps_its_shapes(browser: Browser, site: Site):
    """Each key is a coloured shape drawn as a background; forced colours would paint it as
    the page, leaving bare names under a chart whose markers keep their colours."""
    context, page = forced_colours_page(browser, site, JOURNEY)
    try:
        keys = page.locator(".journey-key").all()
        assert len(keys) >= 3
        shots = [base64.b64encode(key.screenshot()).decode() for key in keys]
        blank = context.new_page()
        colours = [blank.evaluate(COLOURS, shot) for shot in shots]
    finally:
        context.close()
    assert all(count > 1 for count in colours), f"colours in each key: {colours}"


def test_in_forced_colours_the_matrix_has_no_empty_key(browser: Browser, site: Site):
    """The cells' shades are dropped, so their key would be a row of empty boxes."""
    context, page = forced_colours_page(browser, site, "")
    try:
        assert page.locator(".heat-key").count() == 1
        assert not page.locator(".heat-key").is_visible()
    finally:
        context.close()


def target_size_violations(browser: Browser, site: Site, axe_script: str, path: str) -> list:
    context = browser.new_context(viewport={"width": 320, "height": 740})
    try:
        page = context.new_page()
        page.goto(site.base_url + path, wait_until="networkidle")
        page.add_script_tag(url=axe_script)
        options = {"runOnly": {"type": "rule", "values": ["target-size"]}}
        return page.evaluate("options => axe.run(document, options)", options)["violations"]
    finally:
        context.close()


def test_a_story_s_topics_are_targets_apart_at_320_pixels(
    browser: Browser, site: Site, axe_script: str
):
    """A topic that wraps onto a second line must not leave the next one's link inside its
    box (WCAG 2.5.8); this story's first topic wraps at 320px."""
    assert built_page(site, STORY)
    violations = target_size_violations(browser, site, axe_script, STORY)
    fail_with([describe_violation(v) for v in violations], f"axe-core at 320px on /{STORY}")


LONG_LINE = "print('a line of code far wider than a phone: " + "x" * 60 + "')"
# wider than a phone: its words must not be broken to fit ("20/23"), so it scrolls instead
TABLE = (
    "| Year | Students surveyed | Commuting students | Mature students | Care leavers |\n"
    "|:--|--:|--:|--:|--:|\n"
    "| 2023 | 1,200 | 340 | 210 | 18 |\n"
    "| 2024 | 1,350 | 365 | 240 | 22 |\n"
)
# each single-word cell's text on one line: a word broken to fit takes two
BROKEN_WORDS = """region => [...region.querySelectorAll("th, td")]
    .filter(cell => !/\\s/.test(cell.textContent.trim()))
    .filter(cell => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
    })
    .map(cell => cell.textContent.trim())"""


@pytest.fixture(scope="module")
def code_site(tmp_path_factory: pytest.TempPathFactory):
    def with_code(content: Path) -> None:
        story = content / "stories" / "2023-03-fenmoor-starting-from-separate-agendas.md"
        story.write_text(story.read_text() + f"\n```\n{LONG_LINE}\n```\n\n{TABLE}")

    with examples_served(tmp_path_factory.mktemp("code"), with_code) as served:
        yield served


@pytest.mark.parametrize("width", [320, 390])
def test_a_long_line_of_code_in_a_story_never_makes_the_page_scroll(
    browser: Browser, code_site: Site, width: int
):
    context = browser.new_context(viewport={"width": width, "height": 740})
    try:
        page = context.new_page()
        page.goto(code_site.base_url + STORY, wait_until="networkidle")
        code = page.locator(".prose pre")
        assert "far wider than a phone" in code.inner_text()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        right = code.evaluate("e => e.getBoundingClientRect().right")
    finally:
        context.close()
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    assert right <= width


@pytest.mark.parametrize("width", [320, 390])
def test_a_wide_table_in_a_story_scrolls_in_its_region_with_its_words_whole(
    browser: Browser, code_site: Site, axe_script: str, width: int
):  # axe_script: skips the test where axe-core is missing
    """The region scrolls, not the page; it is reached by keyboard and named by its
    headings; and axe-core finds nothing on the page at that width."""
    context = browser.new_context(viewport={"width": width, "height": 740})
    try:
        page = context.new_page()
        page.goto(code_site.base_url + STORY, wait_until="networkidle")
        region = page.locator(".prose .table-scroll")
        assert region.get_attribute("aria-label") == (
            "Table: Year, Students surveyed, Commuting students, Mature students, Care leavers"
        )
        broken = region.evaluate(BROKEN_WORDS)
        scrolls = region.evaluate("e => e.scrollWidth > e.clientWidth")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        aligned = page.locator(".prose td.align-right").first.evaluate(
            "e => getComputedStyle(e).textAlign"
        )
        region.focus()
        focused = page.evaluate("document.activeElement.classList.contains('table-scroll')")
        page.add_script_tag(url=code_site.axe_url)  # axe-core on this server's own origin
        violations = page.evaluate("() => axe.run(document)")["violations"]
    finally:
        context.close()
    assert broken == [] and scrolls and overflow <= 0 and focused
    assert aligned == "right"
    fail_with([describe_violation(v) for v in violations], f"axe-core at {width}px on /{STORY}")
