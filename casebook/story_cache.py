"""Stories as the last `build` loaded and checked them, kept in the build cache.

serve keeps its stories in memory between rebuilds (memo.py), but `build` runs once per
process, so every build read, parsed and checked every story again: about 5 s of a rebuild
at 10,000 stories. This cache keeps, for each story file, its parsed front matter and body
and the problems loading it reported, under the file's status (device, inode, size and
times, and only once the file has settled, as serve does: load._settled); and the story
checked from it, with the problems checking reported, under the rubric and today's date.
A file whose status is unchanged is neither read nor parsed again; a story whose rubric and
date are unchanged too is not checked again. Its problems are reported again all the same.

The files (`stories-NN.marshal`, see cachefile.save_parts) are marshal's format, so reading
them cannot run code; their values are turned back into the model's own frozen dataclasses,
of the kinds listed here only. Anything it cannot turn back is loaded and checked from the
file again. It is split in 16 files so that a build writes again only the part that
changed. It is keyed by casebook's own code, PyYAML's version and Python's, and safe to
delete at any time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import marshal
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from . import cachefile
from .load import StorySource
from .model import Assessment, Contributor, Partnership, Rubric, Stage, Story, StoryImage
from .problems import Problem
from .yamltext import InvalidDate, YamlDocument

STEM = "stories"  # kept in stories-00.marshal to stories-15.marshal (cachefile.save_parts)
_FORMAT = 3

# the dataclasses a kept story is made of; a rubric's stages and sub-elements are kept by
# their number and id and found again in the rubric
_KINDS: dict[str, type] = {
    kind.__name__: kind for kind in (Story, Partnership, Assessment, Contributor, StoryImage)
}

Status = tuple[int, ...]
# what turning a kept value back can raise if the file holds something else than it wrote
_UNREADABLE = (TypeError, ValueError, KeyError, IndexError, StopIteration)


def _engine_key() -> bytes:
    """What decides how a file loads and a story checks: casebook's code, PyYAML, Python."""
    digest = hashlib.sha256(f"stories {_FORMAT}".encode())
    cachefile.add_own_code(digest)
    cachefile.add_versions(digest, ("pyyaml",))
    return digest.digest()


class StoryCache:
    """Read when made; `save()` writes the entries of the files this build met."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._engine = _engine_key()
        self._old: dict[str, tuple] = cachefile.load_parts(folder, STEM, self._engine)
        self._new: dict[str, tuple] = {}
        self._sources: dict[str, StorySource] = {}  # as given out in this build, by file
        self._rubric: tuple[Rubric, bytes] | None = None
        self._shared: dict[tuple, Any] = {}  # values turned back, shared by stories (_in)

    def source(
        self,
        display: str,
        identity: tuple,
        status: Status,
        load: Callable[[list[Problem]], StorySource | None],
        problems: list[Problem],
    ) -> StorySource | None:
        """The file's source as last loaded if its status and identity (its name in the
        site, its images) are unchanged; else load(problems)'s, which is kept."""
        key = (status, _out(identity))
        entry = self._old.get(display)
        if type(entry) is tuple and len(entry) == 4 and entry[0] == key:
            try:
                source = _source_in(entry[1], lambda: load([]))
                said = [_in(p) for p in entry[2]]
            except _UNREADABLE:
                pass
            else:
                problems.extend(said)
                self._new[display] = entry
                if source is not None:
                    self._sources[display] = source
                return source
        reported: list[Problem] = []
        source = load(reported)
        problems.extend(reported)
        try:
            self._new[display] = (key, _source_out(source), tuple(map(_out, reported)), None)
        except TypeError:
            return source  # a value it cannot keep: this file is loaded again next time
        if source is not None:
            self._sources[display] = source
        return source

    def story(
        self,
        source: StorySource,
        rubric: Rubric,
        today: dt.date,
        check: Callable[[list[Problem]], Story | None],
        problems: list[Problem],
    ) -> Story | None:
        """The story checked from this source, as last checked if the source came from this
        cache (or was kept in it) and the rubric and date are the same; else check(problems)'s,
        which is kept."""
        entry = self._new.get(source.display)
        if entry is None or self._sources.get(source.display) is not source:
            return check(problems)  # a file not kept (not settled, or not a file's own)
        key = (self._rubric_key(rubric), today.toordinal())
        try:
            if entry[3] is not None and entry[3][0] == key:
                story = _story_in(entry[3][1], source, rubric, self._shared)
                said = [_in(p) for p in entry[3][2]]
                problems.extend(said)
                return story
        except _UNREADABLE:
            pass
        reported: list[Problem] = []
        story = check(reported)
        problems.extend(reported)
        try:
            checked = (key, _story_out(story, source), tuple(map(_out, reported)))
        except TypeError:
            return story  # checked again next time
        self._new[source.display] = (*entry[:3], checked)
        return story

    def save(self) -> None:
        """Keep the entries of the files this build met, unless the file has just those."""
        if self._new != self._old:
            cachefile.save_parts(self.folder, STEM, self._engine, self._new, self._old)
            self._old = self._new

    def _rubric_key(self, rubric: Rubric) -> bytes:
        if self._rubric is None or self._rubric[0] is not rubric:
            self._rubric = (rubric, hashlib.sha256(repr(rubric).encode()).digest())
            self._shared = {}  # its stages and sub-elements are another rubric's
        return self._rubric[1]


# --- values in and out of marshal's kinds ------------------------------------------------
# A tuple is always tagged by its first item (a plain tuple is ("tuple", ...)), so every
# other kind of value (lists and dicts of YAML, dates, the model's dataclasses) is told apart.


