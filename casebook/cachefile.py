"""The build cache's files: data in marshal's format, not pickle's, so reading one cannot run
code; each written whole or not at all. Imports nothing heavy (the manifest's quick answer
uses it)."""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import sys
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

PARTS = 16  # files a large cache is split into, so that a build rewrites only what changed


def add_own_code(digest: hashlib._Hash) -> None:
    """Add casebook's own code, every module of it, and Python's version, to digest."""
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(sys.version.encode())


def add_versions(digest: hashlib._Hash, packages: tuple[str, ...]) -> None:
    """Add the installed version of each package (its name alone if it is not installed)."""
    from importlib import metadata  # here: the manifest's quick answer needs none

    for package in packages:
        try:
            digest.update(f"{package} {metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(package.encode())


def per_site(output: Path) -> str:
    """A short name for an output folder: each site has its own records in the cache."""
    return hashlib.sha256(str(output.absolute()).encode()).hexdigest()[:16]


def load(path: Path, size: int) -> tuple | None:
    """The tuple of `size` items kept in path; None if it is missing, unreadable or another
    shape (the caller then does the work again)."""
    try:
        data = path.read_bytes()  # marshal.load(file) reads it piece by piece: 5x slower
        with collector_paused():
            value = marshal.loads(data)  # data only: marshal builds no objects
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return value if isinstance(value, tuple) and len(value) == size else None


@contextmanager
def collector_paused(frozen: bool = False) -> Iterator[None]:
    """Python's cycle collector off while marshal makes a cache's values. They hold no
    cycles, but each collection walks the heap's young objects, and a record of 600,000
    tuples set off hundreds: loading the page record at 10,000 stories took 0.46 s with the
    collector and 0.09 s without.

    frozen: what is made meanwhile is then moved out of the collector's reach for good
    (gc.freeze), for a process that keeps it until it ends. The stories, caches and records
    a build loads hold no cycles, yet each full collection walked all of them again: at
    10,000 stories, the collector took 0.4 to 0.5 s of a rebuild after one edit. A frozen
    object is still freed when nothing refers to it; only cycles made meanwhile would stay
    (a few, if any: PyYAML's loaders are disposed of)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if frozen:
            gc.freeze()
        if was_on:
            gc.enable()


def save(path: Path, value: tuple) -> None:
    """Keep value in path, replacing it atomically; a file that can't be written is simply
    not kept (the next build does that work again)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
        with os.fdopen(fd, "wb") as file:
            marshal.dump(value, file)
        os.replace(name, path)
    except OSError:
        return


def part_path(folder: Path, stem: str, number: int) -> Path:
    return folder / f"{stem}-{number:02d}.marshal"


def load_parts(folder: Path, stem: str, engine: bytes) -> dict:
    """The entries of a cache kept in PARTS files by save_parts, from each part kept under
    this engine key (one that is missing, unreadable or another's gives none)."""
    entries: dict = {}
    for number in range(PARTS):
        kept = load(part_path(folder, stem, number), 2)
        if kept is not None and kept[0] == engine and isinstance(kept[1], dict):
            entries.update(kept[1])
    return entries


def save_parts(folder: Path, stem: str, engine: bytes, new: dict, old: dict) -> None:
    """Keep new's entries (keys str or bytes), split by key into PARTS files: only the parts
    whose entries differ from old's (the entries as last read or saved) are written. At
    10,000 stories a whole cache is 75 to 130 MB, and writing it whole for one edited story
    took a third of a second and as much memory again."""
    before, after = _split(old), _split(new)
    for number in range(PARTS):
        if after[number] != before[number]:
            save(part_path(folder, stem, number), (engine, after[number]))
    with suppress(OSError):
        (folder / f"{stem}.marshal").unlink(missing_ok=True)  # kept whole by older versions


def _split(entries: dict) -> list[dict]:
    parts: list[dict] = [{} for _ in range(PARTS)]
    for key, value in entries.items():
        data = key.encode() if isinstance(key, str) else key
        parts[zlib.crc32(data) % PARTS][key] = value
    return parts
