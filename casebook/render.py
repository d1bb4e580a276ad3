"""Step 4: every page and file of the site as bytes, in memory.

Jinja2 with autoescape on for HTML and XML and StrictUndefined, so a typo in a template fails
the build (and `check`) instead of printing a blank. Story bodies become sanitised HTML here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import multiprocessing
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import jinja2

from . import opendata_fields, page_reads
from .bodies import TIME_LIMIT, BodyJob, Crew, RenderedBody, render_bodies
from .cache import BodyCache
from .citation import article_data, bibtex_entry, json_ld, plain_citation
from .contribute import suggest_words_url
from .facets import template_functions
from .journey_chart import journey_chart
from .load import IMAGE_SUFFIXES
from .memo import Memo
from .model import ABBREVIATIONS, Casebook, Story, StoryBody, StoryImage
from .opendata import OpenData
from .page_cache import Asked, PageCache, PageReads
from .pages import Page, site_files, site_pages
from .problems import ContentError, Problem, display_path, one_of, quoted
from .progress import QUIET, Progress
from .slugs import slugify
from .spool import Spool
from .storyfields import STORY_FIELDS
from .urls import Urls


@dataclass(frozen=True)
class OutputFile:
    path: str
    data: bytes | None = None
    source: Path | None = None
    uses: PageReads | None = None  # a page: what it read of the stories
    spooled: bool = False  # source is this build's own page (spool.py), linked, not copied


# The one Content-Security-Policy: in every page's meta tag and in _headers. No inline script
# or style anywhere, nothing from another origin. 'wasm-unsafe-eval' lets the search library
# (Pagefind) compile its own WebAssembly; it allows no eval() of JavaScript.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'"
)


@functools.lru_cache(maxsize=4096)
def long_date(value: dt.date) -> str:
    """'5 March 2024'. Kept: every story card of every list has one, and strftime took a
    fiftieth of a cold build's CPU time (py-spy); there are few days."""
    return f"{value.day} {value:%B %Y}"


_WORDS = "zero one two three four five six seven eight nine ten eleven twelve".split()


def number_words(count: int) -> str:
    """'five' for 5: counts in prose come from the rubric, so its shape can change."""
    return _WORDS[count] if 0 <= count < len(_WORDS) else str(count)


def make_environment(templates: Path, compiled: Path | None = None) -> jinja2.Environment:
    """One build's Jinja2 environment. It lives for one build, so it never checks templates
    for changes; compiled, if given, is a folder where compiled templates are kept between
    builds (Jinja2 recompiles a template whose source changed)."""
    bytecode = None
    if compiled is not None:
        try:
            compiled.mkdir(parents=True, exist_ok=True)
            bytecode = jinja2.FileSystemBytecodeCache(str(compiled))
        except OSError:
            bytecode = None  # no cache folder: compile as a cold build does
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        auto_reload=False,
        bytecode_cache=bytecode,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.filters["words"] = number_words
    env.globals["ABBREVIATIONS"] = ABBREVIATIONS  # for the macro of that name
    return env


def _compiled_folder_name() -> str:
    """Where compiled templates are kept: named after what decides how Jinja2 compiles them
    (its version, Python's, the environment's options in this file), as its own cache keys
    only the template's name and source."""
    key = f"{jinja2.__version__} {sys.version}".encode() + Path(__file__).read_bytes()
    return "templates-" + hashlib.sha256(key).hexdigest()[:16]