def _out(value: Any) -> Any:
    kind = type(value)
    if kind in (str, int, bool, float, bytes) or value is None:
        return value
    if kind is list:
        return [_out(item) for item in value]
    if kind is dict:
        return {_out(k): _out(v) for k, v in value.items()}
    if kind is tuple:
        return ("tuple", *map(_out, value))
    if kind is dt.date:
        return ("date", value.toordinal())
    if kind is dt.datetime:
        return ("datetime", value.isoformat())
    if kind is InvalidDate:
        return ("invalid date", value.text)
    if kind is Stage:
        return ("stage", value.number)
    if kind is Problem:
        return ("problem", value.path, value.line, value.message)
    if kind.__name__ in _KINDS and _KINDS[kind.__name__] is kind:
        fields = dataclasses.fields(value)
        return (kind.__name__, *(_out(getattr(value, f.name)) for f in fields))
    if kind.__name__ == "SubElement":
        return ("sub-element", value.id)
    raise TypeError(f"the story cache cannot keep a {kind.__name__}")


# frozen values that many stories hold alike (a partnership's, a stage of a sub-element):
# each is made once per cache and shared, which took a third off turning stories back
_SHARED = frozenset({"Partnership", "Assessment", "Contributor", "stage", "sub-element", "date"})


def _in(value: Any, rubric: Rubric | None = None, shared: dict | None = None) -> Any:
    kind = type(value)
    if kind is list:
        return [_in(item, rubric, shared) for item in value]
    if kind is dict:
        return {_in(k, rubric, shared): _in(v, rubric, shared) for k, v in value.items()}
    if kind is not tuple:
        return value
    if shared is not None and value and value[0] in _SHARED:
        try:
            return shared[value]
        except KeyError:
            made = shared[value] = _in(value, rubric)
            return made
        except TypeError:
            pass  # it holds a list or a dict: not shared
    tag, *items = value
    if tag == "tuple":
        return tuple(_in(item, rubric, shared) for item in items)
    if tag == "date":
        return dt.date.fromordinal(items[0])
    if tag == "datetime":
        return dt.datetime.fromisoformat(items[0])
    if tag == "invalid date":
        return InvalidDate(items[0])
    if tag == "problem":
        return Problem(*items)
    if tag == "stage" and rubric is not None:
        return next(stage for stage in rubric.stages if stage.number == items[0])
    if tag == "sub-element" and rubric is not None:
        return rubric.sub_element(items[0])
    return _KINDS[tag](*(_in(item, rubric) for item in items))


def _source_out(source: StorySource | None) -> tuple | None:
    """The source, its front matter as marshal's bytes of its own (see _KeptDocument)."""
    if source is None:
        return None
    front = marshal.dumps((_out(source.front.value), source.front.lines, source.front.written))
    return (source.display, source.slug, front, source.body, source.body_line, _out(source.images))


def _source_in(kept: tuple | None, load: Callable[[], StorySource | None]) -> StorySource | None:
    if kept is None:
        return None
    display, slug, front, body, body_line, images = kept
    if type(front) is not bytes:
        raise TypeError("front matter")
    return StorySource(display, slug, _KeptDocument(front, load), body, body_line, _in(images))


class _KeptDocument(YamlDocument):
    """A kept story's front matter, turned back from its bytes only when something reads it.

    Once a story is checked, its front matter is read again only to check it again (after a
    change to the rubric or the date) or to point at a line in a problem: turning 10,000
    stories' values and lines back from the cache on every build took most of a second. If
    the bytes cannot be turned back, the file (unchanged, since its entry was used) is loaded
    again for them."""

    def __init__(self, kept: bytes, load: Callable[[], StorySource | None]) -> None:
        object.__setattr__(self, "_kept", kept)
        object.__setattr__(self, "_load", load)

    @property
    def value(self) -> Any:  # type: ignore[override]
        return self._document.value

    @property
    def lines(self) -> dict:  # type: ignore[override]
        return self._document.lines

    @property
    def written(self) -> dict:  # type: ignore[override]
        return self._document.written

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, YamlDocument):
            return NotImplemented
        mine, theirs = (
            (self.value, self.lines, self.written),
            (other.value, other.lines, other.written),
        )
        return mine == theirs

    __hash__ = None  # type: ignore[assignment]  # as YamlDocument's fails: lines is a dict

    @cached_property
    def _document(self) -> YamlDocument:
        try:
            value, lines, written = marshal.loads(self._kept)
            if not (isinstance(lines, dict) and isinstance(written, dict)):
                raise TypeError("lines")
            return YamlDocument(_in(value), lines, written)
        except (EOFError, *_UNREADABLE):
            source = self._load()
            return source.front if source is not None else YamlDocument(None)


_FIELDS = tuple(f.name for f in dataclasses.fields(Story))
_BODY = _FIELDS.index("body")


def _story_out(story: Story | None, source: StorySource) -> tuple | None:
    """The story without its body, which is its source's (so kept once), and its
    front_matter_key."""
    if story is None:
        return None
    if story.body != source.body:
        raise TypeError("a story's body is its source's")
    return (_out(dataclasses.replace(story, body="")), story.front_matter_key)


def _story_in(
    kept: tuple | None, source: StorySource, rubric: Rubric, shared: dict | None = None
) -> Story | None:
    if kept is None:
        return None
    (tag, *items), front_matter_key = kept
    if tag != "Story" or len(items) != len(_FIELDS):
        raise TypeError("not a story")
    if type(front_matter_key) is not bytes:
        raise TypeError("front_matter_key")
    fields = [_in(item, rubric, shared) for item in items]
    fields[_BODY] = source.body
    story = Story(*fields)
    vars(story)["front_matter_key"] = front_matter_key  # where its cached_property keeps it
    return story
