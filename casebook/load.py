"""Step 1: read content/ into text and YAML documents that remember their lines.

Loading never renders and never judges meaning (validate does that); it reports what makes a
file unreadable: not UTF-8, too large, no front matter, broken YAML, a name that cannot be a URL.
"""

from __future__ import annotations

import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .characters import unix_line_ends
from .memo import Memo
from .model import StoryImage
from .pictures import KINDS as PICTURE_KINDS
from .pictures import picture_problem
from .problems import Problem, display_path
from .slugs import RESERVED, is_slug, slugify
from .yamltext import YamlDocument, YamlError, parse_yaml

if TYPE_CHECKING:
    from .story_cache import StoryCache

MAX_STORY_BYTES = 1_000_000
SETTLED_NS = 2_000_000_000  # coarse file systems keep times to a second or two
IMAGE_SUFFIXES = tuple(PICTURE_KINDS)


@dataclass(frozen=True)
class YamlSource:
    display: str
    document: YamlDocument


@dataclass(frozen=True)
class StorySource:
    display: str
    slug: str
    front: YamlDocument
    body: str
    body_line: int
    images: tuple[StoryImage, ...]


@dataclass(frozen=True)
class LoadedContent:
    site: YamlSource | None
    rubric: YamlSource | None
    stories: tuple[StorySource, ...]
    problems: tuple[Problem, ...]


def load_content(
    content: Path, memo: Memo | None = None, kept: StoryCache | None = None
) -> LoadedContent:
    """Everything in content/; with a memo (serve) or the build cache's stories (`kept`),
    stories whose files are unchanged since the last build are not parsed again."""
    problems: list[Problem] = []
    if not content.is_dir():
        problems.append(
            Problem(display_path(content), 0, "content folder not found; pass --content DIR")
        )
        return LoadedContent(None, None, (), tuple(problems))
    for part in ("site.yaml", "rubric", "stories"):
        if (content / part).is_symlink():
            message = "symbolic links are not allowed in content/; use the real folder or file"
            problems.append(Problem(display_path(content / part), 0, message))
    if problems:
        return LoadedContent(None, None, (), tuple(problems))
    site = _load_yaml_file(content / "site.yaml", problems)
    rubric = _load_yaml_file(content / "rubric" / "rubric.yaml", problems)
    stories = tuple(_load_stories(content / "stories", problems, memo, kept))
    return LoadedContent(site, rubric, stories, tuple(problems))


def load_settings(
    content: Path, problems: list[Problem]
) -> tuple[YamlSource | None, YamlSource | None]:
    """site.yaml and the rubric alone, for commands that need no stories (`new`)."""
    site = _load_yaml_file(content / "site.yaml", problems)
    return site, _load_yaml_file(content / "rubric" / "rubric.yaml", problems)


