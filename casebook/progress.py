"""A progress bar on the terminal for builds that take more than a second.

Quiet when the output is not a terminal and in CI (`CI` set), so logs stay clean. It writes
to stderr, one line redrawn in place, at most ten times a second, and clears itself at the end.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

WIDTH = 24


def wanted(stream: TextIO = sys.stderr) -> bool:
    return stream.isatty() and not os.environ.get("CI")


class Progress:
    def __init__(
        self,
        enabled: bool,
        stream: TextIO = sys.stderr,
        delay: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = enabled
        self.stream = stream
        self.clock = clock
        self.started = clock()
        self.delay = delay
        self._last = -1.0
        self._shown = False

    def step(self, label: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        now = self.clock()
        if now - self.started < self.delay or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        filled = WIDTH * done // total
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(f"\r[{bar}] {100 * done // total:3d}% {label} {done}/{total}\x1b[K")
        self.stream.flush()
        self._shown = True

    def finish(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False


QUIET = Progress(False)
