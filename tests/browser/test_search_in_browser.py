"""Search and the stories filters, used in Chromium as a reader would, under the sub-path.

The site (the example content, built once by conftest.py) is served at /wp-stories/, so the
search library, its index and the result links must all carry that path to work here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

from casebook.model import Casebook
from casebook.pipeline import BuildOptions, check_site

from .harness import CONTENT_DIR, SUB_PATH, Site, SiteServer
from .test_pages_in_browser import describe_violation, run_axe

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

WORD = "childcare"  # in one example story's text only, and in no title (checked below)
TIMEOUT_MS = 15_000
SEARCHING = "Searching…"
NOT_DONE = re.compile(f"^({SEARCHING})?$")  # the status before a search, or while it runs


@pytest.fixture(scope="module")
def book() -> Casebook:
    return check_site(BuildOptions(content=CONTENT_DIR)).book


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield tab
    context.close()
    assert errors == [], "errors in the page"


def result_links(page: Page) -> list[str]:
    return [
        urlsplit(a.get_attribute("href") or "").path for a in page.locator(".search-result a").all()
    ]


def facet(page: Page, legend: str, label: str) -> Locator:
    """The checkbox labelled `label` in the fieldset whose legend is `legend`."""
    return page.get_by_role("group", name=legend).get_by_label(label, exact=True)


def status(page: Page) -> str:
    return page.locator("[data-status]").inner_text()


def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_a_word_from_one_story_finds_that_story(page: Page, site: Site, book: Casebook):
    """The example story with the word, and any contributed story with it too."""
    having = [s for s in book.stories if WORD in f"{s.title} {s.summary} {s.body}".casefold()]
    (story,) = [s for s in having if s.example]  # the example content has it once
    assert WORD not in story.title.casefold() and WORD not in story.summary.casefold()
    page.goto(site.base_url + f"search/?q={WORD}")
    expect(page.locator(".search-result")).to_have_count(len(having), timeout=TIMEOUT_MS)
    assert sorted(result_links(page)) == sorted(f"{SUB_PATH}stories/{s.slug}/" for s in having)
    counted = "1 result" if len(having) == 1 else f"{len(having)} results"
    assert status(page) == f"{counted} for “{WORD}”."
    link = f"{SUB_PATH}stories/{story.slug}/"
    item = page.locator(".search-result").filter(has=page.locator(f'a[href$="{link}"]'))
    # a fictional example says so here too, as in every list of stories
    expect(item.locator("h2")).to_have_text(f"{story.title} Example")
    expect(item.locator("h2 strong.badge--example")).to_have_text("Example")
    meta = item.locator(".search-result__meta").inner_text()
    assert meta.startswith("Story · ") and story.partnership.name in meta
    assert story.assessments[0].stage.name in meta
    expect(item.locator(".search-result__excerpt mark")).to_have_text(re.compile(WORD, re.I))
    item.locator("a").click()
    assert urlsplit(page.url).path == link


def test_excerpts_start_at_a_word_not_a_separator(page: Page, site: Site, book: Casebook):
    """Pagefind cuts an excerpt out of the page's words, so it can start at a separator such
    as a "·"; and a stage's excerpt starts with its heading, once."""
    page.goto(site.base_url + "search/?q=trust")
    expect(page.locator("[data-status]")).to_contain_text("for “trust”", timeout=TIMEOUT_MS)
    excerpts = page.locator(".search-result__excerpt").all_inner_texts()
    assert len(excerpts) >= 5
    assert all(re.match(r"\w", text) for text in excerpts), excerpts
    assert any(text.startswith("Developing trust: stage") for text in excerpts), excerpts
    assert not any(text.startswith("Developing trust. Developing trust") for text in excerpts)