def read_text(path: Path, display: str, problems: list[Problem], limit: int) -> str | None:
    """A file's text as UTF-8 with \\n line ends; a BOM and CRLF are accepted."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as error:
        problems.append(Problem(display, 0, f"cannot read file: {error.strerror}"))
        return None
    if info is not None and stat.S_ISLNK(info.st_mode):
        problems.append(Problem(display, 0, "symbolic links are not allowed in content/"))
        return None
    if info is None or not stat.S_ISREG(info.st_mode):
        problems.append(Problem(display, 0, "not a regular file"))
        return None
    if info.st_size > limit:
        problems.append(
            Problem(display, 0, f"file is {info.st_size:,} bytes, over the {limit:,} byte limit")
        )
        return None
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        problems.append(Problem(display, 0, f"cannot read file: {error.strerror}"))
        return None
    if data.count(b"\0") * 4 >= len(data) > 0:  # every other byte NUL: UTF-16 without its mark
        problems.append(
            Problem(display, 1, "file is UTF-16 text, not UTF-8; save it with UTF-8 encoding")
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(
            Problem(display, line, "file is not UTF-8 text; save it with UTF-8 encoding")
        )
        return None
    return unix_line_ends(text)


def _load_yaml_file(path: Path, problems: list[Problem]) -> YamlSource | None:
    display = display_path(path)
    if not path.is_file():
        rubric = path.parent.name == "rubric"
        named = path.relative_to(path.parent.parent) if rubric else path.name
        if path.is_dir():
            message = f"this is a folder; {named} must be a YAML file"
        else:
            edit = "" if rubric else " and edit it"
            message = (
                f"file not found; every content folder needs one: copy content/{named} from "
                f"casebook's repository{edit}"
            )
        problems.append(Problem(display, 0, message))
        return None
    text = read_text(path, display, problems, MAX_STORY_BYTES)
    if text is None:
        return None
    try:
        document = parse_yaml(text)
    except YamlError as error:
        problems.extend(Problem(display, p.line, p.message) for p in error.problems)
        return None
    problems.extend(Problem(display, p.line, p.message) for p in document.problems)
    return YamlSource(display, document)


def _ignored(name: str) -> bool:
    """Hidden files and editor backups (x.md~, .x.md.swp) are not content."""
    return name.startswith(".") or name.endswith("~") or name == "README.md"


def _load_stories(
    folder: Path, problems: list[Problem], memo: Memo | None, kept: StoryCache | None
) -> list[StorySource]:
    base = display_path(folder)
    if not folder.is_dir():
        message = (
            "this is a file; stories/ must be a folder, with a file for each story"
            if folder.exists()
            else "stories folder not found; make the folder stories/ beside site.yaml and put "
            "each story in it as a file of its own"
        )
        problems.append(Problem(base, 0, message))
        return []
    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda entry: entry.name)
    except OSError as error:
        problems.append(Problem(base, 0, f"cannot read: {error.strerror}"))
        return []
    stories = []
    for entry in entries:
        if _ignored(entry.name):
            continue
        display = os.path.join(base, entry.name)
        try:
            story = _load_entry(entry, display, problems, memo, kept)
        except OSError as error:
            problems.append(Problem(display, 0, f"cannot read: {error.strerror}"))
            continue
        if story is not None:
            stories.append(story)
    return stories


def _load_entry(
    entry: os.DirEntry[str],
    display: str,
    problems: list[Problem],
    memo: Memo | None,
    kept: StoryCache | None,
) -> StorySource | None:
    path = Path(entry.path)
    if entry.is_symlink():
        problems.append(Problem(display, 0, "symbolic links are not allowed in content/"))
        return None
    if entry.is_dir(follow_symlinks=False):
        index = path / "index.md"
        if not index.is_file():
            problems.append(
                Problem(display, 0, "a story folder needs an index.md; add one or remove it")
            )
            return None
        _check_slug(entry.name, display, problems)
        images = _folder_images(path, problems)
        index_display = os.path.join(display, "index.md")
        story = _load_story(index, index_display, entry.name, images, problems, memo, kept)
    elif path.suffix == ".md" and entry.is_file(follow_symlinks=False):
        _check_slug(path.stem, display, problems)
        story = _load_story(path, display, path.stem, (), problems, memo, kept)
    else:
        problems.append(
            Problem(
                display,
                0,
                "not a story; a story is a .md file, or a folder with index.md and its images",
            )
        )
        return None
    # a story whose name cannot be its address is still checked, so that every problem in it
    # is reported at once; the build stops at the name's problem all the same
    return story


def _check_slug(name: str, display: str, problems: list[Problem]) -> bool:
    if name in RESERVED:
        problems.append(
            Problem(
                display,
                0,
                f"the name '{name}' is kept for the later pages of the list of stories; "
                f"rename it, for example to 'our-{name}'",
            )
        )
        return False
    if is_slug(name):
        return True
    suggestion = slugify(name) or "my-story"
    problems.append(
        Problem(
            display,
            0,
            f"the name '{name}' becomes the story's web address, so it may use only lowercase "
            f"letters, digits and single hyphens; rename it, for example to '{suggestion}'",
        )
    )
    return False


def _folder_images(folder: Path, problems: list[Problem]) -> tuple[StoryImage, ...]:
    images = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name == "index.md" or _ignored(entry.name):
            continue
        display = display_path(entry)
        if entry.is_symlink() or not entry.is_file():
            problems.append(
                Problem(display, 0, "a story folder may hold only index.md and image files")
            )
        elif entry.suffix not in IMAGE_SUFFIXES or not is_slug(entry.stem):
            problems.append(
                Problem(
                    display,
                    0,
                    "only images named with lowercase letters, digits and hyphens, ending "
                    ".png, .jpg, .jpeg, .webp or .gif, may sit beside a story",
                )
            )
        else:
            if (wrong := picture_problem(str(entry), entry.name)) is not None:
                problems.append(Problem(display, 0, wrong))
            # kept all the same, so that the story showing it is not told it is missing
            images.append(StoryImage(entry.name, str(entry)))
    return tuple(images)


def _load_story(
    path: Path,
    display: str,
    slug: str,
    images: tuple[StoryImage, ...],
    problems: list[Problem],
    memo: Memo | None,
    kept: StoryCache | None = None,
) -> StorySource | None:
    if memo is None:

        def load(reported: list[Problem]) -> StorySource | None:
            text = read_text(path, display, reported, MAX_STORY_BYTES)
            return None if text is None else _parse_story(display, slug, images, text, reported)

        # `build` with a cache: a settled file whose status is as last built is not read
        if kept is None or (settled := _settled(path)) is None:
            return load(problems)
        return kept.source(display, (slug, images), settled, load, problems)

    def read(reported: list[Problem]) -> StorySource | None:
        text = read_text(path, display, reported, MAX_STORY_BYTES)
        if text is None:
            return None
        key = ("load", display, slug, images, text)

        def parse(said: list[Problem]) -> StorySource | None:
            return _parse_story(display, slug, images, text, said)

        return memo(key, parse, reported)

    # serve: a file whose status is unchanged since a rebuild read it is not read again
    if (settled := _settled(path)) is None:
        return read(problems)
    return memo(("load file", display, slug, images, settled), read, problems)


def _settled(path: Path) -> tuple[int, ...] | None:
    """The file's device, inode, size and times, if its last change is old enough that the
    clock's granularity cannot hide a later one (any write then moves its change time)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if info.st_ctime_ns > time.time_ns() - SETTLED_NS:
        return None
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


