"""The rubric's words are pinned to its version, so that a change of wording cannot reach
the site without a new version (and with it a changelog entry): each story shows the version
it was assessed against, and that must name the words it was assessed against.

When you change the wording on purpose: add a changelog entry and raise `version` in
content/rubric/rubric.yaml (README, "The rubric"), then put the digest this test prints in
WORDING for the new version. Keep the old versions' lines: they record what each said.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from pathlib import Path

from casebook.model import Rubric
from casebook.pipeline import BuildOptions, check_site

CONTENT = Path(__file__).resolve().parent.parent / "content"

# version: digest of its words (wording_digest)
WORDING = {
    "1.0": "42daea242f3e0601",  # the tool as BU and SUBU published it, typos and all
}


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from _texts(getattr(value, field.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _texts(item)


def wording_digest(rubric: Rubric) -> str:
    """A digest of every word of the tool: all but its version and changelog."""
    words = (
        rubric.title,
        rubric.short_title,
        rubric.makers,
        rubric.authors,
        rubric.introduction,
        rubric.how_it_works,
        rubric.stages,
        rubric.commitments,
    )
    return hashlib.sha256("\0".join(_texts(words)).encode("utf-8")).hexdigest()[:16]


def test_the_rubrics_words_are_those_of_its_version():
    rubric = check_site(BuildOptions(content=CONTENT)).book.rubric
    digest = wording_digest(rubric)
    known = WORDING.get(rubric.version)
    if known is None:
        message = (
            f"rubric version {rubric.version} is new: once its words are final, add "
            f'"{rubric.version}": "{digest}" to WORDING in tests/test_rubric_wording.py'
        )
    else:
        message = (
            f"the rubric's words changed but its version is still {rubric.version}; add a "
            "changelog entry, with the old words of each descriptor you changed under "
            "`replaced`, and raise `version` in content/rubric/rubric.yaml (README, "
            f'"The rubric"), then add "<new version>": "{digest}" to WORDING here'
        )
    assert digest == known, message


def test_a_changed_word_changes_the_digest():
    rubric = check_site(BuildOptions(content=CONTENT)).book.rubric
    first = rubric.commitments[0].sub_elements[0]
    changed = dataclasses.replace(
        first, descriptors=(first.descriptors[0] + "s", *first.descriptors[1:])
    )
    commitment = dataclasses.replace(
        rubric.commitments[0], sub_elements=(changed, *rubric.commitments[0].sub_elements[1:])
    )
    other = dataclasses.replace(rubric, commitments=(commitment, *rubric.commitments[1:]))
    assert wording_digest(other) != wording_digest(rubric)
    assert wording_digest(dataclasses.replace(rubric, version="9")) == wording_digest(rubric)
