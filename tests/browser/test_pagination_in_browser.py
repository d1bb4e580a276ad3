"""The pager of long lists, as readers get it: axe-clean at desktop and phone widths, valid
HTML, and links that lead from page to page. The example content is short, so this builds it
with `per_page: 3` in site.yaml, which cuts every list into pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .harness import AXE_PATH, CONTENT_DIR, VIEWPORTS, Site, SitePage, require, start_site
from .test_html_checker import describe, run_vnu
from .test_pages_in_browser import describe_violation, open_page, run_axe

PAGED = ("stories/page/2/", "tags/access-and-participation-plan/page/2/", "partnerships/page/2/")


@pytest.fixture(scope="module")
def paged_site(tmp_path_factory: pytest.TempPathFactory):
    workdir = tmp_path_factory.mktemp("paged")
    content = workdir / "content"
    shutil.copytree(CONTENT_DIR, content)
    with (content / "site.yaml").open("a") as file:
        file.write("per_page: 3\n")
    site = start_site(workdir, content)
    if site.build_error is not None:
        pytest.fail(site.build_error, pytrace=False)
    yield site
    assert site.server is not None
    site.server.close()


def site_page(site: Site, path: str) -> SitePage:
    file = site.root / path / "index.html"
    assert file.is_file(), f"{path} was not built"
    return SitePage(file, site.base_url + path, path)


@pytest.mark.parametrize("path", PAGED)
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_later_pages_of_lists_load_cleanly_with_no_axe_violations(browser, paged_site, path, size):
    require(AXE_PATH.is_file(), f"axe-core ({AXE_PATH}, from `npm ci --prefix tests`)")
    target = site_page(paged_site, path)
    with open_page(browser, paged_site, target, VIEWPORTS[size]) as (page, log):
        violations = run_axe(page, paged_site.axe_url)
        problems = log.problems()
    assert problems == []
    assert violations == [], "\n".join(describe_violation(v) for v in violations)


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