_HEADING = re.compile(r"#{2,6} \S")  # a Markdown heading ("## Why"), to YAML a comment


def _parse_story(
    display: str, slug: str, images: tuple[StoryImage, ...], text: str, problems: list[Problem]
) -> StorySource | None:
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    if first and lines[first].rstrip() == "---":
        message = "the file starts with an empty line; remove it, so that '---' is the first line"
        problems.append(Problem(display, 1, message))
        return None
    if not lines or lines[0].rstrip() != "---":
        problems.append(
            Problem(
                display,
                1,
                "no front matter found; a story starts with a line '---', then its fields, "
                "then another '---' line, then the story",
            )
        )
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        problems.append(
            Problem(
                display,
                1,
                "front matter is not closed; add a line '---' after the last field",
            )
        )
        return None
    try:
        front = parse_yaml("\n".join(lines[1:end]), first_line=2)
    except YamlError as error:
        front, found = None, error.problems
    else:
        found = list(front.problems)
    heading = next((i for i in range(1, end) if _HEADING.match(lines[i])), None)
    if heading is not None and any(p.line > heading for p in found):
        # the story's text, read as fields: its "## heading" is a YAML comment
        message = (
            "front matter is not closed before the story's text; add a line '---' after "
            "the last field"
        )
        problems.append(Problem(display, heading + 1, message))
        return None
    problems.extend(Problem(display, p.line, p.message) for p in found)
    if front is None:
        return None
    body = "\n".join(lines[end + 1 :])
    return StorySource(display, slug, front, body, end + 2, images)
