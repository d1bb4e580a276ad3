"""Characters that have no business in published text or in a terminal.

C0 and C1 controls (but tab and newline), bidirectional overrides, isolates and marks (the
"Trojan Source" trick: text a reviewer reads differently from what it says), and U+FFFE and
U+FFFF, which XML forbids, so one of them breaks the Atom feed.
"""

from __future__ import annotations

import re
import unicodedata

FORBIDDEN_CHARS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)


# what a line with one of FORBIDDEN_CHARS is told
FORBIDDEN_LINE = (
    "this line contains an invisible control or text-direction character; retype it as plain text"
)

# What shows nothing on a page: spaces, and the characters that take no room (zero-width
# spaces and joiners, soft hyphens, word joiners, variation selectors, fillers and the blank
# braille cell). Each is allowed in text, but text of nothing else shows nothing: a title of
# a zero-width space is a link no one can see or hear. In the Basic Multilingual Plane only,
# and with \s, so that JSON Schema's patterns (ECMAScript's, in editors) read it the same;
# where the two read \s differently, the characters are forbidden ones.
VISIBLE = re.compile(
    "[^\\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)


def unix_line_ends(text: str) -> str:
    """text with Windows (CR LF) and old Mac (CR) line ends made newlines: a carriage return
    is one of the forbidden characters, and Windows editors and browsers' forms write them."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def printable(text: str) -> str:
    """text with every forbidden character spelled out (\\x1b), safe to print to a terminal."""
    return FORBIDDEN_CHARS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def named(c: str) -> str:
    """A character by its Unicode name and number, for a message about one that looks like
    nothing or like another: "a no-break space (U+00A0)"."""
    name = unicodedata.name(c, "").lower()
    return f"a {name} (U+{ord(c):04X})" if name else f"U+{ord(c):04X}"
