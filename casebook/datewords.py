"""What to say about a date that is not written year-month-day: the same words from `check`,
`new`, the issue-form converter and the /contribute/ form (templates/static/contribute.js
mirrors `misread_date`).

People in the UK write 14/03/2026; when a date reads that way (or, failing that, the US way)
the message gives it back in the form a story needs, instead of calling it "not a date".
"""

from __future__ import annotations

import datetime as dt
import re

EXAMPLE = "2025-03-14"
HINT = f"write the date as year-month-day, e.g. {EXAMPLE}"
_ISO = re.compile(r"\d{4}-\d\d-\d\d\Z")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\Z")
_YEAR_FIRST = re.compile(r"(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})\Z")


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


def date_problem(text: str) -> str | None:
    """None for a real YYYY-MM-DD date; otherwise the message, starting "date '...'"."""
    value = text.strip()
    if _ISO.match(value):
        if _day(value[:4], value[5:7], value[8:]):
            return None
        return f"date '{value}' is not a real date; {HINT}"
    meant = misread_date(value)
    if meant is not None:
        return f"date '{value}' is not in year-month-day form; write it as {meant.isoformat()}"
    return f"date '{value}' is not in year-month-day form; {HINT}"
