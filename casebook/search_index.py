"""The full-text search index: Pagefind run over the staged site, before it is swapped in.

Pagefind reads the built pages marked data-pagefind-body (stories, stages of the tool and
partnerships) and writes its index and its small search library into pagefind/. Its ready-made
UI bundles are removed: the site's own search page uses the library directly, so nothing ships
that injects inline styles past the Content-Security-Policy. The same pages give the same bytes
once search_index_order has sorted what Pagefind leaves in hash-map order.

Pagefind cannot update an index, only make one, and its time and memory grow with the pages it
is given. So the pages are split into shards of about SHARD_PAGES, by a hash of each page's
path; each shard is its own Pagefind index (the first in pagefind/, the others in
pagefind/shard-N/, listed in pagefind/shards.json), and the search page merges them
(Pagefind's mergeIndex). A build makes again only the shards where what Pagefind is given
changed: each page is given cut down to the part it indexes (search_view.py), and the cache
records, for each page, its file's identity and a digest of what it gives Pagefind, and for
each shard, those digests and the files of its index. A shard whose pages give the same
bytes as last time keeps the last site's index, if that is still the one recorded: a story's
title in the lists of other pages, or a template's menu, changes those pages' files but not
their index. Only pages whose file changed are read again. The shards are a function of the
pages alone, so a rebuild gives the bytes a cold build gives.

`build` starts Pagefind before the site is written (SearchStart): on the pages as rendered,
while write_site puts them in the staging folder. build_search_index then takes each shard's
index from that start where the staged site's shard has the very pages it was made from.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import marshal
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from . import cachefile, processes, search_view
from .problems import OutputError
from .render import OutputFile
from .search_index_order import FormatError, stabilise
from .search_view import indexed_part, marked
from .write import mirror, update_tree, walk_files

BUNDLE = "pagefind"
SHARDS = "shards.json"  # in BUNDLE: the folders of the shards after the first
SHARD_PREFIX = "shard-"
SHARD_PAGES = 1000  # pages a shard is made for; at 10,000 stories about 12 shards


def _pagefind() -> tuple[str, ...]:
    """The command that runs Pagefind: its binary, found as `python -m pagefind` finds it
    (the extended build first), so that no Python starts just to find it (0.2 s a shard);
    `python -m pagefind` itself where neither binary package answers."""
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            binary = importlib.import_module(package).get_executable()
        except (ImportError, AttributeError, OSError):  # OSError: the package has no binary
            continue
        return (str(Path(binary).absolute()),)
    return (sys.executable, "-m", "pagefind")


PAGEFIND = _pagefind()
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)
# A merged shard needs only its index: the search library and its WebAssembly come from the
# first shard's folder.
LIBRARY = ("pagefind.js", "pagefind-worker.js")
TIME_LIMIT = 300  # seconds, for each shard
RAM_DISK = Path("/dev/shm")  # Linux's; where Pagefind works if it has RAM_ROOM bytes free
RAM_ROOM = 512 << 20
RAM_PREFIX = "casebook-search-"  # then the process id
AT_ONCE = 2  # shards indexed at once
RECORD_FORMAT = 2
# The record's digests are of pages as search_view.py cuts them: a record made by another cut
# is not used. Kept, it would hold that cut's digests for every page whose file is unchanged,
# and a SearchStart, cutting a page made again with the same bytes, would index its shard
# again on every build for nothing (after d9c6cf9 changed the cut: 0.7 s more an edit's
# rebuild at 10,000 stories, until that page's file changed).


def _view() -> bytes:
    try:
        return hashlib.sha256(Path(search_view.__file__).read_bytes()).digest()
    except (OSError, TypeError):  # no source beside it (a zipped or compiled-only install)
        return b""  # then records are kept across cuts, and only the waste above comes back


VIEW = _view()


class SearchIndexError(OutputError):
    """Pagefind could not index the staged site; the message is one line."""


Stamp = tuple[int, int, int, int]  # device, inode, size, modification time: one file's identity
# a page: its file's identity, whether it marks a part for the index, and a digest of what
# Pagefind is given of it (that part, or the whole page)
PageEntry = tuple[Stamp, bool, bytes]


@dataclass(frozen=True)
class Shard:
    number: int
    pages: tuple[tuple[str, bytes], ...]  # path and digest of what Pagefind is given, by path

    @property
    def folder(self) -> str:
        """Its folder in BUNDLE ("" for the first)."""
        return f"{SHARD_PREFIX}{self.number}" if self.number else ""

    def digest(self) -> bytes:
        return hashlib.sha256(marshal.dumps(self.pages, 2)).digest()


def shard_count(paths: Sequence[str]) -> int:
    """How many shards these pages are split into: one per SHARD_PAGES, fewer if a shard
    would be left empty (never with pages in the hundreds, but always well defined)."""
    count = max(1, -(-len(paths) // SHARD_PAGES))
    while count > 1 and len({shard_of(path, count) for path in paths}) < count:
        count -= 1
    return count


def shard_of(path: str, count: int) -> int:
    """The shard a page's path belongs to; the same in every build with as many shards."""
    return zlib.crc32(path.encode("utf-8")) % count


