"""Names that become URLs: story files, tags, partnership pages, ids.

Lowercase ASCII letters, digits and single hyphens, so a web address never needs escaping
and never depends on how a system folds case.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_SLUG = re.compile(SLUG_PATTERN + r"\Z")
# the folder of a list's later pages (/stories/page/2/): never a story's or partnership's name
RESERVED = frozenset({"page"})
# a name's slug is a folder's name in the site: file systems allow 255 bytes
MAX_NAME_SLUG = 200
MAX_TAG = 60  # a topic's name, in its page's address
# a hyphen between two digits ("2024-25") is part of what is written; any other joins words
_WORD_HYPHEN = re.compile(r"(?<![0-9])-|-(?![0-9])")


def is_slug(text: str) -> bool:
    return bool(_SLUG.match(text))


def topic_words(tag: str) -> str:
    """A topic as readers see it when site.yaml gives it no name: 'first-in-family' is
    'first in family', 'year-1-students' 'year 1 students'; '2024-25' stays as it is."""
    return _WORD_HYPHEN.sub(" ", tag)


def slugify(text: str) -> str:
    """A slug made from a name; '' when nothing in it folds to ASCII."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    folded = re.sub(r"['’]", "", folded.lower())
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def shortened(slug: str, limit: int) -> str:
    """The slug cut to at most `limit` characters, at a hyphen where it has one."""
    if len(slug) <= limit:
        return slug
    cut = slug[:limit]
    return cut.rsplit("-", 1)[0] if "-" in cut else cut


def name_slug(text: str) -> str:
    """A slug for a name that must stay distinct from every other name.

    Where folding to ASCII drops letters (東京大学, Αθήνα), two different names could fold to
    the same slug, so a short hash of the whole name is added. So it is where a slug longer
    than MAX_NAME_SLUG is cut short (at a hyphen) to fit in a folder's name.
    """
    slug = slugify(text)
    decomposed = unicodedata.normalize("NFKD", text)
    lossy = any(c.isalnum() and not c.isascii() for c in decomposed)
    if slug and not lossy and slug not in RESERVED and len(slug) <= MAX_NAME_SLUG:
        return slug
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    slug = shortened(slug, MAX_NAME_SLUG - len(digest) - 1)
    return f"{slug}-{digest}" if slug else f"partnership-{digest}"


def long_tag_problem(tag: str) -> str | None:
    """What is wrong with a topic's name too long for its page's address, if it is."""
    if len(tag) <= MAX_TAG:
        return None
    return (
        f"tag '{tag[:40]}…' is {len(tag)} characters long; "
        f"keep a topic's name to {MAX_TAG} characters"
    )
