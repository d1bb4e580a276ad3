"""The self-assessment page (/assess/) in headless Chromium, under the sub-path.

Both views are filled in by keyboard alone; what the page then says (agreement, gaps, where
to start, the radar chart) is compared with what the choices imply, computed here from the
rubric. The share link is opened in a fresh browser context; the Markdown export is written
into a content tree and put through the real `build.py check`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from casebook.pipeline import BuildOptions, check_site

from .harness import CONTENT_DIR, REPO_ROOT, VIEWPORTS, Site, SitePage, run_check
from .test_html_checker import describe, run_vnu
from .test_pages_in_browser import describe_violation, fail_with, open_page, run_axe

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

RUBRIC = check_site(BuildOptions(content=CONTENT_DIR)).book.rubric
SUBS = [sub.id for sub in RUBRIC.sub_elements]
STAGES = len(RUBRIC.stages)

# The assessment the tests make, in rubric order: trust, working-partnerships,
# shared-objectives, people, time, funding-and-facilities, working-practices,
# outputs-and-reporting, impact-and-evaluation. None is "not assessed".
SU = dict(zip(SUBS, [2, 4, None, 3, 1, None, 2, 5, None], strict=True))
INST = dict(zip(SUBS, [2, 2, None, None, 3, 1, 2, 4, None], strict=True))
CODES = "su=24-31-25-&inst=22--3124-"  # a link made before links named the rubric's version
FRAGMENT = f"#{CODES}&v={RUBRIC.version}"
# The same by keyboard, which chooses "Not assessed" (0) for shared-objectives on both sides.
FILLED = f"#su=24031-25-&inst=220-3124-&v={RUBRIC.version}"
DECLINED = {"shared-objectives"}  # where FILLED chose "Not assessed"; the other Nones: nothing


def expected_agreement(sub: str, declined: set[str]) -> str:
    su, inst = SU[sub], INST[sub]
    if su is not None and inst is not None:
        gap = abs(su - inst)
        return "Agreed" if gap == 0 else f"{gap} {'stage' if gap == 1 else 'stages'} apart"
    if su is not None:
        return "Only the students’ union has chosen"
    if inst is not None:
        return "Only the institution has chosen"
    return "Not assessed" if sub in declined else "Not chosen yet"


def code(sub_id: str) -> str:
    """A sub-element's number in the tool, as the worksheet gives it: "1a", "2c"."""
    sub = RUBRIC.sub_element(sub_id)
    return f"{RUBRIC.commitment(sub.commitment_id).number}{sub.letter}"


def stage_label(stage: int | None, declined: bool) -> str:
    """A side's view as the results give it: "Not assessed" where that side chose it, "Not
    chosen yet" where it chose nothing."""
    if stage is not None:
        return f"{stage}. {RUBRIC.stage(stage).name}"
    return "Not assessed" if declined else "Not chosen yet"


def assess_page(site: Site, fragment: str = "") -> SitePage:
    page = next(p for p in site.pages if p.label == "/assess/")
    return SitePage(page.file, page.url + fragment, page.label)


# --------------------------------------------------------------------------- keyboard


