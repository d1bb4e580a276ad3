"""The memo serve keeps between rebuilds: an unchanged story is neither parsed nor checked
again, yet every rebuild gives the same model and reports the same problems as a fresh one."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace

import pytest

from casebook import load, validate
from casebook.load import load_content
from casebook.memo import Memo
from casebook.pipeline import BuildOptions, check_site
from casebook.problems import ContentError
from casebook.serve import Rebuilder
from casebook.validate import validate as validate_content

from .conftest import story
from .test_write import snapshot

TODAY = dt.date.today()


@pytest.fixture
def calls(monkeypatch) -> dict[str, list[str]]:
    """The stories parsed (load) and checked (validate), by file, in each step."""
    seen: dict[str, list[str]] = {"parsed": [], "checked": []}
    parse, check = load._parse_story, validate._validate_story

    def parsing(display, *args):
        seen["parsed"].append(display.rsplit("/", 1)[-1])
        return parse(display, *args)

    def checking(source, *args):
        seen["checked"].append(source.display.rsplit("/", 1)[-1])
        return check(source, *args)

    monkeypatch.setattr(load, "_parse_story", parsing)
    monkeypatch.setattr(validate, "_validate_story", checking)
    return seen


def model(root, memo: Memo | None, today: dt.date = TODAY):
    if memo is not None:
        memo.start()
    return validate_content(load_content(root, memo), today=today, memo=memo)


def problems_of(root, memo: Memo | None) -> tuple:
    with pytest.raises(ContentError) as error:
        model(root, memo)
    return error.value.problems


def test_unchanged_stories_are_not_parsed_or_checked_again(content_tree, calls):
    root = content_tree({"a.md": story("Alpha"), "b.md": story("Beta")})
    memo = Memo()
    first = model(root, memo)
    assert sorted(calls["parsed"]) == sorted(calls["checked"]) == ["a.md", "b.md"]
    calls["parsed"].clear(), calls["checked"].clear()

    assert model(root, memo) == first
    assert calls == {"parsed": [], "checked": []}

    (root / "stories" / "b.md").write_text(story("Beta, edited"))
    again = model(root, memo)
    assert calls == {"parsed": ["b.md"], "checked": ["b.md"]}
    assert again == model(root, None)
    assert [s.title for s in again.stories] == ["Alpha", "Beta, edited"]


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The story files read, by name."""
    seen: list[str] = []
    read = load.read_text

    def reading(path, display, *args):
        seen.append(display.rsplit("/", 1)[-1])
        return read(path, display, *args)

    monkeypatch.setattr(load, "read_text", reading)
    return seen


def test_serve_reads_again_only_the_files_changed_since_it_read_them(
    content_tree, monkeypatch, reads
):
    monkeypatch.setattr(load, "SETTLED_NS", 0)  # these files were all written just now
    root = content_tree({"a.md": story("Alpha"), "b.md": story("Beta")})
    memo = Memo()
    model(root, memo)
    reads.clear()
    first = model(root, memo)
    assert not [name for name in reads if name.endswith(".md")]

    (root / "stories" / "b.md").write_text(story("Beta, edited"))
    again = model(root, memo)
    assert [name for name in reads if name.endswith(".md")] == ["b.md"]
    assert again == model(root, None) != first


def test_a_file_changed_moments_ago_is_read_on_every_rebuild(content_tree, monkeypatch, reads):
    # its time may not move at a second write within the clock's granularity
    monkeypatch.setattr(load, "SETTLED_NS", 3600 * 10**9)  # "moments" however slow the machine
    root = content_tree({"a.md": story("Alpha"), "b.md": story("Beta")})
    memo = Memo()
    model(root, memo)
    reads.clear()
    model(root, memo)
    assert [name for name in reads if name.endswith(".md")] == ["a.md", "b.md"]


def test_a_file_that_settles_is_not_parsed_again(content_tree, monkeypatch, calls):
    root = content_tree({"a.md": story("Alpha"), "b.md": story("Beta")})
    memo = Memo()
    first = model(root, memo)  # just written: read and keyed by their text
    calls["parsed"].clear(), calls["checked"].clear()
    monkeypatch.setattr(load, "SETTLED_NS", 0)  # two seconds on: now keyed by their status
    assert model(root, memo) == first
    assert calls == {"parsed": [], "checked": []}


