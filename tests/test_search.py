"""Search (Pagefind) and the stories index filters, checked on the built pages and the index.

Pages are parsed into element trees (the helpers of test_built_site) and the assertions are
about attributes and structure; what to expect comes from the content through the model and
casebook.facets, so adding a story never breaks these tests. The index itself is read back
from Pagefind's files (gzip, then b"pagefind_dcd", then JSON for page fragments).
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path

import pytest

from casebook import cli, search_index
from casebook.facets import ASSESSMENT, KEYS, VALUE_KEYS, story_facets, story_values
from casebook.pipeline import BuildOptions, build_site
from casebook.search_index import UNUSED

from .conftest import story
from .test_built_site import (
    BASE_PATH,
    BASE_URL,
    BOOK,
    CELLS,
    CONTENT,
    BuiltSite,
    Element,
    cell_url,
    story_url,
)

SIGNATURE = b"pagefind_dcd"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    output = tmp_path_factory.mktemp("search") / "site"
    checked = build_site(BuildOptions(content=CONTENT, base_url=BASE_URL), output)
    return BuiltSite(output, checked.book)


def index_data(root: Path) -> dict[str, bytes]:
    """Every file of Pagefind's index under root/pagefind/, decompressed."""
    found = {}
    for path in sorted((root / "pagefind").rglob("*.pf_*")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(SIGNATURE), path
        found[path.relative_to(root).as_posix()] = data[len(SIGNATURE) :]
    return found


def fragments(root: Path) -> dict[str, dict]:
    """Indexed page URL -> Pagefind's record of it (content, meta, filters)."""
    records = [
        json.loads(data) for name, data in index_data(root).items() if name.endswith(".pf_fragment")
    ]
    return {record["url"]: record for record in records}


def marks(body: Element) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The Pagefind meta and filters a page declares, from its data-pagefind-* attributes."""
    meta: dict[str, str] = {}
    filters: dict[str, list[str]] = {}
    for el in body.iter():
        if "data-pagefind-meta" in el.attrs:
            key = el.attrs["data-pagefind-meta"].removesuffix("[data-value]")
            meta[key] = el.attrs["data-value"]
        if "data-pagefind-filter" in el.attrs:
            key = el.attrs["data-pagefind-filter"].removesuffix("[data-value]")
            filters.setdefault(key, []).append(el.attrs["data-value"])
    return meta, filters


def bodies(site: BuiltSite, site_url: str) -> list[Element]:
    return [el for el in site.page(site_url).iter() if "data-pagefind-body" in el.attrs]


# --- What is indexed ------------------------------------------------------------------------


def test_only_stories_cells_and_partnerships_are_indexed(site: BuiltSite):
    expected = {"/" + story_url(s) for s in BOOK.stories}
    expected |= {"/" + cell_url(sub, stage) for sub, stage in CELLS}
    expected |= {f"/partnerships/{p.slug}/" for p in BOOK.partnerships}
    assert set(fragments(site.root)) == expected


@pytest.mark.parametrize("site_url", ["", "rubric/", "stories/", "search/", "about/", "tags/"])
def test_other_pages_carry_no_index_body(site: BuiltSite, site_url: str):
    assert bodies(site, site_url) == []


@pytest.mark.parametrize("item", BOOK.stories, ids=lambda s: s.slug)
def test_story_page_marks_its_body_meta_and_filters(site: BuiltSite, item):
    [body] = bodies(site, story_url(item))
    assert body.tag == "article" and body.has_class("story")
    meta, filters = marks(body)
    partnership = "An anonymous partnership" if item.anonymous else item.partnership.name
    stages = "; ".join(
        f"{a.sub_element.name}: {a.stage.number}. {a.stage.name}" for a in item.assessments
    )
    badges = {"badges": "Example"} if item.example else {}
    assert meta == {"title": item.title, "kind": "Story", "partnership": partnership,
                    "stages": stages, **badges}  # fmt: skip
    values = story_values(BOOK.rubric, BOOK.site, item)
    assert filters == {key: [o.label for o in values[key]] for key in VALUE_KEYS if values[key]}
    assert filters["stage"] == list(dict.fromkeys(a.stage.name for a in item.assessments))
    # each assessment whole, so that a search for a sub-element at a stage finds only the
    # stories that placed that sub-element at that stage
    assert filters[ASSESSMENT] == [
        f"{a.sub_element.commitment_id}/{a.sub_element.id}/{a.stage.number}"
        for a in item.assessments
    ]
    # the more-from list, the mini matrix and how to cite it are not the story's words
    ignored = [el for el in body.iter() if "data-pagefind-ignore" in el.attrs]
    assert any(el.find("table") for el in ignored)
    assert any(el.has_class("cite") for el in ignored)
    assert all(el.attrs.get("id") != "others" for el in body.iter())


@pytest.mark.parametrize(("sub_id", "stage"), CELLS[:5])
def test_cell_page_marks_its_descriptor_with_its_place_in_the_tool(site, sub_id, stage):
    [body] = bodies(site, cell_url(sub_id, stage))
    sub, named = BOOK.rubric.sub_element(sub_id), BOOK.rubric.stage(stage)
    commitment = BOOK.rubric.commitment(sub.commitment_id)
    meta, filters = marks(body)
    assert meta == {
        "title": f"{sub.name}: stage {stage}, {named.name}",
        "kind": "Stage of the tool",
        "stages": f"{sub.name}: {stage}. {named.name}",
    }
    assert filters == {"commitment": [commitment.name], "sub-element": [sub.name],
                       "stage": [named.name],
                       ASSESSMENT: [f"{commitment.id}/{sub_id}/{stage}"]}  # fmt: skip
    assert body.find("blockquote").plain == sub.descriptor(stage)
    assert body.find("ul") is None, "the stories listed on a cell page are not indexed with it"


def test_partnership_page_is_indexed_without_its_story_list(site: BuiltSite):
    partnership = BOOK.partnerships[0]
    [body] = bodies(site, f"partnerships/{partnership.slug}/")
    meta, filters = marks(body)
    assert meta["partnership"] == partnership.name and meta["kind"] == "Partnership"
    assert meta["badges"] == "Example"  # a partnership all of whose stories are examples
    years = {str(s.date.year) for s in BOOK.journey_dates(partnership)}
    assert set(filters["year"]) == years
    assert filters[ASSESSMENT] == sorted(
        {
            f"{a.sub_element.commitment_id}/{a.sub_element.id}/{a.stage.number}"
            for s in BOOK.journey_dates(partnership)
            for a in s.assessments
        }
    )
    assert body.find("table") is not None and not any(
        el.has_class("story-list") for el in body.iter()
    )


def test_index_records_match_the_page_marks(site: BuiltSite):
    """What Pagefind stored: the meta and filters the pages declare, the story's own words."""
    records = fragments(site.root)
    for item in BOOK.stories:
        record = records["/" + story_url(item)]
        assert record["meta"]["title"] == item.title
        assert sorted(record["filters"]["stage"]) == sorted(
            {a.stage.name for a in item.assessments}
        )
        assert "Example" not in record["content"].split(".")[0], "the badge is not content"
        # the citation would put the site's name, the licence and "BibTeX" in every story
        assert "BibTeX" not in record["content"] and "Cite this story" not in record["content"]


def test_unused_pagefind_bundles_are_not_published(site: BuiltSite):
    bundle = site.root / "pagefind"
    assert (bundle / "pagefind.js").is_file() and (bundle / "pagefind-worker.js").is_file()
    assert [name for name in UNUSED if (bundle / name).exists()] == []
    sitemap = (site.root / "sitemap.xml").read_text(encoding="utf-8")
    assert "pagefind" not in sitemap


def test_filter_files_list_values_in_order(site: BuiltSite):
    """Pagefind leaves them in hash-map order; the build sorts them (search_index_order)."""
    from casebook.search_index_order import _array, _text

    filter_files = [d for n, d in index_data(site.root).items() if n.endswith(".pf_filter")]
    assert len(filter_files) == len(VALUE_KEYS)
    for data in filter_files:
        values = _array(data, _array(data, 0).items[1][0])
        names = [_text(data, _array(data, start).items[0][0]) for start, _ in values.items]
        assert names == sorted(names)


# --- The search page --------------------------------------------------------------------------


def test_search_page_points_to_the_stories_and_the_matrix_without_javascript(site: BuiltSite):
    main = site.page("search/").main
    fallback = next(el for el in main.iter() if "data-search-fallback" in el.attrs)
    assert "hidden" not in fallback.attrs
    links = [a.attrs["href"] for a in fallback.find_all("a")]
    assert links == [BASE_PATH + "stories/", BASE_PATH + "#matrix"]
    form = main.one("form")
    assert "hidden" in form.attrs, "no form that cannot work without JavaScript"
    assert form.attrs["role"] == "search"
    assert form.attrs["data-library"] == BASE_PATH + "pagefind/pagefind.js"
    assert form.attrs["data-base-url"] == BASE_PATH
    assert [script.attrs for script in site.page("search/").find_all("script")] == [
        {"type": "module", "src": BASE_PATH + f"static/{name}"}
        for name in ("tables.js", "search.js")
    ]


def test_search_page_has_a_labelled_input_a_live_region_and_facets(site: BuiltSite):
    main = site.page("search/").main
    query = next(el for el in main.iter() if el.tag == "input" and el.attrs.get("name") == "q")
    labels = [el for el in main.find_all("label") if el.attrs.get("for") == query.attrs["id"]]
    assert len(labels) == 1 and labels[0].plain
    status = next(el for el in main.iter() if "data-status" in el.attrs)
    assert status.attrs["role"] == "status" and status.attrs["aria-live"] == "polite"
    legends = [f.one("legend").plain for f in main.find_all("fieldset")]
    assert legends == ["Commitment", "Sub-element", "Stage", "Written by", "Year", "Topic"]
    stages = next(f for f in main.find_all("fieldset") if f.one("legend").plain == "Stage")
    boxes = stages.find_all("input")
    assert [b.attrs["data-label"] for b in boxes] == [s.name for s in BOOK.rubric.stages]
    assert [b.attrs["value"] for b in boxes] == [str(s.number) for s in BOOK.rubric.stages]
    for box in main.find_all("input"):
        if box.attrs.get("type") == "checkbox":
            assert [lb for lb in main.find_all("label") if lb.attrs["for"] == box.attrs["id"]]


def test_main_navigation_links_to_search(site: BuiltSite):
    nav = next(n for n in site.page("").find_all("nav") if n.attrs.get("aria-label") == "Main")
    assert BASE_PATH + "search/" in [a.attrs["href"] for a in nav.find_all("a")]


# --- The stories index filters ------------------------------------------------------------------


def test_every_story_item_carries_its_facet_ids(site: BuiltSite):
    main = site.page("stories/").main
    items = next(el for el in main.iter() if "data-filter-list" in el.attrs).elements
    assert len(items) == len(BOOK.stories)
    for item, expected in zip(items, BOOK.newest_first, strict=True):
        assert item.one("h2").one("a").attrs["href"] == BASE_PATH + story_url(expected)
        values = story_values(BOOK.rubric, BOOK.site, expected)
        for key in VALUE_KEYS:
            assert item.attrs[f"data-{key}"] == " ".join(o.value for o in values[key])
        assert item.attrs["data-assessment"].split() == [
            f"{a.sub_element.commitment_id}/{a.sub_element.id}/{a.stage.number}"
            for a in expected.assessments
        ]
        assert item.attrs["data-stage"].split() == list(
            dict.fromkeys(str(a.stage.number) for a in expected.assessments)
        )
        assert item.attrs["data-year"] == str(expected.date.year)


def test_stories_filter_form_offers_every_value_a_story_has(site: BuiltSite):
    main = site.page("stories/").main
    form = main.one("form")
    assert "hidden" in form.attrs and "data-story-filters" in form.attrs
    offered = {
        f.one("legend").plain: [b.attrs["value"] for b in f.find_all("input")]
        for f in form.find_all("fieldset")
    }
    facets = story_facets(BOOK)
    assert offered == {f.legend: [o.value for o in f.options] for f in facets}
    assert offered["Year"] == sorted({str(s.date.year) for s in BOOK.stories}, reverse=True)
    assert offered["Topic"] == list(BOOK.tags)


def test_the_facets_are_every_option_of_every_story_in_order():
    """facets.gathered collects the options in one pass; they must be the same as merging
    each story's own (story_values, which marks the pages), for the examples and a subset."""
    from casebook.facets import cell_values, merge, search_facets
    from casebook.model import Casebook

    rubric = BOOK.rubric
    tool = [
        cell_values(rubric, sub, stage) for sub in rubric.sub_elements for stage in rubric.stages
    ]
    for stories in (BOOK.stories, BOOK.stories[::3], ()):
        book = Casebook(BOOK.site, rubric, stories)
        each = [story_values(rubric, BOOK.site, s) for s in stories]
        merged = merge(rubric, each)
        assert [(f.key, f.options) for f in story_facets(book)] == [
            (key, merged[key]) for key in KEYS if merged[key]
        ]
        merged = merge(rubric, [*tool, *each])
        assert [(f.key, f.options) for f in search_facets(book)] == [
            (key, merged[key]) for key in KEYS if merged[key]
        ]
    assert {f.key for f in story_facets(BOOK)} == set(KEYS)  # the examples have every facet


def test_filter_values_are_escaped_as_data(content_tree, tmp_path):
    """A title with quotes and markup stays one attribute value in the index marks."""
    title = "Quotes \" and <b>tags</b> & 'apostrophes'"
    output = tmp_path / "site"
    build_site(BuildOptions(content=content_tree({"s.md": story(title=title)})), output)
    from .test_built_site import parse_html

    doc = parse_html((output / "stories" / "s" / "index.html").read_text(encoding="utf-8"))
    [body] = [el for el in doc.iter() if "data-pagefind-body" in el.attrs]
    assert marks(body)[0]["title"] == title
    assert doc.nesting_errors == []
    assert fragments(output)["/stories/s/"]["meta"]["title"] == title


# --- Anonymous stories ------------------------------------------------------------------------

ANONYMOUS = """\
---
title: A story told without names
date: 2024-03-01
partnership:
  institution: Quillfeather University
  students_union: Quillfeather Guild of Students
perspective: joint
assessments:
  - sub_element: trust
    stage: 2
anonymous: true
---
We kept our names out of it.
"""


def test_anonymous_stories_leak_no_names_into_the_index(content_tree, tmp_path):
    named = story(title="A named story").replace("Example University", "Larkspur University")
    content = content_tree({"anon.md": ANONYMOUS, "named.md": named})
    output = tmp_path / "site"
    build_site(BuildOptions(content=content), output)
    everything = b"".join(index_data(output).values()).decode("utf-8", errors="replace")
    assert "Larkspur University" in everything, "the check reads the index"
    assert "A story told without names" in everything
    assert "Quillfeather" not in everything
    record = fragments(output)["/stories/anon/"]
    assert record["meta"]["partnership"] == "An anonymous partnership"


# --- Failure and determinism ------------------------------------------------------------------


def test_a_failed_index_leaves_the_last_good_site(content_tree, tmp_path, monkeypatch, capsys):
    content = content_tree({"s.md": story()})
    output = tmp_path / "site"
    arguments = ["build", "--content", str(content), "--output", str(output)]
    assert cli.main(arguments) == 0
    before = {p: p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}
    capsys.readouterr()
    failing = (
        sys.executable,
        "-c",
        "import sys; print('error: disk on fire', file=sys.stderr); sys.exit(3)",
    )
    monkeypatch.setattr(search_index, "PAGEFIND", failing)
    (content / "stories" / "t.md").write_text(story(title="Another"), encoding="utf-8")
    assert cli.main(arguments) == 1
    err = capsys.readouterr().err
    assert err == (
        "casebook: the search index could not be built: error: disk on fire; the site was not "
        "replaced (if Pagefind is missing, install it with `pip install -e .`)\n"
    )
    after = {p: p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}
    assert after == before
    assert [p.name for p in output.parent.iterdir() if ".staging-" in p.name] == []


def test_a_process_left_holding_pagefinds_output_does_not_keep_the_build_waiting(
    tmp_path, monkeypatch
):
    """serve forks body workers while Pagefind runs in the background; a worker that kept a
    pipe of Pagefind's open once made the wait for Pagefind's end last as long as the worker.
    Here Pagefind leaves a process behind that holds its output for 60 s."""
    import os
    import signal
    import time

    holder = tmp_path / "holder.pid"
    script = (
        "import os, subprocess, sys; out = sys.argv[sys.argv.index('--output-path') + 1]; "
        "os.makedirs(out, exist_ok=True); open(os.path.join(out, 'pagefind.js'), 'w').close(); "
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], "
        f"start_new_session=True); open({str(holder)!r}, 'w').write(str(child.pid)); "
        "print('indexed')"
    )
    monkeypatch.setattr(search_index, "PAGEFIND", (sys.executable, "-c", script))
    monkeypatch.setattr(search_index, "stabilise", lambda bundle: None)
    site = tmp_path / "site"
    site.mkdir()
    started = time.monotonic()
    try:
        search_index.build_search_index(site)
        assert time.monotonic() - started < 30
    finally:
        if holder.exists():
            os.kill(int(holder.read_text()), signal.SIGKILL)


