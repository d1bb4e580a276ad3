"""The open data files: every published story and the rubric as JSON, and one CSV row per
assessment, for researchers and for anyone who wants to take the stories elsewhere.

The same content always gives the same bytes: no build time, keys in a fixed order, stories in
(date, id) order. Every string is data: the JSON escapes <, >, & and the Unicode line
separators, so a copy pasted into a page (or JSON-LD) cannot close a script; the CSV puts an
apostrophe before any cell a spreadsheet would read as a formula.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, BinaryIO

from .memo import Memo
from .model import Assessment, Casebook, Rubric, Story
from .page_cache import LastPage
from .urls import Urls

SCHEMA_VERSION = 1
STORIES_SCHEMA = "casebook-stories"
RUBRIC_SCHEMA = "casebook-rubric"

# Characters that must not appear raw in JSON that may end up inside HTML or JavaScript.
_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}

# OWASP's CSV injection rule: a cell starting with one of these gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS = (
    "story_id",
    "url",
    "title",
    "date",
    "anonymous",
    "institution",
    "students_union",
    "perspective",
    "commitment_id",
    "commitment",
    "sub_element_id",
    "sub_element",
    "stage",
    "stage_name",
    "rubric_version",
    "tags",
    "example",
    "shared",
)


def safe_json(value: Any, indent: int | None = 2) -> str:
    """JSON text with < > & U+2028 U+2029 as \\u escapes: valid JSON, and safe inside <script>.

    Those characters can only occur inside JSON strings, so replacing them in the text is
    the same as escaping them in each string.
    """
    text = json.dumps(value, ensure_ascii=False, indent=indent, separators=_separators(indent))
    for character, escape in _JSON_ESCAPES.items():  # str.replace: 20 times str.translate's speed
        text = text.replace(character, escape)
    return text


def _separators(indent: int | None) -> tuple[str, str]:
    return (",", ": ") if indent is not None else (",", ":")


def spreadsheet_cell(text: str) -> str:
    """The cell as text a spreadsheet shows and never runs (OWASP CSV injection rule)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class OpenData:
    """The three data files of one build; `plain_texts` maps a story's id to its body text."""

    book: Casebook
    urls: Urls
    plain_texts: Mapping[str, str]
    memo: Memo | None = None  # serve's: records of unchanged stories are not encoded again
    # the last build's stories.json, if made under this build's key, and its unchanged stories
    last_stories: LastPage | None = None

    @property
    def stories(self) -> tuple[Story, ...]:
        return tuple(sorted(self.book.stories, key=Story.sort_key))

    def _header(self, schema: str) -> dict[str, Any]:
        site = self.book.site
        return {
            "schema": schema,
            "schema_version": SCHEMA_VERSION,
            "documentation": self.urls.absolute(self.urls.data()),
            "site": {"title": site.title, "url": self.urls.absolute(self.urls.home())},
            "generated_from": {
                "repository": site.repository_url,
                "rubric_version": self.book.rubric.version,
                "content_updated": self.book.updated.isoformat(),
            },
        }

    def stories_document(self) -> dict[str, Any]:
        return {
            **self._stories_header(),
            "stories": [self.story_record(story) for story in self.stories],
        }

    def _stories_header(self) -> dict[str, Any]:
        licence = self.book.site.licence
        return {
            **self._header(STORIES_SCHEMA),
            "licence": {"name": licence.name, "url": licence.url},
            "story_count": len(self.book.stories),
        }

    def story_record(self, story: Story) -> dict[str, Any]:
        return {**self._front_matter(story), "body_text": self.plain_texts[story.slug]}

    def _front_matter(self, story: Story) -> dict[str, Any]:
        """The record without the body's text: the CSV has no body, so its file need not be
        made again when a story's text alone changes (page_cache notes what a file reads)."""
        urls = self.urls
        named = not story.anonymous
        return {
            "id": story.slug,
            "url": urls.absolute(urls.story(story)),
            "title": story.title,
            "date": story.date.isoformat(),
            "shared": story.shared.isoformat() if story.shared else None,
            "summary": story.summary or None,
            "anonymous": story.anonymous,
            "partnership": {
                "institution": story.partnership.institution if named else None,
                "students_union": story.partnership.students_union if named else None,
                "url": urls.absolute(urls.partnership(story.partnership)) if named else None,
            },
            "perspective": story.perspective,
            "perspective_label": story.perspective_label,
            "assessments": [self._assessment(a) for a in story.assessments],
            "contributors": [{"name": c.name, "role": c.role or None} for c in story.contributors],
            "tags": list(story.tags),
            "example": story.example,
            "draft": story.draft,
            "rubric_version": story.rubric_version,
        }

    def _assessment(self, a: Assessment) -> dict[str, Any]:
        commitment = self.book.rubric.commitment(a.sub_element.commitment_id)
        return {
            "commitment_id": commitment.id,
            "commitment": commitment.name,
            "sub_element_id": a.sub_element.id,
            "sub_element": a.sub_element.name,
            "stage": a.stage.number,
            "stage_name": a.stage.name,
            "url": self.urls.absolute(self.urls.cell(a.sub_element, a.stage.number)),
        }

    def stories_json(self) -> str:
        return "".join(self.stories_json_parts())

    def stories_json_parts(self) -> Iterator[str]:
        """The document indented, but each story on one line: Python's json module encodes
        compact JSON in C and indented JSON in Python, five times slower (this file is
        written again whenever a story's text changes), and a story's edit is then one
        changed line in a diff of the file. In parts, a story a part, so that the page (70 MB
        at 10,000 stories) need not be held whole (render._made)."""
        head = safe_json(self._stories_header()).removesuffix("\n}")
        if not self.book.stories:
            yield head + ',\n  "stories": []\n}\n'
            return
        memo = self.memo
        generation = memo.rubric_generation(self.book.rubric) if memo is not None else 0
        head += ',\n  "stories": [\n'
        yield head
        with _LastRecords(self.last_stories, head) as last:
            for number, story in enumerate(self.stories):
                self.plain_texts[story.slug]  # shown, so noted (render._Noted), if not encoded
                record = last.record(story.slug, partial(self._record_json, story, generation))
                yield (",\n    " if number else "    ") + record
        yield "\n  ]\n}\n"

    def _record_json(self, story: Story, generation: int) -> str:
        text = self.plain_texts[story.slug]  # read (and so noted) whether encoded or kept
        if self.memo is None:
            return safe_json(self.story_record(story), indent=None)
        make = lambda: safe_json(self.story_record(story), indent=None)  # noqa: E731
        return self.memo.keep_for((story, text), ("record", self.urls.base_url, generation), make)

    def rubric_document(self) -> dict[str, Any]:
        return {**self._header(RUBRIC_SCHEMA), **rubric_record(self.book.rubric)}

    def rubric_json(self) -> str:
        return safe_json(self.rubric_document()) + "\n"

    def csv_rows(self) -> list[list[str]]:
        """The header and one row per assessment, before the formula guard."""
        rows = [list(CSV_COLUMNS)]
        for story in self.stories:
            record = self._front_matter(story)
            partnership = record["partnership"]
            for a in record["assessments"]:
                rows.append(
                    [
                        story.slug,
                        record["url"],
                        story.title,
                        record["date"],
                        "true" if story.anonymous else "false",
                        partnership["institution"] or "",
                        partnership["students_union"] or "",
                        story.perspective,
                        a["commitment_id"],
                        a["commitment"],
                        a["sub_element_id"],
                        a["sub_element"],
                        str(a["stage"]),
                        a["stage_name"],
                        story.rubric_version,
                        "; ".join(story.tags),
                        "true" if story.example else "false",
                        record["shared"] or "",
                    ]
                )
        return rows

    def stories_csv(self) -> str:
        """RFC 4180 CSV (CRLF line ends, quotes doubled) with a UTF-8 byte order mark for Excel."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        for row in self.csv_rows():
            writer.writerow([spreadsheet_cell(cell) for cell in row])
        return "\ufeff" + out.getvalue()


class _LastRecords:
    """The story records of the last build's stories.json, read a line at a time alongside
    the new file's stories, which come in the same order: at 10,000 stories, encoding every
    record again took a second of a rebuild after one story's text was edited.

    A record is taken only for a story whose body and front matter are unchanged since that
    file was made under this build's key (LastPage): a record is made from its story alone
    and what is in that key, so it is the very line encoding would give. As a
    check that the template writes the records as they are made, the file must start with
    this one's head, and the first record taken is compared with its encoding (if they differ,
    none is taken). A file that cannot be read gives none."""

    def __init__(self, last: LastPage | None, head: str) -> None:
        self._last = last
        self._head = head.encode("utf-8")
        self._lines: Iterator[bytes] = iter(())
        self._file: BinaryIO | None = None
        self._checked = False

    def __enter__(self) -> _LastRecords:
        if self._last is None or not self._last.unchanged:
            return self
        try:
            self._file = self._last.file.open("rb")
            self._lines = iter(self._file)  # lines split at b"\n" alone, as written
            read = b""
            for line in self._lines:  # the head, up to the list of stories
                read += line
                if len(read) >= len(self._head):
                    break
        except OSError:
            read = b""
        if read != self._head:
            self._lines = iter(())
        return self

    def __exit__(self, *_: object) -> None:
        if self._file is not None:
            self._file.close()

    def record(self, slug: str, make: Callable[[], str]) -> str:
        """The story's record: the next one in the last file if it is this story's and the
        story is unchanged, else make()'s."""
        line = self._next(slug)
        if line is None:
            return make()
        if not self._checked:
            self._checked = True
            made = make()
            if made != line:
                self._lines = iter(())
            return made
        return line

    def _next(self, slug: str) -> str | None:
        try:
            line = next(self._lines, b"").decode("utf-8")
        except (OSError, UnicodeDecodeError):
            self._lines = iter(())
            return None
        if self._last is None or slug not in self._last.unchanged:
            return None
        record = line.removeprefix("    ").removesuffix("\n").removesuffix(",")
        start = safe_json({"id": slug}, indent=None).removesuffix("}")
        same = line.startswith("    {") and record.startswith(start) and record.endswith("}")
        return record if same and record[len(start)] == "," else None