def build_search_index(
    site: Path,
    last: Path | None = None,
    record: Path | None = None,
    start: SearchStart | None = None,
) -> None:
    """Index the pages in `site` into site/pagefind/; SearchIndexError if Pagefind fails.

    last: the site this one replaces, whose shards are kept where what their pages give
    Pagefind is unchanged;
    record: the cache file that says what each of last's shards was made from (None: every
    shard is made, and nothing is recorded);
    start: the index as begun from this site's pages before they were written (SearchStart,
    with the same record): what Pagefind is given of each page it read, and each shard it
    made, taken where this site's shard has those very pages.
    """
    old = start.old if start is not None else _Record.read(record) if record else _Record.empty()
    flags: dict[str, PageEntry] = {}
    for path, stamp in _pages(site):
        known = old.pages.get(path)
        if known and known[0] == stamp:
            flags[path] = known
        elif start is not None and (early := start.given(path)) is not None:
            flags[path] = (stamp, *early)
        else:
            flags[path] = (stamp, *_given(site, path))
    # with no page marked, Pagefind indexes whole pages: then it is given them all
    indexed = sorted(path for path, (_, yes, _) in flags.items() if yes) or sorted(flags)
    count = shard_count(indexed)
    members: list[list[tuple[str, bytes]]] = [[] for _ in range(count)]
    for path in indexed:
        members[shard_of(path, count)].append((path, flags[path][2]))
    shards = [Shard(number, tuple(pages)) for number, pages in enumerate(members)]
    bundle = site / BUNDLE
    bundle.mkdir(parents=True, exist_ok=True)
    ours = {SHARDS, *(shard.folder for shard in shards[1:])}  # in the first shard's folder
    # a reused site's index: shards it had that this one has not (the rest are put right
    # shard by shard)
    _clear(bundle, lambda name: name in ours or not name.startswith(SHARD_PREFIX))
    work = _work_folder(site.parent, (last or site).name)

    def index(shard: Shard) -> bytes | None:
        """Make or keep the shard's index; if kept, the digest of its files, which are the
        recorded ones (hard links to them)."""
        target = bundle / shard.folder
        before = last / BUNDLE / shard.folder if last is not None else None
        others = ours if shard.number == 0 else set()  # the others' folders are theirs
        if before is not None and old.keeps(shard, count, before):
            mirror(before, target, others | _others(before) if shard.number == 0 else ())
            return old.shards[shard.number][1]
        made = start.index_for(shard) if start is not None else None
        if made is None:
            made = _make_shard(work / str(shard.number), shard, _from_site(site))
        target.mkdir(parents=True, exist_ok=True)
        update_tree(_files_in(made), target, before, others)  # as they were: their time kept
        return None

    try:
        # Pagefind keeps about 1.3 cores busy: two at a time use both (each writes only in
        # its own folder; the others' are left alone). The shards whose pages changed go
        # first, so that Pagefind starts at once and the kept ones are put in place meanwhile.
        first = sorted(shards, key=lambda shard: old.may_keep(shard, count))
        with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
            started = {shard.number: pool.submit(index, shard) for shard in first}
            kept = [started[shard.number].result() for shard in shards]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    made = [
        (shard.digest(), files or _files_digest(bundle / shard.folder, shard))
        for shard, files in zip(shards, kept, strict=True)
    ]
    more = [f"{shard.folder}/" for shard in shards[1:]]
    (bundle / SHARDS).unlink(missing_ok=True)  # it may be a link to the live site's
    (bundle / SHARDS).write_text(json.dumps({"more": more}) + "\n", encoding="utf-8")
    if record is not None:
        cachefile.save(record, (_Record.key(), flags, count, tuple(made)))


