"""`python build.py new`: write a new story file from answers to plain questions, or from
flags, so that nobody has to learn the front matter's shape to start a story.

Whatever the flags leave out is asked for; when there is nobody to ask (standard input is
closed), the missing flag is named instead. Nothing is ever overwritten: when the name made
from the title is taken, the story gets the first free one with -2, -3, ... added.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import os
import re
import secrets
import sys
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from . import storyinput
from .characters import FORBIDDEN_CHARS
from .load import load_settings
from .model import ABBREVIATIONS, PERSPECTIVES, Assessment, Rubric, Site, typed
from .problems import ContentError, Problem, display_path
from .storyinput import AnswerError
from .storytext import NEXT_HEADING, WHY_HEADING, StoryDraft, file_stem, story_text
from .urls import Urls
from .validate_settings import validate_rubric, validate_site

T = TypeVar("T")
WIDTH = 78
_NUMBER = re.compile(r"[0-9]+\Z")  # not str.isdigit(): that is true of ² and ① too


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), help="content folder")
    parser.add_argument("--title", help="what the story is about, in a few words")
    parser.add_argument("--institution", help="the university or college")
    parser.add_argument("--students-union", help="the students' union")
    parser.add_argument(
        "--perspective", help=f"who is writing: {', '.join(PERSPECTIVES)} (or 1, 2, 3)"
    )
    parser.add_argument(
        "--assess",
        action="append",
        default=[],
        metavar="SUB_ELEMENT=STAGE",
        help="a sub-element and your stage, by number or name (trust=2, time=Refining); repeat",
    )
    parser.add_argument(
        "--date", help="the day of the self-assessment, year-month-day like 2025-03-14 (today)"
    )
    parser.add_argument(
        "--anonymous",
        action="store_true",
        help="hide the institution's and the students' union's names on the site",
    )
    parser.add_argument("--why", help=f"the text under “{WHY_HEADING}”")
    parser.add_argument("--next", help=f"the text under “{NEXT_HEADING}”")


class Stop(Exception):
    """The contributor stopped, or there was nobody to ask; the message says what to do."""


@dataclass(frozen=True)
class Settings:
    site: Site
    rubric: Rubric


def new_story(args: argparse.Namespace, today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    try:
        settings = load_story_settings(args.content)
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print("casebook: fix these before adding a story", file=sys.stderr)
        return 1
    errors = _flag_errors(args, settings.rubric, today)
    if errors:
        for message in errors:
            print(f"casebook: {message}", file=sys.stderr)
        return 1
    _read_undecodable_input()
    try:
        draft = _draft(args, settings.rubric, today)
        return _write(draft, args.content, settings)
    except Stop as stop:
        print(f"\ncasebook: {stop}; nothing was written", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopped; nothing was written.", file=sys.stderr)
        return 130


def _complete(args: argparse.Namespace) -> bool:
    """Every required answer is a flag, so nothing is asked."""
    return all((args.title, args.institution, args.students_union, args.perspective, args.assess))


def _read_undecodable_input() -> None:
    """Let a typed line that is not UTF-8 reach the questions (as lone surrogates, which
    storyinput.readable refuses), instead of stopping input() with UnicodeDecodeError."""
    with contextlib.suppress(AttributeError, ValueError, OSError):
        sys.stdin.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]


def load_story_settings(content: Path) -> Settings:
    """site.yaml and the rubric, checked; ContentError if either is broken."""
    problems: list[Problem] = []
    site_source, rubric_source = load_settings(content, problems)
    site = validate_site(site_source, problems) if site_source else None
    rubric = validate_rubric(rubric_source, dt.date.max, problems) if rubric_source else None
    stories = content / "stories"
    if not stories.is_dir():
        problems.append(Problem(display_path(stories), 0, "stories folder not found"))
    if problems or site is None or rubric is None:
        raise ContentError(sorted(set(problems)))
    return Settings(site, rubric)


def _flag_errors(args: argparse.Namespace, rubric: Rubric, today: dt.date) -> list[str]:
    """Every bad flag at once, each named."""
    checks: list[tuple[str, str | None, Callable[[str], object]]] = [
        ("--title", args.title, storyinput.title),
        ("--institution", args.institution, lambda a: storyinput.name(a, "institution")),
        ("--students-union", args.students_union, lambda a: storyinput.name(a, "union's name")),
        ("--perspective", args.perspective, storyinput.perspective),
        ("--date", args.date, lambda a: storyinput.date(a, today)),
        ("--why", args.why, _section_text),
        ("--next", args.next, _section_text),
    ]
    errors = []
    for flag, value, read in checks:
        if value is None:
            continue
        try:
            read(value)
        except AnswerError as error:
            errors.append(f"{flag}: {error}")
    assessments = []
    for value in args.assess:
        try:
            storyinput.readable(value, "assessment")
        except AnswerError as error:  # not shown again: it cannot be
            errors.append(f"--assess: {error}")
            continue
        try:
            assessments.append(storyinput.assessment(value, rubric))
        except AnswerError as error:
            errors.append(f"--assess {value}: {error}")
    if assessments:
        try:
            storyinput.distinct(assessments)
        except AnswerError as error:
            errors.append(f"--assess: {error}")
    return errors


def _section_text(answer: str) -> str:
    """A section's text given as a flag: anything readable, without control characters."""
    storyinput.readable(answer, "text")
    if FORBIDDEN_CHARS.search(answer.replace("\n", " ").replace("\t", " ")):
        raise AnswerError("the text contains an invisible control character; retype it")
    return answer


