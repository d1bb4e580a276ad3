"""Reading a contributor's answers (typed at a prompt, given as flags or written in an issue
form) into the values of a story, with the same limits `check` applies.

Each reader returns the value or raises AnswerError with one sentence saying what to write.
"""

from __future__ import annotations

import datetime as dt
import re

from .characters import FORBIDDEN_CHARS, VISIBLE
from .datewords import date_problem, early_problem
from .model import PERSPECTIVES, Assessment, Contributor, Rubric, Stage, SubElement
from .problems import did_you_mean, one_of, quoted
from .schema import MAX_NAME, MAX_SUMMARY
from .storyfields import MAX_TITLE
from .yamlfields import tag_problem


class AnswerError(ValueError):
    """An answer that cannot go into a story; the message says what to write instead."""


# Bytes that are not UTF-8 reach Python as lone surrogates (arguments, the environment and,
# in most terminals, standard input): they cannot be written to a file or shown again.
_UNREADABLE = re.compile("[\ud800-\udfff]")


def readable(answer: str, what: str = "answer") -> str:
    """The answer, unless it holds bytes that are not UTF-8 text."""
    if _UNREADABLE.search(answer):
        raise AnswerError(
            f"the {what} contains characters that could not be read (it is not UTF-8 text); "
            "retype it"
        )
    return answer


def text(answer: str, what: str, limit: int, *, one_line: bool = True) -> str:
    value = readable(answer, what).strip()
    if not value:
        raise AnswerError(f"the {what} is empty; write it in a few words")
    if one_line and "\n" in value:
        raise AnswerError(f"keep the {what} on one line")
    if FORBIDDEN_CHARS.search(value.replace("\n", " ").replace("\t", " ")):
        raise AnswerError(f"the {what} contains an invisible control character; retype it")
    if not VISIBLE.search(value):
        raise AnswerError(
            f"the {what} shows nothing: it holds only characters that take no room on the "
            "page; write it in a few words"
        )
    if len(value) > limit:
        raise AnswerError(f"the {what} is {len(value)} characters long; keep it to {limit}")
    return value


def title(answer: str) -> str:
    return text(answer, "title", MAX_TITLE)


def name(answer: str, what: str) -> str:
    return text(answer, what, MAX_NAME)


def summary(answer: str) -> str:
    return text(answer, "summary", MAX_SUMMARY, one_line=False) if answer.strip() else ""


# Plain words people use for who is writing, besides the ids, numbers and labels.
_PERSPECTIVE_WORDS = {
    "both": "joint",
    "together": "joint",
    "su": "students-union",
    "union": "students-union",
    "students union": "students-union",
    "student union": "students-union",
    "university": "institution",
    "college": "institution",
}


def _plain_words(text: str) -> str:
    """Lowercase words without apostrophes, hyphens or brackets: "Students' union" and
    "students-union" both read "students union"."""
    return " ".join(re.sub(r"['’()]", "", text.casefold()).replace("-", " ").split())


def perspective(answer: str) -> str:
    """An id (joint), a number from the list (1), the label ("Students' union") or a plain
    word for it (su, union, university, both)."""
    value = readable(answer, "perspective").strip()
    ids = list(PERSPECTIVES)
    words = dict(_PERSPECTIVE_WORDS)
    for number, (key, label) in enumerate(PERSPECTIVES.items(), start=1):
        words.update({_plain_words(key): key, str(number): key, _plain_words(label): key})
    if _plain_words(value) in words:
        return words[_plain_words(value)]
    hint = did_you_mean(value, ids) or f"; choose {one_of(ids)}"
    raise AnswerError(f"unknown perspective {quoted(value)}{hint}")


def date(answer: str, today: dt.date) -> dt.date:
    value = readable(answer, "date").strip()
    problem = date_problem(value)
    if problem:
        raise AnswerError(problem)
    day = dt.date.fromisoformat(value)
    if day > today:
        raise AnswerError(f"date {value} is in the future; use the day of the self-assessment")
    if problem := early_problem(day):
        raise AnswerError(problem)
    return day


