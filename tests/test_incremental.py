"""Rebuilds: the body cache, unchanged files kept as they were, parallel pages, and proof that
a rebuild after any sequence of edits is byte-identical to a cold build of the same content."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
from pathlib import Path

import pytest
import yaml

from casebook import cachefile, render
from casebook.anonymity import named_in_file_name, named_in_title
from casebook.bodies import RenderedBody
from casebook.cache import BodyCache
from casebook.cli import main
from casebook.model import Partnership
from casebook.pipeline import BuildOptions, build_site
from casebook.problems import ContentError
from casebook.spool import Spool

from .conftest import CONTENT, REPO, story

TODAY = dt.date.today()


def snapshot_of(paths) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in paths}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def count_rendered(monkeypatch) -> list[int]:
    """How many bodies each build sends to the Markdown workers."""
    counts: list[int] = []
    real = render.render_bodies

    def counting(jobs, *args, **kwargs):
        counts.append(len(jobs))
        return real(jobs, *args, **kwargs)

    monkeypatch.setattr(render, "render_bodies", counting)
    return counts


def test_a_rebuild_renders_only_the_bodies_that_changed(content_tree, tmp_path, monkeypatch):
    root = content_tree({f"s{i}.md": story(f"Story {i}", f"Body {i}.") for i in range(4)})
    counts = count_rendered(monkeypatch)
    options = BuildOptions(root, today=TODAY, cache=tmp_path / "cache")
    build_site(options, tmp_path / "site")
    build_site(options, tmp_path / "site")
    (root / "stories" / "s2.md").write_text(story("Story 2", "A new body."))
    build_site(options, tmp_path / "site")
    assert counts == [4, 0, 1]
    assert "A new body." in (tmp_path / "site/stories/s2/index.html").read_text()


def test_the_cache_gives_the_same_bytes_as_no_cache(content_tree, tmp_path):
    root = content_tree({f"s{i}.md": story(f"Story {i}", f"*Body* {i}.") for i in range(3)})
    cached = BuildOptions(root, today=TODAY, cache=tmp_path / "cache")
    build_site(cached, tmp_path / "warm")
    build_site(cached, tmp_path / "warm")
    build_site(BuildOptions(root, today=TODAY), tmp_path / "cold")
    assert snapshot(tmp_path / "warm") == snapshot(tmp_path / "cold")


@pytest.mark.parametrize("junk", [b"", b"not marshal data", b"\x00" * 64, b"\xfb\x00\x00"])
def test_an_unreadable_cache_is_ignored_and_replaced(content_tree, tmp_path, junk, monkeypatch):
    root = content_tree({"a.md": story()})
    cache = tmp_path / "cache"
    cache.mkdir()
    for number in range(cachefile.PARTS):
        cachefile.part_path(cache, BodyCache.STEM, number).write_bytes(junk)
    counts = count_rendered(monkeypatch)
    options = BuildOptions(root, today=TODAY, cache=cache)
    build_site(options, tmp_path / "site")
    build_site(options, tmp_path / "site")
    assert counts == [1, 0]


def test_a_cache_entry_of_the_wrong_shape_is_a_miss(tmp_path):

    cache = BodyCache(None)
    entries = {
        cache.key("text"): ("html", "not a tuple", "words"),
        cache.key("other"): 42,
        cache.key("old"): ("html", ()),  # the shape before the plain text was kept
        cache.key("no text"): ("html", (), None),
        cache.key("good"): ("<p>Good.</p>", ("a.png",), "Good."),
    }
    cachefile.save_parts(tmp_path, BodyCache.STEM, cache._engine, entries, {})
    read = BodyCache(tmp_path)
    assert [read.get(k, k) for k in ("text", "other", "old", "no text")] == [None] * 4
    assert read.get("g", "good") == RenderedBody("g", "<p>Good.</p>", ("a.png",), text="Good.")


def test_the_cache_keeps_only_what_the_last_build_used(content_tree, tmp_path):
    root = content_tree({"a.md": story(body="First."), "b.md": story("B", "Second.")})
    options = BuildOptions(root, today=TODAY, cache=tmp_path / "cache")
    build_site(options, tmp_path / "site")
    (root / "stories" / "b.md").unlink()
    build_site(options, tmp_path / "site")
    kept = BodyCache(tmp_path / "cache")
    assert kept.get("a", "## Why we placed ourselves here\n\nFirst.\n") is not None
    assert kept.get("b", "## Why we placed ourselves here\n\nSecond.\n") is None


def test_no_cache_neither_reads_nor_writes_it(content_tree, monkeypatch, capsys):
    root = content_tree({"a.md": story()})
    monkeypatch.chdir(root.parent)
    counts = count_rendered(monkeypatch)
    assert main(["build", "--no-cache"]) == 0
    assert not (root.parent / ".casebook").exists()
    assert main(["build"]) == 0
    assert any((root.parent / ".casebook" / "cache").glob("bodies-*.marshal"))
    assert main(["build", "--no-cache"]) == 0
    assert counts == [1, 1, 1]


def test_unchanged_files_are_not_rewritten_and_keep_their_time(content_tree, tmp_path):
    other = story("Beta").replace("Example University", "Other University")
    root = content_tree({"a.md": story("Alpha"), "b.md": other})
    options = BuildOptions(root, today=TODAY)
    site = tmp_path / "site"
    build_site(options, site)
    page_a, page_b = site / "stories/a/index.html", site / "stories/b/index.html"
    css = site / "static/site.css"
    before = {p: p.stat() for p in (page_a, page_b, css)}
    (root / "stories" / "b.md").write_text(other.replace("Beta", "Beta, retitled"))
    build_site(options, site)
    for same in (page_a, css):
        assert same.stat().st_mtime_ns == before[same].st_mtime_ns
        assert same.stat().st_ino == before[same].st_ino
    assert page_b.stat().st_ino != before[page_b].st_ino
    assert "Beta, retitled" in page_b.read_text()


def test_pages_rendered_in_workers_are_the_same_as_in_one_process(monkeypatch, tmp_path):
    options = BuildOptions(CONTENT, today=TODAY)
    build_site(options, tmp_path / "one")
    monkeypatch.setattr(render, "_PARALLEL_PAGES", 1)
    monkeypatch.setattr(render, "_CHUNK", 7)
    forks = []
    real_pool = render.multiprocessing.get_context("fork").Pool

    def pool(*args, **kwargs):
        forks.append(args)
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(render.multiprocessing.get_context("fork"), "Pool", pool, raising=False)
    monkeypatch.setattr(render.os, "cpu_count", lambda: 2)
    build_site(options, tmp_path / "two")
    assert forks, "the pages were not split between workers"
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def _split_between_workers(monkeypatch) -> None:
    monkeypatch.setattr(render, "_PARALLEL_PAGES", 1)
    monkeypatch.setattr(render, "_CHUNK", 7)
    monkeypatch.setattr(render.os, "cpu_count", lambda: 2)


def test_pages_made_in_workers_wait_on_disk_then_the_spool_is_removed(monkeypatch, tmp_path):
    from casebook import write

    options = BuildOptions(CONTENT, today=TODAY)
    build_site(options, tmp_path / "one")
    _split_between_workers(monkeypatch)
    seen = []
    write_all = write._write_all

    def writing(files, root, last):
        spooled = [f for f in files if f.spooled]
        seen.append((len(files), spooled, {f.source.parent.name for f in spooled}))
        assert all(f.data is None and f.source.is_file() for f in spooled)
        return write_all(files, root, last)

    monkeypatch.setattr(write, "_write_all", writing)
    build_site(options, tmp_path / "two")
    [(count, spooled, folders)] = seen
    assert len(spooled) > count / 2  # the pages; static files and images are copied
    assert len(folders) == 1 and folders.pop().startswith(".two.pages-")
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one", "two"]


def test_a_build_that_fails_after_spooling_leaves_no_spool(monkeypatch, tmp_path, content_tree):
    import shutil

    root = content_tree({f"s{i}.md": story(f"Story {i}") for i in range(3)})
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    page = templates / "story.html"
    broken = "{% block main %}{{ no_such_thing.attribute }}"
    page.write_text(page.read_text().replace("{% block main %}", broken))
    _split_between_workers(monkeypatch)
    made = []
    folder = Spool.folder
    monkeypatch.setattr(Spool, "folder", lambda self: made.append(folder(self)) or made[-1])
    with pytest.raises(ContentError):
        build_site(BuildOptions(root, templates=templates, today=TODAY), tmp_path / "site")
    assert made and made[0] is not None and made[0].startswith(str(tmp_path / ".site.pages-"))
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")]


def test_no_spool_is_made_beside_an_output_folder_that_is_refused(monkeypatch, tmp_path):
    from casebook.write import OutputError

    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    _split_between_workers(monkeypatch)
    with pytest.raises(OutputError):
        build_site(BuildOptions(root, today=TODAY), root / "stories" / "site")
    assert not [p.name for p in (root / "stories").iterdir() if p.name.startswith(".site.")]


def test_pages_stay_in_memory_when_no_spool_can_be_made(monkeypatch, tmp_path):
    from casebook import spool

    made = spool.tempfile.mkdtemp

    def cannot(*args, prefix="", **kwargs):
        if ".pages-" in prefix:
            raise PermissionError(13, "Permission denied")
        return made(*args, prefix=prefix, **kwargs)

    options = BuildOptions(CONTENT, today=TODAY)
    build_site(options, tmp_path / "one")
    _split_between_workers(monkeypatch)
    monkeypatch.setattr(spool.tempfile, "mkdtemp", cannot)
    build_site(options, tmp_path / "two")
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


# --- incremental equals cold, over random sequences of edits ------------------------------

WORDS = "trust people time funding union students plan evidence shared agreed".split()


def random_edit(rng: random.Random, stories: Path, number: int) -> None:
    """One edit a contributor might make: add, remove, or change a story's body or fields."""
    files = sorted(stories.glob("*.md"))
    kinds = ["body", "title", "stage", "add", "remove", "tag", "date", "summary", "anonymous"]
    kind = rng.choice([*kinds, "partnership", "untag", "shared"])
    if kind == "add" or len(files) < 2:
        text = story(f"Added {number}", " ".join(rng.choices(WORDS, k=12)))
        (stories / f"added-{number}-{rng.randrange(10**6)}.md").write_text(text)
        return
    target = rng.choice(files)
    if kind == "remove":
        target.unlink()
        return
    _, front_text, body = target.read_text().split("---\n", 2)
    front = yaml.safe_load(front_text)
    if kind == "body":
        body += f"\n{' '.join(rng.choices(WORDS, k=8))}.\n"
    elif kind == "title":
        front["title"] = f"{rng.choice(WORDS).title()} {front['title']}"
    elif kind == "stage":
        rng.choice(front["assessments"])["stage"] = rng.randint(1, 5)
    elif kind == "tag":
        front["tags"] = sorted({*front.get("tags", []), rng.choice(WORDS)})
    elif kind == "untag":
        front["tags"] = front.get("tags", [])[1:]
    elif kind == "summary":
        front["summary"] = " ".join(rng.choices(WORDS, k=6)).capitalize() + "."
    elif kind == "anonymous":
        front["anonymous"] = not front.get("anonymous", False)
        front.pop("contributors", None)  # an anonymous story names none
    elif kind == "partnership":  # another's: it joins that partnership's journey
        other = rng.choice(files).read_text().split("---\n", 2)[1]
        front["partnership"] = yaml.safe_load(other)["partnership"]
    elif kind == "shared":  # shared later, on another day, or the day no longer said
        date = front["date"]
        days = (TODAY - date).days
        front["shared"] = date + dt.timedelta(days=rng.randint(0, days)) if days else date
        if rng.random() < 0.25:
            front.pop("shared")
    else:
        front["date"] = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(1400))
        if front.get("shared") and front["shared"] < front["date"]:
            front["shared"] = front["date"]  # as check asks: shared on its date or later
    if front.get("anonymous") and _gives_away(front, target.stem):
        front["partnership"] = UNNAMED  # as check asks: no partner's name in file or title
    dumped = yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
    target.write_text(f"---\n{dumped}---\n{body}")


