"""The flow, end to end: load, validate, model, pages, render, write.

`check` is everything but the write, so a template typo fails `check` too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .load import load_content
from .model import Casebook
from .render import OutputFile, render_site
from .validate import validate
from .write import check_output_folder, write_site

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class BuildOptions:
    content: Path
    templates: Path = DEFAULT_TEMPLATES
    base_url: str | None = None
    drafts: bool = False
    today: dt.date | None = None


@dataclass(frozen=True)
class Checked:
    book: Casebook
    files: list[OutputFile]


def check_site(options: BuildOptions) -> Checked:
    """Load, validate and render in memory; ContentError lists every problem."""
    loaded = load_content(options.content)
    today = options.today or dt.date.today()
    book = validate(loaded, today=today, drafts=options.drafts)
    if options.base_url:
        base = options.base_url if options.base_url.endswith("/") else options.base_url + "/"
        book = Casebook(site=_with_base_url(book, base), rubric=book.rubric, stories=book.stories)
    return Checked(book, render_site(book, options.templates))


def build_site(options: BuildOptions, output: Path) -> Checked:
    check_output_folder(output, [options.content, options.templates, Path.cwd()])
    checked = check_site(options)
    write_site(checked.files, output)
    return checked


def _with_base_url(book: Casebook, base_url: str):
    from dataclasses import replace

    return replace(book.site, base_url=base_url)
