"""The site's own words, held to one style where readers meet them.

- The tool's descriptors write WP and SU and never spell them out (they are quoted word for
  word, so they stay so): every page that quotes such words says what they mean, in one
  sentence (casebook.model.ABBREVIATIONS), before or just after its first quotation.
- The menu calls the benchmarking tool "The tool", so every page, script and label does:
  "version 1.0 of the tool", never "rubric version 1.0" ("rubric" stays in file names such
  as rubric.json, and in the data's field names).
- The site's own words use the curly apostrophe (’), as most of them always did: "Students’
  union" as a label, never beside "Students' union". What contributors type keeps theirs
  (stories, the rubric's words, names, the YAML of a story file), and so do the terminal of
  `new` and the GitHub issue form, whose labels and options GitHub copies into each issue
  for the converter to read back (casebook.model.typed).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from casebook import opendata_fields, schema, storyfields, storyinput
from casebook.facets import LEGENDS
from casebook.model import ABBREVIATIONS, PERSPECTIVES, Casebook, typed
from casebook.pipeline import BuildOptions, build_site
from casebook.render import make_environment

from .conftest import CONTENT, REPO, keep_only_examples
from .test_built_site import BASE_URL, Document, Element, parse_html

ABBREVIATED = re.compile(r"\b(?:WP|SU)\b")
# the word, not a name or address that holds it (rubric.json, rubric_version, /rubric/)
RUBRIC_WORD = re.compile(r"(?<![\w/-])rubric(?![\w./-])", re.IGNORECASE)
# a straight apostrophe in a word ("union's", "can't") or after a plural ("students' union")
STRAIGHT = re.compile(r"[A-Za-z]'[a-z]|s' [a-z]")


def straight_in(text: str) -> list[str]:
    """Each straight apostrophe in the text, with a few words around it."""
    return [text[max(m.start() - 25, 0) : m.end() + 25] for m in STRAIGHT.finditer(text)]


HIDDEN_TEXT = {"script", "style", "code", "pre"}  # not prose: code, and samples of story files
SHOWN_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")


def plain(text: str) -> str:
    return " ".join(text.split())


def tool_words(book: Casebook) -> list[str]:
    """Every passage of the tool's own words that uses an abbreviation it never expands."""
    rubric = book.rubric
    passages = [*rubric.introduction, *rubric.how_it_works]
    for commitment in rubric.commitments:
        passages += [commitment.question, commitment.summary]
    passages += [sub.descriptor(s.number) for sub in rubric.sub_elements for s in rubric.stages]
    return [plain(p) for p in passages if ABBREVIATED.search(p)]


def build(folder: Path, content: Path) -> tuple[Path, Casebook]:
    checked = build_site(BuildOptions(content=content, base_url=BASE_URL), folder / "site")
    return folder / "site", checked.book


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Casebook]:
    """The example site (its fictional stories only, whatever else content/ holds)."""
    folder = tmp_path_factory.mktemp("wording")
    content = keep_only_examples(Path(shutil.copytree(CONTENT, folder / "content")))
    return build(folder, content)


def pages(root: Path) -> dict[str, Document]:
    return {
        path.relative_to(root).as_posix(): parse_html(path.read_text(encoding="utf-8"))
        for path in sorted(root.rglob("*.html"))
    }


def shown_text(doc: Document, skip_prose: bool = False) -> list[str]:
    """Each piece of text the page shows a reader, its title and description included: text
    nodes outside code, samples and scripts, and the attributes read aloud or shown on hover.
    skip_prose leaves out story bodies (the contributors' words)."""
    found = []

    def walk(element: Element) -> None:
        if element.tag in HIDDEN_TEXT or (skip_prose and element.has_class("prose")):
            return
        found.extend(element.attrs[a] for a in SHOWN_ATTRIBUTES if element.attrs.get(a))
        if element.tag == "meta" and element.attrs.get("name") == "description":
            found.append(element.attrs.get("content", ""))
        for child in element.children:
            if isinstance(child, str):
                found.append(child)
            else:
                walk(child)

    walk(doc.root)
    return [plain(text) for text in found if text.strip()]


def js_strings(source: str) -> list[str]:
    """The string literals of a script, without comments and without the code in a template
    literal's ${...}: the words a script can put on a page."""
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.DOTALL)
    source = re.sub(r"(?m)(^|\s)//.*$", r"\1", source)
    literals = re.finditer(r'"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`', source)
    return [re.sub(r"\$\{[^}]*\}", "", m.group()[1:-1]) for m in literals]


SCRIPTS = sorted((REPO / "templates/static").glob("*.js"))


def abbreviation_lines(main: Element) -> list[Element]:
    return [el for el in main.iter() if el.tag == "p" and el.has_class("abbreviations")]


def test_the_macro_says_the_same_sentence_as_the_code():
    macros = make_environment(REPO / "templates").get_template("macros.html").module
    line = parse_html(str(macros.abbreviations())).one("p")  # type: ignore[attr-defined]
    assert line.plain == ABBREVIATIONS
    assert "WP" in ABBREVIATIONS and "SU" in ABBREVIATIONS


