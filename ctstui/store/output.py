"""Writing an output file (a feed, a report: ``-o FILE``) the way the user means it.

One definition for every command and the planner; the plan file itself is saved by the store.

- ``-`` is standard output.
- An ordinary file (or a new one) is replaced atomically: the bytes go to a temp
  file in the same folder, are flushed to disk, and renamed over it, so a reader
  (a web server, a calendar app) sees the old or the new file, never half of one.
  The file keeps its permissions.
- A symbolic link is followed: its target is replaced atomically and the link
  is kept (a feed linked into a web root keeps being updated).
- Anything else (a character device such as ``/dev/null`` or a terminal, a
  FIFO, a socket) is written through, never replaced.
- A temp file left by an export that was killed is removed by the next write
  to the same file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

STDOUT = "-"
_TEMP_MARK = ".tmp-"
# A temp file whose writer cannot be checked (no process table to ask) is taken as
# abandoned once it is this old.
STALE_AFTER = 3600.0


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` are the same existing file (links followed)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def write_output(target: str | os.PathLike, data: bytes, *, stdout: BinaryIO | None = None) -> str:
    """Write ``data`` to ``target`` (see the module's notes); where it went, for a message.

    Raises OSError (a folder: IsADirectoryError; a missing folder: FileNotFoundError).
    """
    if str(target) == STDOUT:
        out = stdout if stdout is not None else sys.stdout.buffer
        out.write(data)
        out.flush()
        return "standard output"
    path = Path(target).expanduser()
    real = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "is a folder, not a file", str(path))
    if mode is not None and not stat.S_ISREG(mode):
        _write_through(real, data)
        return str(path)
    if not real.parent.is_dir():
        raise FileNotFoundError(2, f"the folder {real.parent} does not exist", str(path))
    remove_stale_temps(real)
    _replace(real, data)
    return str(path)


def _write_through(path: Path, data: bytes) -> None:
    """Write into a device, FIFO or socket as it is (opening never truncates or replaces it)."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    finally:
        os.close(fd)


def _temp_prefix(path: Path) -> str:
    return f".{path.name}{_TEMP_MARK}"


def _replace(path: Path, data: bytes) -> None:
    folder = path.parent
    fd, temp_name = tempfile.mkstemp(prefix=f"{_temp_prefix(path)}{os.getpid()}-", dir=folder)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            try:
                keep = stat.S_IMODE(os.stat(path).st_mode)
            except FileNotFoundError:
                keep = 0o666 & ~_umask()  # a new file gets the usual permissions
            with contextlib.suppress(OSError):
                os.chmod(temp, keep)
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_folder(folder)


def remove_stale_temps(path: Path) -> list[Path]:
    """Remove temp files for ``path`` left by writers that are gone; returns them."""
    prefix = _temp_prefix(path)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        writer = entry.name[len(prefix) :].split("-", 1)[0]
        if not _abandoned(writer, entry):
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


def _abandoned(writer: str, entry: os.DirEntry) -> bool:
    if writer.isdigit() and os.name == "posix":
        pid = int(writer)
        if pid == os.getpid():
            return False
        try:
            os.kill(pid, 0)  # signal 0: only asks whether the process exists
        except ProcessLookupError:
            return True
        except OSError:
            return False  # exists, owned by someone else
        return False
    # No process table to ask (or a name we did not write): go by age.
    try:
        return time.time() - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER
    except OSError:
        return False


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    # Makes the rename durable; not every platform can open a folder.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
