"""What a page reads of the stories while it is made, so that the next build can tell whether
an edit reached it (page_cache.py).

While a page is made, note() holds a Reads for it. The templates see the book through a
WatchedBook and each story as a ShownStory, which note into it:

- `bodies`: the stories whose text the page shows (render.py notes them, through body_of,
  excerpt_of and the open data's texts; the stories the templates see have no body);
- `shown`: the stories whose front matter the page read. Reading any field of a story counts,
  even its slug for a link, so a page depends on every story it names;
- `asked`: each question the page asked the book (`book.stories`, `book.stories_at(id, n)`,
  `book.by_tag[tag]`, ...), with a digest of its answer. In an answer a story stands for its
  slug alone: its fields count when they are read.

Everything else a page is made from is its description (URL, template, title and context,
made from the book before any page), which has a digest of the same kind, and what every
page is made from (templates, code, site settings, rubric: page_cache.build_key).

So after a front-matter edit, a page is made again only when a story it read has changed,
when a question it asked has another answer, or when its description changed. Anything
this module cannot put in a digest (an object it does not know, an argument it cannot ask
again) gets no digest, and a page that holds one is made again after any edit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .model import Casebook, Partnership, Story

# A question to the book, as data (kept in the page record): ("attr", name, ()) for a field
# or property, ("call", name, arguments) for a method, ("item", name, (key,)) for one entry
# of a mapping. Each argument is ("v", value) for a str, int, float, bool or None,
# ("story", slug) or ("partnership", slug, institution, students' union).
Question = tuple[str, str, tuple[Any, ...]]
Digest = bytes | None  # None: this answer could not be put in a digest; never the same


@dataclasses.dataclass
class Reads:
    """What one page read; kept in the page record (page_cache.py)."""

    bodies: set[str] = dataclasses.field(default_factory=set)
    shown: set[str] = dataclasses.field(default_factory=set)
    asked: dict[Question, Digest] = dataclasses.field(default_factory=dict)


_reads: Reads | None = None  # the page being made's; None between pages and while answering


def start() -> Reads:
    global _reads
    _reads = Reads()
    return _reads


def stop() -> None:
    global _reads
    _reads = None


def note_body(slug: str) -> None:
    if _reads is not None:
        _reads.bodies.add(slug)


class ShownStory(Story):
    """A story as the templates see it: without its body, noting each read of a field."""

    def __getattribute__(self, name: str) -> Any:
        if _reads is not None:
            _reads.shown.add(object.__getattribute__(self, "slug"))
        return object.__getattribute__(self, name)


def shown(story: Story) -> ShownStory:
    """A copy of the story without its body, that notes each read of it."""
    copy = object.__new__(ShownStory)
    fields = object.__getattribute__(copy, "__dict__")
    fields.update(story.__dict__)  # with its front_matter_key, if already worked out
    fields["body"] = ""
    return copy


class WatchedBook:
    """The book as the templates see it: each question asked of it is noted, with a digest
    of its answer. The site settings and the rubric are in every page's key, so reading them
    is not noted. Answers are kept: the book does not change while its pages are made."""

    def __init__(self, book: Casebook) -> None:
        self._book = book
        self._answers: dict[Question, tuple[Any, Digest]] = {}
        # digests of the dataclasses in answers (the rubric's parts, MoveOn), by id
        self._memo: dict[int, tuple[Any, bytes]] = {}

    @property
    def site(self) -> Any:
        return self._book.site

    @property
    def rubric(self) -> Any:
        return self._book.rubric

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if _is_method(type(self._book), name):
            return _Method(self, name)
        question: Question = ("attr", name, ())
        found = self._answer(question, lambda: getattr(self._book, name))
        if isinstance(found, Mapping):
            return _WatchedMapping(self, name, found)  # it notes what is read of it
        return self._ask(question, lambda: found)

    def _ask(self, question: Question, answer: Callable[[], Any]) -> Any:
        """The answer, noted with its digest for the page being made; an answer that was a
        LookupError (a missing entry, which Jinja2 takes as "no such item") is raised."""
        found = self._answer(question, answer)
        if _reads is not None:
            _reads.asked[question] = self._answers[question][1]
        if isinstance(found, LookupError):
            raise type(found)(*found.args)
        return found

    def _answer(self, question: Question, answer: Callable[[], Any]) -> Any:
        """The answer (or the LookupError it raised), worked out once for every page."""
        global _reads
        found = self._answers.get(question)
        if found is None:
            reads, _reads = _reads, None  # working out an answer is not reading for the page
            try:
                value = answer()
                found = (value, digest(value, self._memo))
            except LookupError as error:
                found = (error, _digest_of_error(error))
            finally:
                _reads = reads
            self._answers[question] = found
        return found[0]


class _Method:
    def __init__(self, book: WatchedBook, name: str) -> None:
        self._book = book
        self._name = name

    def __call__(self, *args: Any, **keywords: Any) -> Any:
        method = getattr(self._book._book, self._name)
        arguments = _arguments(args, keywords)
        if arguments is None:  # not one this module can ask again: the page's answer is none
            if _reads is not None:
                _reads.asked[("call", self._name, ("unknown",))] = None
            return method(*args, **keywords)
        return self._book._ask(("call", self._name, arguments), lambda: method(*args, **keywords))


class _WatchedMapping(Mapping[Any, Any]):
    """A mapping the book answered with (`book.by_tag`): one entry read is one question, so a
    tag's page depends on that tag's stories only; anything more asks for the whole."""

    def __init__(self, book: WatchedBook, name: str, mapping: Mapping[Any, Any]) -> None:
        self._book = book
        self._name = name
        self._mapping = mapping

    def __getitem__(self, key: Any) -> Any:
        encoded = _argument(key)
        if encoded is None:
            self._whole()
            return self._mapping[key]
        return self._book._ask(("item", self._name, (encoded,)), lambda: self._mapping[key])

    def __iter__(self) -> Iterator[Any]:
        self._whole()
        return iter(self._mapping)

    def __len__(self) -> int:
        self._whole()
        return len(self._mapping)

    def _whole(self) -> None:
        self._book._ask(("attr", self._name, ()), lambda: self._mapping)


def _is_method(cls: type, name: str) -> bool:
    found = getattr(cls, name, None)
    return callable(found) and not isinstance(found, type)


def _arguments(args: tuple[Any, ...], keywords: dict[str, Any]) -> tuple[Any, ...] | None:
    """The arguments as data, if each can be; the book's methods take none by keyword."""
    encoded = tuple(_argument(a) for a in args)
    return None if keywords or None in encoded else encoded


