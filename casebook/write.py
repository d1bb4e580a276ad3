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

from . import cachefile, processes
from .problems import OutputError
from .render import OutputFile

MARKER = ".casebook-site"


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


def spare_for(cache: Path | None, output: Path) -> Path | None:
    """Where the site a build replaces is kept, in the cache, to be the next build's staging
    (None without a cache: then it is removed)."""
    return cache / f"site-{cachefile.per_site(output)}" if cache is not None else None


def write_site(
    files: list[OutputFile],
    output: Path,
    finish: Callable[[Path], None] | None = None,
    discard: Callable[[Path], None] = remove,
    spare: Path | None = None,
    finished: Collection[str] = (),
) -> None:
    """Write everything to a staging folder, then swap it in; OutputError on any OS failure.

    finish, if given, completes the staged site (the search index) before the swap; if it
    raises, the last good site stays.

    spare: where the replaced site is kept instead of being handed to discard. The next build
    stages its site there: it writes only the files that differ from the live site's (the
    others are made links to them again only if they are not already), removes what the new
    site no longer has, and leaves the top-level entries named in `finished` to finish. So a
    rebuild neither makes nor removes a whole site's folders and links. Nothing there is
    trusted: a file is kept only if it is the live site's very file, and nothing is written
    into a file that is there (it may be a link to the live site's), only in its place.
    """
    output = output.absolute()
    staging = usable_spare(spare, output)
    try:
        if staging is None:
            output.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.staging-", dir=output.parent))
            fresh = True
        else:
            fresh = False
    except OSError as error:
        raise OutputError(
            f"cannot write the site to {output}: {error.strerror}{_UNCHANGED}"
        ) from None
    try:
        if fresh:
            _write_all(files, staging, output)
        else:
            _update_all(files, staging, output, finished)
        if finish is not None:
            finish(staging)
            written = {MARKER, *(file.path for file in files)}
            keep_unchanged(staging, output, written)
        swap(staging, output, discard, keep=spare)
    except OSError as error:
        if fresh:
            remove(staging)
        raise OutputError(
            f"cannot write the site to {output}: {_said(error, staging)}{_UNCHANGED}"
        ) from None
    except BaseException:
        if fresh:
            remove(staging)  # a spare is left as it is: the next build puts it right
        raise


def usable_spare(spare: Path | None, output: Path) -> Path | None:
    """The spare, if it is a site casebook kept on the output's file system (renames work
    only within one); a spare that is not is removed."""
    if spare is None:
        return None
    try:
        info = os.lstat(spare)
    except OSError:
        return None
    try:
        usable = (
            stat.S_ISDIR(info.st_mode)
            and os.path.isfile(os.path.join(spare, MARKER))
            and info.st_dev == os.stat(output.parent).st_dev
        )
    except OSError:
        usable = False
    if usable:
        return spare
    if stat.S_ISDIR(info.st_mode):
        remove(spare)
    else:
        with suppress(OSError):
            os.unlink(spare)
    return None


def _write_all(files: list[OutputFile], root: Path, last: Path) -> None:
    made: set[str] = set()
    for file in _with_marker(files):
        relative = _inside(file.path)
        target = os.path.join(root, relative)
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        _put(file, target, os.path.join(last, relative))


_UNCHANGED = "; the site there is as it was"


def _said(error: OSError, staging: Path) -> str:
    """The error's words, and the file it met in the site, if it names one."""
    name = error.filename if isinstance(error.filename, str) else None
    if name is None:
        return str(error.strerror)
    try:
        where = Path(name).relative_to(staging).as_posix()
    except ValueError:
        where = name
    return f"{error.strerror} ({where})"


def _with_marker(files: list[OutputFile]) -> list[OutputFile]:
    marker = "This folder is built by casebook and replaced on each build.\n"
    return [OutputFile(MARKER, marker.encode()), *files]


def _put(file: OutputFile, target: str, before: str) -> None:
    """The file at target, where there is none: a link to the last site's if that has these
    bytes, else written."""
    if _same(file, before):
        try:
            os.link(before, target)
            return
        except OSError:
            pass  # no hard links here: write it again
    if file.data is not None:
        with open(target, "xb") as out:
            out.write(file.data)
    elif file.spooled:
        try:
            os.link(file.source, target)  # a page this build made: the file itself
        except OSError:
            shutil.copyfile(file.source, target)
    elif file.source is not None:
        shutil.copyfile(file.source, target)


