"""The story JSON Schema and `check` judge the same front matters the same way.

Each case is one story's front matter. All of them are checked in one content tree by the real
loader and validator, and each is validated against the schema the site publishes (with
formats asserted, as an editor's YAML language server does). Where JSON Schema cannot say what
`check` says, the case is listed under the rule in schema.UNEXPRESSED that explains it.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker

from casebook.load import load_content
from casebook.markdown_html import plain_text
from casebook.pipeline import BuildOptions, build_site, check_site
from casebook.problems import ContentError
from casebook.schema import UNEXPRESSED, schema_text, story_schema
from casebook.storyfields import FIELD_NAMES, STORY_FIELDS
from casebook.validate import validate

TODAY = dt.date.today()
CONTENT = Path(__file__).resolve().parents[1] / "content"
SCHEMA_URL = "https://example.org/schema/story.schema.json"
BASE = {
    "title": " A good story",
    "date": " 2024-05-01",
    "partnership": "\n  institution: Example University\n  students_union: Example Students' Union",
    "perspective": " joint",
    "assessments": "\n  - sub_element: trust\n    stage: 2",
}
SUB_ELEMENT_IDS = (
    "trust",
    "working-partnerships",
    "shared-objectives",
    "people",
    "time",
    "funding-and-facilities",
    "working-practices",
    "outputs-and-reporting",
    "impact-and-evaluation",
)
ALL_NINE = "".join(
    f"\n  - sub_element: {s}\n    stage: {n % 5 + 1}" for n, s in enumerate(SUB_ELEMENT_IDS)
)


def front(**changes: str | None) -> str:
    """BASE with fields changed (None removes one); new fields are added at the end."""
    fields = {**BASE, **changes}
    return "".join(f"{k}:{v}\n" for k, v in fields.items() if v is not None)


GOOD = {
    "base": front(),
    "every-optional-field": front(
        summary=" One or two sentences.",
        contributors="\n  - name: A. Person\n    role: student officer\n  - B. Person",
        tags=" [data-sharing, outreach-2024]",
        draft=" false",
        example=" true",
        anonymous=" false",
    ),
    "anonymous-without-contributors": front(anonymous=" true"),
    "anonymous-empty-contributors": front(anonymous=" true", contributors=" []"),
    "anonymous-false-with-contributors": front(anonymous=" false", contributors=" [A. Person]"),
    "quoted-date": front(date=" '2024-05-01'"),
    "title-read-as-number": front(title=" 2024"),
    "nine-assessments": front(assessments=ALL_NINE),
    "optional-fields-empty": front(summary="", tags="", contributors="", draft="", anonymous=""),
    "summary-empty-string": front(summary=" ''"),
    "contributor-empty-role": front(contributors="\n  - name: A. Person\n    role: ''"),
    "one-tag-as-text": front(tags=" outreach"),
    "no-tags": front(tags=" []"),
    "title-at-limit": front(title=" " + "a" * 200),
    "stage-five": front(assessments="\n  - sub_element: impact-and-evaluation\n    stage: 5"),
    "title-with-joiners": front(title=' "Team\\u200dwork and ko\\u00adop"'),
    "non-latin-names": front(
        partnership="\n  institution: 東京大学\n  students_union: Υπόθεση Φοιτητών"
    ),
}

BAD = {
    **{f"missing-{name}": front(**{name: None}) for name in BASE},
    "unknown-field": front(titel=" Typo"),
    "title-empty": front(title=' ""'),
    "title-spaces": front(title=' "   "'),
    "title-too-long": front(title=" " + "a" * 201),
    "title-flag": front(title=" true"),
    "title-list": front(title=" [a, b]"),
    "title-control-character": front(title=' "a\\u0007b"'),
    "title-zero-width-space": front(title=' "\\u200b"'),
    "title-shows-nothing": front(title=' "\\u00ad\\u2060\\ufeff \\u3164"'),
    "institution-shows-nothing": front(
        partnership="\n  institution: '\u2800'\n  students_union: B"
    ),
    "title-direction-override": front(title=' "a\\u202eb"'),
    "date-not-real": front(date=' "2024-13-01"'),
    "date-day-first": front(date=" 14/03/2024"),
    "date-with-time": front(date=" 2024-05-01 10:00:00"),
    "date-number": front(date=" 2024"),
    "partnership-text": front(partnership=" Example University"),
    "partnership-no-union": front(partnership="\n  institution: Example University"),
    "partnership-extra-field": front(
        partnership="\n  institution: A\n  students_union: B\n  city: C"
    ),
    "institution-empty": front(partnership="\n  institution: ''\n  students_union: B"),
    "perspective-unknown": front(perspective=" both"),
    "perspective-number": front(perspective=" 1"),
    "assessments-empty": front(assessments=" []"),
    "assessments-text": front(assessments=" trust"),
    "sub-element-unknown": front(assessments="\n  - sub_element: trsut\n    stage: 2"),
    "stage-zero": front(assessments="\n  - sub_element: trust\n    stage: 0"),
    "stage-six": front(assessments="\n  - sub_element: trust\n    stage: 6"),
    "stage-quoted": front(assessments="\n  - sub_element: trust\n    stage: '2'"),
    "stage-word": front(assessments="\n  - sub_element: trust\n    stage: two"),
    "stage-missing": front(assessments="\n  - sub_element: trust"),
    "assessment-extra-field": front(
        assessments="\n  - sub_element: trust\n    stage: 2\n    note: x"
    ),
    "sub-element-twice": front(
        assessments="\n  - sub_element: trust\n    stage: 2\n  - sub_element: trust\n    stage: 3"
    ),
    "ten-assessments": front(assessments=ALL_NINE + "\n  - sub_element: trust\n    stage: 1"),
    "contributors-text": front(contributors=" A. Person"),
    "contributor-no-name": front(contributors="\n  - role: student officer"),
    "contributor-extra-field": front(contributors="\n  - name: A\n    email: a@example.org"),
    "summary-spaces": front(summary=' "  "'),
    "summary-too-long": front(summary=" " + "a" * 1001),
    "tag-capitals": front(tags=" [Data Sharing]"),
    "tag-number": front(tags=" [2024]"),
    "tags-fields": front(tags="\n  a: b"),
    "draft-word": front(draft=" maybe"),
    "anonymous-number": front(anonymous=" 1"),
    "anonymous-with-contributors": front(
        anonymous=" true", contributors="\n  - name: Sam Example\n    role: vice-president"
    ),
    "anonymous-with-a-plain-contributor": front(contributors=" [A. Person]", anonymous=" true"),
}

# Cases where check and the schema differ, each under the UNEXPRESSED rule that says why,
# with what check says (False: a problem) and what the schema says.
UNEXPRESSED_CASES = {
    UNEXPRESSED[0]: (front(date=" 2099-01-01"), False, True),
    UNEXPRESSED[1]: (front(assessments="\n  - sub_element: trust\n    stage: 2.0"), False, True),
    UNEXPRESSED[2]: (front(title=" &t A good story", summary=" *t"), False, True),
    UNEXPRESSED[4]: (front(title=' " ' + "a" * 200 + ' "'), True, False),
}


def story_file(frontmatter: str) -> str:
    return f"---\n{frontmatter}---\n## Why we placed ourselves here\n\nWords.\n"


def check_verdicts(content_tree, cases: dict[str, str]) -> dict[str, bool]:
    """Whether `check` accepts each case, all loaded and validated together like a site."""
    names = {name: f"case-{i}" for i, name in enumerate(cases)}
    root = content_tree({f"{names[n]}.md": story_file(text) for n, text in cases.items()})
    try:
        validate(load_content(root), today=TODAY)
        failed: set[str] = set()
    except ContentError as error:
        failed = {Path(p.path).stem for p in error.problems}
    return {name: names[name] not in failed for name in cases}


def as_json(value: Any) -> Any:
    """YAML values as an editor's language server sees them: dates are text."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    from casebook.pipeline import check_site

    rubric = check_site(BuildOptions(content=CONTENT)).book.rubric
    schema = story_schema(rubric, SCHEMA_URL)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def schema_accepts(validator: Draft202012Validator, frontmatter: str) -> bool:
    return validator.is_valid(as_json(yaml.safe_load(frontmatter)))


