"""A story's Markdown as HTML that is safe to publish.

Stories come from strangers. Python-Markdown's raw-HTML handling is switched off (HTML in a
story shows as text), images may only be the story's own files (a picture from another host
would be a request to it), headings start at h2 (the page's h1 is the story's title),
footnotes (`[^1]`, as GitHub's preview shows them) become numbered notes under a "Notes"
heading, and the result goes through nh3, the binding to the ammonia sanitiser, with an
allowlist. A picture that is not shown is noted, so that the build can say why instead of
dropping it silently.
"""

from __future__ import annotations

import bisect
import html as html_module
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import markdown
import nh3
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from .characters import FORBIDDEN_CHARS
from .slugs import SLUG_PATTERN

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "div", "em", "h2", "h3", "h4", "h5", "h6", "hr",
    "img", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "aria-label"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "li": {"id"},
    "ol": {"start"},
    "sup": {"id"},
    "th": {"scope", "class"},
    "td": {"class"},
    "div": {"class", "role", "tabindex", "aria-label"},  # only a table's region (_in_region)
}
# what the tree step alone writes, on a div (a table's scrolling region) and on cells (the
# alignment a table's Markdown gives a column); raw HTML is off, so no story writes these
_FIXED_VALUES = {
    ("div", "class"): {"table-scroll"},
    ("div", "role"): {"region"},
    ("div", "tabindex"): {"0"},
    ("th", "class"): {"align-right", "align-center"},
    ("td", "class"): {"align-right", "align-center"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Python-Markdown's internal stash markers, which some malformed input leaves in its output
_PLACEHOLDER = re.compile("\x02klzzwxh:\\d+\x03")
_LOCAL_IMAGE = re.compile(SLUG_PATTERN + r"\.(?:png|jpe?g|webp|gif)\Z")
# a backslash-escaped character, as Python-Markdown holds it until its last tree step
_ESCAPED = re.compile("\x02(\\d+)\x03")


def _as_written(text: str) -> str:
    """An attribute's text with escaped characters put back, for messages."""
    return _PLACEHOLDER.sub("", _ESCAPED.sub(lambda m: chr(int(m[1])), text))


# the only ids a body may have: its notes' and their references' (_StoryTree._notes)
_NOTE_ID = re.compile(r"note-(?:ref-)?\d+(?:-\d+)?\Z")


def _same_site_or_named(element: str, attribute: str, value: str) -> str | None:
    """Drop URLs that look relative but leave the site: //host, /\\host and \\host; and
    any id but a note's."""
    if attribute in ("href", "src") and value.lstrip().startswith(("//", "/\\", "\\")):
        return None
    if attribute == "id" and not _NOTE_ID.match(value):
        return None
    if (allowed := _FIXED_VALUES.get((element, attribute))) is not None and value not in allowed:
        return None
    return value


_ALIGNED = re.compile(r"text-align:\s*(right|center)")


def _alignment_as_class(cell: ET.Element) -> None:
    """A column aligned in the table's Markdown (`--:`, `:-:`) keeps its alignment as a
    class: the style attribute it came as is not allowed on the site."""
    style = cell.attrib.pop("style", "")
    if found := _ALIGNED.search(style):
        cell.set("class", f"align-{found[1]}")


def _words(element: ET.Element) -> str:
    """An element's text without its notes' numbers (sup), for a label."""
    parts = [element.text or ""]
    for child in element:
        if child.tag != "sup":
            parts.append(_words(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _in_region(parent: ET.Element, i: int, table: ET.Element) -> None:
    """The table (parent's child i) in a region of its own that scrolls sideways on a narrow
    screen, as the site's tables do, so its words are not broken to fit; the region can be
    reached by keyboard and is named by the table's column headings."""
    headings = [" ".join(_as_written(_words(th)).split()) for th in table.iter("th")]
    named = ", ".join(h for h in headings if h)
    label = f"Table: {named}" if named else "Table"
    if len(label) > 120:
        label = label[:119].rstrip(" ,") + "…"
    region = ET.Element(
        "div", {"class": "table-scroll", "role": "region", "tabindex": "0", "aria-label": label}
    )
    region.tail, table.tail = table.tail, None
    parent.remove(table)
    region.append(table)
    parent.insert(i, region)


class _StoryTree(Treeprocessor):
    """Headings start at h2; images are the story's own files or become their alt text.

    `./team.png`, as editors write it, is `team.png`. Every picture not shown is noted in
    `refused`, by its address and alt text as written."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.images: list[str] = []
        self.refused: list[tuple[str, str]] = []

    def run(self, root: ET.Element) -> None:
        levels = [int(el.tag[1]) for el in root.iter() if re.fullmatch(r"h[1-6]", el.tag)]
        shift = 2 - min(levels) if levels and min(levels) < 2 else 0
        for parent in list(root.iter()):
            for i, child in enumerate(list(parent)):
                if shift and re.fullmatch(r"h[1-6]", child.tag):
                    child.tag = f"h{min(6, int(child.tag[1]) + shift)}"
                if child.tag == "table":
                    _in_region(parent, i, child)  # its cells are still walked: in the list
                if child.tag != "img":
                    continue
                src = child.get("src", "")
                name = src[2:] if src.startswith("./") else src
                if _LOCAL_IMAGE.match(name):
                    if name != src:
                        child.set("src", name)
                    self.images.append(name)
                else:
                    alt = child.get("alt", "").strip()
                    self.refused.append((_as_written(src), _as_written(alt)))
                    span = ET.Element("em")
                    span.text = f"[image not shown: {alt}]" if alt else "[image not shown]"
                    span.tail = child.tail
                    parent.remove(child)
                    parent.insert(i, span)
            if parent.tag == "th":
                parent.set("scope", "col")
            if parent.tag in ("th", "td"):
                _alignment_as_class(parent)
        self._notes(root)

    def _notes(self, root: ET.Element) -> None:
        """The footnotes extension's list (a div with a rule) as a "Notes" heading and its
        list, as GitHub shows them: numbered in the order they are first referred to in the
        page (the extension's own order is not that in tables and lists), a note never
        referred to left out. Ids, which the extension makes from the names contributors give
        notes (which may hold spaces or any character), are numbered: note-1, its references
        note-ref-1 and note-ref-1-2; each link gets a name that says where it goes."""
        found = self._footnote_list(root)
        if found is None:
            return
        parent, div = found
        items = {
            item.get("id", "")[3:]: item
            for item in div.iter("li")
            if item.get("id", "").startswith("fn:")
        }
        numbers: dict[str, int] = {}  # a note's name, its number
        mentions: dict[str, int] = {}  # how many references to it so far

        def refer(mark: ET.Element) -> None:
            kind, _, name = mark.get("id", "").partition(":")
            link = mark.find("a")
            if not kind.startswith("fnref") or name not in items or link is None:
                return
            number = numbers.setdefault(name, len(numbers) + 1)
            nth = mentions[name] = mentions.get(name, 0) + 1
            mark.set("id", _note_ref(number, nth))
            link.attrib.pop("class", None)
            link.set("href", f"#note-{number}")
            link.set("aria-label", f"Note {number}")
            link.text = str(number)

        inside = {id(element) for element in div.iter()}
        for mark in root.iter("sup"):
            if id(mark) not in inside:
                refer(mark)  # the text's references first, in order
        done = 0
        while done < len(numbers):  # then those in the notes they lead to, and so on
            for mark in items[list(numbers)[done]].iter("sup"):
                refer(mark)
            done += 1
        at = list(parent).index(div)
        parent.remove(div)
        if not numbers:
            return
        heading = ET.Element("h2")
        heading.text, heading.tail = "Notes", "\n"
        listed = ET.Element("ol")
        listed.text, listed.tail = "\n", div.tail
        for name, number in sorted(numbers.items(), key=lambda pair: pair[1]):
            item = items[name]
            item.set("id", f"note-{number}")
            item.tail = "\n"
            back = item  # where its links back go: after the extension's
            for holder in list(item.iter()):
                for link in list(holder):
                    if link.tag == "a" and link.get("class") == "footnote-backref":
                        holder.remove(link)
                        back = holder
            for nth in range(1, mentions[name] + 1):
                if nth > 1:
                    link.tail = " "  # two arrows side by side are one target to a finger
                link = ET.SubElement(back, "a", href=f"#{_note_ref(number, nth)}")
                where = f", mention {nth}" if nth > 1 else ""
                link.set("aria-label", f"Back to the text (note {number}{where})")
                link.text = "\u21a9" + (f"{nth}" if nth > 1 else "")
            listed.append(item)
        parent.insert(at, heading)
        parent.insert(at + 1, listed)

    @staticmethod
    def _footnote_list(root: ET.Element) -> tuple[ET.Element, ET.Element] | None:
        """The extension's div of notes, and the element it is in."""
        for parent in root.iter():
            for child in parent:
                if child.tag == "div" and child.get("class") == "footnote":
                    return parent, child
        return None


def _note_ref(number: int, nth: int) -> str:
    """The id of a note's nth reference in the text."""
    return f"note-ref-{number}" + (f"-{nth}" if nth > 1 else "")


_LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|1[.)])[ \t]+\S")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# any list item's marker, its indent and the spaces after it in groups 1 to 3
_MARKER = re.compile(r"( *)([-*+]|\d{1,9}[.)])( +)(?=\S)")
_BREAK = re.compile(r" {0,3}([-*_])(?: *\1){2,} *\Z")  # a rule (---, * * *), not a list item
_TEXT_FENCE = re.compile(r"`{3,}|~{3,}")
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|\Z)")


class _ListAfterText(Preprocessor):
    """A blank line before a list that starts straight under a line of text, as GitHub's
    preview (which contributors see) reads it; Python-Markdown alone would keep the bullets
    as part of the paragraph. Lines inside a list, fenced or indented code are left alone."""

    def run(self, lines: list[str]) -> list[str]:
        result: list[str] = []
        fence = ""
        in_list = False  # the block since the last blank line holds a list item
        for line in lines:
            if fence:
                if re.match(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*\Z", line):
                    fence = ""
                result.append(line)
                continue
            opening = _FENCE.match(line)
            if opening:
                fence = opening.group(1)
            elif not line.strip():
                in_list = False
            elif _LIST_ITEM.match(line) and not in_list:
                previous = result[-1] if result else ""
                if previous.strip() and not previous[0].isspace():
                    result.append("")
                in_list = True
            elif _MARKER.match(line):  # tabs are spaces by now (normalize_whitespace)
                in_list = True
            result.append(line)
        return result


class _NestedLists(Preprocessor):
    """Lists as GitHub's preview shows them, where Python-Markdown differs:

    - a line belongs to a list item when it is indented at least as far as the item's text
      starts (two spaces under `- `, three under `1. `); Python-Markdown nests only by four
      spaces a level, so a list indented by two or three showed flat. Each line of a list is
      indented again, four spaces to a level, keeping what it has beyond its item's text;
    - the next item after a paragraph, quote or code in an item starts an item, where
      Python-Markdown read it as more of that paragraph or quote;
    - a fenced block of code in an item is code (Python-Markdown reads fences only at the
      margin): it becomes the item's indented code, which ends with its item if the fence is
      never closed; a fence on an item's own line stays text, as before;
    - a quote under an item's text is the item's quote, a rule under a nested item a rule;
    - a heading at the margin ends a list, and "2024." under an item's text is more of that
      text (only a list starting at 1 may begin under text)."""

    def run(self, lines: list[str]) -> list[str]:
        result: list[str] = []
        offsets: list[int] = []  # where the text of each open item starts, outermost first
        fence, fence_indent, code_indent = "", 0, -1  # code_indent -1: a fence at the margin
        blank = True  # the line before was blank
        block = False  # a paragraph, quote or code of an item's own has begun after a blank
        after_code = False  # the line before closed a fence made an item's code
        item_text = 0  # where the text of the item whose code is fenced starts
        text_fence = ""  # a fence on an item's own line, left as text, with its closing line
        quoted = False  # the line before was a quote's, in an item
        code = False  # the line before was indented code at the margin
        marked = -1  # the depth of the item the line before started, if it started one
        for line in lines:
            indent = len(line) - len(line.lstrip(" "))
            was_marked, marked = marked, -1
            if fence:
                closing = _closes(fence, line)
                if code_indent >= 0 and line.strip() and indent < item_text and not closing:
                    # a line left of the item's text ends the item, and the code with it
                    fence, block, after_code = "", True, False
                    result.append("")
                    blank = True
                else:
                    if code_indent < 0:
                        result.append(line)
                    elif not closing:
                        kept = " " * (code_indent + max(indent - fence_indent, 0))
                        result.append(kept + line.lstrip(" ") if line.strip() else "")
                    if closing:
                        fence, block, after_code = "", code_indent >= 0, code_indent >= 0
                    continue
            if not line.strip():
                blank, after_code = True, False
                result.append(line)
                continue
            if after_code:  # what follows an item's code starts a block of its own
                result.append("")
                blank, after_code = True, False
            marker = _MARKER.match(line)
            owner = bisect.bisect_right(offsets, indent)  # offsets only grow, level by level
            number = ""  # "2024." under an item's text: more of that text, not a list
            # a list of its own in the item (not a next item), under a line of its text
            if (
                marker
                and _interrupts(marker[2])
                and not blank
                and offsets
                and indent >= offsets[-1]
            ):
                number, marker = marker[2], None
            if (
                marker
                and not _BREAK.match(line)
                and (offsets or ((blank or code) and indent < 4))  # four spaces: code
            ):
                code = False
                if block and not blank:
                    result.append("")  # else the item's paragraph or quote runs on into it
                while offsets and indent < offsets[-1]:
                    offsets.pop()
                depth = len(offsets)
                spaces = len(marker[3]) if len(marker[3]) <= 4 else 1
                offsets.append(indent + len(marker[2]) + spaces)
                result.append(" " * (4 * depth) + line[indent:] if depth else line)
                block = False
                text_fence = opened[0] if (opened := _TEXT_FENCE.match(line, marker.end())) else ""
                quoted = line[marker.end() :].startswith(">")
                marked = depth
            elif owner:
                del offsets[owner:]
                opening = _FENCE.match(line[indent:])
                if opening and text_fence and _closes(text_fence, line):
                    opening, text_fence = None, ""  # the fence on the item's line is text
                if opening:
                    fence, fence_indent, code_indent = opening.group(1), indent, 4 * owner + 4
                    item_text = offsets[owner - 1]
                    if not blank:
                        result.append("")  # indented code starts after a blank line
                else:
                    if _BREAK.match(line[indent:]) and was_marked >= owner and not blank:
                        result.append("")  # a rule after a deeper item, not a heading's line
                    starts_quote = line[indent:].startswith(">")
                    if starts_quote and not quoted and not blank:
                        result.append("")  # else a quote under an item's text shows as text
                        block = True
                    text = line[indent:]
                    if number:  # escaped, or Python-Markdown would read a list there
                        text = f"{number[:-1]}\\{text[len(number) - 1 :]}"
                    result.append(" " * (4 * owner + indent - offsets[owner - 1]) + text)
                    block = block or blank
                    quoted = starts_quote
            else:
                heading = _HEADING.match(line)
                ruled = heading or _BREAK.match(line)
                if (heading or (ruled and block)) and offsets and not blank:
                    result.append("")  # a heading ends the list, as a rule after a quote does
                if blank or ruled:
                    offsets.clear()  # text at the margin after a blank line ends the list
                if opening := _FENCE.match(line):
                    fence, code_indent = opening.group(1), -1  # at the margin: left as it is
                    offsets.clear()
                result.append(line)
                code = indent >= 4 and (blank or code)  # indented code at the margin
                if ruled:  # a list may start on the next line
                    blank = True
                    continue
            blank = False
        return result


def _interrupts(number: str) -> bool:
    """Whether a marker is an ordered one not starting at 1, which CommonMark does not let
    begin a list under a line of text."""
    return number[0].isdigit() and int(number[:-1]) != 1


def _closes(fence: str, line: str) -> bool:
    return bool(re.match(rf" *{re.escape(fence[0])}{{{len(fence)},}} *\Z", line))


@dataclass(frozen=True)
class StoryHtml:
    html: str
    images: tuple[str, ...]  # the story's own image files the body shows
    refused: tuple[tuple[str, str], ...] = ()  # (address, alt text) of each picture not shown


class StoryMarkdown:
    """One Markdown converter, reused for every story of a build (it is costly to set up)."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            extensions=["tables", "fenced_code", "sane_lists", "footnotes"],
            # notes numbered in the order they are referred to, as GitHub's preview does; the
            # marker that would move them is a character no story may hold
            extension_configs={
                "footnotes": {"USE_DEFINITION_ORDER": False, "PLACE_MARKER": "\x00"}
            },
        )
        self._md.preprocessors.deregister("html_block")
        self._md.inlinePatterns.deregister("html")
        # after fenced code is set aside (25), so no code block ever gains a line
        self._md.preprocessors.register(_ListAfterText(self._md), "casebook_list_after_text", 22)
        self._md.preprocessors.register(_NestedLists(self._md), "casebook_nested_lists", 21)
        self._tree = _StoryTree(self._md)
        self._md.treeprocessors.register(self._tree, "casebook_story", 1)

    def render(self, text: str) -> StoryHtml:
        """Sanitised HTML for a story body."""
        self._md.reset()
        self._tree.images = []
        self._tree.refused = []
        html = nh3.clean(
            _PLACEHOLDER.sub("", self._md.convert(text)),
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            attribute_filter=_same_site_or_named,
            link_rel="nofollow noopener noreferrer",
            strip_comments=True,
        )
        # character references (&#x202e;) decode to characters the source check never saw
        html = FORBIDDEN_CHARS.sub("", html)
        return StoryHtml(html, tuple(dict.fromkeys(self._tree.images)), tuple(self._tree.refused))


def render_markdown(text: str) -> str:
    """Sanitised HTML for one body, with a converter of its own (for tests and one-offs)."""
    return StoryMarkdown().render(text).html


# a note's number where it is referred to, and the link back from the note
_NOTE_LINKS = re.compile(
    r'<sup id="note-ref-[\d-]+">.*?</sup>|<a [^>]*href="#note-ref-[^>]*>.*?</a>'
)


def plain_text(html: str) -> str:
    """Visible text of sanitised HTML, for excerpts and descriptions (a note's text is kept,
    its number and link back are not)."""
    text = html_module.unescape(nh3.clean(_NOTE_LINKS.sub("", html), tags=set()))
    return re.sub(r"\s+", " ", text).strip()
