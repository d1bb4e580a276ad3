"""The search index in shards: each its own Pagefind index over a share of the pages, and a
rebuild makes again only the shards whose pages changed (casebook/search_index.py).

Sites here are built with SHARD_PAGES set low, so the example content (about 65 indexed
pages) is split into several shards.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from casebook import cachefile, search_index
from casebook.pipeline import BuildOptions, build_site
from casebook.problems import OutputError
from casebook.search_index import BUNDLE, LIBRARY, SHARDS, shard_count, shard_of
from casebook.serve import Rebuilder

from .conftest import CONTENT, REPO, keep_only_examples, story
from .test_incremental import TODAY, snapshot
from .test_search import fragments

SHARD_PAGES = 9


@pytest.fixture(autouse=True)
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_index, "SHARD_PAGES", SHARD_PAGES)


@pytest.fixture
def pagefind_runs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """For every Pagefind run, in order, the site's folder of the shard it indexed (Pagefind
    writes in a work folder named after the shard's number)."""
    runs: list[Path] = []
    real = search_index._run_pagefind

    def counted(pages: Path, target: Path) -> None:
        number = int(target.parent.name)
        runs.append(Path(f"{search_index.SHARD_PREFIX}{number}" if number else BUNDLE))
        real(pages, target)

    monkeypatch.setattr(search_index, "_run_pagefind", counted)
    return runs


@pytest.fixture
def content(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    return keep_only_examples(copy)


def shard_folders(site: Path) -> list[Path]:
    """Every shard's folder: the first is the bundle itself."""
    more = json.loads((site / BUNDLE / SHARDS).read_text(encoding="utf-8"))["more"]
    return [site / BUNDLE, *(site / BUNDLE / folder for folder in more)]


def own_files(folder: Path) -> dict[str, os.stat_result]:
    """A shard's own files (the first shard's, without the others' folders)."""
    found = {}
    for path in folder.rglob("*"):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and not relative.startswith("shard-") and relative != SHARDS:
            found[relative] = path.stat()
    return found


def indexed_pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if b"data-pagefind-body" in p.read_bytes()
    )


def edit_body(content: Path, name: str, words: str) -> None:
    path = content / "stories" / name
    path.write_text(path.read_text(encoding="utf-8") + f"\n{words}\n", encoding="utf-8")


# --- How pages are shared out -----------------------------------------------------------------


def test_shards_hold_about_shard_pages_and_none_is_empty():
    paths = [f"stories/s{i}/index.html" for i in range(95)]
    count = shard_count(paths)
    assert count == 11  # 95 pages / 9, rounded up
    sizes = [sum(1 for p in paths if shard_of(p, count) == n) for n in range(count)]
    assert all(size > 0 for size in sizes) and sum(sizes) == 95
    assert shard_count(paths[:9]) == 1
    assert shard_count([]) == 1


def test_a_count_that_would_leave_a_shard_empty_is_lowered():
    paths = ["a/index.html", "b/index.html"]
    count = shard_count(paths)
    assert len({shard_of(p, count) for p in paths}) == count


def test_each_indexed_page_is_in_exactly_one_shard_and_the_shards_are_listed(tmp_path: Path):
    site = tmp_path / "site"
    build_site(BuildOptions(CONTENT, today=TODAY), site)
    folders = shard_folders(site)
    pages = indexed_pages(site)
    assert len(folders) == shard_count(pages) > 3
    urls = []
    for folder in folders:
        records = fragments_in(folder)
        assert records, folder
        urls += records
    assert sorted(urls) == sorted("/" + p.removesuffix("index.html") for p in pages)
    # the search library and its WebAssembly are in the first shard only
    assert (folders[0] / "pagefind.js").is_file()
    for folder in folders[1:]:
        assert [n for n in LIBRARY if (folder / n).exists()] == []
        assert list(folder.glob("wasm.*")) == []
        assert (folder / "pagefind-entry.json").is_file()


def fragments_in(folder: Path) -> list[str]:
    """The page URLs in one shard's own index."""
    view = folder.parent / f"view-{folder.name}"
    (view / BUNDLE).mkdir(parents=True)
    for relative in own_files(folder):
        target = view / BUNDLE / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(folder / relative, target)
    try:
        return sorted(fragments(view))
    finally:
        shutil.rmtree(view)


