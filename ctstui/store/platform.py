"""Every call that only some operating systems have, with a fallback for the rest.

POSIX gives us ``fchmod``/``fchown`` (a saved plan keeps its mode, owner and
group), hard links (the ``.bak`` without a copy), an fsync of the folder (the
rename itself is durable) and ``kill(pid, 0)`` (is the planner that marked the
plan "in use" still running?).  Windows has none of these: there we copy for
the ``.bak``, skip what cannot be done, and treat a process as alive unless we
can tell otherwise.  Tests switch capabilities off to exercise the fallbacks.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import stat
import sys

# What this platform can do (tests monkeypatch these to False).
HAS_FCHMOD = hasattr(os, "fchmod")
HAS_FCHOWN = hasattr(os, "fchown")
HAS_LINK = hasattr(os, "link")
HAS_DIR_FSYNC = os.name == "posix"
HAS_KILL_PROBE = os.name == "posix"  # os.kill(pid, 0) on Windows would end the process
HAS_PROC = sys.platform.startswith("linux")


def host_name() -> str:
    try:
        return socket.gethostname()
    except OSError:
        return ""


def copy_file_attributes(fd: int, like: os.stat_result | None) -> None:
    """Give the open file ``fd`` the mode, owner and group of ``like`` (where allowed).

    A plan made private with chmod 600 must not become world-readable on the
    next save, and a plan on a group-shared folder must stay the group's.
    Changing the owner needs privileges; changing the group needs membership:
    what the user may not set is left as the system made it.
    """
    if like is None:
        return
    if HAS_FCHOWN:
        with contextlib.suppress(OSError):
            os.fchown(fd, like.st_uid, like.st_gid)
        with contextlib.suppress(OSError):  # not the owner's uid: perhaps still the group
            os.fchown(fd, -1, like.st_gid)
    if HAS_FCHMOD:
        # After chown: chown clears set-id bits, so the mode goes last.
        with contextlib.suppress(OSError):
            os.fchmod(fd, stat.S_IMODE(like.st_mode))


def link_or_copy(source: os.PathLike | str, target: os.PathLike | str) -> None:
    """``target`` becomes the same content as ``source``: a hard link, else a copy."""
    if HAS_LINK:
        try:
            os.link(source, target)
            return
        except OSError:
            pass  # a filesystem without links (FAT, some network shares): copy
    shutil.copy2(source, target)


def fsync_folder(folder: os.PathLike | str) -> None:
    """Make a rename in ``folder`` durable (POSIX); elsewhere the rename is all we can do."""
    if not HAS_DIR_FSYNC:
        return
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


def pid_alive(pid: int) -> bool:
    """Is process ``pid`` running on this computer?  A zombie (exited, not yet
    reaped by its parent) is not.  When we cannot tell: yes."""
    if pid <= 0:
        return False
    if HAS_PROC:
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                text = fh.read()
        except FileNotFoundError:
            return False
        except OSError:
            text = b""
        if text:
            # "pid (comm) S ...": the state follows the last ')' (comm may hold one).
            state = text[text.rfind(b")") + 2 : text.rfind(b")") + 3]
            return state not in (b"Z", b"X")
    if not HAS_KILL_PROBE:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: alive, someone else's
        return True
    return True


def writable_by_me(st: os.stat_result, path: os.PathLike | str) -> bool:
    """May this user replace the file ``path`` with a new version?

    A plan with no write permission (chmod 444) is one its owner meant not to
    change: root could replace it anyway, but must not either.
    """
    if not stat.S_IMODE(st.st_mode) & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return False
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return True
    return os.access(path, os.W_OK)
