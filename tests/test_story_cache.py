"""The stories `build` keeps in its cache: a story file unchanged since the last build is
neither read nor parsed, nor checked again while the rubric and date are the same, and yet
every build gives the model and the problems a build without the cache gives."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest

from casebook import load, story_cache, validate
from casebook.load import load_content
from casebook.problems import ContentError
from casebook.story_cache import StoryCache
from casebook.validate import validate as validate_content

from .conftest import CONTENT, story

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def settled(monkeypatch) -> None:
    monkeypatch.setattr(load, "SETTLED_NS", 0)  # these files were all written just now


@pytest.fixture
def calls(monkeypatch) -> dict[str, list[str]]:
    """The story files read, parsed and checked, by name, in each step."""
    seen: dict[str, list[str]] = {"read": [], "parsed": [], "checked": []}
    read, parse, check = load.read_text, load._parse_story, validate._validate_story

    def reading(path, display, *args):
        if display.endswith(".md"):
            seen["read"].append(Path(display).name)
        return read(path, display, *args)

    def parsing(display, *args):
        seen["parsed"].append(Path(display).name)
        return parse(display, *args)

    def checking(source, *args):
        seen["checked"].append(Path(source.display).name)
        return check(source, *args)

    monkeypatch.setattr(load, "read_text", reading)
    monkeypatch.setattr(load, "_parse_story", parsing)
    monkeypatch.setattr(validate, "_validate_story", checking)
    return seen


def model(root: Path, cache: Path | None, today: dt.date = TODAY):
    """As check_site does it: the cache read, used by both steps, then saved."""
    kept = StoryCache(cache) if cache is not None else None
    try:
        return validate_content(load_content(root, kept=kept), today=today, kept=kept)
    finally:
        if kept is not None:
            kept.save()


def problems_of(root: Path, cache: Path | None) -> tuple:
    with pytest.raises(ContentError) as error:
        model(root, cache)
    return error.value.problems


def test_a_rebuild_reads_parses_and_checks_only_the_edited_story(content_tree, tmp_path, calls):
    root = content_tree({"a.md": story("Alpha"), "b.md": story("Beta")})
    cache = tmp_path / "cache"
    first = model(root, cache)
    assert calls == {n: ["a.md", "b.md"] for n in ("read", "parsed", "checked")}
    for seen in calls.values():
        seen.clear()

    again = model(root, cache)
    assert calls == {"read": [], "parsed": [], "checked": []}
    assert again == first == model(root, None)
    for seen in calls.values():
        seen.clear()

    (root / "stories" / "b.md").write_text(story("Beta, edited"))
    again = model(root, cache)
    assert calls["read"] == calls["parsed"] == calls["checked"] == ["b.md"]
    assert again == model(root, None)
    assert [s.title for s in again.stories] == ["Alpha", "Beta, edited"]


def test_every_example_story_comes_back_from_the_cache_as_it_went_in(tmp_path, calls):
    """Dates, contributors, images, tags, assessments: the model's every kind of value."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    folder = root / "stories" / "2024-06-a-story-with-a-picture"
    folder.mkdir()
    (folder / "index.md").write_text(story("Pictured", "![A chart](chart.png)"))
    (folder / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    cache = tmp_path / "cache"
    fresh = model(root, None)
    model(root, cache)
    calls["parsed"].clear()
    kept = model(root, cache)
    assert calls["parsed"] == []
    assert kept == fresh
    assert any(s.images for s in kept.stories) and any(s.contributors for s in kept.stories)
    assert any(s.tags for s in kept.stories) and any(s.summary for s in kept.stories)
    again = load_content(root, kept=StoryCache(cache))
    assert again.stories == load_content(root).stories
    # each kept story brings back the digest page_cache keys pages by, not made again
    assert all("front_matter_key" in vars(s) for s in kept.stories)
    made = [dataclasses.replace(s, title=s.title).front_matter_key for s in kept.stories]
    assert [s.front_matter_key for s in kept.stories] == made
    assert made == [s.front_matter_key for s in fresh.stories]


def test_a_changed_rubric_or_date_checks_every_story_again_without_parsing(
    content_tree, tmp_path, calls
):
    root = content_tree({"a.md": story("Alpha"), "b.md": story("Beta")})
    cache = tmp_path / "cache"
    model(root, cache)
    calls["parsed"].clear(), calls["checked"].clear()

    model(root, cache, today=TODAY + dt.timedelta(days=1))
    assert calls["parsed"] == [] and calls["checked"] == ["a.md", "b.md"]
    calls["checked"].clear()

    rubric = root / "rubric" / "rubric.yaml"
    rubric.write_text(rubric.read_text().replace('name: "Developing"', 'name: "Growing"'))
    changed = model(root, cache, today=TODAY + dt.timedelta(days=1))
    assert calls["parsed"] == [] and calls["checked"] == ["a.md", "b.md"]
    assert changed.stories[0].assessments[0].stage.name == "Growing"
    assert changed == validate_content(load_content(root), today=TODAY + dt.timedelta(days=1))
    calls["checked"].clear()
    model(root, cache, today=TODAY + dt.timedelta(days=1))
    assert calls["checked"] == []


def test_broken_stories_are_reported_on_every_build_as_without_the_cache(
    content_tree, tmp_path, calls
):
    root = content_tree(
        {
            "a.md": story("Alpha").replace("stage: 2", "stage: 8"),  # checking finds it
            "b.md": "---\ntitle: [unclosed\n---\nBody\n",  # loading finds it
            "c.md": story("Gamma"),
        }
    )
    cache = tmp_path / "cache"
    expected = problems_of(root, None)
    assert {Path(p.path).name for p in expected} == {"a.md", "b.md"}
    assert problems_of(root, cache) == expected
    for seen in calls.values():
        seen.clear()
    assert problems_of(root, cache) == expected
    assert calls == {"read": [], "parsed": [], "checked": []}


def test_a_renamed_story_is_reported_under_its_new_name(content_tree, tmp_path):
    root = content_tree({"a.md": story("Alpha").replace("stage: 2", "stage: 8")})
    cache = tmp_path / "cache"
    problems_of(root, cache)
    shutil.move(root / "stories" / "a.md", root / "stories" / "c.md")
    assert [Path(p.path).name for p in problems_of(root, cache)] == ["c.md"]


def test_a_file_changed_moments_ago_is_read_on_every_build(
    content_tree, tmp_path, calls, monkeypatch
):
    # its time may not move at a second write within the clock's granularity
    monkeypatch.setattr(load, "SETTLED_NS", 3600 * 10**9)
    root = content_tree({"a.md": story("Alpha")})
    cache = tmp_path / "cache"
    model(root, cache)
    model(root, cache)
    assert calls["parsed"] == calls["checked"] == ["a.md", "a.md"]


def test_the_cache_keeps_only_the_files_the_last_build_met(content_tree, tmp_path):
    root = content_tree({f"s{i}.md": story(f"Story {i}") for i in range(4)})
    cache = tmp_path / "cache"
    model(root, cache)
    for i in range(3):
        (root / "stories" / f"s{i}.md").unlink()
    model(root, cache)
    kept = StoryCache(cache)
    assert list(kept._old) == [str(root / "stories" / "s3.md")]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda path: path.write_bytes(b"not marshal at all"),
        lambda path: path.write_bytes(path.read_bytes()[:-100]),
        lambda path: story_cache.cachefile.save(path, (story_cache._engine_key(), {"x": 1})),
    ],
    ids=["garbage", "truncated", "wrong shape"],
)
def test_a_spoilt_cache_file_is_ignored(content_tree, tmp_path, spoil):
    root = content_tree({"a.md": story("Alpha"), "b.md": story("Beta")})
    cache = tmp_path / "cache"
    model(root, cache)
    parts = sorted(cache.glob("stories-*.marshal"))
    assert parts
    for path in parts:
        spoil(path)
    assert model(root, cache) == model(root, None)


