"""What the /contribute/ form needs from the engine, rendered into its HTML at build time so
its script (templates/static/contribute.js) needs no data file: the schema address for the
story file's first line, the rules `check` applies, and where to propose a story on GitHub."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from .characters import FORBIDDEN_CHARS
from .datewords import EARLIEST
from .issueform import PICTURE, PICTURE_ALT, TEMPLATE_PATH
from .model import PERSPECTIVES, Casebook, Stage, SubElement
from .schema import MAX_NAME, MAX_SUMMARY, ecma_pattern
from .slugs import SLUG_PATTERN
from .storyfields import MAX_TITLE
from .storytext import NEXT_HEADING, WHY_HEADING
from .urls import Urls

# GitHub refuses longer web addresses (it answers 414), so a longer draft goes by the issue form.
URL_LIMIT = 8000
BRANCH = "main"
STORIES_FOLDER = "content/stories"
# the issue form for a better wording of a stage; its field ids are suggest_words_url's names
SUGGEST_WORDS_FORM = Path(".github") / "ISSUE_TEMPLATE" / "suggest-words.yml"


@dataclass(frozen=True)
class ContributeForm:
    schema_url: str
    new_file_url: str
    issue_form_url: str
    contributing_url: str
    forbidden: str
    slug_pattern: str
    earliest: str = EARLIEST.isoformat()
    url_limit: int = URL_LIMIT
    max_title: int = MAX_TITLE
    max_name: int = MAX_NAME
    max_summary: int = MAX_SUMMARY
    folder: str = STORIES_FOLDER
    why_heading: str = WHY_HEADING
    next_heading: str = NEXT_HEADING
    picture: str = PICTURE.pattern  # read case-blind, as in Python
    picture_alt: str = PICTURE_ALT.pattern


def contribute_form(book: Casebook, urls: Urls) -> ContributeForm:
    repository = book.site.repository_url
    return ContributeForm(
        schema_url=urls.absolute(urls.story_schema()),
        new_file_url=f"{repository}/new/{BRANCH}/{STORIES_FOLDER}",
        issue_form_url=f"{repository}/issues/new?template={TEMPLATE_PATH.name}",
        contributing_url=f"{repository}/blob/{BRANCH}/CONTRIBUTING.md",
        forbidden=ecma_pattern(FORBIDDEN_CHARS.pattern),
        slug_pattern=SLUG_PATTERN,
    )


def suggest_words_url(repository: str, sub: SubElement, stage: Stage) -> str:
    """GitHub's new issue page with the suggest-words form, its title and stage filled in
    (GitHub fills an issue form's field from the parameter named by its id)."""
    where = f"{sub.name}, stage {stage.number} ({stage.name})"
    query = {"template": SUGGEST_WORDS_FORM.name, "title": f"Words: {where}", "stage": where}
    return f"{repository}/issues/new?{urlencode(query)}"


PERSPECTIVE_CHOICES = tuple(PERSPECTIVES.items())
