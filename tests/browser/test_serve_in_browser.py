"""`serve` as a writer uses it: save, the page reloads; save a mistake, the page says so and
the last good site stays; fix it, the message goes. Real livereload, real Chromium."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time

from playwright.sync_api import expect

from ..conftest import keep_only_examples
from .harness import AXE_PATH, CONTENT_DIR, REPO_ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


def test_serve_reloads_on_save_and_shows_a_failed_rebuild_on_the_page(tmp_path, browser):
    content = tmp_path / "content"
    keep_only_examples(shutil.copytree(CONTENT_DIR, content))  # "reloaded" is in no other
    story = sorted((content / "stories").glob("*fenmoor-starting*.md"))[0]
    slug = story.stem
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "build.py"), "serve", "--content", str(content),
         "--output", str(tmp_path / "out"), "--port", str(port), "--no-cache"],
        cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for(lambda: b"serving http" in (tmp_path / "serve.log").read_bytes(), 60)
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"http://127.0.0.1:{port}/stories/{slug}/")
        text = story.read_text()
        title = next(line[7:] for line in text.splitlines() if line.startswith("title: "))
        expect(page.locator("h1")).to_contain_text(title)
        assert page.locator("[role=alert]").count() == 0

        story.write_text(text.replace(f"title: {title}", "title: Saved and reloaded", 1))
        expect(page.locator("h1")).to_contain_text("Saved and reloaded", timeout=30_000)
        # the page went live first; the search index follows, and then finds the new words
        wait_for(lambda: b"search index updated" in (tmp_path / "serve.log").read_bytes(), 60)
        searching = browser.new_page()
        searching.goto(f"http://127.0.0.1:{port}/search/?q=reloaded")
        expect(searching.locator(".search-result h2 a")).to_have_text(
            ["Saved and reloaded"], timeout=30_000
        )
        searching.close()

        story.write_text(text.replace("stage: 1", "stage: 9", 1))
        alert = page.locator("[role=alert]")
        alert.wait_for(timeout=30_000)
        assert "could not be built (1 problem)" in alert.inner_text()
        assert "stage 9 is out of range" in alert.inner_text()
        expect(page.locator("h1")).to_contain_text("Saved and reloaded")  # the last good site
        if AXE_PATH.is_file():  # axe is injected, which the site's CSP rightly forbids
            checked = browser.new_context(bypass_csp=True).new_page()
            checked.goto(page.url)
            checked.locator("[role=alert]").wait_for(timeout=30_000)
            checked.add_script_tag(content=AXE_PATH.read_text())
            result = checked.evaluate("axe.run({runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']})")
            assert result["violations"] == []
            checked.context.close()

        story.write_text(text)
        expect(page.locator("h1")).to_contain_text(title, timeout=30_000)
        page.wait_for_timeout(500)
        assert page.locator("[role=alert]").count() == 0
        assert errors == []
    finally:
        server.terminate()
        server.wait(10)
        log.close()
