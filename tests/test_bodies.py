"""Pathological Markdown ends in a clean error naming the story, in bounded time."""

from __future__ import annotations

from pathlib import Path

from casebook.bodies import BodyJob, render_bodies
from casebook.markdown_html import StoryMarkdown
from casebook.pipeline import BuildOptions, check_site
from casebook.problems import ContentError

from .conftest import story


def test_a_quadratic_body_is_stopped_and_named(content_tree):
    root = content_tree({"slow.md": story(body="[" * 60_000), "fine.md": story()})
    try:
        check_site(BuildOptions(content=root, time_limit=0.5))
    except ContentError as error:
        problems = [str(p) for p in error.problems]
    else:
        raise AssertionError("a 60,000-bracket body rendered within half a second")
    assert problems == [
        f"{root}/stories/slow.md:13: the story took longer than 0.5 s to render; "
        "simplify its Markdown"
    ]


def test_bodies_come_back_in_order_with_their_images():
    jobs = [BodyJob(f"s{i}", f"# Story {i}\n\n![x](p{i}.png)") for i in range(7)]
    rendered = render_bodies(jobs, workers=2)
    assert [r.slug for r in rendered] == [f"s{i}" for i in range(7)]
    assert rendered[3].html == '<h2>Story 3</h2>\n<p><img alt="x" src="p3.png"></p>'
    assert rendered[3].images == ("p3.png",)
    assert not any(r.failure for r in rendered)


def test_a_body_that_eats_memory_is_stopped_and_the_worker_goes_on(monkeypatch):
    import casebook.bodies as bodies

    monkeypatch.setattr(bodies, "MEMORY_LIMIT", 32 * 1024**2)
    big = BodyJob("big", "- a\n" * 250_000)  # 1 MB that Python-Markdown turns into a huge tree
    small = BodyJob("small", "Fine.")
    results = render_bodies([big, small], time_limit=600, workers=1)
    assert [(r.slug, r.failure) for r in results] == [
        ("big", "needed too much memory to render"),
        ("small", ""),
    ]
    assert results[1].html == "<p>Fine.</p>"


def _render_or_die(self, text):
    import os
    import signal
    import time

    if text == "abort":  # as a Rust library does when the memory cap stops an allocation
        os.abort()
    if text == "stuck":  # out of reach of SIGALRM, as C code that never returns can be
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(60)
    return _real_render(self, text)


_real_render = StoryMarkdown.render


def test_a_worker_that_dies_fails_only_its_own_story(monkeypatch):
    monkeypatch.setattr(StoryMarkdown, "render", _render_or_die)
    jobs = [BodyJob("a", "One."), BodyJob("dies", "abort"), BodyJob("b", "Two."), BodyJob("c", "3")]
    results = render_bodies(jobs, time_limit=30, workers=2)
    assert [(r.slug, r.failure, r.html) for r in results] == [
        ("a", "", "<p>One.</p>"),
        ("dies", "needed too much memory to render", ""),
        ("b", "", "<p>Two.</p>"),
        ("c", "", "<p>3</p>"),
    ]


def test_a_worker_stuck_beyond_signals_is_replaced_after_the_grace(monkeypatch):
    import casebook.bodies as bodies

    monkeypatch.setattr(StoryMarkdown, "render", _render_or_die)
    monkeypatch.setattr(bodies, "_GRACE", 0.5)
    jobs = [BodyJob("stuck", "stuck"), BodyJob("a", "One.")]
    results = render_bodies(jobs, time_limit=0.5, workers=1)
    assert [(r.slug, r.failure, r.html) for r in results] == [
        ("stuck", "took longer than 0.5 s to render", ""),
        ("a", "", "<p>One.</p>"),
    ]


def test_a_renderer_bug_names_the_story_and_the_build_goes_on(monkeypatch):
    def broken(self, text):
        raise ValueError("a bug in a Markdown extension")

    monkeypatch.setattr(StoryMarkdown, "render", broken)
    results = render_bodies([BodyJob("a", "One.")], workers=1)
    assert [(r.slug, r.failure) for r in results] == [("a", "could not be rendered (ValueError)")]


