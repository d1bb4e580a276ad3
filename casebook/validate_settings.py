"""Validation of the two files maintainers edit: site.yaml and the rubric."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import Any

from .load import YamlSource
from .model import (
    PER_PAGE,
    Commitment,
    Licence,
    Rewording,
    Rubric,
    RubricVersion,
    Site,
    Stage,
    SubElement,
)
from .problems import Problem, one_of
from .slugs import MAX_TAG, is_slug
from .urls import normalise_base_url
from .yamlfields import Fields, kind, not_a_slug, sub_element_problem
from .yamltext import is_date

_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*\Z")
_URL = re.compile(r"https?://[^\s<>\"']+\Z")
_SITE_FIELDS = ("title", "tagline", "description", "base_url", "repository_url", "language")
_LICENCE_EXAMPLE = (
    'licence: {name: "CC BY 4.0", url: "https://creativecommons.org/licenses/by/4.0/"}'
)
_SITE_OPTIONAL = ("contact", "topics")
_EMAIL = re.compile(r"[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\Z")
_RUBRIC_FIELDS = (
    "title",
    "short_title",
    "makers",
    "authors",
    "introduction",
    "how_it_works",
    "version",
    "changelog",
    "stages",
    "commitments",
)
# what each field of the rubric looks like, for a message that says one is missing
_RUBRIC_EXAMPLES = {
    "title": 'title: "The tool\'s full title"',
    "short_title": 'short_title: "A short name for it"',
    "makers": 'makers: ["The organisations that made it"]',
    "authors": 'authors: ["The people who wrote it"]',
    "introduction": 'introduction: ["A paragraph on what the tool is for"]',
    "how_it_works": 'how_it_works: ["A paragraph on how it is used"]',
    "version": 'version: "1.0"',
    "changelog": 'changelog: [{version: "1.0", changes: ["The tool as first published."]}]',
    "stages": 'stages: [{number: 1, name: "Early stages"}, {number: 2, name: "Developing"}]',
    "commitments": "commitments: [{id: partnership, number: 1, name: Partnership, question: "
    '"…", summary: "…", sub_elements: [{id: trust, letter: a, name: Developing trust, '
    'descriptors: ["…", "…"]}]}]',
}
_VERSION_EXAMPLES = {"version": 'version: "1.2"', "changes": 'changes: ["What changed."]'}
_REWORDING_FIELDS = ("sub_element", "stage", "text")
_REWORDING_EXAMPLES = {
    "sub_element": "sub_element: trust",
    "stage": "stage: 2",
    "text": 'text: "The words as they were before this version."',
}


def validate_site(source: YamlSource, problems: list[Problem]) -> Site | None:
    f = Fields(source.display, source.document, problems)
    before = len(problems)
    fields = (*_SITE_FIELDS, "licence")
    examples = {"licence": _LICENCE_EXAMPLE, "per_page": "per_page: 50"}
    allowed = (*fields, "per_page", *_SITE_OPTIONAL)
    data = f.mapping(source.document.value, (), allowed, fields, "site.yaml", examples)
    if data is None:
        return None
    licence = _licence(f, data["licence"])
    per_page = _per_page(f, data.get("per_page"))
    values = {k: f.text(data[k], (k,), k) for k in _SITE_FIELDS}
    contact = _contact(f, data.get("contact"))
    topics = _topics(f, data.get("topics"))
    base = values["base_url"]
    if base is not None:
        try:
            base = normalise_base_url(base)
        except ValueError as error:
            f.fail(("base_url",), f"'base_url' {error}")
    repository = values["repository_url"]
    if repository is not None and not (
        _URL.match(repository) and repository.startswith("https://")
    ):
        f.fail(("repository_url",), "'repository_url' must be a web address starting https://")
    language = values["language"]
    if language is not None and not _LANGUAGE.match(language):
        f.fail(("language",), f"'language' must be a language tag like en-GB, not '{language}'")
    if len(problems) > before:
        return None
    return Site(
        title=str(values["title"]),
        tagline=str(values["tagline"]),
        description=str(values["description"]),
        base_url=str(base),
        repository_url=str(repository).rstrip("/"),
        language=str(language),
        licence=licence or Licence("", ""),
        per_page=per_page or PER_PAGE,
        contact=contact or "",
        topic_names=topics,
    )


def _per_page(f: Fields, value: Any) -> int | None:
    """How many stories (or partnerships) one page of a long list shows; optional."""
    if value is None:
        return None
    number = f.whole_number(value, ("per_page",), "per_page")
    if number is not None and not 2 <= number <= 500:
        f.fail(("per_page",), f"'per_page' must be from 2 to 500, not {number}")
        return None
    return number


def _licence(f: Fields, value: Any) -> Licence | None:
    """The stories' licence: a name readers recognise and the web address of its text."""
    keys = ("name", "url")
    examples = {
        "name": 'name: "CC BY 4.0"',
        "url": 'url: "https://creativecommons.org/licenses/by/4.0/"',
    }
    data = f.mapping(value, ("licence",), keys, keys, "licence", examples)
    if data is None:
        return None
    name = f.text(data["name"], ("licence", "name"), "name", 200)
    url = f.text(data["url"], ("licence", "url"), "url", 500)
    if url is not None and not _URL.match(url):
        f.fail(
            ("licence", "url"),
            f"the licence 'url' must be a web address starting https://, not '{url}'",
        )
        return None
    return Licence(name, url) if name and url else None


