"""Loading: encodings, limits, folder stories, drafts and anonymity."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from casebook.cli import main
from casebook.pipeline import BuildOptions, check_site
from casebook.problems import ContentError

from .conftest import CONTENT, story, versioned

TODAY = dt.date(2026, 11, 22)


def check(root, **kwargs):
    return check_site(BuildOptions(content=root, today=TODAY, **kwargs))


def test_bom_and_crlf_are_accepted(content_tree):
    text = "\ufeff" + story(title="Windows line ends").replace("\n", "\r\n")
    root = content_tree({"crlf.md": text.encode("utf-8")})
    (only,) = check(root).book.stories
    assert only.title == "Windows line ends"


def test_not_utf8_names_the_line(content_tree, monkeypatch, capsys):
    data = story().encode("utf-8").replace(b"Plain words.", b"Caf\xe9 words.")
    root = content_tree({"latin1.md": data})
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "content/stories/latin1.md:15: file is not UTF-8 text; save it with UTF-8 encoding"
    )


def test_files_over_a_megabyte_are_refused(content_tree, monkeypatch, capsys):
    root = content_tree({"huge.md": story(body="x" * 1_100_000)})
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    assert "content/stories/huge.md: file is 1,100," in capsys.readouterr().err


# a right-to-left override; the Arabic letter mark, a direction mark like U+200F
@pytest.mark.parametrize("character", ["\u202e", "\u061c"], ids=["RLO", "ALM"])
def test_control_characters_in_titles_are_refused(content_tree, monkeypatch, capsys, character):
    root = content_tree({"bidi.md": story(title=f"Evil {character} title")})
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "content/stories/bidi.md:2: 'title' contains an invisible control or "
        "text-direction character; retype it as plain text"
    )


def test_a_title_over_200_characters_is_refused(content_tree, monkeypatch, capsys):
    root = content_tree({"long.md": story(title="x" * 201)})
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    assert "long.md:2: 'title' is 201 characters long; keep it to 200" in capsys.readouterr().err


def test_folder_story_with_images(content_tree):
    root = content_tree({"with-photo/index.md": story(body="![A poster](poster.png)")})
    (root / "stories" / "with-photo" / "poster.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    checked = check(root)
    (only,) = checked.book.stories
    assert only.slug == "with-photo"
    paths = {f.path for f in checked.files}
    assert "stories/with-photo/poster.png" in paths


def test_svg_beside_a_story_is_refused(content_tree, monkeypatch, capsys):
    root = content_tree({"pics/index.md": story()})
    (root / "stories" / "pics" / "logo.svg").write_text("<svg/>")
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.startswith(
        "content/stories/pics/logo.svg: only images named with lowercase letters"
    )


def test_drafts_are_validated_but_not_published(content_tree):
    root = content_tree({"done.md": story(), "wip.md": story(title="WIP", extra="draft: true\n")})
    assert [s.slug for s in check(root).book.stories] == ["done"]
    assert sorted(s.slug for s in check(root, drafts=True).book.stories) == ["done", "wip"]
    published = {f.path for f in check(root).files}
    assert "stories/wip/index.html" not in published


def test_anonymous_stories_hide_names_everywhere(content_tree):
    secret = story(title="Quiet story", extra="anonymous: true\n").replace(
        "Example University", "Secretshire University"
    )
    root = content_tree({"quiet.md": secret, "open.md": story()})
    checked = check(root)
    for file in checked.files:
        if file.data is not None:
            assert b"Secretshire" not in file.data, file.path
    assert [p.institution for p in checked.book.partnerships] == ["Example University"]


def test_differently_written_partnership_names_are_an_error(content_tree, monkeypatch, capsys):
    other = story().replace("Example University", "example university")
    root = content_tree({"a.md": story(), "b.md": other})
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "content/stories/b.md:4: partnership 'example university and Example Students' Union' "
        "is written differently in content/stories/a.md ('Example University and Example "
        "Students' Union'): character 1 is 'e' here and 'E' there; write the names exactly "
        "the same way in both"
    )


@pytest.mark.parametrize(
    ("written", "difference"),
    [
        ("Example\u00a0University", "character 8 is a no-break space (U+00A0) here and a space "
                                     "(U+0020) there"),
        ("Example University\u200b", "character 19 is a zero width space (U+200B) here and a "
                                      "space (U+0020) there"),
        ("Example Students' Union\u2060", "after character 46, here has a word joiner "
                                           "(U+2060) more"),
    ],
    ids=["no-break-space", "zero-width-space", "longer"],
)  # fmt: skip
def test_where_two_ways_of_writing_a_partnership_part_is_named(
    content_tree, monkeypatch, capsys, written, difference
):
    field = "students_union" if "Union" in written else "institution"
    plain = "Example Students' Union" if "Union" in written else "Example University"
    quoted = written.replace("'", "''")
    other = story().replace(f"{field}: {plain}", f"{field}: '{quoted}'")
    root = content_tree({"a.md": story(), "b.md": other})
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    assert (
        capsys.readouterr()
        .err.splitlines()[0]
        .endswith(f"): {difference}; write the names exactly the same way in both")
    )


def test_rubric_errors_name_the_rubric_file(content_tree, monkeypatch, capsys):
    root = content_tree({"a.md": story()})
    rubric = root / "rubric" / "rubric.yaml"
    text = rubric.read_text(encoding="utf-8")
    rubric.write_text(text.replace("id: time\n", "id: people\n"), encoding="utf-8")
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "content/rubric/rubric.yaml:" in err
    first = text[: text.index("id: people\n")].count("\n") + 1
    assert f"id 'people' is used twice in the rubric, also at line {first}; ids must be " in err


def test_site_settings_are_checked(content_tree, monkeypatch, capsys):
    root = content_tree({"a.md": story()})
    site = root / "site.yaml"
    site.write_text(site.read_text().replace('language: "en-GB"', 'language: "English"'))
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "content/site.yaml:10: 'language' must be a language tag like en-GB, not 'English'"
    )


def _with_new_version(root, entry: str) -> None:
    """The rubric with `entry` (a changelog entry's lines after its `- `) at the top of its
    changelog, and `version` set to it."""
    rubric = root / "rubric" / "rubric.yaml"
    text = rubric.read_text(encoding="utf-8")
    version = text.split('\nversion: "', 1)[1].split('"', 1)[0]
    top = f'\nversion: "{version}"\nchangelog:\n'
    assert top in text
    added = "".join(f"    {line}\n" for line in entry.splitlines()).replace("    ", "  - ", 1)
    new = entry.splitlines()[0].removeprefix("version: ")
    rubric.write_text(text.replace(top, f"\nversion: {new}\nchangelog:\n{added}"))


def _with_version_1_1(root) -> int:
    """The rubric as first published (1.0) with a version 1.1 from 2026-11-22 above it,
    whatever versions the real one has; returns the line of the changelog's first entry."""
    rubric = root / "rubric" / "rubric.yaml"
    text = versioned(rubric.read_text(encoding="utf-8"), "1.0")
    rubric.write_text(text, encoding="utf-8")
    _with_new_version(root, 'version: "1.1"\ndate: 2026-11-22\nchanges: [Corrected a typo.]')
    return text[: text.index("\nchangelog:\n")].count("\n") + 3


def test_rubric_version_comes_from_the_story_date(content_tree):
    root = content_tree({"old.md": story(), "new.md": story().replace("2024-05-01", "2026-11-22")})
    rubric = root / "rubric" / "rubric.yaml"
    rubric.write_text(versioned(rubric.read_text(encoding="utf-8"), "1.0"), encoding="utf-8")
    assert {s.rubric_version for s in check(root).book.stories} == {"1.0"}
    _with_version_1_1(root)
    versions = {s.slug: s.rubric_version for s in check(root).book.stories}
    assert versions == {"old": "1.0", "new": "1.1"}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            'version: "1.2"\nchanges: [x]',
            "+0: version '1.2' has no date; add the day it came into use, such as "
            "'date: 2026-11-22' (only the oldest version may have none)",
        ),
        (
            'version: "1.2"\ndate: 2020-01-01\nchanges: [x]',
            "+1: version '1.2' is dated 2020-01-01, before version '1.1' (2026-11-22) below "
            "it; the changelog lists versions newest first",
        ),
        (
            'version: "1.0.9"\ndate: 2026-11-22\nchanges: [x]',
            "+0: version '1.0.9' must be higher than version '1.1' below it; the changelog "
            "lists versions newest first",
        ),
        (
            'version: "1.1"\ndate: 2026-11-22\nchanges: [x]',
            "+0: version '1.1' is in the changelog twice; number the newer entry higher, such "
            "as '1.2'",
        ),
        (
            'version: "second"\ndate: 2026-11-22\nchanges: [x]',
            "+0: version 'second' must be numbers and dots, like 1.2",
        ),
        (
            'version: "1.2"\ndate: 2026-11-23\nchanges: [x]',
            "+1: version date 2026-11-23 is in the future; give the day this wording came "
            "into use, today or earlier",
        ),
    ],
)
def test_a_changelog_entry_that_would_give_stories_the_wrong_version_is_refused(
    content_tree, monkeypatch, entry, message
):
    root = content_tree({"a.md": story()})
    top = _with_version_1_1(root)  # the new entry's first line; "+1: " is the line after
    _with_new_version(root, entry)
    monkeypatch.chdir(root.parent)
    with pytest.raises(ContentError) as raised:
        check(root)
    offset, text = message.split(": ", 1)
    assert [str(problem) for problem in raised.value.problems] == [
        f"content/rubric/rubric.yaml:{top + int(offset)}: {text}"
    ]


