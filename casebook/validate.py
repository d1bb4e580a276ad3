"""Step 2: check what load read against the rubric and build the immutable model.

Every problem in every file is collected, each with its file and line and a way to fix it;
then, if there were any, one ContentError carries them all. site.yaml and the rubric are
checked in validate_settings; stories here.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from .anonymity import file_name_without, named_in_file_name, named_in_title
from .characters import FORBIDDEN_CHARS, FORBIDDEN_LINE, named
from .datewords import HINT, date_problem, early_problem
from .load import LoadedContent, StorySource
from .memo import Memo
from .model import Assessment, Casebook, Contributor, Partnership, Rubric, Story, StoryBody
from .problems import ContentError, Problem, did_you_mean, one_of, quoted
from .slugs import name_slug, slugify
from .storybody import body_problems
from .storyfields import (
    ASSESSMENT_FIELDS,
    CONTRIBUTOR_FIELDS,
    FIELD_NAMES,
    MAX_TITLE,
    PARTNERSHIP_FIELDS,
    PERSPECTIVE_IDS,
    STORY_FIELDS,
)
from .storytext import NEXT_HEADING, WHY_HEADING

if TYPE_CHECKING:
    from .story_cache import StoryCache
from .validate_settings import validate_rubric, validate_site
from .yamlfields import Fields, kind, sub_element_problem
from .yamltext import InvalidDate, is_date


def validate(
    loaded: LoadedContent,
    *,
    today: dt.date,
    drafts: bool = False,
    memo: Memo | None = None,
    kept: StoryCache | None = None,
) -> Casebook:
    """The model of the whole site, or ContentError with every problem in content/.

    With a memo (serve), or the build cache's stories (`kept`, given to load_content too), a
    story loaded from them is checked again only if the rubric or the date changed."""
    problems = list(loaded.problems)
    site = validate_site(loaded.site, problems) if loaded.site else None
    rubric = validate_rubric(loaded.rubric, today, problems) if loaded.rubric else None
    stories: list[Story] = []
    if rubric is not None:
        stories = _validate_stories(loaded.stories, rubric, today, problems, memo, kept)
    if problems or site is None or rubric is None:
        raise ContentError(sorted(set(problems)), tuple(stories), _failed(loaded, stories))
    published = tuple(s for s in stories if drafts or not s.draft)
    return Casebook(site=site, rubric=rubric, stories=published)


def _failed(loaded: LoadedContent, stories: list[Story]) -> tuple[StoryBody, ...]:
    """The bodies of the stories that did not pass (or were not checked, the rubric being
    broken), one for each address."""
    seen = {story.slug for story in stories}
    failed = []
    for source in loaded.stories:
        if source.slug not in seen:
            seen.add(source.slug)
            failed.append(
                StoryBody(source.slug, source.display, source.body, source.body_line, source.images)
            )
    return tuple(failed)


# --- stories -----------------------------------------------------------------------------

ANONYMOUS_CONTRIBUTORS = (
    "an anonymous story can't list contributors by name; remove contributors, "
    "or set anonymous: false"
)
_EXAMPLES = {spec.name: spec.example.split("\n")[0] for spec in STORY_FIELDS}
_REQUIRED = tuple(spec.name for spec in STORY_FIELDS if spec.required)


def _validate_stories(
    sources: tuple[StorySource, ...],
    rubric: Rubric,
    today: dt.date,
    problems: list[Problem],
    memo: Memo | None,
    kept: StoryCache | None = None,
) -> list[Story]:
    generation = memo.rubric_generation(rubric) if memo is not None else 0

    def check(source: StorySource) -> Story | None:
        if memo is None and kept is not None:
            step = lambda said: _validate_story(source, rubric, today, said)  # noqa: E731
            return kept.story(source, rubric, today, step, problems)
        if memo is None:
            return _validate_story(source, rubric, today, problems)
        # the value holds the source, so no other object can take its id while it is kept
        key = ("check", id(source), generation, today)
        return memo(
            key,
            lambda reported: (source, _validate_story(source, rubric, today, reported)),
            problems,
        )[1]

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
        story = check(source)
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
                    f"('{other.name}'): {_first_difference(p.name, other.name)}; write the "
                    "names exactly the same way in both",
                )
            )
            continue
        partnerships.setdefault(p.slug, (p, source))
        stories.append(story)
    return stories


def _validate_story(
    source: StorySource, rubric: Rubric, today: dt.date, problems: list[Problem]
) -> Story | None:
    f = Fields(source.display, source.front, problems)
    before = len(problems)
    _check_body(source, problems)
    if source.front.value is None:
        f.fail((), f"the front matter is empty; a story needs: {', '.join(_REQUIRED)}")
        return None
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
    shared = _story_shared(f, data["shared"], today, date) if given("shared") else None
    partnership = _story_partnership(f, data["partnership"]) if given("partnership") else None
    perspective = _story_perspective(f, data["perspective"]) if given("perspective") else None
    assessments = _story_assessments(f, data["assessments"], rubric) if given("assessments") else ()
    summary = (
        f.text(data["summary"], ("summary",), "summary", 1000) if _filled(data, "summary") else ""
    )
    contributors = _story_contributors(f, data.get("contributors"))
    tags = _story_tags(f, data.get("tags"))
    flags = {k: f.flag(data.get(k), (k,), k) for k in ("draft", "example", "anonymous")}
    if flags["anonymous"] and contributors:
        f.fail(("contributors",), ANONYMOUS_CONTRIBUTORS)
    if flags["anonymous"] and partnership is not None:
        _check_anonymous_names(f, source, title, partnership)
        _check_anonymous_tags(f, data.get("tags"), tags, partnership)
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
        body_line=source.body_line,
        images=source.images,
        shared=shared,
    )


def _check_anonymous_names(
    f: Fields, source: StorySource, title: str | None, partnership: Partnership
) -> None:
    """An anonymous story's file name and title may not name its partnership (anonymity.py)."""
    in_name = named_in_file_name(source.slug, partnership)
    if in_name:
        folder = source.display.endswith("/index.md")
        which = "folder" if folder else "file"
        better = file_name_without(source.slug, in_name) + ("" if folder else ".md")
        f.fail(
            ("anonymous",),
            f"the {which} name '{source.slug}' names the partnership ({_quoted(in_name)}), "
            f"but the story is anonymous and its {which} name is its address; rename the "
            f"{which}, for example to {better}",
        )
    in_title = named_in_title(title, partnership) if title else []
    if in_title:
        f.fail(
            ("title",),
            f"the title names the partnership ({_quoted(in_title)}), but the story is "
            "anonymous; leave the name out of the title",
        )


