"""Time `serve` as a writer meets it: from saving a story to the reload signal in the browser.

    python bench/serve_reload.py WORK --saves 3

In WORK (which holds content/ and templates/), starts `build.py serve` on a free port, connects
to its livereload socket as a browser's page does, then saves one story --saves times. For
each save it times the moment the file is written to the moment the reload message arrives
(what the writer waits for), then waits for the search index to catch up (serve updates it in
the background) and times that too. Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(log: Path, words: bytes, count: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while log.read_bytes().count(words) < count:
        if time.monotonic() > deadline:
            said = log.read_text()
            raise SystemExit(f"bench: serve did not say {words!r} in {seconds:g} s:\n{said}")
        time.sleep(0.02)


async def _connect(port: int) -> Any:
    """The livereload socket, once serve listens (it says so just before it does)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


async def _saves(port: int, story: Path, log: Path, saves: int) -> dict[str, list[float]]:
    # serve's first site may have gone live with the last index, the new one following: the
    # saves start once it is in, so that no save shares the machine with that index
    indexed = 1 if b"the search index follows" in log.read_bytes() else 0
    _wait_for(log, b"search index updated", indexed, 1200)
    socket_ = await _connect(port)
    hello = {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}
    await socket_.write_message(json.dumps(hello))
    await socket_.read_message()
    await socket_.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{port}/"}))
    await asyncio.sleep(0.5)  # the server has the page among those it reloads
    reload_s, index_s = [], []
    text = story.read_text(encoding="utf-8")
    for number in range(1, saves + 1):
        started = time.perf_counter()
        story.write_text(text + f"\nSaved by the benchmark, save {number}.\n", "utf-8")
        while True:
            message = json.loads(await socket_.read_message())
            if message.get("command") == "reload":
                break
        reload_s.append(time.perf_counter() - started)
        _wait_for(log, b"search index updated", indexed + number, 600)
        index_s.append(time.perf_counter() - started)
    socket_.close()
    return {"save_to_reload_s": reload_s, "save_to_search_s": index_s}


def measure(work: Path, saves: int) -> dict[str, list[float]]:
    port = _free_port()
    log = work / "serve.log"
    stories = sorted((work / "content" / "stories").glob("*.md"))
    story = stories[len(stories) // 2]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--content", "content",
             "--templates", "templates", "--port", str(port)],
            cwd=work, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "CI": "true"},
        )  # fmt: skip
        try:
            _wait_for(log, b"serving http", 1, 1200)
            return asyncio.run(_saves(port, story, log, saves))
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    saves = int(sys.argv[sys.argv.index("--saves") + 1]) if "--saves" in sys.argv else 3
    print(json.dumps(measure(Path(sys.argv[1]), saves)))
