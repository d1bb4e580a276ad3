"""The full-text search index: Pagefind run over the staged site, before it is swapped in.

Pagefind reads the built pages (only those marked data-pagefind-body: stories, stages of the
tool and partnerships) and writes its index and its small search library into pagefind/. Its
ready-made UI bundles are removed: the site's own search page uses the library directly, so
nothing ships that injects inline styles past the Content-Security-Policy. The same pages give
the same bytes once search_index_order has sorted what Pagefind leaves in hash-map order.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from . import processes
from .search_index_order import FormatError, stabilise
from .write import OutputError

BUNDLE = "pagefind"
PAGEFIND = (sys.executable, "-m", "pagefind")
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)
TIME_LIMIT = 300  # seconds


class SearchIndexError(OutputError):
    """Pagefind could not index the staged site; the message is one line."""


def build_search_index(site: Path) -> None:
    """Index the site in `site` into site/pagefind/; SearchIndexError if Pagefind fails.

    Pagefind reads a pagefind.yml/.toml/.json from the folder it runs in, and PAGEFIND_*
    variables, so it runs inside the staged site (which holds no such file) with those
    variables removed: only the options here shape the index.
    """
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PAGEFIND_")}
    arguments = [*PAGEFIND, "--site", ".", "--output-subdir", BUNDLE, "--silent"]
    # Its output goes to a file, not a pipe: see processes.py
    with tempfile.TemporaryFile() as output:
        try:
            status = processes.run(arguments, output, TIME_LIMIT, cwd=site, env=env)
        except subprocess.TimeoutExpired:
            why = f"Pagefind took longer than {TIME_LIMIT} s"
            raise SearchIndexError(_failed(why)) from None
        except OSError as error:
            why = f"Pagefind could not start ({error.strerror})"
            raise SearchIndexError(_failed(why)) from None
        output.seek(0)
        said = output.read().decode("utf-8", "replace")
    if status != 0:
        raise SearchIndexError(_failed(_one_line(said)))
    bundle = site / BUNDLE
    if not (bundle / "pagefind.js").is_file():
        raise SearchIndexError(_failed("Pagefind wrote no pagefind/pagefind.js"))
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)
    try:
        stabilise(bundle)
    except (FormatError, OSError, ValueError) as error:
        why = f"Pagefind's files could not be put in order: {error}"
        raise SearchIndexError(_failed(why)) from None


def _failed(why: str) -> str:
    return (
        f"the search index could not be built: {why}; the site was not replaced "
        "(if Pagefind is missing, install it with `pip install -e .`)"
    )


def _one_line(output: str) -> str:
    """Pagefind's last words, on one line: its errors come last."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not lines:
        return "Pagefind failed without saying why"
    return " ".join(lines[-3:])[:300]