def tab_to(page: Page, name: str, limit: int = 300) -> None:
    """Press Tab until a radio of the group `name` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == name:
            return
    raise AssertionError(f"Tab never reached the radio group {name!r}")


def choose_by_keyboard(page: Page, name: str, stage: int | None) -> None:
    """In an untouched group Tab lands on stage 1: Space ticks it, arrows move the tick.

    "Not assessed" comes after the last stage, so ArrowLeft from stage 1 wraps to it.
    """
    tab_to(page, name)
    page.keyboard.press("Space")
    if stage is None:
        page.keyboard.press("ArrowLeft")
    for _ in range((stage or 1) - 1):
        page.keyboard.press("ArrowRight")


def fill_by_keyboard(page: Page) -> None:
    """Every choice by keyboard, in page order, including two ways back to "Not assessed"."""
    for sub in SUBS:
        for side, views in (("su", SU), ("inst", INST)):
            name = f"{side}-{sub}"
            if name == "su-shared-objectives":
                # A change of mind: stage 3, then on past stage 5 to "Not assessed".
                choose_by_keyboard(page, name, 3)
                for _ in range(STAGES - 3 + 1):
                    page.keyboard.press("ArrowRight")
            elif name == "inst-shared-objectives":
                choose_by_keyboard(page, name, None)
            elif views[sub] is not None:
                choose_by_keyboard(page, name, views[sub])


def checked(page: Page) -> dict[str, str]:
    return page.eval_on_selector_all(
        "#assess-form input:checked",
        "inputs => Object.fromEntries(inputs.filter(i => i.value).map(i => [i.name, i.value]))",
    )


def expected_checked() -> dict[str, str]:
    found = {f"su-{k}": str(v) for k, v in SU.items() if v is not None}
    found |= {f"inst-{k}": str(v) for k, v in INST.items() if v is not None}
    return found


def table_rows(page: Page) -> dict[str, list[str]]:
    return page.eval_on_selector_all(
        "#assess-views tbody tr",
        "rows => Object.fromEntries(rows.map(r => [r.dataset.subElement,"
        " [...r.cells].map(c => c.textContent.trim())]))",
    )


def assert_results_match(page: Page, declined: set[str]) -> None:
    rows = table_rows(page)
    assert list(rows) == SUBS
    for sub in RUBRIC.sub_elements:
        assert rows[sub.id] == [
            f"{code(sub.id)}. {sub.name}",
            stage_label(SU[sub.id], sub.id in declined),
            stage_label(INST[sub.id], sub.id in declined),
            expected_agreement(sub.id, declined),
        ], sub.id
    both = [s for s in SUBS if SU[s] is not None and INST[s] is not None]
    agreed = [s for s in both if SU[s] == INST[s]]
    assert page.inner_text("#assess-summary") == (
        f"Both sides have chosen a stage for {len(both)} of {len(SUBS)} sub-elements, "
        f"and agree on {len(agreed)}."
    )


# --------------------------------------------------------------------------- tests


@pytest.fixture
def filled(browser: Browser, site: Site):
    """The page with both views filled in by keyboard, in a fresh context."""
    with open_page(browser, site, assess_page(site), VIEWPORTS["desktop"]) as (page, log):
        fill_by_keyboard(page)
        yield page, log


def test_filling_both_views_by_keyboard_gives_agreement_and_gaps(filled):
    page, log = filled
    assert checked(page) == expected_checked()
    for name in ("su-shared-objectives-none", "inst-shared-objectives-none"):
        assert page.is_checked(f"#{name}"), f"{name} is not checked"
    assert_results_match(page, DECLINED)
    cards = page.eval_on_selector_all(
        ".result", "cards => cards.map(c => [c.dataset.subElement, c.dataset.agreement])"
    )
    assert cards == [
        ["trust", "agreed"],
        ["working-partnerships", "gap"],
        ["shared-objectives", "none"],
        ["people", "one-side"],
        ["time", "gap"],
        ["funding-and-facilities", "one-side"],
        ["working-practices", "agreed"],
        ["outputs-and-reporting", "gap"],
        ["impact-and-evaluation", "none"],
    ]
    # The widest gaps first (ties in the tool's order), then the lowest stages.
    start = page.eval_on_selector_all(
        "#assess-start ul", "lists => lists.map(l => [...l.querySelectorAll('a')].map(a => a.hash))"
    )
    assert start == [
        ["#result-working-partnerships", "#result-time", "#result-outputs-and-reporting"],
        ["#result-time", "#result-funding-and-facilities", "#result-trust"],
    ]
    # Beside the worksheet: the outcome of each sub-element as it is filled in.
    assert page.inner_text("#outcome-time") == (
        "2 stages apart: the students’ union chose stage 1 (Early stages), "
        "the institution stage 3 (Developed)."
    )
    assert page.is_hidden("#outcome-shared-objectives")
    assert page.inner_text("#outcome-people") == (
        "Students’ union chose stage 3 (Developed); the institution has not chosen yet."
    )
    # The lower stage's descriptor and the next one, and the stories at both cells.
    card = page.locator("#result-time")
    quotes = card.locator("blockquote").all_inner_texts()
    time = RUBRIC.sub_element("time")
    assert quotes == [time.descriptor(1), time.descriptor(2)]
    links = card.locator(".result__stories a").evaluate_all("a => a.map(x => x.pathname)")
    # Each link names its sub-element, for a screen reader's list of links: the same words
    # ("1 story at stage 3 (Developed)") appear in several cards.
    names = card.locator(".result__stories a").all_text_contents()
    assert [name.endswith(f" of {time.name}") for name in names] == [True, True], names
    assert links == ["/wp-stories/rubric/time/1/", "/wp-stories/rubric/time/2/"]
    assert page.url.endswith(FILLED)
    fail_with(log.problems(), "Problems while filling in the worksheet")


def test_nothing_is_sent_while_choosing(browser: Browser, site: Site):
    """After the page has loaded, choosing and exporting request nothing, except that
    Chromium fetches the site's icon again whenever the address changes (a GET of a static
    file, without the fragment, which is never part of a request)."""
    with open_page(browser, site, assess_page(site), VIEWPORTS["desktop"]) as (page, log):
        requests: list[tuple[str, str]] = []
        page.on("request", lambda request: requests.append((request.method, request.url)))
        fill_by_keyboard(page)
        page.click("#assess-markdown")
        page.wait_for_timeout(200)
        icon = page.evaluate("document.querySelector('link[rel=icon]').href")
    assert {(method, url) for method, url in requests if not url.startswith("blob:")} <= {
        ("GET", icon)
    }
    fail_with(log.problems(), "Problems while choosing")


def test_share_link_reproduces_the_assessment_in_a_new_page(filled, browser: Browser, site: Site):
    page, _ = filled
    link = page.eval_on_selector("#assess-link", "a => a.href")
    assert link.endswith(FILLED)
    shared = SitePage(assess_page(site).file, link, "/assess/")
    with open_page(browser, site, shared, VIEWPORTS["phone"]) as (fresh, log):
        assert checked(fresh) == expected_checked()
        assert fresh.is_checked("#su-shared-objectives-none")
        assert_results_match(fresh, DECLINED)
    fail_with(log.problems(), "Problems opening the shared link")


def test_state_is_kept_in_this_browser_and_start_again_clears_it(browser: Browser, site: Site):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(assess_page(site, FRAGMENT).url, wait_until="networkidle")
        page.goto(assess_page(site).url, wait_until="networkidle")  # no fragment: from storage
        assert checked(page) == expected_checked()
        assert page.url.endswith(FRAGMENT)
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#assess-reset")
        assert checked(page) == {}
        assert "#" not in page.url
        assert page.evaluate("Object.keys(localStorage)") == []
        assert page.text_content("#assess-status") == "All choices cleared. No stages chosen yet."
        assert page.inner_text("#assess-summary") == "No stages chosen yet."
        page.reload(wait_until="networkidle")
        assert checked(page) == {}
    finally:
        context.close()


def test_not_assessed_chosen_is_kept_apart_from_not_yet_chosen(browser: Browser, site: Site):
    """Choosing "Not assessed" is kept (as 0) through the link and a reload, where a row never
    touched has no choice; neither counts as a stage chosen."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(assess_page(site).url, wait_until="networkidle")
        page.check(f"#inst-{SUBS[1]}-none")
        after_choice = page.url
        status = page.text_content("#assess-status")
        summary = page.inner_text("#assess-summary")
        views = table_rows(page)
        page.reload(wait_until="networkidle")
        kept = page.is_checked(f"#inst-{SUBS[1]}-none")
        untouched = page.eval_on_selector_all(
            f"input[name=inst-{SUBS[0]}]:checked", "inputs => inputs.length"
        )
        exports_note = page.inner_text("#assess-export-note")
    finally:
        context.close()
    assert after_choice.endswith(f"#inst=-0{'-' * (len(SUBS) - 2)}&v={RUBRIC.version}")
    assert status == f"{RUBRIC.sub_element(SUBS[1]).name}: not assessed."
    assert summary == "No stages chosen yet."
    # the table tells a side that chose "Not assessed" from one that has chosen nothing
    assert views[SUBS[1]][1:] == ["Not chosen yet", "Not assessed", "Not assessed"]
    assert views[SUBS[0]][1:] == ["Not chosen yet", "Not chosen yet", "Not chosen yet"]
    assert kept and untouched == 0
    assert exports_note == "Choose at least one stage to download the results."


