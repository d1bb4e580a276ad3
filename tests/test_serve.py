"""serve's rebuild: a save rebuilds the site; a broken save keeps the last good site served."""

from __future__ import annotations

import sys
import threading

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


def _indexed_titles(output) -> list[str]:
    from .test_search import fragments

    stories = [r for url, r in fragments(output).items() if "/stories/" in url]
    return sorted(record["meta"]["title"] for record in stories)


class _HeldIndex:
    """build_search_index for serve's background thread, held until released; counts calls."""

    def __init__(self) -> None:
        import threading

        from casebook.search_index import build_search_index

        self.real = build_search_index
        self.entered = threading.Event()
        self.release = threading.Event()
        self.indexed: list[str] = []

    def __call__(self, site, *reuse) -> None:
        self.entered.set()
        self.release.wait(timeout=60)
        self.indexed.append((site / "stories" / "a" / "index.html").read_text())
        self.real(site, *reuse)


def _leftovers(output) -> list[str]:
    return sorted(p.name for p in output.parent.iterdir() if p.name.startswith(".site."))


def test_a_save_goes_live_with_the_last_index_which_is_then_refreshed(
    content_tree, tmp_path, monkeypatch, capsys
):
    import casebook.serve

    root = content_tree({"a.md": story(title="Old title")})
    output = tmp_path / "site"
    options = BuildOptions(content=root, base_url="http://127.0.0.1:8000/", serving=True)
    rebuild = Rebuilder(options, output, defer_search=True)
    assert rebuild() is True  # the first build has no index to carry: it makes one
    assert _indexed_titles(output) == ["Old title"]

    held = _HeldIndex()
    monkeypatch.setattr(casebook.serve, "build_search_index", held)
    (root / "stories" / "a.md").write_text(story(title="New title"))
    assert rebuild() is True
    assert "New title" in (output / "stories" / "a" / "index.html").read_text()
    assert _indexed_titles(output) == ["Old title"]  # live at once, with the last index
    assert (output / "pagefind" / "pagefind.js").is_file()

    held.release.set()
    rebuild.settle()
    assert _indexed_titles(output) == ["New title"]
    assert "New title" in (output / "stories" / "a" / "index.html").read_text()
    assert _leftovers(output) == []
    out = capsys.readouterr().out
    assert "rebuilt 1 stories in " in out and "; the search index follows\n" in out
    assert "casebook: search index updated in " in out


def test_saves_during_indexing_index_only_the_newest_pages(content_tree, tmp_path, monkeypatch):
    import casebook.serve

    root = content_tree({"a.md": story(title="First")})
    output = tmp_path / "site"
    rebuild = Rebuilder(BuildOptions(content=root), output, defer_search=True)
    assert rebuild() is True
    held = _HeldIndex()
    monkeypatch.setattr(casebook.serve, "build_search_index", held)
    for title in ("Second", "Third", "Fourth"):
        (root / "stories" / "a.md").write_text(story(title=title))
        assert rebuild() is True
        assert held.entered.wait(timeout=60)  # the thread has Second's pages
    (root / "stories" / "a.md").write_text(story(title="Broken").replace("stage: 2", "stage: 8"))
    assert rebuild() is False  # a failed save leaves the last good pages waiting to be indexed
    held.release.set()
    rebuild.settle()
    # the thread took Second's pages before the later saves; Third's were never indexed, and
    # Second's index, finished after Fourth went live, was not swapped in
    assert ["Second" in page for page in held.indexed] == [True, False]
    assert "Fourth" in held.indexed[1]
    assert _indexed_titles(output) == ["Fourth"]
    assert _leftovers(output) == []


def test_a_failed_background_index_keeps_the_last_one(content_tree, tmp_path, monkeypatch, capsys):
    import casebook.search_index
    import casebook.serve

    root = content_tree({"a.md": story(title="First")})
    output = tmp_path / "site"
    rebuild = Rebuilder(BuildOptions(content=root), output, defer_search=True)
    assert rebuild() is True
    failing = (sys.executable, "-c", "import sys; print('error: disk on fire'); sys.exit(3)")
    monkeypatch.setattr(casebook.search_index, "PAGEFIND", failing)
    (root / "stories" / "a.md").write_text(story(title="Second"))
    assert rebuild() is True
    rebuild.settle()
    assert "Second" in (output / "stories" / "a" / "index.html").read_text()
    assert _indexed_titles(output) == ["First"]
    assert capsys.readouterr().err == (
        "casebook: the search index could not be built: error: disk on fire; the site was not "
        "replaced (if Pagefind is missing, install it with `pip install -e .`); "
        "search still finds the last index\n"
    )
    assert _leftovers(output) == []


class _Loop:
    """Stands in for the server's loop: keeps the callbacks it is given."""

    def __init__(self) -> None:
        self.callbacks: list = []

    def add_callback(self, callback) -> None:
        self.callbacks.append(callback)


class _Pages:
    """Stands in for livereload's handler: counts the reload signals sent to open pages."""

    def __init__(self) -> None:
        self.reloads = 0

    def reload_waiters(self) -> None:
        self.reloads += 1