def rubric_record(rubric: Rubric) -> dict[str, Any]:
    """The whole tool, descriptors verbatim, with its authors' credit and its versions."""
    return {
        "title": rubric.title,
        "short_title": rubric.short_title,
        "authors": list(rubric.authors),
        "makers": list(rubric.makers),
        "attribution": (
            f"{rubric.title} By {', '.join(rubric.authors)} of {' and '.join(rubric.makers)}. "
            "The descriptors are quoted word for word."
        ),
        "introduction": list(rubric.introduction),
        "how_it_works": list(rubric.how_it_works),
        "version": rubric.version,
        "changelog": [
            {
                "version": v.version,
                "date": v.date.isoformat() if v.date else None,
                "changes": list(v.changes),
                "replaced": [
                    {"sub_element": r.sub_element_id, "stage": r.stage, "text": r.before}
                    for r in v.replaced
                ],
            }
            for v in rubric.changelog
        ],
        "stages": [{"number": s.number, "name": s.name} for s in rubric.stages],
        "commitments": [
            {
                "id": c.id,
                "number": c.number,
                "name": c.name,
                "question": c.question,
                "summary": c.summary,
                "sub_elements": [
                    {
                        "id": sub.id,
                        "formerly": list(sub.formerly),
                        "letter": sub.letter,
                        "name": sub.name,
                        "descriptors": [
                            {
                                "stage": s.number,
                                "stage_name": s.name,
                                "text": sub.descriptor(s.number),
                            }
                            for s in rubric.stages
                        ],
                    }
                    for sub in c.sub_elements
                ],
            }
            for c in rubric.commitments
        ],
    }