def test_a_new_version_dated_after_the_last_is_in_force_from_its_date(content_tree):
    root = content_tree(
        {
            "old.md": story(),
            "mid.md": story().replace("2024-05-01", "2025-06-01"),
            "new.md": story().replace("2024-05-01", "2026-11-22"),
        }
    )
    _with_version_1_1(root)
    _with_new_version(root, 'version: "1.10"\ndate: 2026-11-22\nchanges: [x]')
    rubric = root / "rubric" / "rubric.yaml"
    rubric.write_text(
        rubric.read_text().replace(
            'version: "1.1"\n    date: 2026-11-22', 'version: "1.1"\n    date: 2025-01-01'
        )
    )
    versions = {s.slug: s.rubric_version for s in check(root).book.stories}
    assert versions == {"old": "1.0", "mid": "1.1", "new": "1.10"}


def test_of_two_versions_on_one_day_the_newer_is_in_force_that_day(content_tree):
    root = content_tree({"a.md": story().replace("2024-05-01", "2026-11-22")})
    _with_version_1_1(root)
    _with_new_version(root, 'version: "1.2"\ndate: 2026-11-22\nchanges: [x]')
    (only,) = check(root).book.stories
    assert only.rubric_version == "1.2"


def test_an_image_the_story_does_not_have_is_named_with_its_line(content_tree, monkeypatch, capsys):
    root = content_tree(
        {
            "single.md": story(body="Text.\n\n![Our chart](chart.png)"),
            "folder/index.md": story(body="![A poster](poster.png)"),
        }
    )
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines()[:2] == [
        "content/stories/folder/index.md:15: image 'poster.png' not found; put the image "
        "file in the story's folder, or remove the reference",
        "content/stories/single.md:17: image 'chart.png' not found; make the story a folder, "
        "stories/single/index.md, and put the image beside it",
    ]


