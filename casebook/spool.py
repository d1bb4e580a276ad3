"""Rendered pages of a big site wait for the write on disk, not in memory.

The pages of a 10,000-story site are about 370 MB; held in memory until the write, they
were half of a build's peak. The worker processes that render pages write each one to a
folder beside the output (on the same disk as the staged site, so the write links it there
rather than copying it), and the build holds only the names. The folder is removed when the
build ends, whether or not it wrote the site.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


class Spool:
    def __init__(self, output: Path, allowed: Callable[[], bool]) -> None:
        """allowed: whether the output folder is one a site may be written to (the folder
        is made beside it only then)."""
        self._output = output.absolute()
        self._allowed = allowed
        self._folder: str | None = None
        self._failed = False

    def folder(self) -> str | None:
        """The folder, made on first use; None if it cannot be made (pages stay in memory)."""
        if self._folder is None and not self._failed:
            if not self._allowed():
                self._failed = True
                return None
            try:
                self._output.parent.mkdir(parents=True, exist_ok=True)
                prefix = f".{self._output.name}.pages-"
                self._folder = tempfile.mkdtemp(prefix=prefix, dir=self._output.parent)
            except OSError:
                self._failed = True
        return self._folder

    def remove(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
