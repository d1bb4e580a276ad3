"""What Pagefind is given of a page: its head, and the element marked data-pagefind-body.

Pagefind reads a page's language from its <html> tag and indexes only what lies in the
element marked data-pagefind-body (words, headings' anchors, and the metadata and filters
the templates put inside it); the menus, breadcrumbs and lists of other stories around it are
a third of a story page's bytes, and Pagefind's time grows with the bytes it parses. So each
indexed page is given to Pagefind cut down to that: Pagefind makes the same index from it,
byte for byte (tests/test_search_view.py compares the two over the example site).

Inside the marked element, Pagefind skips whatever is marked data-pagefind-ignore as if it
were not there (no words, no anchor, not even a space between the words either side) but for
the metadata and filters in it, and for two things it notes of any element it meets: the
first <img> after the title is the result's image, and the first <h1> is the title where no
metadata gives one (its <title> too, but the head's comes first). So an ignored element that
holds no other Pagefind attribute, no image and no h1 is left out too: a story's matrix and
its citation, a quarter of what it was given of a story page and a sixth of its time there.
A change to those parts alone (a citation's wording) no longer changes what Pagefind is
given, so its shard is not indexed again.

The cut relies on one property of every page: a "<" is always a tag the templates wrote.
Text and attribute values from content are escaped by Jinja2, and a story's body is
serialised by nh3, which escapes "<" in text and attribute values alike and drops comments.
So the marked element ends at the close tag that balances its name's open tags. A page is
given whole wherever the cut could change what Pagefind reads: when it marks no element or
more than one, when another Pagefind attribute than data-pagefind-ignore appears outside the
element (metadata or a filter there is captured from the whole page), or when the element
does not close.
"""

from __future__ import annotations

import re
from functools import cache

# a Pagefind attribute that counts outside the marked element (data-pagefind-ignore counts
# only inside it: the lists of other stories carry it on their "Example" badges)
MARK = re.compile(rb"data-pagefind-(?!ignore[\s=>])")
BODY_MARK = b"data-pagefind-body"
# the marked element's open tag, its name in group 1, matched from the tag's "<"
BODY = re.compile(rb"<([A-Za-z][A-Za-z0-9]*)[^<>]*\sdata-pagefind-body[\s=/>]")
HEAD_END = b"</head>"
# an element Pagefind skips: its open tag, its name in group 1 and its attributes in group 2,
# matched from the tag's "<"; the mark must be an attribute's name, not words in a value
IGNORE_MARK = b"data-pagefind-ignore"
_ATTRIBUTE = rb"""\s+(%s[^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?"""
IGNORED = re.compile(rb"<([A-Za-z][A-Za-z0-9]*)((?:%s)*)\s*/?>" % (_ATTRIBUTE % b"?:"))
ATTRIBUTE_NAME = re.compile(_ATTRIBUTE % b"")  # group 1
# what Pagefind notes of an element even where it is ignored: an image (the result's), an h1
SEEN = re.compile(rb"<(?:img|h1)[\s/>]", re.IGNORECASE)


def indexed_part(page: bytes) -> bytes | None:
    """The page up to the end of its head, then the marked element alone in the body; None
    where the page must be given whole (see above)."""
    found = marked(page)
    if found is None:
        return None
    start = found.start()
    head_end = page.find(HEAD_END, 0, start)
    if head_end < 0 or MARK.search(page, 0, start) is not None:
        return None
    end = _element_end(page, start, found.group(1))
    if end is None or MARK.search(page, end) is not None:
        return None
    head = page[: head_end + len(HEAD_END)]
    inside = page.find(b">", found.end() - 1) + 1
    element = page[start:inside] + _without_ignored(page, inside, end)
    return b"%s\n<body>\n%s\n</body>\n</html>\n" % (head, element)


def _without_ignored(page: bytes, start: int, end: int) -> bytes:
    """page[start:end] less each element marked data-pagefind-ignore that holds no other
    Pagefind attribute, image or h1 (an ignored element that does is kept whole, and looked
    into).
    Each mark is found as bytes and its tag matched from the "<" before it, as in marked()."""
    kept: list[bytes] = []
    at = start
    mark = page.find(IGNORE_MARK, start, end)
    while mark >= 0:
        tag = IGNORED.match(page, max(page.rfind(b"<", at, mark), at))
        close = None
        if tag is not None and tag.end() > mark and _ignores(tag.group(2)):
            close = _element_end(page, tag.start(), tag.group(1))
        if (
            tag is None
            or close is None
            or close > end
            or MARK.search(page, tag.start(), close)
            or SEEN.search(page, tag.start(), close)
        ):
            mark = page.find(IGNORE_MARK, mark + 1, end)
            continue
        kept.append(page[at : tag.start()])
        at = close
        mark = page.find(IGNORE_MARK, at, end)
    kept.append(page[at:end])
    return b"".join(kept)


def _ignores(attributes: bytes) -> bool:
    return any(name.group(1).lower() == IGNORE_MARK for name in ATTRIBUTE_NAME.finditer(attributes))


def marked(page: bytes) -> re.Match[bytes] | None:
    """The open tag of the page's first element marked data-pagefind-body, if it has one.

    The mark is found as bytes and the tag matched from the "<" before it: searching for
    the pattern itself tries it at every "<" of the page, fifty times as long."""
    at = page.find(BODY_MARK)
    while at >= 0:
        found = BODY.match(page, max(page.rfind(b"<", 0, at), 0))
        if found is not None and found.end() > at:
            return found
        at = page.find(BODY_MARK, at + 1)
    return None


def _element_end(page: bytes, start: int, name: bytes) -> int | None:
    """Where the element opened at `start` ends: just past the close tag that balances it."""
    depth = 0
    for tag in _tags(name.lower()).finditer(page, start):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            close = page.find(b">", tag.end() - 1)
            return close + 1 if close >= 0 else None
    return None


@cache
def _tags(name: bytes) -> re.Pattern[bytes]:
    """Open and close tags of one element name (group 1 is "/" in a close tag)."""
    return re.compile(rb"<(/?)" + re.escape(name) + rb"[\s>]", re.IGNORECASE)
