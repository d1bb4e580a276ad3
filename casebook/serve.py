"""`serve`: build, serve on 127.0.0.1 with livereload, rebuild when content or templates change.

A failed rebuild prints its problems and leaves the last good site being served; the build
swaps a complete new site in, so the server never sees half of one.

The search index is the slowest part of a build (Pagefind reads every page), so a rebuild in
serve does not wait for it: the new pages go live at once with the last index, and a
background thread indexes them and swaps the new index in when it is done, unless a newer
save has come in meanwhile (then only the newest pages are indexed).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .bodies import Crew
from .memo import Memo
from .pipeline import BuildOptions, build_site
from .problems import ContentError, OutputError, Problem
from .render import serve_status
from .search_index import BUNDLE, SearchIndexError, build_search_index, record_for
from .urls import Urls
from .write import (
    link_copy,
    mirror,
    remove,
    remove_aside,
    spare_for,
    swap,
    usable_spare,
)


class SearchRefresh:
    """The served site's search index, brought up to date in the background."""

    def __init__(self, output: Path, lock: threading.Lock, cache: Path | None = None) -> None:
        self.output = output
        self.record = record_for(cache, output)  # what the live index was made from
        self.spare = spare_for(cache, output)  # where the replaced site is kept
        self._lock = lock  # held by whoever replaces the served site
        self._staged = False  # a build under way carried the last index over
        self._waiting = False  # the live pages are newer than their index
        self._busy = threading.Condition()
        self._thread: threading.Thread | None = None

    def clear_leftovers(self) -> None:
        """What a serve stopped midway left beside the site: pages it was indexing or was
        about to write, sites it was making or removing. (Stopped between a swap's two
        renames, it left no site: serve builds one whole before it serves.)"""
        parent = self.output.absolute().parent
        for pattern in ("search-*", "staging-*", "old-*", "pages-*"):
            for leftover in parent.glob(f".{self.output.name}.{pattern}"):
                remove(leftover)

    def ready(self) -> bool:
        """Whether the served site has an index to carry over into the next build."""
        return (self.output / BUNDLE / "pagefind.js").is_file()

    def build(self, staging: Path) -> None:
        """Finish a staged site with its own index, as `build` does (the first build)."""
        build_search_index(staging, self.output.absolute(), self.record)

    def carry(self, staging: Path) -> None:
        """Finish a staged site with the last index; its pages are indexed once it is live."""
        mirror(self.output / BUNDLE, staging / BUNDLE)
        self._staged = True

    def landed(self, ok: bool) -> None:
        """After the build that called carry: index the live pages if its site went live."""
        staged, self._staged = self._staged, False
        if not (staged and ok):
            return
        with self._busy:
            self._waiting = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True)
                self._thread.start()

    def wait(self) -> None:
        """Until every waiting index is built and swapped in (for tests and for leaving)."""
        with self._busy:
            while self._thread is not None:
                self._busy.wait()

    def _run(self) -> None:
        try:
            while self._next():
                self._index()
        finally:  # whatever happens, the next save can start a thread again
            with self._busy:
                if self._thread is threading.current_thread():
                    self._thread = None
                self._busy.notify_all()

    def _next(self) -> bool:
        """Whether the live pages are newer than their index. If not, the thread ends: that is
        decided under the lock landed() starts a thread under, so no save is left unindexed."""
        with self._busy:
            waiting, self._waiting = self._waiting, False
            if not waiting:
                self._thread = None
                self._busy.notify_all()
            return waiting

    def _index(self) -> None:
        """Index a copy (hard links) of the live pages, made here rather than while the
        writer waits for a save to go live; swap the index in unless newer pages went live."""
        started = time.perf_counter()
        parent = self.output.absolute().parent
        pages = old = None
        try:
            with self._lock:  # no site is swapped in while the live one is copied
                pages = Path(tempfile.mkdtemp(prefix=f".{self.output.name}.search-", dir=parent))
                link_copy(self.output, pages, leave_out=(BUNDLE,))
            build_search_index(pages, self.output.absolute(), self.record)
            with self._lock:
                if not self._waiting:
                    old = self._swap_in(pages / BUNDLE)
                    seconds = time.perf_counter() - started
                    print(f"casebook: search index updated in {seconds:.2f} s")
        except (SearchIndexError, OSError) as error:
            print(f"casebook: {error}; search still finds the last index", file=sys.stderr)
        except Exception as error:  # a bug must not stop search being updated for good
            why = f"{type(error).__name__}: {error}"
            print(f"casebook: the search index could not be updated ({why})", file=sys.stderr)
        finally:
            if pages is not None:
                remove_aside(pages)
            if old is not None:
                remove_aside(old)  # outside the lock: a save meanwhile need not wait for it

    def _swap_in(self, index: Path) -> Path | None:
        """The served site as it is now, with this index, linked together and swapped in;
        returns the replaced site's folder, to remove (None if it is kept as the spare)."""
        spare = usable_spare(self.spare, self.output.absolute())
        if spare is not None:  # put right, not made: see write_site
            mirror(self.output, spare, leave_out=(BUNDLE,))
            mirror(index, spare / BUNDLE)
            swap(spare, self.output, keep=self.spare)
            return None
        parent = self.output.absolute().parent
        staging = Path(tempfile.mkdtemp(prefix=f".{self.output.name}.staging-", dir=parent))
        replaced: list[Path] = []
        try:
            link_copy(self.output, staging, leave_out=(BUNDLE,))
            os.replace(index, staging / BUNDLE)
            swap(staging, self.output, replaced.append, keep=self.spare)
        except BaseException:
            remove(staging)
            raise
        return replaced[0] if replaced else None


