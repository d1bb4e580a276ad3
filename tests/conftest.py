"""Helpers for tests that build small content trees inline."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"

GOOD_STORY = """\
---
title: {title}
date: 2024-05-01
partnership:
  institution: Example University
  students_union: Example Students' Union
perspective: joint
assessments:
  - sub_element: trust
    stage: 2
example: true
{extra}---
## Why we placed ourselves here

{body}
"""


@functools.cache
def _example_slugs() -> frozenset[str]:
    """The slugs of the repository's stories marked `example: true` (drafts too), as the
    build reads them."""
    from casebook.pipeline import BuildOptions, check_site

    book = check_site(BuildOptions(content=CONTENT, drafts=True)).book
    return frozenset(story.slug for story in book.stories if story.example)


def keep_only_examples(content: Path) -> Path:
    """Remove from a copy of the content every story not marked `example: true`, for tests
    that count the example site's pages: a contributor's real story is checked by `check`
    and built, and must not change what those tests count."""
    examples = _example_slugs()
    for path in sorted((content / "stories").iterdir()):
        if (path.name if path.is_dir() else path.stem) not in examples:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    return content


# The changelog as the tool was first published, under tests that add versions of their own:
# so that they do not depend on the versions the real rubric has gained since.
FIRST_VERSION = '  - version: "1.0"\n    changes: ["The tool as first published."]\n'


def versioned(text: str, version: str, entries: str = "", first: str = FIRST_VERSION) -> str:
    """A rubric's text with `version` in force and its changelog made of `entries` (whole
    changelog items, newest first) above `first`; the rest as it was."""
    start, end = text.find("\nversion:") + 1, text.find("\nstages:") + 1
    assert 0 < start < end, "the rubric must have version:, then changelog:, then stages:"
    return f'{text[:start]}version: "{version}"\nchangelog:\n{entries}{first}\n{text[end:]}'


def story(title: str = "A good story", body: str = "Plain words.", extra: str = "") -> str:
    """A valid story file; extra is front matter lines added before the closing ---."""
    return GOOD_STORY.format(title=title, body=body, extra=extra)


@pytest.fixture
def content_tree(tmp_path: Path):
    """make(stories={name: text}) -> a content folder with the real site.yaml and rubric."""

    def make(stories: dict[str, str | bytes], folder: str = "content") -> Path:
        root = tmp_path / folder
        (root / "stories").mkdir(parents=True)
        shutil.copy(CONTENT / "site.yaml", root / "site.yaml")
        shutil.copytree(CONTENT / "rubric", root / "rubric")
        for name, text in stories.items():
            path = root / "stories" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text, encoding="utf-8")
        return root

    return make
