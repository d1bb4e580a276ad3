"""`python build.py new`: flags and answers become a story file that check and build accept."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.characters import FORBIDDEN_CHARS
from casebook.cli import main
from casebook.model import ABBREVIATIONS, typed
from casebook.storytext import yaml_scalar
from casebook.yamltext import parse_yaml

REPO = Path(__file__).resolve().parents[1]
SCHEMA_LINE = (
    "# yaml-language-server: $schema=https://casebook.example.org/schema/story.schema.json"
)
FLAGS = [
    "--title",
    "Agreeing a data-sharing protocol",
    "--institution",
    "Example University",
    "--students-union",
    "Example Students' Union",
    "--perspective",
    "joint",
    "--assess",
    "trust=2",
    "--assess",
    "impact-and-evaluation=best practice",
    "--date",
    "2025-03-14",
]
TEMPLATE = f"""\
---
{SCHEMA_LINE}
title: Agreeing a data-sharing protocol
date: 2025-03-14
shared: {{shared}}
partnership:
  institution: Example University
  students_union: Example Students' Union
perspective: joint
assessments:
  - sub_element: trust  # Developing trust
    stage: 2  # Developing
  - sub_element: impact-and-evaluation  # Impact and evaluation
    stage: 5  # Best practice
---
## Why we placed ourselves here

