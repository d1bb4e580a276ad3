"""The pager of long lists, as readers get it: axe-clean at desktop and phone widths, valid
HTML, and links that lead from page to page. The example content is short, so this builds it
with `per_page: 3` in site.yaml (its example stories only), which cuts every list into pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import VIEWPORTS, built_page, examples_served
from .test_html_checker import describe, run_vnu
from .test_pages_in_browser import check_page_cleanly_with_axe

PER_PAGE = 3
PAGED = ("stories/page/2/", "tags/access-and-participation-plan/page/2/", "partnerships/page/2/")


@pytest.fixture(scope="module")
def paged_site(tmp_path_factory: pytest.TempPathFactory):
    def paged(content: Path) -> None:
        with (content / "site.yaml").open("a") as file:
            file.write(f"per_page: {PER_PAGE}\n")

    with examples_served(tmp_path_factory.mktemp("paged"), paged) as site:
        yield site


@pytest.mark.parametrize("path", PAGED)
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_later_pages_of_lists_load_cleanly_with_no_axe_violations(browser, paged_site, path, size):
    target = built_page(paged_site, path)
    check_page_cleanly_with_axe(browser, paged_site, target, VIEWPORTS[size])


def test_the_pager_leads_through_every_page_by_keyboard(browser, paged_site):
    context = browser.new_context(viewport=VIEWPORTS["phone"])
    page = context.new_page()
    page.goto(paged_site.base_url + "stories/")
    seen = []
    while True:
        seen += page.locator(".story-list h2 a").evaluate_all("els => els.map(e => e.href)")
        following = page.locator("nav.pager--pages a[rel=next]")
        if following.count() == 0:
            break
        following.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
    stories = [
        p for p in (paged_site.root / "stories").iterdir() if p.is_dir() and p.name != "page"
    ]
    assert len(seen) == len(set(seen)) == len(stories)
    context.close()


def test_paged_lists_are_valid_html(paged_site, vnu_command):
    files = sorted(Path(paged_site.root).rglob("page/*/index.html"))
    assert len(files) >= 3
    messages = [m for m in run_vnu(vnu_command, files) if m.get("type") == "error"]
    assert messages == [], "\n".join(describe(m, paged_site.root) for m in messages)


def test_stories_filters_reach_every_page_and_clearing_shows_this_page_again(browser, paged_site):
    from playwright.sync_api import expect

    from casebook.pipeline import BuildOptions, check_site

    book = check_site(BuildOptions(paged_site.root.parent / "content")).book
    at_stage = [
        s.title for s in book.newest_first if any(a.stage.number == 2 for a in s.assessments)
    ]
    pages = -(-len(book.stories) // PER_PAGE)
    unfiltered = f"Showing page 1 of {pages}; choose a filter to search all the stories."
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(paged_site.base_url + "stories/")
    status = page.locator("[data-status]")
    expect(status).to_have_text(unfiltered)
    titles = page.locator("[data-filter-list] > li:visible h2 a")
    first_page = titles.all_inner_texts()
    assert len(first_page) == PER_PAGE
    assert not set(at_stage) <= set(first_page), "some stage 2 stories should be on later pages"
    page.locator("summary").click()
    page.get_by_role("group", name="Stage").get_by_label("Developing", exact=True).check()
    expect(status).to_have_text(f"Showing {len(at_stage)} of {len(book.stories)} stories.")
    assert titles.all_inner_texts() == at_stage
    expect(page.locator("[data-pager]")).to_be_hidden()
    assert all(url.startswith(paged_site.origin) for url in requests)
    page.reload()
    expect(status).to_have_text(f"Showing {len(at_stage)} of {len(book.stories)} stories.")
    page.get_by_role("button", name="Clear filters").click()
    expect(status).to_have_text(unfiltered)
    assert titles.count() == PER_PAGE
    expect(page.locator("[data-pager]")).to_be_visible()
    context.close()