@dataclass
class Rebuilder:
    """Called by the watcher on every change; remembers the last failure's problems."""

    options: BuildOptions
    output: Path
    defer_search: bool = False  # serve's way: pages go live first, the index follows
    keep_workers: bool = False  # serve's way: body workers kept between rebuilds
    problems: tuple[Problem, ...] = field(default=())
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.search = SearchRefresh(self.output, self.lock, self.options.cache)
        # stories as the last rebuild loaded and checked them, and the body workers
        self.memo = Memo(Crew() if self.keep_workers else None)
        self._removing: list[threading.Thread] = []

    def close(self) -> None:
        """When serve stops: the body cache written, kept workers ended."""
        self.memo.close()

    def settle(self) -> None:
        """Until the search index is current and replaced sites are gone (tests, leaving)."""
        self.search.wait()
        for thread in self._removing:
            thread.join()
        self._removing = []

    def _remove_later(self, folder: Path) -> None:
        """The site a rebuild replaced, removed without keeping the writer waiting."""
        thread = threading.Thread(target=remove_aside, args=(folder,), daemon=True)
        thread.start()
        self._removing = [t for t in self._removing if t.is_alive()] + [thread]

    def __call__(self) -> bool:
        with self.lock:
            if not (self.defer_search and self.search.ready()):
                return self._rebuild(self.search.build)
            ok = False
            try:
                ok = self._rebuild(self.search.carry)
            finally:
                self.search.landed(ok)
            return ok

    def _rebuild(self, finish: Callable[[Path], None]) -> bool:
        started = time.perf_counter()
        try:
            checked = build_site(self.options, self.output, finish, self._remove_later, self.memo)
        except ContentError as error:
            self.problems = error.problems
            for problem in error.problems:
                print(problem, file=sys.stderr)
            print(
                f"casebook: {len(error.problems)} problem(s); still serving the last good site",
                file=sys.stderr,
            )
            self._show_on_pages()
            return False
        except OutputError as error:
            self.problems = (Problem(str(self.output), 0, str(error)),)
            print(f"casebook: {error}; still serving the last good site", file=sys.stderr)
            self._show_on_pages()
            return False
        self.problems = ()  # the new site's status file is empty
        seconds = time.perf_counter() - started
        follows = "; the search index follows" if finish == self.search.carry else ""
        print(f"casebook: rebuilt {len(checked.book.stories)} stories in {seconds:.2f} s{follows}")
        return True

    def _show_on_pages(self) -> None:
        """Put the problems in the served site's status file, which every page reads."""
        urls = Urls(self.options.base_url or "http://127.0.0.1/")
        status = self.output / urls.output_file(urls.serve_status())
        if not status.parent.is_dir():
            return  # no good site yet: the terminal is the only place to say it
        try:
            fd, name = tempfile.mkstemp(prefix=".status-", dir=status.parent)
            with os.fdopen(fd, "wb") as file:
                file.write(serve_status(self.problems))
            os.chmod(name, 0o644)
            os.replace(name, status)
        except OSError:
            return


