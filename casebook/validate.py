"""Step 2: check what load read against the rubric and build the immutable model.

Every problem in every file is collected, each with its file and line and a way to fix it;
then, if there were any, one ContentError carries them all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from typing import Any

from .load import LoadedContent, StorySource, YamlSource
from .model import (
    Assessment,
    Casebook,
    Commitment,
    Contributor,
    Partnership,
    Rubric,
    RubricVersion,
    Site,
    Stage,
    Story,
    SubElement,
)
from .problems import ContentError, Problem, did_you_mean, one_of
from .storyfields import (
    ASSESSMENT_FIELDS,
    CONTRIBUTOR_FIELDS,
    FIELD_NAMES,
    MAX_ASSESSMENTS,
    MAX_TITLE,
    PARTNERSHIP_FIELDS,
    PERSPECTIVE_IDS,
    SLUG_PATTERN,
    STORY_FIELDS,
)
from .urls import normalise_base_url
from .yamltext import InvalidDate, YamlDocument, is_date

_SLUG = re.compile(SLUG_PATTERN + r"\Z")
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*\Z")
_URL = re.compile(r"https?://[^\s<>\"']+\Z")


class _Fields:
    """Typed reads from one YAML document, each failure recorded with its line."""

    def __init__(self, display: str, doc: YamlDocument, problems: list[Problem]) -> None:
        self.display = display
        self.doc = doc
        self.problems = problems

    def fail(self, path: tuple[str | int, ...], message: str) -> None:
        self.problems.append(Problem(self.display, self.doc.line(*path), message))

    def mapping(
        self,
        value: Any,
        path: tuple[str | int, ...],
        allowed: tuple[str, ...],
        required: tuple[str, ...],
        what: str,
        examples: dict[str, str] | None = None,
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            listed = one_of(list(allowed)).replace(" or ", " and ")
            self.fail(path, f"{what} must be a set of fields ({listed}), not {_kind(value)}")
            return None
        ok = True
        suggested = set()
        for key in value:
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                suggested.add(hint.split("'")[1] if hint else "")
                hint = hint or f"; {what} can have: {', '.join(allowed)}"
                self.fail((*path, key), f"unknown field '{key}'{hint}")
                ok = False
        for key in required:
            if key in suggested:
                continue  # the unknown field's did-you-mean already names it
            if key not in value or value[key] is None:
                example = (examples or {}).get(key, f"{key}: ...")
                where = f" to {what}" if path else ""
                self.fail(path, f"missing field '{key}'; add it{where}, for example: {example}")
                ok = False
        return value if ok else None

    def text(
        self, value: Any, path: tuple[str | int, ...], name: str, limit: int = 2000
    ) -> str | None:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(path, f"'{name}' must be text, not {_kind(value)}")
            return None
        text = str(value).strip()
        if not text:
            self.fail(path, f"'{name}' is empty; write something or remove the field")
            return None
        if _FORBIDDEN_CHARS.search(text):
            self.fail(
                path,
                f"'{name}' contains an invisible control or text-direction character; "
                "retype it as plain text",
            )
            return None
        if len(text) > limit:
            self.fail(path, f"'{name}' is {len(text)} characters long; keep it to {limit}")
            return None
        return text

    def flag(self, value: Any, path: tuple[str | int, ...], name: str) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(path, f"'{name}' must be true or false, not '{value}'")
            return False
        return value


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, dict):
        return "a set of fields"
    if isinstance(value, list):
        return "a list"
    return f"'{value}'"


def validate(loaded: LoadedContent, *, today: dt.date, drafts: bool = False) -> Casebook:
    """The model of the whole site, or ContentError with every problem in content/."""
    problems = list(loaded.problems)
    site = _validate_site(loaded.site, problems) if loaded.site else None
    rubric = _validate_rubric(loaded.rubric, problems) if loaded.rubric else None
    stories: list[Story] = []
    if rubric is not None:
        stories = _validate_stories(loaded.stories, rubric, today, problems)
    if problems or site is None or rubric is None:
        raise ContentError(sorted(set(problems)))
    published = tuple(s for s in stories if drafts or not s.draft)
    return Casebook(site=site, rubric=rubric, stories=published)


# --- site.yaml ---------------------------------------------------------------------------

_SITE_FIELDS = ("title", "tagline", "description", "base_url", "repository_url", "language")


def _validate_site(source: YamlSource, problems: list[Problem]) -> Site | None:
    f = _Fields(source.display, source.document, problems)
    before = len(problems)
    data = f.mapping(source.document.value, (), _SITE_FIELDS, _SITE_FIELDS, "site.yaml")
    if data is None:
        return None
    values = {k: f.text(data[k], (k,), k) for k in _SITE_FIELDS}
    base = values["base_url"]
    if base is not None:
        try:
            base = normalise_base_url(base)
        except ValueError as error:
            f.fail(("base_url",), f"'base_url' {error}")
    repository = values["repository_url"]
    if repository is not None and not _URL.match(repository):
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
        repository_url=str(values["repository_url"]).rstrip("/"),
        language=str(language),
    )


# --- rubric.yaml -------------------------------------------------------------------------

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


def _validate_rubric(source: YamlSource, problems: list[Problem]) -> Rubric | None:
    f = _Fields(source.display, source.document, problems)
    before = len(problems)
    data = f.mapping(source.document.value, (), _RUBRIC_FIELDS, _RUBRIC_FIELDS, "the rubric")
    if data is None:
        return None

    def texts(key: str) -> tuple[str, ...]:
        items = data[key]
        if not isinstance(items, list) or not items:
            f.fail((key,), f"'{key}' must be a list of text")
            return ()
        return tuple(t for i, x in enumerate(items) if (t := f.text(x, (key, i), key, 5000)))

    stages = _rubric_stages(f, data["stages"])
    commitments = _rubric_commitments(f, data["commitments"], len(stages))
    changelog = _rubric_changelog(f, data["changelog"])
    version = f.text(data["version"], ("version",), "version")
    if version and changelog and version not in {v.version for v in changelog}:
        f.fail(("version",), f"version '{version}' has no entry in the changelog; add one")
    rubric = Rubric(
        title=f.text(data["title"], ("title",), "title") or "",
        short_title=f.text(data["short_title"], ("short_title",), "short_title") or "",
        makers=texts("makers"),
        authors=texts("authors"),
        introduction=texts("introduction"),
        how_it_works=texts("how_it_works"),
        version=version or "",
        changelog=changelog,
        stages=stages,
        commitments=commitments,
    )
    return None if len(problems) > before else rubric


def _rubric_stages(f: _Fields, value: Any) -> tuple[Stage, ...]:
    if not isinstance(value, list) or not value:
        f.fail(("stages",), "'stages' must be a list of stages, each with number and name")
        return ()
    stages = []
    for i, item in enumerate(value):
        path = ("stages", i)
        data = f.mapping(item, path, ("number", "name"), ("number", "name"), "a stage")
        if data is None:
            continue
        if data["number"] != i + 1:
            f.fail(
                (*path, "number"), f"stages must be numbered 1, 2, 3... in order; expected {i + 1}"
            )
        name = f.text(data["name"], (*path, "name"), "name")
        if name:
            stages.append(Stage(i + 1, name))
    return tuple(stages)


def _rubric_commitments(f: _Fields, value: Any, stage_count: int) -> tuple[Commitment, ...]:
    if not isinstance(value, list) or not value:
        f.fail(("commitments",), "'commitments' must be a list")
        return ()
    keys = ("id", "number", "name", "question", "summary", "sub_elements")
    commitments, seen_ids = [], set()
    for i, item in enumerate(value):
        path: tuple[str | int, ...] = ("commitments", i)
        data = f.mapping(item, path, keys, keys, "a commitment")
        if data is None:
            continue
        cid = _rubric_id(f, data["id"], (*path, "id"), seen_ids)
        subs = data["sub_elements"]
        if not isinstance(subs, list) or not subs:
            f.fail((*path, "sub_elements"), "'sub_elements' must be a list")
            continue
        sub_elements = []
        for j, sub in enumerate(subs):
            spath = (*path, "sub_elements", j)
            skeys = ("id", "letter", "name", "descriptors")
            sdata = f.mapping(sub, spath, skeys, skeys, "a sub-element")
            if sdata is None:
                continue
            sid = _rubric_id(f, sdata["id"], (*spath, "id"), seen_ids)
            descriptors = sdata["descriptors"]
            if not isinstance(descriptors, list) or len(descriptors) != stage_count:
                f.fail(
                    (*spath, "descriptors"),
                    f"'descriptors' must list one text for each of the {stage_count} stages",
                )
                continue
            texts = [
                f.text(d, (*spath, "descriptors", k), "descriptor", 5000)
                for k, d in enumerate(descriptors)
            ]
            name = f.text(sdata["name"], (*spath, "name"), "name")
            letter = f.text(sdata["letter"], (*spath, "letter"), "letter")
            if sid and cid and name and letter and all(texts):
                sub_elements.append(
                    SubElement(sid, letter, name, cid, tuple(t for t in texts if t))
                )
        number = data["number"]
        if isinstance(number, bool) or not isinstance(number, int):
            f.fail((*path, "number"), "'number' must be a whole number")
            continue
        name = f.text(data["name"], (*path, "name"), "name")
        question = f.text(data["question"], (*path, "question"), "question")
        summary = f.text(data["summary"], (*path, "summary"), "summary", 5000)
        if cid and name and question and summary:
            commitments.append(
                Commitment(cid, number, name, question, summary, tuple(sub_elements))
            )
    return tuple(commitments)


def _rubric_id(f: _Fields, value: Any, path: tuple[str | int, ...], seen: set[str]) -> str | None:
    if not isinstance(value, str) or not _SLUG.match(value):
        f.fail(path, "an id may use only lowercase letters, digits and hyphens")
        return None
    if value in seen:
        f.fail(path, f"id '{value}' is used twice in the rubric; ids must be unique")
        return None
    seen.add(value)
    return value


def _rubric_changelog(f: _Fields, value: Any) -> tuple[RubricVersion, ...]:
    if not isinstance(value, list) or not value:
        f.fail(("changelog",), "'changelog' must be a list of versions")
        return ()
    versions = []
    for i, item in enumerate(value):
        path = ("changelog", i)
        data = f.mapping(
            item, path, ("version", "date", "changes"), ("version", "changes"), "a version"
        )
        if data is None:
            continue
        version = f.text(data["version"], (*path, "version"), "version")
        date = data.get("date")
        if date is not None and not is_date(date):
            f.fail((*path, "date"), "a version's 'date' must be a date like 2026-11-22")
            date = None
        changes = data["changes"]
        if not isinstance(changes, list) or not changes:
            f.fail((*path, "changes"), "'changes' must be a list of text")
            continue
        texts = tuple(
            t for k, c in enumerate(changes) if (t := f.text(c, (*path, "changes", k), "change"))
        )
        if version:
            versions.append(RubricVersion(version, date, texts))
    return tuple(versions)


# --- stories -----------------------------------------------------------------------------

_EXAMPLES = {spec.name: spec.example.split("\n")[0] for spec in STORY_FIELDS}
_REQUIRED = tuple(spec.name for spec in STORY_FIELDS if spec.required)


def _validate_stories(
    sources: tuple[StorySource, ...], rubric: Rubric, today: dt.date, problems: list[Problem]
) -> list[Story]:
    stories: list[Story] = []
    by_slug: dict[str, StorySource] = {}
    partnerships: dict[str, tuple[Partnership, StorySource]] = {}
    for source in sources:
        if source.slug in by_slug:
            first = by_slug[source.slug]
            problems.append(
                Problem(
                    source.display,
                    0,
                    f"this story and {first.display} would both be published at "
                    f"/stories/{source.slug}/; rename one of them",
                )
            )
            continue
        by_slug[source.slug] = source
        story = _validate_story(source, rubric, today, problems)
        if story is None:
            continue
        p = story.partnership
        if p.slug in partnerships and partnerships[p.slug][0] != p:
            other, other_source = partnerships[p.slug]
            problems.append(
                Problem(
                    source.display,
                    source.front.line("partnership"),
                    f"partnership '{p.name}' is written differently in {other_source.display} "
                    f"('{other.name}'); write the names exactly the same way in both",
                )
            )
            continue
        partnerships.setdefault(p.slug, (p, source))
        stories.append(story)
    return stories


def _validate_story(
    source: StorySource, rubric: Rubric, today: dt.date, problems: list[Problem]
) -> Story | None:
    f = _Fields(source.display, source.front, problems)
    before = len(problems)
    data = f.mapping(source.front.value, (), FIELD_NAMES, _REQUIRED, "a story", _EXAMPLES)
    if data is None:
        if isinstance(source.front.value, dict):
            data = source.front.value  # still check the fields that are there
        else:
            return None

    def given(key: str) -> bool:
        return data.get(key) is not None

    title = f.text(data["title"], ("title",), "title", MAX_TITLE) if given("title") else None
    date = _story_date(f, data["date"], today) if given("date") else None
    partnership = _story_partnership(f, data["partnership"]) if given("partnership") else None
    perspective = _story_perspective(f, data["perspective"]) if given("perspective") else None
    assessments = _story_assessments(f, data["assessments"], rubric) if given("assessments") else ()
    summary = f.text(data["summary"], ("summary",), "summary", 1000) if data.get("summary") else ""
    contributors = _story_contributors(f, data.get("contributors"))
    tags = _story_tags(f, data.get("tags"))
    flags = {k: f.flag(data.get(k), (k,), k) for k in ("draft", "example", "anonymous")}
    if len(problems) > before or not (title and date and partnership and perspective):
        return None
    return Story(
        slug=source.slug,
        source=source.display,
        title=title,
        date=date,
        partnership=partnership,
        perspective=perspective,
        assessments=assessments,
        summary=summary or "",
        contributors=contributors,
        tags=tags,
        draft=flags["draft"],
        example=flags["example"],
        anonymous=flags["anonymous"],
        rubric_version=rubric.version_at(date),
        body=source.body,
        images=source.images,
    )


def _story_date(f: _Fields, value: Any, today: dt.date) -> dt.date | None:
    hint = "write it as YYYY-MM-DD, for example 2025-03-14"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            value = InvalidDate(value) if re.fullmatch(r"\d{4}-\d\d?-\d\d?", value) else value
    if isinstance(value, InvalidDate):
        f.fail(("date",), f"date '{value}' is not a real date; {hint}")
        return None
    if isinstance(value, dt.datetime):
        f.fail(("date",), f"date must be a day without a time; {hint}")
        return None
    if not is_date(value):
        f.fail(("date",), f"date {_kind(value)} is not a date; {hint}")
        return None
    if value > today:
        f.fail(
            ("date",),
            f"date {value.isoformat()} is in the future; use the date the self-assessment was made",
        )
        return None
    return value


def _story_partnership(f: _Fields, value: Any) -> Partnership | None:
    data = f.mapping(
        value,
        ("partnership",),
        PARTNERSHIP_FIELDS,
        PARTNERSHIP_FIELDS,
        "partnership",
        {
            "institution": "institution: Example University",
            "students_union": "students_union: Example Students' Union",
        },
    )
    if data is None:
        return None
    institution = f.text(data["institution"], ("partnership", "institution"), "institution", 200)
    union = f.text(data["students_union"], ("partnership", "students_union"), "students_union", 200)
    if not institution or not union:
        return None
    slug = slugify(f"{institution} {union}")
    if not slug:
        digest = hashlib.sha256(f"{institution}\n{union}".encode()).hexdigest()[:10]
        slug = f"partnership-{digest}"
    return Partnership(slug, institution, union)


def _story_perspective(f: _Fields, value: Any) -> str | None:
    if value in PERSPECTIVE_IDS:
        return str(value)
    hint = did_you_mean(str(value), PERSPECTIVE_IDS) or f"; choose {one_of(PERSPECTIVE_IDS)}"
    f.fail(("perspective",), f"unknown perspective {_kind(value)}{hint}")
    return None


def _story_assessments(f: _Fields, value: Any, rubric: Rubric) -> tuple[Assessment, ...]:
    if not isinstance(value, list) or not value:
        f.fail(
            ("assessments",),
            "'assessments' must be a list of one or more sub_element and stage pairs, "
            "for example:  - sub_element: trust  (next line)  stage: 2",
        )
        return ()
    if len(value) > MAX_ASSESSMENTS:
        f.fail(
            ("assessments",),
            f"a story can have at most {MAX_ASSESSMENTS} assessments, one per sub-element",
        )
        return ()
    ids = [s.id for s in rubric.sub_elements]
    stage_names = one_of([f"{s.number} ({s.name})" for s in rubric.stages])
    seen: dict[str, int] = {}
    result = []
    for i, item in enumerate(value):
        path: tuple[str | int, ...] = ("assessments", i)
        data = f.mapping(
            item,
            path,
            ASSESSMENT_FIELDS,
            ASSESSMENT_FIELDS,
            "an assessment",
            {"sub_element": "sub_element: trust", "stage": "stage: 2"},
        )
        if data is None:
            continue
        sub_id, stage = data["sub_element"], data["stage"]
        sub_ok = stage_ok = True
        if sub_id not in ids:
            hint = did_you_mean(str(sub_id), ids) or f"; choose one of: {', '.join(ids)}"
            f.fail((*path, "sub_element"), f"unknown sub_element {_kind(sub_id)}{hint}")
            sub_ok = False
        elif sub_id in seen:
            f.fail(
                (*path, "sub_element"),
                f"sub_element '{sub_id}' is assessed twice (also on line {seen[sub_id]}); "
                "keep one stage for it",
            )
            sub_ok = False
        else:
            seen[sub_id] = f.doc.line(*path, "sub_element")
        if isinstance(stage, bool) or not isinstance(stage, int):
            f.fail((*path, "stage"), f"stage must be a number; choose {stage_names}")
            stage_ok = False
        elif not 1 <= stage <= len(rubric.stages):
            f.fail((*path, "stage"), f"stage {stage} is out of range; choose {stage_names}")
            stage_ok = False
        if sub_ok and stage_ok:
            result.append(Assessment(rubric.sub_element(sub_id), rubric.stage(stage)))
    return tuple(result)


def _story_contributors(f: _Fields, value: Any) -> tuple[Contributor, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        f.fail(("contributors",), "'contributors' must be a list, each with a name and a role")
        return ()
    result = []
    for i, item in enumerate(value):
        path: tuple[str | int, ...] = ("contributors", i)
        if isinstance(item, str):
            name = f.text(item, path, "name", 200)
            if name:
                result.append(Contributor(name, ""))
            continue
        data = f.mapping(
            item, path, CONTRIBUTOR_FIELDS, ("name",), "a contributor", {"name": "name: A. Person"}
        )
        if data is None:
            continue
        name = f.text(data["name"], (*path, "name"), "name", 200)
        role = f.text(data["role"], (*path, "role"), "role", 200) if data.get("role") else ""
        if name and role is not None:
            result.append(Contributor(name, role))
    return tuple(result)


def _story_tags(f: _Fields, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        f.fail(("tags",), "'tags' must be a list, for example: tags: [data-sharing, outreach]")
        return ()
    tags = []
    for i, tag in enumerate(value):
        if not isinstance(tag, str) or not _SLUG.match(tag):
            suggestion = slugify(str(tag)) or "outreach"
            f.fail(
                ("tags", i),
                f"tag {_kind(tag)} may use only lowercase letters, digits and hyphens; "
                f"for example '{suggestion}'",
            )
        elif tag not in tags:
            tags.append(tag)
    return tuple(sorted(tags))


def slugify(text: str) -> str:
    """Lowercase ASCII letters, digits and hyphens, for URLs made from names."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    folded = re.sub(r"['’]", "", folded.lower())
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