@pytest.mark.parametrize(
    ("fragment", "note"),
    [
        (f"#{CODES}", ""),
        (
            f"#{CODES}&v=0.9",
            f"This assessment was made with version 0.9 of the tool, and this page shows "
            f"version {RUBRIC.version}: check each stage against the words here. ",
        ),
    ],
)
def test_a_link_from_another_version_of_the_tool_says_so(
    browser: Browser, site: Site, fragment: str, note: str
):
    with open_page(browser, site, assess_page(site, fragment), VIEWPORTS["desktop"]) as (page, log):
        status = page.text_content("#assess-status")
        shown = page.is_visible("#assess-version-note")
        said = page.inner_text("#assess-version-note")
        assert checked(page) == expected_checked()
        link = page.eval_on_selector("#assess-link", "a => a.href")
        # the note stays on the page (and on paper) while the stages are checked one by one
        page.check(f"#su-{SUBS[2]}-3")
        kept = page.is_visible("#assess-version-note")
    fail_with(log.problems(), "Problems opening an older link")
    assert status.startswith(note + "Both sides have chosen")
    assert (shown, kept) == (bool(note), bool(note))
    assert said == note.strip()
    assert link.endswith(FRAGMENT)


def test_the_summary_keeps_counting_while_the_status_says_what_just_happened(
    browser: Browser, site: Site
):
    """The summary under "Results" (printed with them) always counts the choices. Copying the
    link says so beside the button, and a choice is announced alone: stepping through a
    row's stages with the arrow keys is not followed by the count each time."""
    with open_page(browser, site, assess_page(site, FRAGMENT), VIEWPORTS["desktop"]) as (page, log):
        summary = page.inner_text("#assess-summary")
        assert summary.startswith("Both sides have chosen a stage for ")
        page.click("#assess-copy")
        page.wait_for_function("() => document.getElementById('assess-copied').textContent")
        copied = page.inner_text("#assess-copied")
        after_copy = page.inner_text("#assess-summary")
        page.focus(f"#su-{SUBS[2]}-1")
        page.keyboard.press("Space")
        page.keyboard.press("ArrowRight")
        status = page.text_content("#assess-status")
        copied_after_change = page.inner_text("#assess-copied")
    fail_with(log.problems(), "Problems copying and choosing")
    assert copied in (
        "Link copied.",
        "This browser did not allow copying; select the link and copy it instead.",
    )
    assert after_copy == summary
    assert status == (
        f"{RUBRIC.sub_element(SUBS[2]).name}: Students’ union chose stage 2 "
        f"({RUBRIC.stage(2).name}); the institution has not chosen yet."
    )
    assert copied_after_change == "", "the link has changed since it was copied"