def test_a_worker_that_died_between_jobs_is_replaced_and_the_job_sent_again(monkeypatch):
    import casebook.bodies as bodies

    real_give = bodies._Worker.give
    killed: list[int] = []

    def give(self, index, job, deadline):
        if index == 1 and not killed:  # as the system's OOM killer might, between two jobs
            self.process.kill()
            self.process.join()
            killed.append(index)
        return real_give(self, index, job, deadline)

    monkeypatch.setattr(bodies._Worker, "give", give)
    jobs = [BodyJob("a", "One."), BodyJob("b", "Two."), BodyJob("c", "3")]
    results = render_bodies(jobs, workers=1)
    assert killed == [1]
    assert [(r.slug, r.failure, r.html) for r in results] == [
        ("a", "", "<p>One.</p>"),
        ("b", "", "<p>Two.</p>"),
        ("c", "", "<p>3</p>"),
    ]
    assert results[1].text == "Two."


def _left_running(pids: list[int]) -> list[int]:
    """Those of pids still running after up to 10 s (killed, so that none outlives the test)."""
    import os
    import time

    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in pids if _alive(pid)]
    for pid in left:
        os.kill(pid, 9)
    return left


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie, dead but not yet reaped, does not count)."""
    from pathlib import Path

    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def test_workers_end_when_their_parent_is_killed(tmp_path):
    import subprocess
    import sys

    script = (
        "import multiprocessing, os, signal\n"
        "from casebook.bodies import _Worker\n"
        "context = multiprocessing.get_context('fork')\n"
        "workers = [_Worker(context, 10.0), _Worker(context, 10.0)]\n"
        "print(' '.join(str(w.process.pid) for w in workers), flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)  # no clean-up of any kind\n"
    )
    said = tmp_path / "pids"
    with said.open("w") as out:  # a file, not a pipe the orphans could hold open
        subprocess.run([sys.executable, "-c", script], stdout=out, check=False)
    pids = [int(pid) for pid in said.read_text().split()]
    assert len(pids) == 2
    assert _left_running(pids) == []


def test_a_worker_is_not_forked_while_a_process_is_being_started():
    """processes.SPAWN_LOCK: a worker forked meanwhile would hold that start's pipe open."""
    import multiprocessing
    import threading

    from casebook.bodies import _Worker
    from casebook.processes import SPAWN_LOCK

    made: list[_Worker] = []
    with SPAWN_LOCK:
        context = multiprocessing.get_context("fork")
        thread = threading.Thread(target=lambda: made.append(_Worker(context, 10.0)))
        thread.start()
        thread.join(timeout=0.5)
        assert thread.is_alive() and made == []  # waiting for the lock
    thread.join(timeout=10)
    assert len(made) == 1
    made[0].finish()


# --- serve's crew: workers kept between calls -------------------------------------------


def _crew_pids(crew) -> list[int]:
    return sorted(worker.child.pid for worker in crew._idle)


def test_a_crew_keeps_its_workers_between_calls():
    from casebook.bodies import Crew

    crew = Crew(2)
    try:
        first = render_bodies([BodyJob("a", "*one*"), BodyJob("b", "two")], crew=crew)
        pids = _crew_pids(crew)
        again = render_bodies([BodyJob("c", "# three")], crew=crew)
        assert [r.html for r in first + again] == [
            "<p><em>one</em></p>",
            "<p>two</p>",
            "<h2>three</h2>",
        ]
        assert len(pids) == 2 and _crew_pids(crew) == pids
    finally:
        crew.close()
    assert crew._idle == []


def test_a_crew_worker_that_died_is_replaced(tmp_path):
    import os
    import signal

    from casebook.bodies import Crew

    crew = Crew(1)
    try:
        crew.start()
        [pid] = _crew_pids(crew)
        os.kill(pid, signal.SIGKILL)
        crew._idle[0].child.wait()
        [rendered] = render_bodies([BodyJob("a", "words")], crew=crew)
        assert rendered.html == "<p>words</p>" and not rendered.failure
        assert _crew_pids(crew) != [pid]
    finally:
        crew.close()


def test_a_crew_worker_keeps_the_time_limit():
    from casebook.bodies import Crew

    crew = Crew(1)
    try:
        [slow, after] = render_bodies(
            [BodyJob("slow", "[" * 40_000), BodyJob("after", "fine")], 0.3, crew=crew
        )
        assert slow.failure == "took longer than 0.3 s to render"
        assert after.html == "<p>fine</p>"
    finally:
        crew.close()


