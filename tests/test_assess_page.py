"""The /assess/ page as built (no browser): a worksheet of real form controls that works and
prints without JavaScript, with the rubric's words verbatim and the data the script reads.

Parsed with the same small element tree as test_built_site, and compared with the rubric
read through the package's own model.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from casebook.pipeline import BuildOptions, build_site

from .test_built_site import BASE_PATH, BASE_URL, CONTENT, Document, Element, parse_html

SIDES = {"su": "Students’ union", "inst": "Institution"}
STATIC = Path(__file__).resolve().parents[1] / "templates" / "static"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    output = tmp_path_factory.mktemp("assess") / "site"
    checked = build_site(BuildOptions(content=CONTENT, base_url=BASE_URL), output)
    page = parse_html((output / "assess" / "index.html").read_text(encoding="utf-8"))
    return checked.book, page, output


def by_id(doc: Document, id_: str) -> Element:
    found = [el for el in doc.iter() if el.attrs.get("id") == id_]
    assert len(found) == 1, f"expected one element with id {id_!r}, found {len(found)}"
    return found[0]


def test_page_is_built_clean_and_in_the_navigation(built):
    _, page, output = built
    assert page.nesting_errors == []
    assert page.one("h1").plain == "Self-assessment: where is your partnership?"
    for doc in (page, parse_html((output / "index.html").read_text(encoding="utf-8"))):
        nav = next(n for n in doc.find_all("nav") if n.attrs.get("aria-label") == "Main")
        links = {a.plain: a for a in nav.find_all("a")}
        assert links["Self-assessment"].attrs["href"] == BASE_PATH + "assess/"
    current = next(a for a in page.find_all("a") if a.attrs.get("aria-current") == "page")
    assert current.plain == "Self-assessment"


def test_worksheet_is_grouped_by_commitment_with_every_sub_element(built):
    book, page, _ = built
    form = by_id(page, "assess-form")
    assert form.tag == "form"
    commitments = [s for s in form.elements if s.tag == "section"]
    assert [s.one("h2").plain for s in commitments] == [
        f"{c.number}. {c.question}" for c in book.rubric.commitments
    ]
    for section, commitment in zip(commitments, book.rubric.commitments, strict=True):
        subs = [s for s in section.elements if s.tag == "section"]
        assert [s.attrs["data-sub-element"] for s in subs] == [
            sub.id for sub in commitment.sub_elements
        ]
        assert [s.one("h3").plain for s in subs] == [
            f"{commitment.number}{sub.letter}. {sub.name}" for sub in commitment.sub_elements
        ]


@pytest.mark.parametrize("side", SIDES)
def test_each_side_is_a_radio_group_in_a_fieldset_with_the_descriptors(built, side):
    book, page, _ = built
    labels = {el.attrs["for"]: el for el in page.iter() if el.tag == "label"}
    for sub in book.rubric.sub_elements:
        section = by_id(page, f"sub-{sub.id}")
        fieldset = next(f for f in section.find_all("fieldset") if f.attrs["data-side"] == side)
        assert fieldset.elements[0].tag == "legend"
        assert fieldset.elements[0].plain == f"{SIDES[side]} view of {sub.name}"
        radios = fieldset.find_all("input")
        assert [(r.attrs["type"], r.attrs["name"]) for r in radios] == [
            ("radio", f"{side}-{sub.id}")
        ] * (len(book.rubric.stages) + 1)
        assert [r.attrs["value"] for r in radios] == [
            *(str(s.number) for s in book.rubric.stages),
            "",
        ]
        assert not any("checked" in r.attrs for r in radios), "a printed worksheet starts blank"
        for radio, stage in zip(radios, book.rubric.stages, strict=False):
            label = labels[radio.attrs["id"]]
            assert radio in label.find_all("input")
            assert label.plain == f"{stage.number}. {stage.name}"
            described = by_id(page, radio.attrs["aria-describedby"])
            assert described.text == sub.descriptor(stage.number), "descriptor not verbatim"
        none = radios[-1]
        assert labels[none.attrs["id"]].plain == "Not assessed"
        assert "aria-describedby" not in none.attrs


def test_descriptors_and_cells_are_shown_with_what_the_script_reads(built):
    book, page, _ = built
    for sub in book.rubric.sub_elements:
        section = by_id(page, f"sub-{sub.id}")
        assert section.attrs["data-name"] == sub.name
        assert section.attrs["data-commitment"] == book.rubric.commitment(sub.commitment_id).name
        stages = section.one("ol").elements
        assert [li.attrs["data-stage"] for li in stages] == [
            str(s.number) for s in book.rubric.stages
        ]
        for li, stage in zip(stages, book.rubric.stages, strict=True):
            assert li.attrs["data-stage-name"] == stage.name
            assert li.attrs["data-cell-url"] == f"{BASE_PATH}rubric/{sub.id}/{stage.number}/"
            assert li.attrs["data-stories"] == str(len(book.stories_at(sub.id, stage.number)))
            name, descriptor = li.elements
            assert name.plain == f"{stage.number}. {stage.name}"
            assert descriptor.text == sub.descriptor(stage.number)


def test_without_javascript_results_and_script_only_text_are_hidden(built):
    _, page, _ = built
    assert "hidden" in by_id(page, "assess-results").attrs
    js_only = [el for el in page.iter() if el.has_class("assess-js-only")]
    assert len(js_only) >= 2 and all("hidden" in el.attrs for el in js_only)
    privacy = next(el for el in page.iter() if el.has_class("assess-privacy"))
    assert privacy.plain.startswith("Nothing you choose leaves this browser. ")
    assert [script.attrs for script in page.find_all("script")] == [
        {"type": "module", "src": f"{BASE_PATH}static/{name}"}
        for name in ("tables.js", "assess.js")
    ]


def test_without_javascript_the_page_does_not_offer_choosing_on_screen(built):
    """Ticking on screen does nothing without the script, so the page says so, and offers it
    only when the script runs (which hides the note and shows "or choose on screen")."""
    _, page, _ = built
    howto = next(el for el in page.iter() if el.has_class("assess-howto"))
    [on_screen] = [el for el in howto.elements if "choose on screen" in el.plain]
    assert on_screen.has_class("assess-js-only") and "hidden" in on_screen.attrs
    shown = "".join(c for c in howto.children if isinstance(c, str))
    assert "screen" not in shown and shown.startswith("Print this page and tick")
    [note] = [el for el in page.iter() if el.has_class("assess-no-js")]
    assert "hidden" not in note.attrs
    assert "need JavaScript" in note.plain and "printed worksheet works without it" in note.plain
    assert 'querySelectorAll(".assess-no-js")' in (STATIC / "assess.js").read_text("utf-8")


def test_link_format_is_documented_in_the_rubric_order(built):
    book, page, _ = built
    note = next(el for el in page.iter() if el.has_class("assess-format"))
    names = ", ".join(sub.name for sub in book.rubric.sub_elements)
    assert f"in the tool’s order ({names})" in note.plain


def test_script_modules_import_only_their_neighbours(built):
    """Relative imports of files that are shipped: the script works under any sub-path."""
    _, _, output = built
    modules = sorted(STATIC.glob("assess*.js"))
    assert modules
    for module in modules:
        assert (output / "static" / module.name).read_bytes() == module.read_bytes()
        for target in re.findall(r'from "([^"]+)"', module.read_text(encoding="utf-8")):
            assert target.startswith("./"), f"{module.name} imports {target}"
            assert (STATIC / target[2:]).is_file(), f"{module.name} imports missing {target}"


def test_only_the_results_are_a_landmark_among_the_sections(built):
    """A <section> with a name is a region landmark: the worksheet's twelve (three
    commitments, nine sub-elements) filled a screen reader's landmark list before "Results".
    They are found by their headings instead."""
    _, page, _ = built
    main = next(el for el in page.iter() if el.tag == "main")
    named = [
        el.attrs.get("id")
        for el in main.iter()
        if el.tag == "section" and ("aria-labelledby" in el.attrs or "aria-label" in el.attrs)
    ]
    assert named == ["assess-results"]
    sections = [el for el in main.iter() if el.tag == "section"]
    assert len(sections) == 1 + 3 + 9