def test_a_link_opened_on_the_page_is_announced_with_the_count(browser: Browser, site: Site):
    with open_page(browser, site, assess_page(site), VIEWPORTS["desktop"]) as (page, log):
        page.evaluate(f"() => {{ location.hash = {FRAGMENT!r}; }}")
        page.wait_for_function(
            "() => document.getElementById('assess-status').textContent.startsWith('Assessment')"
        )
        status = page.text_content("#assess-status")
        summary = page.inner_text("#assess-summary")
    fail_with(log.problems(), "Problems opening a link on the page")
    assert status == f"Assessment loaded from the link. {summary}"


def test_jumping_to_a_heading_keeps_the_assessment_in_the_address(browser: Browser, site: Site):
    with open_page(browser, site, assess_page(site, FRAGMENT), VIEWPORTS["desktop"]) as (page, _):
        page.wait_for_selector("#result-time h4")
        page.evaluate("location.hash = 'main'")
        page.wait_for_function("location.hash.startsWith('#su=')")
        assert page.url.endswith(FRAGMENT)
        assert checked(page) == expected_checked()


def download_text(page: Page, selector: str) -> tuple[str, str]:
    with page.expect_download() as info:
        page.click(selector)
    download = info.value
    return download.suggested_filename, Path(download.path()).read_text(encoding="utf-8")


FILLED_IN = {
    "title": "title: Our first joint self-assessment",
    "institution": "  institution: Example University",
    "students_union": "  students_union: Example Students' Union",
}