def test_check_and_schema_agree(content_tree, validator) -> None:
    cases = {**GOOD, **BAD}
    checked = check_verdicts(content_tree, cases)
    schema = {name: schema_accepts(validator, text) for name, text in cases.items()}
    expected = {name: name in GOOD for name in cases}
    assert checked == expected, "check"
    assert schema == expected, "schema"


def test_rules_the_schema_cannot_express(content_tree, validator) -> None:
    cases = {rule: text for rule, (text, _, _) in UNEXPRESSED_CASES.items()}
    checked = check_verdicts(content_tree, cases)
    for rule, (text, check_ok, schema_ok) in UNEXPRESSED_CASES.items():
        assert (checked[rule], schema_accepts(validator, text)) == (check_ok, schema_ok), rule


def test_schema_follows_the_field_list_and_the_rubric(validator) -> None:
    schema = validator.schema
    assert tuple(schema["properties"]) == FIELD_NAMES
    assert schema["required"] == [f.name for f in STORY_FIELDS if f.required]
    for spec in STORY_FIELDS:
        assert schema["properties"][spec.name]["description"] == spec.description
    ids = [o["const"] for o in schema["$defs"]["sub_element"]["oneOf"]]
    assert tuple(ids) == SUB_ELEMENT_IDS
    stages = schema["$defs"]["stage"]["oneOf"]
    assert [(s["const"], s["title"]) for s in stages] == [
        (1, "Early stages"),
        (2, "Developing"),
        (3, "Developed"),
        (4, "Refining"),
        (5, "Best practice"),
    ]
    trust = schema["$defs"]["assessment"]["allOf"][0]
    assert trust["if"]["properties"]["sub_element"]["const"] == "trust"
    first = trust["then"]["properties"]["stage"]["oneOf"][0]
    assert first["description"].startswith("Both the SU and the institution work separately")