def _update_all(files: list[OutputFile], root: Path, last: Path, finished: Collection[str]) -> None:
    """root (a spare site) made to hold files, as _write_all would have written them."""
    update_tree(_with_marker(files), root, last, finished)


def update_tree(
    files: list[OutputFile], root: Path, last: Path | None, leave_out: Collection[str]
) -> None:
    """root (a folder, which may hold an older copy) made to hold these files and nothing else
    but its top-level entries named in leave_out. A file the last site's tree (last) has byte
    for byte is a link to that one, so it keeps its time; root's own files are never written
    into, as they may be links to live files."""
    placed = [(file, _inside(file.path)) for file in files]
    wanted = {relative for _, relative in placed}
    folders = {""}
    for relative in wanted:
        folder = os.path.dirname(relative)
        while folder not in folders:
            folders.add(folder)
            folder = os.path.dirname(folder)
    there = {""}  # the wanted folders root has
    _prune(str(root), "", wanted, folders, leave_out, there)
    for file, relative in placed:
        target = os.path.join(root, relative)
        before = os.path.join(last, relative) if last is not None else ""  # "": none there
        folder = os.path.dirname(relative)
        if folder not in there:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            there.add(folder)
        try:
            info = os.lstat(target)
        except FileNotFoundError:
            _put(file, target, before)
            continue
        if _linked(info, before) and _same(file, before):
            continue  # the live site's very file, which is still right
        os.unlink(target)  # never written into: it may be a link to a live file
        _put(file, target, before)


def _prune(
    folder: str,
    prefix: str,
    files: set[str],
    folders: set[str],
    leave_out: Collection[str],
    there: set[str],
) -> None:
    """Remove from folder what is not among files (nor a folder of theirs), except top-level
    entries in leave_out; note in `there` the wanted folders that are there."""
    with os.scandir(folder) as entries:
        found = list(entries)
    for entry in found:
        if not prefix and entry.name in leave_out:
            continue
        relative = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            if relative in folders:
                there.add(relative)
                _prune(entry.path, relative + "/", files, folders, leave_out, there)
            else:
                shutil.rmtree(entry.path)
        elif relative not in files or not entry.is_file(follow_symlinks=False):
            os.unlink(entry.path)


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


def _linked(path: str | Path | os.stat_result, before: str | Path) -> bool:
    """Whether the two are one file already (a hard link); path may be given as its lstat."""
    try:
        info = path if isinstance(path, os.stat_result) else os.lstat(path)
        other = os.lstat(before)
    except OSError:
        return False
    return (info.st_dev, info.st_ino) == (other.st_dev, other.st_ino)


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


def mirror(source: Path, target: Path, leave_out: Collection[str] = ()) -> None:
    """Make target (which may hold an older copy) a copy of the tree at source, as hard links
    where it can: what is already a link to source's file stays, the rest is replaced or
    removed. leave_out names top-level entries of either that are not looked at."""
    found: dict[str, os.stat_result] = {}
    folders = {""}

    def file(path: str, relative: str) -> None:
        found[relative] = os.lstat(path)

    walk_files(str(source), "", leave_out, file, folders.add)
    target.mkdir(parents=True, exist_ok=True)
    there = {""}
    _prune(str(target), "", set(found), folders, leave_out, there)
    for relative in sorted(folders - there):
        os.makedirs(os.path.join(target, relative), exist_ok=True)
    for relative, info in found.items():
        path, copy = os.path.join(target, relative), os.path.join(source, relative)
        try:
            now = os.lstat(path)
        except FileNotFoundError:
            pass
        else:
            if (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino):
                continue
            os.unlink(path)
        try:
            os.link(copy, path)
        except OSError:
            shutil.copyfile(copy, path)


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


def swap(
    staging: Path,
    output: Path,
    discard: Callable[[Path], None] = remove,
    keep: Path | None = None,
) -> None:
    """Put the complete site in staging where output is, in two renames; then the old one is
    kept as `keep` (if given, and nothing is there now) or handed to discard (which removes
    it, unless serve removes it in the background)."""
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
    if keep is not None:
        try:
            keep.parent.mkdir(parents=True, exist_ok=True)
            os.rename(old, keep)
            return
        except OSError:
            pass  # another file system, or something there: it is not kept
    discard(old)