def test_markdown_export_passes_check_once_title_and_partnership_are_filled(
    filled, content_tree, tmp_path: Path
):
    page, _ = filled
    name, text = download_text(page, "#assess-markdown")
    assert re.fullmatch(r"\d{4}-\d\d-our-self-assessment\.md", name)
    content = content_tree({name: text})
    story = content / "stories" / name

    def check() -> subprocess.CompletedProcess[str]:
        return run_check(content)

    lines = text.split("\n")
    line_of = {
        key: next(i for i, line in enumerate(lines, 1) if line.lstrip().startswith(f"{key}:"))
        for key in ("title", "partnership")
    }
    before = check()
    assert before.returncode == 1
    where = os.path.relpath(story, REPO_ROOT)
    where = str(story) if where.startswith("..") else where
    assert before.stderr.splitlines()[:3] == [
        f"{where}:{line_of['title']}: missing field 'title'; add it, for example: "
        "title: Agreeing a data-sharing protocol",
        f"{where}:{line_of['partnership']}: missing field 'institution'; add it to partnership, "
        "for example: institution: Example University",
        f"{where}:{line_of['partnership']}: missing field 'students_union'; add it to "
        "partnership, for example: students_union: Example Students' Union",
    ]

    def fill(line: str) -> str:
        key = line.strip().split(":", 1)[0]
        return FILLED_IN[key] if "# FILL IN" in line and key in FILLED_IN else line

    story.write_text("\n".join(fill(line) for line in lines), encoding="utf-8")
    after = check()
    assert after.returncode == 0, after.stderr
    [made] = check_site(BuildOptions(content=content)).book.stories
    assert made.perspective == "joint"
    both = [s for s in SUBS if SU[s] is not None and INST[s] is not None]
    assert [(a.sub_element.id, a.stage.number) for a in made.assessments] == [
        (s, min(SU[s], INST[s])) for s in both
    ]
    assert (
        "- **Developing trust**: we agreed on stage 2 (Developing)." in made.body
        and "- **Time**: the students’ union chose stage 1 (Early stages) and the institution "
        "stage 3 (Developed), 2 stages apart. This draft uses the lower stage, stage 1 (Early "
        "stages), until you agree."
        in made.body
        and "- **People**: only the students’ union chose a stage, stage 3 (Developed)."
        in made.body
    )


def test_json_and_csv_exports_hold_both_views(filled):
    page, _ = filled
    name, text = download_text(page, "#assess-json")
    assert name.endswith(".json")
    data = json.loads(text)
    assert data["rubric_version"] == RUBRIC.version
    assert data["link"].endswith(FILLED)
    assert [(s["id"], s["students_union"], s["institution"]) for s in data["sub_elements"]] == [
        (s, SU[s], INST[s]) for s in SUBS
    ]
    name, text = download_text(page, "#assess-csv")
    assert name.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [
        (r["sub_element"], r["students_union_stage"], r["institution_stage"], r["agreement"])
        for r in rows
    ] == [(s, str(SU[s] or ""), str(INST[s] or ""), expected_agreement(s, DECLINED)) for s in SUBS]


def test_csv_cells_are_never_formulas(filled):
    page, _ = filled
    cells = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "a,b", 'say "hi"', "plain", None]
    escaped = page.evaluate(
        """async (cells) => {
          const { csvCell } = await import(new URL("../static/assess-export.js", location.href));
          return cells.map(csvCell);
        }""",
        cells,
    )
    assert escaped == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        '"\'\rx"',
        '"a,b"',
        '"say ""hi"""',
        "plain",
        "",
    ]


# Each marker's tag, sub-element, stage and drawn centre (a square is drawn from its corner).
MARKER_CENTRES = """markers => markers.map(m => {
  const number = (name) => Number(m.getAttribute(name));
  const [x, y] = m.tagName === "circle"
    ? [number("cx"), number("cy")]
    : [number("x") + number("width") / 2, number("y") + number("height") / 2];
  return [m.tagName, m.dataset.subElement, Number(m.dataset.stage), x, y];
})"""


def test_radar_points_match_the_choices(filled):
    page, _ = filled
    svg = page.locator("#assess-radar svg.radar__chart")
    cx, cy, radius, stages = (
        float(svg.get_attribute(a) or "nan")
        for a in ("data-cx", "data-cy", "data-radius", "data-stages")
    )
    assert stages == STAGES
    for side, views, tag in (("su", SU, "circle"), ("inst", INST, "rect")):
        points = page.eval_on_selector_all(
            f"#assess-radar g[data-side={side}] .radar__point", MARKER_CENTRES
        )
        expected = []
        for index, sub in enumerate(SUBS):
            stage = views[sub]
            if stage is None:
                continue
            angle = -math.pi / 2 + 2 * math.pi * index / len(SUBS)
            r = radius * stage / stages
            expected.append((tag, sub, stage, cx + r * math.cos(angle), cy + r * math.sin(angle)))
        assert [p[:3] for p in points] == [list(e[:3]) for e in expected]
        for got, want in zip(points, expected, strict=True):
            assert got[3] == pytest.approx(want[3], abs=0.01) and got[4] == pytest.approx(
                want[4], abs=0.01
            ), got
        # A blank sub-element breaks the line rather than inventing a value.
        line = page.locator(f"#assess-radar g[data-side={side}] .radar__line")
        assert line.evaluate("l => l.tagName") == "path"


