"""Broken content gets every problem reported at once, exactly, with exit status 1.

Each folder in fixtures/broken/ holds the stories/ of one kind of broken content and
expected.txt, the exact lines `python build.py check` must print for it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from casebook.cli import main

from .conftest import REPO, story

BROKEN = Path(__file__).parent / "fixtures" / "broken"
KINDS = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


def _tree(content_tree, kind: str) -> Path:
    root = content_tree({})
    shutil.rmtree(root / "stories")
    shutil.copytree(BROKEN / kind / "stories", root / "stories")
    return root


@pytest.mark.parametrize("kind", KINDS)
def test_check_reports_every_problem_exactly(kind, content_tree, monkeypatch, capsys):
    root = _tree(content_tree, kind)
    monkeypatch.chdir(root.parent)
    assert main(["check", "--content", "content"]) == 1
    captured = capsys.readouterr()
    expected = (BROKEN / kind / "expected.txt").read_text(encoding="utf-8")
    assert captured.err == expected
    assert captured.out == ""


@pytest.mark.parametrize("kind", KINDS)
def test_failed_build_writes_nothing(kind, content_tree, monkeypatch, capsys):
    root = _tree(content_tree, kind)
    monkeypatch.chdir(root.parent)
    assert main(["build", "--content", "content", "--output", "site"]) == 1
    assert "nothing was built and site/ is unchanged" in capsys.readouterr().err
    assert sorted(p.name for p in root.parent.iterdir()) == ["content"]


def test_problems_in_many_files_are_all_reported(content_tree, monkeypatch, capsys):
    root = content_tree(
        {
            "a.md": story(extra="colour: blue\n"),
            "b.md": story().replace("stage: 2", "stage: 9"),
            "c.md": "no front matter",
        }
    )
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in err[:-1]] == [
        "content/stories/a.md",
        "content/stories/b.md",
        "content/stories/c.md",
    ]
    assert err[-1] == "casebook: 3 problems found; fix them and run check again"


def test_command_line_never_shows_a_traceback(content_tree):
    root = _tree(content_tree, "yaml-tags-and-aliases")
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "check", "--content", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{root}/stories/tags.md:2: YAML tag" in result.stderr


def test_check_passes_on_the_example_content(monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    assert main(["check"]) == 0
    assert capsys.readouterr().out.startswith("casebook: content is fine: ")


def _picture_problems(content_tree, monkeypatch, capsys, body: str, command="check") -> list[str]:
    """The lines `check` (or `build`) prints for a folder story t/ with team.png beside it."""
    root = content_tree({"t/index.md": story(body=body)})
    (root / "stories" / "t" / "team.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    monkeypatch.chdir(root.parent)
    assert main([command]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err.splitlines()


def test_a_picture_written_with_a_leading_dot_slash_is_shown(content_tree, monkeypatch, capsys):
    root = content_tree({"t/index.md": story(body="Our team.\n\n![Team](./team.png)")})
    (root / "stories" / "t" / "team.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    monkeypatch.chdir(root.parent)
    assert main(["build", "--output", "site"]) == 0
    page = (root.parent / "site" / "stories" / "t" / "index.html").read_text()
    assert '<img alt="Team" src="team.png">' in page
    assert (root.parent / "site" / "stories" / "t" / "team.png").is_file()


def test_a_picture_from_another_website_is_a_problem(content_tree, monkeypatch, capsys):
    err = _picture_problems(
        content_tree, monkeypatch, capsys, "Text.\n\n![Team](https://example.org/photos/Team.JPG)"
    )
    assert err == [
        "content/stories/t/index.md:17: picture 'https://example.org/photos/Team.JPG' cannot be "
        "shown: it is on another website, and the site makes no request to another host; save "
        "the picture in the story's folder as team.jpg and write ![Team](team.jpg)",
        "casebook: 1 problem found; fix it and run check again",
    ]


def test_a_picture_from_another_website_in_a_one_file_story(content_tree, monkeypatch, capsys):
    root = content_tree({"single.md": story(body="![Logo](//cdn.example.org/logo.gif)")})
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "content/stories/single.md:15: picture '//cdn.example.org/logo.gif' cannot be shown: it "
        "is on another website, and the site makes no request to another host; make the story a "
        "folder, stories/single/index.md, save the picture beside it as logo.gif and write "
        "![Logo](logo.gif)",
        "casebook: 1 problem found; fix it and run check again",
    ]


def test_a_storys_picture_is_told_with_the_problems_of_its_fields(
    content_tree, monkeypatch, capsys
):
    """A story that fails its checks has its text rendered too, so its pictures are told in
    the same round, and so are those of a story whose rubric could not be read."""
    broken = story(body="A bell \x07 here.\n\n![Logo](//cdn.example.org/logo.gif)")
    root = content_tree({"single.md": broken.replace("date: 2024-05-01\n", "")})
    monkeypatch.chdir(root.parent)
    assert main(["check"]) == 1
    picture = (
        "picture '//cdn.example.org/logo.gif' cannot be shown: it is on another website, and "
        "the site makes no request to another host; make the story a folder, "
        "stories/single/index.md, save the picture beside it as logo.gif and write "
        "![Logo](logo.gif)"
    )
    assert capsys.readouterr().err.splitlines() == [
        "content/stories/single.md:2: missing field 'date'; add it, for example: date: 2025-03-14",
        "content/stories/single.md:14: this line contains an invisible control or "
        "text-direction character; retype it as plain text",
        f"content/stories/single.md:16: {picture}",
        "casebook: 3 problems found; fix them and run check again",
    ]
    (root / "stories" / "single.md").write_text(story(body="![Logo](//cdn.example.org/logo.gif)"))
    (root / "rubric" / "rubric.yaml").write_text("stages: [\n", encoding="utf-8")
    assert main(["check"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("content/rubric/rubric.yaml:")
    assert err[1] == f"content/stories/single.md:15: {picture}"


def test_a_picture_named_in_another_case_is_a_problem(content_tree, monkeypatch, capsys):
    err = _picture_problems(content_tree, monkeypatch, capsys, "![Team](Team.PNG)")
    assert err[0] == (
        "content/stories/t/index.md:15: picture 'Team.PNG' cannot be shown: the file beside the "
        "story is 'team.png', and names must match in case; write ![Team](team.png)"
    )
    assert len(err) == 2


def test_a_picture_the_story_does_not_show_is_a_problem(content_tree, monkeypatch, capsys):
    """It would be published all the same, at an address anyone could guess."""
    err = _picture_problems(content_tree, monkeypatch, capsys, "Our team, in words only.")
    assert err == [
        "content/stories/t/team.png: the story does not show this picture, but it would be "
        "published; show it with ![what it shows](team.png), or remove the file",
        "casebook: 1 problem found; fix it and run check again",
    ]


def test_a_picture_must_be_small_and_of_the_kind_its_name_says(content_tree, monkeypatch, capsys):
    from casebook.pictures import MAX_PICTURE_BYTES

    body = "![Team](team.png) ![Hall](hall.png) ![Phone](phone.jpg) ![Big](big.jpg) ![W](w.webp)"
    root = content_tree({"t/index.md": story(body=body)})
    folder = root / "stories" / "t"
    (folder / "team.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "hall.png").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")  # a JPEG
    (folder / "phone.jpg").write_bytes(b"\x00\x00\x00\x18ftypheic")  # a phone's HEIC
    (folder / "big.jpg").write_bytes(b"\xff\xd8\xff" + bytes(MAX_PICTURE_BYTES))
    (folder / "w.webp").write_bytes(b"RIFF\x24\x00\x00\x00WEBPVP8 ")
    monkeypatch.chdir(root.parent)
    assert main(["build", "--output", "site"]) == 1
    assert capsys.readouterr().err.splitlines()[:-1] == [
        "content/stories/t/big.jpg: picture is 1,000,003 bytes, over the 1,000,000 byte limit, "
        "and readers on slow connections wait for every byte; save it smaller, for example at "
        "most 1,600 pixels wide",
        "content/stories/t/hall.png: this file holds a JPEG picture, but its name ends .png; "
        "rename it hall.jpg, and write that name in the story",
        "content/stories/t/phone.jpg: this file is not a JPEG picture, nor any picture a "
        "browser shows; save the picture again as PNG or JPEG",
    ]
    assert not (root.parent / "site").exists()


def test_a_picture_with_a_query_or_a_fragment_is_a_problem(content_tree, monkeypatch, capsys):
    body = "![Team](team.png?v=2)\n\n![Team](./team.png#top)"
    assert _picture_problems(content_tree, monkeypatch, capsys, body)[:2] == [
        "content/stories/t/index.md:15: picture 'team.png?v=2' cannot be shown: a picture's name "
        "may not have a '?v=2' part; write ![Team](team.png)",
        "content/stories/t/index.md:17: picture './team.png#top' cannot be shown: a picture's "
        "name may not have a '#top' part; write ![Team](team.png)",
    ]


def test_a_picture_address_over_several_lines_is_named_on_one(content_tree, monkeypatch, capsys):
    """The part after '#' spans lines here (Markdown reads the indented lines as part of the
    address); the message gives it with its line breaks as spaces."""
    body = '- ![a](java\tscript:"x="y(1))\n    # a\n    *a*'
    assert _picture_problems(content_tree, monkeypatch, capsys, body)[0] == (
        "content/stories/t/index.md:13: picture 'java script:\"x=\"y(1)) # a *' cannot be "
        "shown: a picture's name may not have a '# a *' part; write ![a](java-script-x-y-1.png)"
    )


def test_a_picture_in_another_folder_or_of_another_kind_is_a_problem(
    content_tree, monkeypatch, capsys
):
    body = (
        "![Chart](images/chart.png)\n\n![Team](../team.png)\n\n"
        "![Plan](diagram.svg) ![Us](Our Team.jpeg)\n\n![Empty]()"
    )
    assert _picture_problems(content_tree, monkeypatch, capsys, body) == [
        "content/stories/t/index.md:15: picture 'images/chart.png' cannot be shown: a picture "
        "must sit beside the story, not in another folder; put chart.png beside the story's "
        "index.md and write ![Chart](chart.png)",
        "content/stories/t/index.md:17: picture '../team.png' cannot be shown: a picture must "
        "sit beside the story, not in another folder; write ![Team](team.png)",
        "content/stories/t/index.md:19: picture 'diagram.svg' cannot be shown: a picture must be "
        "a .png, .jpg, .jpeg, .webp or .gif file; save it as diagram.png beside the story's "
        "index.md and write ![Plan](diagram.png)",
        "content/stories/t/index.md:19: picture 'Our Team.jpeg' cannot be shown: a picture's "
        "name may use only lowercase letters, digits and hyphens; rename the file "
        "our-team.jpeg and write ![Us](our-team.jpeg)",
        "content/stories/t/index.md:21: picture ![Empty]() cannot be shown: it names no file; "
        "write ![Empty](empty.png), or remove it",
        "casebook: 5 problems found; fix them and run check again",
    ]


def test_each_use_of_a_picture_not_shown_is_named_at_its_own_line(
    content_tree, monkeypatch, capsys
):
    body = (
        "See [the logo](https://example.org/l.png).\n\n![L](https://example.org/l.png)\n\n"
        "More.\n\n![L](https://example.org/l.png) and ![R][ref]\n\n"
        "[ref]: <https://example.org/r.png>"
    )
    web = "cannot be shown: it is on another website, and the site makes no request to another host"
    assert _picture_problems(content_tree, monkeypatch, capsys, body)[:3] == [
        f"content/stories/t/index.md:17: picture 'https://example.org/l.png' {web}; save the "
        "picture in the story's folder as l.png and write ![L](l.png)",
        f"content/stories/t/index.md:21: picture 'https://example.org/l.png' {web}; save the "
        "picture in the story's folder as l.png and write ![L](l.png)",
        f"content/stories/t/index.md:23: picture 'https://example.org/r.png' {web}; save the "
        "picture in the story's folder as r.png and write ![R](r.png)",
    ]


def test_a_cached_rebuild_reports_the_same_picture_problems(content_tree, monkeypatch, capsys):
    from .test_incremental import count_rendered

    rendered = count_rendered(monkeypatch)
    body = "![Team](Team.PNG)\n\n![x](https://example.org/a.jpg)\n\n![Gone](gone.png)"
    cold = _picture_problems(content_tree, monkeypatch, capsys, body, "build")
    root = Path.cwd()
    assert main(["build"]) == 1
    warm = capsys.readouterr().err.splitlines()
    assert rendered == [1, 0]  # the second build took the body from the cache
    assert warm == cold
    assert len(cold) == 4 and cold[-1] == (
        "casebook: 3 problems found; nothing was built and site/ is unchanged"
    )
    assert sorted(p.name for p in root.iterdir()) == [".casebook", "content"]
