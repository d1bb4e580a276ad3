"""A descriptor reworded in a new version of the tool keeps its earlier words (`replaced` in
the changelog): each story quotes the words it was assessed against where they have changed
since, each stage's page lists its earlier words, /about/ names what each version reworded,
and rubric.json carries them. `check` refuses `replaced` that could not be right."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from casebook.model import ABBREVIATIONS
from casebook.pipeline import BuildOptions, build_site, check_site
from casebook.problems import ContentError

from .conftest import CONTENT, FIRST_VERSION, story, versioned
from .test_built_site import BASE_URL, Element, parse_html

PATH = urlsplit(BASE_URL).path  # where the site's addresses start
TODAY = dt.date(2026, 11, 22)
RUBRIC = Path("rubric") / "rubric.yaml"
SOURCE = yaml.safe_load((CONTENT / RUBRIC).read_text(encoding="utf-8"))


def words_now(sub_id: str, stage: int) -> str:
    """A descriptor's words in the real rubric, whatever version it is at."""
    subs = [sub for c in SOURCE["commitments"] for sub in c["sub_elements"] if sub["id"] == sub_id]
    return subs[0]["descriptors"][stage - 1]


# Words of two descriptors in three versions of the tool that these tests make: 1.0 has the
# real rubric's words.
TRUST_1_0 = words_now("trust", 2)
TRUST_1_1 = "Early steps towards trust: the SU and the institution begin to share WP plans."
TRUST_1_2 = "Early steps towards trust are taken by both sides."
PEOPLE_1_0 = words_now("people", 1)
PEOPLE_1_2 = "Nobody in the SU is responsible for WP research or activity yet."


def entry(version: str, date: str, replaced: list[tuple[str, int, str]]) -> str:
    lines = [f'  - version: "{version}"', f"    date: {date}", "    changes: [Reworded.]"]
    if replaced:
        lines.append("    replaced:")
    for sub, stage, text in replaced:
        lines += [f"      - sub_element: {sub}", f"        stage: {stage}"]
        lines.append(f"        text: {json.dumps(text)}")
    return "".join(line + "\n" for line in lines)


def reword(
    root: Path, entries: str, version: str, now: dict[str, str], first: str = FIRST_VERSION
) -> str:
    """The rubric with `version` in force, its changelog `entries` above `first` (1.0, as
    first published), and each of the descriptors in `now` (old words: new words) reworded;
    returns the rubric's text."""
    path = root / RUBRIC
    text = path.read_text(encoding="utf-8")
    for old, new in now.items():
        assert json.dumps(old) in text, "descriptors are written in double quotes, one a line"
        text = text.replace(json.dumps(old), json.dumps(new))
    text = versioned(text, version, entries, first)
    path.write_text(text, encoding="utf-8")
    return text


def three_versions(root: Path) -> str:
    """1.1 (2025) rewords trust stage 2; 1.2 (2026) rewords it again, and people stage 1."""
    entries = entry(
        "1.2", "2026-01-01", [("trust", 2, TRUST_1_1), ("people", 1, PEOPLE_1_0)]
    ) + entry("1.1", "2025-01-01", [("trust", 2, TRUST_1_0)])
    return reword(root, entries, "1.2", {TRUST_1_0: TRUST_1_2, PEOPLE_1_0: PEOPLE_1_2})


def assessed(date: str, *cells: tuple[str, int]) -> str:
    text = story(title=f"Assessed on {date}").replace("2024-05-01", date)
    listed = "".join(f"  - sub_element: {sub}\n    stage: {stage}\n" for sub, stage in cells)
    return text.replace("  - sub_element: trust\n    stage: 2\n", listed)


STORIES = {
    "old.md": assessed("2024-05-01", ("trust", 2), ("people", 1), ("time", 3)),
    "middle.md": assessed("2025-06-01", ("trust", 2), ("people", 1)),
    "new.md": assessed("2026-06-01", ("trust", 2)),
    "one.md": assessed("2025-07-01", ("trust", 2), ("time", 3)),
}


@pytest.fixture
def site(content_tree, tmp_path):
    root = content_tree(STORIES)
    three_versions(root)
    options = BuildOptions(content=root, base_url=BASE_URL, today=TODAY)
    book = build_site(options, tmp_path / "site").book
    return tmp_path / "site", book