## What we will do to move on
"""
WHY = "We meet each term, but we do not share data yet."
NEXT = "Agree a data-sharing protocol by June.\nThen review it together."
ANSWERED = TEMPLATE.replace("here\n\n## What", f"here\n\n{WHY}\n\n## What") + f"\n{NEXT}\n"


@contextmanager
def days_run() -> Iterator[list[dt.date]]:
    """The day a test's story was written on: the day it started, and the day it ended if it
    ran across midnight (CI does, some nights), since `shared` is the day of writing."""
    days = [dt.date.today()]
    yield days
    days.append(dt.date.today())


def written(template: str, days: list[dt.date]) -> set[str]:
    return {template.format(shared=day.isoformat()) for day in days}


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "build.py", *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_new_from_flags_then_check_then_build(content_tree, tmp_path: Path, capsys) -> None:
    content = content_tree({})
    flags = [*FLAGS, "--why", WHY, "--next", NEXT]
    with days_run() as days:
        assert main(["new", "--content", str(content), *flags]) == 0
    path = content / "stories" / "2025-03-agreeing-a-data-sharing-protocol.md"
    assert path.read_text(encoding="utf-8") in written(ANSWERED, days)
    out = capsys.readouterr().out
    assert f"casebook: wrote {path}" in out
    assert "Next: run python build.py check" in out
    assert main(["check", "--content", str(content)]) == 0
    assert main(["build", "--content", str(content), "--output", str(tmp_path / "out")]) == 0
    page = tmp_path / "out" / "stories" / "2025-03-agreeing-a-data-sharing-protocol" / "index.html"
    assert "Agreeing a data-sharing protocol" in page.read_text(encoding="utf-8")


def test_new_without_the_story_text_writes_headings_that_check_explains(
    content_tree, capsys
) -> None:
    content = content_tree({})
    with days_run() as days:
        assert main(["new", "--content", str(content), *FLAGS]) == 0
    path = content / "stories" / "2025-03-agreeing-a-data-sharing-protocol.md"
    assert path.read_text(encoding="utf-8") in written(TEMPLATE, days)
    assert "fill in the two sections" in capsys.readouterr().out
    assert main(["check", "--content", str(content)]) == 1
    assert capsys.readouterr().err == (
        f"{path}:16: the section 'Why we placed ourselves here' is empty; write a few "
        "sentences under it\n"
        f"{path}:18: the section 'What we will do to move on' is empty; write a few "
        "sentences under it\n"
        "casebook: 2 problems found; fix them and run check again\n"
    )


def asked_story(today: dt.date) -> str:
    return (
        f"---\n{SCHEMA_LINE}\n"
        'title: "Our shared calendar: year two"\n'
        f"date: {today}\n"
        f"shared: {today}\n"
        "partnership:\n  institution: Saltmere University\n"
        "  students_union: Saltmere Students' Union\n"
        "perspective: students-union\n"
        "assessments:\n"
        "  - sub_element: trust  # Developing trust\n    stage: 2  # Developing\n"
        "  - sub_element: people  # People\n    stage: 3  # Developed\n"
        "anonymous: true\n"
        "---\n## Why we placed ourselves here\n\n"
        "We meet each term.\nWe do not share:\n- data\n- plans\n\nNot yet.\n\n"
        "## What we will do to move on\n"
    )


def test_new_asks_for_what_the_flags_leave_out(content_tree) -> None:
    """Real standard input, the way a contributor types: wrong answers are asked again."""
    content = content_tree({})
    answers = "\n".join(
        [
            "14/03/2025",  # date in UK order (asked again)
            "",  # date: today
            "Our shared calendar: year two",  # title
            "Saltmere University",  # institution
            "",  # union (empty: asked again)
            "Saltmere Students' Union",
            "perhaps",  # anonymous? (asked again)
            "y",
            "4",  # perspective (out of range: asked again)
            "2",
            "1 and 4",  # sub-elements
            "7",  # stage for trust (asked again)
            "Developing",
            "3",  # stage for people
            "",  # why: a blank line first is dropped
            "We meet each term.",  # why: a paragraph, a list straight after it, a paragraph
            "We do not share:",
            "- data",
            "- plans",
            "",
            "Not yet.",
            "",  # a blank line at the end is dropped
            ".",
            ".",  # next: left for later
        ]
    )
    with days_run() as days:
        done = run("new", "--content", str(content), stdin=answers + "\n")
    assert done.returncode == 0, done.stderr
    (story,) = (content / "stories").iterdir()
    # Today is the date (the answer left empty), the day shared and the month in the name.
    assert (story.name, story.read_text(encoding="utf-8")) in {
        (f"{day:%Y-%m}-our-shared-calendar-year-two.md", asked_story(day)) for day in days
    }
    out = " ".join(done.stdout.split())
    assert (
        "That will not work: date '14/03/2025' is not in year-month-day form; write it as "
        "2025-03-14." in out
    )
    assert "That will not work: the union's name is empty" in out
    assert "That will not work: answer y or n." in out
    assert "unknown perspective '4'" in out
    assert "unknown stage '7'; choose 1 (Early stages)" in out
    # The stage question shows each stage's descriptor for the sub-element.
    assert "Both the SU and the institution work separately on their own agendas." in out
    assert "The SU has committed staff time to WP research with the institution staff." in out
    # ...and first says what the tool's WP and SU mean.
    assert out.index(typed(ABBREVIATIONS)) < out.index("Both the SU and the institution")
    assert "fill in the two sections" in out
    assert "Type a full stop on a line of its own to finish" in out
    assert "a file sent to GitHub is public: anyone can read the names there" in out
    checked = run("check", "--content", str(content))
    assert checked.returncode == 1
    assert "the section 'What we will do to move on' is empty" in checked.stderr


def test_new_without_answers_names_the_missing_flag(content_tree) -> None:
    content = content_tree({})
    done = run("new", "--content", str(content), "--title", "Only a title", stdin="")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "casebook: no answer for date; give it with --date; nothing was written"
    )
    assert not list((content / "stories").iterdir())


def test_new_never_overwrites_it_takes_the_next_free_name(content_tree, capsys) -> None:
    stem = "2025-03-agreeing-a-data-sharing-protocol"
    content = content_tree({f"{stem}.md": "mine\n", f"{stem}-2/index.md": "x"})
    with days_run() as days:
        assert main(["new", "--content", str(content), *FLAGS]) == 0
    stories = content / "stories"
    assert (stories / f"{stem}.md").read_text(encoding="utf-8") == "mine\n"
    assert (stories / f"{stem}-3.md").read_text(encoding="utf-8") in written(TEMPLATE, days)
    assert capsys.readouterr().out.splitlines()[0] == (
        f"casebook: wrote {stories / stem}-3.md ({stem} is another story's name already; "
        "if that is this same story, delete one of the two)"
    )


def test_bad_flags_are_all_named_at_once() -> None:
    done = run(
        "new",
        "--title",
        "   ",
        "--perspective",
        "everyone",
        "--assess",
        "trsut=2",
        "--assess",
        "time=9",
        "--assess",
        "time",
        "--date",
        "2024-02-30",
        stdin="",
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "casebook: --title: the title is empty; write it in a few words",
        "casebook: --perspective: unknown perspective 'everyone'; choose joint, students-union or "
        "institution",
        "casebook: --date: date '2024-02-30' is not a real date; write the date as "
        "year-month-day, e.g. 2025-03-14",
        "casebook: --assess trsut=2: unknown sub-element 'trsut'; did you mean 'trust'?",
        "casebook: --assess time=9: unknown stage '9'; choose 1 (Early stages), 2 (Developing), "
        "3 (Developed), 4 (Refining) or 5 (Best practice)",
        "casebook: --assess time: 'time' is not SUB_ELEMENT=STAGE; write it like trust=2 or "
        "trust=Developing",
    ]


def test_the_same_sub_element_twice_is_refused(content_tree, capsys) -> None:
    content = content_tree({})
    flags = [*FLAGS, "--assess", "trust=Refining"]
    assert main(["new", "--content", str(content), *flags]) == 1
    assert capsys.readouterr().err == (
        "casebook: --assess: sub-element 'trust' is given twice; keep one stage\n"
    )


def test_future_date_and_missing_content(content_tree, tmp_path: Path, capsys) -> None:
    content = content_tree({})
    flags = [*FLAGS[:-1], "2999-01-01"]
    assert main(["new", "--content", str(content), *flags]) == 1
    assert "--date: date 2999-01-01 is in the future" in capsys.readouterr().err
    assert main(["new", "--content", str(content), *FLAGS[:-1], "0202-03-14"]) == 1
    assert capsys.readouterr().err == (
        "casebook: --date: date 0202-03-14 is before 2000; check the year: the date is the day "
        "the self-assessment was made\n"
    )
    assert main(["new", "--content", str(tmp_path / "nowhere"), *FLAGS]) == 1
    err = capsys.readouterr().err
    assert "site.yaml: file not found" in err
    assert err.endswith("casebook: fix these before adding a story\n")


@pytest.mark.parametrize(
    "title",
    [
        "yes",
        "2024",
        "Trust: a year on",
        "- a list?",
        "# not a comment",
        '"quoted" and \\ slashed',
        "{not: a mapping}",
        "Café crème ünïcödé 東京",
        "ends with a colon:",
        "line\u2028separator",
        "null",
    ],
)
def test_any_title_reads_back_exactly(content_tree, title: str) -> None:
    content = content_tree({})
    flags = [*FLAGS, "--why", WHY, "--next", NEXT]
    flags[1] = title
    assert main(["new", "--content", str(content), *flags]) == 0
    (path,) = (content / "stories").iterdir()
    front = path.read_text(encoding="utf-8").split("---\n")[1]
    assert parse_yaml(front).value["title"] == title
    assert main(["check", "--content", str(content)]) == 0


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1).filter(lambda t: not FORBIDDEN_CHARS.search(t) and t.strip() == t))
def test_yaml_scalar_round_trips(text: str) -> None:
    assert parse_yaml(f"key: {yaml_scalar(text)}").value == {"key": text}


def test_titles_without_latin_letters_get_numbered_names(content_tree, capsys) -> None:
    """東京大学の物語 and ... both make the name 2025-03-story; each new one takes the next
    number, from flags or typed, and check accepts them all."""
    content = content_tree({})
    stories = content / "stories"
    for title in ("東京大学の物語", "...", "東京大学の物語"):
        flags = [*FLAGS, "--why", WHY, "--next", NEXT]
        flags[1] = title
        assert main(["new", "--content", str(content), *flags]) == 0
    answers = ["2025-03-14", "京都の物語", "U", "S", "", "1", "1", "2", WHY, ".", NEXT, "."]
    done = run("new", "--content", str(content), stdin="\n".join(answers) + "\n")
    assert done.returncode == 0, done.stderr
    assert f"casebook: wrote {stories / '2025-03-story-4.md'} (2025-03-story is" in done.stdout
    assert "That will not work" not in done.stdout
    written = capsys.readouterr().out
    assert f"casebook: wrote {stories / '2025-03-story.md'}\n" in written
    assert f"casebook: wrote {stories / '2025-03-story-3.md'} (" in written
    names = sorted(p.name for p in stories.iterdir())
    assert names == sorted(f"2025-03-story{n}.md" for n in ("", "-2", "-3", "-4"))
    assert main(["check", "--content", str(content)]) == 0


def test_a_story_called_page_is_still_not_possible(content_tree) -> None:
    """ "page" is kept for the later pages of the list; a story's name starts with its month."""
    content = content_tree({})
    flags = [*FLAGS, "--why", WHY, "--next", NEXT]
    flags[1] = "Page"
    assert main(["new", "--content", str(content), *flags]) == 0
    assert [p.name for p in (content / "stories").iterdir()] == ["2025-03-page.md"]
    assert main(["check", "--content", str(content)]) == 0


