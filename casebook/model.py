"""The site's data, immutable once validated, with every index built once.

Templates and page functions read these objects; nothing here reads files or renders.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cached_property

from .slugs import topic_words


@dataclass(frozen=True)
class Stage:
    number: int
    name: str


@dataclass(frozen=True)
class SubElement:
    id: str
    letter: str
    name: str
    commitment_id: str
    descriptors: tuple[str, ...]
    formerly: tuple[str, ...] = ()  # ids it had before a rename; their addresses redirect

    def descriptor(self, stage: int) -> str:
        return self.descriptors[stage - 1]


@dataclass(frozen=True)
class Commitment:
    id: str
    number: int
    name: str
    question: str
    summary: str
    sub_elements: tuple[SubElement, ...]


@dataclass(frozen=True)
class Rewording:
    """One descriptor a version changed, with the words it had until then."""

    sub_element_id: str
    stage: int
    before: str


@dataclass(frozen=True)
class RubricVersion:
    version: str
    date: dt.date | None
    changes: tuple[str, ...]
    replaced: tuple[Rewording, ...] = ()  # the descriptors it reworded, as they read before


@dataclass(frozen=True)
class EarlierWords:
    """Words a descriptor had before a version changed them: those of versions `first` (the
    version that gave them, or the oldest) to `last`, replaced by `until` (which always has a
    date: only the oldest version may not)."""

    text: str
    first: RubricVersion
    last: RubricVersion
    until: RubricVersion


# The tool's words write WP and SU and never spell them out. Whatever quotes them says what
# they mean, in this sentence: the site's pages through the `abbreviations` macro in
# templates/macros.html (a global of the templates' environment), `new` and the issue form.
ABBREVIATIONS = "The tool writes WP for widening participation and SU for students’ union."


def typed(text: str) -> str:
    """The site's words with the straight apostrophe a keyboard types, for the places where
    they stand beside a contributor's typing: the terminal of `new` and the GitHub issue form
    (GitHub copies the form's labels and options into each issue, and the converter reads
    them back as they were written, so they keep the apostrophe they always had)."""
    return text.replace("’", "'")


@dataclass(frozen=True)
class Rubric:
    title: str
    short_title: str
    makers: tuple[str, ...]
    authors: tuple[str, ...]
    introduction: tuple[str, ...]
    how_it_works: tuple[str, ...]
    version: str
    changelog: tuple[RubricVersion, ...]
    stages: tuple[Stage, ...]
    commitments: tuple[Commitment, ...]

    @cached_property
    def sub_elements(self) -> tuple[SubElement, ...]:
        return tuple(s for c in self.commitments for s in c.sub_elements)

    @cached_property
    def _sub_elements_by_id(self) -> dict[str, SubElement]:
        return {s.id: s for s in self.sub_elements}

    def sub_element(self, sub_element_id: str) -> SubElement:
        return self._sub_elements_by_id[sub_element_id]

    @cached_property
    def renamed(self) -> dict[str, SubElement]:
        """A former sub-element id -> the sub-element that had it."""
        return {old: s for s in self.sub_elements for old in s.formerly}

    @cached_property
    def _commitments_by_id(self) -> dict[str, Commitment]:
        return {c.id: c for c in self.commitments}

    def commitment(self, commitment_id: str) -> Commitment:
        return self._commitments_by_id[commitment_id]

    def stage(self, number: int) -> Stage:
        return self.stages[number - 1]

    def version_at(self, date: dt.date) -> str:
        """The rubric version in force on date: the newest whose date is not after it (the
        changelog is newest first, dated in that order), else the oldest."""
        for version in self.changelog:
            if version.date is not None and version.date <= date:
                return version.version
        return self.changelog[-1].version if self.changelog else self.version

    @cached_property
    def _places(self) -> dict[str, int]:
        """Each version's place in the changelog, newest first (the newest is 0)."""
        return {v.version: place for place, v in reversed(list(enumerate(self.changelog)))}

    @cached_property
    def _rewordings(self) -> dict[tuple[str, int], list[tuple[int, Rewording]]]:
        """(sub-element id, stage) -> each rewording of it, newest first, with the place in
        the changelog (newest first) of the version that made it."""
        found: dict[tuple[str, int], list[tuple[int, Rewording]]] = defaultdict(list)
        for place, version in enumerate(self.changelog):
            for rewording in version.replaced:
                found[(rewording.sub_element_id, rewording.stage)].append((place, rewording))
        return dict(found)

    def wording(self, sub_element_id: str, stage: int, version: str) -> str:
        """A descriptor's words in a version: the words that the oldest later version to
        reword it replaced, else the words it has now."""
        text = self.sub_element(sub_element_id).descriptor(stage)
        place = self._places[version]
        for newer, rewording in self._rewordings.get((sub_element_id, stage), ()):
            if newer < place:
                text = rewording.before
        return text

    def words_then(self, story: Story) -> tuple[tuple[Assessment, str], ...]:
        """Each of the story's assessments whose descriptor has been reworded since the
        version it was assessed against, with the words of that version."""
        if not self._rewordings:  # the tool as first published: nothing to look up
            return ()
        return tuple(
            (a, then)
            for a in story.assessments
            if (then := self.wording(a.sub_element.id, a.stage.number, story.rubric_version))
            != a.sub_element.descriptor(a.stage.number)
        )

    def earlier_words(self, sub_element_id: str, stage: int) -> tuple[EarlierWords, ...]:
        """Every earlier wording of a descriptor, the latest first."""
        changes = self._rewordings.get((sub_element_id, stage), [])
        oldest = len(self.changelog) - 1
        return tuple(
            EarlierWords(
                text=rewording.before,
                first=self.changelog[changes[n + 1][0] if n + 1 < len(changes) else oldest],
                last=self.changelog[place + 1],
                until=self.changelog[place],
            )
            for n, (place, rewording) in enumerate(changes)
        )