def test_the_stage_facet_narrows_the_results(page: Page, site: Site, book: Casebook):
    page.goto(site.base_url + "search/")
    page.get_by_label("Search stories, stages of the tool and partnerships").fill("trust")
    page.keyboard.press("Enter")
    expect(page.locator("[data-status]")).to_contain_text("for “trust”", timeout=TIMEOUT_MS)
    everything = int(status(page).split()[0])
    page.locator("summary").click()
    stage = book.rubric.stage(2)
    facet(page, "Stage", stage.name).check()
    expect(page.locator("[data-status]")).to_contain_text("with these filters", timeout=TIMEOUT_MS)
    narrowed = int(status(page).split()[0])
    assert 0 < narrowed < everything
    assert query_of(page) == {"q": ["trust"], "stage": ["2"]}
    metas = page.locator(".search-result__meta").all_inner_texts()
    assert metas and all(f"{stage.number}. {stage.name}" in m or "Partnership" in m for m in metas)


def test_a_shared_search_url_restores_the_query_and_filters(page: Page, site: Site):
    page.goto(site.base_url + "search/?q=trust&stage=2")
    expect(page.locator("[data-status]")).to_contain_text("with these filters", timeout=TIMEOUT_MS)
    expect(page.get_by_label("Search stories, stages of the tool and partnerships")).to_have_value(
        "trust"
    )
    expect(facet(page, "Stage", "Developing")).to_be_checked()
    expect(page.locator("details.filters")).to_have_attribute("open", "")
    expect(page.locator("[data-search-fallback]")).to_be_hidden()


def test_a_slow_search_says_it_is_searching_until_it_can_count(
    page: Page, site: Site, book: Casebook
):
    """On a slow connection Pagefind's files take seconds: the live region says "Searching…"
    at once (politely), and the count replaces it when the results are on the page. The
    title names the search meanwhile, and is the page's own again once the query is cleared."""
    held: list[Route] = []  # requests for the index and the results' text, kept waiting
    line = {"slow": True}

    def hold(route: Route) -> None:
        if line["slow"]:
            held.append(route)
        else:
            route.continue_()

    page.route(lambda url: url.endswith((".pf_index", ".pf_fragment")), hold)
    page.goto(site.base_url + "search/?q=trust")
    live = page.locator("[data-status]")
    expect(live).to_have_text(SEARCHING, timeout=TIMEOUT_MS)
    assert live.get_attribute("role") == "status" and live.get_attribute("aria-live") == "polite"
    assert page.locator(".search-result").count() == 0
    expect(page).to_have_title(f"“trust”: search – {book.site.title}")
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the search asked for nothing: this test held nothing back"
    line["slow"] = False
    for route in held:
        route.continue_()
    expect(live).to_have_text(re.compile(r"^\d+ results? for “trust”\."), timeout=TIMEOUT_MS)
    expect(page.locator(".search-result").first).to_be_visible()
    page.get_by_label("Search stories, stages of the tool and partnerships").fill("")
    page.keyboard.press("Enter")
    expect(page).to_have_title(f"Search – {book.site.title}")
    expect(live).to_have_text("")


def test_a_slow_typist_hears_the_count_once_when_they_stop(page: Page, site: Site):
    """Typing at 400 ms a letter used to change the status 14 times for "bursary" (each pause
    gave "Searching…" and a count of the letters so far): the results still follow the
    letters, but the status waits until typing has stopped for a second."""
    page.goto(site.base_url + "search/")
    box = page.get_by_label("Search stories, stages of the tool and partnerships")
    expect(box).to_be_visible()
    page.evaluate(
        """() => {
            window.told = [];
            const live = document.querySelector("[data-status]");
            new MutationObserver(() => window.told.push(live.textContent))
                .observe(live, { childList: true, characterData: true, subtree: true });
        }"""
    )
    box.press_sequentially("bursary", delay=400)
    live = page.locator("[data-status]")
    expect(live).to_have_text(re.compile(r"^\d+ results? for “bursary”\.$"), timeout=TIMEOUT_MS)
    told = [text for text in page.evaluate("() => window.told") if text]
    assert told == [live.inner_text()], told
    # Enter asks for the answer without waiting
    box.press_sequentially(" trust", delay=50)
    page.keyboard.press("Enter")
    expect(live).to_have_text(re.compile("for “bursary trust”"), timeout=TIMEOUT_MS)


