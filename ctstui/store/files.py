"""Files beside the plan: atomic writes, the ``.bak``, temp names, the "in use" marker.

Plain Python; every call some platforms lack goes through :mod:`.platform`.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from ctstui.domain.text import printable
from ctstui.store import platform

# A temp file nobody has touched for this long belongs to a writer that died:
# a save takes seconds, even of a large plan on a slow network drive.
ABANDONED_AFTER = 3600.0


def _host_tag() -> str:
    """This computer's name as it may appear in a file name."""
    return re.sub(r"[^A-Za-z0-9.]", "_", platform.host_name())[:40] or "host"


def temp_name(target: Path, kind: str = "tmp") -> Path:
    """``.plan.json.tmp-<pid>-<random>@<host>``: unique across processes and computers
    sharing one folder, and saying whose it is, so only its owner's host cleans it."""
    return target.with_name(
        f".{target.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}@{_host_tag()}"
    )


_BLOCK = 1024 * 1024


def atomic_write_bytes(
    path: Path,
    data: bytes | Sequence[bytes],
    *,
    backup: bool = False,
    like: os.stat_result | None = None,
    hasher: Any = None,
) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old or the new file.

    Temp file in the same folder, flush, fsync, (link the old file to ``.bak``),
    ``os.replace``, fsync the folder.  The new file keeps the mode, owner and
    group of the one it replaces (``like``: that file's stat, if known).
    ``data`` may be a sequence of pieces, written in blocks of about a megabyte
    (a large plan is never joined into one string in memory); ``hasher`` is fed
    the bytes written.
    """
    path = Path(path)
    folder = path.parent
    if like is None:
        with contextlib.suppress(OSError):
            like = os.stat(path)
    tmp = temp_name(path)
    try:
        with open(tmp, "xb") as fh:
            for block in _blocks([data] if isinstance(data, bytes) else data):
                if hasher is not None:
                    hasher.update(block)
                fh.write(block)
            fh.flush()
            platform.copy_file_attributes(fh.fileno(), like)
            os.fsync(fh.fileno())
        if backup and path.exists():
            make_backup(path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    platform.fsync_folder(folder)


def _blocks(pieces: Sequence[bytes]) -> Iterator[bytes]:
    group: list[bytes] = []
    size = 0
    for piece in pieces:
        group.append(piece)
        size += len(piece)
        if size >= _BLOCK:
            yield b"".join(group)
            group, size = [], 0
    if group:
        yield b"".join(group)


def bak_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def make_backup(path: Path) -> None:
    """Point ``path.bak`` at the current file (a hard link where possible: atomic swap)."""
    bak = bak_path(path)
    bak_tmp = temp_name(path, "bak-tmp")
    try:
        platform.link_or_copy(path, bak_tmp)
        os.replace(bak_tmp, bak)
        # If .bak was already a link to this very file (a writer killed between
        # the two renames), rename() of two links to one file does nothing and
        # leaves bak_tmp behind: remove that extra link.
        with contextlib.suppress(FileNotFoundError):
            bak_tmp.unlink()
    except BaseException:
        with contextlib.suppress(OSError):
            bak_tmp.unlink()
        raise


def keep_aside(bak: Path, stamp: datetime) -> Path:
    """Rename ``bak`` to a dated name that no later save replaces; returns the new name."""
    kept = bak.with_name(f"{bak.name}-{stamp.strftime('%Y%m%d-%H%M%S')}")
    n = 1
    while kept.exists():
        n += 1
        kept = bak.with_name(f"{bak.name}-{stamp.strftime('%Y%m%d-%H%M%S')}-{n}")
    os.replace(bak, kept)
    return kept


_TEMP_OWNER = re.compile(r"^(?P<pid>\d+)(?:-[0-9a-f]+@(?P<host>.*)|-\d+)?$")


def clean_stray_temps(path: Path, *, now: float | None = None) -> list[str]:
    """Remove temp files of ``path`` left by writers that died (the caller holds the lock).

    Ours to remove: a temp of this computer whose process is gone, or any temp
    untouched for :data:`ABANDONED_AFTER`.  A temp of another computer sharing
    the folder may be a save in progress there: it is left alone until then.
    Returns the names removed.
    """
    now = time.time() if now is None else now
    host = _host_tag()
    removed = []
    prefixes = (f".{path.name}.tmp-", f".{path.name}.bak-tmp-")
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            if not entry.name.startswith(prefixes):
                continue
            rest = entry.name[len(next(p for p in prefixes if entry.name.startswith(p))) :]
            owner = _TEMP_OWNER.match(rest)
            try:
                age = now - entry.stat(follow_symlinks=False).st_mtime
            except OSError:
                continue
            local = owner is not None and owner["host"] in (None, host)
            dead = local and owner is not None and not _alive_or_me(int(owner["pid"]))
            if dead or age > ABANDONED_AFTER:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(entry.name)
    return removed


def _alive_or_me(pid: int) -> bool:
    # Our own process holds the lock now, so a temp of ours is a leftover of a
    # failed write, never one in progress.
    return pid != os.getpid() and platform.pid_alive(pid)


# -- the "in use" marker -----------------------------------------------------------

# The planner rewrites its marker this often; a marker not refreshed for
# STALE_AFTER belongs to a planner that is gone (crashed, or its computer slept
# or lost the network drive).
HEARTBEAT_EVERY = 60.0
STALE_AFTER = 10 * 60.0


@dataclass(frozen=True)
class Session:
    """Who has a plan open in the planner: the advisory ``.plan.json.session`` marker."""

    pid: int
    host: str
    user: str
    started: str  # ISO 8601, UTC
    token: str = ""
    heartbeat: str = ""  # ISO 8601, UTC: last refreshed ("" from an older ctstui)

    def describe(self) -> str:
        """ "alice on hq-pc-12 (process 4242, since 05 Nov 2013 09:00)"."""
        return printable(
            f"{self.user or 'someone'} on {self.host or 'another computer'} "
            f"(process {self.pid}, since {_local_time(self.started)})"
        )

    def last_seen(self) -> datetime | None:
        return _parse_utc(self.heartbeat or self.started)

    def stale_reason(self, *, now: datetime, here: str) -> str:
        """Why this marker no longer means the plan is open ("" if it may well be)."""
        if self.host == here and not platform.pid_alive(self.pid):
            return f"process {self.pid} on this computer is no longer running"
        seen = self.last_seen()
        if seen is None or (now - seen).total_seconds() > STALE_AFTER:
            return f"it has not been refreshed since {_local_time(self.heartbeat or self.started)}"
        return ""


def _parse_utc(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _local_time(text: str) -> str:
    moment = _parse_utc(text)
    if moment is None:
        return text
    try:
        return moment.astimezone().strftime("%d %b %Y %H:%M")
    except (OverflowError, OSError, ValueError):
        return text


def session_path(plan_path: Path) -> Path:
    return plan_path.with_name(f".{plan_path.name}.session")


def read_session(path: Path) -> Session | None:
    """The marker at ``path``; None if there is none or it is not one of ours."""
    try:
        with open(path, "rb") as fh:
            data = orjson.loads(fh.read(65536))
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    pid = data.get("pid")
    texts = [data.get(k, "") for k in ("host", "user", "started", "token", "heartbeat")]
    if (
        isinstance(pid, bool)
        or not isinstance(pid, int)
        or not all(isinstance(t, str) for t in texts)
    ):
        return None
    return Session(pid, *texts)