def _choose(content_tree, monkeypatch, answers: list[str]) -> list[str]:
    from casebook import newstory

    given = iter(answers)
    monkeypatch.setattr("builtins.input", lambda prompt="": next(given))
    rubric = newstory.load_story_settings(content_tree({})).rubric
    return [a.sub_element.id for a in newstory._ask_assessments(rubric)]


def test_sub_element_numbers_may_be_joined_by_and(content_tree, monkeypatch, capsys) -> None:
    chosen = _choose(content_tree, monkeypatch, ["1 and 4,5  2", "2", "3", "1", "4"])
    assert chosen == ["trust", "working-partnerships", "people", "time"]
    assert "That will not work" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            "one, two",
            "'one' is not a number from the list; type numbers from 1 to 9, separated by "
            "commas, for example 1, 4",
        ),
        (
            "1, 12",
            "there is no number 12 in the list; type numbers from 1 to 9, separated by commas, "
            "for example 1, 4",
        ),
        (
            "1, 100000000000000000000",
            "there is no number 100000000000000000000 in the list; type numbers from 1 to 9, "
            "separated by commas, for example 1, 4",
        ),
        # str.isdigit() is true of these, but only 0-9 make a number here
        (
            "²",
            "'²' is not a number from the list; type numbers from 1 to 9, separated by commas, "
            "for example 1, 4",
        ),
        (
            "①",
            "'①' is not a number from the list; type numbers from 1 to 9, separated by commas, "
            "for example 1, 4",
        ),
        (
            "１",
            "'１' is not a number from the list; type numbers from 1 to 9, separated by commas, "
            "for example 1, 4",
        ),
    ],
)
def test_other_answers_get_a_plain_message(content_tree, monkeypatch, capsys, answer, message):
    assert _choose(content_tree, monkeypatch, [answer, "1", "2"]) == ["trust"]
    out = " ".join(capsys.readouterr().out.split())
    assert f"That will not work: {message}. Try again." in out