def test_a_crew_worker_holds_no_descriptor_of_its_parent_but_its_own(tmp_path):
    """A worker that lives as long as serve must not keep serve's socket or pipes open."""
    import os
    import socket
    import sys

    import pytest

    from casebook.bodies import Crew

    if not sys.platform.startswith("linux"):
        pytest.skip("reads /proc")
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen()
    read_end, write_end = os.pipe()
    crew = Crew(1)
    try:
        render_bodies([BodyJob("a", "once it has started")], crew=crew)
        [pid] = _crew_pids(crew)
        held = sorted(os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd"))
        assert held[:3] == ["/dev/null"] * 3
        assert len(held) == 4 and held[3].startswith("socket:")
        assert held[3] != os.readlink(f"/proc/self/fd/{listening.fileno()}")
    finally:
        crew.close()
        listening.close()
        os.close(read_end), os.close(write_end)


def test_a_crew_started_from_an_unguarded_script_works_and_ends_with_it(tmp_path):
    """multiprocessing's spawn would run the script again in each worker; the crew does not.
    Its workers end when the script is killed without any clean-up."""
    import os
    import subprocess
    import sys

    script = tmp_path / "unguarded.py"
    script.write_text(
        "import os, signal\n"
        "from casebook.bodies import BodyJob, Crew, render_bodies\n"
        "crew = Crew(2)\n"
        "[made] = render_bodies([BodyJob('a', '*hi*')], crew=crew)\n"
        "print(made.html, *(w.child.pid for w in crew._idle), flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    said = tmp_path / "said"
    with said.open("w") as out:  # a file, not a pipe the orphans could hold open
        subprocess.run(
            [sys.executable, str(script)],
            stdout=out,
            check=False,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        )
    html, *pids = said.read_text().split()
    assert html == "<p><em>hi</em></p>" and len(pids) == 1  # one job: one worker
    assert _left_running([int(pid) for pid in pids]) == []


def test_a_crew_that_cannot_start_a_worker_renders_with_forked_ones_and_says_so(
    monkeypatch, capsys
):
    import sys

    from casebook.bodies import Crew

    monkeypatch.setattr(sys, "executable", "/bin/false")  # starts, and ends at once
    crew = Crew(2)
    try:
        made = render_bodies([BodyJob("a", "*one*"), BodyJob("b", "two")], crew=crew)
        assert [r.html for r in made] == ["<p><em>one</em></p>", "<p>two</p>"]
        assert crew._idle == []  # forked workers are not kept
        assert render_bodies([BodyJob("c", "three")], crew=crew)[0].html == "<p>three</p>"
    finally:
        crew.close()
    assert capsys.readouterr().err == (
        "casebook: a worker process (/bin/false) did not start; bodies are rendered as in `build`\n"
    )


def test_pictures_not_shown_come_back_from_the_workers():
    jobs = [BodyJob("a", "![Team](team.png?v=2)"), BodyJob("b", "![Team](./team.png)")]
    rendered = render_bodies(jobs, workers=2)
    assert [(r.images, r.refused) for r in rendered] == [
        ((), (("team.png?v=2", "Team"),)),
        (("team.png",), ()),
    ]


def test_the_body_cache_keeps_the_pictures_not_shown(tmp_path):
    from casebook.cache import BodyCache

    text = "![x](https://example.org/a.jpg)\n\n![Team](Team.PNG)"
    cache = BodyCache(tmp_path)
    fresh = render_bodies([BodyJob("s", text)], workers=1)[0]
    cache.put(text, fresh)
    cache.put("Fine.", render_bodies([BodyJob("f", "Fine.")], workers=1)[0])
    cache.save()
    kept = BodyCache(tmp_path)
    assert kept.get("s", text) == fresh
    assert fresh.refused == (("https://example.org/a.jpg", "x"), ("Team.PNG", "Team"))
    assert kept.get("f", "Fine.").refused == ()


def test_a_body_nested_hundreds_deep_is_told_so():
    """Python-Markdown recurses a level for each list inside another."""
    deep = BodyJob("deep", "".join("  " * i + "- item\n" for i in range(500)))
    [result] = render_bodies([deep], time_limit=120, workers=1)  # time enough on a slow machine
    assert result.failure == "has lists or quotes nested too deeply to render"