def test_the_same_pages_in_shards_give_the_same_records_as_one_index(tmp_path, monkeypatch):
    build_site(BuildOptions(CONTENT, today=TODAY), tmp_path / "shards")
    monkeypatch.setattr(search_index, "SHARD_PAGES", 10**6)
    build_site(BuildOptions(CONTENT, today=TODAY), tmp_path / "one")
    assert fragments(tmp_path / "shards") == fragments(tmp_path / "one")
    assert json.loads((tmp_path / "one" / BUNDLE / SHARDS).read_text()) == {"more": []}


def test_text_that_names_the_index_mark_does_not_make_a_page_indexed(content_tree, tmp_path):
    title = 'Why <main data-pagefind-body> "data-pagefind-body"'
    root = content_tree({"a.md": story(title=title.replace('"', "'"))})
    site = tmp_path / "site"
    build_site(BuildOptions(root, today=TODAY), site)
    listing = (site / "stories" / "index.html").read_bytes()
    assert b"data-pagefind-body" in listing  # as text, in the story's title
    assert "stories/index.html" not in indexed_by_the_build(site)
    assert "stories/a/index.html" in indexed_by_the_build(site)


def indexed_by_the_build(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if search_index._given(site, p.relative_to(site).as_posix())[0]
    )


# --- What a rebuild makes again ----------------------------------------------------------------


def test_editing_one_story_makes_only_its_shard_again(content, tmp_path, pagefind_runs):
    options = BuildOptions(content, today=TODAY, cache=tmp_path / "cache")
    site = tmp_path / "site"
    build_site(options, site)
    folders = shard_folders(site)
    assert len(pagefind_runs) == len(folders)
    before = {folder: own_files(folder) for folder in folders}

    name = sorted((content / "stories").glob("*.md"))[0].name
    edit_body(content, name, "Wombats everywhere.")
    pagefind_runs.clear()
    build_site(options, site)

    page = f"stories/{Path(name).stem}/index.html"
    edited = folders[shard_of(page, len(folders))]
    assert [run.name for run in pagefind_runs] == [edited.name]
    for folder in folders:
        after = own_files(folder)
        same = {n for n, s in after.items() if n in before[folder] and _same(s, before[folder][n])}
        if folder == edited:
            assert same != set(after), "the edited story's shard is made again"
        else:
            assert same == set(after) == set(before[folder]), folder
    assert "wombats" in json.dumps(fragments(site)).lower()
    # and again: the shards kept last time are kept once more (their record still fits)
    edit_body(content, name, "Wombats everywhere, and badgers.")
    pagefind_runs.clear()
    build_site(options, site)
    assert [run.name for run in pagefind_runs] == [edited.name]


def test_a_shard_to_make_again_is_started_before_the_kept_ones(content, tmp_path, monkeypatch):
    """So Pagefind, the longest step, starts at once (here one shard at a time)."""
    monkeypatch.setattr(search_index, "AT_ONCE", 1)
    options = BuildOptions(content, today=TODAY, cache=tmp_path / "cache")
    site = tmp_path / "site"
    build_site(options, site)
    count = len(shard_folders(site))
    stories = sorted((content / "stories").glob("*.md"))
    last = next(s for s in stories if shard_of(f"stories/{s.stem}/index.html", count) == count - 1)
    steps: list[str] = []
    run, mirror = search_index._run_pagefind, search_index.mirror
    monkeypatch.setattr(
        search_index, "_run_pagefind", lambda *a: steps.append("pagefind") or run(*a)
    )
    monkeypatch.setattr(search_index, "mirror", lambda *a: steps.append("kept") or mirror(*a))
    edit_body(content, last.name, "Wombats everywhere.")
    build_site(options, site)
    assert steps == ["pagefind"] + ["kept"] * (count - 1)
    cold = tmp_path / "cold"
    build_site(BuildOptions(content, today=TODAY), cold)
    assert snapshot(site) == snapshot(cold)


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_ino, a.st_mtime_ns) == (b.st_ino, b.st_mtime_ns)