def _check_anonymous_tags(
    f: Fields, value: Any, tags: tuple[str, ...], partnership: Partnership
) -> None:
    """An anonymous story's topics may not name its partnership either: a topic's name is
    its page's address, and the story is listed on that page."""
    written = value if isinstance(value, list) else [value]
    for tag in tags:
        in_tag = named_in_file_name(tag, partnership)
        if not in_tag:
            continue
        at = next((i for i, item in enumerate(written) if item == tag), None)
        f.fail(
            ("tags",) if at is None or not isinstance(value, list) else ("tags", at),
            f"the tag '{tag}' names the partnership ({_quoted(in_tag)}), but the story is "
            "anonymous and the topic's page lists it; leave the tag out, or name the topic "
            "without the partnership's name",
        )


def _quoted(words: list[str]) -> str:
    return ", ".join(f"'{word}'" for word in words)


def _first_difference(here: str, there: str) -> str:
    """Where two names part, with each character named: a no-break space or a zero-width
    space looks like nothing, or like the space it replaced."""
    at = next((i for i, (a, b) in enumerate(zip(here, there, strict=False)) if a != b), None)
    if at is None:
        at = min(len(here), len(there))
        longer = "here" if len(here) > len(there) else "there"
        extra = (here if longer == "here" else there)[at]
        return f"after character {at}, {longer} has {_character(extra)} more"
    return f"character {at + 1} is {_character(here[at])} here and {_character(there[at])} there"


def _character(c: str) -> str:
    return f"'{c}'" if c.isascii() and c.isprintable() and c != " " else named(c)


def _filled(data: dict[str, Any], key: str) -> bool:
    """Whether an optional text field is filled in: left empty or written as '' it is not;
    written as 0, it is the text "0"."""
    return data.get(key) not in (None, "")


def _story_date(f: Fields, value: Any, today: dt.date) -> dt.date | None:
    day = _day(f, value, "date", today, "use the date the self-assessment was made")
    if day is None:
        return None
    if problem := early_problem(day):
        f.fail(("date",), problem)
        return None
    return day


def _story_shared(f: Fields, value: Any, today: dt.date, date: dt.date | None) -> dt.date | None:
    """The day the story was shared here: after its self-assessment, not after today."""
    fix = (
        "use the day the story is shared here: today's date, or the day it was shared if that "
        "was earlier"
    )
    day = _day(f, value, "shared", today, fix)
    if day is None:
        return None
    if date is not None and day < date:
        f.fail(
            ("shared",),
            f"shared {day.isoformat()} is before the story's date, {date.isoformat()} (the day "
            "of the self-assessment); a story is shared on that day or later, so use the day "
            "it is shared here",
        )
        return None
    return day


