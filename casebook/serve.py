"""`serve`: build, serve on 127.0.0.1 with livereload, rebuild when content or templates change.

A failed rebuild prints its problems and leaves the last good site being served; the build
swaps a complete new site in, so the server never sees half of one.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .pipeline import BuildOptions, build_site
from .problems import ContentError, Problem
from .render import serve_status
from .urls import Urls
from .write import OutputError


@dataclass
class Rebuilder:
    """Called by the watcher on every change; remembers the last failure's problems."""

    options: BuildOptions
    output: Path
    problems: tuple[Problem, ...] = field(default=())

    def __call__(self) -> bool:
        started = time.perf_counter()
        try:
            checked = build_site(self.options, self.output)
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
        print(f"casebook: rebuilt {len(checked.book.stories)} stories in {seconds:.2f} s")
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
    import livereload.handlers
    import livereload.server
    from livereload import Server

    # livereload adds an inline <script> before </head>, which the site's CSP (rightly) blocks;
    # give it a marker no page has, and serve_status.js loads livereload.js itself
    livereload.server.HEAD_END = b"<!-- casebook: no inline script -->"
    # and it ignores a change within 3 s of the last reload: a quick second save must show too
    livereload.handlers.LiveReloadHandler.DEFAULT_RELOAD_TIME = 0

    local = replace(options, base_url=f"http://127.0.0.1:{port}/", serving=True)
    rebuild = Rebuilder(local, output)
    if not rebuild() and not output.is_dir():
        print("casebook: fix the problems above, then run serve again", file=sys.stderr)
        return 1
    if not _port_is_free(port):
        print(f"casebook: port {port} is in use; choose another with --port", file=sys.stderr)
        return 1
    server = Server()
    server.watch(str(options.content), rebuild)
    server.watch(str(options.templates), rebuild)
    print(f"casebook: serving http://127.0.0.1:{port}/ (Ctrl+C to stop)")
    server.serve(root=str(output), host="127.0.0.1", port=port, restart_delay=0)
    return 0


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