def test_changes_while_a_rebuild_waits_share_it_and_every_rebuild_signals_a_reload():
    from casebook.serve import _Reloader

    pages = _Pages()
    rebuilds: list[int] = []
    reloader = _Reloader(lambda: rebuilds.append(1) or False, pages)
    reloader.loop = _Loop()
    for _ in range(3):  # one save that an editor writes in three steps
        reloader.changed()
    assert len(reloader.loop.callbacks) == 1
    reloader.loop.callbacks.pop()()
    assert (len(rebuilds), pages.reloads) == (1, 1)  # a failed rebuild reloads too: it says why
    reloader.changed()
    assert len(reloader.loop.callbacks) == 1


def test_an_unexpected_error_in_indexing_does_not_stop_later_updates(
    content_tree, tmp_path, monkeypatch, capsys
):
    import casebook.serve
    from casebook.search_index import build_search_index

    root = content_tree({"a.md": story(title="First")})
    output = tmp_path / "site"
    rebuild = Rebuilder(BuildOptions(content=root), output, defer_search=True)
    assert rebuild() is True
    calls: list[int] = []

    def breaks_once(site, *reuse) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug")
        build_search_index(site, *reuse)

    monkeypatch.setattr(casebook.serve, "build_search_index", breaks_once)
    (root / "stories" / "a.md").write_text(story(title="Second"))
    assert rebuild() is True
    rebuild.settle()  # returns: the thread that failed is no longer counted as running
    assert _indexed_titles(output) == ["First"]
    assert "the search index could not be updated (RuntimeError: a bug)" in capsys.readouterr().err
    (root / "stories" / "a.md").write_text(story(title="Third"))
    assert rebuild() is True
    rebuild.settle()
    assert _indexed_titles(output) == ["Third"]
    assert _leftovers(output) == []


def test_serve_stopped_by_sigterm_writes_the_body_cache_and_exits_cleanly(content_tree, tmp_path):
    import signal
    import socket
    import subprocess
    import time

    from casebook.cache import BodyCache

    from .conftest import REPO

    root = content_tree({"a.md": story()})
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "serve.log"
    command = [sys.executable, str(REPO / "build.py"), "serve", "--content", str(root)]
    command += ["--templates", str(REPO / "templates"), "--port", str(port)]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120

        def wait_for(words: bytes) -> None:
            while words not in log.read_bytes():
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)

        wait_for(b"serving http")
        edited = story(body="Words saved while serving.")
        (root / "stories" / "a.md").write_text(edited)
        wait_for(b"the search index follows\n")  # the save's rebuild
        body = edited.split("---\n", 2)[2]
        assert BodyCache(tmp_path / ".casebook" / "cache").get("a", body) is None  # not yet
        server.send_signal(signal.SIGTERM)
        assert server.wait(30) == 0
    finally:
        if server.poll() is None:
            server.kill()
    assert BodyCache(tmp_path / ".casebook" / "cache").get("a", body) is not None


def test_serve_clears_what_a_stopped_serve_left_beside_the_site(tmp_path):
    from casebook.serve import SearchRefresh

    output = tmp_path / "site"
    left = [".site.search-a1", ".site.staging-b2", ".site.old-c3", ".site.pages-d4"]
    for name in [*left, ".site.other", "site"]:
        (tmp_path / name / "stories").mkdir(parents=True)
    SearchRefresh(output, threading.Lock()).clear_leftovers()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.other", "site"]


def test_a_change_seen_before_the_server_runs_is_rebuilt_once_it_does():
    """serve watches from before its first build: a save during that build is not lost."""
    from casebook.serve import _Reloader

    rebuilds: list[int] = []
    pages = _Pages()
    reloader = _Reloader(lambda: rebuilds.append(1) or True, pages)
    reloader.changed()  # no loop yet: the first build is still running
    reloader.changed()
    loop = _Loop()
    reloader.attach(loop)
    assert len(loop.callbacks) == 1
    loop.callbacks.pop()()
    assert rebuilds == [1] and pages.reloads == 1
    reloader.attach(_Loop())  # nothing waiting: nothing to do
    assert rebuilds == [1]


def test_the_watch_thread_is_ready_before_serve_builds(tmp_path):
    """A file saved as soon as _start_watching returns is heard."""
    import time

    from casebook.serve import _Reloader, _start_watching

    heard: list[int] = []

    class Heard(_Reloader):
        def changed(self) -> None:
            heard.append(1)

    folder = tmp_path / "content"
    folder.mkdir()
    _start_watching([folder], Heard(lambda: True, None))
    (folder / "a.md").write_text("saved at once")
    deadline = time.monotonic() + 10
    while not heard and time.monotonic() < deadline:
        time.sleep(0.02)
    assert heard


def test_a_missing_folder_is_not_watched_and_does_not_hold_serve_up(tmp_path, capsys):
    import time

    from casebook.serve import _Reloader, _start_watching

    started = time.monotonic()
    _start_watching([tmp_path / "no-content"], _Reloader(lambda: True, None))
    assert time.monotonic() - started < 5
    assert capsys.readouterr().err == ""
