"""What to say about a date that is not written year-month-day: the same words from `check`,
`new`, the issue-form converter and the /contribute/ form (templates/static/contribute.js
mirrors `misread_date`).

People in the UK write 14/03/2026; when a date reads that way (or, failing that, the US way)
the message gives it back in the form a story needs, instead of calling it "not a date".

Only the digits 0-9 make a date. A date typed with other digits (２０２５-０３-１４ from a
Japanese keyboard, ٢٠٢٥-٠٣-١٤) is refused, with the date given back in 0-9 where it reads as
one: the story file must hold what YAML, the schema and editors read as a date.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

EXAMPLE = "2025-03-14"
# A story's date is the day a self-assessment was made, so none is earlier than this; one that
# is has its year mistyped (1024 for 2024), and would stretch every chart of its partnership.
EARLIEST = dt.date(2000, 1, 1)
HINT = f"write the date as year-month-day, e.g. {EXAMPLE}"
# [0-9], not \d: \d also matches every other script's digits, which int() and
# date.fromisoformat do not all read.
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_DAY_FIRST = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})\Z")
_YEAR_FIRST = re.compile(r"([0-9]{4})[/.\-]([0-9]{1,2})[/.\-]([0-9]{1,2})\Z")


def early_problem(day: dt.date) -> str | None:
    """What is wrong with a story's date before EARLIEST, if it is."""
    if day >= EARLIEST:
        return None
    return (
        f"date {day.isoformat()} is before {EARLIEST.year}; check the year: the date is the day "
        "the self-assessment was made"
    )


def _day(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def misread_date(text: str) -> dt.date | None:
    """The day a date written another way means: day/month/year first, then month/day/year;
    year/month/day with other separators or without leading zeros."""
    value = text.strip()
    if match := _DAY_FIRST.match(value):
        first, second, year = match.groups()
        return _day(year, second, first) or _day(year, first, second)
    if match := _YEAR_FIRST.match(value):
        return _day(*match.groups())
    return None


def _plain_digits(text: str) -> str:
    """text with full-width forms folded (２, －) and every decimal digit as 0-9."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.decimal(c, c)) if c.isdecimal() else c for c in folded)


def date_problem(text: str, name: str = "date") -> str | None:
    """None for a real YYYY-MM-DD date written in 0-9; otherwise the message, starting
    "date '...'" (or the name given: the field's)."""
    value = text.strip()
    if any(c.isdecimal() and not c.isascii() for c in value):
        plain = _plain_digits(value)
        meant = misread_date(plain)
        if _ISO.match(plain) and _day(plain[:4], plain[5:7], plain[8:]):
            meant = dt.date.fromisoformat(plain)
        if meant is not None:
            return f"{name} '{value}' uses digits other than 0-9; write it as {meant.isoformat()}"
        return f"{name} '{value}' uses digits other than 0-9; {HINT}"
    if _ISO.match(value):
        if _day(value[:4], value[5:7], value[8:]):
            return None
        return f"{name} '{value}' is not a real date; {HINT}"
    meant = misread_date(value)
    if meant is not None:
        return f"{name} '{value}' is not in year-month-day form; write it as {meant.isoformat()}"
    return f"{name} '{value}' is not in year-month-day form; {HINT}"