@dataclass(frozen=True)
class Licence:
    """The licence stories are published under, shown on story pages and in the data files."""

    name: str
    url: str


PER_PAGE = 50


@dataclass(frozen=True)
class Site:
    title: str
    tagline: str
    description: str
    base_url: str
    repository_url: str
    language: str
    licence: Licence
    per_page: int = PER_PAGE  # items on one page of a long list (site.yaml per_page)
    contact: str = ""  # an email address or a web address; "" when site.yaml has none
    # topics' names where the words of the slug are not right: (("ucas", "UCAS"), ...)
    topic_names: tuple[tuple[str, str], ...] = ()

    @cached_property
    def _topic_names(self) -> dict[str, str]:
        return dict(self.topic_names)

    def topic_name(self, tag: str) -> str:
        """How readers see a topic: its name in site.yaml, else its slug's words."""
        return self._topic_names.get(tag) or topic_words(tag)

    @property
    def contact_href(self) -> str:
        """The contact as a link: mailto: for an email address."""
        return self.contact if self.contact.startswith("https://") else f"mailto:{self.contact}"


@dataclass(frozen=True)
class Partnership:
    slug: str
    institution: str
    students_union: str

    @property
    def name(self) -> str:
        return f"{self.institution} and {self.students_union}"


@dataclass(frozen=True)
class Assessment:
    sub_element: SubElement
    stage: Stage


@dataclass(frozen=True)
class Contributor:
    name: str
    role: str


@dataclass(frozen=True)
class StoryImage:
    """An image that sits beside a folder story and is copied next to its page."""

    name: str
    source: str


@dataclass(frozen=True)
class StoryBody:
    """A story that failed its checks, as much of it as rendering its body needs: so that
    the problems of its text (its pictures, say) are told with those of its fields."""

    slug: str
    source: str  # its file, as shown in messages
    body: str
    body_line: int
    images: tuple[StoryImage, ...]


@dataclass(frozen=True)
class Story:
    slug: str
    source: str
    title: str
    date: dt.date
    partnership: Partnership
    perspective: str
    assessments: tuple[Assessment, ...]
    summary: str
    contributors: tuple[Contributor, ...]
    tags: tuple[str, ...]
    draft: bool
    example: bool
    anonymous: bool
    rubric_version: str
    body: str
    body_line: int = 1
    images: tuple[StoryImage, ...] = ()
    shared: dt.date | None = None  # the day it was shared here, if the story says

    @property
    def news_date(self) -> dt.date:
        """The day the story was news: the day it was shared here, or failing that the day of
        its self-assessment (a story from before the field, or written by hand)."""
        return self.shared or self.date

    @property
    def shared_later(self) -> dt.date | None:
        """The day it was shared here, where that is not the day of its self-assessment (the
        story page and story cards say it then)."""
        return self.shared if self.shared != self.date else None

    @property
    def perspective_label(self) -> str:
        return PERSPECTIVES[self.perspective]

    @cached_property
    def front_matter_key(self) -> bytes:
        """A digest of all but the body: its front matter, place and images (page_cache keys
        every page by it). The story cache gives it back with a story it kept."""
        return hashlib.sha256(repr(replace(self, body="")).encode()).digest()

    def sort_key(self) -> tuple[dt.date, str]:
        return (self.date, self.slug)

    def news_key(self) -> tuple[dt.date, dt.date, str]:
        return (self.news_date, self.date, self.slug)


PERSPECTIVES = {
    "joint": "Joint (students’ union and institution)",
    "students-union": "Students’ union",
    "institution": "Institution",
}


@dataclass(frozen=True)
class MoveOn:
    """A partnership that later assessed the same sub-element at a higher stage."""

    earlier: Story
    later: Story
    to_stage: Stage

    @property
    def months(self) -> int:
        a, b = self.earlier.date, self.later.date
        return max(0, (b.year - a.year) * 12 + b.month - a.month)


