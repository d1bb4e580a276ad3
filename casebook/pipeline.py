"""The flow, end to end: load, validate, model, pages, render, write.

`check` is everything but the write, so a template typo fails `check` too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .cache import BodyCache
from .cachefile import collector_paused
from .load import load_content
from .memo import Memo
from .model import Casebook
from .options import BuildOptions, latest_today
from .page_cache import PageCache
from .problems import ContentError, OutputError
from .progress import Progress
from .render import OutputFile, body_problems, render_site
from .search_index import BUNDLE, SearchStart, build_search_index, record_for
from .spool import Spool
from .story_cache import StoryCache
from .validate import validate
from .write import check_output_folder, remove, spare_for, write_site


@dataclass(frozen=True)
class Checked:
    book: Casebook
    files: list[OutputFile]
    pages: PageCache | None = None  # records the pages once the site is written


def check_site(
    options: BuildOptions,
    last_site: Path | None = None,
    memo: Memo | None = None,
    spool: Spool | None = None,
) -> Checked:
    """Load, validate and render in memory; ContentError lists every problem.

    last_site, with a cache, is the site the last build wrote: its pages stand for those
    whose inputs have not changed (page_cache.py). memo keeps stories between the builds
    of one process (serve). spool: where pages made in workers wait for the write."""
    if memo is not None:
        memo.start()
    # a build's process loads once and ends: what it loads is kept out of the collector's
    # reach (cachefile.collector_paused); serve's, which lives on, is not
    try:
        with collector_paused(frozen=memo is None):
            book = _load_book(options, memo)
            cache = memo.body_cache(options.cache) if memo is not None else BodyCache(options.cache)
            last = None
            if options.cache is not None and last_site is not None:
                last = PageCache(
                    options.cache, last_site, book, options.templates, options.serving, memo
                )
    except ContentError as error:
        # not while paused: its bodies are rendered in worker processes, which would inherit
        # a paused collector
        raise _with_body_problems(error, options, memo) from None
    progress = Progress(options.progress)
    try:
        files = render_site(
            book,
            options.templates,
            options.time_limit,
            cache,
            options.serving,
            progress,
            last,
            memo,
            spool,
        )
    finally:
        progress.finish()
        if memo is None:
            cache.save()  # what rendered is kept even when another story failed
        else:
            memo.after_first_render()
    return Checked(book, files, last)


def _load_book(options: BuildOptions, memo: Memo | None) -> Casebook:
    """The content, loaded and validated; ContentError lists every problem but those of
    the bodies (_with_body_problems)."""
    # `build` keeps its stories in the cache; serve keeps them in its memo
    kept = StoryCache(options.cache) if memo is None and options.cache is not None else None
    today = options.today or latest_today()
    try:
        loaded = load_content(options.content, memo, kept)
        book = validate(loaded, today=today, drafts=options.drafts, memo=memo, kept=kept)
    finally:
        if kept is not None:
            kept.save()  # broken stories too: their problems are reported again unparsed
    # the story cache, with its copies of the stories, ends here: pages do not need it
    if options.base_url:
        site = replace(book.site, base_url=options.base_url)
        book = Casebook(site=site, rubric=book.rubric, stories=book.stories)
    return book


def _with_body_problems(
    error: ContentError, options: BuildOptions, memo: Memo | None
) -> ContentError:
    """The problems, and those of the stories' bodies, found by rendering them: a picture
    from another website is reported with a missing field, in its own story or another, not
    after that is fixed."""
    if not error.stories and not error.failed:
        return error
    cache = memo.body_cache(options.cache) if memo is not None else BodyCache(options.cache)
    crew = memo.crew if memo is not None else None
    # read from the cache, not written to it: a build that stops here writes nothing
    found = body_problems((*error.stories, *error.failed), options.time_limit, cache, crew)
    return ContentError(sorted({*error.problems, *found}))


def build_site(
    options: BuildOptions,
    output: Path,
    finish: Callable[[Path], None] | None = None,
    discard: Callable[[Path], None] = remove,
    memo: Memo | None = None,
) -> Checked:
    """Check everything, then write the site; the content's problems are reported first.

    finish completes the staged site before it replaces the last one: by default the search
    index is built over it, keeping the last site's where its pages are the same (serve may
    carry the last index over instead, see serve.py). discard is given the replaced site's
    folder, to remove, unless there is a cache: then it is kept there as the next build's
    staging (write.spare_for). memo: see check_site."""
    protected = [options.content, options.templates, Path.cwd()]

    def allowed() -> bool:
        try:
            check_output_folder(output, protected)
        except OutputError:
            return False  # said after the content's problems, in _build_site
        return True

    spool = Spool(output, allowed)
    try:
        return _build_site(options, output, protected, finish, discard, memo, spool)
    finally:
        spool.remove()


def _build_site(
    options: BuildOptions,
    output: Path,
    protected: list[Path],
    finish: Callable[[Path], None] | None,
    discard: Callable[[Path], None],
    memo: Memo | None,
    spool: Spool,
) -> Checked:
    checked = check_site(options, last_site=output, memo=memo, spool=spool)
    check_output_folder(output, protected)
    if finish is not None:
        return _write_checked(checked, options, output, finish, discard)
    # the search index: Pagefind starts on the rendered pages while the site is written
    record = record_for(options.cache, output)
    start = SearchStart(checked.files, output.absolute(), record)
    try:
        start.wait_for_pagefind()  # then the site is written while Pagefind runs
        return _write_checked(
            checked,
            options,
            output,
            lambda staged: build_search_index(staged, output.absolute(), record, start),
            discard,
        )
    finally:
        start.close()


def _write_checked(
    checked: Checked,
    options: BuildOptions,
    output: Path,
    finish: Callable[[Path], None],
    discard: Callable[[Path], None],
) -> Checked:
    pages = checked.pages
    spare = spare_for(options.cache, output)
    if pages is None:
        write_site(checked.files, output, finish, discard, spare, (BUNDLE,))
        return checked
    made = [(f.path, f.uses) for f in checked.files if f.uses is not None]
    noted = {}

    def finish_and_note(staged: Path) -> None:
        finish(staged)
        noted.update(pages.note(staged, made))

    write_site(checked.files, output, finish_and_note, discard, spare, (BUNDLE,))
    pages.save(noted)
    return checked
