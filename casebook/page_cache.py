"""Pages kept from the last build when nothing they were made from has changed.

A page is made from the templates, casebook's code and libraries, the site settings, the
rubric, every story's front matter (lists, counts and links come from it) and the bodies of
the stories whose text it shows. All but the last go into one key for the whole build: when
it changes, every page is made again. The bodies a page shows are recorded while it renders
(render.py notes each story whose HTML, excerpt or plain text a template asks for), with a
hash of each; a page is kept only if every one of those bodies is unchanged. So editing a
story's text remakes its own page and the pages that quote it, and nothing else; editing its
front matter remakes everything.

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

_FORMAT = 1
Deps = tuple[tuple[str, bytes], ...]  # (story slug, hash of its body), by slug
_Entry = tuple[Deps, int, int, int]  # deps, size, mtime_ns, inode of the file in the site


@dataclasses.dataclass(frozen=True)
class LastPage:
    """The last build's file for a page, and the stories whose bodies are unchanged since."""

    file: Path
    unchanged: frozenset[str]


def body_hash(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def build_key(book: Casebook, templates: Path, serving: bool) -> bytes:
    """What every page depends on: when any of it changes, no page is kept."""
    digest = hashlib.sha256(f"format {_FORMAT} serving {serving}".encode())
    cachefile.add_own_code(digest)
    cachefile.add_versions(digest, ("jinja2", "markupsafe", "markdown", "nh3", "pyyaml"))
    for folder, _, names in sorted(os.walk(templates, followlinks=True)):
        for name in sorted(names):
            path = Path(folder, name)
            if path.is_file():  # as Jinja2 reads them: through symbolic links
                relative = path.relative_to(templates).as_posix()
                digest.update(relative.encode() + b"\0" + path.read_bytes())
    digest.update(repr(book.site).encode())
    digest.update(repr(book.rubric).encode())
    for story in book.stories:
        digest.update(story.front_matter_key)
    return digest.digest()


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
        self._memo = memo
        self._old: dict[str, _Entry] = self._recorded()

    def kept(self, path: str) -> tuple[Path, tuple[str, ...]] | None:
        """The last build's file for this path, if it can stand for this build's page, and
        the stories whose bodies it shows."""
        entry = self._old.get(path)
        if entry is None:
            return None
        deps = entry[0]
        if any(self.bodies.get(slug) != digest for slug, digest in deps):
            return None
        file = self._as_left(path, entry)
        return None if file is None else (file, tuple(slug for slug, _ in deps))

    def last_made(self, path: str) -> LastPage | None:
        """The last build's file for this path, made from all this build's page is made from
        but some stories' bodies, if it is as that build left it; with the stories whose
        bodies it shows unchanged. A page that shows every story (the open data) can then
        take those stories' parts from it instead of making them again."""
        entry = self._old.get(path)
        file = None if entry is None else self._as_left(path, entry)
        if entry is None or file is None:
            return None
        same = (slug for slug, digest in entry[0] if self.bodies.get(slug) == digest)
        return LastPage(file, frozenset(same))

    def _as_left(self, path: str, entry: _Entry) -> Path | None:
        """The site's file for this path if its size, time and inode are the ones recorded
        when the last build finished (else it has changed since: make it again)."""
        file = os.path.join(self.site, path)  # a relative POSIX path from the URL map
        try:
            info = os.lstat(file)
        except OSError:
            return None
        return Path(file) if _stamp(info) == entry[1:] else None

    def note(self, staged: Path, pages: Iterable[tuple[str, tuple[str, ...]]]) -> dict[str, _Entry]:
        """What to record of these pages, each with the stories whose bodies it shows, from
        the staged site just before it is swapped in (the renames keep size, time and inode;
        read afterwards, the folder might already hold another process's site)."""
        entries: dict[str, _Entry] = {}
        for path, uses in pages:
            try:
                info = os.lstat(os.path.join(staged, path))
            except OSError:
                continue
            deps = tuple((slug, self.bodies[slug]) for slug in sorted(set(uses)))
            entries[path] = (deps, *_stamp(info))
        return entries

    def save(self, entries: dict[str, _Entry]) -> None:
        """Record the pages now in the site; a record that can't be written is simply not
        kept (the next build makes every page). serve's memo keeps it too, as written."""
        cachefile.save(self.record, (self.key, entries))
        if self._memo is not None and (written := self._record_key()) is not None:
            self._memo.keep(written, lambda: entries)

    def _recorded(self) -> dict[str, _Entry]:
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

    def _read(self, path: Path) -> dict[str, _Entry]:
        kept = cachefile.load(path, 2)
        if kept is None or kept[0] != self.key or not isinstance(kept[1], dict):
            return {}
        entries = kept[1]
        return {p: e for p, e in entries.items() if isinstance(p, str) and _well_formed(e)}


def _stamp(info: os.stat_result) -> tuple[int, int, int]:
    return info.st_size, info.st_mtime_ns, info.st_ino


def _body_hash(story: Story, memo: Memo | None) -> bytes:
    if memo is None:
        return body_hash(story.body)
    return memo.keep_for((story,), "body hash", lambda: body_hash(story.body))


def _well_formed(entry: object) -> bool:
    if not (isinstance(entry, tuple) and len(entry) == 4):
        return False
    deps, *numbers = entry
    return (
        isinstance(deps, tuple)
        and all(_well_formed_dep(d) for d in deps)
        and all(isinstance(n, int) for n in numbers)
    )


def _well_formed_dep(dep: object) -> bool:
    return (
        isinstance(dep, tuple)
        and len(dep) == 2
        and isinstance(dep[0], str)
        and isinstance(dep[1], bytes)
    )
