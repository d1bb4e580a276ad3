"""Whether a build would change anything, told from file sizes and times alone.

After each build the cache keeps a manifest: a digest of every input's name, size and
modification time (content, templates, the engine's own code and libraries, the options) and
of every file in the site as written. If both are the same at the next build, the site is up
to date and the build stops there, without reading a story. Like the rest of the cache it is
safe to delete, and `--no-cache` skips it. This module imports little, so that answer is quick.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from pathlib import Path

from . import cachefile

_FORMAT = 1
RACY_NS = 2_000_000_000  # coarse file systems keep times to a second or two
_LIBRARIES = ("jinja2", "markdown", "nh3", "yaml", "markupsafe")


def _tree(digest: hashlib._Hash, root: Path) -> int:
    """Every entry under root, sorted, with its kind, size and time; returns the newest time."""
    entries = []
    newest = 0
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(files) + dirs:
            path = os.path.join(folder, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            newest = max(newest, info.st_mtime_ns, info.st_ctime_ns)
            entries.append(
                f"{os.path.relpath(path, root)}\0{info.st_mode}\0{info.st_size}\0"
                f"{info.st_mtime_ns}\0{info.st_ino}"
            )
    digest.update(f"{root}\0{len(entries)}\0".encode())
    digest.update("\n".join(entries).encode("utf-8", "surrogateescape"))
    return newest


def _engine(digest: hashlib._Hash) -> None:
    here = Path(__file__).resolve().parent
    _tree(digest, here)
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec and spec.origin else ""
        try:
            digest.update(f"{name}\0{origin}\0{os.stat(origin).st_mtime_ns}".encode())
        except OSError:
            digest.update(f"{name}\0-".encode())
    digest.update(f"{sys.version}\0{_FORMAT}".encode())


def inputs_state(content: Path, templates: Path, options: str) -> tuple[bytes, int]:
    """A digest of everything a build reads (`options` spells out the build's settings), and
    the newest modification time among the content and templates."""
    digest = hashlib.sha256(options.encode())
    newest = max(_tree(digest, content.absolute()), _tree(digest, templates.absolute()))
    _engine(digest)
    return digest.digest(), newest


def site_state(output: Path) -> bytes:
    digest = hashlib.sha256()
    _tree(digest, output.absolute())
    return digest.digest()


def _file(cache: Path, output: Path) -> Path:
    return cache / f"manifest-{cachefile.per_site(output)}.marshal"


def up_to_date(cache: Path, output: Path, inputs: bytes) -> tuple[int, int] | None:
    """(pages, stories) of the last build if neither inputs nor site changed since; else None."""
    recorded = cachefile.load(_file(cache, output), 4)
    if recorded is None:
        return None
    last_inputs, last_site, pages, stories = recorded
    if last_inputs != inputs or not output.is_dir() or last_site != site_state(output):
        return None
    if not (isinstance(pages, int) and isinstance(stories, int)):
        return None
    return pages, stories


def record(cache: Path, output: Path, inputs: bytes, pages: int, stories: int) -> None:
    """Remember this build; a manifest that can't be written just means a full next build."""
    cachefile.save(_file(cache, output), (inputs, site_state(output), pages, stories))