def record_for(cache: Path | None, site: Path) -> Path | None:
    """Where the search index of the site in `site` is recorded (None without a cache)."""
    return cache / f"search-{cachefile.per_site(site)}.marshal" if cache is not None else None


@dataclass(frozen=True)
class _Record:
    pages: dict[str, PageEntry]  # every page
    count: int
    shards: tuple[tuple[bytes, bytes], ...]  # each shard's pages and index files, as digests

    @staticmethod
    def key() -> tuple:
        """What else a recorded index depends on: a new Pagefind, or a new cut of what it is
        given (VIEW), makes every shard again."""
        versions = hashlib.sha256()
        cachefile.add_versions(versions, ("pagefind", "pagefind_bin"))
        return (RECORD_FORMAT, SHARD_PAGES, UNUSED, LIBRARY, VIEW, versions.digest())

    @classmethod
    def empty(cls) -> _Record:
        return cls({}, 0, ())

    @classmethod
    def read(cls, path: Path) -> _Record:
        value = cachefile.load(path, 4)
        if value is None or value[0] != cls.key():
            return cls.empty()
        _, pages, count, shards = value
        try:
            checked = {
                str(p): (tuple(int(n) for n in stamp), bool(yes), bytes(given))
                for p, (stamp, yes, given) in pages.items()
            }
            kept = tuple((bytes(a), bytes(b)) for a, b in shards)
        except (AttributeError, TypeError, ValueError):
            return cls.empty()
        if not isinstance(count, int) or len(kept) != count:
            return cls.empty()
        return cls(checked, count, kept)  # type: ignore[arg-type]

    def may_keep(self, shard: Shard, count: int) -> bool:
        """Whether this shard's pages are those its recorded index was made from (keeps
        then checks that the index is still the one recorded)."""
        return self.count == count and self.shards[shard.number][0] == shard.digest()

    def keeps(self, shard: Shard, count: int, before: Path) -> bool:
        """Whether `before` holds the index recorded for this shard's very pages."""
        if not self.may_keep(shard, count):
            return False
        files = self.shards[shard.number][1]
        if not (before / "pagefind-entry.json").is_file():
            return False
        try:
            return _files_digest(before, shard) == files
        except OSError:
            return False