def _topics(f: Fields, value: Any) -> tuple[tuple[str, str], ...]:
    """Names for topics that the words of their slug do not name well (ucas: UCAS); optional.
    Sorted by topic, so the same settings give the same site whatever their order."""
    if value is None:
        return ()
    example = 'topics: {ucas: UCAS, covid-19: "COVID-19"}'
    if not isinstance(value, dict):
        f.fail(("topics",), f"'topics' must be a set of fields, one per topic, like {example}")
        return ()
    names = []
    for key, name in value.items():
        tag = f.tag(str(key), ("topics", key))
        if tag is not None and (text := f.text(name, ("topics", key), tag, MAX_TAG)) is not None:
            names.append((tag, " ".join(text.split())))
    return tuple(sorted(names))


def _contact(f: Fields, value: Any) -> str | None:
    """How to reach a maintainer: an email address or a web address, or None."""
    if value is None:
        return None
    text = f.text(value, ("contact",), "contact")
    if text is None:
        return None
    if _EMAIL.match(text) or (_URL.match(text) and text.startswith("https://")):
        return text
    f.fail(
        ("contact",),
        f"'contact' must be an email address like stories@example.org or a web address "
        f"starting https://, not '{text}'",
    )
    return None


def validate_rubric(source: YamlSource, today: dt.date, problems: list[Problem]) -> Rubric | None:
    f = Fields(source.display, source.document, problems)
    before = len(problems)
    data = f.mapping(
        source.document.value, (), _RUBRIC_FIELDS, _RUBRIC_FIELDS, "the rubric", _RUBRIC_EXAMPLES
    )
    if data is None:
        return None
    stages = _stages(f, data["stages"])
    # as many descriptors as stages listed, a stage with a fault of its own included: else
    # that one fault is told again at every sub-element
    listed = len(data["stages"]) if isinstance(data["stages"], list) else len(stages)
    commitments = _commitments(f, data["commitments"], listed)
    written = _written(data["stages"], data["commitments"], stages)
    changelog, rewordings = _changelog(f, data["changelog"], today, written)
    version = f.text(data["version"], ("version",), "version")
    complete = isinstance(data["changelog"], list) and len(changelog) == len(data["changelog"])
    if version and complete and version != changelog[0].version:
        f.fail(
            ("version",),
            f"version '{version}' must be the first (newest) entry of the changelog, "
            f"which is '{changelog[0].version}'",
        )
    rubric = Rubric(
        title=f.text(data["title"], ("title",), "title") or "",
        short_title=f.text(data["short_title"], ("short_title",), "short_title") or "",
        makers=f.texts(data["makers"], ("makers",), "makers"),
        authors=f.texts(data["authors"], ("authors",), "authors"),
        introduction=f.texts(data["introduction"], ("introduction",), "introduction"),
        how_it_works=f.texts(data["how_it_works"], ("how_it_works",), "how_it_works"),
        version=version or "",
        changelog=changelog,
        stages=stages,
        commitments=commitments,
    )
    _same_words(f, rubric, rewordings)
    return None if len(problems) > before else rubric


@dataclass(frozen=True)
class _Written:
    """The rubric's sub-element ids and stages as written, valid or not, so that a changelog
    entry naming one is not refused for a fault of the sub-element or stage itself."""

    ids: tuple[str, ...]
    renamed: dict[str, str]  # a former id -> the id
    stages: int
    choices: str  # the stages, for a message


