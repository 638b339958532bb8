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

The atomic replace and the clean-up are the plan's own (:mod:`ctstui.store.files`):
one definition of temp names, permissions kept and platform fallbacks.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO

from ctstui.store.files import atomic_write_bytes, clean_stray_temps

STDOUT = "-"


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
    clean_stray_temps(real)
    atomic_write_bytes(real, data)
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