class SearchStart:
    """The search index begun from the site's files as rendered, while write_site puts the
    site together, so that Pagefind, the longest step, need not wait for that.

    In a thread of its own, it works out what Pagefind is given of each page (taking the
    record's digest for a page the last site has as it was recorded, the file unchanged), and
    so the shards; then it runs Pagefind on each shard the record cannot keep, AT_ONCE at a
    time, in a work folder of its own. A page whose digest is new (every page of a cold
    build) is cut down once, and its cut copy kept there for Pagefind; one given as before
    (after a template change, every page) is likely in a kept shard, and is cut again only
    if its shard is made. build_search_index, over the site once written,
    takes the digests worked out here (write_site puts those very bytes in the site), and
    a shard's index only if that shard has the very pages (paths and digests) this one was
    made from; whatever is missing here (a page this start could not read) it works out
    again. So the index is the one it would make without this start.

    The files it reads stay put until the build ends: a page made in a worker waits in the
    spool (write_site links it into the site), and a kept page is the live site's file."""

    def __init__(self, files: Sequence[OutputFile], last: Path, record: Path | None) -> None:
        self.old = _Record.read(record) if record is not None else _Record.empty()
        self._pool = ThreadPoolExecutor(max_workers=AT_ONCE)
        self._work: Path | None = None
        self._running = threading.Event()  # Pagefind runs, or this start will run none
        self._started = False  # whether a shard's index was begun (then it sets _running)
        self._planned = self._pool.submit(self._plan, list(files), last)

    def wait_for_pagefind(self, limit: float = 5.0) -> None:
        """Wait (limit seconds at most) until Pagefind runs on the first shard this start
        makes, or it is known to make none. Working out the shards and putting their pages
        together is Python, like writing the site: done meanwhile, each slowed the other,
        and Pagefind, which the build then waits for, started later (0.4 s after the pages
        were made at 10,000 stories, 0.25 s without the write)."""
        self._running.wait(limit)

    def given(self, path: str) -> tuple[bool, bytes] | None:
        """Whether the page marks a part for the index, and the digest of what Pagefind is
        given of it (as _given), if this start read it."""
        return self._planned.result()[0].get(path)

    def index_for(self, shard: Shard) -> Path | None:
        """The folder of the index made here for this very shard, if one was (the
        SearchIndexError of its Pagefind if it failed; None if its pages could not be put
        in the work folder: then it is made from the site)."""
        future = self._planned.result()[1].get((shard.number, shard.pages))
        try:
            return None if future is None else future.result()
        except OSError:
            return None

    def close(self) -> None:
        """Wait for what is running, start nothing more, and remove the work folder."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)

    def _plan(
        self, files: list[OutputFile], last: Path
    ) -> tuple[dict[str, tuple[bool, bytes]], dict[tuple[int, tuple], Future[Path]]]:
        try:
            return self._plan_shards(files, last)
        finally:
            if not self._started:
                self._running.set()  # nothing to wait for

    def _plan_shards(
        self, files: list[OutputFile], last: Path
    ) -> tuple[dict[str, tuple[bool, bytes]], dict[tuple[int, tuple], Future[Path]]]:
        try:
            self._work = work = _work_folder(last.parent, last.name)
        except OSError:
            return {}, {}  # build_search_index does it all, as without a start
        given: dict[str, tuple[bool, bytes]] = {}  # the pages read here
        recorded: dict[str, PageEntry] = {}  # the pages the record has as they are
        pages: dict[str, Path | bytes] = {}  # each page's file or bytes, as rendered
        cuts: dict[str, Path] = {}  # the pages read here and cut down: their cut copy
        try:
            self._read(files, given, recorded, pages, cuts, work)
        except OSError:
            return {}, {}  # build_search_index does it all, as without a start
        entries = {**{p: entry[1:] for p, entry in recorded.items()}, **given}
        indexed = sorted(path for path, (yes, _) in entries.items() if yes) or sorted(entries)
        count = shard_count(indexed)
        members: list[list[tuple[str, bytes]]] = [[] for _ in range(count)]
        for path in indexed:
            members[shard_of(path, count)].append((path, entries[path][1]))
        started: dict[tuple[int, tuple], Future[Path]] = {}
        put = partial(_put_early, pages, cuts)
        for number, shard_pages in enumerate(members):
            shard = Shard(number, tuple(shard_pages))
            if not self.old.may_keep(shard, count):
                made = self._pool.submit(self._make, work / str(number), shard, put)
                self._started = True
                started[(number, shard.pages)] = made
        return given, started

    def _make(self, work: Path, shard: Shard, put: Callable[[str, Path], None]) -> Path:
        """_make_shard, saying when its Pagefind runs (or that it never will)."""
        try:
            return _make_shard(work, shard, put, running=self._running.set)
        finally:
            self._running.set()

    def _read(
        self,
        files: list[OutputFile],
        given: dict[str, tuple[bool, bytes]],
        recorded: dict[str, PageEntry],
        pages: dict[str, Path | bytes],
        cuts: dict[str, Path],
        work: Path,
    ) -> None:
        """Fill in given, recorded, pages and cuts (see _plan) from the rendered files."""
        for file in files:
            path = file.path
            page = file.data if file.data is not None else file.source
            if not path.endswith(".html") or path.split("/", 1)[0] == BUNDLE or page is None:
                continue
            pages[path] = page
            known = self.old.pages.get(path)
            if known is not None and isinstance(page, Path) and _unchanged(page, known[0]):
                recorded[path] = known
                continue
            try:
                data = page if isinstance(page, bytes) else page.read_bytes()
            except OSError:
                continue  # build_search_index reads it from the site
            yes, digest, part = _given_of(data)
            given[path] = (yes, digest)
            if part is None:
                continue
            if known is not None and known[1:] == (yes, digest):
                continue  # its shard is likely kept: cut again (_put_page) if it is not
            cuts[path] = copy = work / "cut" / path
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(part)


def _unchanged(file: Path, stamp: Stamp) -> bool:
    try:
        return _stamp(os.lstat(file)) == stamp
    except OSError:
        return False


def _put_early(
    pages: dict[str, Path | bytes], cuts: dict[str, Path], path: str, file: Path
) -> None:
    """put() for a SearchStart's _make_shard: a page it cut is its cut copy, linked."""
    copy = cuts.get(path)
    if copy is None:
        _put_page(pages[path], file)
        return
    try:
        os.link(copy, file)
    except OSError:
        shutil.copyfile(copy, file)