def serve(options: BuildOptions, output: Path, port: int) -> int:
    import livereload.server
    from livereload import Server
    from livereload.handlers import LiveReloadHandler

    # livereload adds an inline <script> before </head>, which the site's CSP (rightly) blocks;
    # give it a marker no page has, and serve_status.js loads livereload.js itself
    livereload.server.HEAD_END = b"<!-- casebook: no inline script -->"

    local = replace(options, base_url=f"http://127.0.0.1:{port}/", serving=True)
    rebuild = Rebuilder(local, output, defer_search=True, keep_workers=True)
    rebuild.search.clear_leftovers()
    reloader = _Reloader(rebuild, LiveReloadHandler)
    folders = [options.content, options.templates]
    # watching from before the first build: a save while it runs (a minute, for a big site)
    # is rebuilt as soon as the server is up, not lost
    _start_watching(folders, reloader)
    if not rebuild() and not output.is_dir():
        print("casebook: fix the problems above, then run serve again", file=sys.stderr)
        rebuild.close()
        return 1
    if not _port_is_free(port):
        print(f"casebook: port {port} is in use; choose another with --port", file=sys.stderr)
        rebuild.close()
        return 1
    if rebuild.memo.crew is not None:
        rebuild.memo.crew.start(options.time_limit)  # ready for the first save
    server = Server(watcher=_events_watcher(reloader))
    for folder in folders:  # named for livereload's log; without them it says it watches cwd
        server.watch(str(folder))
    print(f"casebook: serving http://127.0.0.1:{port}/ (Ctrl+C to stop)")
    # stopped by a signal (a terminal closed, a process manager) as by Ctrl+C: the body cache
    # is written
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    try:
        server.serve(root=str(output), host="127.0.0.1", port=port, restart_delay=0)
    finally:
        rebuild.close()
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class _Reloader:
    """A change seen by the watch thread becomes one rebuild on the server's loop, then the
    reload signal to every open page (after a failed rebuild too: the page then shows why).
    Changes that come in while a rebuild is waiting to start share it, and changes from
    before the loop runs wait for it."""

    def __init__(self, rebuild: Callable[[], bool], handler: Any) -> None:
        self.rebuild = rebuild
        self.handler = handler  # livereload's LiveReloadHandler: it knows the open pages
        self.loop: Any = None
        self._lock = threading.Lock()
        self._queued = False

    def changed(self) -> None:
        """From any thread: the content or the templates changed."""
        with self._lock:
            if self._queued:
                return
            self._queued = True
            loop = self.loop
        if loop is not None:
            loop.add_callback(self._run)

    def attach(self, loop: Any) -> None:
        """The server's loop is running: a change seen before it is rebuilt now."""
        with self._lock:
            self.loop = loop
            queued = self._queued
        if queued:
            loop.add_callback(self._run)

    def _run(self) -> None:
        with self._lock:
            self._queued = False
        self.rebuild()
        self.handler.reload_waiters()


def _events_watcher(reloader: _Reloader) -> Any:
    """A stand-in for livereload's watcher, which stats every file every 0.8 s: the thread
    _start_watching started hears the system's change events instead, and tells the reloader
    within about 50 ms."""
    from livereload.watcher import Watcher
    from tornado.ioloop import IOLoop

    class Events(Watcher):  # type: ignore[misc]
        def examine(self) -> tuple[None, None]:
            return None, None  # livereload asks; the thread has already told

        def start(self, callback: Callable[[], None]) -> bool:
            reloader.attach(IOLoop.current())
            return True  # True: livereload starts no polling of its own

    return Events()


_WATCH_TICK = 100  # ms: how often the watch thread wakes without a change (to say it is ready)


def _start_watching(folders: list[Path], reloader: _Reloader) -> None:
    """A thread that tells the reloader of every change in folders; returns once it hears.
    A folder that is missing is not watched (the build says it is missing)."""
    there = [folder for folder in folders if folder.is_dir()]
    if not there:
        return
    ready = threading.Event()
    threading.Thread(target=_watch, args=(there, reloader, ready), daemon=True).start()
    ready.wait(timeout=10)


def _watch(folders: list[Path], reloader: _Reloader, ready: threading.Event) -> None:
    import watchfiles

    changes = watchfiles.watch(
        *folders, step=50, rust_timeout=_WATCH_TICK, yield_on_timeout=True, raise_interrupt=False
    )
    try:
        for changed in changes:
            ready.set()  # the first answer, a change or none, comes once the folders are watched
            if changed:
                reloader.changed()
    except Exception as error:  # the system would not watch (a limit, a folder removed)
        why = f"{type(error).__name__}: {error}"
        print(f"casebook: saves are no longer noticed ({why}); restart serve", file=sys.stderr)
    finally:
        ready.set()


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
