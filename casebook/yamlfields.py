"""Typed reads from one YAML document: each failure becomes a Problem at the value's line.

Validation of site.yaml, the rubric and stories all read through this, so the same mistake
gets the same message wherever it is made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .characters import FORBIDDEN_CHARS, VISIBLE, named
from .problems import Problem, did_you_mean, one_of, quoted
from .slugs import is_slug, long_tag_problem, slugify
from .yamltext import YamlDocument

Path = tuple[str | int, ...]


def kind(value: Any) -> str:
    """How a wrong value is named in a message."""
    if value is None:
        return "empty"
    if isinstance(value, dict):
        return "a set of fields"
    if isinstance(value, list):
        return "a list"
    return quoted(value)


def not_a_slug(what: str, value: Any, fallback: str = "") -> str:
    """The message for a tag or an id that is not lowercase letters, digits and hyphens, with
    the slug of it (else `fallback`, if any) as the example."""
    suggestion = slugify(str(value)) or fallback
    example = f"; for example '{suggestion}'" if suggestion else ""
    return f"{what} {kind(value)} may use only lowercase letters, digits and hyphens{example}"


def tag_problem(value: Any) -> str | None:
    """What is wrong with a topic as a story writes it (lowercase letters, digits and hyphens,
    MAX_TAG at most), if anything: for `check`, and for `new` and the issue converter."""
    if not isinstance(value, str) or not is_slug(value):
        return not_a_slug("tag", value, "outreach")
    return long_tag_problem(value)


def sub_element_problem(value: Any, ids: Sequence[str], renamed: Mapping[str, str]) -> str | None:
    """What is wrong with a sub_element as a story or a changelog entry names it, or None for
    one of the rubric's ids. renamed: each former id (`formerly`) -> the id it has now."""
    if isinstance(value, str) and value in renamed:
        now = renamed[value]
        return f"sub_element '{value}' has been renamed '{now}' in the rubric; write '{now}'"
    if value not in ids:
        hint = did_you_mean(value, ids) if isinstance(value, str) else ""
        return f"unknown sub_element {kind(value)}{hint or '; choose one of: ' + ', '.join(ids)}"
    return None


class Fields:
    """Typed reads from one YAML document, each failure recorded with its line."""

    def __init__(self, display: str, doc: YamlDocument, problems: list[Problem]) -> None:
        self.display = display
        self.doc = doc
        self.problems = problems

    def fail(self, path: Path, message: str) -> None:
        self.problems.append(Problem(self.display, self.doc.line(*path), message))

    def mapping(
        self,
        value: Any,
        path: Path,
        allowed: tuple[str, ...],
        required: tuple[str, ...],
        what: str,
        examples: dict[str, str] | None = None,
    ) -> dict[str, Any] | None:
        """The mapping if it has only allowed fields and all required ones, else None."""
        if not isinstance(value, dict):
            listed = one_of(list(allowed)).replace(" or ", " and ")
            self.fail(path, f"{what} must be a set of fields ({listed}), not {kind(value)}")
            return None
        ok = True
        suggested = set()
        for key in value:
            if key in allowed:
                continue
            ok = False
            hint = did_you_mean(key, allowed)
            meant = hint.split("'")[1] if hint else ""
            if meant and meant in value:
                hint = f"; remove it ('{meant}' is already there)"
            elif meant:
                suggested.add(meant)
            hint = hint or f"; {what} can have: {', '.join(allowed)}"
            self.fail((*path, key), f"unknown field {quoted(key)}{hint}")
        for key in required:
            if key in suggested:
                continue  # the unknown field's did-you-mean already names it
            if value.get(key) is None:
                example = (examples or {}).get(key, f"{key}: ...")
                where = f" to {what}" if path else ""
                self.fail(path, f"missing field '{key}'; add it{where}, for example: {example}")
                ok = False
        return value if ok else None

    def text(self, value: Any, path: Path, name: str, limit: int = 2000) -> str | None:
        """The text as written: an unquoted `1.10` or `2024-05-01` is that text, not the
        number or date YAML reads it as."""
        if isinstance(value, bool):
            self.fail(path, f"'{name}' must be text, but YAML reads it as true or false; quote it")
            return None
        value = self.doc.text_of(value, *path)
        if not isinstance(value, str):
            self.fail(path, f"'{name}' must be text, not {kind(value)}")
            return None
        text = str(value).strip()
        if not text:
            self.fail(path, f"'{name}' is empty; write something or remove the field")
            return None
        if FORBIDDEN_CHARS.search(text):
            self.fail(
                path,
                f"'{name}' contains an invisible control or text-direction character; "
                "retype it as plain text",
            )
            return None
        if not VISIBLE.search(text):
            self.fail(
                path,
                f"'{name}' shows nothing: it holds only characters that take no room on the "
                f"page, such as {named(text[0])}; write something or remove the field",
            )
            return None
        if len(text) > limit:
            self.fail(path, f"'{name}' is {len(text)} characters long; keep it to {limit}")
            return None
        return text

    def texts(self, value: Any, path: Path, name: str, limit: int = 5000) -> tuple[str, ...]:
        """A non-empty list of text."""
        if not isinstance(value, list) or not value:
            self.fail(path, f"'{name}' must be a list of text")
            return ()
        return tuple(t for i, x in enumerate(value) if (t := self.text(x, (*path, i), name, limit)))

    def tag(self, value: Any, path: Path) -> str | None:
        """A topic as stories write it (tag_problem)."""
        if problem := tag_problem(value):
            self.fail(path, problem)
            return None
        return value

    def whole_number(self, value: Any, path: Path, name: str, choices: str = "") -> int | None:
        """An int; choices, when given, lists the valid numbers in the message."""
        number = isinstance(value, int) and not isinstance(value, bool)
        if number and -(10**17) < value < 10**18:  # written in at most 18 characters
            return value
        # longer is far too large; YAML keeps one of over 4,300 digits as text, which Python
        # will not read as a number
        digits = str(value) if number else value.strip() if isinstance(value, str) else ""
        if len(digits) > 18 and digits.lstrip("-").isdigit():
            choose = f"; choose {choices}" if choices else ""
            self.fail(path, f"'{name}' {quoted(digits)} is far too large{choose}")
            return None
        if (isinstance(value, float) and value.is_integer()) or (
            isinstance(value, str) and value.strip().isdigit()
        ):
            self.fail(path, f"write '{name}' as a whole number without quotes or decimals")
        elif choices:
            self.fail(path, f"'{name}' must be a number, not {kind(value)}; choose {choices}")
        else:
            self.fail(path, f"'{name}' must be a whole number, not {kind(value)}")
        return None

    def flag(self, value: Any, path: Path, name: str) -> bool:
        if value is None:
            return False
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            said = value.strip().lower()
            self.fail(path, f"'{name}' must be true or false without quotes: {name}: {said}")
            return False
        if not isinstance(value, bool):
            self.fail(path, f"'{name}' must be true or false, not '{value}'")
            return False
        return value
