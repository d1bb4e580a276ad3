"""`build`: the site, unless the cache's manifest shows that nothing has changed.

Telling that takes a few hundred milliseconds at 10,000 stories, and importing the pipeline
(Jinja2, Python-Markdown, PyYAML and the model) took as long again: so the pipeline is
imported only once there is something to build.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from . import manifest
from .options import BuildOptions, latest_today


@dataclass(frozen=True)
class Built:
    pages: int
    stories: int
    up_to_date: bool = False  # nothing had changed, so nothing was done


def build(options: BuildOptions, output: Path) -> Built:
    """build_site, unless the cache's manifest shows that inputs and site are as last built."""
    if options.cache is None:
        return _built(options, output)
    started = time.time_ns()
    settings = repr(
        (
            options.base_url,
            options.drafts,
            options.today or latest_today(),
            options.time_limit,
            str(output.absolute()),
        )
    )
    inputs, newest = manifest.inputs_state(options.content, options.templates, settings)
    known = manifest.up_to_date(options.cache, output, inputs)
    if known is not None:
        return Built(*known, up_to_date=True)
    built = _built(options, output)
    # a file changed within the clock's resolution of the build's start might change again
    # unseen (same size, same time): then keep no manifest, and the next build does it all
    if newest < started - manifest.RACY_NS:
        manifest.record(options.cache, output, inputs, built.pages, built.stories)
    return built


def _built(options: BuildOptions, output: Path) -> Built:
    from .pipeline import build_site  # only now: see the module's docstring

    checked = build_site(options, output)
    pages = sum(1 for f in checked.files if f.path.endswith(".html"))
    return Built(pages, len(checked.book.stories))