def test_a_missing_pagefind_is_one_line(content_tree, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(search_index, "PAGEFIND", (sys.executable, "-m", "no_such_pagefind"))
    content = content_tree({"s.md": story()})
    assert cli.main(["build", "--content", str(content), "--output", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No module named no_such_pagefind" in err
    assert not (tmp_path / "o").exists()


def test_pagefind_runs_as_its_own_binary_with_no_python_in_between(monkeypatch):
    """`python -m pagefind` only finds the binary and execs it: 0.2 s a shard spent on
    starting Python. Where no binary package answers, that is still the way."""
    import importlib

    import pagefind_bin

    command = search_index.PAGEFIND
    assert command == (str(pagefind_bin.get_executable().absolute()),)
    assert os.access(command[0], os.X_OK)

    def missing(name: str) -> None:
        raise ImportError(name)

    monkeypatch.setattr(importlib, "import_module", missing)
    assert search_index._pagefind() == (sys.executable, "-m", "pagefind")


def test_pagefind_works_on_the_ram_disk_and_clears_what_killed_builds_left(
    content_tree, tmp_path, monkeypatch
):
    """Its pages and index are made in a folder on the RAM disk where it has room, which is
    removed after; folders there whose process has ended are removed, others are not."""
    import subprocess

    ram = tmp_path / "ram"
    ram.mkdir()
    monkeypatch.setattr(search_index, "RAM_DISK", ram)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its process id is free now
    dead = ram / f"casebook-search-{gone.pid}-x1"
    alive = ram / f"casebook-search-{os.getpid()}-x2"
    other = ram / "someone-elses"
    odd = ram / "casebook-search-x-x3"
    theirs = ram / f"casebook-search-{gone.pid}-x4"  # another user's
    for folder in (dead, alive, other, odd, theirs):
        (folder / "index").mkdir(parents=True)
    if os.getuid() == 0:
        os.chown(theirs, 4321, -1)
    else:
        theirs.rename(other / "not-tried")  # only root can give a folder to another user
        theirs = other
    seen: list[Path] = []
    real = search_index._run_pagefind

    def watched(pages: Path, target: Path) -> None:
        seen.append(target)
        real(pages, target)

    monkeypatch.setattr(search_index, "_run_pagefind", watched)
    content = content_tree({"s.md": story()})
    cache = tmp_path / "cache"
    build_site(BuildOptions(content=content, cache=cache), tmp_path / "site")
    assert len(seen) == 1 and seen[0].parent.parent.parent == ram
    assert seen[0].parent.parent.name.startswith(f"casebook-search-{os.getpid()}-")
    assert sorted(p.name for p in ram.iterdir()) == sorted(
        {alive.name, other.name, odd.name, theirs.name}
    )
    # without room there, beside the site, as before; the index is the same
    monkeypatch.setattr(search_index, "RAM_ROOM", 1 << 62)
    build_site(BuildOptions(content=content, cache=cache), tmp_path / "beside")
    assert seen[1].parent.parent.parent == tmp_path
    assert index_data(tmp_path / "beside") == index_data(tmp_path / "site")
    # and where the system has no statvfs (Windows)
    monkeypatch.delattr(os, "statvfs")
    build_site(BuildOptions(content=content, cache=cache), tmp_path / "windows")
    assert seen[2].parent.parent.parent == tmp_path
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "beside", "cache", "content", "ram", "site", "windows"
    ]  # fmt: skip


def test_pagefind_configuration_around_the_build_is_ignored(content_tree, tmp_path, monkeypatch):
    """A pagefind.yml where casebook runs, or PAGEFIND_* variables, do not change the index."""
    content = content_tree({"s.md": story()})
    build_site(BuildOptions(content=content), tmp_path / "a")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pagefind.yml").write_text("output_subdir: elsewhere\n", encoding="utf-8")
    monkeypatch.setenv("PAGEFIND_OUTPUT_SUBDIR", "elsewhere")
    build_site(BuildOptions(content=content), tmp_path / "b")
    assert index_data(tmp_path / "a") == index_data(tmp_path / "b")
    assert not (tmp_path / "b" / "elsewhere").exists()


def test_a_draft_built_with_drafts_is_badged_in_the_search_results_too(content_tree, tmp_path):
    """The search page shows the badges a result's page has ("Example", "Draft")."""
    output = tmp_path / "site"
    content = content_tree({"s.md": story(extra="draft: true\n")})
    build_site(BuildOptions(content=content, drafts=True), output)
    from .test_built_site import parse_html

    doc = parse_html((output / "stories" / "s" / "index.html").read_text(encoding="utf-8"))
    [body] = [el for el in doc.iter() if "data-pagefind-body" in el.attrs]
    assert marks(body)[0]["badges"] == "Example Draft"