def _draft(args: argparse.Namespace, rubric: Rubric, today: dt.date) -> StoryDraft:
    complete = _complete(args)
    if not complete:
        say(
            "A new story. Answer each question and press Enter; Ctrl+C stops without "
            "writing anything."
        )
    if args.date:
        date = storyinput.date(args.date, today)
    elif complete:
        date = today
    else:
        date = _ask(
            "--date",
            "Date of the self-assessment, as year-month-day, for example 2025-03-14 "
            f"(press Enter for today, {today}):",
            lambda a: storyinput.date(a or today.isoformat(), today),
        )
    title = _given(args.title, storyinput.title) or _ask(
        "--title", "Title: what is the story about, in a few words?", storyinput.title
    )
    institution = _given(args.institution, lambda a: storyinput.name(a, "institution")) or _ask(
        "--institution",
        "Institution: the university or college in the partnership?",
        lambda a: storyinput.name(a, "institution"),
    )
    union = _given(args.students_union, lambda a: storyinput.name(a, "union's name")) or _ask(
        "--students-union",
        "Students' union: its name?",
        lambda a: storyinput.name(a, "union's name"),
    )
    anonymous = args.anonymous or (not complete and _ask_anonymous())
    perspective = _given(args.perspective, storyinput.perspective) or _ask_perspective()
    if args.assess:
        assessments = storyinput.distinct([storyinput.assessment(a, rubric) for a in args.assess])
    else:
        assessments = _ask_assessments(rubric)
    why = args.why if args.why is not None or complete else _ask_text(WHY_HEADING, WHY_HINT)
    next_steps = (
        args.next if args.next is not None or complete else _ask_text(NEXT_HEADING, NEXT_HINT)
    )
    return StoryDraft(
        title=title,
        date=date,
        institution=institution,
        students_union=union,
        perspective=perspective,
        assessments=assessments,
        anonymous=anonymous,
        shared=today,
        why=why or "",
        next_steps=next_steps or "",
    )


UNREADABLE_LINE = "contains characters that could not be read (it is not UTF-8 text)"
WHY_HINT = (
    "What your partnership looks like today and which words of the stage match it. Say "
    "honestly why you are not at the next stage yet."
)
NEXT_HINT = "What you will do next, and what you think reaching the next stage will take."