def page(root: Path, address: str):
    return parse_html((root / address / "index.html").read_text(encoding="utf-8"))


def figures(container: Element) -> list[tuple[str, str]]:
    """Each quoted descriptor: its words and its caption."""
    return [
        (f.one("blockquote").plain, f.one("figcaption").plain)
        for f in container.find_all("figure")
        if f.has_class("descriptor")
    ]


def words_then(doc) -> Element | None:
    heading = next((h for h in doc.main.find_all("h3") if h.attrs.get("id") == "words-then"), None)
    return heading.parent if heading is not None else None


def test_a_descriptor_has_the_words_of_each_version(site):
    _, book = site
    rubric = book.rubric
    assert [rubric.wording("trust", 2, v) for v in ("1.0", "1.1", "1.2")] == [
        TRUST_1_0,
        TRUST_1_1,
        TRUST_1_2,
    ]
    assert [rubric.wording("people", 1, v) for v in ("1.0", "1.1", "1.2")] == [
        PEOPLE_1_0,
        PEOPLE_1_0,
        PEOPLE_1_2,
    ]
    assert rubric.wording("time", 3, "1.0") == rubric.sub_element("time").descriptor(3)
    assert [
        (e.text, e.first.version, e.last.version, e.until.version)
        for e in rubric.earlier_words("trust", 2)
    ] == [(TRUST_1_1, "1.1", "1.1", "1.2"), (TRUST_1_0, "1.0", "1.0", "1.1")]
    assert [
        (e.text, e.first.version, e.last.version, e.until.version)
        for e in rubric.earlier_words("people", 1)
    ] == [(PEOPLE_1_0, "1.0", "1.1", "1.2")]
    assert rubric.earlier_words("time", 3) == ()


def test_a_story_quotes_the_words_it_was_assessed_against(site):
    root, _ = site
    doc = page(root, "stories/old")
    box = words_then(doc)
    assert box is not None and "data-pagefind-ignore" in box.attrs
    assert box.one("h3").plain == "The words the partnership assessed itself against"
    assert [p.plain for p in box.elements if p.tag == "p"] == [
        "Version 1.0 of the tool, in use on the day of this self-assessment, described these "
        "stages in words that have changed since. These are the words the partnership placed "
        "itself against:",
        ABBREVIATIONS,
    ]
    assert figures(box) == [
        (
            TRUST_1_0,
            "Developing trust, stage 2 (Developing), in version 1.0 of the tool. Current words "
            "for Developing trust, stage 2",
        ),
        (
            PEOPLE_1_0,
            "People, stage 1 (Early stages), in version 1.0 of the tool. Current words for "
            "People, stage 1",
        ),
    ]
    # drawn as words no longer in use, as on the stage's page
    assert all(f.has_class("descriptor--earlier") for f in box.find_all("figure"))
    links = [a.attrs["href"] for a in box.find_all("a")]
    assert links == [f"{PATH}rubric/trust/2/", f"{PATH}rubric/people/1/"]
    # the tool's own abbreviations are spelt out before its words are quoted
    text = doc.main.plain
    assert text.index(ABBREVIATIONS) < text.index(TRUST_1_0)


def test_a_story_quotes_the_words_of_its_own_version(site):
    root, _ = site
    box = words_then(page(root, "stories/middle"))
    assert box is not None
    lead = box.find("p")
    assert lead is not None
    assert lead.plain.startswith("Version 1.1 of the tool, in use on the day of this self-")
    assert "described these stages in words" in lead.plain
    # people, stage 1 kept 1.0's words in 1.1; time, stage 3 was never reworded
    assert [words for words, _ in figures(box)] == [TRUST_1_1, PEOPLE_1_0]


def test_a_story_with_one_reworded_stage_says_this_stage(site):
    root, _ = site
    box = words_then(page(root, "stories/one"))
    assert box is not None
    assert box.elements[1].plain == (
        "Version 1.1 of the tool, in use on the day of this self-assessment, described this "
        "stage in words that have changed since. These are the words the partnership placed "
        "itself against:"
    )
    assert [words for words, _ in figures(box)] == [TRUST_1_1]