@pytest.mark.parametrize(
    ("answer", "perspective"),
    [
        ("students union", "students-union"),
        ("students' union", "students-union"),
        ("Students’ Union", "students-union"),
        ("su", "students-union"),
        ("union", "students-union"),
        ("institution", "institution"),
        ("university", "institution"),
        ("both", "joint"),
        ("joint", "joint"),
        ("2", "students-union"),
    ],
)
def test_plain_words_answer_who_is_writing(monkeypatch, capsys, answer, perspective) -> None:
    from casebook import newstory

    monkeypatch.setattr("builtins.input", lambda prompt="": answer)
    assert newstory._ask_perspective() == perspective
    assert "That will not work" not in capsys.readouterr().out


def test_a_did_you_mean_question_is_not_followed_by_a_full_stop(monkeypatch, capsys) -> None:
    from casebook import newstory

    given = iter(["students unoin", "2"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(given))
    assert newstory._ask_perspective() == "students-union"
    out = " ".join(capsys.readouterr().out.split())
    assert (
        "That will not work: unknown perspective 'students unoin'; did you mean "
        "'students-union'? Try again." in out
    )


def test_ctrl_c_says_nothing_was_written(content_tree, monkeypatch, capsys) -> None:
    content = content_tree({})

    def interrupted(prompt: str = "") -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("builtins.input", interrupted)
    assert main(["new", "--content", str(content), "--title", "Stopped halfway"]) == 130
    assert capsys.readouterr().err == "\nStopped; nothing was written.\n"
    assert not list((content / "stories").iterdir())


def test_the_guides_example_for_scripts_writes_a_story(content_tree) -> None:
    guide = (Path(__file__).resolve().parents[1] / "CONTRIBUTING.md").read_text(encoding="utf-8")
    (command,) = [line for line in guide.splitlines() if line.startswith("python build.py new --")]
    argv = shlex.split(command)[2:]
    content = content_tree({})
    done = run(*argv, "--content", str(content))
    assert done.returncode == 0, done.stderr
    (written,) = (content / "stories").iterdir()
    assert written.name == "2025-03-agreeing-a-data-sharing-protocol.md"


def run_bytes(*args: str, stdin: bytes, env: dict[str, str] | None = None):
    """Like run, with standard input as raw bytes (not always UTF-8)."""
    return subprocess.run(
        [sys.executable, "build.py", *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_a_date_in_other_digits_is_refused_as_a_flag(content_tree, capsys) -> None:
    content = content_tree({})
    flags = [*FLAGS[:-1], "２０２５-０３-１４"]
    assert main(["new", "--content", str(content), *flags]) == 1
    assert capsys.readouterr().err == (
        "casebook: --date: date '２０２５-０３-１４' uses digits other than 0-9; "
        "write it as 2025-03-14\n"
    )
    assert not list((content / "stories").iterdir())


def test_a_date_in_other_digits_is_asked_again(content_tree, monkeypatch, capsys) -> None:
    content = content_tree({})
    given = iter(["٢٠٢٥-٠٣-١٤", "2025-03-14", "", "1", WHY, ".", NEXT, "."])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(given))
    flags = [f for f in FLAGS[:-2] if f not in ("--perspective", "joint")]
    assert main(["new", "--content", str(content), *flags]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert (
        "That will not work: date '٢٠٢٥-٠٣-١٤' uses digits other than 0-9; write it as "
        "2025-03-14. Try again." in out
    )
    assert (content / "stories" / "2025-03-agreeing-a-data-sharing-protocol.md").exists()


UNREADABLE = "contains characters that could not be read (it is not UTF-8 text); retype it"


def test_flags_that_are_not_utf8_are_all_named(content_tree, capsys) -> None:
    """Bytes that are not UTF-8 reach Python's arguments as lone surrogates."""
    content = content_tree({})
    flags = [*FLAGS, "--why", "caf\udce9", "--next", "ok", "--assess", "tr\udce9=2"]
    flags[1] = "Caf\udce9"
    flags[flags.index("joint")] = "\udce9"
    assert main(["new", "--content", str(content), *flags]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"casebook: --title: the title {UNREADABLE}",
        f"casebook: --perspective: the perspective {UNREADABLE}",
        f"casebook: --why: the text {UNREADABLE}",
        f"casebook: --assess: the assessment {UNREADABLE}",
    ]
    assert not list((content / "stories").iterdir())


def test_a_section_flag_with_a_control_character_is_refused(content_tree, capsys) -> None:
    content = content_tree({})
    assert main(["new", "--content", str(content), *FLAGS, "--next", "a\x1b[31m"]) == 1
    assert capsys.readouterr().err == (
        "casebook: --next: the text contains an invisible control character; retype it\n"
    )


def test_names_that_show_nothing_are_refused(content_tree, capsys) -> None:
    """A zero-width space or a word joiner is no title: check would refuse the story."""
    content = content_tree({})
    flags = [*FLAGS, "--title", "\u200b\u200b", "--institution", "\u00ad\u2060"]
    assert main(["new", "--content", str(content), *flags]) == 1
    nothing = "shows nothing: it holds only characters that take no room on the page"
    assert capsys.readouterr().err.splitlines() == [
        f"casebook: --title: the title {nothing}; write it in a few words",
        f"casebook: --institution: the institution {nothing}; write it in a few words",
    ]
    assert not list((content / "stories").iterdir())


@pytest.mark.parametrize("errors", ["", "utf-8:strict"])
def test_typed_lines_that_are_not_utf8_are_asked_again(content_tree, errors) -> None:
    """Latin-1 bytes typed at the questions: asked again, whether standard input hands them
    on (surrogateescape, as in the C.UTF-8 locale) or would stop at them (strict)."""
    content = content_tree({})
    answers = [
        b"2025-03-14",
        b"Latin1 caf\xe9 title",  # title: asked again
        b"A good title",
        b"U",
        b"S",
        b"\xff",  # anonymous: asked again
        b"n",
        b"1",
        b"1",
        b"2",
        b"caf\xe9",  # a line of the story: asked again
        b"Why.",
        b".",
        b"Next.",
        b".",
    ]
    env = {"PYTHONIOENCODING": errors} if errors else {}
    done = run_bytes("new", "--content", str(content), stdin=b"\n".join(answers) + b"\n", env=env)
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.decode("utf-8").split())
    assert out.count(f"That will not work: the answer {UNREADABLE}. Try again.") == 2
    assert "That line contains characters that could not be read (it is not UTF-8 text); " in out
    text = (content / "stories" / "2025-03-a-good-title.md").read_text(encoding="utf-8")
    assert (
        "## Why we placed ourselves here\n\nWhy.\n\n## What we will do to move on\n\nNext.\n"
        in text
    )


def test_the_file_is_written_whole_or_not_at_all(content_tree, monkeypatch, capsys) -> None:
    from casebook import newstory

    content = content_tree({})
    stories = content / "stories"

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(newstory.os, "fsync", full)
    assert main(["new", "--content", str(content), *FLAGS]) == 1
    assert capsys.readouterr().err == (
        f"casebook: could not write the story into {stories}: No space left on device; "
        "nothing was written\n"
    )
    assert not list(stories.iterdir())  # neither the story nor the temporary file
    # a text that cannot be encoded never reaches the disk
    settings = newstory.load_story_settings(content)
    draft = newstory.StoryDraft("Caf\udce9", dt.date(2025, 3, 14), "U", "S", "joint", ())
    with pytest.raises(UnicodeEncodeError):
        newstory.write_new_story(draft, settings, content, newstory.numbered())
    assert not list(stories.iterdir())


def test_a_name_taken_while_writing_is_not_overwritten(content_tree, monkeypatch) -> None:
    """Another program creates the file between the check and the write: the story takes the
    next name, and the other file stays as it was."""
    from casebook import newstory

    content = content_tree({})
    stem = content / "stories" / "2025-03-agreeing-a-data-sharing-protocol"
    real_link = os.link

    def racing(source, target) -> None:
        if Path(target) == Path(f"{stem}.md"):
            Path(target).write_text("theirs\n", encoding="utf-8")
        real_link(source, target)

    monkeypatch.setattr(newstory.os, "link", racing)
    with days_run() as days:
        assert main(["new", "--content", str(content), *FLAGS]) == 0
    assert Path(f"{stem}.md").read_text(encoding="utf-8") == "theirs\n"
    assert Path(f"{stem}-2.md").read_text(encoding="utf-8") in written(TEMPLATE, days)
    assert len(list(stem.parent.iterdir())) == 2


def test_a_file_system_without_hard_links(content_tree, monkeypatch) -> None:
    from casebook import newstory

    content = content_tree({})

    def unsupported(source, target) -> None:
        raise OSError(95, "Operation not supported")

    monkeypatch.setattr(newstory.os, "link", unsupported)
    with days_run() as days:
        assert main(["new", "--content", str(content), *FLAGS]) == 0
    (story,) = (content / "stories").iterdir()
    assert story.name == "2025-03-agreeing-a-data-sharing-protocol.md"
    assert story.read_text(encoding="utf-8") in written(TEMPLATE, days)
