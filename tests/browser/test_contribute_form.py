"""The /contribute/ form in headless Chromium, used by keyboard as a contributor would: the file
it downloads is the one casebook/storytext.py writes, `check` accepts it, and "Propose on
GitHub" carries the same file in a link under GitHub's limit (or, for a long story, goes to
the issue form and says why). Without JavaScript the form stays hidden and the page explains
the other ways."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from casebook.contribute import URL_LIMIT
from casebook.model import Contributor
from casebook.newstory import load_story_settings
from casebook.storyinput import assessment
from casebook.storytext import StoryDraft, story_text

from .harness import CONTENT_DIR, VIEWPORTS, Site, run_check
from .test_pages_in_browser import fail_with, open_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SETTINGS = load_story_settings(CONTENT_DIR)
WHY = (
    "We have a draft agreement.\n\n"
    '- It says who sees what, and "why".\n'
    "- It is not signed yet: that is why we are at *Developing*."
)
NEXT = "Sign it by June, then report together."
DRAFT = StoryDraft(
    title="Trust: what we share & why",
    date=dt.date(2025, 3, 14),
    institution="Fenmoor University",
    students_union="Fenmoor Students' Union",
    perspective="joint",
    assessments=(
        assessment("trust=2", SETTINGS.rubric),
        assessment("time=3", SETTINGS.rubric),
    ),
    summary='How we agreed "what we could share".',
    contributors=(Contributor("A. Person", "student officer"), Contributor("B. Person", "")),
    tags=("data-sharing", "outreach"),
    why=WHY,
    next_steps=NEXT,
)


def browser_today(page: Page) -> dt.date:
    """The day in the browser's time zone, as the form reads it."""
    year, month, day = page.evaluate(
        "(() => { const d = new Date(); "
        "return [d.getFullYear(), d.getMonth() + 1, d.getDate()]; })()"
    )
    return dt.date(year, month, day)


def contribute_page(site: Site):
    return next(page for page in site.pages if page.label == "/contribute/")


