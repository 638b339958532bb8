"""Writing a report where the user asked: a file, standard output, a device or pipe.

An ordinary file is replaced atomically (a crash leaves the old or the new
report, never half of one).  A device or FIFO is written through, and a
symbolic link keeps pointing where it did: its target is written (atomically
when that is an ordinary file), never the link replaced.  ``-`` is standard
output.  (export-ics has its own helper for the same rules; the two are meant
to be merged.)
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from ctstui.store.activity_store import atomic_write_bytes

STDOUT = "-"


class OutputError(ValueError):
    """The report cannot be written there (message in the user's words)."""


def write_output(target: str, data: bytes, stdout: BinaryIO | None = None) -> str:
    """Write ``data`` to ``target``; return where it went, for a message."""
    if target == STDOUT:
        if stdout is None:
            raise OutputError("cannot write this format to standard output here")
        stdout.write(data)
        stdout.flush()
        return "standard output"
    path = Path(target).expanduser()
    real = path.resolve() if path.is_symlink() else path
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError(f"{target}: is a folder; give a file name")
    if mode is not None and not stat.S_ISREG(mode):
        # A device or FIFO: write through, never replace it with a file.
        with open(real, "wb") as fh:
            fh.write(data)
        return str(path)
    if not real.parent.is_dir():
        raise OutputError(f"{target}: the folder {real.parent} does not exist")
    atomic_write_bytes(real, data)
    return str(path)


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` are the same existing file (links followed)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
