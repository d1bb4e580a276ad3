"""Pages kept from the last build when nothing they were made from has changed.

A page is made from the templates, casebook's code and libraries, the site settings and the
rubric, which go into one key for the whole build (when it changes, every page is made
again); and from what it reads of the stories while it is made (page_reads.py): the bodies
it shows, the stories whose front matter it reads, the questions it asks the book (lists,
counts, indexes) and its own description (URL, title, context). The record keeps, for each
page, a hash of each body, the slugs of the stories it read, each question with a digest of
its answer and a digest of its description; and each story's front-matter key. A page is
kept only if all of those are as they were. So editing a story's text remakes its own page
and the pages that quote it; editing its front matter remakes the pages that read it (its
own, the lists it is in, its partnership's) and the pages whose lists or counts change.

A kept page is not stored here: it is the file the last build wrote into the site, trusted
only while its size, time and inode are the ones recorded when that build finished. The record
is `.casebook/cache/pages-<output folder>.marshal` (data only), written once the new site
is in place.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from . import cachefile
from .memo import Memo
from .model import Casebook, Story
from .page_reads import Answers, Digest, Question, digest

_FORMAT = 2
Bodies = tuple[tuple[str, bytes], ...]  # (story slug, hash of its body), by slug
Asked = tuple[tuple[Question, Digest], ...]
# bodies, stories read (None: every one), questions asked, description; then the size,
# mtime_ns and inode of the file in the site
_Entry = tuple[Bodies, tuple[str, ...] | None, Asked, Digest, int, int, int]


@dataclasses.dataclass(frozen=True)
class PageReads:
    """What one page was made from beyond the build key (page_reads.Reads, as kept)."""

    bodies: tuple[str, ...]  # the stories whose bodies it shows
    shown: tuple[str, ...] | None  # the stories whose front matter it read; None: every one
    asked: Asked
    described: Digest


@dataclasses.dataclass(frozen=True)
class LastPage:
    """The last build's file for a page, and the stories unchanged since (body and front
    matter)."""

    file: Path
    unchanged: frozenset[str]


def body_hash(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def build_key(book: Casebook, templates: Path, serving: bool) -> bytes:
    """What every page depends on: when any of it changes, no page is kept."""
    hasher = hashlib.sha256(f"format {_FORMAT} serving {serving}".encode())
    cachefile.add_own_code(hasher)
    cachefile.add_versions(hasher, ("jinja2", "markupsafe", "markdown", "nh3", "pyyaml"))
    for folder, _, names in sorted(os.walk(templates, followlinks=True)):
        for name in sorted(names):
            path = Path(folder, name)
            if path.is_file():  # as Jinja2 reads them: through symbolic links
                relative = path.relative_to(templates).as_posix()
                hasher.update(relative.encode() + b"\0" + path.read_bytes())
    hasher.update(repr(book.site).encode())
    hasher.update(repr(book.rubric).encode())
    return hasher.digest()


class PageCache:
    """The last build's pages, by output path, and what each was made from."""

    def __init__(
        self,
        folder: Path,
        site: Path,
        book: Casebook,
        templates: Path,
        serving: bool,
        memo: Memo | None = None,
    ):
        self.folder = folder
        self.site = site
        # one record for each output folder: serve's site and build's share the cache folder
        self.record = folder / f"pages-{cachefile.per_site(site)}.marshal"
        self.key = build_key(book, templates, serving)
        self.bodies = {story.slug: _body_hash(story, memo) for story in book.stories}
        self.fronts = {story.slug: story.front_matter_key for story in book.stories}
        self._memo = memo
        self._fronts_before, self._old = self._recorded()
        fronts = self._fronts_before
        # the stories whose front matter changed or that are gone; None if none changed
        # and none came or went (then every page's description and answers are as they were)
        self._changed: set[str] | None = None
        if fronts != self.fronts:
            self._changed = {s for s, key in fronts.items() if self.fronts.get(s) != key}
        self._answers = Answers(book)
        self._descriptions: dict[int, tuple[object, bytes]] = {}
        self._kept: dict[str, tuple[PageReads, _Entry]] = {}  # the pages kept, as recorded

    def kept(self, path: str, page: object) -> tuple[Path, PageReads] | None:
        """The last build's file for this path, if it can stand for this build's page (as
        described in pages.py), and what it was made from."""
        entry = self._old.get(path)
        if entry is None:
            return None
        if any(self.bodies.get(slug) != digest for slug, digest in entry[0]):
            return None
        if not self._reads_same(entry, page):
            return None
        file = self._as_left(path, entry)
        if file is None:
            return None
        bodies = tuple(slug for slug, _ in entry[0])
        reads = PageReads(bodies, entry[1], entry[2], entry[3])
        self._kept[path] = (reads, entry)
        return file, reads

    def last_made(self, path: str) -> LastPage | None:
        """The last build's file for this path, made under this build's key, if it is as that
        build left it; with the stories whose bodies and front matter are unchanged since. A
        page made of one part per story (the open data) can take those stories' parts from
        it instead of making them again, if it checks that the rest is the same."""
        entry = self._old.get(path)
        file = None if entry is None else self._as_left(path, entry)
        if entry is None or file is None:
            return None
        before, now = self._fronts_before, self.fronts
        same = (
            slug
            for slug, digest in entry[0]
            if self.bodies.get(slug) == digest and before.get(slug) == now[slug]
        )
        return LastPage(file, frozenset(same))

    def described(self, path: str, page: object) -> Digest:
        """The digest of a page's description (page_reads.digest): the last build's, when no
        story's front matter changed since, else worked out."""
        entry = self._old.get(path)
        if self._changed is None and entry is not None:
            return entry[3]
        return digest(page, self._descriptions)

    def _reads_same(self, entry: _Entry, page: object) -> bool:
        """Whether what the page read of the stories' front matter is as it was."""
        changed = self._changed
        if changed is None:
            return True
        shown = entry[1]
        if changed if shown is None else not changed.isdisjoint(shown):
            return False
        for question, answer in entry[2]:
            if answer is None or self._answers.digest(question) != answer:
                return False
        return entry[3] is not None and digest(page, self._descriptions) == entry[3]

    def _as_left(self, path: str, entry: _Entry) -> Path | None:
        """The site's file for this path if its size, time and inode are the ones recorded
        when the last build finished (else it has changed since: make it again)."""
        file = os.path.join(self.site, path)  # a relative POSIX path from the URL map
        try:
            info = os.lstat(file)
        except OSError:
            return None
        return Path(file) if _stamp(info) == entry[4:] else None

    def note(self, staged: Path, pages: Iterable[tuple[str, PageReads]]) -> dict[str, _Entry]:
        """What to record of these pages, each with what it was made from, from the staged
        site just before it is swapped in (the renames keep size, time and inode; read
        afterwards, the folder might already hold another process's site). A kept page's
        entry is the one recorded: its file in the staged site is a link to the very file
        whose size, time and inode kept() checked (were it a copy, the next build would
        find another inode and make the page again)."""
        entries: dict[str, _Entry] = {}
        every = len(self.fronts)
        for path, reads in pages:
            kept = self._kept.get(path)
            if kept is not None and kept[0] is reads:
                entries[path] = kept[1]
                continue
            try:
                info = os.lstat(os.path.join(staged, path))
            except OSError:
                continue
            bodies = tuple((slug, self.bodies[slug]) for slug in sorted(set(reads.bodies)))
            shown = None if reads.shown is not None and len(reads.shown) == every else reads.shown
            entries[path] = (bodies, shown, reads.asked, reads.described, *_stamp(info))
        return entries

    def save(self, entries: dict[str, _Entry]) -> None:
        """Record the pages now in the site; a record that can't be written is simply not
        kept (the next build makes every page). serve's memo keeps it too, as written."""
        cachefile.save(self.record, (self.key, self.fronts, entries))
        if self._memo is not None and (written := self._record_key()) is not None:
            kept = (self.fronts, entries)
            self._memo.keep(written, lambda: kept)

    def _recorded(self) -> tuple[dict[str, bytes], dict[str, _Entry]]:
        """The last build's record: from serve's memo while the file is as serve wrote it
        (same size, time and inode), else read and checked."""
        if self._memo is None or (key := self._record_key()) is None:
            return self._read(self.record)
        return self._memo.keep(key, lambda: self._read(self.record))

    def _record_key(self) -> tuple[str, str, bytes, int, int, int] | None:
        try:
            info = os.lstat(self.record)
        except OSError:
            return None
        return ("page record", str(self.record), self.key, *_stamp(info))

    def _read(self, path: Path) -> tuple[dict[str, bytes], dict[str, _Entry]]:
        kept = cachefile.load(path, 3)
        if kept is None or kept[0] != self.key:
            return {}, {}
        _, fronts, entries = kept
        if not (isinstance(fronts, dict) and isinstance(entries, dict)):
            return {}, {}
        if not all(isinstance(s, str) and isinstance(k, bytes) for s, k in fronts.items()):
            return {}, {}
        return fronts, {p: e for p, e in entries.items() if isinstance(p, str) and _well_formed(e)}


def _stamp(info: os.stat_result) -> tuple[int, int, int]:
    return info.st_size, info.st_mtime_ns, info.st_ino


def _body_hash(story: Story, memo: Memo | None) -> bytes:
    if memo is None:
        return body_hash(story.body)
    return memo.keep_for((story,), "body hash", lambda: body_hash(story.body))


def _well_formed(entry: object) -> bool:
    if not (isinstance(entry, tuple) and len(entry) == 7):
        return False
    bodies, shown, asked, described, *numbers = entry
    return (
        isinstance(bodies, tuple)
        and all(_pair(d, str, bytes) for d in bodies)
        and (shown is None or (isinstance(shown, tuple) and all(type(s) is str for s in shown)))
        and isinstance(asked, tuple)
        and all(_pair(a, tuple, (bytes, type(None))) for a in asked)
        and (described is None or isinstance(described, bytes))
        and all(type(n) is int for n in numbers)
    )


def _pair(value: object, first: type, second: type | tuple[type, ...]) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], first)
        and isinstance(value[1], second)
    )
