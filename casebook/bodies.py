"""Story bodies rendered in worker processes, each within a time and a memory limit.

Python-Markdown is quadratic on some inputs (a few thousand '[' take seconds, fifty thousand
take minutes), and stories come from strangers: one story must not hang or exhaust a build.
Each worker caps its own memory (RLIMIT_AS) and times each story with SIGALRM; the parent
also waits with a deadline, and replaces the pool if a worker is stuck where no signal
reaches it. Both cores are used when there are stories enough to share.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from typing import Any

from .markdown_html import StoryMarkdown, plain_text
from .options import TIME_LIMIT
from .processes import SPAWN_LOCK
from .progress import QUIET, Progress

# lists or quotes inside one another hundreds deep: the renderer recurses a level each
NESTED_TOO_DEEPLY = "has lists or quotes nested too deeply to render"
MEMORY_LIMIT = 2 * 1024**3  # bytes a worker may grow by while rendering one body
_GRACE = 5.0  # seconds the parent waits beyond the limit before it gives up on a worker


@dataclass(frozen=True)
class BodyJob:
    slug: str
    text: str


@dataclass(frozen=True)
class RenderedBody:
    slug: str
    html: str = ""
    images: tuple[str, ...] = ()
    failure: str = ""  # why it could not be rendered, for the story's error message
    text: str = ""  # the visible text, for excerpts and the open data
    refused: tuple[tuple[str, str], ...] = ()  # (address, alt text) of each picture not shown


class _TimeUp(Exception):
    pass


_converter: StoryMarkdown | None = None  # one per worker process


def _start_worker() -> None:
    global _converter
    _converter = StoryMarkdown()


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


@contextmanager
def _memory_cap(limit: int) -> Iterator[None]:
    """Cap how much more memory this worker may take while rendering one body."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (_address_space() + limit, hard))
    except (ImportError, ValueError, OSError):
        yield  # no such limit on this platform: the time limit still holds
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _alarm(signum: int, frame: object) -> None:
    raise _TimeUp


def _render(job: BodyJob, time_limit: float) -> RenderedBody:
    converter = _converter or StoryMarkdown()
    timed = hasattr(signal, "setitimer")
    if timed:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, time_limit)
    try:
        with _memory_cap(MEMORY_LIMIT):
            rendered = converter.render(job.text)
            text = plain_text(rendered.html)
    except _TimeUp:
        return RenderedBody(job.slug, failure=f"took longer than {time_limit:g} s to render")
    except MemoryError:
        return RenderedBody(job.slug, failure="needed too much memory to render")
    except RecursionError:
        return RenderedBody(job.slug, failure=NESTED_TOO_DEEPLY)
    except Exception as error:  # a renderer's own bug must still name the story, not end the build
        return RenderedBody(job.slug, failure=f"could not be rendered ({type(error).__name__})")
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return RenderedBody(
        job.slug, rendered.html, rendered.images, text=text, refused=rendered.refused
    )


def _serve(
    conn: Connection, parents_end: Connection | None, time_limit: float, ready: bool = False
) -> None:
    """A worker's life: render each job it is sent until it is sent None, or until the
    parent has gone (its end of the pipe, which the fork copied here, is closed first).

    Its stderr goes nowhere: a library that aborts at the memory cap prints there, and the
    parent reports that story's failure in words.
    """
    if parents_end is not None:  # a forked worker's copy
        parents_end.close()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    _start_worker()
    if ready:  # a spawned worker says it has started
        conn.send(_READY)
    while (job := _next_job(conn)) is not None:
        try:
            rendered = _render(job, time_limit)
        except _TimeUp:  # the alarm rang just as the body finished, before it was disarmed
            late = f"took longer than {time_limit:g} s to render"
            rendered = RenderedBody(job.slug, failure=late)
        conn.send(rendered)


def _next_job(conn: Connection) -> BodyJob | None:
    try:
        return conn.recv()  # type: ignore[no-any-return]
    except (EOFError, OSError):  # the parent has gone: so does the worker
        return None