def test_a_story_in_todays_words_quotes_none(site):
    root, _ = site
    doc = page(root, "stories/new")
    assert words_then(doc) is None
    assert ABBREVIATIONS not in doc.main.plain


def test_a_stage_page_lists_its_earlier_words_newest_first(site):
    root, _ = site
    doc = page(root, "rubric/trust/2")
    [heading] = [h for h in doc.main.find_all("h2") if h.attrs.get("id") == "earlier-words"]
    assert heading.plain == "Earlier words"
    earlier = []
    for sibling in heading.parent.elements[heading.parent.elements.index(heading) + 1 :]:
        if sibling.tag == "h2":
            break
        earlier.append(sibling)
    assert earlier[0].plain.startswith("The tool’s words for this stage have changed since")
    found = [(f.one("blockquote").plain, f.one("figcaption").plain) for f in earlier[1:]]
    assert found == [
        (TRUST_1_1, "In version 1.1 of the tool, until version 1.2 changed them on 1 January 2026"),
        (TRUST_1_0, "In version 1.0 of the tool, until version 1.1 changed them on 1 January 2025"),
    ]
    assert all(f.has_class("descriptor--earlier") for f in earlier[1:])
    # each earlier wording is where /about/ links to, by the version that replaced it
    assert [f.attrs["id"] for f in earlier[1:]] == ["until-1.2", "until-1.1"]
    [time] = earlier[1].find_all("time")
    assert time.attrs["datetime"] == "2026-01-01"
    # today's words come first, as the stage's descriptor
    assert figures(doc.main)[0][0] == TRUST_1_2
    people = figures(page(root, "rubric/people/1").main)
    assert people[1] == (
        PEOPLE_1_0,
        "In versions 1.0 to 1.1 of the tool, until version 1.2 changed them on 1 January 2026",
    )


def test_story_cards_mark_the_stages_assessed_against_earlier_words(site):
    root, _ = site
    doc = page(root, "rubric/trust/2")
    cards = {
        card.one("h3").plain: [li.plain for li in card.one("ul").find_all("li")]
        for card in doc.main.find_all("article")
        if card.has_class("story-card")
    }
    note = " (assessed against earlier words)"
    assert cards == {
        "Assessed on 2026-06-01 Example": ["Developing trust: 2. Developing"],
        "Assessed on 2025-07-01 Example": [
            f"Developing trust: 2. Developing{note}",
            "Time: 3. Developed",
        ],
        "Assessed on 2025-06-01 Example": [
            f"Developing trust: 2. Developing{note}",
            f"People: 1. Early stages{note}",
        ],
        "Assessed on 2024-05-01 Example": [
            f"Developing trust: 2. Developing{note}",
            f"People: 1. Early stages{note}",
            "Time: 3. Developed",
        ],
    }


def test_a_stage_never_reworded_has_no_earlier_words(site):
    root, _ = site
    doc = page(root, "rubric/time/3")
    assert not [h for h in doc.main.find_all("h2") if h.plain == "Earlier words"]


def test_about_names_what_each_version_reworded(site):
    root, _ = site
    doc = page(root, "about")
    versions = next(dl for dl in doc.main.find_all("dl") if dl.has_class("versions"))
    [first, second, third] = versions.find_all("dd")
    assert [(a.plain, a.attrs["href"]) for a in first.find_all("a")] == [
        ("Developing trust, stage 2 (Developing)", f"{PATH}rubric/trust/2/#until-1.2"),
        ("People, stage 1 (Early stages)", f"{PATH}rubric/people/1/#until-1.2"),
    ]
    assert [(a.plain, a.attrs["href"]) for a in second.find_all("a")] == [
        ("Developing trust, stage 2 (Developing)", f"{PATH}rubric/trust/2/#until-1.1"),
    ]
    assert [li.plain for li in first.find_all("li")][-1] == (
        "Reworded, with the earlier words on each stage’s page: Developing trust, stage 2 "
        "(Developing); People, stage 1 (Early stages)."
    )
    assert third.find_all("a") == [] and "Reworded" not in third.plain