def test_entries_the_cache_cannot_turn_back_are_loaded_and_checked_again(
    content_tree, tmp_path, calls
):
    names = ["a.md", "b.md", "c.md", "d.md"]
    root = content_tree({name: story(name) for name in names})
    cache = tmp_path / "cache"
    model(root, cache)
    engine = story_cache._engine_key()
    entries = story_cache.cachefile.load_parts(cache, story_cache.STEM, engine)
    a, b, c, d = sorted(entries)
    entries[a] = (entries[a][0], ("not", "a source"), (), None)
    entries[b] = (*entries[b][:3], (entries[b][3][0], ("Nothing we know",), ()))
    entries[c] = "not an entry"
    entries[d] = (*entries[d][:3], 42)
    story_cache.cachefile.save_parts(cache, story_cache.STEM, engine, entries, {})
    for seen in calls.values():
        seen.clear()
    again = model(root, cache)
    assert calls["parsed"] == ["a.md", "c.md"] and calls["checked"] == names
    assert again == model(root, None)


def test_kept_stories_share_the_values_they_hold_alike(content_tree, tmp_path):
    """A partnership's values, a stage of a sub-element: made once, not once a story."""
    root = content_tree({name: story(name) for name in ("a.md", "b.md", "c.md")})
    cache = tmp_path / "cache"
    model(root, cache)
    kept = model(root, cache)
    a, b, c = kept.stories
    assert a.partnership == b.partnership and a.partnership is b.partnership is c.partnership
    assert a.assessments[0] is b.assessments[0] and a.date is b.date
    assert kept == model(root, None)
    # another rubric: its stages are not the last one's
    rubric = root / "rubric" / "rubric.yaml"
    rubric.write_text(rubric.read_text().replace('name: "Developing"', 'name: "Growing"'))
    assert model(root, cache) == model(root, None)