def shared_day(date: dt.date, today: dt.date) -> dt.date:
    """The day a story is shared: this machine's today, not the latest anywhere (`today`,
    which in Britain is tomorrow from 10 a.m.), but never before the story's own date (a
    self-assessment made today in New Zealand) nor after `today`."""
    return max(date, min(today, dt.date.today()))


def sub_element(answer: str, rubric: Rubric) -> SubElement:
    """An id (trust) or the name (Developing trust), in any case; an id a sub-element had
    before it was renamed (the rubric's `formerly`) gives that sub-element."""
    value = readable(answer, "sub-element").strip()
    for sub in rubric.sub_elements:
        if value.casefold() in (sub.id, sub.name.casefold()):
            return sub
    if value.casefold() in rubric.renamed:
        return rubric.renamed[value.casefold()]
    ids = [s.id for s in rubric.sub_elements]
    hint = did_you_mean(value, ids) or f"; choose one of: {', '.join(ids)}"
    raise AnswerError(f"unknown sub-element '{value}'{hint}")


def stage(answer: str, rubric: Rubric) -> Stage:
    """A number (2), a name (Developing, best practice) or both ("2 Developing")."""
    value = " ".join(re.split(r"[\s_\-–—:.]+", readable(answer, "stage").strip().casefold()))
    value = value.strip()
    for s in rubric.stages:
        if value in (str(s.number), s.name.casefold(), f"{s.number} {s.name.casefold()}"):
            return s
    choices = one_of([f"{s.number} ({s.name})" for s in rubric.stages])
    raise AnswerError(f"unknown stage '{answer.strip()}'; choose {choices}")


def assessment(answer: str, rubric: Rubric) -> Assessment:
    """SUB_ELEMENT=STAGE, as given to --assess."""
    sub, equals, where = readable(answer, "assessment").partition("=")
    if not equals:
        raise AnswerError(
            f"'{answer}' is not SUB_ELEMENT=STAGE; write it like trust=2 or trust=Developing"
        )
    return Assessment(sub_element(sub, rubric), stage(where, rubric))


def distinct(assessments: list[Assessment]) -> tuple[Assessment, ...]:
    """The assessments in rubric order; AnswerError if a sub-element is given twice."""
    seen: dict[str, Assessment] = {}
    for a in assessments:
        if a.sub_element.id in seen:
            raise AnswerError(f"sub-element '{a.sub_element.id}' is given twice; keep one stage")
        seen[a.sub_element.id] = a
    if not seen:
        raise AnswerError("choose at least one sub-element and its stage")
    return tuple(seen.values())


def tags(answer: str) -> tuple[str, ...]:
    """Topics separated by commas; each must be a lowercase, hyphenated word. AnswerError
    names the first bad one; tag_problems names them all."""
    problems = tag_problems(answer)
    if problems:
        raise AnswerError(problems[0])
    return tuple(dict.fromkeys(t.strip() for t in answer.split(",") if t.strip()))


def tag_problems(answer: str) -> list[str]:
    """What is wrong with each topic in a comma-separated answer, one message per bad topic."""
    try:
        readable(answer, "list of topics")
    except AnswerError as error:
        return [str(error)]
    problems = []
    for tag in dict.fromkeys(t.strip() for t in answer.split(",")):
        if tag and (problem := tag_problem(tag)):
            problems.append(problem)
    return problems


def contributors(answer: str) -> tuple[Contributor, ...]:
    """One person a line: their name, then a comma and their role if they want one."""
    people = []
    for line in answer.splitlines():
        if not line.strip():
            continue
        who, _, role = line.partition(",")
        people.append(
            Contributor(name(who, "contributor's name"), name(role, "role") if role.strip() else "")
        )
    return tuple(people)
