"""The pages that show a descriptor's earlier words, as readers get them: axe-clean at
desktop and phone widths, loading cleanly, and valid HTML. The example tool is version 1.0,
as published, so this builds the example stories with a version 1.1 that corrects a typo
("resources al allocated") and keeps the words it replaced (tests/test_reworded.py checks
what the pages say)."""

from __future__ import annotations

import json
import shutil

import pytest

from ..conftest import keep_only_examples
from .harness import CONTENT_DIR, VIEWPORTS, built_page, start_site
from .test_html_checker import describe, run_vnu
from .test_pages_in_browser import check_page_cleanly_with_axe

TYPO, FIXED = "resources al allocated", "resources are allocated"
# a story assessed at that stage before the fix, the stage's page, and the list of versions
PAGES = (
    "stories/2022-11-brackenford-commuter-student-research/",
    "rubric/funding-and-facilities/3/",
    "about/",
)


@pytest.fixture(scope="module")
def reworded_site(tmp_path_factory: pytest.TempPathFactory):
    workdir = tmp_path_factory.mktemp("reworded")
    content = workdir / "content"
    keep_only_examples(shutil.copytree(CONTENT_DIR, content))  # whatever else content/ holds
    rubric = content / "rubric" / "rubric.yaml"
    text = rubric.read_text(encoding="utf-8")
    [before] = [
        json.loads(line.strip().removeprefix("- ")) for line in text.splitlines() if TYPO in line
    ]
    top = 'version: "1.0"\nchangelog:\n'
    assert top in text
    entry = (
        '  - version: "1.1"\n    date: 2025-01-15\n    changes: ["Corrected a typo."]\n'
        "    replaced:\n      - sub_element: funding-and-facilities\n        stage: 3\n"
        f"        text: {json.dumps(before)}\n"
    )
    text = text.replace(json.dumps(before), json.dumps(before.replace(TYPO, FIXED)))
    rubric.write_text(text.replace(top, f'version: "1.1"\nchangelog:\n{entry}'), "utf-8")
    site = start_site(workdir, content)
    if site.build_error is not None:
        pytest.fail(site.build_error, pytrace=False)
    yield site
    assert site.server is not None
    site.server.close()


def test_the_pages_show_the_earlier_words(reworded_site):
    """What the other tests here check is there: the story and the stage quote the typo."""
    for path in PAGES[:2]:
        assert TYPO in built_page(reworded_site, path).file.read_text(encoding="utf-8")
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