def _written(stages_value: Any, commitments_value: Any, stages: tuple[Stage, ...]) -> _Written:
    ids: list[str] = []
    renamed: dict[str, str] = {}
    for commitment in commitments_value if isinstance(commitments_value, list) else ():
        subs = commitment.get("sub_elements") if isinstance(commitment, dict) else None
        for sub in subs if isinstance(subs, list) else ():
            sid = sub.get("id") if isinstance(sub, dict) else None
            if isinstance(sid, str):
                ids.append(sid)
                formerly = sub.get("formerly")
                for old in formerly if isinstance(formerly, list) else ():
                    if isinstance(old, str):
                        renamed[old] = sid
    count = len(stages_value) if isinstance(stages_value, list) else 0
    if len(stages) == count:
        choices = one_of([f"{s.number} ({s.name})" for s in stages])
    else:
        choices = one_of([str(n) for n in range(1, count + 1)])
    return _Written(tuple(ids), renamed, count, choices)


# where a reworded descriptor is in the rubric file, the version that reworded it, and it
_Located = tuple[tuple[str | int, ...], str, Rewording]


def _same_words(f: Fields, rubric: Rubric, rewordings: list[_Located]) -> None:
    """Words a version replaced must differ from the words it gave (the same are the new
    words, copied by mistake, or a descriptor not yet changed), and be closer to them than
    to another stage's new words (else they are filed under the wrong stage). Told for every
    descriptor the rubric has, whatever else is wrong with it."""
    versions = {v.version for v in rubric.changelog}
    subs = {sub.id: sub for sub in rubric.sub_elements}
    in_version: dict[str, dict[tuple[str, int], str]] = {}  # every stage's words in a version
    for path, version, rewording in rewordings:
        sub = subs.get(rewording.sub_element_id)
        if version not in versions or sub is None or rewording.stage > len(sub.descriptors):
            continue
        before = " ".join(rewording.before.split())
        if version not in in_version:
            in_version[version] = {
                (other.id, n): " ".join(rubric.wording(other.id, n, version).split())
                for other in rubric.sub_elements
                for n in range(1, len(other.descriptors) + 1)
            }
        words = in_version[version]
        after = words[(sub.id, rewording.stage)]
        if before == after:
            f.fail(
                (*path, "text"),
                f"these are the words version '{version}' gives {sub.id}, stage "
                f"{rewording.stage}: change that descriptor to the new words, and under "
                "'replaced' give the words it had before",
            )
            continue
        closest, place = max((_likeness(before, text), place) for place, text in words.items())
        if place != (sub.id, rewording.stage) and closest > _likeness(before, after):
            f.fail(
                (*path, "stage"),
                f"these words are nearly those version '{version}' gives {place[0]}, stage "
                f"{place[1]}, not {sub.id}, stage {rewording.stage}; check 'sub_element' and "
                "'stage'",
            )


_CLOSE = 0.9  # words this alike are one descriptor, a few words changed


def _likeness(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < _CLOSE or matcher.quick_ratio() < _CLOSE:
        return 0.0
    return matcher.ratio()


def _version_number(version: str) -> tuple[int, ...] | None:
    """1.10 as (1, 10), to compare versions; None for what is not numbers and dots."""
    if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)*", version):
        return None
    return tuple(int(part) for part in version.split("."))


def _next_version(number: tuple[int, ...]) -> str:
    return ".".join(map(str, (*number[:-1], number[-1] + 1)))


def _stages(f: Fields, value: Any) -> tuple[Stage, ...]:
    if not isinstance(value, list) or not value:
        f.fail(("stages",), "'stages' must be a list of stages, each with number and name")
        return ()
    stages = []
    for i, item in enumerate(value):
        path = ("stages", i)
        data = f.mapping(item, path, ("number", "name"), ("number", "name"), "a stage")
        if data is None:
            continue
        number = f.whole_number(data["number"], (*path, "number"), "number")
        if number is not None and number != i + 1:
            f.fail(
                (*path, "number"), f"stages must be numbered 1, 2, 3... in order; expected {i + 1}"
            )
        name = f.text(data["name"], (*path, "name"), "name")
        twin = next((s for s in stages if name and s.name.casefold() == name.casefold()), None)
        if twin is not None:
            # a stage is also chosen by its name (new --assess time=Developed, the issue form)
            f.fail(
                (*path, "name"),
                f"stage name '{name}' is used twice, also by stage {twin.number}; give each "
                "stage a name of its own",
            )
        elif name:
            stages.append(Stage(i + 1, name))
    return tuple(stages)