@dataclass(frozen=True)
class Casebook:
    """The rubric and the published stories, with the indexes every page needs."""

    site: Site
    rubric: Rubric
    stories: tuple[Story, ...] = field(default=())

    @cached_property
    def newest_first(self) -> tuple[Story, ...]:
        return tuple(sorted(self.stories, key=Story.sort_key, reverse=True))

    @cached_property
    def latest(self) -> tuple[Story, ...]:
        """The stories, the latest news first: by the day each was shared (the feed, the home
        page), so a story about an old self-assessment is still news when it arrives."""
        return tuple(sorted(self.stories, key=Story.news_key, reverse=True))

    @cached_property
    def updated(self) -> dt.date:
        """The newest date in the content, for the feed: same content, same bytes."""
        dates = [s.news_date for s in self.stories]
        dates += [v.date for v in self.rubric.changelog if v.date]
        return max(dates, default=dt.date(1970, 1, 1))

    @cached_property
    def by_cell(self) -> dict[tuple[str, int], tuple[Story, ...]]:
        cells: dict[tuple[str, int], list[Story]] = defaultdict(list)
        for story in self.newest_first:
            for a in story.assessments:
                cells[(a.sub_element.id, a.stage.number)].append(story)
        return {k: tuple(v) for k, v in cells.items()}

    def stories_at(self, sub_element_id: str, stage: int) -> tuple[Story, ...]:
        return self.by_cell.get((sub_element_id, stage), ())

    @cached_property
    def max_cell_count(self) -> int:
        return max((len(v) for v in self.by_cell.values()), default=0)

    @cached_property
    def partnerships(self) -> tuple[Partnership, ...]:
        """Named partnerships, by name; anonymous stories are never grouped."""
        found = {s.partnership for s in self.stories if not s.anonymous}
        return tuple(sorted(found, key=lambda p: (p.name.casefold(), p.slug)))

    @cached_property
    def by_partnership(self) -> dict[str, tuple[Story, ...]]:
        groups: dict[str, list[Story]] = defaultdict(list)
        for story in sorted(self.stories, key=Story.sort_key):
            if not story.anonymous:
                groups[story.partnership.slug].append(story)
        return {k: tuple(v) for k, v in groups.items()}

    @cached_property
    def anonymous_stories(self) -> tuple[Story, ...]:
        """Stories shared anonymously: never listed under a partnership."""
        return tuple(s for s in self.stories if s.anonymous)

    def is_example_partnership(self, partnership: Partnership) -> bool:
        """A made-up partnership: every one of its stories is an example."""
        return all(s.example for s in self.by_partnership.get(partnership.slug, ()))

    def other_stories(self, story: Story) -> tuple[Story, ...]:
        if story.anonymous:
            return ()
        return tuple(s for s in self.by_partnership[story.partnership.slug] if s.slug != story.slug)

    @cached_property
    def tags(self) -> tuple[str, ...]:
        return tuple(sorted({t for s in self.stories for t in s.tags}))

    @cached_property
    def by_tag(self) -> dict[str, tuple[Story, ...]]:
        groups: dict[str, list[Story]] = defaultdict(list)
        for story in self.newest_first:
            for tag in story.tags:
                groups[tag].append(story)
        return {k: tuple(v) for k, v in groups.items()}

    def journey_dates(self, partnership: Partnership) -> tuple[Story, ...]:
        return self.by_partnership.get(partnership.slug, ())

    def journey_rows(
        self, partnership: Partnership
    ) -> tuple[tuple[SubElement, tuple[Stage | None, ...]], ...]:
        """For each sub-element the partnership assessed: its stage in each story, in order."""
        stories = self.journey_dates(partnership)
        stages = {
            (story.slug, a.sub_element.id): a.stage for story in stories for a in story.assessments
        }
        assessed = {sub_id for _, sub_id in stages}
        return tuple(
            (sub, tuple(stages.get((story.slug, sub.id)) for story in stories))
            for sub in self.rubric.sub_elements
            if sub.id in assessed
        )

    def moved_on(self, sub_element_id: str, stage: int) -> tuple[MoveOn, ...]:
        """Stories at this cell whose partnership later reached a higher stage here."""
        key = (sub_element_id, stage)
        found = self._moves.get(key)
        if found is None:
            found = self._moves[key] = self._moved_on(sub_element_id, stage)
        return found

    @cached_property
    def _moves(self) -> dict[tuple[str, int], tuple[MoveOn, ...]]:
        """moved_on's answers, each worked out once: every page of a long cell asks (at
        10,000 stories, 5 ms a time, 2 s of a build's work)."""
        return {}

    def _moved_on(self, sub_element_id: str, stage: int) -> tuple[MoveOn, ...]:
        moves = []
        for story in self.stories_at(sub_element_id, stage):
            for later in self.other_stories(story):  # oldest first
                if later.date <= story.date:
                    continue
                higher = [
                    a.stage
                    for a in later.assessments
                    if a.sub_element.id == sub_element_id and a.stage.number > stage
                ]
                if higher:
                    moves.append(MoveOn(story, later, higher[0]))
                    break
        return tuple(moves)
