"""Pages cut down to what Pagefind reads (search_view.py) give the index whole pages give."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

from casebook import search_index
from casebook.pipeline import BuildOptions, build_site
from casebook.search_index_order import stabilise
from casebook.search_view import BODY, indexed_part, marked

from .conftest import CONTENT, story

SIGNATURE = b"pagefind_dcd"  # the start of each of Pagefind's files, once unzipped

# Close tags and the search marks inside attribute values, where nh3 writes "<" as &lt;
HOSTILE = """\
A link [with a title](https://example.org/a "</article> <article data-pagefind-body>") and
<a href="https://example.org/b" title="</div></article><div data-pagefind-filter='x'>">raw
HTML</a>, then <b>more</b> of it.

<div>A div it may not keep.</div>

The last words of the hostile story.
"""

# The mark that makes Pagefind skip an element, as words in an attribute value
NAMED_MARK = """\
Words in [a link whose title names the mark](https://example.org/c "a data-pagefind-ignore b")
are indexed all the same.
"""


def _index_of(pages: dict[str, bytes], folder: Path) -> dict[str, bytes]:
    """Pagefind's index of these pages, as casebook leaves it: every file's bytes."""
    for path, data in pages.items():
        (folder / "pages" / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / "pages" / path).write_bytes(data)
    output = folder / "index"
    search_index._run_pagefind(folder / "pages", output)
    stabilise(output)
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*.pf_*")}


def test_pagefind_makes_the_same_index_from_cut_pages(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    hostile = story(title="Quoted tags", body=HOSTILE)
    (content / "stories" / "quoted-tags.md").write_text(hostile, encoding="utf-8")
    named = story(title="Named mark", body=NAMED_MARK)
    (content / "stories" / "named-mark.md").write_text(named, encoding="utf-8")
    site = tmp_path / "site"
    build_site(BuildOptions(content=content), site)
    every = {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*.html"))}
    pages = {path: data for path, data in every.items() if BODY.search(data)}
    assert {path for path, data in every.items() if marked(data)} == set(pages)
    kinds = {path.split("/")[0] for path in pages}
    assert kinds == {"stories", "partnerships", "rubric"}  # stories, journeys, stages
    cut = {path: indexed_part(data) for path, data in pages.items()}
    # every indexed page is cut, to well under its size, but those that list the hostile
    # story with an excerpt, where "data-pagefind-filter" is text outside the marked element
    whole_pages = [path for path, part in cut.items() if part is None]
    assert 0 < len(whole_pages) < 10
    assert all(b"&lt;div data-pagefind-filter=" in pages[path] for path in whole_pages)
    parts = {path for path, part in cut.items() if part is not None}
    cut = {path: part or pages[path] for path, part in cut.items()}
    assert sum(map(len, cut.values())) < 0.8 * sum(map(len, pages.values()))
    hostile_part = cut["stories/quoted-tags/index.html"]
    assert b"The last words of the hostile story." in hostile_part
    assert b"a link whose title names the mark" in cut["stories/named-mark/index.html"]
    assert "stories/named-mark/index.html" in parts
    assert hostile_part.count(b"</article>") == 1
    # a story's matrix and citation are left out; its hidden metadata stays
    [story_part, *_] = [cut[p] for p in sorted(cut) if p.startswith("stories/") and p in parts]
    assert b"matrix--mini" not in story_part and b'class="cite"' not in story_part
    assert b"data-pagefind-meta" in story_part
    whole = _index_of(pages, tmp_path / "whole")
    assert any(path.startswith("fragment/") for path in whole)
    assert _index_of(cut, tmp_path / "cut") == whole


PAGE = (
    b'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<title>T</title>\n</head>\n<body>\n'
    b"<nav>menu</nav>\n%s\n<footer>foot</footer>\n</body>\n</html>\n"
)
HEAD = b'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<title>T</title>\n</head>'


def test_the_marked_element_is_cut_where_its_own_close_tag_balances_it():
    element = b"<div class=s data-pagefind-body><div>a</div><DIV>b</DIV><p>c</p></div>"
    page = PAGE % (element + b"<div>after</div>")
    assert indexed_part(page) == HEAD + b"\n<body>\n" + element + b"\n</body>\n</html>\n"


def test_ignored_elements_are_left_out_unless_they_hold_metadata_or_filters():
    kept = b'<div hidden data-pagefind-ignore><span data-pagefind-meta="k:v"></span>%s</div>'
    element = (
        b"<article data-pagefind-body>"
        + kept % b'<b data-pagefind-ignore="all">x</b>'
        + b"<h1>T<span data-pagefind-ignore> <strong>Example</strong></span></h1>"
        + b"<table data-pagefind-ignore><tr><td><table><tr><td>n</td></tr></table></td></tr>"
        + b"</table><p>w<span data-pagefind-ignore>1</span>ords</p>"
        + b"<img data-pagefind-ignore src=a.png>"  # no close tag: kept
        + b'<p data-pagefind-filter="f:g" data-pagefind-ignore>f</p>'  # its own tag: kept
        + b"<p>the words data-pagefind-ignore</p>"
        + b'<p><a href="/" title="a data-pagefind-ignore b">a value</a></p></article>'
    )
    assert (
        indexed_part(PAGE % element)
        == HEAD
        + b"\n<body>\n"
        + (
            b"<article data-pagefind-body>"
            + kept % b""
            + b"<h1>T</h1><p>words</p><img data-pagefind-ignore src=a.png>"
            + b'<p data-pagefind-filter="f:g" data-pagefind-ignore>f</p>'
            + b"<p>the words data-pagefind-ignore</p>"
            + b'<p><a href="/" title="a data-pagefind-ignore b">a value</a></p></article>'
        )
        + b"\n</body>\n</html>\n"
    )


def test_a_page_is_given_whole_where_a_cut_could_change_what_pagefind_reads():
    body = b"<article data-pagefind-body><p>words</p></article>"
    assert indexed_part(PAGE % body) is not None
    ignored_after = body + b"<strong data-pagefind-ignore>Example</strong>"
    assert indexed_part(PAGE % ignored_after) is not None  # it counts only inside
    assert indexed_part(PAGE % b"<article><p>no mark</p></article>") is None
    meta_before = b'<span data-pagefind-meta="k:v"></span>' + body
    assert indexed_part(PAGE % meta_before) is None
    filter_after = body + b'<span data-pagefind-filter="k:v"></span>'
    assert indexed_part(PAGE % filter_after) is None
    assert indexed_part(PAGE % (body + body)) is None  # two marked elements
    assert indexed_part(PAGE % b"<article data-pagefind-body><p>open</p>") is None
    assert indexed_part(body) is None  # no head


def test_the_mark_as_text_is_passed_over_for_the_marked_tag():
    page = PAGE % b"<p>the words data-pagefind-body</p><div id=x data-pagefind-body>y</div>"
    found = marked(page)
    assert found is not None and found.group(0) == b"<div id=x data-pagefind-body>"
    assert marked(PAGE % b"<p>data-pagefind-body, <b>in words</b></p>") is None


def test_indexed_words_stay_apart_and_a_stage_does_not_repeat_its_heading(tmp_path):
    """What a search excerpt is cut from: Pagefind's text of each page. A term and its value in
    a story's facts are two words ("Partnership Fenmoor", not "PartnershipFenmoor"); a stage
    starts with its heading once ("Developing trust: stage 1, …", not "Developing trust.
    Developing trust: …"); a journey's blank cell is "not assessed", not "–not assessed". A
    title ends at a full stop, not run into the summary by the Example badge's space, and a
    journey's chart legend (names the table gives again) is not its excerpt."""
    checked = build_site(BuildOptions(content=CONTENT), tmp_path / "site")
    records = {}
    for path in (tmp_path / "site" / "pagefind").rglob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(SIGNATURE)
        record = json.loads(data[len(SIGNATURE) :])
        records[record["url"]] = record["content"]
    book = checked.book
    terms = ["Partnership", "Written by", "Self-assessed on", "Contributors", "Assessed against"]
    for item in book.stories:
        content = records[f"/stories/{item.slug}/"]
        assert content.startswith(f"{item.title}. "), content[:120]
        for term in terms[:3]:
            assert re.search(rf"\b{term} \w", content), f"{item.slug}: {term!r} runs on"
        assert not re.search("(" + "|".join(terms) + r")[A-Za-z0-9]", content), item.slug
    for sub in book.rubric.sub_elements:
        for stage in book.rubric.stages:
            content = records[f"/rubric/{sub.id}/{stage.number}/"]
            heading = f"{sub.name}: stage {stage.number}, {stage.name}"
            assert content.startswith(heading + ". " + sub.descriptor(stage.number)), content
    for partnership in book.partnerships:
        content = records[f"/partnerships/{partnership.slug}/"]
        assert "–" not in content, "the dash of a blank cell is not a word"
        # the Example badge and notice are not the journey's words, as on a story
        assert not content.startswith(partnership.name + " Example"), content
        assert content.startswith(f"{partnership.name}. {partnership.institution} "), content
        assert "marker shape" not in content
        assert "fictional" not in content
    assert any("not assessed" in text for url, text in records.items() if "/partnerships/" in url)


def test_pagefind_notes_an_image_or_h1_in_an_ignored_element_so_it_is_kept(tmp_path):
    """Pagefind takes the first <img> after the title as the result's image, and the first
    <h1> as the title where no metadata gives one, in an ignored element too: left out, the
    index would differ. Every other page here has its ignored elements left out."""
    title = b'<div hidden data-pagefind-ignore><span data-pagefind-meta="title:T"></span></div>'
    bodies = {
        "image.html": title
        + b'<p>words</p><div data-pagefind-ignore><img src="/a.png" alt="a"></div><p>more</p>',
        "ignored-h1.html": b"<h1 data-pagefind-ignore>Skipped</h1><h1>Shown</h1><p>words</p>",
        "h1-inside.html": b"<div data-pagefind-ignore><H1>Skipped</H1></div><h1>Shown</h1>",
        "words.html": title
        + b"<p>w<span data-pagefind-ignore>1</span>ords</p>a<div data-pagefind-ignore>b</div>c"
        + b"<DIV data-pagefind-ignore><div>d</div>e</DIV><p>f</p>"
        + b'<span title="g > h" data-pagefind-ignore="all">i</span>'
        + b'<section data-pagefind-ignore="index"><h2 id="j">J</h2></section><h2 id="k">K</h2>',
    }
    pages = {
        name: PAGE % b"<article data-pagefind-body>%s</article>" % body
        for name, body in bodies.items()
    }
    cut = {name: indexed_part(page) for name, page in pages.items()}
    assert b"<img" in cut["image.html"] and b"Skipped" in cut["ignored-h1.html"]
    assert b"Skipped" in cut["h1-inside.html"]
    assert b"data-pagefind-ignore" not in cut["words.html"].replace(title, b"")
    assert _index_of(cut, tmp_path / "cut") == _index_of(pages, tmp_path / "whole")
