"""The pages that show a descriptor's earlier words, as readers get them: axe-clean at
desktop and phone widths, loading cleanly, and valid HTML. This builds the example stories
with a version 1.1 of the tool, from 2025, that rewords one stage and keeps the words it
replaced (tests/test_reworded.py checks what the pages say)."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from ..test_reworded import entry, reword, words_now
from .harness import VIEWPORTS, built_page, examples_served
from .test_html_checker import describe, run_vnu
from .test_pages_in_browser import check_page_cleanly_with_axe

BEFORE = words_now("funding-and-facilities", 3)
# a story assessed at that stage before 2025, the stage's page, and the list of versions
PAGES = (
    "stories/2022-11-brackenford-commuter-student-research/",
    "rubric/funding-and-facilities/3/",
    "about/",
)


@pytest.fixture(scope="module")
def reworded_site(tmp_path_factory: pytest.TempPathFactory):
    entries = entry("1.1", "2025-01-15", [("funding-and-facilities", 3, BEFORE)])
    new_words = {BEFORE: f"{BEFORE} Reworded for this test."}

    def reworded(content: Path) -> None:
        reword(content, entries, "1.1", new_words)

    with examples_served(tmp_path_factory.mktemp("reworded"), reworded) as site:
        yield site


def test_the_pages_show_the_earlier_words(reworded_site):
    """What the other tests here check is there: the story and the stage quote the words."""
    for path in PAGES[:2]:
        page = built_page(reworded_site, path).file.read_text(encoding="utf-8")
        assert html.escape(BEFORE) in page
    story = built_page(reworded_site, PAGES[0]).file.read_text(encoding="utf-8")
    assert 'id="words-then"' in story


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_they_load_cleanly_with_no_axe_violations(browser, reworded_site, path, size):
    target = built_page(reworded_site, path)
    check_page_cleanly_with_axe(browser, reworded_site, target, VIEWPORTS[size])


def test_they_are_valid_html(reworded_site, vnu_command):
    files = [built_page(reworded_site, path).file for path in PAGES]
    errors = [m for m in run_vnu(vnu_command, files) if m.get("type") != "info"]
    assert [describe(m, reworded_site.root) for m in errors] == []
