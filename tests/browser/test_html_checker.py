"""Every built .html file is valid HTML according to the Nu Html Checker (vnu.jar).

The checker is a Java program that takes seconds to start, so all files go through one
invocation and the test reports every error at once, grouped by file.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from .harness import Site

VNU_TIMEOUT_S = 900


def run_vnu(command: list[str], files: list[Path]) -> list[dict[str, Any]]:
    """Check ``files`` in one run; return the checker's messages (errors only)."""
    done = subprocess.run(
        [*command, "--errors-only", "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=VNU_TIMEOUT_S,
        check=False,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"vnu.jar exited {done.returncode} without a JSON report\n"
            f"--- stdout ---\n{done.stdout}\n--- stderr ---\n{done.stderr}",
            pytrace=False,
        )
    return list(report.get("messages", []))


def file_of(message: dict[str, Any], root: Path) -> str:
    """The message's file relative to the build output, or its URL if it is elsewhere."""
    url = str(message.get("url", "?"))
    path = Path(unquote(urlsplit(url).path))
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return url


def describe(message: dict[str, Any], root: Path) -> str:
    """``file:line:column: [type] message`` and the excerpt the checker quotes."""
    line = message.get("lastLine", message.get("firstLine", "?"))
    column = message.get("firstColumn", message.get("lastColumn", "?"))
    text = f"{file_of(message, root)}:{line}:{column}: [{message.get('type')}] {message['message']}"
    extract = (message.get("extract") or "").replace("\n", "⏎")
    return f"{text}\n    {extract}" if extract else text


def test_built_html_is_valid(site: Site, vnu_command: list[str]) -> None:
    """Zero errors from the Nu Html Checker across the whole built site."""
    files = sorted(site.root.rglob("*.html"))
    messages = run_vnu(vnu_command, files)
    errors = [message for message in messages if message.get("type") != "info"]
    if errors:
        root = site.root.resolve()
        report = "\n".join(describe(message, root) for message in errors)
        pytest.fail(
            f"Nu Html Checker: {len(errors)} error(s) in {len(files)} file(s):\n{report}",
            pytrace=False,
        )


def test_pages_at_a_renamed_sub_elements_old_addresses_are_valid(
    content_tree, tmp_path: Path, vnu_command: list[str]
) -> None:
    """The pages that send readers on from a renamed sub-element's old addresses."""
    from casebook.pipeline import BuildOptions, build_site

    from ..conftest import story
    from ..test_renamed import OLD, rename

    root = content_tree({"a.md": story()})
    rename(root)
    build_site(BuildOptions(content=root), tmp_path / "site")
    files = sorted((tmp_path / "site" / "rubric" / OLD).rglob("*.html"))
    assert len(files) == 6
    errors = [m for m in run_vnu(vnu_command, files) if m.get("type") != "info"]
    assert [describe(m, tmp_path / "site") for m in errors] == []
