"""What a page reads of the stories: digests, the watched book and its questions asked again."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from markupsafe import Markup

from casebook import page_reads
from casebook.load import load_content
from casebook.model import Casebook
from casebook.page_reads import Answers, WatchedBook, digest, shown
from casebook.validate import validate

from .conftest import CONTENT

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def book() -> Casebook:
    return validate(load_content(CONTENT), today=TODAY)


def test_a_story_stands_for_its_slug_in_a_digest(book):
    first, second = book.stories[:2]
    renamed = dataclasses.replace(first, title="Another title", body="Other words.")
    assert digest((first,)) == digest((renamed,)) == digest((shown(first),))
    assert digest((first,)) != digest((second,))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("1", 1),
        (1, True),
        (1, 1.0),
        (None, "None"),
        (("ab", "c"), ("a", "bc")),
        ("<b>", Markup("<b>")),  # Jinja2 escapes one and not the other
        ([1, [2]], [[1], 2]),
        ({"a": 1}, {"a": 2}),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (b"x", "x"),
    ],
)
def test_values_that_differ_have_digests_that_differ(one, other):
    assert digest(one) != digest(other)
    assert digest(one) == digest(one)


def test_a_set_has_one_digest_whatever_its_order():
    assert digest({"a", "b", "c"}) == digest(frozenset(["c", "b", "a"]))


def test_an_object_of_a_kind_it_does_not_know_has_no_digest(book):
    assert digest(object()) is None
    assert digest({"nested": [1, (object(),)]}) is None
    assert digest(book.stories[0]) is not None


def test_a_dataclass_digest_is_of_its_kind_and_every_field(book):
    rubric = book.rubric
    sub = rubric.sub_elements[0]
    assert digest(sub) != digest(dataclasses.replace(sub, name=sub.name + "!"))
    memo: dict = {}
    assert digest((sub, sub), memo) == digest((sub, sub))
    assert [entry[0] for entry in memo.values()] == [sub]


def test_reading_a_story_notes_its_slug_and_asking_the_book_notes_the_question(book):
    stories = tuple(shown(s) for s in book.stories)
    watched = WatchedBook(dataclasses.replace(book, stories=stories))
    reads = page_reads.start()
    try:
        sub = book.rubric.sub_elements[0].id
        watched.stories_at(sub, 1)
        found = watched.newest_first
        assert reads.shown == set()  # working out the answers read every story, for the book
        _ = found[0].title
        assert reads.shown == {found[0].slug}
        stories_at = ("call", "stories_at", (("v", sub), ("v", 1)))
        assert list(reads.asked) == [stories_at, ("attr", "newest_first", ())]
        assert watched.rubric is book.rubric and len(reads.asked) == 2  # in every page's key
    finally:
        page_reads.stop()
    _ = found[1].title
    assert reads.shown == {found[0].slug}  # between pages, nothing is noted


def test_one_entry_of_a_mapping_is_one_question_and_a_missing_one_raises(book):
    watched = WatchedBook(book)
    reads = page_reads.start()
    try:
        tags = watched.by_tag
        assert reads.asked == {}
        assert len(tags[book.tags[0]]) > 0
        assert "no such tag" not in tags
        with pytest.raises(KeyError):
            tags["no such tag"]
        assert set(reads.asked) == {
            ("item", "by_tag", (("v", book.tags[0]),)),
            ("item", "by_tag", (("v", "no such tag"),)),
        }
        len(tags)
        assert ("attr", "by_tag", ()) in reads.asked
    finally:
        page_reads.stop()


def test_an_argument_it_cannot_ask_again_gives_no_digest(book):
    watched = WatchedBook(book)
    reads = page_reads.start()
    try:
        assert watched.stories_at(book.rubric.sub_elements[0], 1) == ()
        sub = book.rubric.sub_elements[0].id
        assert watched.stories_at(sub_element_id=sub, stage=1) == book.stories_at(sub, 1)
    finally:
        page_reads.stop()
    assert list(reads.asked.values()) == [None]  # the same question: none could be asked again


def test_the_next_build_gets_the_same_answers_from_the_same_book(book):
    watched = WatchedBook(dataclasses.replace(book, stories=tuple(map(shown, book.stories))))
    story = watched.stories[0]
    partnership = story.partnership
    reads = page_reads.start()
    try:
        watched.other_stories(story)
        watched.journey_rows(partnership)
        _ = watched.newest_first
        watched.by_cell[(book.rubric.sub_elements[0].id, 1)]
    finally:
        page_reads.stop()
    answers = Answers(book)
    assert len(reads.asked) == 4
    for question, answer in reads.asked.items():
        assert answer is not None and answers.digest(question) == answer, question

    fewer = dataclasses.replace(book, stories=book.stories[1:])
    others = Answers(fewer)
    assert others.digest(("attr", "newest_first", ())) != reads.asked[("attr", "newest_first", ())]
    gone = ("call", "other_stories", (("story", book.stories[0].slug),))
    assert others.digest(gone) is None


@pytest.mark.parametrize(
    "question",
    [
        ("attr", "_book", ()),
        ("call", "__init__", ()),
        ("attr", "stories_at", ()),  # a method, asked as a field
        ("call", "stories", ()),  # a field, asked as a method
        ("call", "stories_at", (("what", 1),)),
        ("call", "stories_at", ["v", 1]),
        ("call", "stories_at", (("v", [1]),)),
        "not a question",
    ],
)
def test_a_question_this_code_did_not_write_has_no_answer(book, question):
    assert Answers(book).digest(question) is None