UNNAMED = {"institution": "Quarrow University", "students_union": "Quarrow Students' Union"}


def _gives_away(front: dict, slug: str) -> bool:
    """Whether an anonymous story's file name or title names its partnership (anonymity.py)."""
    named = front["partnership"]
    partnership = Partnership("", named["institution"], named["students_union"])
    return bool(
        named_in_file_name(slug, partnership) or named_in_title(front["title"], partnership)
    )


@pytest.mark.parametrize(
    ("seed", "shard_pages"),
    [(0, 1000), (1, 1000), (2, 1000), (3, 9), (4, 9), (5, 9), (6, 1000), (7, 1000)],
)
def test_a_rebuild_after_random_edits_is_byte_identical_to_a_cold_build(
    tmp_path, monkeypatch, seed, shard_pages
):
    """Also with the search index in shards of 9 pages (about 9 here), of which a rebuild
    keeps those whose pages did not change."""
    from casebook import search_index

    monkeypatch.setattr(search_index, "SHARD_PAGES", shard_pages)
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    rng = random.Random(seed)
    options = BuildOptions(content, today=TODAY, cache=tmp_path / "cache")
    site = tmp_path / "site"
    build_site(options, site)
    for number in range(4):
        for _ in range(rng.randint(1, 3)):
            random_edit(rng, content / "stories", number)
        build_site(options, site)
        cold = tmp_path / f"cold-{number}"
        build_site(BuildOptions(content, today=TODAY), cold)
        assert snapshot(site) == snapshot(cold), f"seed {seed}, step {number}"
        shutil.rmtree(cold)


