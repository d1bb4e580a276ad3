"""Each stage's page asks for better words: a link to the suggest-words issue form on GitHub,
with the form's title and stage filled in, and the maintainers' address where the site has one.
The form is a file of the repository; the parameters of the link must be ids of its fields."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from casebook.contribute import SUGGEST_WORDS_FORM, suggest_words_url
from casebook.pipeline import BuildOptions, build_site, check_site

from .conftest import CONTENT, REPO, keep_only_examples, story
from .test_built_site import BASE_URL, Element, parse_html

FORM = yaml.safe_load((REPO / SUGGEST_WORDS_FORM).read_text(encoding="utf-8"))
REPOSITORY = yaml.safe_load((CONTENT / "site.yaml").read_text(encoding="utf-8"))["repository_url"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("suggest")
    content = keep_only_examples(Path(shutil.copytree(CONTENT, folder / "content")))
    build_site(BuildOptions(content=content, base_url=BASE_URL), folder / "site")
    return folder / "site"


def suggestion(root: Path, address: str) -> Element:
    doc = parse_html((root / address / "index.html").read_text(encoding="utf-8"))
    [found] = [p for p in doc.main.find_all("p") if p.has_class("suggest")]
    return found


def test_a_stage_page_links_to_the_form_with_its_stage_filled_in(built):
    line = suggestion(built, "rubric/trust/2")
    assert line.has_class("screen-only")  # not on paper: a link cannot be followed there
    assert line.plain == (
        "Could the tool’s words describe this stage better? Suggest better words on GitHub, or "
        "write to stories@casebook.example.org."
    )
    form, mail = line.find_all("a")
    assert (form.plain, mail.attrs["href"]) == (
        "Suggest better words on GitHub",
        "mailto:stories@casebook.example.org",
    )
    address = urlsplit(form.attrs["href"])
    assert f"{address.scheme}://{address.netloc}{address.path}" == f"{REPOSITORY}/issues/new"
    assert parse_qs(address.query) == {
        "template": ["suggest-words.yml"],
        "title": ["Words: Developing trust, stage 2 (Developing)"],
        "stage": ["Developing trust, stage 2 (Developing)"],
    }


def test_every_stage_page_names_its_own_stage(built):
    for sub in ("trust", "impact-and-evaluation"):
        for stage in range(1, 6):
            [form, _] = suggestion(built, f"rubric/{sub}/{stage}").find_all("a")
            [named] = parse_qs(urlsplit(form.attrs["href"]).query)["stage"]
            assert f", stage {stage} (" in named


def test_the_links_parameters_are_fields_of_the_form():
    """GitHub fills a field from the parameter named by its id, and ignores other names."""
    rubric = check_site(BuildOptions(content=CONTENT)).book.rubric
    url = suggest_words_url(REPOSITORY, rubric.sub_elements[0], rubric.stage(1))
    named = set(parse_qs(urlsplit(url).query)) - {"template", "title"}
    ids = {item.get("id") for item in FORM["body"]}
    assert named == {"stage"} and named <= ids
    required = [item["id"] for item in FORM["body"] if item.get("validations", {}).get("required")]
    assert required == ["stage", "words", "why"]
    assert FORM["title"] == "Words: "
    assert FORM["labels"] == ["wording-suggestion"]


def test_without_a_contact_the_form_is_the_only_way(content_tree, tmp_path):
    root = content_tree({"a.md": story()})
    settings = root / "site.yaml"
    lines = settings.read_text(encoding="utf-8").splitlines(keepends=True)
    settings.write_text("".join(x for x in lines if not x.startswith("contact:")), "utf-8")
    build_site(BuildOptions(content=root, base_url=BASE_URL), tmp_path / "site")
    line = suggestion(tmp_path / "site", "rubric/trust/2")
    assert line.plain == (
        "Could the tool’s words describe this stage better? Suggest better words on GitHub."
    )
