"""Story Markdown becomes HTML with no active content, whatever the writer typed."""

from __future__ import annotations

import re

import pytest

from casebook.markdown_html import _same_site_or_named, plain_text, render_markdown


def test_ordinary_markdown():
    html = render_markdown("## Heading\n\nSome *emphasis* and a [link](https://example.org/).")
    assert html == (
        "<h2>Heading</h2>\n<p>Some <em>emphasis</em> and a "
        '<a href="https://example.org/" rel="nofollow noopener noreferrer">link</a>.</p>'
    )


def test_raw_html_is_shown_as_text_not_run():
    html = render_markdown('<script>alert(1)</script>\n\nHi <img src=x onerror="alert(2)">')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_javascript_links_lose_their_href():
    html = render_markdown("[click](javascript:alert(1)) [x](JaVaScRiPt:alert(1))")
    assert "javascript" not in html.lower().replace("&lt;", "")
    assert "<a" in html


def test_images_from_other_hosts_become_their_alt_text():
    html = render_markdown("![tracking pixel](https://evil.example/p.gif)")
    assert html == "<p><em>[image not shown: tracking pixel]</em></p>"


def test_the_storys_own_images_are_kept():
    assert render_markdown("![Poster](poster.png)") == '<p><img alt="Poster" src="poster.png"></p>'


def test_a_level_one_heading_is_shifted_below_the_page_title():
    assert render_markdown("# One\n\n## Two") == "<h2>One</h2>\n<h3>Two</h3>"


def test_tables_get_header_scopes_and_no_inline_style():
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert "style=" not in html
    assert '<th scope="col">a</th>' in html


def test_a_table_scrolls_in_a_region_named_by_its_headings_and_keeps_its_alignment():
    """On a phone a wide table scrolls inside its region, reached by keyboard, instead of
    having its words broken; a column aligned in Markdown is aligned by a class."""
    html = render_markdown("Before.\n\n| Year | `<b>` \\* |\n|:-:|--:|\n| 2023 | 1,200 |\n")
    assert html == (
        "<p>Before.</p>\n"
        '<div aria-label="Table: Year, &lt;b&gt; *" class="table-scroll" role="region" '
        'tabindex="0"><table>\n<thead>\n<tr>\n'
        '<th class="align-center" scope="col">Year</th>\n'
        '<th class="align-right" scope="col"><code>&lt;b&gt;</code> *</th>\n'
        "</tr>\n</thead>\n<tbody>\n<tr>\n"
        '<td class="align-center">2023</td>\n<td class="align-right">1,200</td>\n'
        "</tr>\n</tbody>\n</table></div>"
    )
    assert 'aria-label="Table" ' in render_markdown("| | |\n|--|--|\n| 1 | 2 |")
    noted = render_markdown("| Year | Students[^1] |\n|--|--|\n| 1 | 2 |\n\n[^1]: Surveyed.")
    assert 'aria-label="Table: Year, Students"' in noted  # not "Students 1"


def test_only_the_tree_step_sets_a_regions_and_a_cells_fixed_attributes():
    """Raw HTML is off; the filter is a second guard on what a div or cell may carry."""
    assert _same_site_or_named("div", "class", "table-scroll") == "table-scroll"
    assert _same_site_or_named("div", "class", "notice") is None
    assert _same_site_or_named("div", "role", "alert") is None
    assert _same_site_or_named("div", "tabindex", "-1") is None
    assert _same_site_or_named("td", "class", "align-right") == "align-right"
    assert _same_site_or_named("td", "class", "visually-hidden") is None
    html = render_markdown('<div class="x" role="alert">hi</div>')
    assert "<div" not in html and "&lt;div" in html


def test_links_that_look_relative_but_leave_the_site_lose_their_address():
    html = render_markdown("[a](//evil.example/) [b](/\\evil.example/) [c](\\\\evil.example)")
    assert "evil.example" not in html
    assert html.count("<a") == 3