def test_compiled_templates_are_kept_and_a_template_edit_is_seen(content_tree, tmp_path):
    root = content_tree({"a.md": story("Alpha")})
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    cache = tmp_path / "cache"
    options = BuildOptions(root, templates=templates, today=TODAY, cache=cache)
    site = tmp_path / "site"
    build_site(options, site)
    compiled = [p for p in cache.iterdir() if p.name.startswith("templates-")]
    assert len(compiled) == 1 and any(compiled[0].iterdir())
    story_html = templates / "story.html"
    original = story_html.read_text()
    for edited in (original.replace("</h1>", " (edited)</h1>", 1), original):
        story_html.write_text(edited)
        build_site(options, site)
        cold = tmp_path / "cold"
        build_site(BuildOptions(root, templates=templates, today=TODAY), cold)
        assert snapshot(site) == snapshot(cold)
        page = (site / "stories" / "a" / "index.html").read_text()
        assert ("(edited)</h1>" in page) == (edited != original)
        shutil.rmtree(cold)


# --- pages kept from the last build ---------------------------------------------------------


@pytest.fixture
def made_pages(monkeypatch):
    """The URLs of the pages each build makes (rather than keeps), in one process."""
    made: list[str] = []
    real = render._render_page

    def recording(env, page, templates, *spool):
        made.append(page.url)
        return real(env, page, templates, *spool)

    monkeypatch.setattr(render, "_render_page", recording)
    monkeypatch.setattr(render, "_PARALLEL_PAGES", 10**9)
    return made


def test_editing_a_body_remakes_only_the_pages_that_show_it(content_tree, tmp_path, made_pages):
    root = content_tree(
        {"a.md": story("Alpha", "First words."), "b.md": story("Beta", "Other words.")}
    )
    options = BuildOptions(root, today=TODAY, cache=tmp_path / "cache")
    site = tmp_path / "site"
    build_site(options, site)
    everything = sorted(made_pages)
    made_pages.clear()
    build_site(options, site)
    assert made_pages == []  # nothing changed: every page is the last build's

    (root / "stories" / "a.md").write_text(story("Alpha", "New words."))
    build_site(options, site)
    assert "/stories/a/" in made_pages
    assert "/stories/b/" not in made_pages
    assert "/data/stories.json" in made_pages  # it carries every story's text
    assert "/data/stories.csv" not in made_pages  # it carries none
    assert "/about/" not in made_pages
    assert 0 < len(made_pages) < len(everything) / 2
    cold = tmp_path / "cold"
    build_site(BuildOptions(root, today=TODAY), cold)
    assert snapshot(site) == snapshot(cold)