def _ask_text(heading: str, hint: str) -> str:
    """Several paragraphs, ended by a full stop alone on a line (or the end of input); blank
    lines stay inside, blank lines at either end go; nothing leaves the heading for later."""
    say()
    say(f"{heading}: {hint}")
    say(
        "Type as many lines as you like; blank lines start a new paragraph. Type a full stop "
        "on a line of its own to finish (straight away to write it later in the file)."
    )
    lines: list[str] = []
    while True:
        try:
            line = input("> ")
        except EOFError:
            break
        except UnicodeDecodeError:
            line = "\udcff"  # storyinput.readable refuses it below
        if line.strip() == ".":
            break
        try:
            storyinput.readable(line)
        except AnswerError:
            say(f"That line {UNREADABLE_LINE}; type it again.")
            continue
        if FORBIDDEN_CHARS.search(line.replace("\t", " ")):
            say("That line contains an invisible control character; type it again.")
            continue
        lines.append(line.rstrip())
    return "\n".join(lines).strip("\n")


def _given(value: str | None, read: Callable[[str], T]) -> T | None:
    return None if value is None else read(value)


def say(text: str = "", indent: str = "") -> None:
    print(
        textwrap.fill(
            text,
            WIDTH,
            initial_indent=indent,
            subsequent_indent=indent,
            break_on_hyphens=False,
            break_long_words=False,
        )
        if text
        else ""
    )


def _ask(flag: str, question: str, read: Callable[[str], T]) -> T:
    """Ask until the answer reads; Stop at the end of input, naming the flag to use."""
    say()
    say(question)
    while True:
        try:
            answer = input("> ")
        except EOFError:
            raise Stop(f"no answer for {flag.lstrip('-')}; give it with {flag}") from None
        except UnicodeDecodeError:
            answer = "\udcff"  # storyinput.readable refuses it below
        try:
            return read(storyinput.readable(answer))
        except AnswerError as error:
            message = str(error)
            ending = "" if message.endswith(("?", ".", "!")) else "."
            say(f"That will not work: {message}{ending} Try again.")


def _ask_anonymous() -> bool:
    def read(answer: str) -> bool:
        value = answer.strip().casefold()
        if value in ("", "n", "no"):
            return False
        if value in ("y", "yes"):
            return True
        raise AnswerError("answer y or n")

    return _ask(
        "--anonymous",
        "Hide both names on the site, so readers cannot tell which partnership this is? The "
        "names are still written in the story file, and a file sent to GitHub is public: "
        "anyone can read the names there. y or n (press Enter for n):",
        read,
    )


def _ask_perspective() -> str:
    say()
    say("Who is writing the story?")
    for number, label in enumerate(PERSPECTIVES.values(), start=1):
        say(f"{number}  {typed(label)}", "  ")
    return _ask(
        "--perspective",
        "Type 1, 2 or 3 (or say it: both, students' union, institution):",
        storyinput.perspective,
    )