def test_a_list_straight_after_a_line_of_text_is_a_list_as_in_githubs_preview():
    assert render_markdown("We did three things:\n- a fair\n- a survey") == (
        "<p>We did three things:</p>\n<ul>\n<li>a fair</li>\n<li>a survey</li>\n</ul>"
    )
    assert render_markdown("Next:\n1. meet\n2. agree") == (
        "<p>Next:</p>\n<ol>\n<li>meet</li>\n<li>agree</li>\n</ol>"
    )


def test_bullets_in_a_fenced_block_stay_code():
    for fence in ("```", "~~~"):
        text = f"{fence}\nWe did:\n- a fair\n{fence}"
        assert render_markdown(text) == "<pre><code>We did:\n- a fair\n</code></pre>"


def test_a_list_after_a_list_item_stays_one_list():
    assert render_markdown("- a fair\n- a survey\nstill the survey\n- a panel") == (
        "<ul>\n<li>a fair</li>\n<li>a survey\nstill the survey</li>\n<li>a panel</li>\n</ul>"
    )


def test_nested_lists_are_unchanged():
    assert render_markdown("Plans:\n\n- outreach\n    - fairs\n    - visits\n- panels") == (
        "<p>Plans:</p>\n<ul>\n<li>outreach<ul>\n<li>fairs</li>\n<li>visits</li>\n</ul>\n"
        "</li>\n<li>panels</li>\n</ul>"
    )


def test_a_picture_written_with_a_leading_dot_slash_is_the_storys_own_file():
    from casebook.markdown_html import StoryMarkdown

    rendered = StoryMarkdown().render("![Team](./team.png)")
    assert rendered.html == '<p><img alt="Team" src="team.png"></p>'
    assert rendered.images == ("team.png",)
    assert rendered.refused == ()


def test_only_a_leading_dot_slash_is_dropped_from_a_pictures_name():
    from casebook.markdown_html import StoryMarkdown

    rendered = StoryMarkdown().render("![a](../team.png) ![b](././team.png) ![c](x/./team.png)")
    assert rendered.html == (
        "<p><em>[image not shown: a]</em> <em>[image not shown: b]</em> "
        "<em>[image not shown: c]</em></p>"
    )
    assert rendered.images == ()
    assert [name for name, _ in rendered.refused] == ["../team.png", "././team.png", "x/./team.png"]


def test_every_picture_not_shown_is_noted_with_its_alt_text_as_written():
    from casebook.markdown_html import StoryMarkdown

    text = "![Team](Team.PNG) ![x](https://example.org/a.jpg)\n\n![](b.png?v=2) ![Esc](a\\_b.png)"
    rendered = StoryMarkdown().render(text)
    assert rendered.refused == (
        ("Team.PNG", "Team"),
        ("https://example.org/a.jpg", "x"),
        ("b.png?v=2", ""),
        ("a_b.png", "Esc"),
    )
    assert rendered.html == (
        "<p><em>[image not shown: Team]</em> <em>[image not shown: x]</em></p>\n"
        "<p><em>[image not shown]</em> <em>[image not shown: Esc]</em></p>"
    )


def test_footnotes_become_numbered_notes_under_a_notes_heading():
    html = render_markdown("Counted twice.[^a] Once more.[^a]\n\n[^a]: From the survey.")
    link = 'rel="nofollow noopener noreferrer"'
    assert html == (
        '<p>Counted twice.<sup id="note-ref-1"><a aria-label="Note 1" href="#note-1" '
        f'{link}>1</a></sup> Once more.<sup id="note-ref-1-2"><a aria-label="Note 1" '
        f'href="#note-1" {link}>1</a></sup></p>\n'
        '<h2>Notes</h2>\n<ol>\n<li id="note-1">\n<p>From the survey.&nbsp;'
        f'<a aria-label="Back to the text (note 1)" href="#note-ref-1" {link}>↩</a> '
        f'<a aria-label="Back to the text (note 1, mention 2)" href="#note-ref-1-2" {link}>'
        "↩2</a></p>\n</li>\n</ol>"
    )