def test_rubric_json_has_the_words_each_version_replaced(site):
    root, _ = site
    data = json.loads((root / "data" / "rubric.json").read_text(encoding="utf-8"))
    assert [(v["version"], v["replaced"]) for v in data["changelog"]] == [
        (
            "1.2",
            [
                {"sub_element": "trust", "stage": 2, "text": TRUST_1_1},
                {"sub_element": "people", "stage": 1, "text": PEOPLE_1_0},
            ],
        ),
        ("1.1", [{"sub_element": "trust", "stage": 2, "text": TRUST_1_0}]),
        ("1.0", []),
    ]


def lines_of(text: str, needle: str) -> list[int]:
    """The line of each place `needle` is in the text."""
    return [n for n, line in enumerate(text.splitlines(), 1) if needle in line]


def problems(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What `check` says, with file names as a contributor in the folder above sees them."""
    monkeypatch.chdir(root.parent)
    with pytest.raises(ContentError) as raised:
        check_site(BuildOptions(content=Path(root.name), today=TODAY))
    return [str(problem) for problem in raised.value.problems]


def test_replaced_words_that_could_not_be_right_are_refused_all_at_once(content_tree, monkeypatch):
    root = content_tree({"a.md": story()})
    path = root / RUBRIC
    line = "      - id: working-partnerships\n"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            line, f"{line}        formerly: [working-together]\n"
        ),
        encoding="utf-8",
    )
    replaced = [
        ("trusts", 2, "x"),
        ("working-together", 1, "x"),
        ("time", 6, "x"),
        ("time", 1, " "),
        ("people", 2, "Old words."),
        ("people", 2, "Older words."),
    ]
    text = reword(root, entry("1.1", "2025-01-01", replaced), "1.1", {})
    [first_people, second_people] = lines_of(text, "- sub_element: people")
    [empty] = lines_of(text, 'text: " "')
    rubric = "content/rubric/rubric.yaml"
    assert problems(root, monkeypatch) == [
        f"{rubric}:{lines_of(text, 'trusts')[0]}: unknown sub_element 'trusts'; did you mean "
        "'trust'?",
        f"{rubric}:{lines_of(text, 'sub_element: working-together')[0]}: sub_element "
        "'working-together' has been renamed 'working-partnerships' in the rubric; write "
        "'working-partnerships'",
        f"{rubric}:{lines_of(text, 'stage: 6')[0]}: stage 6 is out of range; choose 1 (Early "
        "stages), 2 (Developing), 3 (Developed), 4 (Refining) or 5 (Best practice)",
        f"{rubric}:{empty}: 'text' is empty; write something or remove the field",
        f"{rubric}:{second_people}: people, stage 2 is listed twice in this version (also on "
        f"line {first_people}); give the words it had before once",
    ]


def test_replaced_words_the_same_as_the_versions_own_are_refused(content_tree, monkeypatch):
    """Today's words copied where the words before belong: nothing would show what changed."""
    root = content_tree({"a.md": story()})
    text = reword(root, entry("1.1", "2025-01-01", [("trust", 2, TRUST_1_0)]), "1.1", {})
    assert problems(root, monkeypatch) == [
        f"content/rubric/rubric.yaml:{lines_of(text, 'text: ')[0]}: these are the words "
        "version '1.1' gives trust, stage 2: change that descriptor to the new words, and "
        "under 'replaced' give the words it had before",
    ]


def test_the_oldest_version_replaced_nothing(content_tree, monkeypatch):
    root = content_tree({"a.md": story()})
    replaced = '    replaced:\n      - {sub_element: trust, stage: 2, text: "x"}\n'
    text = reword(root, "", "1.0", {}, FIRST_VERSION + replaced)
    assert problems(root, monkeypatch) == [
        f"content/rubric/rubric.yaml:{lines_of(text, 'replaced:')[0]}: version '1.0' is the "
        "oldest, so it replaced no earlier words; list under 'replaced' only in the version "
        "that changed them",
    ]


def test_replaced_must_be_a_list(content_tree, monkeypatch):
    root = content_tree({"a.md": story()})
    entries = entry("1.1", "2025-01-01", []) + "    replaced: trust\n"
    text = reword(root, entries, "1.1", {})
    assert problems(root, monkeypatch) == [
        f"content/rubric/rubric.yaml:{lines_of(text, 'replaced:')[0]}: 'replaced' must list "
        "the descriptors this version reworded, each with sub_element, stage and text (the "
        "words before)",
    ]


def test_a_sub_element_that_is_not_an_id_is_refused_not_a_crash(content_tree, monkeypatch):
    root = content_tree({"a.md": story()})
    entries = entry("1.1", "2025-01-01", []) + (
        "    replaced:\n"
        "      - {sub_element: [trust], stage: 2, text: x}\n"
        "      - {sub_element: {trust: 1}, stage: 2, text: x}\n"
    )
    text = reword(root, entries, "1.1", {})
    [first, second] = lines_of(text, "- {sub_element")
    assert problems(root, monkeypatch) == [
        f"content/rubric/rubric.yaml:{first}: sub_element must be an id, not a list",
        f"content/rubric/rubric.yaml:{second}: sub_element must be an id, not a set of fields",
    ]


def test_a_fault_in_a_sub_element_does_not_make_its_rewording_wrong(content_tree, monkeypatch):
    """The sub-element is named in the changelog as written: its own fault is told once."""
    root = content_tree({"a.md": story()})
    text = reword(root, entry("1.1", "2025-01-01", [("trust", 2, TRUST_1_0)]), "1.1",
                  {TRUST_1_0: TRUST_1_2})  # fmt: skip
    text = text.replace('name: "Developing trust"', 'name: ""')
    (root / RUBRIC).write_text(text, encoding="utf-8")
    [empty] = lines_of(text, 'name: ""')
    assert problems(root, monkeypatch) == [
        f"content/rubric/rubric.yaml:{empty}: 'name' is empty; write something or remove the field",
    ]


def test_every_problem_of_replaced_is_told_at_once(content_tree, monkeypatch):
    """Today's words copied beside a stage out of range, and a typo in the oldest version's
    replaced, all in one run."""
    root = content_tree({"a.md": story()})
    replaced = [("trust", 2, TRUST_1_0.replace(". ", ".\n  ")), ("people", 9, "x")]
    oldest = '    replaced:\n      - {sub_element: trustt, stage: 2, text: "x"}\n'
    text = reword(root, entry("1.1", "2025-01-01", replaced), "1.1", {}, FIRST_VERSION + oldest)
    rubric = "content/rubric/rubric.yaml"
    [copied] = lines_of(text, 'text: "Early steps')
    [_, oldest_line] = lines_of(text, "replaced:")
    assert problems(root, monkeypatch) == [  # in the order of their lines
        # the same words, though written over two lines
        f"{rubric}:{copied}: these are the words version '1.1' gives trust, stage 2: change "
        "that descriptor to the new words, and under 'replaced' give the words it had before",
        f"{rubric}:{lines_of(text, 'stage: 9')[0]}: stage 9 is out of range; choose 1 (Early "
        "stages), 2 (Developing), 3 (Developed), 4 (Refining) or 5 (Best practice)",
        f"{rubric}:{oldest_line}: version '1.0' is the oldest, so it replaced no earlier "
        "words; list under 'replaced' only in the version that changed them",
        f"{rubric}:{oldest_line + 1}: unknown sub_element 'trustt'; did you mean 'trust'?",
    ]


def test_words_filed_under_the_wrong_stage_are_refused(content_tree, monkeypatch):
    """A typo corrected in stage 3, its old words filed under stage 2: the words are nearly
    stage 3's new ones, so the stage is wrong (else stage 2's page would show them)."""
    root = content_tree({"a.md": story()})
    old = words_now("funding-and-facilities", 3)
    new = old.replace("institution", "institutoin", 1)  # a typo, corrected in reverse
    replaced = [("funding-and-facilities", 2, old)]
    text = reword(root, entry("1.1", "2025-01-01", replaced), "1.1", {old: new})
    assert problems(root, monkeypatch) == [
        f"content/rubric/rubric.yaml:{lines_of(text, 'stage: 2')[0]}: these words are nearly "
        "those version '1.1' gives funding-and-facilities, stage 3, not "
        "funding-and-facilities, stage 2; check 'sub_element' and 'stage'",
    ]
    # under the right stage, a small change is what a correction looks like
    text = reword(
        content_tree({"b.md": story()}, folder="right"),
        entry("1.1", "2025-01-01", [("funding-and-facilities", 3, old)]),
        "1.1",
        {old: new},
    )
    check_site(BuildOptions(content=root.parent / "right", today=TODAY))