LABELS = """svg => {
  const box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll(".radar__label")].map(label => {
    const r = label.getBoundingClientRect();
    const inside = r.left >= box.left && r.right <= box.right
      && r.top >= box.top && r.bottom <= box.bottom;
    const words = [...label.querySelectorAll("tspan")].map(line => line.textContent).join(" ");
    const scale = box.width / svg.viewBox.baseVal.width;
    return [words, inside, parseFloat(getComputedStyle(label).fontSize) * scale];
  });
}"""


@pytest.mark.parametrize(
    ("width", "smallest"), [("desktop", 13), ("phone", 14)], ids=["desktop", "phone"]
)
def test_radar_labels_are_readable_and_inside_the_chart(
    browser: Browser, site: Site, width: str, smallest: float
):
    """On a phone the axes are labelled by number ("1a"), as large as body text and more; on
    a desktop by name. Either way no label is cut off at the chart's edge."""
    with open_page(browser, site, assess_page(site, FRAGMENT), VIEWPORTS[width]) as (page, _):
        labels = page.eval_on_selector("#assess-radar svg.radar__chart", LABELS)
    words = [text for text, _, _ in labels]
    if width == "phone":
        assert words == [code(sub) for sub in SUBS]
    else:
        assert words == [RUBRIC.sub_element(sub).name for sub in SUBS]
    for text, inside, pixels in labels:
        assert inside, f"{text!r} is cut off"
        assert pixels >= smallest, f"{text!r} is drawn {pixels:.1f} px high"


COVERED_RINGS = """svg => {
  const box = e => e.getBoundingClientRect();
  const meet = (a, b) =>
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const points = [...svg.querySelectorAll(".radar__point")].map(box);
  return [...svg.querySelectorAll(".radar__ring-label")]
    .filter(label => points.some(p => meet(box(label), p)))
    .map(label => label.textContent);
}"""


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_no_marker_covers_a_rings_number(browser: Browser, site: Site, width: str):
    """The numbers of the rings sit beside the first axis, where its markers would hide them."""
    with open_page(browser, site, assess_page(site, FRAGMENT), VIEWPORTS[width]) as (page, _):
        svg = "#assess-radar svg.radar__chart"
        assert page.locator(f"{svg} .radar__ring-label").count() == STAGES
        assert page.eval_on_selector(svg, COVERED_RINGS) == []


def test_radar_labels_follow_the_width(browser: Browser, site: Site):
    """Turning a phone to landscape (past the breakpoint) gives the names back."""
    with open_page(browser, site, assess_page(site, FRAGMENT), VIEWPORTS["phone"]) as (page, _):
        first = page.locator("#assess-radar .radar__label").first
        assert first.text_content() == code(SUBS[0])
        page.set_viewport_size({"width": 900, "height": 400})
        page.wait_for_function(
            "name => [...document.querySelectorAll('#assess-radar .radar__label')[0].children]"
            ".map(line => line.textContent).join(' ') === name",
            arg=RUBRIC.sub_elements[0].name,
        )


def test_without_javascript_the_page_is_a_worksheet(browser: Browser, site: Site):
    with open_page(browser, site, assess_page(site), VIEWPORTS["phone"], javascript=False) as (
        page,
        log,
    ):
        assert page.is_hidden("#assess-results")
        assert page.locator(".assess-js-only").evaluate_all("els => els.every(e => e.hidden)")
        assert page.locator("fieldset").count() == 2 * len(SUBS)
        assert page.locator("input[type=radio]:visible").count() == 2 * len(SUBS) * (STAGES + 1)
        assert "Nothing you choose leaves this browser." in page.inner_text(".assess-privacy")
        page.check("#inst-people-4")
        assert checked(page) == {"inst-people": "4"}
    fail_with(log.problems(), "Problems without JavaScript")


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_choosing_on_screen_is_offered_only_where_it_works(
    browser: Browser, site: Site, javascript: bool
):
    """Without the script, ticking on screen shows nothing, and the page says so instead of
    offering it; with it, the page offers it and the note is gone."""
    phone = VIEWPORTS["phone"]
    with open_page(browser, site, assess_page(site), phone, javascript=javascript) as (page, log):
        howto = page.inner_text(".assess-howto")
        note = page.locator(".assess-no-js")
        assert ("or choose on screen" in howto) is javascript
        assert note.is_visible() is not javascript
        if not javascript:
            assert "Results on screen need JavaScript" in note.inner_text()
            assert howto.startswith("Print this page and tick one box per row with two pens")
    fail_with(log.problems(), "Problems loading /assess/")