class _Worker:
    """One worker process, forked from this one, and the job (by index) it is rendering."""

    def __init__(self, context: BaseContext, time_limit: float) -> None:
        self.time_limit = time_limit
        self.conn, child = context.Pipe()
        arguments = (child, self.conn, time_limit)
        self.process = context.Process(target=_serve, args=arguments, daemon=True)
        with SPAWN_LOCK:  # see processes.py
            self.process.start()
        child.close()
        self.index = -1
        self.deadline = 0.0

    def alive(self) -> bool:
        return self.process.is_alive()

    def ready(self) -> list[Any]:
        """What becomes ready to read when it answers or ends."""
        return [self.conn, self.process.sentinel]

    def give(self, index: int, job: BodyJob, deadline: float) -> None:
        self.index, self.deadline = index, deadline
        self.conn.send(job)

    def answer(self) -> RenderedBody | None:
        """The finished job's result, or None if the worker died (it is then stopped)."""
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            self.stop()
            return None

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()

    def finish(self) -> None:
        """Ask it to end after its last job; stop it if it does not."""
        with suppress(OSError):
            self.conn.send(None)
        self.process.join(timeout=5)
        self.stop()


# A spawned worker's first words. Only `sys` is imported before the path is set, so no module
# in the folder serve runs in can stand in for a library.
_BOOT = (
    "import sys; sys.path[:] = sys.argv[3:]; "
    f"from {__name__} import _spawned; _spawned(int(sys.argv[1]), float(sys.argv[2]))"
)


_READY = "ready"
_START_LIMIT = 60.0  # seconds a new interpreter may take to import casebook and Markdown


def _spawned(fd: int, time_limit: float) -> None:
    _serve(Connection(fd), None, time_limit, ready=True)


class _Spawned(_Worker):
    """A worker in a new interpreter, started here rather than by multiprocessing's spawn,
    which would import the main script again. It inherits one descriptor, its end of a
    socket pair, and ends when that closes (this process gone) or when it is told to."""

    def __init__(self, time_limit: float) -> None:
        """Started; OSError if it cannot be. It is ready once started() says so."""
        self.time_limit = time_limit
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-c", _BOOT, str(theirs.fileno()), repr(time_limit)]
        try:
            with SPAWN_LOCK:  # see processes.py
                self.child = subprocess.Popen(
                    [*command, *sys.path],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,  # no traceback from one stopped by Ctrl+C
                    pass_fds=(theirs.fileno(),),
                )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.index = -1
        self.deadline = 0.0

    def started(self) -> None:
        """Wait until it says it has started; OSError (and it is stopped) if it does not."""
        try:
            if self.conn.poll(_START_LIMIT) and self.conn.recv() == _READY:
                return
        except (EOFError, OSError):
            pass
        self.stop()
        raise OSError(f"a worker process ({sys.executable}) did not start")

    def alive(self) -> bool:
        return self.child.poll() is None

    def ready(self) -> list[Any]:
        return [self.conn]  # its end closes when it ends

    def stop(self) -> None:
        if self.child.poll() is None:
            self.child.kill()
        self.child.wait()
        self.conn.close()

    def finish(self) -> None:
        with suppress(OSError):
            self.conn.send(None)
        with suppress(subprocess.TimeoutExpired):
            self.child.wait(timeout=5)
        self.stop()


