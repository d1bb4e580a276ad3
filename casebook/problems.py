"""Problems found in content, reported all at once as `file:line: message`.

Every step before rendering collects problems instead of raising on the first one, so a
contributor who fixes one error does not meet the next only on the next run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .characters import printable


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, at a line where we know it."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        """One line, with any control character from content spelled out, not sent raw."""
        path, message = (printable(t).replace("\n", "\\n") for t in (self.path, self.message))
        if self.line:
            return f"{path}:{self.line}: {message}"
        return f"{path}: {message}"


class ContentError(Exception):
    """Raised once, at the end of a step, with every problem that step found."""

    def __init__(
        self, problems: list[Problem], stories: tuple[Any, ...] = (), failed: tuple[Any, ...] = ()
    ) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems: tuple[Problem, ...] = tuple(problems)
        # the stories that were checked whole (model.Story), from a step that found problems
        # elsewhere: their bodies can still be rendered for problems of their own; and the
        # bodies of those that failed (model.StoryBody), for the same
        self.stories = stories
        self.failed = failed


class OutputError(Exception):
    """The output folder cannot be used; the message says why and what to do."""


def display_path(path: Path) -> str:
    """The path as a contributor would type it: relative to where they ran the command."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def quoted(value: object, limit: int = 60) -> str:
    """A value for a message, in quotes, on one line; a long one cut, so that a pasted page
    of text makes a problem of one readable line, not of thousands of characters."""
    text = " ".join(str(value).split())
    return f"'{text}'" if len(text) <= limit else f"'{text[: limit - 1]}…'"


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """`; did you mean 'x'?` when a choice is close to the word, else ''."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def one_of(choices: list[str] | tuple[str, ...]) -> str:
    """'a, b or c' for messages."""
    quoted = [str(c) for c in choices]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]