def test_every_page_that_quotes_the_tool_says_what_wp_and_su_mean(built):
    root, book = built
    passages = tool_words(book)
    assert passages, "the example tool uses WP and SU"
    quoting = []
    for name, doc in pages(root).items():
        text = doc.main.plain
        found = sorted(i for p in passages for i in [text.find(p)] if i >= 0)
        if not found:
            continue
        quoting.append(name)
        lines = abbreviation_lines(doc.main)
        assert len(lines) == 1, f"{name} quotes the tool's WP and SU but does not expand them"
        at = text.find(ABBREVIATIONS)
        assert at >= 0
        # before the first quotation, or right after it: never after a second one
        assert len(found) == 1 or at < found[1], f"{name}: the expansion comes too late"
    # the pages that quote the tool's words, so that a page missed here is noticed
    assert {"rubric/index.html", "assess/index.html", "contribute/index.html"} <= set(quoting)
    assert "about/index.html" in quoting
    assert {f"rubric/{sub.id}/index.html" for sub in book.rubric.sub_elements} <= set(quoting)
    assert {
        f"rubric/{sub.id}/{stage.number}/index.html"
        for sub in book.rubric.sub_elements
        for stage in book.rubric.stages
    } <= set(quoting)


def test_search_results_quote_the_tool_so_the_search_page_expands_them(built):
    root, _ = built
    doc = parse_html((root / "search/index.html").read_text(encoding="utf-8"))
    (line,) = abbreviation_lines(doc.main)
    assert line.plain == ABBREVIATIONS


def test_the_issue_form_expands_them_before_the_first_descriptor():
    form = yaml.safe_load((REPO / ".github/ISSUE_TEMPLATE/share-a-story.yml").read_text())
    texts = [item["attributes"].get("value") or item["attributes"].get("description", "")
             for item in form["body"]]  # fmt: skip
    first = next(i for i, text in enumerate(texts) if ABBREVIATED.search(text or ""))
    assert typed(ABBREVIATIONS) in plain(texts[first])


def test_no_page_calls_the_tool_the_rubric(built):
    root, _ = built
    for name, doc in pages(root).items():
        said = [text for text in shown_text(doc, skip_prose=True) if RUBRIC_WORD.search(text)]
        assert not said, f"{name} says 'rubric' where the menu says 'the tool': {said}"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_no_script_calls_the_tool_the_rubric(script: Path):
    strings = js_strings(script.read_text(encoding="utf-8"))
    assert strings, "the script's strings were found"
    assert [s for s in strings if RUBRIC_WORD.search(s)] == []


TEMPLATES = sorted((REPO / "templates").glob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_templates_use_the_curly_apostrophe(template: Path):
    """Everything a template writes, its text and the strings of its expressions alike;
    comments ({# ... #}) are for maintainers."""
    source = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert straight_in(source) == [], f"straight apostrophes in {template.name}"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_use_the_curly_apostrophe(script: Path):
    strings = js_strings(script.read_text(encoding="utf-8"))
    assert [found for s in strings for found in straight_in(s)] == []


def schema_descriptions(node: object, tool: set[str]) -> list[str]:
    """The descriptions in the story schema that are the site's words, not the tool's."""
    if isinstance(node, dict):
        own = [] if node.get("description") in tool else [node.get("description")]
        found = [d for d in own if isinstance(d, str)]
        return found + [d for v in node.values() for d in schema_descriptions(v, tool)]
    if isinstance(node, list):
        return [d for v in node for d in schema_descriptions(v, tool)]
    return []


def test_python_labels_use_the_curly_apostrophe(built):
    _, book = built
    rubric = book.rubric
    tool = {sub.descriptor(s.number) for sub in rubric.sub_elements for s in rubric.stages}
    fields = [
        *opendata_fields.HEADER_FIELDS,
        *opendata_fields.STORIES_FIELDS,
        *opendata_fields.STORY_FIELDS,
        *opendata_fields.ASSESSMENT_FIELDS,
        *opendata_fields.CSV_FIELDS,
        *opendata_fields.RUBRIC_FIELDS,
    ]
    labels = {
        "perspectives": list(PERSPECTIVES.values()),
        "facet legends": list(LEGENDS.values()),
        "story fields": [f.description for f in storyfields.STORY_FIELDS],
        "open data fields": [f.description for f in fields],
        "story schema": schema_descriptions(schema.story_schema(rubric, "x"), tool),
    }
    assert all(labels.values())
    straight = {k: [found for t in v for found in straight_in(t)] for k, v in labels.items()}
    assert straight == {k: [] for k in labels}


def curl(text: str) -> str:
    return re.sub(r"(?<=[A-Za-z])'(?=[A-Za-z\s])", "’", text)


@pytest.fixture(scope="module")
def curled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Casebook]:
    """The example site built from content whose own apostrophes are all curly, so that a
    straight one on any page is the site's own words."""
    folder = tmp_path_factory.mktemp("curled")
    content = keep_only_examples(Path(shutil.copytree(CONTENT, folder / "content")))
    for path in [*content.rglob("*.md"), *content.rglob("*.yaml")]:
        path.write_text(curl(path.read_text(encoding="utf-8")), encoding="utf-8")
    return build(folder, content)


def test_every_page_uses_the_curly_apostrophe_in_its_own_words(curled):
    root, book = curled
    assert any("’" in s.partnership.students_union for s in book.stories), "content curled"
    for name, doc in pages(root).items():
        straight = [found for text in shown_text(doc) for found in straight_in(text)]
        assert straight == [], f"{name} mixes straight apostrophes into the site's words"


def test_the_issue_form_and_new_keep_the_apostrophe_a_keyboard_types():
    """GitHub copies the issue form's options into each issue, and contributors type the
    labels to `new`: both keep the straight apostrophe, and either reads as the same choice."""
    form = yaml.safe_load((REPO / ".github/ISSUE_TEMPLATE/share-a-story.yml").read_text())
    (perspective,) = [item for item in form["body"] if item.get("id") == "perspective"]
    assert perspective["attributes"]["options"] == [typed(p) for p in PERSPECTIVES.values()]
    for key, label in PERSPECTIVES.items():
        assert storyinput.perspective(label) == storyinput.perspective(typed(label)) == key
