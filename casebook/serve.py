"""`serve`: build, serve on 127.0.0.1 with livereload, rebuild when content or templates change.

A failed rebuild prints its problems and leaves the last good site being served; the build
swaps a complete new site in, so the server never sees half of one.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .pipeline import BuildOptions, build_site
from .problems import ContentError, Problem
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
            return False
        self.problems = ()
        seconds = time.perf_counter() - started
        print(f"casebook: rebuilt {len(checked.book.stories)} stories in {seconds:.2f} s")
        return True


def serve(options: BuildOptions, output: Path, port: int) -> int:
    from livereload import Server

    local = replace(options, base_url=f"http://127.0.0.1:{port}/")
    rebuild = Rebuilder(local, output)
    try:
        built = rebuild()
    except OutputError as error:
        print(f"casebook: {error}", file=sys.stderr)
        return 1
    if not built and not output.is_dir():
        print("casebook: fix the problems above, then run serve again", file=sys.stderr)
        return 1
    server = Server()
    server.watch(str(options.content), rebuild)
    server.watch(str(options.templates), rebuild)
    print(f"casebook: serving http://127.0.0.1:{port}/ (Ctrl+C to stop)")
    server.serve(root=str(output), host="127.0.0.1", port=port, restart_delay=0)
    return 0