def _commitments(f: Fields, value: Any, stage_count: int) -> tuple[Commitment, ...]:
    if not isinstance(value, list) or not value:
        f.fail(("commitments",), "'commitments' must be a list")
        return ()
    keys = ("id", "number", "name", "question", "summary", "sub_elements")
    commitments: list[Commitment] = []
    seen_ids: dict[str, int] = {}  # each id, and the line of its first use
    for i, item in enumerate(value):
        path: tuple[str | int, ...] = ("commitments", i)
        data = f.mapping(item, path, keys, keys, "a commitment")
        if data is None:
            continue
        cid = _id(f, data["id"], (*path, "id"), seen_ids)
        number = f.whole_number(data["number"], (*path, "number"), "number")
        if number is not None and number != i + 1:
            # a sub-element's code is its commitment's number and its letter (1a, 2c)
            f.fail(
                (*path, "number"),
                f"commitments must be numbered 1, 2, 3... in order; expected {i + 1}",
            )
        name = f.text(data["name"], (*path, "name"), "name")
        question = f.text(data["question"], (*path, "question"), "question")
        summary = f.text(data["summary"], (*path, "summary"), "summary", 5000)
        subs = data["sub_elements"]
        if not isinstance(subs, list) or not subs:
            f.fail((*path, "sub_elements"), "'sub_elements' must be a list")
            continue
        made = [
            (j, sub)
            for j, item in enumerate(subs)
            if cid
            and (
                sub := _sub_element(f, item, (*path, "sub_elements", j), cid, stage_count, seen_ids)
            )
        ]
        letters: dict[str, str] = {}
        for j, sub in made:
            if sub.letter in letters:
                f.fail(
                    (*path, "sub_elements", j, "letter"),
                    f"letter '{sub.letter}' is used twice in {name or cid}, also by "
                    f"'{letters[sub.letter]}'; give each sub-element a letter of its own",
                )
            letters.setdefault(sub.letter, sub.name)
        sub_elements = tuple(sub for _, sub in made)
        if cid and number is not None and name and question and summary:
            commitments.append(Commitment(cid, number, name, question, summary, sub_elements))
    return tuple(commitments)


def _sub_element(
    f: Fields, value: Any, path: tuple[str | int, ...], cid: str, stages: int, seen: dict[str, int]
) -> SubElement | None:
    keys = ("id", "letter", "name", "descriptors")
    data = f.mapping(value, path, (*keys, "formerly"), keys, "a sub-element")
    if data is None:
        return None
    sid = _id(f, data["id"], (*path, "id"), seen)
    formerly = _formerly(f, data.get("formerly", []), (*path, "formerly"), seen)
    name = f.text(data["name"], (*path, "name"), "name")
    letter = f.text(data["letter"], (*path, "letter"), "letter")
    descriptors = data["descriptors"]
    if not isinstance(descriptors, list) or len(descriptors) != stages:
        found = f"{len(descriptors)} found" if isinstance(descriptors, list) else "not a list"
        f.fail(
            (*path, "descriptors"),
            f"'descriptors' must list one text for each of the {stages} stages ({found})",
        )
        return None
    texts = f.texts(descriptors, (*path, "descriptors"), "descriptor")
    if sid and name and letter and len(texts) == stages and formerly is not None:
        return SubElement(sid, letter, name, cid, texts, formerly)
    return None


def _formerly(
    f: Fields, value: Any, path: tuple[str | int, ...], seen: dict[str, int]
) -> tuple[str, ...] | None:
    """The ids a sub-element had before it was renamed: each is unique in the rubric, as an
    id is, since its old addresses redirect to this sub-element's pages."""
    if not isinstance(value, list):
        f.fail(
            path,
            "'formerly' must list the ids this sub-element had before, "
            "for example: formerly: [working-together]",
        )
        return None
    ids = [_id(f, old, (*path, i), seen) for i, old in enumerate(value)]
    return tuple(ids) if all(ids) else None  # type: ignore[arg-type]


def _id(f: Fields, value: Any, path: tuple[str | int, ...], seen: dict[str, int]) -> str | None:
    """The id, unless it is not one or is used already (seen: each id and its first line,
    a former id's too)."""
    if not isinstance(value, str):
        f.fail(path, f"an id is lowercase letters, digits and hyphens, not {kind(value)}")
        return None
    if not is_slug(value):
        f.fail(path, not_a_slug("id", value))
        return None
    if value in seen:
        f.fail(
            path,
            f"id '{value}' is used twice in the rubric, also at line {seen[value]}; "
            "ids must be unique",
        )
        return None
    seen[value] = f.doc.line(*path)
    return value


