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
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from .markdown_html import StoryMarkdown
from .progress import QUIET, Progress

TIME_LIMIT = 10.0  # seconds for one story body
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
    except _TimeUp:
        return RenderedBody(job.slug, failure=f"took longer than {time_limit:g} s to render")
    except (MemoryError, RecursionError):
        return RenderedBody(job.slug, failure="needed too much memory to render")
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return RenderedBody(job.slug, rendered.html, rendered.images)


def _render_in_worker(args: tuple[BodyJob, float]) -> RenderedBody:
    return _render(*args)


def render_bodies(
    jobs: Sequence[BodyJob],
    time_limit: float = TIME_LIMIT,
    workers: int | None = None,
    progress: Progress = QUIET,
) -> list[RenderedBody]:
    """Every body rendered, in order; a body that hits a limit has `failure` set."""
    if not jobs:
        return []
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    results: list[RenderedBody] = []
    while len(results) < len(jobs):
        remaining = jobs[len(results) :]
        pool = context.Pool(workers, initializer=_start_worker)
        try:
            answers = pool.imap(_render_in_worker, [(job, time_limit) for job in remaining])
            for job in remaining:
                try:
                    results.append(answers.next(timeout=time_limit + _GRACE))
                    progress.step("stories rendered", len(results), len(jobs))
                except multiprocessing.TimeoutError:
                    # stuck beyond the reach of SIGALRM: give up on this story, restart the pool
                    failure = f"took longer than {time_limit:g} s to render"
                    results.append(RenderedBody(job.slug, failure=failure))
                    break
        finally:
            pool.terminate()
            pool.join()
    return results