def render_site(
    book: Casebook,
    templates: Path,
    time_limit: float = TIME_LIMIT,
    cache: BodyCache | None = None,
    serving: bool = False,
    progress: Progress = QUIET,
    last: PageCache | None = None,
    memo: Memo | None = None,
    spool: Spool | None = None,
) -> list[OutputFile]:
    """Every file of the site. `serving` adds the script that shows serve's failed rebuilds.

    With `last` (the pages of the last build), a page whose inputs are all unchanged is not
    made again: the last build's file stands for it (see page_cache.py). With serve's `memo`,
    what is made from unchanged stories alone is kept between rebuilds. With a spool, pages
    made in worker processes wait for the write on disk."""
    if not (templates / "base.html").is_file():
        message = "templates folder not found; run from the project folder or pass --templates"
        raise ContentError([Problem(display_path(templates), 0, message)])
    urls = Urls(book.site.base_url)
    cache = cache or BodyCache(None)
    compiled = cache.folder / _compiled_folder_name() if cache.folder else None
    env = make_environment(templates, compiled)
    crew = memo.crew if memo is not None else None
    rendered = _render_bodies(book.stories, time_limit, cache, progress, crew)
    bodies = {slug: body.html for slug, body in rendered.items()}
    texts = {slug: body.text for slug, body in rendered.items()}
    excerpts = {slug: _excerpt(text) for slug, text in texts.items()}
    # From here on the stories carry no body: pages reach it only through body_of, excerpt_of
    # and the open data's texts, which note each use (so page_cache knows what a page shows).
    # With a page cache, what a page reads of the stories is noted too (page_reads.py).
    watching = last is not None
    stories = tuple(_without_body(s, memo, watching) for s in book.stories)
    book = dataclasses.replace(book, stories=stories)
    # the book as the templates see it: a WatchedBook answers as the book does
    view = cast(Casebook, page_reads.WatchedBook(book)) if watching else book

    def body_of(story: Story) -> str:
        page_reads.note_body(story.slug)
        return bodies[story.slug]

    def excerpt_of(story: Story) -> str:
        page_reads.note_body(story.slug)
        return story.summary or excerpts[story.slug]

    def heat(count: int) -> int:
        """0 for none, then 1-4 by share of the fullest cell, so shading scales with content."""
        if count == 0:
            return 0
        return max(1, min(4, -(-4 * count // max(1, view.max_cell_count))))

    env.globals.update(
        book=view,
        site=book.site,
        rubric=book.rubric,
        urls=urls,
        body_of=body_of,
        excerpt_of=excerpt_of,
        heat=heat,
        story_fields=STORY_FIELDS,
        csp=CONTENT_SECURITY_POLICY,
        serving=serving,
    )
    pages = list(site_pages(book, urls))
    files = [*pages, *site_files(book, urls, pages)]
    paths = [urls.output_file(page.url) for page in files]
    seen: dict[str, str] = {}
    for page, path in zip(files, paths, strict=True):
        if path in seen:
            raise ValueError(f"two pages write {path}: {seen[path]} and {page.template}")
        seen[path] = page.template
    # Open data, citations, JSON-LD and journey charts (data.html, story.html, partnership.html)
    stories_json = urls.output_file(urls.data_stories_json())
    last_stories = last.last_made(stories_json) if last is not None else None
    env.globals.update(
        open_data=OpenData(view, urls, _Noted(texts), memo, last_stories),
        data_fields=opendata_fields,
        cite_text=lambda story: plain_citation(story, book.site, urls),
        cite_bibtex=lambda story: bibtex_entry(story, book.site, urls),
        article_json_ld=lambda story: json_ld(
            article_data(story, book.site, urls, excerpt_of(story))
        ),
        journey_chart=lambda partnership: journey_chart(view, partnership),
        suggest_words_url=lambda sub, stage: suggest_words_url(
            book.site.repository_url, sub, stage
        ),
    )
    env.globals.update(template_functions(view, book.site))
    kept = {}
    for page, path in zip(files, paths, strict=True) if last is not None else ():
        if (found := last.kept(path, page)) is not None:
            kept[path] = found
    todo = [page for page, path in zip(files, paths, strict=True) if path not in kept]
    rendered_pages = _render_pages(env, todo, templates, progress, spool)
    made = dict(zip(map(id, todo), rendered_pages, strict=True))
    problems: dict[tuple[str, int, str], Problem] = {}
    output = []
    for page, path in zip(files, paths, strict=True):
        result = made.get(id(page))
        if result is None:
            source, uses = kept[path]
            output.append(OutputFile(path, source=source, uses=uses))
        elif isinstance(result, Problem):
            problems.setdefault((result.path, result.line, result.message), result)
        else:
            reads = None
            if last is not None:
                bodies, shown, asked = result[1]
                reads = PageReads(bodies, shown, asked, last.described(path, page))
            if isinstance(result[0], str):  # its file in the spool
                output.append(OutputFile(path, source=Path(result[0]), uses=reads, spooled=True))
            else:
                output.append(OutputFile(path, result[0], uses=reads))
    if problems:
        raise ContentError(sorted(problems.values()))
    output.extend(_static_files(templates / "static", urls))
    if serving:
        output.append(OutputFile(urls.output_file(urls.serve_script()), source=SERVE_SCRIPT))
        output.append(OutputFile(urls.output_file(urls.serve_status()), serve_status(())))
    for story in book.stories:
        for image in story.images:
            target = urls.output_file(urls.story_image(story, image.name))
            output.append(OutputFile(target, source=Path(image.source)))
    return output


def _without_body(story: Story, memo: Memo | None, watching: bool) -> Story:
    """A copy of the story without its body; one that notes each read of it if watching."""
    if memo is None:
        return page_reads.shown(story) if watching else dataclasses.replace(story, body="")
    # unchanged since serve's last rebuild, the story is the same object, and so is this copy
    make = lambda: _without_body(story, None, watching)  # noqa: E731
    return memo.keep_for((story,), ("without body", watching), make)


SERVE_SCRIPT = Path(__file__).resolve().parent / "serve_status.js"


class _Noted(Mapping[str, str]):
    """A story's plain text by slug, noting each one a page reads."""

    def __init__(self, texts: dict[str, str]) -> None:
        self._texts = texts

    def __getitem__(self, slug: str) -> str:
        page_reads.note_body(slug)
        return self._texts[slug]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)


def serve_status(problems: tuple[Problem, ...]) -> bytes:
    """The JSON serve_status.js reads: the last rebuild's problems, as the terminal shows them."""
    return json.dumps({"problems": [str(p) for p in problems]}, indent=1).encode() + b"\n"


_PARALLEL_PAGES = 400  # below this many pages, forking workers costs more than it saves
_CHUNK = 100
_job: tuple[jinja2.Environment, list[Page], Path, str | None] | None = None  # for forked workers
# what a page read: its bodies, stories and questions (page_reads.Reads), as tuples
_Read = tuple[tuple[str, ...], tuple[str, ...], Asked]
_Made = tuple[bytes | str, _Read] | Problem  # bytes, or their file in the spool


def _render_pages(
    env: jinja2.Environment,
    pages: list[Page],
    templates: Path,
    progress: Progress = QUIET,
    spool: Spool | None = None,
) -> list[_Made]:
    """Each page as bytes (or, from a worker with a spool, the name of the file holding them),
    with what it read of the stories, or the Problem that stopped it; in order. Large
    sites are split between worker processes forked from this one, so each inherits the
    model as it is."""
    workers = min(os.cpu_count() or 1, len(pages) // _CHUNK)
    if len(pages) < _PARALLEL_PAGES or workers < 2 or sys.platform != "linux":

        def spooled(index: int) -> Callable[[], str | None]:
            def name() -> str | None:
                folder = spool.folder() if spool is not None else None
                return os.path.join(folder, f"here-{index}.page") if folder else None

            return name

        return [_render_page(env, page, templates, spooled(i)) for i, page in enumerate(pages)]
    global _job
    _job = (env, pages, templates, spool.folder() if spool is not None else None)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            made: list[_Made] = []
            for chunk in pool.imap(_render_chunk, range(0, len(pages), _CHUNK)):
                made.extend(chunk)
                progress.step("pages made", len(made), len(pages))
            return made
    finally:
        _job = None


def _render_chunk(start: int) -> list[_Made]:
    assert _job is not None
    env, pages, templates, folder = _job
    made: list[_Made] = []
    for index, page in enumerate(pages[start : start + _CHUNK], start):
        name = os.path.join(folder, f"{index}.page") if folder is not None else None
        result = _render_page(env, page, templates, lambda name=name: name)
        if name is not None and not isinstance(result, Problem) and result[0] != name:
            try:
                with open(name, "wb") as out:
                    out.write(result[0])
                result = (name, result[1])
            except OSError:
                pass  # no room there: this page's bytes go back in memory
        made.append(result)
    return made


_LARGE = 1 << 20  # bytes: a page larger than this is written to the spool as it is made


def _render_page(
    env: jinja2.Environment,
    page: Page,
    templates: Path,
    spool_file: Callable[[], str | None] = lambda: None,
) -> _Made:
    """The page's bytes and what it read of the stories (page_reads.Reads), or the Problem
    that stopped it.

    A page that grows past _LARGE (the open data of every story: 70 MB at 10,000 stories)
    goes on to the file spool_file() names, if it names one, and then its name is given
    instead of its bytes: held whole, with its parts and its encoding, it was a third of a
    rebuild's peak memory."""
    reads = page_reads.start()
    try:
        template = env.get_template(page.template)
        made = _made(template.generate(page=page, **page.context), spool_file)
        if made is None:  # the spool had no room for it: the page is made again, in memory
            made = template.render(page=page, **page.context).encode("utf-8")
        shown = tuple(sorted(reads.shown))
        return made, (tuple(sorted(reads.bodies)), shown, tuple(reads.asked.items()))
    except jinja2.TemplateSyntaxError as error:
        where = display_path(templates / (error.name or page.template))
        return Problem(where, error.lineno, f"template error: {error.message}")
    except jinja2.TemplateError as error:
        file, line = _template_position(error, templates, page)
        return Problem(file, line, f"template error: {error} (first seen making {page.url})")
    finally:
        page_reads.stop()


def _made(parts: Iterator[str], spool_file: Callable[[], str | None]) -> bytes | str | None:
    """The page's parts, encoded, as bytes; or in the spool file, by its name; None if that
    file could not be written."""
    chunks: list[bytes] = []
    size = 0
    for part in parts:
        data = part.encode("utf-8")
        chunks.append(data)
        size += len(data)
        if size > _LARGE and (name := spool_file()) is not None:
            try:
                with open(name, "wb") as out:
                    out.write(b"".join(chunks))
                    del chunks
                    for part in parts:
                        out.write(part.encode("utf-8"))
            except OSError:
                with suppress(OSError):
                    os.unlink(name)
                return None
            return name
    return b"".join(chunks)


def body_problems(
    stories: tuple[Story | StoryBody, ...],
    time_limit: float,
    cache: BodyCache,
    crew: Crew | None = None,
) -> list[Problem]:
    """The problems of these stories' bodies (time or memory limits, pictures), found by
    rendering them as a build would: for `check` and `build` to report them with the other
    stories' problems, in one round."""
    try:
        _render_bodies(stories, time_limit, cache, QUIET, crew)
    except ContentError as error:
        return list(error.problems)
    return []


def _render_bodies(
    stories: tuple[Story | StoryBody, ...],
    time_limit: float,
    cache: BodyCache,
    progress: Progress = QUIET,
    crew: Crew | None = None,
) -> dict[str, RenderedBody]:
    """Each story's body by slug; ContentError if one hits a limit, shows a missing image or
    has a picture that cannot be shown (it would be its alt text).

    Bodies the cache has are not rendered again; the rest are rendered in worker processes.
    """
    known = {story.slug: cache.get(story.slug, story.body) for story in stories}
    todo = [story for story in stories if known[story.slug] is None]
    jobs = [BodyJob(story.slug, story.body) for story in todo]
    fresh = render_bodies(jobs, time_limit, progress=progress, crew=crew)
    for story, rendered in zip(todo, fresh, strict=True):
        cache.put(story.body, rendered)
        known[story.slug] = rendered
    bodies: dict[str, RenderedBody] = {}
    problems: list[Problem] = []
    for story in stories:
        rendered = known[story.slug]
        assert rendered is not None
        if rendered.failure:
            message = f"the story {rendered.failure}; simplify its Markdown"
            problems.append(Problem(story.source, story.body_line, message))
            continue
        bodies[story.slug] = rendered
        present = {image.name for image in story.images}
        found = [_missing_image(story, n) for n in rendered.images if n not in present]
        found.extend(_refused_pictures(story, rendered.refused))
        if not found:
            found = [_unshown(story, i) for i in story.images if i.name not in rendered.images]
        problems.extend(sorted(found, key=lambda problem: problem.line))
    if problems:
        raise ContentError(problems)
    return bodies


def _missing_image(story: Story | StoryBody, name: str) -> Problem:
    lines = story.body.split("\n")
    index = next((i for i, line in enumerate(lines) if name in line), 0)
    if story.images or story.source.endswith("index.md"):
        fix = "put the image file in the story's folder, or remove the reference"
    else:
        fix = f"make the story a folder, stories/{story.slug}/index.md, and put the image beside it"
    return Problem(story.source, story.body_line + index, f"image '{name}' not found; {fix}")


def _unshown(story: Story | StoryBody, image: StoryImage) -> Problem:
    """A picture beside the story that its text does not show: it would be published all
    the same, at an address anyone could guess."""
    message = (
        f"the story does not show this picture, but it would be published; show it with "
        f"![what it shows]({image.name}), or remove the file"
    )
    return Problem(os.path.join(os.path.dirname(story.source), image.name), 0, message)


# where a picture's address is written: ![alt](address), or [name]: address for ![alt][name]
_PICTURE_AT = re.compile(
    r"!\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\(\s*(?:<([^>\n]*)>|([^\s)]*))"
    r"|^ {0,3}\[[^\]\n]+\]:\s*(?:<([^>\n]*)>|(\S*))"
)
_WEB = re.compile(r"(?i)(?:https?|ftp)://|//|\\\\|/\\|www\.")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")  # two letters at least: C:\ is a folder
_SEARCHED = 100  # addresses looked for anywhere in a body when not found where they belong


def _refused_pictures(
    story: Story | StoryBody, refused: tuple[tuple[str, str], ...]
) -> list[Problem]:
    """A problem for each picture shown as its alt text, at the line that gives its address
    (the body's first line where that line cannot be told)."""
    if not refused:
        return []
    written: dict[str, list[int]] = {}
    for index, line in enumerate(story.body.split("\n")):
        for match in _PICTURE_AT.finditer(line):
            address = next((g for g in match.groups() if g is not None), "")
            written.setdefault(re.sub(r"\\(.)", r"\1", address), []).append(index)
    seen: dict[str, int] = {}
    found: list[Problem] = []
    searches = 0
    for address, alt in refused:
        if address not in written and address and searches < _SEARCHED:  # written otherwise
            searches += 1
            at = story.body.find(address)
            written[address] = [story.body.count("\n", 0, at) if at >= 0 else 0]
        lines = written.get(address, [0])
        nth = seen[address] = seen.get(address, -1) + 1
        line = story.body_line + lines[min(nth, len(lines) - 1)]
        found.append(Problem(story.source, line, _not_shown(story, address, alt)))
    return list(dict.fromkeys(found))


def _not_shown(story: Story, address: str, alt: str) -> str:
    """Why the picture at `address` cannot be shown, and what to write instead (on one line:
    the alt text's line breaks are spaces here)."""
    alt = " ".join(alt.split())
    files = {image.name.lower(): image.name for image in story.images}
    path = address[2:] if address.startswith("./") else address
    plain = re.split(r"[?#]", path, maxsplit=1)[0]
    base = re.split(r"[/\\]", plain)[-1]
    name = _picture_name(base, alt, files)
    write = f"write ![{alt}]({name})"
    beside = "beside the story's index.md"
    if not address.strip():
        return f"picture ![{alt}]() cannot be shown: it names no file; {write}, or remove it"
    if _WEB.match(address):
        reason = "it is on another website, and the site makes no request to another host"
        fix = f"save the picture in the story's folder as {name} and {write}"
    elif _SCHEME.match(address) and not address.lower().startswith("file:"):
        name = _picture_name("", alt, files)
        write = f"write ![{alt}]({name})"
        reason = "a picture must be a file in the story's folder"
        fix = f"save the picture there as {name} and {write}"
    elif plain != base or address.lower().startswith("file:"):
        reason = "a picture must sit beside the story, not in another folder"
        fix = write if name in files.values() else f"put {name} {beside} and {write}"
    elif plain != path:
        reason = f"a picture's name may not have a {quoted(path[len(plain) :])} part"
        fix = write
    elif base.lower() in files:
        there = files[base.lower()]
        reason = f"the file beside the story is '{there}', and names must match in case"
        fix = write
    elif not base.lower().endswith(IMAGE_SUFFIXES):
        reason = f"a picture must be a {one_of(IMAGE_SUFFIXES)} file"
        fix = f"save it as {name} {beside} and {write}"
    else:
        reason = "a picture's name may use only lowercase letters, digits and hyphens"
        fix = f"rename the file {name} and {write}"
    if not (story.images or story.source.endswith("index.md")):
        folder = f"stories/{story.slug}/index.md"
        fix = f"make the story a folder, {folder}, save the picture beside it as {name} and {write}"
    return f"picture {quoted(address)} cannot be shown: {reason}; {fix}"


def _picture_name(base: str, alt: str, files: dict[str, str]) -> str:
    """The name to write: the file beside the story that differs only in case, else one made
    from the address's last part (or the alt text) in the form a picture's name takes."""
    if base.lower() in files:
        return files[base.lower()]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = suffix.lower() if f".{suffix.lower()}" in IMAGE_SUFFIXES else "png"
    return f"{slugify(stem) or slugify(alt) or 'picture'}.{suffix}"


def _excerpt(text: str, limit: int = 220) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def _template_position(error: Exception, templates: Path, page: Page) -> tuple[str, int]:
    """The template file and line where rendering failed, from Jinja's rewritten traceback."""
    root = str(templates.resolve())
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename and str(Path(frame.filename).resolve()).startswith(root):
            return display_path(Path(frame.filename)), frame.lineno or 0
    return display_path(templates / page.template), 0


def _static_files(folder: Path, urls: Urls) -> list[OutputFile]:
    if not folder.is_dir():
        return []
    return [
        OutputFile(urls.output_file(urls.static(path.relative_to(folder).as_posix())), source=path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    ]
