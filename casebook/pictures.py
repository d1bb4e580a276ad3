"""What a picture beside a story must be: small enough for a slow connection, and the kind
of picture its name says, judged by its first bytes (a browser shows what it finds there, and
a file named .png may be a phone's HEIC photo, a web page or an SVG)."""

from __future__ import annotations

import os

MAX_PICTURE_BYTES = 1_000_000

# a kind's name by the endings a file of that kind may have
KINDS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WebP", ".gif": "GIF"}
_HEADER_BYTES = 12


def kind_of(header: bytes) -> str | None:
    """The kind of picture these first bytes start, if a browser shows that kind."""
    if header.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if header.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if header.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if header.startswith(b"RIFF") and header[8:12] == b"WEBP":
        return "WebP"
    return None


def picture_problem(path: str, name: str) -> str | None:
    """What is wrong with the picture file at path (named name), if anything; OSError if it
    cannot be read."""
    size = os.lstat(path).st_size
    if size > MAX_PICTURE_BYTES:
        return (
            f"picture is {size:,} bytes, over the {MAX_PICTURE_BYTES:,} byte limit, and readers "
            "on slow connections wait for every byte; save it smaller, for example at most "
            "1,600 pixels wide"
        )
    with open(path, "rb") as file:
        header = file.read(_HEADER_BYTES)
    stem, suffix = os.path.splitext(name)
    named = KINDS[suffix]
    found = kind_of(header)
    if found == named:
        return None
    if found is None:
        return (
            f"this file is not a {named} picture, nor any picture a browser shows; save the "
            "picture again as PNG or JPEG"
        )
    endings = [ending for ending, kind in KINDS.items() if kind == found]
    return (
        f"this file holds a {found} picture, but its name ends {suffix}; rename it "
        f"{stem}{endings[0]}, and write that name in the story"
    )
