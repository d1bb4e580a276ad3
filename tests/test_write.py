"""The writer: a failed build leaves the last good site byte-identical; nothing else is touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.cli import main

from .conftest import story


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_a_failed_build_leaves_the_last_good_site_untouched(content_tree, monkeypatch, capsys):
    root = content_tree({"a.md": story()})
    monkeypatch.chdir(root.parent)
    assert main(["build"]) == 0
    before = snapshot(root.parent / "site")
    (root / "stories" / "b.md").write_text(story().replace("stage: 2", "stage: 6"))
    assert main(["build"]) == 1
    assert snapshot(root.parent / "site") == before
    assert sorted(p.name for p in root.parent.iterdir()) == [".casebook", "content", "site"]


def test_a_rebuild_replaces_the_site_and_leaves_no_staging_folders(content_tree, monkeypatch):
    root = content_tree({"a.md": story()})
    monkeypatch.chdir(root.parent)
    assert main(["build"]) == 0
    (root / "stories" / "a.md").rename(root / "stories" / "renamed.md")
    assert main(["build"]) == 0
    stories = sorted(p.name for p in (root.parent / "site" / "stories").iterdir())
    assert stories == ["index.html", "renamed"]
    assert sorted(p.name for p in root.parent.iterdir()) == [".casebook", "content", "site"]


def test_refuses_to_replace_a_folder_it_did_not_make(content_tree, monkeypatch, capsys):
    root = content_tree({"a.md": story()})
    precious = root.parent / "precious"
    precious.mkdir()
    (precious / "thesis.docx").write_text("years of work")
    monkeypatch.chdir(root.parent)
    assert main(["build", "--output", "precious"]) == 1
    assert capsys.readouterr().err == (
        "casebook: output folder precious is not empty and was not made by casebook; "
        "choose a new folder, or empty this one yourself\n"
    )
    assert (precious / "thesis.docx").read_text() == "years of work"


def test_refuses_an_output_folder_that_holds_the_content(content_tree, monkeypatch, capsys):
    root = content_tree({"a.md": story()})
    monkeypatch.chdir(root.parent)
    assert main(["build", "--output", "."]) == 1
    assert "contains content; choose another folder, such as site/" in capsys.readouterr().err


def test_template_errors_name_the_template_and_line(content_tree, tmp_path, monkeypatch, capsys):
    import shutil

    from .conftest import REPO

    content_tree({"a.md": story()})
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    page = templates / "about.html"
    page.write_text(page.read_text().replace("{{ site.description }}", "{{ site.descripton }}"))
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--templates", "templates"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert err[0].startswith("templates/about.html:")
    assert "has no attribute 'descripton'" in err[0]


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "", "a/../../b", "stories/..", "."])
def test_a_path_outside_the_site_is_refused(bad):
    from casebook.write import _inside

    with pytest.raises(ValueError, match="refusing to write outside the output folder"):
        _inside(bad)


@pytest.mark.parametrize(
    ("path", "joined"),
    [("stories/a/index.html", "stories/a/index.html"), ("a//b", "a/b"), ("./a", "a")],
)
def test_a_path_inside_the_site_is_joined_as_it_is(path, joined):
    from casebook.write import _inside

    assert _inside(path) == joined


def test_removing_aside_takes_the_folder_and_never_what_its_links_point_to(tmp_path):
    from casebook.write import remove_aside

    keep = tmp_path / "keep.txt"
    keep.write_text("kept")
    folder = tmp_path / "-rf old site"  # a name rm could take for an option
    (folder / "stories" / "a").mkdir(parents=True)
    (folder / "stories" / "a" / "index.html").write_text("<p>a</p>")
    (folder / "link").symlink_to(keep)
    (folder / "folder-link").symlink_to(tmp_path)
    remove_aside(folder)
    assert not folder.exists()
    assert keep.read_text() == "kept"
    remove_aside(folder)  # already gone: nothing to do, nothing raised