def test_site_serves_the_schema_with_its_own_address(tmp_path: Path) -> None:
    out = tmp_path / "site"
    checked = build_site(BuildOptions(content=CONTENT, base_url="https://example.org/wp/"), out)
    data = (out / "schema" / "story.schema.json").read_bytes()
    url = "https://example.org/wp/schema/story.schema.json"
    assert data == schema_text(checked.book.rubric, url).encode("utf-8")
    assert json.loads(data)["$id"] == url
    assert data.endswith(b"}\n") and b"\\u0000" in data


def test_story_templates_name_the_schema(tmp_path: Path) -> None:
    """The template on /contribute/ and the one in README.md start with the schema line."""
    out = tmp_path / "site"
    build_site(BuildOptions(content=CONTENT), out)
    line = "# yaml-language-server: $schema=https://casebook.example.org/schema/story.schema.json"
    page = (out / "contribute" / "index.html").read_text(encoding="utf-8")
    assert f"<code>---\n{line}\ntitle:" in page
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"   ---\n   {line}\n   title:" in readme
    # and they say where that line is: after the opening ---, not first
    assert "The line after the first <code>---</code> names" in page
    guide = (Path(__file__).resolve().parents[1] / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "The first line" not in guide
    assert "`---`; the\nline after it names the story *schema*" in guide
    main = plain_text(page.split("<main", 1)[1].split("</main>", 1)[0])
    assert "descriptor" not in main, "the tool's words for a stage, not jargon"


def test_the_template_on_contribute_is_a_story_check_accepts(tmp_path: Path, content_tree):
    """Copied as it is, the template passes `check`; its two dates say which day is which,
    so that someone who copies it by hand changes them."""
    out = tmp_path / "site"
    build_site(BuildOptions(content=CONTENT), out)
    page = (out / "contribute" / "index.html").read_text(encoding="utf-8")
    template = html.unescape(page.split('<pre class="code"><code>', 1)[1].split("</code>", 1)[0])
    lines = template.splitlines()
    assert "date: 2025-03-14     # the day of the self-assessment" in lines
    assert "shared: 2025-06-02   # the day you send the story" in lines
    root = content_tree({"2025-03-our-story.md": template})
    book = check_site(BuildOptions(content=root)).book
    [story] = book.stories
    assert (story.date, story.shared) == (dt.date(2025, 3, 14), dt.date(2025, 6, 2))
