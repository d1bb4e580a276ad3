"""The build cache: rendered story bodies kept between builds, keyed by content hashes.

Rendering Markdown is most of a build's work, and a body renders the same way until its text
or the engine changes. The cache lives in 16 files under `.casebook/cache/` (safe to delete at
any time; `build --no-cache` neither reads nor writes it), in marshal's format, not pickle's,
so reading it cannot run code. Each entry's key is a hash of the body's text and of
everything that decides how it renders: the code of the modules that render it and the
versions of Python-Markdown and nh3. A cache that cannot be read is ignored
and rebuilt; it never changes what a build produces, only how long it takes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import cachefile
from .bodies import RenderedBody

# entries: (html, image names, plain text), and the (address, alt text) of each picture not
# shown after them when there are some, so that a body from the cache reports them as a fresh one
_FORMAT = 3
_Entry = (
    tuple[str, tuple[str, ...], str] | tuple[str, tuple[str, ...], str, tuple[tuple[str, str], ...]]
)


def _engine_key() -> bytes:
    """What makes the same text render differently: our renderer's code, its libraries."""
    digest = hashlib.sha256(f"format {_FORMAT}".encode())
    here = Path(__file__).resolve().parent
    for name in ("markdown_html.py", "bodies.py", "characters.py", "slugs.py"):
        digest.update((here / name).read_bytes())
    cachefile.add_versions(digest, ("markdown", "nh3"))
    return digest.digest()


class BodyCache:
    """Rendered bodies by the hash of their text; saved with only the entries last used."""

    STEM = "bodies"  # kept in bodies-00.marshal to bodies-15.marshal (cachefile.save_parts)

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._engine = _engine_key()
        self._old: dict[bytes, _Entry] = {}
        self._used: dict[bytes, _Entry] = {}
        self._saved: dict[bytes, _Entry] = {}  # as in the files
        if folder is not None:
            self._old = self._read(folder)
            self._saved = dict(self._old)

    def renew(self) -> None:
        """Ready for another build in this process: the bodies the last one used are at hand
        without reading the file again."""
        if self._used:
            self._old, self._used = self._used, {}

    def key(self, text: str) -> bytes:
        return hashlib.sha256(self._engine + text.encode("utf-8")).digest()

    def get(self, slug: str, text: str) -> RenderedBody | None:
        key = self.key(text)
        found = self._used.get(key) or self._old.get(key)
        if found is None:
            return None
        self._used[key] = found
        refused = found[3] if len(found) == 4 else ()
        return RenderedBody(slug, found[0], found[1], text=found[2], refused=refused)

    def put(self, text: str, rendered: RenderedBody) -> None:
        if rendered.failure:
            return
        entry: _Entry = (rendered.html, rendered.images, rendered.text)
        if rendered.refused:
            entry = (*entry, rendered.refused)
        self._used[self.key(text)] = entry

    def save(self) -> None:
        """Write the entries this build used, atomically, to the parts whose entries changed;
        a cache that can't be written is simply not kept (the next build renders again)."""
        # a build that stopped before rendering (no templates folder) used none: the files
        # keep what they have rather than being emptied
        if self.folder is not None and self._used and self._used.keys() != self._saved.keys():
            cachefile.save_parts(self.folder, self.STEM, self._engine, self._used, self._saved)
            self._saved = dict(self._used)

    def _read(self, folder: Path) -> dict[bytes, _Entry]:
        """The files' entries, each checked once here (those this process puts are sound)."""
        kept = cachefile.load_parts(folder, self.STEM, self._engine)
        return {k: v for k, v in kept.items() if isinstance(k, bytes) and _well_formed(v)}


def _well_formed(entry: object) -> bool:
    return (
        isinstance(entry, tuple)
        and len(entry) in (3, 4)
        and isinstance(entry[0], str)
        and isinstance(entry[1], tuple)
        and all(isinstance(name, str) for name in entry[1])
        and isinstance(entry[2], str)
        and (len(entry) == 3 or _pairs_of_text(entry[3]))
    )


def _pairs_of_text(refused: object) -> bool:
    return (
        isinstance(refused, tuple)
        and len(refused) > 0
        and all(
            isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(t, str) for t in pair)
            for pair in refused
        )
    )
