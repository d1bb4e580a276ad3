"""GitHub workflow annotations for problems, so each shows on its line of a pull request.

GitHub reads `::error file=...,line=...,title=...::message` lines from a step's output. The
message escapes %, CR and LF; property values also escape : and , (the rules of
actions/toolkit's command.ts, which the runner undoes).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from .characters import printable
from .problems import Problem

TITLE = "casebook check"


def wanted(environ: Mapping[str, str] = os.environ) -> bool:
    """GitHub Actions sets GITHUB_ACTIONS=true in every step."""
    return bool(environ.get("GITHUB_ACTIONS"))


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(problem: Problem) -> str:
    """One `::error` line; control characters from content are spelled out, never sent raw."""
    properties = [f"file={escape_property(printable(problem.path))}"]
    if problem.line:
        properties.append(f"line={problem.line}")
    properties.append(f"title={escape_property(TITLE)}")
    return f"::error {','.join(properties)}::{escape_data(printable(problem.message))}"
