"""The facets a reader narrows stories by: commitment, sub-element, stage, perspective, year, tag.

One definition feeds both the search index (Pagefind filters, by name) and the stories index
filters (data attributes and URL query, by id), so the two always offer the same choices.

Commitment, sub-element and stage describe one assessment together: a story at Impact and
evaluation 3 and Funding and facilities 4 is not at Impact and evaluation 4. So beside each
facet's options, a page carries its assessments as "commitment/sub-element/stage" ids (the
"assessment" values; ids are slugs and stage numbers, so "/" never occurs in one), and the
scripts match the chosen commitments, sub-elements and stages against those, one assessment
at a time (templates/static/facets.js).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .model import PERSPECTIVES, Casebook, Partnership, Rubric, Site, Stage, Story, SubElement


@dataclass(frozen=True, order=True)
class Option:
    """One choice of a facet: value is its id (URL, data attribute), label its name."""

    value: str
    label: str


@dataclass(frozen=True)
class Facet:
    key: str  # the URL query name and data attribute suffix
    legend: str
    options: tuple[Option, ...]


LEGENDS = {
    "commitment": "Commitment",
    "sub-element": "Sub-element",
    "stage": "Stage",
    "perspective": "Written by",
    "year": "Year",
    "tag": "Topic",
}
KEYS = tuple(LEGENDS)
ASSESSMENT = "assessment"  # not a facet of its own: what the first three are chosen within
VALUE_KEYS = (*KEYS, ASSESSMENT)
Values = dict[str, tuple[Option, ...]]


def _stage(stage: Stage) -> Option:
    return Option(str(stage.number), stage.name)


def _sub_element(sub: SubElement) -> Option:
    return Option(sub.id, sub.name)


def _commitment(rubric: Rubric, sub: SubElement) -> Option:
    commitment = rubric.commitment(sub.commitment_id)
    return Option(commitment.id, commitment.name)


def _perspective(perspective: str) -> Option:
    return Option(perspective, PERSPECTIVES[perspective])


def _year(year: int) -> Option:
    return Option(str(year), str(year))


def _tag(site: Site, tag: str) -> Option:
    return Option(tag, site.topic_name(tag))


def _assessment(sub: SubElement, stage: Stage) -> Option:
    ids = f"{sub.commitment_id}/{sub.id}/{stage.number}"
    return Option(ids, ids)


def story_values(rubric: Rubric, site: Site, story: Story) -> Values:
    """The options this story belongs to, for every facet (possibly none for tags)."""
    subs = [a.sub_element for a in story.assessments]
    return {
        "commitment": _unique(_commitment(rubric, sub) for sub in subs),
        "sub-element": _unique(_sub_element(sub) for sub in subs),
        "stage": _unique(_stage(a.stage) for a in story.assessments),
        "perspective": (_perspective(story.perspective),),
        "year": (_year(story.date.year),),
        "tag": tuple(_tag(site, tag) for tag in story.tags),
        ASSESSMENT: _unique(_assessment(a.sub_element, a.stage) for a in story.assessments),
    }


def cell_values(rubric: Rubric, sub: SubElement, stage: Stage) -> Values:
    """A stage of a sub-element in the tool: no perspective, year or topic of its own."""
    return {
        "commitment": (_commitment(rubric, sub),),
        "sub-element": (_sub_element(sub),),
        "stage": (_stage(stage),),
        "perspective": (),
        "year": (),
        "tag": (),
        ASSESSMENT: (_assessment(sub, stage),),
    }


def partnership_values(book: Casebook, site: Site, partnership: Partnership) -> Values:
    """Everything any of the partnership's stories belongs to."""
    rubric = book.rubric
    return merge(rubric, [story_values(rubric, site, s) for s in book.journey_dates(partnership)])


def merge(rubric: Rubric, values: Iterable[Values]) -> Values:
    gathered: dict[str, set[Option]] = {key: set() for key in VALUE_KEYS}
    for one in values:
        for key, options in one.items():
            gathered[key].update(options)
    return {key: _in_order(rubric, key, gathered[key]) for key in VALUE_KEYS}


def gathered(book: Casebook) -> dict[str, set[Option]]:
    """Every option some published story belongs to, by facet: what merging each story's
    story_values gives, without making them (at 10,000 stories that took half a second)."""
    subs: dict[str, SubElement] = {}
    stages: dict[int, Stage] = {}
    perspectives: set[str] = set()
    years: set[int] = set()
    tags: set[str] = set()
    for story in book.stories:
        for a in story.assessments:
            subs[a.sub_element.id] = a.sub_element
            stages[a.stage.number] = a.stage
        perspectives.add(story.perspective)
        years.add(story.date.year)
        tags.update(story.tags)
    return {
        "commitment": {_commitment(book.rubric, sub) for sub in subs.values()},
        "sub-element": {_sub_element(sub) for sub in subs.values()},
        "stage": {_stage(stage) for stage in stages.values()},
        "perspective": set(map(_perspective, perspectives)),
        "year": set(map(_year, years)),
        "tag": {_tag(book.site, tag) for tag in tags},
    }


def story_facets(
    book: Casebook, options: dict[str, set[Option]] | None = None
) -> tuple[Facet, ...]:
    """The facets of the stories index: only choices some published story has. options: as
    gathered gives them, if already made."""
    found = gathered(book) if options is None else options
    return tuple(
        Facet(key, LEGENDS[key], _in_order(book.rubric, key, found[key]))
        for key in KEYS
        if found[key]
    )


def search_facets(
    book: Casebook, options: dict[str, set[Option]] | None = None
) -> tuple[Facet, ...]:
    """The facets of the search page: the whole tool, and what the stories add. options: as
    gathered gives them, if already made."""
    rubric = book.rubric
    whole_tool = [
        cell_values(rubric, sub, stage) for sub in rubric.sub_elements for stage in rubric.stages
    ]
    stories = gathered(book) if options is None else options
    merged = merge(rubric, [*whole_tool, {key: tuple(found) for key, found in stories.items()}])
    return tuple(Facet(key, LEGENDS[key], merged[key]) for key in KEYS if merged[key])


def _in_order(rubric: Rubric, key: str, options: set[Option]) -> tuple[Option, ...]:
    """The rubric's own order for its parts, the usual order for the rest; newest year first."""
    if key == "commitment":
        order = [c.id for c in rubric.commitments]
    elif key == "sub-element":
        order = [s.id for s in rubric.sub_elements]
    elif key == "stage":
        order = [str(s.number) for s in rubric.stages]
    elif key == "perspective":
        order = list(PERSPECTIVES)
    elif key == "year":
        return tuple(sorted(options, reverse=True))
    else:
        return tuple(sorted(options))
    return tuple(sorted(options, key=lambda o: order.index(o.value)))


def _unique(options: Iterable[Option]) -> tuple[Option, ...]:
    return tuple(dict.fromkeys(options))


def template_functions(book: Casebook, site: Site) -> dict[str, object]:
    """What the templates call to mark pages for the search index and the stories filters.
    site: the site settings, given apart from the book, which may be a WatchedBook."""
    return {
        "story_values": lambda story: story_values(book.rubric, site, story),
        "cell_values": lambda sub, stage: cell_values(book.rubric, sub, stage),
        "partnership_values": lambda partnership: partnership_values(book, site, partnership),
    }