def _pages(site: Path) -> list[tuple[str, Stamp]]:
    """Every .html page in the site (not the index folder), with its file's identity."""
    found: list[tuple[str, Stamp]] = []

    def page(path: str, relative: str) -> None:
        if relative.endswith(".html"):
            found.append((relative, _stamp(os.lstat(path))))

    walk_files(str(site), "", (BUNDLE,), page, None)
    return found


def _stamp(info: os.stat_result) -> Stamp:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def _given(site: Path, path: str) -> tuple[bool, bytes]:
    """Whether the page marks a part of itself for the index, and a digest of what Pagefind
    is given of it (see _make_shard)."""
    yes, given, _ = _given_of((site / path).read_bytes())
    return yes, given


def _given_of(data: bytes) -> tuple[bool, bytes, bytes | None]:
    """For a page's bytes: whether it marks a part of itself for the index, a digest of what
    Pagefind is given of it, and that part cut down (None: it is given whole)."""
    part = indexed_part(data)  # a page cut down is a marked one
    if part is not None:
        return True, hashlib.sha256(part).digest(), part
    return marked(data) is not None, hashlib.sha256(data).digest(), None


def _files_digest(folder: Path, shard: Shard) -> bytes:
    """The identity of every file of a shard's index (the first shard's: not the others')."""
    found: list[tuple[str, Stamp]] = []

    def file(path: str, relative: str) -> None:
        found.append((relative, _stamp(os.lstat(path))))

    leave_out = _others(folder) if shard.number == 0 else ()
    walk_files(str(folder), "", leave_out, file, None)
    return hashlib.sha256(marshal.dumps(sorted(found), 2)).digest()


def _files_in(folder: Path) -> list[OutputFile]:
    """Each file in folder, to be put in the site as it is (moved where they share a file
    system, else copied)."""
    files: list[OutputFile] = []

    def file(path: str, relative: str) -> None:
        files.append(OutputFile(relative, source=Path(path), spooled=True))

    walk_files(str(folder), "", (), file, None)
    return files


def _others(bundle: Path) -> set[str]:
    """In the first shard's folder: what is not its own (the other shards, their list)."""
    try:
        names = os.listdir(bundle)
    except OSError:
        return {SHARDS}
    return {SHARDS, *(name for name in names if name.startswith(SHARD_PREFIX))}


def _clear(folder: Path, keep: Callable[[str], bool]) -> None:
    """Remove what is in folder but the entries whose names keep() accepts."""
    with os.scandir(folder) as entries:
        found = [entry for entry in entries if not keep(entry.name)]
    for entry in found:
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)


def _work_folder(beside: Path, name: str) -> Path:
    """A new folder where the shards' pages are put for Pagefind and it makes their index,
    before that is put in the site.

    On the RAM disk, where the system has one with room: Pagefind makes a thousand files a
    shard, and making them on ext4, in a site where as many were just removed, was half its
    time again on the development machine (1.4 s of system time for a 957-page shard, 0.4 s
    on the RAM disk). The folders left there by builds that were killed are removed. Else beside the
    sites, named as serve's leftovers are (serve clears them)."""
    try:
        room = os.statvfs(RAM_DISK)  # AttributeError where there is no statvfs (Windows)
        if room.f_bavail * room.f_frsize >= RAM_ROOM and os.access(RAM_DISK, os.W_OK):
            _clear_leftovers(RAM_DISK)
            prefix = f"{RAM_PREFIX}{os.getpid()}-"
            return Path(tempfile.mkdtemp(prefix=prefix, dir=RAM_DISK))
    except (AttributeError, OSError):
        pass
    return Path(tempfile.mkdtemp(prefix=f".{name}.search-", dir=beside))