class Crew:
    """Workers kept between calls of render_bodies, for serve, which renders a body or two a
    save: starting a worker (a fork, then Python-Markdown's set-up) took longer than that.

    They are new interpreters, not forks: one that lives as long as serve then holds no copy
    of its listening socket, browser connections or another thread's pipes (_Spawned).
    """

    def __init__(self, count: int | None = None) -> None:
        self.count = max(1, min(2, count or os.cpu_count() or 1))  # a save renders one body
        self._idle: list[_Worker] = []
        self.failed = ""  # why no worker could be started: forked ones are used instead

    def start(self, time_limit: float = TIME_LIMIT) -> None:
        """Have the workers started before they are needed."""
        self.keep(self.take(self.count, time_limit))

    def take(self, count: int, time_limit: float) -> list[_Worker]:
        """`count` workers for this time limit: those kept that are still alive, then new
        ones; forked ones (that end after this build) if new ones cannot be started."""
        alive = []
        for worker in self._idle:
            if worker.alive() and worker.time_limit == time_limit:
                alive.append(worker)
            else:
                worker.stop()
        self._idle = alive[count:]
        team = alive[:count]
        team.extend(self.new(time_limit, count - len(team)))
        return team

    def new(self, time_limit: float, count: int = 1) -> list[_Worker]:
        made: list[_Worker] = []
        if not self.failed:
            try:
                for _ in range(count):  # all start at once, then each is waited for
                    made.append(_Spawned(time_limit))
                for worker in made:
                    worker.started()
                return made
            except OSError as error:
                for worker in made:
                    worker.stop()
                self.failed = str(error)
                print(f"casebook: {error}; bodies are rendered as in `build`", file=sys.stderr)
        return [_Worker(_fork_context(), time_limit) for _ in range(count)]

    def keep(self, workers: list[_Worker]) -> None:
        """Keep these for the next call; a forked one is ended (see the class's note)."""
        for worker in workers:
            if isinstance(worker, _Spawned):
                self._idle.append(worker)
            else:
                worker.finish()
        while len(self._idle) > self.count:
            self._idle.pop().finish()

    def close(self) -> None:
        for worker in self._idle:
            worker.finish()
        self._idle = []


def _fork_context() -> multiprocessing.context.BaseContext:
    """How a worker that ends with the build is started: forked where that is safe (Linux),
    so it has the parent's imports at no cost; else the platform's default."""
    return multiprocessing.get_context("fork" if sys.platform == "linux" else None)


def render_bodies(
    jobs: Sequence[BodyJob],
    time_limit: float = TIME_LIMIT,
    workers: int | None = None,
    progress: Progress = QUIET,
    crew: Crew | None = None,
) -> list[RenderedBody]:
    """Every body rendered, in order; a body that hits a limit has `failure` set. With a
    crew, its workers render, and those still sound afterwards go back to it.

    A worker that dies while rendering (a library aborting when the memory cap is reached)
    or stays stuck past the deadline (where no signal reaches it) is replaced, and only the
    body it was rendering fails.
    """
    if not jobs:
        return []
    count = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    context = _fork_context()

    def new() -> _Worker:
        return crew.new(time_limit)[0] if crew is not None else _Worker(context, time_limit)

    results: list[RenderedBody | None] = [None] * len(jobs)
    waiting = iter(enumerate(jobs))
    team: list[_Worker] = []
    busy: list[_Worker] = []
    done = 0
    try:
        if crew is not None:
            team.extend(crew.take(count, time_limit))
        else:
            team.extend(new() for _ in range(count))
        while done < len(jobs):
            for place, worker in enumerate(team):
                if worker in busy or (nxt := next(waiting, None)) is None:
                    continue
                try:
                    worker.give(*nxt, time.monotonic() + time_limit + _GRACE)
                except OSError:  # it died between jobs (the system's OOM killer): a new one
                    worker.stop()
                    worker = team[place] = new()
                    worker.give(*nxt, time.monotonic() + time_limit + _GRACE)
                busy.append(worker)
            soonest = min(worker.deadline for worker in busy)
            wait(
                [ready for w in busy for ready in w.ready()],
                timeout=max(0.0, soonest - time.monotonic()),
            )
            for worker in list(busy):
                if worker.conn.poll():  # an answer, or the end of a worker that died
                    answer = worker.answer()
                    failure = "needed too much memory to render"
                elif time.monotonic() > worker.deadline:  # stuck where no signal reaches
                    worker.stop()
                    answer, failure = None, f"took longer than {time_limit:g} s to render"
                else:
                    continue
                busy.remove(worker)
                if answer is None:  # the worker is gone: only its own body fails
                    answer = RenderedBody(jobs[worker.index].slug, failure=failure)
                    team[team.index(worker)] = new()
                results[worker.index] = answer
                done += 1
                progress.step("stories rendered", done, len(jobs))
    finally:
        idle = [worker for worker in team if worker not in busy]
        for worker in busy:  # only if rendering stopped early: their answers would be stale
            worker.stop()
        if crew is not None:
            crew.keep(idle)
        else:
            for worker in idle:
                worker.finish()
    return [r for r in results if r is not None]