def test_a_notes_name_never_reaches_an_id_or_an_address():
    """Names may hold spaces, quotes or markup; ids are numbers, in the order notes are
    referred to, whatever the names."""
    html = render_markdown(
        'B[^z "><script>] A[^my note]\n\n[^my note]: first\n[^z "><script>]: second'
    )
    assert re.findall(r'id="([^"]*)"', html) == ["note-ref-1", "note-ref-2", "note-1", "note-2"]
    assert re.findall(r'href="([^"]*)"', html) == [
        "#note-1", "#note-2", "#note-ref-1", "#note-ref-2"
    ]  # fmt: skip
    assert "script" not in html and "my note" not in html
    assert re.search(r'<li id="note-1">\s*<p>second', html)


def test_a_note_with_no_text_stays_as_written_as_in_githubs_preview():
    html = render_markdown("Said so.[^missing] A pattern: `[^a-z]`")
    assert html == "<p>Said so.[^missing] A pattern: <code>[^a-z]</code></p>"


def test_a_notes_text_is_in_the_plain_text_without_its_number_or_link_back():
    html = render_markdown("# Why\n\nWe asked.[^1] Then we met.\n\n[^1]: In March.")
    assert plain_text(html) == "Why We asked. Then we met. Notes In March."


def test_the_only_ids_a_body_has_are_its_notes():
    html = render_markdown("## Heading\n\n[^fn:1]\n\n- item\n\n///Footnotes Go Here///")
    assert "id=" not in html
    assert "///Footnotes Go Here///" in html


def test_an_id_that_is_not_a_notes_is_dropped_by_the_sanitiser():
    assert _same_site_or_named("li", "id", "note-2") == "note-2"
    assert _same_site_or_named("sup", "id", "note-ref-1-3") == "note-ref-1-3"
    assert _same_site_or_named("li", "id", "main") is None
    assert _same_site_or_named("sup", "id", "note-1x") is None


def test_notes_are_numbered_in_the_order_the_page_refers_to_them():
    """Python-Markdown numbers a note in a table or a list after those in paragraphs below
    it; GitHub numbers them as they come. A note no one refers to is left out, as GitHub
    does; one referred to only from another note comes after it."""
    html = render_markdown(
        "| a |\n|---|\n| cell[^t] |\n\n- item[^l]\n\nText[^p].\n\n"
        "[^p]: In a paragraph, see[^inner].\n[^t]: In a table.\n[^l]: In a list.\n"
        "[^inner]: Only from a note.\n[^unused]: Never referred to."
    )
    marks = re.findall(
        r'<sup id="([^"]+)"><a aria-label="Note (\d)" href="#note-(\d)"[^>]*>(\d)', html
    )
    assert marks == [
        ("note-ref-1", "1", "1", "1"),
        ("note-ref-2", "2", "2", "2"),
        ("note-ref-3", "3", "3", "3"),
        ("note-ref-4", "4", "4", "4"),
    ]
    notes = re.findall(r'<li id="note-(\d)">\s*<p>([^<&]*)', html)
    assert notes == [
        ("1", "In a table."),
        ("2", "In a list."),
        ("3", "In a paragraph, see"),
        ("4", "Only from a note."),
    ]
    assert "Never referred to" not in html
    assert re.findall(r'href="#(note-ref-[^"]+)"', html) == [
        "note-ref-1", "note-ref-2", "note-ref-3", "note-ref-4"
    ]  # fmt: skip