def test_editor_backups_and_hidden_files_are_not_content(content_tree):
    root = content_tree({"a.md": story(), "a.md~": "backup", ".a.md.swp": "swap"})
    assert [s.slug for s in check(root).book.stories] == ["a"]


def test_a_pipe_named_like_a_story_is_refused_not_read(content_tree, monkeypatch, capsys):
    import os

    root = content_tree({})
    os.mkfifo(root / "stories" / "pipe.md")
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.startswith("content/stories/pipe.md: not a story;")


def test_more_assessments_than_sub_elements_is_refused(content_tree, monkeypatch, capsys):
    many = "".join(f"  - sub_element: trust\n    stage: {1 + i % 5}\n" for i in range(10))
    text = story().replace("  - sub_element: trust\n    stage: 2\n", many)
    root = content_tree({"many.md": text})
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "content/stories/many.md:8: a story can have at most 9 assessments, one per sub-element"
    )


def rubric_problems(content_tree, old: str, new: str) -> list[tuple[int, str]]:
    """The (line, message) of each problem check finds in the rubric with old made new."""
    root = content_tree({"a.md": story()})
    rubric = root / "rubric" / "rubric.yaml"
    text = rubric.read_text(encoding="utf-8")
    assert old in text
    rubric.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        check(root)
    return [(p.line, p.message) for p in raised.value.problems]