def test_results_have_no_axe_violations(
    browser: Browser, site: Site, viewport: ViewportSize, axe_script: str
):
    """Axe on the page as the script leaves it: results, chart, cards and export links."""
    with open_page(browser, site, assess_page(site, FRAGMENT), viewport) as (page, log):
        assert page.locator(".result").count() == len(SUBS)
        violations = run_axe(page, axe_script)
        problems = log.problems()
        page.set_viewport_size({"width": 320, "height": 740})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"at 320px wide the page scrolls sideways by {overflow}px")
    fail_with([describe_violation(v) for v in violations] + problems, "axe-core on the results")


def test_results_are_valid_html(
    browser: Browser, site: Site, vnu_command: list[str], tmp_path: Path
):
    """The page as the script leaves it (results, chart, cards), checked by vnu.jar."""
    with open_page(browser, site, assess_page(site, FRAGMENT), VIEWPORTS["desktop"]) as (page, _):
        html = page.evaluate("'<!doctype html>\\n' + document.documentElement.outerHTML")
    assert html.count('<article class="result"') == len(SUBS) and "radar__chart" in html
    rendered = tmp_path / "assess-results.html"
    rendered.write_text(html, encoding="utf-8")
    errors = [m for m in run_vnu(vnu_command, [rendered]) if m.get("type") != "info"]
    fail_with([describe(m, tmp_path) for m in errors], "Nu Html Checker on the results")


A4_LONG, A4_SHORT = 841.92, 594.96


def pdf_pages(page: Page) -> tuple[list[tuple[float, float]], bytes]:
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    return [(round(float(w), 2), round(float(h), 2)) for w, h in boxes], pdf


def test_print_results_on_a4_portrait_with_both_views_and_gaps(browser: Browser, site: Site):
    """On A4 portrait, with the link that reopens the assessment printed at the foot."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(assess_page(site, FRAGMENT).url, wait_until="networkidle")
        sizes, _ = pdf_pages(page)
        assert sizes and all(size == (A4_SHORT, A4_LONG) for size in sizes)
        shown = page.evaluate(
            "['#assess-form', '#assess-results', '#assess-views', '#assess-radar',"
            " '.assess-actions']"
            ".map(s => getComputedStyle(document.querySelector(s)).display !== 'none')"
        )
        assert shown == [False, True, True, True, False]
        address = page.inner_text(".print-address")
        page.emulate_media(media="screen")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#assess-reset")
        cleared = page.inner_text(".print-address")
    finally:
        context.close()
    assert address == f"This assessment is at {assess_page(site, FRAGMENT).url}"
    assert cleared.startswith("This page is at ") and cleared.endswith("/assess/")


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "print-worksheet-button"])
def test_print_the_worksheet_on_a4_landscape(browser: Browser, site: Site, javascript: bool):
    """Without JavaScript, or with choices made and the worksheet asked for (the class the
    "Print the worksheet" button sets while the browser prints)."""
    context = browser.new_context(java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(assess_page(site, FRAGMENT if javascript else "").url, wait_until="networkidle")
        if javascript:
            page.evaluate(
                "document.getElementById('assess').classList.add('assess--print-worksheet')"
            )
        sizes, _ = pdf_pages(page)
        assert sizes and all(size == (A4_LONG, A4_SHORT) for size in sizes)
        shown = page.evaluate(
            "['#assess-form', '#assess-results']"
            ".map(s => getComputedStyle(document.querySelector(s)).display !== 'none')"
        )
        assert shown == [True, False]
        if javascript:
            assert checked(page) == expected_checked()
    finally:
        context.close()