def told(title: str, place: str, cell: str, tags: str = "", date: str = "2024-05-01") -> str:
    """A story of the partnership of `place`, assessed at `cell` ("trust 2"), with tags."""
    sub, stage = cell.split()
    return (
        f"---\ntitle: {title}\ndate: {date}\npartnership:\n  institution: {place} University\n"
        f"  students_union: {place} Students' Union\nperspective: joint\nassessments:\n"
        f"  - sub_element: {sub}\n    stage: {stage}\ntags: [{tags}]\nexample: true\n---\n"
        "Plain words.\n"
    )


@pytest.fixture
def partnerships(content_tree, tmp_path, made_pages):
    """start(templates) makes two stories of Northam's partnership and one of Southby's,
    builds them with a cache and gives (stories folder, build): build() builds again and
    gives the pages it made, once it has checked that the site equals a cold build's."""

    def start(templates: Path = REPO / "templates"):
        root = content_tree(
            {
                "a.md": told("Alpha", "Northam", "trust 2", "alpha", "2024-05-01"),
                "c.md": told("Gamma", "Northam", "people 3", "", "2024-07-01"),
                "b.md": told("Beta", "Southby", "time 4", "beta", "2024-06-01"),
            }
        )
        options = BuildOptions(root, templates=templates, today=TODAY, cache=tmp_path / "cache")
        site = tmp_path / "site"
        build_site(options, site)

        def build() -> list[str]:
            made_pages.clear()
            build_site(options, site)
            made = sorted(made_pages)
            cold = tmp_path / "cold"
            build_site(BuildOptions(root, templates=templates, today=TODAY), cold)
            assert snapshot(site) == snapshot(cold)
            shutil.rmtree(cold)
            return made

        return root / "stories", build

    return start


NORTHAM = "/partnerships/northam-university-northam-students-union/"
SOUTHBY = "/partnerships/southby-university-southby-students-union/"


def test_a_front_matter_edit_remakes_only_the_pages_that_read_the_story(partnerships):
    stories, build = partnerships()
    assert build() == []
    (stories / "a.md").write_text(told("Alpha, renamed", "Northam", "trust 2", "alpha"))
    made = build()
    for page in ["/stories/a/", "/stories/c/", "/tags/alpha/", "/rubric/trust/2/", NORTHAM]:
        assert page in made  # c's page names a under "More from"
    for page in ["/stories/b/", "/tags/beta/", "/rubric/time/4/", SOUTHBY, "/about/"]:
        assert page not in made
    assert "/rubric/people/3/" not in made  # it lists c alone


def test_adding_a_story_remakes_its_partnerships_pages_and_its_lists(partnerships):
    stories, build = partnerships()
    (stories / "d.md").write_text(told("Delta", "Northam", "trust 2", "alpha", "2025-01-01"))
    made = build()
    for page in ["/stories/d/", "/stories/a/", "/stories/c/", "/tags/alpha/", NORTHAM]:
        assert page in made
    for page in ["/stories/b/", "/tags/beta/", "/rubric/time/4/", SOUTHBY, "/about/"]:
        assert page not in made
    (stories / "d.md").unlink()
    made = build()
    assert "/stories/a/" in made and "/stories/b/" not in made


def test_a_new_tag_makes_its_page_and_keeps_other_stories_pages(partnerships):
    stories, build = partnerships()
    (stories / "b.md").write_text(told("Beta", "Southby", "time 4", "beta, gamma"))
    made = build()
    assert "/tags/gamma/" in made and "/stories/b/" in made
    assert "/stories/a/" not in made and "/tags/alpha/" not in made


def about_shows(tmp_path: Path, expression: str) -> Path:
    """The real templates, with the about page's main block starting [expression]."""
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    page = templates / "about.html"
    shown = "{% block main %}[{{ " + expression + " }}]"
    page.write_text(page.read_text().replace("{% block main %}", shown, 1))
    return templates


def test_a_page_that_counts_stories_is_made_again_when_the_count_changes(partnerships, tmp_path):
    """The count is read without reading a story: the question's answer changed."""
    templates = about_shows(tmp_path, 'book.stories_at("trust", 2) | length')
    stories, build = partnerships(templates)
    (stories / "c.md").write_text(told("Gamma, renamed", "Northam", "people 3"))
    assert "/about/" not in build()
    (stories / "b.md").write_text(told("Beta", "Southby", "trust 2", "beta"))
    assert "/about/" in build()
    assert "[2]" in (tmp_path / "site" / "about" / "index.html").read_text()


def test_a_page_that_reads_one_tags_stories_is_kept_when_another_tag_changes(
    partnerships, tmp_path
):
    templates = about_shows(tmp_path, 'book.by_tag["beta"] | length')
    stories, build = partnerships(templates)
    (stories / "a.md").write_text(told("Alpha", "Northam", "trust 2", "alpha, zeta"))
    assert "/about/" not in build()
    (stories / "a.md").write_text(told("Alpha", "Northam", "trust 2", "alpha, beta"))
    assert "/about/" in build()
    assert "[2]" in (tmp_path / "site" / "about" / "index.html").read_text()


def test_a_page_that_found_no_entry_is_made_again_when_the_entry_comes(partnerships, tmp_path):
    templates = about_shows(tmp_path, '"gamma" in book.by_tag')
    stories, build = partnerships(templates)
    about = tmp_path / "site" / "about" / "index.html"
    assert "[False]" in about.read_text()
    (stories / "a.md").write_text(told("Alpha", "Northam", "trust 2", "alpha, zeta"))
    assert "/about/" not in build()
    (stories / "b.md").write_text(told("Beta", "Southby", "time 4", "beta, gamma"))
    assert "/about/" in build()
    assert "[True]" in about.read_text()


