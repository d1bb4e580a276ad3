"""serve's rebuild: a save rebuilds the site; a broken save keeps the last good site served."""

from __future__ import annotations

from casebook.pipeline import BuildOptions
from casebook.serve import Rebuilder

from .conftest import story
from .test_write import snapshot


def test_rebuild_after_an_edit_and_after_a_broken_edit(content_tree, tmp_path, capsys):
    root = content_tree({"a.md": story(title="First title")})
    output = tmp_path / "site"
    rebuild = Rebuilder(BuildOptions(content=root, base_url="http://127.0.0.1:8000/"), output)
    assert rebuild() is True
    page = output / "stories" / "a" / "index.html"
    assert "First title" in page.read_text()

    (root / "stories" / "a.md").write_text(story(title="Second title"))
    assert rebuild() is True
    assert "Second title" in page.read_text()
    good = snapshot(output)

    (root / "stories" / "a.md").write_text(
        story(title="Second title").replace("stage: 2", "stage: 8")
    )
    assert rebuild() is False
    assert snapshot(output) == good
    assert [str(p) for p in rebuild.problems] == [
        f"{root}/stories/a.md:10: stage 8 is out of range; choose 1 (Early stages), "
        "2 (Developing), 3 (Developed), 4 (Refining) or 5 (Best practice)"
    ]
    err = capsys.readouterr().err
    assert err.endswith("casebook: 1 problem(s); still serving the last good site\n")

    (root / "stories" / "a.md").write_text(story(title="Fixed title"))
    assert rebuild() is True
    assert rebuild.problems == ()
    assert "Fixed title" in page.read_text()


def test_serve_links_point_at_the_local_server(content_tree, tmp_path):
    root = content_tree({"a.md": story()})
    output = tmp_path / "site"
    Rebuilder(BuildOptions(content=root, base_url="http://127.0.0.1:8123/"), output)()
    home = (output / "index.html").read_text()
    assert 'href="/static/site.css"' in home
    assert '<link rel="canonical" href="http://127.0.0.1:8123/">' in home


def test_a_failed_rebuild_is_shown_on_the_served_pages(content_tree, tmp_path):
    import json

    root = content_tree({"a.md": story()})
    output = tmp_path / "site"
    options = BuildOptions(content=root, base_url="http://127.0.0.1:8000/", serving=True)
    rebuild = Rebuilder(options, output)
    assert rebuild() is True
    home = (output / "index.html").read_text()
    assert (
        '<script type="module" src="/_casebook/status.js" '
        'data-casebook-status="/_casebook/status.json"></script>' in home
    )
    status = output / "_casebook" / "status.json"
    assert json.loads(status.read_text()) == {"problems": []}
    assert (output / "_casebook" / "status.js").is_file()

    (root / "stories" / "a.md").write_text(story().replace("stage: 2", "stage: 8"))
    assert rebuild() is False
    assert json.loads(status.read_text()) == {"problems": [str(p) for p in rebuild.problems]}
    assert "stage 8 is out of range" in status.read_text()
    assert "A good story" in (output / "stories" / "a" / "index.html").read_text()

    (root / "stories" / "a.md").write_text(story())
    assert rebuild() is True
    assert json.loads(status.read_text()) == {"problems": []}


def test_a_published_build_has_no_serve_script(content_tree, tmp_path):
    root = content_tree({"a.md": story()})
    Rebuilder(BuildOptions(content=root), tmp_path / "site")()
    assert not (tmp_path / "site" / "_casebook").exists()
    assert "_casebook" not in (tmp_path / "site" / "index.html").read_text()