def test_only_notes_no_one_refers_to_give_no_notes_heading():
    assert render_markdown("Text.\n\n[^a]: Never referred to.") == "<p>Text.</p>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # nested by the width of the item's marker, as GitHub's preview nests it
        ("1. First\n   - nested\n2. Second\n",
         "<ol>\n<li>First<ul>\n<li>nested</li>\n</ul>\n</li>\n<li>Second</li>\n</ol>"),
        ("- a\n  - b\n    - c\n- d\n",
         "<ul>\n<li>a<ul>\n<li>b<ul>\n<li>c</li>\n</ul>\n</li>\n</ul>\n</li>\n<li>d</li>\n</ul>"),
        # four spaces a level, as Python-Markdown always read them, the same
        ("- a\n    - b\n", "<ul>\n<li>a<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>"),
        # the next item after an item's second paragraph is an item, not more of it
        ("- a\n\n  more text of a\n- b\n",
         "<ul>\n<li>\n<p>a</p>\n<p>more text of a</p>\n</li>\n<li>\n<p>b</p>\n</li>\n</ul>"),
        # a fenced block in an item is the item's code
        ("- a\n\n  ```\n  x = 1\n    y\n  ```\n- b\n",
         "<ul>\n<li>\n<p>a</p>\n<pre><code>x = 1\n  y\n</code></pre>\n</li>\n<li>\n<p>b</p>\n"
         "</li>\n</ul>"),
        # a fence at the margin keeps what looks like a list inside it as code
        ("```\n- a\n  - b\n```\n", "<pre><code>- a\n  - b\n</code></pre>"),
        # a rule is not an item, and text at the margin after a blank line ends the list
        ("- a\n  - b\n\n* * *\n\nAfter.\n",
         "<ul>\n<li>a<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>\n<hr>\n<p>After.</p>"),
        # a quote straight under an item's text is the item's quote, not "> quoted" as text
        ("- a\n  > quoted\n- b\n",
         "<ul>\n<li>\n<p>a</p>\n<blockquote>\n<p>quoted</p>\n</blockquote>\n</li>\n<li>\n"
         "<p>b</p>\n</li>\n</ul>"),
        # a fence left open ends with its item: the rest of the story is not code
        ("- a\n  ```\n  x\n- b\n\nAfter.\n",
         "<ul>\n<li>\n<p>a</p>\n<pre><code>x\n</code></pre>\n</li>\n<li>\n<p>b</p>\n</li>\n"
         "</ul>\n<p>After.</p>"),
        # a fence on the item's own line stays text, and its closing line opens nothing
        ("- ```\n  code\n  ```\n- b\n", "<ul>\n<li><code>code</code></li>\n<li>b</li>\n</ul>"),
        # only a list that starts at 1 may begin under a line of text
        ("- a\n  2024. was good\n", "<ul>\n<li>a\n    2024. was good</li>\n</ul>"),
        # a heading ends the list: what is indented under it is not the item's
        ("- a\n## Next\n\n    code\n",
         "<ul>\n<li>a</li>\n</ul>\n<h2>Next</h2>\n<pre><code>code\n</code></pre>"),
        # a rule under a nested item is a rule, not the underline of a heading "- b"
        ("- a\n  - b\n  ---\n",
         "<ul>\n<li>\n<p>a</p>\n<ul>\n<li>b</li>\n</ul>\n<hr>\n</li>\n</ul>"),
        # code indented at the margin is code, however like a list it looks
        ("Example:\n\n    - name: x\n      value: y\n",
         "<p>Example:</p>\n<pre><code>- name: x\n  value: y\n</code></pre>"),
    ],
    ids=["three-under-ordered", "two-a-level", "four-a-level", "paragraph-then-item",
         "fence-in-item", "fence-at-margin", "rule-after", "quote-under-text",
         "unclosed-fence-in-item", "fence-on-item-line", "year-under-text", "heading-after",
         "rule-under-nested", "code-at-margin"],
)  # fmt: skip
def test_lists_nest_as_githubs_preview_shows_them(text, expected):
    assert render_markdown(text) == expected