@pytest.mark.parametrize(
    "expression",
    [
        "book.stories_at(rubric.sub_elements[0], 2) | length",  # can't be asked again
        'book.stories | selectattr("anonymous") | list | length',  # reads every story
        "book.by_tag | length",  # the whole mapping
    ],
)
def test_a_page_that_reads_more_is_made_again_after_any_front_matter_edit(
    partnerships, tmp_path, expression
):
    templates = about_shows(tmp_path, expression)
    stories, build = partnerships(templates)
    assert build() == []
    (stories / "c.md").write_text(told("Gamma", "Northam", "people 3", "gamma"))
    assert "/about/" in build()
    assert "/about/" not in build()


def test_a_page_changed_in_the_site_since_is_made_again(content_tree, tmp_path, made_pages):
    root = content_tree({"a.md": story("Alpha")})
    options = BuildOptions(root, today=TODAY, cache=tmp_path / "cache")
    site = tmp_path / "site"
    build_site(options, site)
    about = site / "about" / "index.html"
    good = about.read_bytes()
    about.unlink()
    about.write_bytes(good.replace(b"</h1>", b" (tampered)</h1>"))
    made_pages.clear()
    build_site(options, site)
    assert made_pages == ["/about/"]
    assert about.read_bytes() == good


def test_each_output_folder_keeps_its_own_pages(content_tree, tmp_path, made_pages):
    """serve's site and build's share the cache folder; neither undoes the other's record."""
    root = content_tree({"a.md": story("Alpha")})
    cache = tmp_path / "cache"
    built = BuildOptions(root, today=TODAY, cache=cache)
    served = BuildOptions(root, today=TODAY, cache=cache, serving=True)
    build_site(built, tmp_path / "site")
    build_site(served, tmp_path / "serve")
    made_pages.clear()
    build_site(built, tmp_path / "site")
    build_site(served, tmp_path / "serve")
    assert made_pages == []
    assert len(list(cache.glob("pages-*.marshal"))) == 2


def test_templates_reach_a_body_only_through_what_notes_it(content_tree, tmp_path):
    root = content_tree({"a.md": story("Alpha", "Secret words.")})
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    page = templates / "about.html"
    peek = "{% block main %}[{{ book.stories[0].body }}]"
    page.write_text(page.read_text().replace("{% block main %}", peek, 1))
    build_site(BuildOptions(root, templates=templates, today=TODAY), tmp_path / "site")
    assert "[]" in (tmp_path / "site" / "about" / "index.html").read_text()


def test_the_record_holds_each_pages_file_as_it_is_in_the_site(content_tree, tmp_path, made_pages):
    """Kept pages keep their recorded entry (their file in the site is the very one kept()
    checked); made pages are recorded from their new file. Each entry ends with the size,
    time and inode of the page's file in the site."""
    import marshal

    root = content_tree({"a.md": story("Alpha", "First words."), "b.md": story("Beta")})
    cache = tmp_path / "cache"
    options = BuildOptions(root, today=TODAY, cache=cache)
    site = tmp_path / "site"
    build_site(options, site)
    [record] = cache.glob("pages-*.marshal")
    before = marshal.loads(record.read_bytes())[2]
    (root / "stories" / "a.md").write_text(story("Alpha", "New words."), encoding="utf-8")
    made_pages.clear()
    build_site(options, site)
    assert "/stories/a/" in made_pages and "/stories/b/" not in made_pages
    entries = marshal.loads(record.read_bytes())[2]
    assert entries.keys() == before.keys()
    for path, entry in entries.items():
        info = (site / path).lstat()
        assert entry[4:] == (info.st_size, info.st_mtime_ns, info.st_ino), path
    assert entries["stories/b/index.html"] == before["stories/b/index.html"]
    assert entries["stories/a/index.html"] != before["stories/a/index.html"]


def test_a_page_record_of_the_wrong_shape_keeps_nothing(content_tree, tmp_path, made_pages):
    import marshal

    root = content_tree({"a.md": story("Alpha")})
    cache = tmp_path / "cache"
    options = BuildOptions(root, today=TODAY, cache=cache)
    build_site(options, tmp_path / "site")
    [record] = cache.glob("pages-*.marshal")
    key, fronts, entries = marshal.loads(record.read_bytes())
    broken = {path: (*entry[:4], "size", *entry[5:]) for path, entry in entries.items()}
    record.write_bytes(marshal.dumps((key, fronts, broken)))
    made_pages.clear()
    build_site(options, tmp_path / "site")
    assert len(made_pages) == len(entries)
    record.write_bytes(b"not marshal at all")
    made_pages.clear()
    build_site(options, tmp_path / "site")
    assert len(made_pages) == len(entries)


# --- the manifest: a build with nothing changed stops early -------------------------------


@pytest.fixture
def cli_site(content_tree, monkeypatch, tmp_path):
    """A content tree built once through the CLI, in a folder of its own."""
    from casebook import manifest

    monkeypatch.setattr(manifest, "RACY_NS", 0)  # these files were all written just now
    root = content_tree({"a.md": story("Alpha"), "b.md": story("Beta")})
    monkeypatch.chdir(tmp_path)
    assert main(["build"]) == 0
    return root


def built_again(capsys, *args: str) -> str:
    capsys.readouterr()
    assert main(["build", *args]) == 0
    return capsys.readouterr().out


def test_a_build_with_nothing_changed_does_nothing(cli_site, tmp_path, capsys, monkeypatch):
    counts = count_rendered(monkeypatch)
    before = snapshot(tmp_path / "site")
    assert "nothing changed; site/ is up to date" in built_again(capsys)
    assert counts == []
    assert snapshot(tmp_path / "site") == before