def focused(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def tab_to(page: Page, element_id: str, presses: int = 1) -> None:
    for _ in range(presses):
        page.keyboard.press("Tab")
    assert focused(page) == element_id


def fill_by_keyboard(page: Page, why: str = WHY) -> None:
    page.locator("#story-title").focus()
    page.keyboard.type(DRAFT.title)
    tab_to(page, "story-date")
    page.keyboard.type("2025-03-14")
    tab_to(page, "story-institution")
    page.keyboard.type(DRAFT.institution)
    tab_to(page, "story-union")
    page.keyboard.type(DRAFT.students_union)
    tab_to(page, "story-anonymous")
    tab_to(page, "story-perspective-joint")
    page.keyboard.press("Space")
    tab_to(page, "stage-trust-0")  # each stage group is one stop; arrows choose within it
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert focused(page) == "stage-trust-2"
    tab_to(page, "stage-time-0", presses=4)
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert focused(page) == "stage-time-3"
    tab_to(page, "story-why", presses=5)
    page.keyboard.insert_text(why)
    tab_to(page, "story-next")
    page.keyboard.type(NEXT)
    tab_to(page, "story-summary")
    page.keyboard.type(DRAFT.summary)
    tab_to(page, "story-contributors")
    page.keyboard.type("A. Person, student officer")
    page.keyboard.press("Enter")
    page.keyboard.type("B. Person")
    tab_to(page, "story-tags")
    page.keyboard.type("data-sharing, outreach")


def test_form_by_keyboard_downloads_a_file_check_accepts(
    browser: Browser, site: Site, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    with open_page(browser, site, contribute_page(site), VIEWPORTS["desktop"]) as (page, log):
        assert page.locator("#draft").is_visible()
        assert page.get_attribute("#draft-download", "aria-disabled") == "true"
        fill_by_keyboard(page)
        assert page.get_attribute("#draft-download", "aria-disabled") == "false"
        status = page.inner_text("#draft-status")
        assert status == "The story file is ready: it passes the same checks the site runs."
        # the form dates the story's sharing by the reader's own calendar
        shared = dataclasses.replace(DRAFT, shared=browser_today(page))
        expected = story_text(shared, site.base_url + "schema/story.schema.json")
        assert page.input_value("#draft-text") == expected
        tab_to(page, "draft-text")
        tab_to(page, "draft-copy")
        page.keyboard.press("Enter")
        expect(page.locator("#draft-action")).to_have_text(
            re.compile("^(Copied the story file|Selected the story file: press Ctrl)")
        )
        tab_to(page, "draft-download")
        with page.expect_download() as info:
            page.keyboard.press("Enter")
        name = info.value.suggested_filename
        saved = content / "stories" / name
        info.value.save_as(saved)
        href = page.get_attribute("#draft-github", "href") or ""
        note = page.inner_text("#draft-github-note")
        problems = log.problems()
    fail_with(problems, "Problems on /contribute/")
    assert name == "2025-03-trust-what-we-share-why.md"
    assert saved.read_text(encoding="utf-8") == expected
    done = run_check(content)
    assert done.returncode == 0, done.stderr
    assert len(href) <= URL_LIMIT
    parts = urlsplit(href)
    new_file = f"{SETTINGS.site.repository_url}/new/main/content/stories"
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == new_file
    query = parse_qs(parts.query, strict_parsing=True)
    assert query == {"filename": [name], "value": [expected]}
    assert "Propose new file" in note


def test_a_long_story_goes_to_the_issue_form(browser: Browser, site: Site) -> None:
    long_why = "We met and talked about it at length. " * 260
    with open_page(browser, site, contribute_page(site), VIEWPORTS["phone"]) as (page, log):
        fill_by_keyboard(page, why=long_why)
        assert page.input_value("#draft-text").count("at length") == 260
        link = page.locator("#draft-github")
        href = link.get_attribute("href")
        text = link.inner_text()
        note = page.inner_text("#draft-github-note")
        problems = log.problems()
    fail_with(problems, "Problems on /contribute/")
    assert href == f"{SETTINGS.site.repository_url}/issues/new?template=share-a-story.yml"
    assert text == "Open the Share a story form on GitHub"
    assert "too long to send to GitHub in a web address" in note
    assert "8,000 characters" in note


def test_problems_are_listed_and_block_the_file(browser: Browser, site: Site) -> None:
    with open_page(browser, site, contribute_page(site), VIEWPORTS["desktop"]) as (page, _):
        page.fill("#story-title", "A title")
        page.fill("#story-date", "2025-02-30")
        page.fill("#story-tags", "Data Sharing")
        problems = page.locator("#draft-problems li").all_inner_texts()
        status = page.inner_text("#draft-status")
        blocked = page.get_attribute("#draft-download", "aria-disabled") == "true"
        github_hidden = page.locator("#draft-github").is_hidden()
    assert problems == [
        "Institution: write it in a few words.",
        "Students’ union: write it in a few words.",
        "Date: '2025-02-30' is not a real date; write the date as year-month-day, e.g. 2025-03-14.",
        "Who is writing the story: choose one.",
        "Where your partnership is: choose a stage for at least one part of the tool.",
        "Why we placed ourselves here: this part is empty; write a few sentences in it.",
        "What we will do to move on: this part is empty; write a few sentences in it.",
        "Topics: 'Data Sharing' may use only lowercase letters, digits and hyphens, "
        "for example 'data-sharing'.",
    ]
    assert status == "8 things to fix before the file is ready:"
    assert blocked and github_hidden


def test_each_problem_links_to_its_field_and_marks_it_once_left(
    browser: Browser, site: Site
) -> None:
    """A problem is a link that takes the keyboard to its field. A field is marked invalid, and
    described by its problem, only once the contributor has left it (or a button found the file
    not ready), so arriving at the form does not call every empty field invalid."""
    with open_page(browser, site, contribute_page(site), VIEWPORTS["phone"]) as (page, log):
        arrived = page.locator("[aria-invalid]").count()
        page.locator("#story-date").focus()
        page.keyboard.type("14/03/2025")
        while_typing = page.get_attribute("#story-date", "aria-invalid")
        page.keyboard.press("Tab")
        left = page.get_attribute("#story-date", "aria-invalid")
        described = page.get_attribute("#story-date", "aria-describedby") or ""
        links = page.eval_on_selector_all(
            "#draft-problems li",
            "items => items.map(i => [i.id, i.querySelector('a').getAttribute('href')])",
        )
        page.locator("#draft-problems a[href='#story-why']").focus()
        page.keyboard.press("Enter")
        on_why = focused(page)
        why_in_view = page.evaluate(
            "(() => { const r = document.querySelector('label[for=story-why]')"
            ".getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()"
        )
        page.click("#draft-problems a[href^='#stage-']")
        on_stage = focused(page)
        # Leaving a field as the pointer presses a link ("change" fires) loses no press.
        page.locator("#story-title").focus()
        page.keyboard.type("A title")
        page.click("#draft-problems a[href='#story-date']")
        on_date = focused(page)
        border = page.eval_on_selector("#story-date", "e => getComputedStyle(e).borderLeftWidth")
        page.fill("#story-date", "2025-03-14")
        page.dispatch_event("#story-date", "change")
        mended = page.get_attribute("#story-date", "aria-invalid")
        page.locator("#draft-download").focus()
        page.keyboard.press("Enter")
        after_button = page.eval_on_selector_all(
            "[aria-invalid=true]", "fields => fields.map(f => f.id)"
        )
        problems = log.problems()
    fail_with(problems, "Problems on /contribute/")
    assert arrived == 0
    assert while_typing is None
    assert left == "true"
    assert described.split() == ["story-date-hint", "problem-story-date"]
    first_stage = f"stage-{SETTINGS.rubric.sub_elements[0].id}-0"
    assert links == [
        ["problem-story-title", "#story-title"],
        ["problem-story-institution", "#story-institution"],
        ["problem-story-union", "#story-union"],
        ["problem-story-date", "#story-date"],
        ["problem-story-perspective-joint", "#story-perspective-joint"],
        [f"problem-{first_stage}", f"#{first_stage}"],
        ["problem-story-why", "#story-why"],
        ["problem-story-next", "#story-next"],
    ]
    assert on_why == "story-why" and why_in_view
    assert on_stage == first_stage
    assert on_date == "story-date" and border == "6px"
    assert mended is None
    assert after_button == [
        "story-institution",
        "story-union",
        "story-why",
        "story-next",
    ]


def test_the_form_applies_checks_story_rules(browser: Browser, site: Site) -> None:
    """Empty sections (also under a heading typed in a box), anonymous contributors, and a
    date in UK order are named as `check` names them; no file name from a wrong date."""
    with open_page(browser, site, contribute_page(site), VIEWPORTS["desktop"]) as (page, log):
        fill_by_keyboard(page)
        page.fill("#story-date", "14/03/2025")
        name = page.inner_text("#draft-name")
        page.fill("#story-why", "Words.\n\n### What we tried")
        page.fill("#story-next", "   ")
        page.check("#story-anonymous")
        problems = page.locator("#draft-problems li").all_inner_texts()
        page.fill("#story-date", "1925-03-14")
        early = page.locator("#draft-problems li").first.inner_text()
        page.fill("#story-date", "2025-03-14")
        named = page.inner_text("#draft-name")
        log_problems = log.problems()
    fail_with(log_problems, "Problems on /contribute/")
    assert name == "content/stories/… (named once the date is right)"
    assert early == "Date: 1925-03-14 is before 2000; check the year."
    assert named == "content/stories/2025-03-trust-what-we-share-why.md"
    assert problems == [
        "Date: '14/03/2025' is not in year-month-day form; write it as 2025-03-14.",
        "The section 'What we tried' is empty; write a few sentences under it, or remove the "
        "heading.",
        "What we will do to move on: this part is empty; write a few sentences in it.",
        "Who wrote it: an anonymous story can’t list contributors by name; remove the names, "
        "or untick “Hide both names on the site”.",
    ]


def test_a_picture_is_named_by_its_alt_text_as_the_issue_converter_names_it(
    browser: Browser, site: Site
) -> None:
    """A story from the form is one file, which can show no picture: each picture written in
    Markdown or HTML is a problem, named as `issueform.picture_problems` names it, not left
    for check's advice about story folders."""
    from casebook.issueform import picture_problems

    why = WHY + '\n\n![Our  chart](https://example.org/c.png) and <IMG src=x alt="the team">'
    with open_page(browser, site, contribute_page(site), VIEWPORTS["desktop"]) as (page, log):
        fill_by_keyboard(page)
        page.fill("#story-why", why)
        page.fill("#story-summary", "See <img src=y>.")
        problems = page.locator("#draft-problems li").all_inner_texts()
        ready = page.get_attribute("#draft-download", "aria-disabled") == "false"
        log_problems = log.problems()
    fail_with(log_problems, "Problems on /contribute/")
    advice = (
        " can’t be sent from this form; take it out and describe it in words. If the story "
        "needs it, say so when you propose the story: a maintainer can add it."
    )
    assert problems == [
        f"Why we placed ourselves here: the picture 'Our chart'{advice}",
        f"Why we placed ourselves here: the picture 'the team'{advice}",
        f"Summary: a picture{advice}",
    ]
    named = [m.split(" cannot")[0] for m in picture_problems(why) + picture_problems("<img>")]
    assert named == ["the picture 'Our chart'", "the picture 'the team'", "a picture"]
    assert not ready


def test_buttons_stay_reachable_and_say_what_is_missing(browser: Browser, site: Site) -> None:
    from playwright.sync_api import expect

    with open_page(browser, site, contribute_page(site), VIEWPORTS["phone"]) as (page, log):
        page.fill("#story-title", "Only a title")
        page.locator("#draft-text").focus()
        tab_to(page, "draft-copy")
        assert page.get_attribute("#draft-copy", "aria-disabled") == "true"
        tab_to(page, "draft-download")
        downloads: list[object] = []
        page.on("download", lambda download: downloads.append(download))
        page.keyboard.press("Enter")
        expect(page.locator("#draft-action")).to_have_text(
            "The file is not ready yet: 7 things to fix, listed under “Your story file”. "
            "First: Institution: write it in a few words."
        )
        # said beside the buttons for those who see it too, not only to screen readers: the
        # list of problems is a screen or more above them on a phone
        expect(page.locator("#draft-action")).to_be_in_viewport()
        assert page.locator("#draft-action").evaluate("e => e.getBoundingClientRect().height") > 10
        tab_to(page, "draft-clear")  # "Propose on GitHub" is hidden until the file is ready
        problems = log.problems()
    fail_with(problems, "Problems on /contribute/")
    assert downloads == []


def test_the_draft_survives_a_reload_until_cleared(browser: Browser, site: Site) -> None:
    from playwright.sync_api import expect

    with open_page(browser, site, contribute_page(site), VIEWPORTS["desktop"]) as (page, log):
        kept = page.inner_text("#draft-kept")
        fill_by_keyboard(page)
        before = page.input_value("#draft-text")
        page.reload(wait_until="networkidle")
        after = page.input_value("#draft-text")
        assert page.is_checked("#stage-time-3") and page.is_checked("#story-perspective-joint")
        assert page.input_value("#story-title") == DRAFT.title
        page.click("#draft-clear")
        assert page.input_value("#story-title") == DRAFT.title  # one press only asks
        page.click("#draft-clear")
        expect(page.locator("#draft-action")).to_have_text(
            "Cleared the form and the draft kept in this browser."
        )
        cleared = page.input_value("#story-title")
        stored = page.evaluate("window.localStorage.length")
        page.reload(wait_until="networkidle")
        reloaded = page.input_value("#story-title")
        problems = log.problems()
    fail_with(problems, "Problems on /contribute/")
    assert "kept in this browser only" in kept and "nothing is sent anywhere" in kept
    assert after == before
    assert (cleared, stored, reloaded) == ("", 0, "")


def test_without_javascript_the_page_explains_the_other_ways(browser: Browser, site: Site) -> None:
    page_info = contribute_page(site)
    with open_page(browser, site, page_info, VIEWPORTS["desktop"], javascript=False) as (
        page,
        log,
    ):
        form_hidden = page.locator("#draft").is_hidden()
        ways = page.locator("#three-ways + p + ol > li").all_inner_texts()
        issue_link = page.get_by_role("link", name="“Share a story” form on GitHub")
        href = issue_link.get_attribute("href")
        problems = log.problems()
    fail_with(problems, "Problems on /contribute/ without JavaScript")
    assert form_hidden
    assert [w.split(".")[0] for w in ways] == [
        "Draft it on this page",
        "Fill in the “Share a story” form on GitHub",
        "Write the file yourself, as below",
    ]
    assert href == f"{SETTINGS.site.repository_url}/issues/new?template=share-a-story.yml"
