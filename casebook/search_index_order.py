"""Pagefind's filter files in one fixed order, so the same site always gives the same bytes.

Pagefind 1.x writes each filter's values in hash-map order, which changes from run to run
(Pagefind issue #638: fragments were made stable in 1.3, filter files were not), and names
each file, and the metadata file that lists them, after a hash of those bytes. This step reads
the files Pagefind wrote, sorts each filter's values and the list of filters by name, and
renames what changed after its new content. Only the order of array items changes: each item
keeps the exact bytes Pagefind wrote.

The files are gzip-compressed, start with b"pagefind_dcd", then hold one CBOR value.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

SIGNATURE = b"pagefind_dcd"
TEXT, ARRAY = 3, 4


class FormatError(Exception):
    """A Pagefind file is not laid out the way this step understands."""


def stabilise(bundle: Path) -> None:
    """Rewrite bundle/ (Pagefind's output folder) in a fixed order; FormatError if it cannot."""
    entry_path = bundle / "pagefind-entry.json"
    entry_text = entry_path.read_text(encoding="utf-8")
    languages = json.loads(entry_text)["languages"]
    for language in sorted(languages):
        old_hash = languages[language]["hash"]
        new_hash = _stabilise_language(bundle, language, old_hash)
        old, new = f'"hash":"{old_hash}"', f'"hash":"{new_hash}"'
        if entry_text.count(old) != 1:
            raise FormatError(f"{entry_path.name}: cannot find {old} once")
        entry_text = entry_text.replace(old, new)
    entry_path.write_text(entry_text, encoding="utf-8")


def _stabilise_language(bundle: Path, language: str, meta_hash: str) -> str:
    meta_path = bundle / f"pagefind.{meta_hash}.pf_meta"
    meta = _read(meta_path)
    top = _array(meta, 0)
    if len(top.items) < 4:
        raise FormatError(f"{meta_path.name}: expected at least 4 parts, found {len(top.items)}")
    filters = _array(meta, top.items[3][0])
    renamed = []
    for start, _ in filters.items:
        pair = _array(meta, start)
        if len(pair.items) != 2:
            raise FormatError(f"{meta_path.name}: a filter entry is not a name and a file")
        name = _text(meta, pair.items[0][0])
        old = _text(meta, pair.items[1][0])
        new = _stabilise_filter(bundle, language, old)
        raw_name = meta[pair.items[0][0] : pair.items[0][1]]
        renamed.append((name, pair.head + raw_name + _encode_text(new)))
    renamed.sort(key=lambda item: item[0])
    filters_bytes = filters.head + b"".join(encoded for _, encoded in renamed)
    parts = [meta[s:e] for s, e in top.items]
    parts[3] = filters_bytes
    new_meta = top.head + b"".join(parts)
    new_hash = f"{language}_{hashlib.sha256(new_meta).hexdigest()[:13]}"
    meta_path.unlink()
    _write(bundle / f"pagefind.{new_hash}.pf_meta", new_meta)
    return new_hash


def _stabilise_filter(bundle: Path, language: str, file_hash: str) -> str:
    path = bundle / "filter" / f"{file_hash}.pf_filter"
    data = _read(path)
    top = _array(data, 0)
    if len(top.items) != 2:
        raise FormatError(f"{path.name}: expected a filter name and its values")
    values = _array(data, top.items[1][0])
    keyed = []
    for start, end in values.items:
        pair = _array(data, start)
        keyed.append((_text(data, pair.items[0][0]), data[start:end]))
    keyed.sort(key=lambda item: item[0])
    name = data[top.items[0][0] : top.items[0][1]]
    new_data = top.head + name + values.head + b"".join(raw for _, raw in keyed)
    new_hash = f"{language}_{hashlib.sha256(new_data).hexdigest()[:7]}"
    path.unlink()
    _write(bundle / "filter" / f"{new_hash}.pf_filter", new_data)
    return new_hash


def _read(path: Path) -> bytes:
    try:
        data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as error:
        raise FormatError(f"{path.name}: not a gzip file ({error})") from None
    if not data.startswith(SIGNATURE):
        raise FormatError(f"{path.name}: does not start with {SIGNATURE!r}")
    return data[len(SIGNATURE) :]


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(gzip.compress(SIGNATURE + data, compresslevel=9, mtime=0))


# --- Just enough CBOR (RFC 8949) to find, reorder and write array items -----------------------


class _Array:
    def __init__(self, head: bytes, items: list[tuple[int, int]]) -> None:
        self.head = head  # the array's own header bytes, unchanged
        self.items = items  # (start, end) of each item in the buffer


def _head(data: bytes, pos: int) -> tuple[int, int, int]:
    """(major type, argument, position after the header) of the item at pos."""
    if pos >= len(data):
        raise FormatError("the CBOR data ends early")
    initial = data[pos]
    major, info = initial >> 5, initial & 31
    if info < 24:
        return major, info, pos + 1
    if info > 27:
        raise FormatError("indefinite-length CBOR is not expected here")
    size = 1 << (info - 24)
    if pos + 1 + size > len(data):
        raise FormatError("the CBOR data ends early")
    return major, int.from_bytes(data[pos + 1 : pos + 1 + size], "big"), pos + 1 + size


def _end(data: bytes, pos: int) -> int:
    """The position just after the item at pos."""
    major, argument, pos = _head(data, pos)
    if major in (2, 3):
        return pos + argument
    if major in (4, 5):
        for _ in range(argument * (2 if major == 5 else 1)):
            pos = _end(data, pos)
        return pos
    if major == 6:
        return _end(data, pos)
    return pos  # integers and simple values carry everything in the header


def _array(data: bytes, pos: int) -> _Array:
    major, count, inner = _head(data, pos)
    if major != ARRAY:
        raise FormatError(f"expected a CBOR array at byte {pos}")
    items, cursor = [], inner
    for _ in range(count):
        after = _end(data, cursor)
        items.append((cursor, after))
        cursor = after
    return _Array(data[pos:inner], items)


def _text(data: bytes, pos: int) -> str:
    major, length, inner = _head(data, pos)
    if major != TEXT:
        raise FormatError(f"expected a CBOR text string at byte {pos}")
    return data[inner : inner + length].decode("utf-8")


def _encode_text(text: str) -> bytes:
    raw = text.encode("utf-8")
    n = len(raw)
    if n < 24:
        head = bytes([TEXT << 5 | n])
    elif n < 1 << 8:
        head = bytes([TEXT << 5 | 24, n])
    elif n < 1 << 16:
        head = bytes([TEXT << 5 | 25]) + n.to_bytes(2, "big")
    else:
        head = bytes([TEXT << 5 | 26]) + n.to_bytes(4, "big")
    return head + raw