def test_a_build_with_nothing_changed_imports_none_of_the_pipeline(cli_site, tmp_path):
    """Importing Jinja2, Python-Markdown, PyYAML and the model took as long as telling that
    nothing had changed (at 10,000 stories)."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from casebook.cli import main\n"
        "status = main(['build'])\n"
        "heavy = {'jinja2', 'markdown', 'yaml', 'nh3', 'casebook.pipeline', 'casebook.model'}\n"
        "print(status, sorted(m for m in sys.modules if m in heavy))\n"
    )

    def run() -> str:
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()[-1]

    assert run() == "0 []"
    (cli_site / "stories" / "a.md").write_text(story("Alpha", "Edited."))
    assert run() == "0 ['casebook.model', 'casebook.pipeline', 'jinja2', 'markdown', 'nh3', 'yaml']"


@pytest.mark.parametrize(
    "change",
    [
        "edit a story",
        "edit a story in place, its time put back",
        "add a story",
        "remove a story",
        "edit a template",
        "edit the rubric",
        "remove a page from the site",
        "edit a page of the site",
        "add a file to the site",
        "remove a folder from the site",
        "another base URL",
    ],
)
def test_any_change_to_inputs_or_site_builds_again(cli_site, tmp_path, capsys, change):
    stories, args = cli_site / "stories", []
    if change == "edit a story":
        (stories / "a.md").write_text(story("Alpha, again"))
    elif change == "edit a story in place, its time put back":
        before = (stories / "a.md").stat()  # as `cp -p` and `touch -r` leave a file
        with (stories / "a.md").open("r+") as file:
            text = file.read()
            file.seek(0)
            file.write(text.replace("Alpha", "Alpho"))
        os.utime(stories / "a.md", ns=(before.st_atime_ns, before.st_mtime_ns))
        assert (stories / "a.md").stat().st_size == before.st_size
    elif change == "add a story":
        (stories / "c.md").write_text(story("Gamma"))
    elif change == "remove a story":
        (stories / "b.md").unlink()
    elif change == "edit a template":
        shutil.copytree(REPO / "templates", tmp_path / "templates")
        with (tmp_path / "templates" / "base.html").open("a") as file:
            file.write("{# a comment #}\n")
    elif change == "edit the rubric":
        rubric = cli_site / "rubric" / "rubric.yaml"
        rubric.write_text(rubric.read_text() + "\n")
    elif change == "remove a page from the site":
        (tmp_path / "site" / "stories" / "a" / "index.html").unlink()
    elif change == "edit a page of the site":
        (tmp_path / "site" / "about" / "index.html").write_text("changed by hand")
    elif change == "add a file to the site":
        (tmp_path / "site" / "stories" / "a" / "notes.txt").write_text("left by hand")
    elif change == "remove a folder from the site":
        shutil.rmtree(tmp_path / "site" / "stories" / "b")
    else:
        args = ["--base-url", "https://example.org/wp/"]
    cold = tmp_path / "cold"
    assert main(["build", "--no-cache", "--output", str(cold), *args]) == 0
    assert "built" in built_again(capsys, *args)
    assert snapshot(tmp_path / "site") == snapshot(cold)
    assert "nothing changed" in built_again(capsys, *args)


def test_no_manifest_is_kept_while_a_file_is_too_new_to_trust(
    content_tree, tmp_path, capsys, monkeypatch
):
    content_tree({"a.md": story()})
    monkeypatch.chdir(tmp_path)
    assert main(["build"]) == 0  # the story was written just now: the clock can't tell
    assert "built" in built_again(capsys)


# --- the progress bar --------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_progress_bar_waits_a_second_then_draws_and_clears_itself():
    import io

    from casebook.progress import Progress

    stream, clock = io.StringIO(), FakeClock()
    bar = Progress(True, stream, clock=clock)
    bar.step("pages made", 10, 100)
    assert stream.getvalue() == ""  # a quick build shows nothing
    clock.now = 1.5
    bar.step("pages made", 50, 100)
    clock.now = 1.55
    bar.step("pages made", 60, 100)  # too soon to redraw
    clock.now = 1.7
    bar.step("pages made", 100, 100)
    bar.finish()
    assert stream.getvalue() == (
        "\r[############------------]  50% pages made 50/100\x1b[K"
        "\r[########################] 100% pages made 100/100\x1b[K"
        "\r\x1b[K"
    )


def test_no_progress_bar_in_ci_or_when_not_a_terminal(monkeypatch):
    import io

    from casebook import progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    assert progress.wanted(Terminal()) is True
    assert progress.wanted(io.StringIO()) is False
    monkeypatch.setenv("CI", "true")
    assert progress.wanted(Terminal()) is False


def test_a_long_build_reports_progress_on_a_terminal(content_tree, tmp_path, monkeypatch):
    import io

    from casebook import progress

    stream = io.StringIO()
    monkeypatch.setattr(progress.sys, "stderr", stream)
    monkeypatch.setattr(progress.Progress.__init__, "__defaults__", (stream, 0.0, FakeClock()))
    root = content_tree({f"s{i}.md": story(f"Story {i}") for i in range(3)})
    build_site(BuildOptions(root, today=TODAY, progress=True), tmp_path / "site")
    assert "stories rendered 3/3" in stream.getvalue()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_an_unchanged_search_index_keeps_its_files_and_times(content_tree, tmp_path):
    root = content_tree({"a.md": story("Alpha"), "b.md": story("Beta")})
    site = tmp_path / "site"
    build_site(BuildOptions(root, today=TODAY), site)
    index = sorted(p for p in (site / "pagefind").rglob("*") if p.is_file())
    assert index
    before = {p: p.stat() for p in index}
    build_site(BuildOptions(root, today=TODAY), site)
    for path, stat in before.items():
        assert path.stat().st_ino == stat.st_ino, path
        assert path.stat().st_mtime_ns == stat.st_mtime_ns, path


def test_a_build_that_stops_before_rendering_keeps_the_body_cache(content_tree, tmp_path):
    from casebook.problems import ContentError

    root = content_tree({"a.md": story("Alpha"), "b.md": story("Beta")})
    cache = tmp_path / "cache"
    build_site(BuildOptions(root, today=TODAY, cache=cache), tmp_path / "site")
    before = snapshot_of(cache.glob("bodies-*.marshal"))
    assert before
    broken = BuildOptions(root, templates=tmp_path / "no-templates", today=TODAY, cache=cache)
    with pytest.raises(ContentError):
        build_site(broken, tmp_path / "site")
    assert snapshot_of(cache.glob("bodies-*.marshal")) == before


# --- a large page goes to the spool as it is made ------------------------------------------


def test_a_large_page_is_written_to_the_spool_as_it_is_made(monkeypatch, tmp_path):
    """data/stories.json holds every story's text (70 MB at 10,000 stories): past
    render._LARGE a page is written out part by part, not held whole, and the site is the
    same."""
    results: dict[str, object] = {}
    real = render._render_page

    def recording(env, page, templates, *spool):
        made = real(env, page, templates, *spool)
        results[page.url] = made if isinstance(made, render.Problem) else made[0]
        return made

    monkeypatch.setattr(render, "_render_page", recording)
    monkeypatch.setattr(render, "_PARALLEL_PAGES", 10**9)
    build_site(BuildOptions(CONTENT, today=TODAY), tmp_path / "whole")
    assert isinstance(results["/data/stories.json"], bytes)
    whole = snapshot(tmp_path / "whole")
    monkeypatch.setattr(render, "_LARGE", len(whole["data/stories.json"]) // 2)
    build_site(BuildOptions(CONTENT, today=TODAY), tmp_path / "in-parts")
    spooled = results["/data/stories.json"]
    assert isinstance(spooled, str) and spooled.endswith(".page")
    assert isinstance(results["/about/"], bytes) and len(results["/about/"]) < render._LARGE
    assert snapshot(tmp_path / "in-parts") == whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in-parts", "whole"]  # spool gone


def test_a_large_page_the_spool_cannot_take_is_kept_in_memory(monkeypatch, tmp_path):
    monkeypatch.setattr(render, "_LARGE", 10)
    parts = ["x" * 8, "y" * 8, "z" * 8]
    file = tmp_path / "page"
    assert render._made(iter(parts), lambda: str(file)) == str(file)
    assert file.read_bytes() == b"x" * 8 + b"y" * 8 + b"z" * 8
    nowhere = str(tmp_path / "missing" / "page")
    assert render._made(iter(parts), lambda: nowhere) is None  # made again in memory
    assert render._made(iter(parts), lambda: None) == b"x" * 8 + b"y" * 8 + b"z" * 8


def test_editing_one_story_writes_again_only_its_parts_of_the_caches(
    content_tree, tmp_path, monkeypatch
):
    from casebook import load

    monkeypatch.setattr(load, "SETTLED_NS", 0)  # these files were all written just now
    root = content_tree({f"s{i}.md": story(f"Story {i}", f"Body {i}.") for i in range(40)})
    cache = tmp_path / "cache"
    options = BuildOptions(root, today=TODAY, cache=cache)
    build_site(options, tmp_path / "site")

    def inodes(stem: str) -> dict[str, int]:
        return {p.name: p.stat().st_ino for p in cache.glob(f"{stem}-*.marshal")}

    bodies, stories = inodes("bodies"), inodes("stories")
    assert len(bodies) > 8 and len(stories) > 8  # 40 entries over 16 parts
    (root / "stories" / "s7.md").write_text(story("Story 7", "Body 7, edited."))
    build_site(options, tmp_path / "site")
    changed = [name for name, ino in inodes("bodies").items() if bodies.get(name) != ino]
    assert 1 <= len(changed) <= 2  # the old text's entry gone, the new one's added
    changed = [name for name, ino in inodes("stories").items() if stories.get(name) != ino]
    assert len(changed) == 1
    cold = tmp_path / "cold"
    build_site(BuildOptions(root, today=TODAY), cold)
    assert snapshot(tmp_path / "site") == snapshot(cold)


def test_stories_kept_in_the_cache_keep_every_page_that_did_not_change(
    content_tree, tmp_path, monkeypatch, made_pages
):
    """Pages are keyed by each story's front matter: a story the story cache gives back
    must give the same key as when it was checked."""
    from casebook import load

    monkeypatch.setattr(load, "SETTLED_NS", 0)  # so the story cache takes them
    root = content_tree({f"s{i}.md": story(f"Story {i}", f"Body {i}.") for i in range(3)})
    options = BuildOptions(root, today=TODAY, cache=tmp_path / "cache")
    build_site(options, tmp_path / "site")
    made_pages.clear()
    build_site(options, tmp_path / "site")
    assert made_pages == []
    (root / "stories" / "s1.md").write_text(story("Story 1", "Body 1, edited."))
    build_site(options, tmp_path / "site")
    assert "/stories/s1/" in made_pages and "/stories/s0/" not in made_pages


# --- stories.json: unchanged stories' records are taken from the last build's file --------


@pytest.fixture
def encoded(monkeypatch) -> list[str]:
    """The ids of the stories whose stories.json records each build encodes."""
    from casebook.opendata import OpenData

    ids: list[str] = []
    real = OpenData.story_record

    def recording(self, story):
        ids.append(story.slug)
        return real(self, story)

    monkeypatch.setattr(OpenData, "story_record", recording)
    return ids


def test_stories_json_encodes_again_only_the_records_of_edited_stories(
    content_tree, tmp_path, encoded
):
    root = content_tree({f"s{i}.md": story(f"Story {i}", f"Body {i}.") for i in range(6)})
    options = BuildOptions(root, today=TODAY, cache=tmp_path / "cache")
    site = tmp_path / "site"
    build_site(options, site)
    assert sorted(encoded) == [f"s{i}" for i in range(6)]
    encoded.clear()
    (root / "stories" / "s3.md").write_text(story("Story 3", "Body 3 & <more>, edited."))
    build_site(options, site)
    # the first record taken from the last file is checked against its encoding
    assert len(encoded) == 2 and "s3" in encoded
    encoded.clear()
    for number in (0, 5):
        text = story(f"Story {number}", "Edited \u2028 again.")
        (root / "stories" / f"s{number}.md").write_text(text)
    build_site(options, site)
    assert len(encoded) == 3 and {"s0", "s5"} < set(encoded)
    cold = tmp_path / "cold"
    build_site(BuildOptions(root, today=TODAY), cold)
    assert snapshot(site) == snapshot(cold)


def test_a_front_matter_edit_encodes_again_only_that_storys_record(content_tree, tmp_path, encoded):
    root = content_tree({f"s{i}.md": story(f"Story {i}", f"Body {i}.") for i in range(4)})
    options = BuildOptions(root, today=TODAY, cache=tmp_path / "cache")
    build_site(options, tmp_path / "site")
    encoded.clear()
    (root / "stories" / "s2.md").write_text(story("Story 2, renamed", "Body 2."))
    build_site(options, tmp_path / "site")
    assert sorted(encoded) == ["s0", "s2"]  # s0: the first record taken is checked
    cold = tmp_path / "cold"
    build_site(BuildOptions(root, today=TODAY), cold)
    assert snapshot(tmp_path / "site") == snapshot(cold)


def test_a_template_that_changes_the_records_gets_none_from_the_last_file(content_tree, tmp_path):
    """If the template does something to the records, a record in the last file is not
    what encoding gives: the first one taken shows it, and none is taken."""
    root = content_tree({f"s{i}.md": story(f"Story {i}", f"Body {i}.") for i in range(4)})
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    page = templates / "data" / "stories.json"
    page.write_text(
        page.read_text().replace("{{ part }}", '{{ part | replace("Body", "Body Body") }}')
    )
    options = BuildOptions(root, templates=templates, today=TODAY, cache=tmp_path / "cache")
    build_site(options, tmp_path / "site")
    (root / "stories" / "s2.md").write_text(story("Story 2", "Body 2, edited."))
    build_site(options, tmp_path / "site")
    cold = tmp_path / "cold"
    build_site(BuildOptions(root, templates=templates, today=TODAY), cold)
    assert snapshot(tmp_path / "site") == snapshot(cold)
    text = (cold / "data" / "stories.json").read_text()
    assert "Body Body 0." in text and "Body Body Body" not in text


def test_a_last_record_is_taken_only_if_it_is_that_storys(tmp_path):
    from casebook.opendata import _LastRecords
    from casebook.page_cache import LastPage

    head = '{\n  "stories": [\n'
    file = tmp_path / "stories.json"
    lines = ['{"id":"a","n":1}', '{"id":"ab","n":2}', '{"id":"c","n":3}', '{"id":"d","n":4}']
    file.write_text(head + "    " + ",\n    ".join(lines) + "\n  ]\n}\n")
    everyone = frozenset("a ab c d".split())

    def taken(last: LastPage, head: str, slugs: list[str]) -> list[str | None]:
        with _LastRecords(last, head) as records:
            return [records.record(s, lambda s=s: f"made {s}") for s in slugs]

    # the first one taken is compared with its encoding: here they differ, so none is taken
    assert taken(LastPage(file, everyone), head, ["a", "ab"]) == ["made a", "made ab"]
    # once the first matches, each is taken if it is that story's
    with _LastRecords(LastPage(file, everyone), head) as records:
        assert records.record("a", lambda: lines[0]) == lines[0]
        assert records.record("a", lambda: "made a") == "made a"  # the line is ab's
        assert records.record("c", lambda: "made c") == lines[2]
        assert records.record("x", lambda: "made x") == "made x"  # d's line
        assert records.record("y", lambda: "made y") == "made y"  # the end of the list
    # a story whose body changed, another head, no file: encoded
    with _LastRecords(LastPage(file, frozenset({"ab"})), head) as records:
        assert records.record("a", lambda: "made a") == "made a"
        assert records.record("ab", lambda: lines[1]) == lines[1]
    with _LastRecords(LastPage(file, everyone), head.replace("stories", "records")) as records:
        assert records.record("a", lambda: lines[0]) == lines[0]
        assert records.record("ab", lambda: "made ab") == "made ab"
    assert taken(LastPage(tmp_path / "gone", everyone), head, ["a"]) == ["made a"]
    assert taken(None, head, ["a"]) == ["made a"]