def test_without_javascript_search_points_to_the_stories_and_the_matrix(
    browser: Browser, site: Site
):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.base_url + "search/?q=trust")
        expect(page.locator("form[role=search]")).to_be_hidden()
        fallback = page.locator("[data-search-fallback]")
        expect(fallback).to_be_visible()
        expect(fallback.get_by_role("link", name="All stories")).to_have_attribute(
            "href", f"{SUB_PATH}stories/"
        )
        expect(fallback.get_by_role("link", name="The matrix")).to_have_attribute(
            "href", f"{SUB_PATH}#matrix"
        )
        expect(page.locator("main input:visible, main button:visible")).to_have_count(0)
    finally:
        context.close()


# --- The stories index ------------------------------------------------------------------------


def visible_titles(page: Page) -> list[str]:
    return page.locator("[data-filter-list] > li:visible h2 a").all_inner_texts()


def test_stories_filters_narrow_the_list_and_survive_a_reload(
    page: Page, site: Site, book: Casebook
):
    page.goto(site.base_url + "stories/")
    expect(page.locator("[data-story-filters]")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text(f"Showing all {len(book.stories)} stories.")
    page.locator("summary").click()
    stage = book.rubric.stage(2)
    facet(page, "Stage", stage.name).check()
    at_stage = [
        s.title for s in book.newest_first if any(a.stage.number == 2 for a in s.assessments)
    ]
    assert visible_titles(page) == at_stage
    expect(page.locator("[data-status]")).to_have_text(
        f"Showing {len(at_stage)} of {len(book.stories)} stories."
    )
    year = str(book.newest_first[-1].date.year)
    facet(page, "Year", year).check()
    both = [
        s.title
        for s in book.newest_first
        if any(a.stage.number == 2 for a in s.assessments) and str(s.date.year) == year
    ]
    assert visible_titles(page) == both
    assert query_of(page) == {"stage": ["2"], "year": [year]}

    page.reload()
    expect(facet(page, "Stage", stage.name)).to_be_checked()
    expect(facet(page, "Year", year)).to_be_checked()
    assert visible_titles(page) == both

    page.get_by_role("button", name="Clear filters").click()
    assert len(visible_titles(page)) == len(book.stories)
    assert urlsplit(page.url).query == ""


def a_story_at_two_stages(book: Casebook) -> tuple[str, int, list[str]]:
    """A sub-element and a stage that one story has, but not together (it placed the
    sub-element at another stage, and something else at this one): (sub-element id, stage,
    the titles of the stories that placed that sub-element at that stage, newest first)."""
    for story in book.newest_first:
        for a in story.assessments:
            for b in story.assessments:
                placed = {(x.sub_element.id, x.stage.number) for x in story.assessments}
                if (a.sub_element.id, b.stage.number) in placed:
                    continue
                matching = [
                    s.title
                    for s in book.newest_first
                    if any(
                        (x.sub_element.id, x.stage.number) == (a.sub_element.id, b.stage.number)
                        for x in s.assessments
                    )
                ]
                if matching:
                    return a.sub_element.id, b.stage.number, matching
    raise AssertionError("no example story has two stages that a filter could mix up")


def test_a_sub_element_and_a_stage_are_chosen_within_one_assessment(
    page: Page, site: Site, book: Casebook
):
    """A story at Impact and evaluation 3 and Funding and facilities 4 is not a story at
    Impact and evaluation 4; checking each filter against all its assessments said it was."""
    sub_id, stage, matching = a_story_at_two_stages(book)
    page.goto(site.base_url + f"stories/?sub-element={sub_id}&stage={stage}")
    expect(page.locator("[data-status]")).to_have_text(
        f"Showing {len(matching)} of {len(book.stories)} stories."
    )
    assert visible_titles(page) == matching
    # the commitment too is chosen within the assessment
    commitment = book.rubric.sub_element(sub_id).commitment_id
    in_commitment = [
        s.title
        for s in book.newest_first
        if any(
            a.sub_element.commitment_id == commitment and a.stage.number == stage
            for a in s.assessments
        )
    ]
    page.goto(site.base_url + f"stories/?commitment={commitment}&stage={stage}")
    expect(page.locator("[data-status]")).to_have_text(
        f"Showing {len(in_commitment)} of {len(book.stories)} stories."
    )
    assert visible_titles(page) == in_commitment


def test_search_chooses_a_sub_element_and_a_stage_within_one_assessment(
    page: Page, site: Site, book: Casebook
):
    sub_id, stage, matching = a_story_at_two_stages(book)
    at = {(sub_id, stage)}
    stories = [
        s for s in book.stories if at & {(a.sub_element.id, a.stage.number) for a in s.assessments}
    ]
    partnerships = [
        p.slug
        for p in book.partnerships
        if any(
            at & {(a.sub_element.id, a.stage.number) for a in s.assessments}
            for s in book.journey_dates(p)
        )
    ]
    expected = sorted(
        [f"{SUB_PATH}stories/{s.slug}/" for s in stories]
        + [f"{SUB_PATH}rubric/{sub_id}/{stage}/"]
        + [f"{SUB_PATH}partnerships/{slug}/" for slug in partnerships]
    )
    assert sorted(s.title for s in stories) == sorted(matching)
    said, found = search_for(page, site, f"sub-element={sub_id}&stage={stage}")
    assert found == expected
    assert said == f"{len(expected)} results with these filters."


def test_stories_filters_work_from_the_keyboard(page: Page, site: Site, book: Casebook):
    tag = book.tags[0]
    page.goto(site.base_url + "stories/")
    page.locator("summary").focus()
    page.keyboard.press("Enter")
    box = facet(page, "Topic", book.site.topic_name(tag))
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    tagged = [s.title for s in book.newest_first if tag in s.tags]
    assert visible_titles(page) == tagged
    assert query_of(page) == {"tag": [tag]}


@pytest.mark.parametrize(
    ("path", "link"), [("stories/", "Go to the stories"), ("search/", "Go to the results")]
)
def test_on_a_phone_the_filters_sit_in_two_columns_and_a_link_leads_past_them(
    browser: Browser, site: Site, book: Casebook, path: str, link: str
):
    context = browser.new_context(viewport={"width": 390, "height": 700})
    page = context.new_page()
    page.goto(site.base_url + path)
    page.locator("summary").click()
    stage = facet(page, "Stage", book.rubric.stage(2).name)
    stage.check()
    expect(page.locator("[data-status]")).not_to_have_text(NOT_DONE, timeout=TIMEOUT_MS)
    lefts = {
        round(box.bounding_box()["x"])  # type: ignore[index]
        for box in page.get_by_role("group", name="Stage").get_by_role("checkbox").all()
    }
    page.get_by_role("button", name="Clear filters").focus()
    page.keyboard.press("Tab")
    focused_link = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    target = page.evaluate("document.activeElement.dataset.status !== undefined")
    top = page.locator("[data-status]").bounding_box()["y"]  # type: ignore[index]
    query = query_of(page)
    context.close()
    assert len(lefts) == 2
    assert focused_link == link
    assert target and 0 <= top < 700
    assert query["stage"] == ["2"]


def test_stories_index_lists_everything_without_javascript(
    browser: Browser, site: Site, book: Casebook
):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.base_url + "stories/?stage=2")
        expect(page.locator("[data-story-filters]")).to_be_hidden()
        assert len(visible_titles(page)) == len(book.stories)
    finally:
        context.close()


