"""The flow, end to end: load, validate, model, pages, render, write.

`check` is everything but the write, so a template typo fails `check` too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from .bodies import TIME_LIMIT
from .load import load_content
from .model import Casebook
from .render import OutputFile, render_site
from .search_index import build_search_index
from .validate import validate
from .write import check_output_folder, write_site

REPO_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def default_templates() -> Path:
    """templates/ where the command is run, else the one beside the engine (editable install)."""
    local = Path("templates")
    return local if local.is_dir() else REPO_TEMPLATES


@dataclass(frozen=True)
class BuildOptions:
    content: Path
    templates: Path = REPO_TEMPLATES
    base_url: str | None = None  # already normalised (urls.normalise_base_url)
    drafts: bool = False
    today: dt.date | None = None
    time_limit: float = TIME_LIMIT  # seconds to render one story body


@dataclass(frozen=True)
class Checked:
    book: Casebook
    files: list[OutputFile]


def check_site(options: BuildOptions) -> Checked:
    """Load, validate and render in memory; ContentError lists every problem."""
    loaded = load_content(options.content)
    book = validate(loaded, today=options.today or dt.date.today(), drafts=options.drafts)
    if options.base_url:
        site = replace(book.site, base_url=options.base_url)
        book = Casebook(site=site, rubric=book.rubric, stories=book.stories)
    return Checked(book, render_site(book, options.templates, options.time_limit))


def build_site(options: BuildOptions, output: Path) -> Checked:
    """Check everything, then write the site; the content's problems are reported first."""
    checked = check_site(options)
    check_output_folder(output, [options.content, options.templates, Path.cwd()])
    write_site(checked.files, output, finish=build_search_index)
    return checked