def _changelog(
    f: Fields, value: Any, today: dt.date, written: _Written
) -> tuple[tuple[RubricVersion, ...], list[_Located]]:
    """The versions, newest first: each numbered higher than the one below it and dated no
    earlier (only the oldest may have no date), so that a story's date tells its version;
    and where each descriptor a version reworded is in the file."""
    if not isinstance(value, list) or not value:
        f.fail(("changelog",), "'changelog' must be a list of versions, newest first")
        return (), []
    versions = []
    rewordings: list[_Located] = []
    below: dict[int, tuple[str, tuple[int, ...] | None, Any]] = {}  # each entry, as read
    for i, item in enumerate(value):
        path = ("changelog", i)
        keys = ("version", "date", "changes", "replaced")
        data = f.mapping(item, path, keys, ("version", "changes"), "a version", _VERSION_EXAMPLES)
        if data is None:
            continue
        version = f.text(data["version"], (*path, "version"), "version")
        number = _version_number(version) if version else None
        if version and number is None:
            f.fail((*path, "version"), f"version '{version}' must be numbers and dots, like 1.2")
        date = data.get("date")
        if date is not None and not is_date(date):
            f.fail((*path, "date"), "a version's 'date' must be a date like 2026-11-22")
            date = None
        elif date is not None and date > today:
            f.fail(
                (*path, "date"),
                f"version date {date} is in the future; give the day this wording came into "
                "use, today or earlier",
            )
            date = None
        elif date is None and i < len(value) - 1 and version:
            f.fail(
                path,
                f"version '{version}' has no date; add the day it came into use, such as "
                f"'date: {today.isoformat()}' (only the oldest version may have none)",
            )
        changes = f.texts(data["changes"], (*path, "changes"), "changes", 2000)
        located = _replaced(f, data.get("replaced", []), (*path, "replaced"), written)
        if i == len(value) - 1 and data.get("replaced") not in (None, []):
            f.fail(
                (*path, "replaced"),
                f"version '{version or i + 1}' is the oldest, so it replaced no earlier words; "
                "list under 'replaced' only in the version that changed them",
            )
        if version:
            below[i] = (version, number, date)
            versions.append(RubricVersion(version, date, changes, tuple(r for _, r in located)))
            if i < len(value) - 1:
                rewordings += [(where, version, r) for where, r in located]
    for i, (version, number, date) in below.items():
        if i + 1 not in below:
            continue
        older, older_number, older_date = below[i + 1]
        where = ("changelog", i, "version")
        if number is not None and number == older_number:
            f.fail(
                where,
                f"version '{version}' is in the changelog twice; number the newer "
                f"entry higher, such as '{_next_version(number)}'",
            )
        elif number is not None and older_number is not None and number < older_number:
            f.fail(
                where,
                f"version '{version}' must be higher than version '{older}' below it; the "
                "changelog lists versions newest first",
            )
        if date is not None and older_date is not None and date < older_date:
            f.fail(
                ("changelog", i, "date"),
                f"version '{version}' is dated {date}, before version '{older}' "
                f"({older_date}) below it; the changelog lists versions newest first",
            )
    return tuple(versions), rewordings


def _replaced(
    f: Fields, value: Any, path: tuple[str | int, ...], written: _Written
) -> list[tuple[tuple[str | int, ...], Rewording]]:
    """The descriptors a version reworded, each with the words it had before, and where
    each is in the file."""
    if not isinstance(value, list):
        f.fail(
            path,
            "'replaced' must list the descriptors this version reworded, each with "
            "sub_element, stage and text (the words before)",
        )
        return []
    found: list[tuple[tuple[str | int, ...], Rewording]] = []
    seen: dict[tuple[str, int], int] = {}
    for j, item in enumerate(value):
        where = (*path, j)
        fields = _REWORDING_FIELDS
        data = f.mapping(item, where, fields, fields, "a reworded descriptor", _REWORDING_EXAMPLES)
        if data is None:
            continue
        sub_id = data["sub_element"]
        if not isinstance(sub_id, str):
            f.fail((*where, "sub_element"), f"sub_element must be an id, not {kind(sub_id)}")
            sub_id = None
        elif problem := sub_element_problem(sub_id, written.ids, written.renamed):
            f.fail((*where, "sub_element"), problem)
            sub_id = None
        stage = f.whole_number(data["stage"], (*where, "stage"), "stage", written.choices)
        if stage is not None and not 1 <= stage <= written.stages:
            f.fail((*where, "stage"), f"stage {stage} is out of range; choose {written.choices}")
            stage = None
        text = f.text(data["text"], (*where, "text"), "text", 5000)
        if sub_id is None or stage is None or text is None:
            continue
        if (sub_id, stage) in seen:
            f.fail(
                where,
                f"{sub_id}, stage {stage} is listed twice in this version (also on line "
                f"{seen[(sub_id, stage)]}); give the words it had before once",
            )
            continue
        seen[(sub_id, stage)] = f.doc.line(*where)
        found.append((where, Rewording(sub_id, stage, text)))
    return found