def test_pages_changed_outside_the_part_pagefind_reads_keep_every_shard(
    content, tmp_path, pagefind_runs
):
    """A template change in the footer changes every page's file but nothing Pagefind is
    given: no shard is made again, and the site is the one a cold build makes."""
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    options = BuildOptions(content, templates=templates, today=TODAY, cache=tmp_path / "cache")
    site = tmp_path / "site"
    build_site(options, site)
    base = templates / "base.html"
    footer = '<footer class="site-footer">'
    assert base.read_text(encoding="utf-8").count(footer) == 1
    base.write_text(
        base.read_text(encoding="utf-8").replace(footer, footer + "<p>Printed copy.</p>"),
        encoding="utf-8",
    )
    pagefind_runs.clear()
    build_site(options, site)
    assert pagefind_runs == []
    assert b"Printed copy." in (site / "stories" / "index.html").read_bytes()
    cold = tmp_path / "cold"
    build_site(BuildOptions(content, templates=templates, today=TODAY), cold)
    assert snapshot(site) == snapshot(cold)


def test_a_rebuild_with_nothing_changed_runs_no_pagefind(content, tmp_path, pagefind_runs):
    options = BuildOptions(content, today=TODAY, cache=tmp_path / "cache")
    build_site(options, tmp_path / "site")
    pagefind_runs.clear()
    build_site(options, tmp_path / "site")
    assert pagefind_runs == []


def test_without_a_cache_every_shard_is_made(content, tmp_path, pagefind_runs):
    options = BuildOptions(content, today=TODAY)
    build_site(options, tmp_path / "site")
    made = len(pagefind_runs)
    build_site(options, tmp_path / "site")
    assert len(pagefind_runs) == 2 * made


def test_a_tampered_shard_is_made_again(content, tmp_path, pagefind_runs):
    options = BuildOptions(content, today=TODAY, cache=tmp_path / "cache")
    site = tmp_path / "site"
    build_site(options, site)
    good = snapshot(site)
    tampered = shard_folders(site)[2]
    entry = tampered / "pagefind-entry.json"
    entry.write_text(entry.read_text().replace('"version"', '"versio"'))
    pagefind_runs.clear()
    build_site(options, site)
    assert [run.name for run in pagefind_runs] == [tampered.name]
    assert snapshot(site) == good


@pytest.mark.parametrize("damage", ["junk", "other pagefind", "other cut", "shard count"])
def test_a_record_that_does_not_fit_makes_every_shard(
    content, tmp_path, pagefind_runs, damage, monkeypatch
):
    cache = tmp_path / "cache"
    options = BuildOptions(content, today=TODAY, cache=cache)
    site = tmp_path / "site"
    build_site(options, site)
    good = snapshot(site)
    made = len(pagefind_runs)
    (record,) = cache.glob("search-*.marshal")
    key, pages, count, shards = cachefile.load(record, 4)
    if damage == "junk":
        record.write_bytes(b"not marshal")
    elif damage == "other pagefind":
        cachefile.save(record, ((*key[:-1], "0.0.1"), pages, count, shards))
    elif damage == "other cut":  # made by another search_view.py
        monkeypatch.setattr(search_index, "VIEW", b"another cut")
    else:
        cachefile.save(record, (key, pages, count + 1, (*shards, shards[0])))
    pagefind_runs.clear()
    build_site(options, site)
    assert len(pagefind_runs) == made
    assert snapshot(site) == good


def test_serve_indexes_only_the_saved_storys_shard(content, tmp_path, pagefind_runs):
    options = BuildOptions(content, today=TODAY, serving=True, cache=tmp_path / "cache")
    site = tmp_path / "site"
    rebuild = Rebuilder(options, site, defer_search=True)
    try:
        assert rebuild() is True
        folders = [f.name for f in shard_folders(site)]
        assert len(pagefind_runs) == len(folders)
        name = sorted((content / "stories").glob("*.md"))[-1].name
        edit_body(content, name, "Quokkas on the campus.")
        pagefind_runs.clear()
        assert rebuild() is True
        rebuild.settle()
    finally:
        rebuild.close()
    page = f"stories/{Path(name).stem}/index.html"
    assert [run.name for run in pagefind_runs] == [folders[shard_of(page, len(folders))]]
    assert "quokkas" in json.dumps(fragments(site)).lower()