def test_a_rubric_or_date_change_checks_every_story_again(content_tree, calls):
    root = content_tree({"a.md": story("Alpha"), "b.md": story("Beta")})
    memo = Memo()
    model(root, memo)
    calls["parsed"].clear(), calls["checked"].clear()

    model(root, memo, today=TODAY + dt.timedelta(days=1))
    assert sorted(calls["checked"]) == ["a.md", "b.md"]
    calls["checked"].clear()

    rubric = root / "rubric" / "rubric.yaml"
    rubric.write_text(rubric.read_text().replace('name: "Developing"', 'name: "Growing"', 1))
    changed = model(root, memo, today=TODAY + dt.timedelta(days=1))
    assert sorted(calls["checked"]) == ["a.md", "b.md"]
    assert calls["parsed"] == []  # the stories' own text is unchanged
    assert changed == model(root, None, today=TODAY + dt.timedelta(days=1))
    assert changed.stories[0].assessments[0].stage.name == "Growing"  # the stories' stage 2


def test_a_broken_story_is_reported_on_every_rebuild(content_tree):
    root = content_tree(
        {"a.md": story("Alpha").replace("stage: 2", "stage: 8"), "b.md": story("Beta")}
    )
    memo = Memo()
    fresh = problems_of(root, None)
    assert [p.message for p in fresh] == [
        "stage 8 is out of range; choose 1 (Early stages), 2 (Developing), 3 (Developed), "
        "4 (Refining) or 5 (Best practice)"
    ]
    for _ in range(3):  # the memo keeps each story's problems with its result
        assert problems_of(root, memo) == fresh
    (root / "stories" / "b.md").write_text("no front matter")
    problems = problems_of(root, memo)
    assert [p.path.rsplit("/", 1)[-1] for p in problems] == ["a.md", "b.md"]


def test_a_renamed_story_is_reported_under_its_new_name(content_tree):
    root = content_tree({"a.md": story("Alpha").replace("stage: 2", "stage: 8")})
    memo = Memo()
    problems_of(root, memo)
    shutil.move(root / "stories" / "a.md", root / "stories" / "c.md")
    problems = problems_of(root, memo)
    assert [p.path for p in problems] == [str(root / "stories" / "c.md")]


def test_the_memo_keeps_only_what_the_last_builds_used(content_tree):
    root = content_tree({f"s{i}.md": story(f"Story {i}") for i in range(5)})
    memo = Memo()
    model(root, memo)
    for i in range(5):
        (root / "stories" / f"s{i}.md").write_text(story(f"Story {i}, edited"))
        model(root, memo)
    # each story: one parse and one check, from this build and (at most) the one before
    assert memo.size() <= 2 * 2 * 5


def test_serve_rebuilds_with_its_memo_give_a_fresh_builds_bytes(content_tree, tmp_path):
    root = content_tree({"a.md": story("Alpha"), "b.md": story("Beta")})
    options = BuildOptions(
        content=root, base_url="http://127.0.0.1:8000/", today=TODAY, cache=tmp_path / "cache"
    )
    rebuild = Rebuilder(options, tmp_path / "served")
    assert rebuild() is True
    (root / "stories" / "a.md").write_text(story("Alpha, edited", "New words."))
    assert rebuild() is True
    (root / "stories" / "b.md").write_text(story("Beta", "Other words."))
    assert rebuild() is True
    (root / "stories" / "b.md").write_text(story("Beta").replace("stage: 2", "stage: 4"))
    assert rebuild() is True  # the filters of the stories and search pages now offer stage 4
    assert rebuild() is True
    fresh = check_site(replace(options, cache=None))
    rebuilt = snapshot(tmp_path / "served")
    assert {f.path: f.data for f in fresh.files if f.data is not None}.items() <= rebuilt.items()


def test_serve_keeps_rendered_bodies_in_memory(content_tree, tmp_path, monkeypatch):
    from .test_incremental import count_rendered

    root = content_tree({f"s{i}.md": story(f"Story {i}", f"Body {i}.") for i in range(3)})
    counts = count_rendered(monkeypatch)
    options = BuildOptions(content=root, today=TODAY, cache=tmp_path / "cache")
    rebuild = Rebuilder(options, tmp_path / "served")
    assert rebuild() is True
    shutil.rmtree(tmp_path / "cache")  # not read again: the bodies are in memory
    (root / "stories" / "s1.md").write_text(story("Story 1", "A new body."))
    assert rebuild() is True
    assert counts == [3, 1]
    assert "A new body." in (tmp_path / "served/stories/s1/index.html").read_text()


def body_files(cache) -> dict[str, int]:
    """The body cache's files, by name, and their inodes (a save replaces a file)."""
    return {path.name: path.stat().st_ino for path in cache.glob("bodies-*.marshal")}


