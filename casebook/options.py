"""What a build is asked to do: the options every command turns its arguments into.

Imports nothing heavy: `build` reads these, and the manifest's quick answer (builds.py),
before any of the pipeline is imported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

TIME_LIMIT = 10.0  # seconds for one story body
CACHE_FOLDER = Path(".casebook") / "cache"
REPO_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def latest_today(now: dt.datetime | None = None) -> dt.date:
    """Today's date where it is latest (UTC+14): a story is dated in the future only if it is
    in the future everywhere. A contributor in New Zealand, or in Britain just after midnight
    in summer, writes a date that is still tomorrow for a CI machine on UTC."""
    now = now or dt.datetime.now(dt.UTC)
    return (now.astimezone(dt.UTC) + dt.timedelta(hours=14)).date()


def default_templates() -> Path:
    """templates/ where the command is run, else the one beside the engine (editable install)."""
    local = Path("templates")
    return local if local.is_dir() else REPO_TEMPLATES


@dataclass(frozen=True)
class BuildOptions:
    content: Path
    templates: Path = REPO_TEMPLATES
    base_url: str | None = None  # already normalised (urls.normalise_base_url)
    drafts: bool = False
    today: dt.date | None = None
    time_limit: float = TIME_LIMIT  # seconds to render one story body
    cache: Path | None = None  # the build cache's folder; None: neither read nor write one
    serving: bool = False  # pages show serve's failed rebuilds (never for a published site)
    progress: bool = False  # a progress bar on stderr for a long build
