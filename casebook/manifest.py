"""Whether a build would change anything, told from file sizes and times alone.

After each build the cache keeps a manifest: a digest of every input's name, size,
modification and change times (content, templates, the engine's own code and libraries, the
options) and of every file in the site as written. If both are the same at the next build,
the site is up to date and the build stops there, without reading a story. Like the rest of
the cache it is safe to delete, and `--no-cache` skips it. This module imports little, so
that answer is quick.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import sys
from pathlib import Path

from . import cachefile

_FORMAT = 1
RACY_NS = 2_000_000_000  # coarse file systems keep times to a second or two
_LIBRARIES = ("jinja2", "markdown", "nh3", "yaml", "markupsafe")


def _tree(digest: hashlib._Hash, root: Path, changed: bool = True) -> int:
    """Every entry under root, with its size and times; returns the newest time.

    changed: an input's change time is part of it too, so that a file written again with
    its modification time put back (`touch -r`, `cp -p` onto it) is not taken for the one
    it was. Not for the site: linking a live file into the next staging folder changes its
    change time, and never its bytes.

    Entries come in the order the file system lists them, which is the same for a folder
    that has not changed: sorting 12,000 folders' listings was a sixth of the answer at
    10,000 stories, and another order can only make a build do its work, never skip it.

    A folder is listed by name only: its own times change only when entries are added,
    removed or renamed, and the listing shows that. Symlinks are listed, never followed.
    """
    entries: list[tuple[str | int, ...]] = []
    newest = 0
    folders = [(str(root), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            with os.scandir(folder) as listing:
                found = list(listing)
        except OSError:
            continue
        inside = []
        for entry in found:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    entries.append((prefix, name))
                    inside.append((entry.path, f"{prefix}{name}/"))
                    continue
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            entry = (prefix, name, info.st_mode, info.st_size, info.st_mtime_ns, info.st_ino)
            entries.append((*entry, info.st_ctime_ns) if changed else entry)
            newest = max(newest, info.st_mtime_ns, info.st_ctime_ns)
        folders.extend(reversed(inside))
    digest.update(f"{root}\0{len(entries)}\0".encode())
    digest.update(marshal.dumps(entries, 2))  # version 2: no back-references, bytes by value
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
    _tree(digest, output.absolute(), changed=False)
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
