"""Starting other processes while serve's threads also fork body workers.

A process forked from this one (a body worker, bodies.py) gets a copy of every descriptor
open at that moment, among them the pipe through which a subprocess being started in another
thread reports a failed exec; subprocess waits for that pipe's end, which would then come
only when the worker ends. So processes are started under one lock, and run() waits for a
subprocess outside it, its output going to a file rather than a pipe for the same reason.
"""

from __future__ import annotations

import subprocess
import threading
from typing import IO

SPAWN_LOCK = threading.Lock()


def run(
    arguments: list[str], output: IO[bytes] | int, timeout: float | None = None, **options: object
) -> int:
    """Run a command, its stdout and stderr to `output`; its exit status. TimeoutExpired,
    after it is killed, if it takes longer than `timeout` seconds."""
    with SPAWN_LOCK:
        process = subprocess.Popen(
            arguments,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            **options,  # type: ignore[call-overload]
        )
    try:
        return process.wait(timeout=timeout)
    except BaseException:
        process.kill()
        process.wait()
        raise