def test_a_kept_storys_front_matter_is_turned_back_only_when_read(content_tree, tmp_path):
    root = content_tree({"a.md": story("Alpha"), "b.md": story("Beta")})
    cache = tmp_path / "cache"
    model(root, cache)
    kept = StoryCache(cache)
    loaded = load_content(root, kept=kept)
    validate_content(loaded, today=TODAY, kept=kept)
    fronts = [source.front for source in loaded.stories]
    assert all(type(f) is story_cache._KeptDocument for f in fronts)
    assert all("_document" not in vars(f) for f in fronts)  # checked already: not read
    assert loaded.stories == load_content(root).stories
    assert fronts[0].line("title") == 2 and fronts[1].value["title"] == "Beta"


def test_front_matter_the_cache_cannot_turn_back_is_loaded_from_the_file(
    content_tree, tmp_path, calls
):
    names = ["a.md", "b.md", "c.md"]
    root = content_tree({name: story(name) for name in names})
    cache = tmp_path / "cache"
    model(root, cache)
    engine = story_cache._engine_key()
    entries = story_cache.cachefile.load_parts(cache, story_cache.STEM, engine)
    a, b, _ = sorted(entries)
    for name, spoilt in ((a, b"not marshal"), (b, b"\xe9" + bytes(8))):
        key, source, *rest = entries[name]
        entries[name] = (key, (*source[:2], spoilt, *source[3:]), *rest)
    story_cache.cachefile.save_parts(cache, story_cache.STEM, engine, entries, {})
    for seen in calls.values():
        seen.clear()
    later = TODAY + dt.timedelta(days=1)  # every story is checked again, from its front matter
    again = model(root, cache, today=later)
    assert calls["parsed"] == ["a.md", "b.md"] and calls["checked"] == names
    assert again == validate_content(load_content(root), today=later)


def test_another_version_of_casebook_does_not_read_the_file(content_tree, tmp_path, calls):
    root = content_tree({"a.md": story("Alpha")})
    cache = tmp_path / "cache"
    model(root, cache)
    engine = story_cache._engine_key()
    entries = story_cache.cachefile.load_parts(cache, story_cache.STEM, engine)
    story_cache.cachefile.save_parts(cache, story_cache.STEM, b"other code", entries, {})
    calls["parsed"].clear()
    model(root, cache)
    assert calls["parsed"] == ["a.md"]


def test_build_keeps_its_stories_in_the_cache_and_no_cache_keeps_none(tmp_path, content_tree):
    from casebook.builds import build
    from casebook.pipeline import BuildOptions

    root = content_tree({"a.md": story("Alpha")})
    options = BuildOptions(content=root, today=TODAY, cache=tmp_path / "cache")
    build(options, tmp_path / "site")
    assert any((tmp_path / "cache").glob("stories-*.marshal"))
    options = BuildOptions(content=root, today=TODAY, cache=None)
    build(options, tmp_path / "other")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "content", "other", "site"]


def test_a_story_is_taken_from_the_cache_only_for_the_source_it_gave_out(content_tree, tmp_path):
    root = content_tree({"a.md": story("Alpha")})
    cache = tmp_path / "cache"
    model(root, cache)
    kept = StoryCache(cache)
    load_content(root, kept=kept)
    (root / "stories" / "a.md").write_text(story("Alpha, edited"))
    book = validate_content(load_content(root), today=TODAY, kept=kept)
    assert [s.title for s in book.stories] == ["Alpha, edited"]


def test_text_written_as_a_number_is_checked_again_as_written(content_tree, tmp_path, calls):
    """`title: 1.10` is the title "1.10", also when a kept story is checked again."""
    numbered = story("Alpha").replace("title: Alpha", "title: 1.10")
    root = content_tree({"a.md": numbered})
    cache = tmp_path / "cache"
    assert model(root, cache).stories[0].title == "1.10"
    calls["parsed"].clear()
    again = model(root, cache, today=TODAY + dt.timedelta(days=1))
    assert calls["parsed"] == [] and again.stories[0].title == "1.10"
