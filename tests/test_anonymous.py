"""`anonymous: true` hides the institution's and the students' union's names everywhere the
site publishes: every page, the feed, the sitemap and any data or search file in the output."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from casebook.pipeline import BuildOptions, build_site, check_site
from casebook.problems import ContentError
from casebook.slugs import name_slug

from .conftest import story

INSTITUTION = "Quillby Harbour University"
UNION = "Quillby Harbour Students' Union"


def anonymous_story(title: str) -> str:
    text = story(title=title, extra="anonymous: true\n")
    text = text.replace("Example University", INSTITUTION)
    return text.replace("Example Students' Union", UNION)


def test_anonymous_names_appear_in_no_output_file(content_tree, tmp_path: Path) -> None:
    content = content_tree(
        {
            "2024-05-anonymous-one.md": anonymous_story("First anonymous story"),
            "2024-06-anonymous-two.md": anonymous_story("Second anonymous story"),
            "2024-07-named.md": story("A named story"),
        }
    )
    out = tmp_path / "site"
    checked = build_site(BuildOptions(content=content), out)
    assert {s.slug for s in checked.book.stories} >= {"2024-05-anonymous-one", "2024-07-named"}
    forms = [INSTITUTION, UNION, "Quillby", "Quillby Harbour Students&#39; Union"]
    forms.append(name_slug(f"{INSTITUTION} {UNION}"))
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 50
    leaks = [
        f"{p.relative_to(out)}: {form}"
        for p in files
        for form in forms
        if form.encode("utf-8") in p.read_bytes()
    ]
    assert leaks == []
    # The stories themselves are published, under "An anonymous partnership".
    page = (out / "stories" / "2024-05-anonymous-one" / "index.html").read_text(encoding="utf-8")
    assert "First anonymous story" in page and "An anonymous partnership" in page
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<name>An anonymous partnership</name>") == 2
    # The named story's partnership still has its page; the others are counted, not listed.
    partnerships = (out / "partnerships" / "index.html").read_text("utf-8")
    assert "Example University" in partnerships
    said = "2 stories were shared anonymously and are not listed under a partnership."
    assert said in " ".join(partnerships.split())


def problems_of(content: Path) -> list[str]:
    try:
        check_site(BuildOptions(content=content, today=dt.date(2026, 11, 22)))
    except ContentError as error:
        return [f"{Path(p.path).name}:{p.line}: {p.message}" for p in error.problems]
    return []


def test_an_anonymous_storys_file_name_and_title_may_not_name_its_partnership(
    content_tree,
) -> None:
    content = content_tree(
        {
            "2024-05-quillby-buddies.md": anonymous_story("Quillby’s buddy scheme"),
            "2024-06-harbour-plans/index.md": anonymous_story("Plans"),
            "2024-07-quillby-named.md": story("Quillby Harbour, named"),
        }
    )
    assert problems_of(content) == [
        "2024-05-quillby-buddies.md:2: the title names the partnership ('Quillby'), but the "
        "story is anonymous; leave the name out of the title",
        "2024-05-quillby-buddies.md:12: the file name '2024-05-quillby-buddies' names the "
        "partnership ('quillby'), but the story is anonymous and its file name is its "
        "address; rename the file, for example to 2024-05-buddies.md",
        "index.md:12: the folder name '2024-06-harbour-plans' names the partnership "
        "('harbour'), but the story is anonymous and its folder name is its address; rename "
        "the folder, for example to 2024-06-plans",
    ]


def test_words_every_partnership_has_do_not_count(content_tree) -> None:
    text = anonymous_story("An open union at our university").replace(
        INSTITUTION, "The Open University"
    )
    content = content_tree({"2024-05-open-university-union.md": text})
    assert problems_of(content) == []


def test_a_name_in_the_possessive_is_found_in_the_file_name(content_tree) -> None:
    """`new` makes 2024-05-quillbys-plans.md from the title "Quillby's plans"."""
    content = content_tree({"2024-05-quillbys-plans.md": anonymous_story("Plans")})
    assert problems_of(content) == [
        "2024-05-quillbys-plans.md:12: the file name '2024-05-quillbys-plans' names the "
        "partnership ('quillbys'), but the story is anonymous and its file name is its "
        "address; rename the file, for example to 2024-05-plans.md",
    ]


def test_a_file_name_of_the_partnership_alone_becomes_a_story(content_tree) -> None:
    content = content_tree({"2024-05-quillby-harbour.md": anonymous_story("Plans")})
    assert problems_of(content)[0].endswith("rename the file, for example to 2024-05-story.md")


def test_an_anonymous_storys_tags_may_not_name_its_partnership(content_tree) -> None:
    """A topic's name is its page's address, and the page lists the story."""
    text = anonymous_story("Plans").replace(
        "anonymous: true\n", "anonymous: true\ntags:\n  - outreach\n  - quillby-buddies\n"
    )
    one_line = anonymous_story("Plans").replace(
        "anonymous: true\n", "anonymous: true\ntags: harbour\n"
    )
    named = story("Plans", extra="tags: [quillby-buddies]\n")
    content = content_tree(
        {"2024-05-plans.md": text, "2024-06-plans.md": one_line, "2024-07-plans.md": named}
    )
    assert problems_of(content) == [
        "2024-05-plans.md:15: the tag 'quillby-buddies' names the partnership ('quillby'), but "
        "the story is anonymous and the topic's page lists it; leave the tag out, or name the "
        "topic without the partnership's name",
        "2024-06-plans.md:13: the tag 'harbour' names the partnership ('harbour'), but the "
        "story is anonymous and the topic's page lists it; leave the tag out, or name the "
        "topic without the partnership's name",
    ]
