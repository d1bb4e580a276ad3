"""The writer: a failed build leaves the last good site byte-identical; nothing else is touched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from casebook.cli import main
from casebook.write import OutputError

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


# --- the replaced site kept as the next build's staging (the spare) --------------------------


def tree(folder: Path) -> tuple[dict[str, bytes], set[str]]:
    """Every file's bytes, and every folder, under folder."""
    folders = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()}
    return snapshot(folder), folders


def site_files(files: dict[str, str]):
    from casebook.render import OutputFile

    return [OutputFile(path, text.encode()) for path, text in files.items()]


FIRST = {"index.html": "home", "stories/a/index.html": "a", "stories/b/index.html": "b"}
MARK = b"This folder is built by casebook and replaced on each build.\n"


def test_the_replaced_site_is_kept_and_the_next_build_stages_in_it(tmp_path):
    from casebook.write import MARKER, write_site

    site, spare = tmp_path / "site", tmp_path / "cache" / "site-x"
    write_site(site_files(FIRST), site, spare=spare)
    assert not spare.exists()
    first_folder = os.stat(site).st_ino
    first_b = os.stat(site / "stories/b/index.html").st_ino
    second = {**FIRST, "stories/a/index.html": "a, edited"}
    write_site(site_files(second), site, spare=spare)
    assert os.stat(spare).st_ino == first_folder  # the first site, kept whole
    assert snapshot(spare) == {MARKER: MARK, **{p: t.encode() for p, t in FIRST.items()}}
    third = {**second, "stories/c/index.html": "c"}
    write_site(site_files(third), site, spare=spare)
    assert os.stat(site).st_ino == first_folder  # staged where the spare was
    assert snapshot(site) == {MARKER: MARK, **{p: t.encode() for p, t in third.items()}}
    # a file the same in every build is one file all along: it keeps its time
    assert os.stat(site / "stories/b/index.html").st_ino == first_b
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "site"]  # nothing beside


def test_whatever_the_spare_holds_the_site_is_exactly_the_one_built(tmp_path):
    from casebook.write import MARKER, write_site

    site, spare = tmp_path / "site", tmp_path / "cache" / "site-x"
    before = {**FIRST, "old/page.html": "old", "became/a/folder": "file"}
    write_site(site_files(before), site, spare=spare)
    write_site(site_files(FIRST), site, spare=spare)
    (spare / "stray.html").write_text("stray")
    (spare / "stray-folder" / "deep").mkdir(parents=True)
    (spare / "stray-folder" / "deep" / "x.html").write_text("x")
    (spare / "index.html").unlink()
    (spare / "index.html").mkdir()  # a folder where a page goes
    (spare / "stories" / "a" / "index.html").unlink()
    (spare / "stories" / "a" / "index.html").write_text("spoilt")  # same name, other bytes
    (spare / "link.html").symlink_to(tmp_path / "outside.html")
    (tmp_path / "outside.html").write_text("outside")
    wanted = {"index.html": "home", "became/a": "now a file", "stories/a/index.html": "a2"}
    write_site(site_files(wanted), site, spare=spare)
    files, folders = tree(site)
    assert files == {MARKER: MARK, **{p: t.encode() for p, t in wanted.items()}}
    assert folders == {"became", "stories", "stories/a"}
    assert (tmp_path / "outside.html").read_text() == "outside"


def test_no_file_of_the_live_site_is_ever_written_into(tmp_path):
    """The spare's files are links to the live site's: a rebuild puts new files in their
    place, never writes through them."""
    from casebook.write import write_site

    site, spare = tmp_path / "site", tmp_path / "cache" / "site-x"
    write_site(site_files(FIRST), site, spare=spare)
    write_site(site_files(FIRST), site, spare=spare)  # the spare: links to the live files
    witness = tmp_path / "witness"
    witness.mkdir()
    for number, path in enumerate(sorted(p for p in site.rglob("*") if p.is_file())):
        os.link(path, witness / str(number))
    seen = snapshot(witness)
    changed = {p: f"{t}, changed" for p, t in FIRST.items()}
    write_site(site_files(changed), site, spare=spare)
    assert snapshot(witness) == seen
    assert (site / "index.html").read_text() == "home, changed"


def test_a_spare_casebook_did_not_make_is_removed_not_used(tmp_path):
    from casebook.write import MARKER, write_site

    site, spare = tmp_path / "site", tmp_path / "cache" / "site-x"
    write_site(site_files(FIRST), site, spare=spare)
    (spare / "stories").mkdir(parents=True)
    (spare / "stories" / "not-ours.html").write_text("not ours")  # no marker file
    write_site(site_files(FIRST), site, spare=spare)
    assert snapshot(site) == {MARKER: MARK, **{p: t.encode() for p, t in FIRST.items()}}
    assert not (spare / "stories" / "not-ours.html").exists()
    assert (spare / MARKER).is_file()  # the replaced site took its place


def test_a_failed_finish_leaves_the_live_site_and_a_spare_the_next_build_puts_right(tmp_path):
    from casebook.write import write_site

    site, spare = tmp_path / "site", tmp_path / "cache" / "site-x"
    write_site(site_files(FIRST), site, spare=spare)
    write_site(site_files(FIRST), site, spare=spare)
    live = snapshot(site)

    def fail(staged: Path) -> None:
        raise OSError(28, "No space left on device")

    changed = {**FIRST, "stories/b/index.html": "b, changed"}
    with pytest.raises(OutputError, match="No space left on device"):
        write_site(site_files(changed), site, finish=fail, spare=spare)
    assert snapshot(site) == live
    write_site(site_files(FIRST), site, spare=spare)
    assert snapshot(site) == live


def test_mirror_makes_a_folder_the_same_tree_of_links(tmp_path):
    from casebook.write import mirror

    source, target = tmp_path / "source", tmp_path / "target"
    (source / "a" / "b").mkdir(parents=True)
    (source / "a" / "b" / "one.txt").write_text("one")
    (source / "two.txt").write_text("two")
    (source / "left-out").mkdir()
    (target / "a" / "gone").mkdir(parents=True)
    (target / "two.txt").write_text("old two")
    (target / "a" / "b").write_text("a file where a folder goes")
    (target / "left-out").write_text("not looked at")
    mirror(source, target, leave_out=("left-out",))
    assert tree(target) == (
        {"a/b/one.txt": b"one", "two.txt": b"two", "left-out": b"not looked at"},
        {"a", "a/b"},
    )
    assert os.stat(target / "two.txt").st_ino == os.stat(source / "two.txt").st_ino
    (source / "two.txt").unlink()
    (source / "two.txt").write_text("new two")
    mirror(source, target, leave_out=("left-out",))
    assert (target / "two.txt").read_text() == "new two"


@pytest.mark.parametrize("spare", [False, True], ids=["fresh", "into-the-spare"])
def test_a_file_the_site_cannot_hold_is_named(tmp_path, spare):
    from casebook.write import write_site

    site, kept = tmp_path / "site", (tmp_path / "cache" / "site-x") if spare else None
    write_site(site_files(FIRST), site, spare=kept)
    write_site(site_files(FIRST), site, spare=kept)
    live = snapshot(site)
    name = "x" * 300
    with pytest.raises(OutputError) as error:
        write_site(site_files({**FIRST, f"tags/{name}/index.html": "t"}), site, spare=kept)
    assert str(error.value) == (
        f"cannot write the site to {site}: File name too long (tags/{name}); the site there "
        "is as it was"
    )
    assert snapshot(site) == live