def test_an_unchanged_body_cache_is_not_written_again(content_tree, tmp_path):
    from casebook.pipeline import build_site

    root = content_tree({"a.md": story("Alpha"), "b.md": story("Beta")})
    options = BuildOptions(content=root, today=TODAY, cache=tmp_path / "cache")
    build_site(options, tmp_path / "site")
    first = body_files(tmp_path / "cache")
    build_site(options, tmp_path / "site")
    assert body_files(tmp_path / "cache") == first  # each save replaces a file: none did
    (root / "stories" / "b.md").write_text(story("Beta", "Other words."))
    build_site(options, tmp_path / "site")
    assert body_files(tmp_path / "cache") != first


def test_serve_writes_the_body_cache_after_its_first_build_and_when_it_stops(
    content_tree, tmp_path
):
    from casebook.cache import BodyCache

    root = content_tree({"a.md": story("Alpha"), "b.md": story("Beta")})
    options = BuildOptions(content=root, today=TODAY, cache=tmp_path / "cache")
    rebuild = Rebuilder(options, tmp_path / "served")
    assert rebuild() is True
    first = body_files(tmp_path / "cache")
    assert first
    new = story("Beta", "Other words.")
    (root / "stories" / "b.md").write_text(new)
    assert rebuild() is True
    assert body_files(tmp_path / "cache") == first  # not written on each save
    rebuild.close()
    assert body_files(tmp_path / "cache") != first
    body = new.split("---\n", 2)[2]
    assert BodyCache(tmp_path / "cache").get("b", body) is not None


def test_serve_writes_the_body_cache_after_the_first_build_that_renders(content_tree, tmp_path):
    from casebook.cache import BodyCache

    root = content_tree({"a.md": story("Alpha").replace("stage: 2", "stage: 8")})
    options = BuildOptions(content=root, today=TODAY, cache=tmp_path / "cache")
    rebuild = Rebuilder(options, tmp_path / "served")
    assert rebuild() is False  # started with a broken story: nothing rendered
    good = story("Alpha")
    (root / "stories" / "a.md").write_text(good)
    assert rebuild() is True
    assert BodyCache(tmp_path / "cache").get("a", good.split("---\n", 2)[2]) is not None


def test_serve_reads_the_page_record_only_when_another_process_wrote_it(
    content_tree, tmp_path, monkeypatch
):
    from casebook import cachefile, page_cache

    root = content_tree({"a.md": story("Alpha"), "b.md": story("Beta")})
    options = BuildOptions(content=root, today=TODAY, cache=tmp_path / "cache")
    rebuild = Rebuilder(options, tmp_path / "served")
    assert rebuild() is True
    read: list[str] = []
    load = cachefile.load
    monkeypatch.setattr(
        cachefile, "load", lambda path, size: read.append(path.name) or load(path, size)
    )
    (root / "stories" / "b.md").write_text(story("Beta", "Other words."))
    assert rebuild() is True
    assert not [name for name in read if name.startswith("pages-")]  # as serve wrote it

    record = next((tmp_path / "cache").glob("pages-*.marshal"))
    kept = load(record, 3)
    cachefile.save(record, (*kept[:2], {}))  # another process's record: no page is kept
    made = count_made(monkeypatch, page_cache)
    assert rebuild() is True
    assert [name for name in read if name.startswith("pages-")] == [record.name]
    assert made == ["a", "b"]


def count_made(monkeypatch, page_cache) -> list[str]:
    """The story pages a build makes rather than keeps from the last site."""
    made: list[str] = []
    kept = page_cache.PageCache.kept

    def keeping(self, path, page):
        found = kept(self, path, page)
        if found is None and path.startswith("stories/") and path.count("/") == 2:
            made.append(path.split("/")[1])
        return found

    monkeypatch.setattr(page_cache.PageCache, "kept", keeping)
    return made


def test_serve_keeps_its_body_workers_between_rebuilds_and_ends_them_when_it_stops(
    content_tree, tmp_path, monkeypatch
):
    from casebook import bodies

    root = content_tree({"a.md": story("Alpha", "First."), "b.md": story("Beta", "Second.")})
    options = BuildOptions(content=root, today=TODAY, cache=tmp_path / "cache")
    rebuild = Rebuilder(options, tmp_path / "served", keep_workers=True)
    crew = rebuild.memo.crew

    def no_fork(*args):
        raise AssertionError("a worker was forked")

    monkeypatch.setattr(bodies._Worker, "__init__", no_fork)
    assert rebuild() is True
    workers = list(crew._idle)
    assert workers and all(w.alive() for w in workers)
    (root / "stories" / "b.md").write_text(story("Beta", "A new body."))
    assert rebuild() is True
    assert "A new body." in (tmp_path / "served/stories/b/index.html").read_text()
    assert sorted(map(id, crew._idle)) == sorted(map(id, workers))
    rebuild.close()
    assert crew._idle == [] and not any(w.alive() for w in workers)