def _argument(value: Any) -> tuple[Any, ...] | None:
    """An argument as data the next build can ask with again; None if it cannot be."""
    if value is None or type(value) in (str, int):
        return ("v", value)
    if type(value) in (float, bool):  # not ("v", ...): 1.0 == True == 1
        return (type(value).__name__, value)
    if isinstance(value, Story):
        return ("story", object.__getattribute__(value, "slug"))
    if type(value) is Partnership:
        return ("partnership", value.slug, value.institution, value.students_union)
    if type(value) is tuple and all(type(v) in (str, int) for v in value):
        return ("tuple", value)
    return None


class Answers:
    """The answers of this build's book to the questions in the last build's record."""

    def __init__(self, book: Casebook) -> None:
        self._book = book
        self._stories: dict[str, Story] | None = None
        self._digests: dict[Question, Digest] = {}
        self._memo: dict[int, tuple[Any, bytes]] = {}

    def digest(self, question: Question) -> Digest:
        try:
            found = self._digests.get(question, False)
        except TypeError:  # unhashable: not a question this code wrote
            return None
        if found is False:
            found = self._digests[question] = self._work_out(question)
        return found  # type: ignore[return-value]

    def _work_out(self, question: Question) -> Digest:
        try:
            kind, name, encoded = question
            if name.startswith("_") or not isinstance(encoded, tuple):
                return None
            arguments = [self._value(a) for a in encoded]
            if kind == "attr" and not encoded and not _is_method(type(self._book), name):
                return digest(getattr(self._book, name), self._memo)
            if kind == "call" and _is_method(type(self._book), name):
                return digest(getattr(self._book, name)(*arguments), self._memo)
            if kind == "item" and len(arguments) == 1:
                return digest(getattr(self._book, name)[arguments[0]], self._memo)
        except LookupError as error:
            return _digest_of_error(error)
        except _Gone:
            return None
        except (TypeError, ValueError, AttributeError):
            return None  # a record this code did not write: the page is made again
        return None

    def _value(self, encoded: Any) -> Any:
        kind = encoded[0]
        if kind in ("v", "float", "bool", "tuple"):
            return encoded[1]
        if kind == "story":
            if self._stories is None:
                self._stories = {s.slug: s for s in self._book.stories}
            found = self._stories.get(encoded[1])
            if found is None:
                raise _Gone
            return found
        if kind == "partnership":
            return Partnership(*encoded[1:])
        raise ValueError(kind)