def test_a_missing_rubric_field_is_shown_as_it_is_written(content_tree) -> None:
    text = (CONTENT / "rubric" / "rubric.yaml").read_text(encoding="utf-8")
    authors = re.search(r"(?m)^authors:\n(?:  - .*\n)+", text)
    assert authors is not None
    assert [message for _, message in rubric_problems(content_tree, authors[0], "")] == [
        "missing field 'authors'; add it, for example: authors: [\"The people who wrote it\"]"
    ]


def test_a_version_without_its_changes_is_shown_what_to_write(content_tree) -> None:
    original = '    changes:\n      - "The tool as published by BU and SUBU."\n'
    assert [message for _, message in rubric_problems(content_tree, original, "")] == [
        "missing field 'changes'; add it to a version, for example: changes: [\"What changed.\"]"
    ]


def test_two_sub_elements_of_a_commitment_may_not_share_a_letter(content_tree) -> None:
    second = "      - id: working-partnerships\n        letter: "
    text = (CONTENT / "rubric" / "rubric.yaml").read_text(encoding="utf-8")
    letter = text[: text.index(second)].count("\n") + 2  # the line of its letter
    assert rubric_problems(content_tree, second + "b\n", second + "a\n") == [
        (
            letter,
            "letter 'a' is used twice in Partnership, also by 'Developing trust'; give each "
            "sub-element a letter of its own",
        )
    ]


def test_a_stage_with_a_fault_is_told_once_not_again_at_every_sub_element(content_tree):
    """Each sub-element still has a descriptor for each stage listed."""
    text = (CONTENT / "rubric" / "rubric.yaml").read_text(encoding="utf-8")
    stage = '    name: "Developed"\n'
    line = text[: text.index(stage)].count("\n") + 1
    assert rubric_problems(content_tree, stage, '    name: ""\n') == [
        (line, "'name' is empty; write something or remove the field")
    ]


def test_two_stages_may_not_share_a_name(content_tree) -> None:
    """A stage is also chosen by its name (`new --assess time=Developed`, the issue form)."""
    text = (CONTENT / "rubric" / "rubric.yaml").read_text(encoding="utf-8")
    stage = '    name: "Refining"\n'
    line = text[: text.index(stage)].count("\n") + 1
    assert rubric_problems(content_tree, stage, '    name: "developed"\n') == [
        (
            line,
            "stage name 'developed' is used twice, also by stage 3; give each stage a name of "
            "its own",
        )
    ]


def test_commitments_are_numbered_in_order(content_tree) -> None:
    """A sub-element's code is its commitment's number and its letter: two 1s gave two 1a."""
    text = (CONTENT / "rubric" / "rubric.yaml").read_text(encoding="utf-8")
    resourcing = text.index("  - id: resourcing\n")
    number = text.index("    number: 2\n", resourcing)
    line = text[:number].count("\n") + 1
    changed = text[:number] + "    number: 1\n" + text[number + len("    number: 2\n") :]
    assert rubric_problems(content_tree, text, changed) == [
        (line, "commitments must be numbered 1, 2, 3... in order; expected 2")
    ]


def test_a_missing_or_misplaced_part_of_the_content_says_what_to_make(
    content_tree, monkeypatch, capsys
) -> None:
    """site.yaml, rubric/rubric.yaml and stories/: each missing, or a folder where a file
    belongs (or the other way), named with what to do."""
    missing = content_tree({"a.md": story()})
    (missing / "site.yaml").unlink()
    (missing / "rubric" / "rubric.yaml").unlink()
    for path in (missing / "stories").iterdir():
        path.unlink()
    (missing / "stories").rmdir()
    monkeypatch.chdir(missing.parent)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines()[:-1] == [
        "content/rubric/rubric.yaml: file not found; every content folder needs one: copy "
        "content/rubric/rubric.yaml from casebook's repository",
        "content/site.yaml: file not found; every content folder needs one: copy "
        "content/site.yaml from casebook's repository and edit it",
        "content/stories: stories folder not found; make the folder stories/ beside site.yaml "
        "and put each story in it as a file of its own",
    ]
    (missing / "site.yaml").mkdir()
    (missing / "stories").write_text("", encoding="utf-8")
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines()[1:-1] == [
        "content/site.yaml: this is a folder; site.yaml must be a YAML file",
        "content/stories: this is a file; stories/ must be a folder, with a file for each story",
    ]