def _day(f: Fields, value: Any, name: str, today: dt.date, fix: str) -> dt.date | None:
    """The field's value as a day, not after today, or None with the problem said (fix: what
    to write instead of a day in the future)."""
    if isinstance(value, str):
        problem = date_problem(value, name)
        if problem:
            f.fail((name,), problem)
            return None
        value = dt.date.fromisoformat(value.strip())
    if isinstance(value, InvalidDate):
        said = date_problem(str(value), name) or f"{name} '{value}' is not a real date; {HINT}"
        f.fail((name,), said)
        return None
    if isinstance(value, dt.datetime):
        f.fail((name,), f"{name} must be a day without a time; {HINT}")
        return None
    if not is_date(value):
        f.fail((name,), f"{name} {kind(value)} is not a date; {HINT}")
        return None
    if value > today:
        f.fail((name,), f"{name} {value.isoformat()} is in the future; {fix}")
        return None
    return value


def _story_partnership(f: Fields, value: Any) -> Partnership | None:
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
    slug = name_slug(f"{institution} {union}")
    return Partnership(slug, institution, union)


def _story_perspective(f: Fields, value: Any) -> str | None:
    if value in PERSPECTIVE_IDS:
        return str(value)
    if isinstance(value, str):
        hint = did_you_mean(value, PERSPECTIVE_IDS) or f"; choose {one_of(PERSPECTIVE_IDS)}"
        f.fail(("perspective",), f"unknown perspective {quoted(value)}{hint}")
    else:
        f.fail(
            ("perspective",), f"perspective must be {one_of(PERSPECTIVE_IDS)}, not {kind(value)}"
        )
    return None


def _story_assessments(f: Fields, value: Any, rubric: Rubric) -> tuple[Assessment, ...]:
    if not isinstance(value, list) or not value:
        f.fail(
            ("assessments",),
            "'assessments' must be a list of one or more sub_element and stage pairs, "
            "for example:  - sub_element: trust  (next line)  stage: 2",
        )
        return ()
    if len(value) > len(rubric.sub_elements):
        f.fail(
            ("assessments",),
            f"a story can have at most {len(rubric.sub_elements)} assessments, one per sub-element",
        )
        return ()
    ids = [s.id for s in rubric.sub_elements]
    renamed = {old: sub.id for old, sub in rubric.renamed.items()}
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
        if problem := sub_element_problem(sub_id, ids, renamed):
            f.fail((*path, "sub_element"), problem)
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
        stage = f.whole_number(stage, (*path, "stage"), "stage", stage_names)
        if stage is None:
            stage_ok = False
        elif not 1 <= stage <= len(rubric.stages):
            f.fail((*path, "stage"), f"stage {stage} is out of range; choose {stage_names}")
            stage_ok = False
        if sub_ok and stage_ok:
            result.append(Assessment(rubric.sub_element(sub_id), rubric.stage(stage)))
    return tuple(result)


def _story_contributors(f: Fields, value: Any) -> tuple[Contributor, ...]:
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
        role = f.text(data["role"], (*path, "role"), "role", 200) if _filled(data, "role") else ""
        if name and role is not None:
            result.append(Contributor(name, role))
    return tuple(result)


def _story_tags(f: Fields, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) and "," in value:
        listed = ", ".join(slugify(tag) or "outreach" for tag in value.split(",") if tag.strip())
        f.fail(("tags",), f"write several topics as a list in brackets: tags: [{listed}]")
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        f.fail(("tags",), "'tags' must be a list, for example: tags: [data-sharing, outreach]")
        return ()
    tags = []
    for i, item in enumerate(value):
        if (tag := f.tag(item, ("tags", i))) is not None and tag not in tags:
            tags.append(tag)
    return tuple(sorted(tags))


def _check_body(source: StorySource, problems: list[Problem]) -> None:
    """A story with something to say (storybody), and no invisible control characters in
    its text, which would also break the feed."""
    for found in body_problems(source.body, source.body_line, (WHY_HEADING, NEXT_HEADING)):
        problems.append(Problem(source.display, found.line, found.message))
    for number, line in enumerate(source.body.split("\n"), start=source.body_line):
        if FORBIDDEN_CHARS.search(line.replace("\t", " ")):
            problems.append(Problem(source.display, number, FORBIDDEN_LINE))