def _clear_leftovers(folder: Path) -> None:
    """Remove this user's work folders in `folder` whose process is no longer running."""
    with os.scandir(folder) as entries:
        found = [entry for entry in entries if entry.name.startswith(RAM_PREFIX)]
    for entry in found:
        pid = entry.name[len(RAM_PREFIX) :].split("-", 1)[0]
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.getuid() or not pid.isdigit():
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            continue  # running (as another user), or gone already


def _make_shard(
    work: Path,
    shard: Shard,
    put: Callable[[str, Path], None],
    running: Callable[[], None] = lambda: None,
) -> Path:
    """Pagefind run over this shard's pages alone, each put (by put(path, file)) in a folder
    of their own at the same paths, so their addresses are the same; the folder where it
    made their index, put in order. running() is called as Pagefind starts."""
    pages, target = work / "pages", work / "index"
    pages.mkdir(parents=True)
    for path, _ in shard.pages:
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(pages / folder, exist_ok=True)
        put(path, pages / path)
    running()
    _run_pagefind(pages, target)
    for name in UNUSED + (LIBRARY if shard.number else ()):
        (target / name).unlink(missing_ok=True)
    if shard.number:
        for wasm in target.glob("wasm.*.pagefind"):
            wasm.unlink()
    try:
        stabilise(target)
    except (FormatError, OSError, ValueError) as error:
        why = f"Pagefind's files could not be put in order: {error}"
        raise SearchIndexError(_failed(why)) from None
    return target


def _from_site(site: Path) -> Callable[[str, Path], None]:
    """put() for _make_shard: each page from the site's file of that path."""
    return lambda path, file: _put_page(site / path, file)


def _put_page(page: Path | bytes, file: Path) -> None:
    """A page (its file, or its bytes) at `file`, for Pagefind: cut down to what Pagefind
    reads of it (search_view.py), or else whole (a file linked, or copied where a link
    cannot reach)."""
    data = page if isinstance(page, bytes) else page.read_bytes()
    part = indexed_part(data)
    if part is not None or isinstance(page, bytes):
        file.write_bytes(data if part is None else part)
        return
    try:
        os.link(page, file)
    except OSError:
        shutil.copyfile(page, file)


def _run_pagefind(pages: Path, target: Path) -> None:
    """Pagefind over the folder `pages`, writing to target. Pagefind reads a
    pagefind.yml/.toml/.json from the folder it runs in, and PAGEFIND_* variables, so it runs
    inside `pages` (which holds no such file) with those variables removed: only the options
    here shape the index."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PAGEFIND_")}
    arguments = [*PAGEFIND, "--site", ".", "--output-path", str(target.absolute()), "--silent"]
    # Its output goes to a file, not a pipe: see processes.py
    with tempfile.TemporaryFile() as output:
        try:
            status = processes.run(arguments, output, TIME_LIMIT, cwd=pages, env=env)
        except subprocess.TimeoutExpired:
            why = f"Pagefind took longer than {TIME_LIMIT} s"
            raise SearchIndexError(_failed(why)) from None
        except OSError as error:
            why = f"Pagefind could not start ({error.strerror})"
            raise SearchIndexError(_failed(why)) from None
        output.seek(0)
        said = output.read().decode("utf-8", "replace")
    if status != 0:
        raise SearchIndexError(_failed(_one_line(said)))
    if not (target / "pagefind.js").is_file():
        raise SearchIndexError(_failed("Pagefind wrote no pagefind/pagefind.js"))


def _failed(why: str) -> str:
    return (
        f"the search index could not be built: {why}; the site was not replaced "
        "(if Pagefind is missing, install it with `pip install -e .`)"
    )


def _one_line(output: str) -> str:
    """Pagefind's last words, on one line: its errors come last."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not lines:
        return "Pagefind failed without saying why"
    return " ".join(lines[-3:])[:300]