class _Gone(Exception):
    """A story asked about is no longer in the book."""


def _digest_of_error(error: Exception) -> bytes:
    return hashlib.sha256(f"raised {type(error).__name__}".encode()).digest()


class _Opaque(Exception):
    """A value of a kind digest() does not know."""


def digest(value: Any, memo: dict[int, tuple[Any, bytes]] | None = None) -> Digest:
    """A digest of value, in which a story stands for its slug; None if value holds anything
    but str, numbers, None, bytes, dates, tuples, lists, dicts, sets and dataclasses of those.
    memo keeps the digests of dataclasses by id (with the object, so the id is not reused)."""
    parts: list[bytes] = []
    try:
        _fold(value, parts, memo)
    except (_Opaque, RecursionError):
        return None
    return hashlib.sha256(b"".join(parts)).digest()


def _fold(value: Any, parts: list[bytes], memo: dict | None) -> None:
    kind = type(value)
    if kind is str:
        data = value.encode("utf-8", "surrogatepass")
        parts.append(b"s%d:" % len(data))
        parts.append(data)
    elif value is None or kind is bool or kind is int or kind is float:
        parts.append(b"n" + repr(value).encode() + b";")
    elif kind is tuple or kind is list:
        parts.append(b"(%d;" % len(value))
        for item in value:
            _fold(item, parts, memo)
    elif kind is dict:
        parts.append(b"{%d;" % len(value))
        for key, item in value.items():
            _fold(key, parts, memo)
            _fold(item, parts, memo)
    elif isinstance(value, Story):
        slug = object.__getattribute__(value, "slug").encode("utf-8", "surrogatepass")
        parts.append(b"S%d:" % len(slug))
        parts.append(slug)
    elif isinstance(value, str):  # Markup and other kinds of str: the kind matters to Jinja2
        parts.append(b"k" + _name(kind))
        _fold(str(value), parts, memo)
    elif kind is bytes:
        parts.append(b"b%d:" % len(value))
        parts.append(value)
    elif kind is dt.date or kind is dt.datetime:
        parts.append(b"d" + value.isoformat().encode() + b";")
    elif kind is set or kind is frozenset:
        each = sorted(digest(item, memo) or _opaque() for item in value)
        parts.append(b"<%d;" % len(each) + b"".join(each))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        parts.append(b"D" + _dataclass_digest(value, memo))
    else:
        raise _Opaque(kind)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _dataclass_digest(value: Any, memo: dict | None) -> bytes:
    if memo is not None and (found := memo.get(id(value))) is not None:
        return found[1]  # type: ignore[no-any-return]
    kind = type(value)
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value))
    parts = [_name(kind)]
    for name in names:
        parts.append(name.encode() + b"=")
        _fold(object.__getattribute__(value, name), parts, memo)
    made = hashlib.sha256(b"".join(parts)).digest()
    if memo is not None:
        memo[id(value)] = (value, made)
    return made


def _name(kind: type) -> bytes:
    return f"{kind.__module__}.{kind.__qualname__};".encode()


def _opaque() -> bytes:
    raise _Opaque()
