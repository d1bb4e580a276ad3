"""What one process keeps between its builds: each story as it was last loaded and validated.

`serve` rebuilds the whole model on every save, but a save changes one file: parsing the YAML
of every other story again, and checking it again, was most of a rebuild. A Memo keeps each
step's result with the problems it reported, keyed by everything the step reads, so a story
whose text (and name, images, rubric and today's date) is unchanged is neither parsed nor
checked again. Results the last build did not ask for are dropped, so a memo holds at most
two builds' worth. It also keeps the body cache (cache.py) in memory, and serve's body
workers. `build` runs once per process and uses none.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from .bodies import Crew
from .cache import BodyCache
from .problems import Problem

T = TypeVar("T")


class Memo:
    def __init__(self, crew: Crew | None = None) -> None:
        self.crew = crew  # body workers kept between builds (serve), if any
        self._last: dict[Hashable, tuple[Any, tuple[Problem, ...]]] = {}
        self._now: dict[Hashable, tuple[Any, tuple[Problem, ...]]] = {}
        self._rubric: object = None
        self._rubric_generation = 0
        self._bodies: BodyCache | None = None
        self._bodies_saved = False

    def body_cache(self, folder: Path | None) -> BodyCache:
        """The rendered bodies, kept in memory between builds rather than read each time."""
        if self._bodies is None or self._bodies.folder != folder:
            self._bodies = BodyCache(folder)
        else:
            self._bodies.renew()
        return self._bodies

    def start(self) -> None:
        """A new build: what the last one used stays at hand, anything older goes."""
        self._last, self._now = self._now, {}

    def after_first_render(self) -> None:
        """Called after each build that rendered: the body cache is written after the first,
        then only when serve stops (at 10,000 stories writing it took most of a second)."""
        if not self._bodies_saved:
            self.save_bodies()

    def save_bodies(self) -> None:
        if self._bodies is not None:
            self._bodies.save()
            self._bodies_saved = True

    def close(self) -> None:
        """The process is done building: the body cache written, kept workers ended."""
        self.save_bodies()
        if self.crew is not None:
            self.crew.close()

    def rubric_generation(self, rubric: object) -> int:
        """A number that changes whenever the rubric does, for keys of steps that read it."""
        if rubric != self._rubric:
            self._rubric = rubric
            self._rubric_generation += 1
        return self._rubric_generation

    def size(self) -> int:
        """How many results are kept. (Not __len__: a memo with none kept is still a memo.)"""
        return len(self._last.keys() | self._now.keys())

    def keep_for(self, objects: tuple[object, ...], key: Hashable, make: Callable[[], T]) -> T:
        """make()'s result for these very objects, kept between builds: a story unchanged
        since serve's last rebuild is the same object (as is its body's text, cache.py). It is
        keyed by their ids and `key`, and kept together with them, so no other object can take
        their ids while it is kept."""
        kept = self.keep((key, *map(id, objects)), lambda: (objects, make()))
        return kept[1]

    def keep(self, key: Hashable, make: Callable[[], T]) -> T:
        """make()'s result, from the memo when `key` was seen before (a step that reports
        no problems)."""
        return self(key, lambda _: make(), [])

    def __call__(
        self, key: Hashable, step: Callable[[list[Problem]], T], problems: list[Problem]
    ) -> T:
        """step(problems)'s result, from the memo when `key` was seen before; the problems
        it reported are added to `problems` either way."""
        found = self._now.get(key) or self._last.get(key)
        if found is None:
            reported: list[Problem] = []
            found = (step(reported), tuple(reported))
        self._now[key] = found
        problems.extend(found[1])
        return found[0]  # type: ignore[no-any-return]