def _ask_assessments(rubric: Rubric) -> tuple[Assessment, ...]:
    say()
    say("Which parts of the tool does your story speak to? You need not cover them all.")
    subs = rubric.sub_elements
    numbers = f"type numbers from 1 to {len(subs)}, separated by commas, for example 1, 4"
    for number, sub in enumerate(subs, start=1):
        commitment = rubric.commitment(sub.commitment_id)
        say(f"{number}  {sub.name} ({commitment.name})", "  ")

    def read_choice(answer: str) -> list[int]:
        words = [w for w in re.split(r"[\s,;&]+|\band\b", answer.casefold()) if w]
        chosen: list[int] = []
        for word in words:
            number = int(word) if _NUMBER.match(word) and len(word) < 10 else 0
            if 1 <= number <= len(subs):
                index = number - 1
            elif _NUMBER.match(word):
                raise AnswerError(f"there is no number {word} in the list; {numbers}")
            elif any(word == sub.id for sub in subs):
                index = subs.index(storyinput.sub_element(word, rubric))
            else:
                raise AnswerError(f"'{word}' is not a number from the list; {numbers}")
            if index not in chosen:
                chosen.append(index)
        if not chosen:
            raise AnswerError(numbers)
        return sorted(chosen)

    chosen = _ask("--assess", "Type their numbers, separated by commas (e.g. 1, 5):", read_choice)
    say()
    say(typed(ABBREVIATIONS))
    assessments = []
    for index in chosen:
        sub = subs[index]
        say()
        say(f"{sub.name}: which stage describes your partnership best?")
        for s in rubric.stages:
            say()
            say(f"{s.number}  {s.name}", "  ")
            say(sub.descriptor(s.number), "     ")
        stage = _ask(
            "--assess", "Type a stage number from 1 to 5:", lambda a: storyinput.stage(a, rubric)
        )
        assessments.append(Assessment(sub, stage))
    return tuple(assessments)


def numbered() -> Iterable[str]:
    """The suffixes `new` tries until a name is free: none, then -2, -3, ..."""
    return itertools.chain([""], (f"-{n}" for n in itertools.count(2)))


def write_new_story(
    draft: StoryDraft,
    settings: Settings,
    content: Path,
    suffixes: Iterable[str] = ("",),
    origin: str = "",
) -> Path:
    """Write the story under the first free name (its stem plus a suffix); never overwrite,
    and never leave part of a file. FileExistsError names each name tried (the file or the
    folder that has it) when every one is taken; OSError if the folder cannot be written to.
    origin: see story_text."""
    urls = Urls(settings.site.base_url)
    data = story_text(draft, urls.absolute(urls.story_schema()), origin).encode("utf-8")
    folder = content / "stories"
    taken: list[Path] = []
    for suffix in suffixes:
        stem = file_stem(draft) + suffix
        path = folder / f"{stem}.md"
        if any(p.exists() or p.is_symlink() for p in (path, folder / stem)):
            taken.append(path if path.exists() or not (folder / stem).exists() else folder / stem)
            continue
        if _create(path, data):
            return path
        taken.append(path)
    raise FileExistsError(*taken)


def _create(path: Path, data: bytes) -> bool:
    """Write a new file, all or nothing: the whole text goes to a hidden temporary file
    beside it (check ignores names starting with "."), then takes the name only if nothing
    has it yet. False, with nothing written, if the name is taken."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    file = temporary.open("xb")
    try:
        with file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)  # unlike a rename, never replaces a file
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links (FAT, some shares)
            return _create_in_place(path, data)
        return True
    finally:
        temporary.unlink(missing_ok=True)


def _create_in_place(path: Path, data: bytes) -> bool:
    try:
        file = path.open("xb")
    except FileExistsError:
        return False
    try:
        with file:
            file.write(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return True


def _write(draft: StoryDraft, content: Path, settings: Settings) -> int:
    folder = content / "stories"
    try:
        path = write_new_story(draft, settings, content, numbered())
    except OSError as error:
        reason = error.strerror or str(error)
        print(
            f"casebook: could not write the story into {display_path(folder)}: {reason}; "
            "nothing was written",
            file=sys.stderr,
        )
        return 1
    planned = folder / f"{file_stem(draft)}.md"
    if path == planned:
        print(f"casebook: wrote {display_path(path)}")
    else:
        print(
            f"casebook: wrote {display_path(path)} ({planned.stem} is another story's name "
            "already; if that is this same story, delete one of the two)"
        )
    if draft.why.strip() and draft.next_steps.strip():
        say(
            "Next: run python build.py check, then python build.py serve to see it at "
            "http://127.0.0.1:8000/."
        )
    else:
        say(
            f"Next: open it and fill in the two sections, “{WHY_HEADING}” and "
            f"“{NEXT_HEADING}”, then run check: python build.py check"
        )
    return 0