# --- Accessibility of the states scripts create --------------------------------------------------


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("search/?q=trust&stage=2", ".search-result"),
        ("stories/?stage=2&year=2024", "[data-story-filters]"),
    ],
    ids=["search-results", "stories-filtered"],
)
def test_filtered_and_searched_pages_have_no_axe_violations(
    browser: Browser, site: Site, axe_script: str, viewport: ViewportSize, path: str, ready: str
):
    """The all-pages axe test sees these pages as loaded; this sees them in use, filters open."""
    context = browser.new_context(viewport=viewport)
    try:
        page = context.new_page()
        page.goto(site.base_url + path)
        page.locator(ready).first.wait_for(timeout=TIMEOUT_MS)
        expect(page.locator("details.filters")).to_have_attribute("open", "")
        violations = run_axe(page, axe_script)
    finally:
        context.close()
    assert violations == [], "\n".join(describe_violation(v) for v in violations)


# --- An index in shards -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The example content again, its index split into shards of 9 pages (a large site's
    layout, see casebook/search_index.py), served under the sub-path."""
    from casebook import search_index
    from casebook.pipeline import build_site

    root = tmp_path_factory.mktemp("sharded") / "site"
    server = SiteServer(root, extra_files={})
    built = Site(root=root, server=server)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_index, "SHARD_PAGES", 9)
        build_site(BuildOptions(content=CONTENT_DIR, base_url=built.base_url), root)
    server.start()
    yield built
    server.close()


def search_for(page: Page, site: Site, query: str) -> tuple[str, list[str]]:
    """The status line and every result link, once all results are shown."""
    page.goto(site.base_url + f"search/?{query}")
    expect(page.locator("[data-status]")).not_to_have_text(NOT_DONE, timeout=TIMEOUT_MS)
    while page.locator("[data-more]").is_visible():
        before = page.locator(".search-result").count()
        page.locator("[data-more]").click()
        expect(page.locator(".search-result")).not_to_have_count(before, timeout=TIMEOUT_MS)
    if not status(page).startswith("No results"):
        expect(page.locator(".search-result").first).to_be_visible(timeout=TIMEOUT_MS)
    return status(page).split(" Showing")[0], sorted(result_links(page))


def test_the_status_says_how_many_results_are_on_the_page(page: Page, site: Site):
    """After "Show more results" the status no longer says only the first ten are shown."""
    page.goto(site.base_url + "search/?q=trust")
    expect(page.locator("[data-status]")).not_to_have_text(NOT_DONE, timeout=TIMEOUT_MS)
    total = int(status(page).split()[0])
    assert total > 10, "the examples give more than one batch of results for 'trust'"
    assert status(page) == f"{total} results for “trust”. Showing the first 10."
    page.locator("[data-more]").click()
    expect(page.locator(".search-result")).to_have_count(min(total, 20), timeout=TIMEOUT_MS)
    shown = "all" if total <= 20 else "the first"
    expect(page.locator("[data-status]")).to_have_text(
        f"{total} results for “trust”. Showing {shown} {min(total, 20)}."
    )


@pytest.mark.parametrize(
    "query",
    ["q=trust", "q=trust&stage=2", "q=partnership", "stage=5", "sub-element=time&stage=3"],
)
def test_a_sharded_index_finds_what_one_index_finds(
    page: Page, site: Site, sharded: Site, query: str
):
    """For words every shard holds, and for filters alone, merging the shards gives the same
    results as one index."""
    more = json.loads((sharded.root / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert len(more["more"]) >= 3
    one = search_for(page, site, query)
    assert one[1], f"{query} finds something"
    assert search_for(page, sharded, query) == one


def test_a_word_only_some_shards_hold_finds_its_story_first(
    page: Page, site: Site, sharded: Site, book: Casebook
):
    """A shard without the word answers with its longest word the search term starts with
    (Pagefind's fallback for an unknown word): those looser matches follow the real one."""
    (having,) = [s for s in book.stories if WORD in s.body.lower()]
    found = search_for(page, sharded, f"q={WORD}")[1]
    assert set(search_for(page, site, f"q={WORD}")[1]) <= set(found)
    page.goto(sharded.base_url + f"search/?q={WORD}")
    expect(page.locator(".search-result").first).to_be_visible(timeout=TIMEOUT_MS)
    assert result_links(page)[0] == f"{SUB_PATH}stories/{having.slug}/"