def test_with_no_page_marked_every_page_is_indexed_whole(content_tree, tmp_path):
    """Templates that mark nothing for the index: Pagefind's own rule, whole pages."""
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    for name in ("story.html", "cell.html", "partnership.html"):
        page = templates / name
        page.write_text(page.read_text(encoding="utf-8").replace(" data-pagefind-body", ""))
    root = content_tree({"a.md": story(title="Alpha")})
    site = tmp_path / "site"
    build_site(BuildOptions(root, templates=templates, today=TODAY), site)
    assert indexed_pages(site) == []
    urls = set(fragments(site))
    assert {"/stories/a/", "/about/", "/stories/"} <= urls


# --- Pagefind started on the rendered pages, while the site is written ------------------------


@pytest.fixture
def shards_made(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """For each shard made, its number and where its pages came from: "start" (a
    SearchStart, from the pages as rendered) or "site" (build_search_index, from the site)."""
    made: list[tuple[int, str]] = []
    real = search_index._make_shard

    def watched(work: Path, shard: search_index.Shard, put, **rest) -> Path:
        early = getattr(put, "func", None) is search_index._put_early
        made.append((shard.number, "start" if early else "site"))
        return real(work, shard, put, **rest)

    monkeypatch.setattr(search_index, "_make_shard", watched)
    return made


def test_pagefind_starts_on_the_rendered_pages_and_nothing_is_indexed_twice(
    content, tmp_path, shards_made
):
    options = BuildOptions(content, today=TODAY, cache=tmp_path / "cache")
    site = tmp_path / "site"
    build_site(options, site)
    count = len(shard_folders(site))
    assert sorted(shards_made) == [(number, "start") for number in range(count)]
    name = sorted((content / "stories").glob("*.md"))[1].name
    edit_body(content, name, "Wombats everywhere.")
    shards_made.clear()
    build_site(options, site)
    assert shards_made == [(shard_of(f"stories/{Path(name).stem}/index.html", count), "start")]
    cold = tmp_path / "cold"
    build_site(BuildOptions(content, today=TODAY), cold)
    assert snapshot(site) == snapshot(cold)


def test_the_start_keeps_a_cut_copy_only_of_pages_whose_indexed_part_changed(
    content, tmp_path, monkeypatch
):
    """A cold build cuts each page once; after an edit, only the edited page is cut ahead:
    a page Pagefind is given as before is likely in a kept shard (a template change, which
    changes every page's file, cuts none ahead), and is cut again if its shard is made."""
    from_copies: list[str] = []
    real = search_index._put_early

    def watched(pages, cuts, path: str, file: Path) -> None:
        if path in cuts:
            from_copies.append(path)
        real(pages, cuts, path, file)

    monkeypatch.setattr(search_index, "_put_early", watched)
    options = BuildOptions(content, today=TODAY, cache=tmp_path / "cache")
    site = tmp_path / "site"
    build_site(options, site)
    assert sorted(from_copies) == indexed_pages(site)
    name = sorted((content / "stories").glob("*.md"))[3].name
    edit_body(content, name, "Wombats everywhere.")
    from_copies.clear()
    build_site(options, site)
    assert from_copies == [f"stories/{Path(name).stem}/index.html"]
    cold = tmp_path / "cold"
    build_site(BuildOptions(content, today=TODAY), cold)
    assert snapshot(site) == snapshot(cold)


def test_a_shard_whose_pages_are_not_those_the_start_indexed_is_made_from_the_site(
    content, tmp_path, monkeypatch, shards_made
):
    """The start's index of a shard is taken only for the very pages it was made from: here
    the start could not read one page, which the site has."""
    name = sorted((content / "stories").glob("*.md"))[2].name
    page = f"stories/{Path(name).stem}/index.html"
    read = search_index.SearchStart._read

    def misread(self, files, *rest) -> None:
        read(self, [file for file in files if file.path != page], *rest)

    monkeypatch.setattr(search_index.SearchStart, "_read", misread)
    site = tmp_path / "site"
    build_site(BuildOptions(content, today=TODAY), site)
    count = len(shard_folders(site))
    assert (shard_of(page, count), "site") in shards_made
    assert sorted(n for n, source in shards_made if source == "start") == list(range(count))
    monkeypatch.setattr(search_index.SearchStart, "_read", read)
    right = tmp_path / "right"
    build_site(BuildOptions(content, today=TODAY), right)
    assert snapshot(site) == snapshot(right)


def test_a_shard_the_start_could_not_put_together_is_made_from_the_site(
    content, tmp_path, monkeypatch, shards_made
):
    def fails(*args) -> None:
        raise OSError(28, "No space left on device")

    put = search_index._put_early
    monkeypatch.setattr(search_index, "_put_early", fails)
    site = tmp_path / "site"
    build_site(BuildOptions(content, today=TODAY), site)
    count = len(shard_folders(site))
    assert sorted(n for n, source in shards_made if source == "site") == list(range(count))
    monkeypatch.setattr(search_index, "_put_early", put)
    right = tmp_path / "right"
    build_site(BuildOptions(content, today=TODAY), right)
    assert snapshot(site) == snapshot(right)


def test_a_build_that_fails_while_writing_leaves_no_work_folder(content, tmp_path, monkeypatch):
    ram = tmp_path / "ram"
    ram.mkdir()
    monkeypatch.setattr(search_index, "RAM_DISK", ram)
    started = threading.Event()
    real = search_index._run_pagefind

    def watched(pages: Path, target: Path) -> None:
        started.set()
        real(pages, target)

    monkeypatch.setattr(search_index, "_run_pagefind", watched)

    def broken(*args) -> None:
        assert started.wait(60)  # the write fails while Pagefind runs on the rendered pages
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("casebook.write._write_all", broken)
    with pytest.raises(OutputError, match="No space left on device"):
        build_site(BuildOptions(content, today=TODAY), tmp_path / "site")
    assert list(ram.iterdir()) == []
    assert not (tmp_path / "site").exists()


def test_the_site_is_written_once_pagefind_runs_and_a_build_with_none_does_not_wait(
    content, tmp_path, monkeypatch
):
    """Putting the shards' pages together and writing the site are both Python: the write
    waits until Pagefind runs (starts, not ends: each Pagefind here goes on only once the
    wait is over). A build that makes no shard does not wait at all (the wait would end
    only at its time limit)."""
    from casebook import pipeline

    events: list[str] = []
    real_run, real_write = search_index._run_pagefind, pipeline._write_checked
    real_wait = search_index.SearchStart.wait_for_pagefind
    over = threading.Event()

    def run(pages: Path, target: Path) -> None:
        events.append("pagefind")
        over.wait(10)  # Pagefind, other shards' too, runs on past the wait's end
        real_run(pages, target)

    def write(*args, **kwargs):
        events.append("write")
        over.set()  # should the build not wait at all
        return real_write(*args, **kwargs)

    def wait(start: search_index.SearchStart, limit: float = 5.0) -> None:
        real_wait(start, limit)
        events.append("ran" if start._running.is_set() else "waited to the limit")
        over.set()

    monkeypatch.setattr(search_index, "_run_pagefind", run)
    monkeypatch.setattr(pipeline, "_write_checked", write)
    monkeypatch.setattr(search_index.SearchStart, "wait_for_pagefind", wait)
    options = BuildOptions(content, today=TODAY, cache=tmp_path / "cache")
    build_site(options, tmp_path / "site")
    # other shards' Pagefind may start before the build's thread notes the end of its wait
    assert "waited to the limit" not in events and "ran" in events
    ran = events.index("ran")
    assert events[0] == "pagefind" and set(events[:ran]) == {"pagefind"}
    assert set(events[ran + 1 : events.index("write")]) <= {"pagefind"}
    events.clear()
    build_site(options, tmp_path / "site")  # nothing changed: no shard made
    assert events == ["ran", "write"]


def test_the_cut_is_known_by_its_source_and_without_one_the_build_still_runs(monkeypatch, tmp_path):
    from casebook import search_view

    source = Path(search_view.__file__).read_bytes()
    assert search_index.VIEW == search_index._view() != b""
    copy = tmp_path / "search_view.py"
    copy.write_bytes(source + b"# another cut\n")
    monkeypatch.setattr(search_view, "__file__", str(copy))
    assert search_index._view() not in (b"", search_index.VIEW)
    monkeypatch.setattr(search_view, "__file__", str(tmp_path / "gone.pyc"))
    assert search_index._view() == b""  # a compiled-only install: no source to read
