"""Step 5: the whole site goes to a staging folder beside the output, then replaces it.

A failed build never touches the last good site, and a reader never sees half of a new one.
A file whose bytes are the same as in the last site is not written again but linked from it,
so it keeps its modification time (and deploys that compare times upload only what changed).
"""

from __future__ import annotations

import filecmp
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Callable, Collection
from contextlib import suppress
from pathlib import Path, PurePosixPath

from . import processes
from .render import OutputFile

MARKER = ".casebook-site"


class OutputError(Exception):
    """The output folder cannot be used; the message says why and what to do."""


def check_output_folder(output: Path, protected: list[Path]) -> None:
    """Refuse to replace a folder that casebook did not make, or one holding our sources."""
    resolved = output.resolve()
    for path in protected:
        p = path.resolve()
        if p.is_relative_to(resolved):
            raise OutputError(
                f"output folder {output} contains {path}; choose another folder, such as site/"
            )
        if path != Path.cwd() and resolved.is_relative_to(p):
            raise OutputError(
                f"output folder {output} is inside {path}; "
                "choose a folder outside it, such as site/"
            )
    blocker = next((q for q in [resolved, *resolved.parents] if q.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise OutputError(f"cannot write the site to {output}: {blocker} is a file")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).is_file():
        raise OutputError(
            f"output folder {output} is not empty and was not made by casebook; "
            "choose a new folder, or empty this one yourself"
        )


def remove(folder: Path) -> None:
    """The replaced site's folder, gone."""
    shutil.rmtree(folder, ignore_errors=True)


def remove_aside(folder: Path) -> None:
    """remove(), for a background thread: by `rm` in another process where there is one, as
    Python's walk of a large site holds the interpreter's lock while serve rebuilds."""
    rm = shutil.which("rm")
    if rm is not None:
        with suppress(OSError):
            processes.run([rm, "-rf", "--", str(folder)], subprocess.DEVNULL)
    remove(folder)  # whatever rm could not


def write_site(
    files: list[OutputFile],
    output: Path,
    finish: Callable[[Path], None] | None = None,
    discard: Callable[[Path], None] = remove,
) -> None:
    """Write everything to a staging folder, then swap it in; OutputError on any OS failure.

    finish, if given, completes the staged site (the search index) before the swap; if it
    raises, the staging folder is removed and the last good site stays.
    """
    output = output.absolute()
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.staging-", dir=output.parent))
    except OSError as error:
        raise OutputError(f"cannot write the site to {output}: {error.strerror}") from None
    try:
        _write_all(files, staging, output)
        if finish is not None:
            finish(staging)
            written = {MARKER, *(file.path for file in files)}
            keep_unchanged(staging, output, written)
        swap(staging, output, discard)
    except OSError as error:
        remove(staging)
        raise OutputError(f"cannot write the site to {output}: {error.strerror}") from None
    except BaseException:
        remove(staging)
        raise


def _write_all(files: list[OutputFile], root: Path, last: Path) -> None:
    marker = "This folder is built by casebook and replaced on each build.\n"
    files = [OutputFile(MARKER, marker.encode()), *files]
    made: set[str] = set()
    for file in files:
        relative = _inside(file.path)
        target, before = os.path.join(root, relative), os.path.join(last, relative)
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        if _same(file, before):
            try:
                os.link(before, target)
                continue
            except OSError:
                pass  # no hard links here: write it again
        if file.data is not None:
            with open(target, "wb") as out:
                out.write(file.data)
        elif file.spooled:
            try:
                os.link(file.source, target)  # a page this build made: the file itself
            except OSError:
                shutil.copyfile(file.source, target)
        elif file.source is not None:
            shutil.copyfile(file.source, target)


def keep_unchanged(root: Path, last: Path, written: set[str]) -> None:
    """Files the finishing step made (the search index) that the last site has byte for byte
    are replaced by links to the last site's, so they too keep their time. It makes them in
    folders of its own: those a page is written to are not looked through."""
    made: list[tuple[str, str]] = []  # listed first: the loop below changes the folders

    def note(path: str, relative: str) -> None:
        made.append((path, relative))

    pages = {relative.split("/", 1)[0] for relative in written}
    walk_files(str(root), "", pages, note, None)
    for path, relative in made:
        before = os.path.join(last, _inside(relative))
        if _linked(path, before):
            continue  # carried over as a link already (serve's last index)
        if _same(OutputFile(relative, source=Path(path)), before):
            try:
                link = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.link")
                os.link(before, link)
                os.replace(link, path)
            except OSError:
                continue


def walk_files(
    folder: str,
    prefix: str,
    leave_out: Collection[str],
    on_file: Callable[[str, str], None],
    on_folder: Callable[[str], None] | None,
) -> None:
    """on_file(path, relative path) for each regular file under folder, on_folder(relative
    path) for each folder before what is in it; symlinks and the top-level entries named in
    leave_out are passed over. (os.scandir with plain strings: a site has thousands of files.)"""
    with os.scandir(folder) as entries:
        for entry in entries:
            if not prefix and entry.name in leave_out:
                continue
            relative = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if on_folder is not None:
                    on_folder(relative)
                walk_files(entry.path, relative + "/", leave_out, on_file, on_folder)
            elif entry.is_file(follow_symlinks=False):
                on_file(entry.path, relative)


def _linked(path: str | Path, before: str | Path) -> bool:
    """Whether the two are one file already (a hard link)."""
    try:
        return os.path.samefile(path, before)
    except OSError:
        return False


def _same(file: OutputFile, before: str) -> bool:
    """Whether the last site has this file with these very bytes (never through a link)."""
    try:
        info = os.lstat(before)
        if not stat.S_ISREG(info.st_mode):
            return False
        if file.data is not None:
            if info.st_size != len(file.data):
                return False
            with open(before, "rb") as last:
                return last.read() == file.data
        if file.source is not None:
            source = os.stat(file.source)
            if (source.st_dev, source.st_ino) == (info.st_dev, info.st_ino):
                return True  # a page kept from the last site is that very file
            return filecmp.cmp(file.source, before, shallow=False)
    except OSError:
        return False
    return False


def link_copy(source: Path, target: Path, leave_out: Collection[str] = ()) -> None:
    """Copy the tree at source to target (made here) as hard links where it can, else copies;
    leave_out names top-level entries not to copy."""
    target.mkdir(parents=True, exist_ok=True)
    there = str(target) + os.sep

    def folder(relative: str) -> None:
        os.mkdir(there + relative)

    def file(path: str, relative: str) -> None:
        try:
            os.link(path, there + relative)
        except OSError:
            shutil.copyfile(path, there + relative)

    walk_files(str(source), "", leave_out, file, folder)


def _inside(relative: str) -> str:
    """Guard: a path from the site map must stay inside the output folder; the path to join
    to the folder's."""
    parts = relative.split("/")
    if os.sep == "/" and all(part not in ("", ".", "..") for part in parts):
        return relative  # the URL map's usual form, checked without pathlib's cost
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise ValueError(f"refusing to write outside the output folder: {relative!r}")
    return os.path.join(*pure.parts)


def swap(staging: Path, output: Path, discard: Callable[[Path], None] = remove) -> None:
    """Put the complete site in staging where output is, in two renames; then the old one is
    handed to discard (which removes it, unless serve removes it in the background)."""
    staging.chmod(0o755)
    if not output.exists():
        os.replace(staging, output)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
    old.rmdir()
    os.replace(output, old)
    try:
        os.replace(staging, output)
    except BaseException:
        os.replace(old, output)
        raise
    discard(old)
