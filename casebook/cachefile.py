"""The build cache's files: data in marshal's format, not pickle's, so reading one cannot run
code; each written whole or not at all. Imports nothing heavy (the manifest's quick answer
uses it)."""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from pathlib import Path


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
        with path.open("rb") as file:
            value = marshal.load(file)  # data only: marshal builds no objects
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return value if isinstance(value, tuple) and len(value) == size else None


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
