"""Where an anonymous story would give its partnership away before anyone reads it closely:
its file name, which is its address on the site and in every data file, its title, and its
tags, each a topic page's address (a page that lists the story).

A story marked `anonymous: true` shows "An anonymous partnership" everywhere, but the name
writers give its file (often made from the title) and its title are shown as they are. A
word of either partner's name there (not a word that every such name has, like University
or Union) is refused, with the name to use instead. What the story's text says is for the
reviewer to read (README, "Reviewing contributions").
"""

from __future__ import annotations

import re

from .model import Partnership
from .slugs import slugify

# words that name no one partnership: parts of most names, and words of ordinary titles
COMMON = frozenset(
    """
    university universities college colleges students student union unions guild
    association society institute institution school academy conservatoire polytechnic
    higher education the of and for in at on upon an uni su sus
    city new open royal national central north south east west northern southern eastern
    western metropolitan arts art science sciences technology business medicine music
    trinity saint kings king queens queen london campus community partnership
    """.split()
)
_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def naming_words(partnership: Partnership) -> frozenset[str]:
    """The words of the partners' names that could tell who they are."""
    names = f"{partnership.institution} {partnership.students_union}"
    words = {*_words(names), *slugify(names).split("-")}
    return frozenset(w for w in words if len(w) >= 3 and w not in COMMON)


def named_in_file_name(slug: str, partnership: Partnership) -> list[str]:
    """The words of the file name (its slug) that name the partnership, in order; "Tollmere's"
    in a title gives "tollmeres" in the file name made from it."""
    naming = naming_words(partnership)
    parts = dict.fromkeys(slug.split("-"))
    return [part for part in parts if part in naming or part.removesuffix("s") in naming]


def named_in_title(title: str, partnership: Partnership) -> list[str]:
    """The words of the title that name the partnership, as written, in order."""
    naming = naming_words(partnership)
    found = [w for w in _WORD.findall(title) if w.casefold() in naming]
    return list(dict.fromkeys(found))


def file_name_without(slug: str, words: list[str]) -> str:
    """The slug without those words; one that would be only its date gets '-story'."""
    kept = [part for part in slug.split("-") if part not in words]
    if len(kept) <= 2 and all(part.isdigit() for part in kept):
        kept.append("story")
    return "-".join(kept)
