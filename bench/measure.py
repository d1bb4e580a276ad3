"""Run one casebook command in this process and print what it cost, as one JSON line.

    python bench/measure.py build --content C --output O [--no-cache]

Used by bench/run.py so that each figure is one fresh process: wall time, and the peak
resident memory of this process and of the largest worker it started.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from casebook.cli import main


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def run(argv: list[str]) -> dict[str, float | int]:
    started = time.perf_counter()
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet):
        status = main(argv)
    seconds = time.perf_counter() - started
    return {
        "status": status,
        "seconds": seconds,
        "rss_mb": _peak_mb(resource.RUSAGE_SELF),
        "worker_rss_mb": _peak_mb(resource.RUSAGE_CHILDREN),
    }


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1:])))
