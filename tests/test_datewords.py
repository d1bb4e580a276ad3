"""Dates written with digits other than 0-9 (full-width, Arabic-Indic, Devanagari) are refused
with the date given back in 0-9, by `check`, `build` and the readers `new` and the issue form
use; never a traceback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from casebook import storyinput
from casebook.cli import main
from casebook.datewords import date_problem, misread_date

from .conftest import story

HINT = "write the date as year-month-day, e.g. 2025-03-14"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "２０２５-０３-１４",
            "date '２０２５-０３-１４' uses digits other than 0-9; write it as 2025-03-14",
        ),
        ("٢٠٢٥-٠٣-١٤", "date '٢٠٢٥-٠٣-١٤' uses digits other than 0-9; write it as 2025-03-14"),
        ("२०२५-०३-१४", "date '२०२५-०३-१४' uses digits other than 0-9; write it as 2025-03-14"),
        # a full-width keyboard types the hyphens full-width too
        (
            "２０２５－０３－１４",
            "date '２０２５－０３－１４' uses digits other than 0-9; write it as 2025-03-14",
        ),
        (
            "１４/０３/２０２５",
            "date '１４/０３/２０２５' uses digits other than 0-9; write it as 2025-03-14",
        ),
        ("2025-03-1４", "date '2025-03-1４' uses digits other than 0-9; write it as 2025-03-14"),
        ("２０２５-０２-３０", f"date '２０２５-０２-３０' uses digits other than 0-9; {HINT}"),
        ("٢٠٢٥", f"date '٢٠٢٥' uses digits other than 0-9; {HINT}"),
        # superscripts are no decimal digits: just not a date
        ("2025-0³-14", f"date '2025-0³-14' is not in year-month-day form; {HINT}"),
    ],
)
def test_other_digits_are_refused_with_the_date_in_0_to_9(text: str, message: str) -> None:
    assert date_problem(text) == message


def test_a_misread_date_is_read_only_from_0_to_9() -> None:
    assert misread_date("１４/０３/２０２５") is None
    assert misread_date("14/03/2025") == dt.date(2025, 3, 14)


def test_the_readers_of_new_and_the_issue_form_refuse_other_digits() -> None:
    with pytest.raises(storyinput.AnswerError) as caught:
        storyinput.date(" ２０２５-０３-１４ ", dt.date(2026, 1, 1))
    assert str(caught.value) == (
        "date '２０２５-０３-１４' uses digits other than 0-9; write it as 2025-03-14"
    )


@pytest.mark.parametrize("command", ["check", "build"])
def test_check_and_build_name_the_line(content_tree, tmp_path: Path, capsys, command) -> None:
    text = story().replace("date: 2024-05-01", "date: ٢٠٢٤-٠٥-٠١")
    content = content_tree({"arabic-indic.md": text})
    argv = [command, "--content", str(content), "--no-cache"]
    if command == "build":
        argv += ["--output", str(tmp_path / "site")]
    assert main(argv) == 1
    path = content / "stories" / "arabic-indic.md"
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        f"{path}:3: date '٢٠٢٤-٠٥-٠١' uses digits other than 0-9; write it as 2024-05-01"
    )
    assert not (tmp_path / "site").exists()
