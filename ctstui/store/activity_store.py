"""The plan file: a TinyDB database behind an atomic, crash-safe storage.

Plain Python (no Textual).  Widgets and commands use :class:`ActivityStore`;
nothing else touches TinyDB.

Why a storage of our own: TinyDB's JSONStorage rewrites the file in place, so a
crash mid-write leaves a torn file.  :class:`AtomicJSONStorage` writes a temp
file beside the plan, fsyncs it, keeps the previous version as ``.bak`` and
``os.replace``s, so at any instant the path holds the old or the new file.

Two processes: every write happens under a file lock, and before writing we
check the file is still the one we read; if another process changed it we
raise :class:`FileChangedError` rather than overwrite its work, and
:meth:`ActivityStore.reload_and_reapply` re-reads the file and re-applies our
unsaved changes where they do not collide with theirs.  The planner also
leaves an advisory "in use" marker (``.plan.json.session``) so that a second
ctstui opening the plan can say who else has it open.

What we refuse to read: a folder, a device or pipe, anything over
:data:`MAX_PLAN_BYTES`, invalid JSON, JSON of another shape, a newer schema,
records with fields of the wrong type.  Fields we do not know (a newer ctstui
of the same schema may add some) are kept through every save.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import getpass
import hashlib
import json
import os
import re
import socket
import stat
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from ctstui.domain.model import (
    Activity,
    FunderContract,
    HistoryEntry,
    Rag,
    RagReview,
    RecordError,
    Status,
    iso_utc,
)
from ctstui.domain.text import clip, printable

SCHEMA_VERSION = 1
APP_NAME = "ctstui"
ACTIVITIES = "activities"
CONTRACTS = "contracts"
# Deleted activities, kept so a calendar feed can send their cancellation
# (computed from the plan alone, by any process): see :class:`Tombstone`.
TOMBSTONES = "tombstones"
META = "_meta"
LOCK_TIMEOUT = 5.0  # seconds a writer waits for another's write to finish
# A plan of 10,000 activities with long histories is ~20 MB; a file more than
# ten times that is not a plan someone typed, and reading it would stall the app.
MAX_PLAN_BYTES = 256 * 1024 * 1024


class StoreError(Exception):
    """A plan file that cannot be read or written.  The message names the file."""


class FileChangedError(StoreError):
    """Another process changed the file since we read it; we did not overwrite it."""


class SaveError(StoreError):
    """Saving failed (disk full, read-only...).  The change is kept in memory."""


class ReapplyConflict(StoreError):
    """Another program changed records we changed too; nothing was reloaded."""


def default_db_path() -> Path:
    """``$CTSTUI_DB``, else ``plan.json`` in the user's data folder (XDG on Linux)."""
    env = os.environ.get("CTSTUI_DB")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "ctstui" / "plan.json"


def _fingerprint(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not all platforms can open a folder.
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


def atomic_write_bytes(path: Path, data: bytes, *, backup: bool = False) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old or the new file.

    Temp file in the same folder, flush, fsync, (hard-link the old file to
    ``.bak``), ``os.replace``, fsync the folder.
    """
    path = Path(path)
    folder = path.parent
    tmp = folder / f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            with contextlib.suppress(OSError):
                # The new file keeps the old one's permissions: a plan made private
                # with chmod 600 must not become world-readable on the next save.
                os.fchmod(fh.fileno(), stat.S_IMODE(os.stat(path).st_mode))
            os.fsync(fh.fileno())
        if backup and path.exists():
            _backup(path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(folder)


def _backup(path: Path) -> None:
    """Point ``path.bak`` at the current file (a hard link: no copy, atomic swap)."""
    bak = path.with_name(path.name + ".bak")
    bak_tmp = path.with_name(f".{path.name}.bak-tmp-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        bak_tmp.unlink()
    try:
        try:
            os.link(path, bak_tmp)
        except OSError:
            import shutil

            shutil.copy2(path, bak_tmp)
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


@dataclass
class Loaded:
    """One read of the plan file: its tables (None: no plan yet) and what identifies it."""

    data: dict | None
    fingerprint: tuple[int, int] | None
    digest: str | None
    raw: bytes | None


class AtomicJSONStorage(Storage):
    """TinyDB storage: cached reads, atomic writes, refusal of foreign files.

    ``read`` parses the file once and then serves the cached tables (TinyDB
    reads before every operation; re-parsing a 10k-activity file each time
    would be slow).  ``write`` serialises and replaces the file atomically,
    unless the storage is *deferred*, in which case the data waits for
    :meth:`flush` (one write per transaction, or a save off the UI thread).
    """

    def __init__(self, path: str | os.PathLike, **_: object) -> None:
        path = Path(path)
        if path.is_symlink():
            # Write through a link (a plan kept in a synced folder, say): replacing
            # the link itself would leave the real file behind, never updated.
            path = Path(os.path.realpath(path))
        self.path = path
        self._data: dict | None = None
        self._loaded = False
        self.deferred = False
        self.dirty = False
        self.fingerprint: tuple[int, int] | None = None
        self._written_digest: str | None = None
        # The bytes last read from or written to the file: what "our" changes
        # are measured against when another program's change must be merged.
        self.base_payload: bytes | None = None
        self.lock = FileLock(str(self.path.with_name(self.path.name + ".lock")), timeout=0)
        self.mutex = threading.RLock()  # guards the cached tables
        self.write_mutex = threading.Lock()  # one disk write (or re-read) at a time here
        self.generation = 0  # bumped on every change, so a save knows if it is still current
        self.epoch = 0  # bumped on every (re)load: a save prepared before it is stale
        self.write_hook: Callable[[Path, bytes], None] | None = None  # tests: simulate disk faults

    # -- reading -----------------------------------------------------------
    def read(self) -> dict | None:
        if not self._loaded:
            self.adopt(self.read_file())
        return self._data

    def adopt(self, loaded: Loaded) -> None:
        """Make ``loaded`` the cached tables and the version later writes must find."""
        self._data = loaded.data
        self._loaded = True
        self.fingerprint = loaded.fingerprint
        self._written_digest = loaded.digest
        self.base_payload = loaded.raw
        self.epoch += 1

    def read_file(self) -> Loaded:
        """Read, parse and check the file, changing nothing here.  Raises StoreError."""
        path = self.path
        if path.is_dir():
            raise StoreError(f"{path}: is a folder, not a plan file")
        if not path.parent.is_dir():
            raise StoreError(f"{path}: the folder {path.parent} does not exist")
        try:
            # O_NONBLOCK: opening a named pipe must not hang until someone writes to it.
            fd = os.open(
                path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
            )
        except FileNotFoundError:
            return Loaded(None, None, None, None)
        except OSError as exc:
            raise StoreError(f"{path}: cannot be read: {exc.strerror or exc}")
        with open(fd, "rb") as fh:
            # fstat the file we read, not the path: a writer replacing the file
            # between our read and a stat would otherwise lend us its fingerprint
            # and its change would later be silently written over.
            st = os.fstat(fh.fileno())
            if stat.S_ISDIR(st.st_mode):
                raise StoreError(f"{path}: is a folder, not a plan file")
            if not stat.S_ISREG(st.st_mode):
                raise StoreError(
                    f"{path}: is not a regular file (a device, pipe or socket); it was not "
                    "read or changed"
                )
            if st.st_size > MAX_PLAN_BYTES:
                raise StoreError(
                    f"{path}: is {_megabytes(st.st_size)}, more than the "
                    f"{_megabytes(MAX_PLAN_BYTES)} a ctstui plan may be; it is probably not a "
                    "plan file. It was not read or changed"
                )
            try:
                raw = fh.read(MAX_PLAN_BYTES + 1)
            except OSError as exc:
                raise StoreError(f"{path}: cannot be read: {exc.strerror or exc}")
        if len(raw) > MAX_PLAN_BYTES:  # grew while we read it
            raise StoreError(
                f"{path}: is more than the {_megabytes(MAX_PLAN_BYTES)} a ctstui plan may be; "
                "it was not read or changed"
            )
        fingerprint = (st.st_mtime_ns, st.st_size)
        digest = hashlib.sha256(raw).hexdigest()
        if not raw.strip():
            return Loaded(None, fingerprint, digest, raw)
        try:
            data = orjson.loads(raw)  # bytes: orjson checks the UTF-8 itself, fast
        except (json.JSONDecodeError, orjson.JSONDecodeError) as exc:
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as bad:
                raise StoreError(
                    f"{path}: is not UTF-8 text (byte {bad.start}); it was not changed"
                )
            raise StoreError(
                f"{path}: is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                "it may be truncated. It was not changed; a previous version may be in "
                f"{path.name}.bak"
            )
        check_plan_shape(path, data)
        return Loaded(data, fingerprint, digest, raw)

    # -- writing -----------------------------------------------------------
    def write(self, data: dict) -> None:
        with self.mutex:
            self._data = data
            self._loaded = True
            self.dirty = True
            self.generation += 1
            if not self.deferred:
                self.flush()

    def serialise(self) -> bytes:
        with self.mutex:
            # ensure_ascii=False and explicit utf-8: never the locale's encoding.
            # orjson writes UTF-8 with non-ASCII kept (what json.dumps(ensure_ascii=False)
            # gives, byte for byte) about 15x faster: the 10k-activity save target.
            try:
                return orjson.dumps(self._data)
            except (TypeError, orjson.JSONEncodeError):
                # Only what we can read back: a lone surrogate (text from a broken
                # decoder) becomes U+FFFD; an integer orjson would read back as a
                # float (beyond 64 bits) is refused, naming the record.
                cleaned = _storable(self.path, self._data)
                try:
                    return orjson.dumps(cleaned)
                except (TypeError, orjson.JSONEncodeError) as exc:
                    raise SaveError(
                        f"{self.path}: could not save ({exc}); your change is kept in memory "
                        "and the file on disk is unchanged"
                    )

    def flush(self) -> None:
        """Write the cached tables if they changed.  Raises SaveError/FileChangedError.

        Serialising happens under the mutex (a consistent snapshot); the disk
        write does not, so the UI thread can keep changing the plan meanwhile.
        """
        with self.mutex:
            if not self.dirty or self._data is None:
                return
            payload = self.serialise()
            generation = self.generation
            epoch = self.epoch
        with self.write_mutex:
            if epoch != self.epoch:
                # The plan was re-read since this payload was made: it would
                # write the old plan over the one just read.  The re-read left
                # ``dirty`` set if there is still something to save.
                return
            try:
                with self.locked():
                    self.check_unchanged()
                    self.clean_stray_temps()
                    if self.write_hook is not None:
                        self.write_hook(self.path, payload)
                    atomic_write_bytes(self.path, payload, backup=True)
                    # Still under the lock: no other writer can have replaced it yet.
                    fingerprint = _fingerprint(self.path)
            except (StoreError, Timeout):
                raise
            except OSError as exc:
                raise SaveError(
                    f"{self.path}: could not save ({exc.strerror or exc}); your change is kept "
                    "in memory and the file on disk is unchanged"
                ) from exc
            with self.mutex:
                self.fingerprint = fingerprint
                self._written_digest = hashlib.sha256(payload).hexdigest()
                self.base_payload = payload
                if generation == self.generation:
                    self.dirty = False

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        try:
            self.lock.acquire(timeout=LOCK_TIMEOUT)
        except Timeout:
            raise StoreError(
                f"{self.path}: another ctstui is writing this plan and did not finish within "
                f"{LOCK_TIMEOUT:.0f} s; try again"
            )
        except OSError as exc:
            raise SaveError(
                f"{self.path}: cannot create the lock file ({exc.strerror or exc}); your change "
                "is kept in memory and the file on disk is unchanged"
            ) from exc
        try:
            yield
        finally:
            self.lock.release()

    def check_unchanged(self) -> None:
        """Raise FileChangedError if someone else wrote the file since we read it."""
        now = _fingerprint(self.path)
        if now == self.fingerprint:
            return
        if now is not None and self._written_digest is not None:
            # Same content under a new mtime (e.g. touched, or copied back) is fine.
            with contextlib.suppress(OSError):
                if hashlib.sha256(self.path.read_bytes()).hexdigest() == self._written_digest:
                    self.fingerprint = now
                    return
        what = "deleted" if now is None else "changed"
        raise FileChangedError(
            f"{self.path}: was {what} by another program since ctstui read it, so your "
            "change was not written over it"
        )

    def clean_stray_temps(self) -> None:
        """Remove temp files left by a writer that died (we hold the lock)."""
        prefixes = (f".{self.path.name}.tmp-", f".{self.path.name}.bak-tmp-")
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.path.parent):
                if entry.name.startswith(prefixes):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    def close(self) -> None:
        pass


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


_SURROGATE = re.compile("[\ud800-\udfff]")
_INT_RANGE = (-(2**63), 2**64 - 1)  # what orjson writes and reads back as an integer


def _storable(path: Path, value: object, record: dict | None = None, key: str = "") -> object:
    """``value`` as JSON this store can read back exactly (see :meth:`serialise`)."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        if not _INT_RANGE[0] <= value <= _INT_RANGE[1]:
            what = f" of “{printable(clip(str(record.get('title')), 60))}”" if record else ""
            raise SaveError(
                f"{path}: could not save: the number in {key!r}{what} is too large to "
                f"store ({printable(clip(str(value), 30))}); change it and the plan will save. "
                "Your change is kept in memory and the file on disk is unchanged"
            )
        return value
    if isinstance(value, dict):
        here = value if "title" in value else record
        return {
            _SURROGATE.sub("\ufffd", str(k)): _storable(path, v, here, str(k))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_storable(path, v, record, key) for v in value]
    return value


def check_plan_shape(path: Path, data: object) -> None:
    """Refuse JSON that is not a ctstui plan (foreign, or from a newer ctstui)."""
    if not isinstance(data, dict):
        raise StoreError(
            f"{path}: is JSON but not a ctstui plan (expected an object of tables, found "
            f"{type(data).__name__}); it was not changed"
        )
    if not data:
        return
    meta = data.get(META)
    if not isinstance(meta, dict) or not meta:
        raise StoreError(
            f"{path}: is JSON but not a ctstui plan (no {META!r} table with a schema version); "
            "it was not changed"
        )
    for name, table in data.items():
        if not isinstance(table, dict) or not all(isinstance(d, dict) for d in table.values()):
            raise StoreError(
                f"{path}: table {name!r} is not a table of records; it was not changed"
            )
        bad_ids = [key for key in table if not (key.isascii() and key.isdigit())]
        if bad_ids:
            raise StoreError(
                f"{path}: table {name!r} has a record id {bad_ids[0]!r} that is not a number; "
                "it was not changed"
            )
    record = next(iter(meta.values()))
    version = record.get("schema")
    if record.get("app") != APP_NAME or isinstance(version, bool) or not isinstance(version, int):
        raise StoreError(f"{path}: is JSON but not a ctstui plan; it was not changed")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: was written by a newer ctstui (schema {version}; this one reads up to "
            f"{SCHEMA_VERSION}); upgrade ctstui. The file was not changed"
        )


@dataclass(frozen=True)
class Tombstone:
    """A deleted activity as it last was, and when it was deleted (UTC).

    Kept in the plan while it may matter to a subscriber; put back (removed)
    when the activity comes back, e.g. by undo.
    """

    activity: Activity
    deleted: datetime

    @property
    def id(self) -> str:
        return self.activity.id

    def to_dict(self) -> dict:
        return {
            "id": self.activity.id,
            "deleted": iso_utc(self.deleted),
            "activity": self.activity.to_dict(),
        }

    @classmethod
    def from_dict(cls, raw: dict, *, where: str = "tombstone") -> Tombstone:
        if not isinstance(raw.get("activity"), dict) or not isinstance(raw.get("deleted"), str):
            raise RecordError(f"{where}: expected a deleted activity and when it was deleted")
        try:
            deleted = datetime.fromisoformat(raw["deleted"].replace("Z", "+00:00"))
        except ValueError:
            raise RecordError(f"{where}: 'deleted' is not a date and time: {raw['deleted']!r}")
        if deleted.tzinfo is None:
            deleted = deleted.replace(tzinfo=UTC)
        return cls(Activity.from_dict(raw["activity"], where=where), deleted)


# -- undo ---------------------------------------------------------------------


@dataclass
class Change:
    """One activity before and after a step (None: did not exist)."""

    activity_id: str
    before: dict | None
    after: dict | None


@dataclass
class UndoStep:
    label: str
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class StoreEvent:
    """What changed: ``kind`` is "change", "undo", "redo", "reload" or "saved"."""

    kind: str
    label: str = ""
    ids: tuple[str, ...] = ()


# -- the "in use" marker -----------------------------------------------------------


@dataclass(frozen=True)
class Session:
    """Who has a plan open in the planner: the advisory ``.plan.json.session`` marker."""

    pid: int
    host: str
    user: str
    started: str  # ISO 8601, UTC
    token: str = ""

    def describe(self) -> str:
        """ "alice on hq-pc-12 (process 4242, since 05 Nov 2013 09:00)"."""
        try:
            moment = datetime.fromisoformat(self.started.replace("Z", "+00:00"))
            since = moment.astimezone().strftime("%d %b %Y %H:%M")
        except (ValueError, OverflowError, OSError):
            since = self.started
        return printable(
            f"{self.user or 'someone'} on {self.host or 'another computer'} "
            f"(process {self.pid}, since {since})"
        )


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
    texts = [data.get(k, "") for k in ("host", "user", "started", "token")]
    if (
        isinstance(pid, bool)
        or not isinstance(pid, int)
        or not all(isinstance(t, str) for t in texts)
    ):
        return None
    return Session(pid, *texts)


def _host() -> str:
    try:
        return socket.gethostname()
    except OSError:
        return ""


def _pid_alive(pid: int) -> bool:
    """Is process ``pid`` running on this computer?  (When unsure: yes.)"""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would terminate it there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: alive, someone else's
        return True
    return True


# -- the store -----------------------------------------------------------------------

# Activity fields ctstui knows; others (from a newer ctstui) are kept as they are.
ACTIVITY_KEYS = frozenset(Activity(title="").to_dict())


class ActivityStore:
    """The plan: activities, contracts and plan facts, persisted atomically.

    Returned activities are shared, read-only views: edit a ``copy()`` and
    hand it to :meth:`update`.  With ``autosave=False`` (the TUI) changes stay
    in memory until :meth:`save`, which the app calls from a worker thread.
    With ``session=True`` (the TUI) the store marks the plan as in use until
    :meth:`close`; :meth:`other_session` tells who else has it open.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        who: str | None = None,
        clock: Callable[[], datetime] | None = None,
        autosave: bool = True,
        session: bool = False,
    ) -> None:
        self.path = Path(path)
        self.who = who or os.environ.get("CTSTUI_USER") or _login_name()
        self.clock = clock or (lambda: datetime.now(UTC))
        self._db = TinyDB(self.path, storage=AtomicJSONStorage)
        self.storage: AtomicJSONStorage = self._db.storage  # type: ignore[assignment]
        self.storage.deferred = not autosave
        self.autosave = autosave
        self._listeners: list[Callable[[StoreEvent], None]] = []
        self._undo: list[UndoStep] = []
        self._redo: list[UndoStep] = []
        self._step: UndoStep | None = None
        self._depth = 0
        self._session_token: str | None = None
        self._holds_session = False
        self._load()
        if session:
            self.hold_session()

    def __enter__(self) -> ActivityStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- loading -------------------------------------------------------------
    def _load(self) -> None:
        """(Re)read the file.  All or nothing: a file that is refused leaves the
        store as it was, so a failed reload cannot leave a half-loaded plan that
        a later save would write over the file."""
        storage = self.storage
        # The write mutex: a save in flight finishes (or fails) before we read,
        # and one prepared before this read will not be written (see ``epoch``).
        with storage.write_mutex, storage.mutex, _gc_paused():
            loaded = storage.read_file()
            data = loaded.data or {}
            parsed = self._parse_tables(data)
            storage.adopt(loaded)
            storage.generation += 1
            self._adopt_tables(data, parsed)
            storage.dirty = False

    def _adopt_tables(self, data: dict, parsed: tuple) -> None:
        storage = self.storage
        # Fresh Table objects: a cached one keeps its query cache and its next
        # document id, which after a reload may already belong to a record
        # another program added (TinyDB would then refuse every insert).
        self._db._tables.clear()
        items, doc_ids, contracts, extras, tombstones = parsed
        self._items: dict[str, Activity] = items
        self._doc_ids: dict[str, int] = doc_ids
        self._contracts: dict[str, FunderContract] = contracts
        self._extras: dict[str, dict] = extras
        self._tombstones: dict[str, tuple[int, Tombstone]] = tombstones
        self._sorted: list[Activity] | None = None
        if not data.get(META):
            # A new plan: the schema record goes out with the first real write.
            dirty = storage.dirty
            was = storage.deferred
            storage.deferred = True
            self._table(META).insert({"app": APP_NAME, "schema": SCHEMA_VERSION})
            storage.deferred = was
            storage.dirty = dirty

    def _parse_tables(self, data: dict) -> tuple:
        """(activities, their doc ids, contracts, unknown activity fields, tombstones)."""
        items: dict[str, Activity] = {}
        doc_ids: dict[str, int] = {}
        extras: dict[str, dict] = {}
        for doc_id, raw in data.get(ACTIVITIES, {}).items():
            activity = self._record(Activity.from_dict, raw, f"activity #{doc_id}")
            if activity.id in items:
                raise StoreError(
                    f"{self.path}: activity id {activity.id} appears twice; "
                    "the file was not changed"
                )
            items[activity.id] = activity
            doc_ids[activity.id] = int(doc_id)
            if len(raw) > len(ACTIVITY_KEYS) or not raw.keys() <= ACTIVITY_KEYS:
                unknown = {k: v for k, v in raw.items() if k not in ACTIVITY_KEYS}
                if unknown:
                    extras[activity.id] = unknown
        contracts: dict[str, FunderContract] = {}
        for doc_id, raw in data.get(CONTRACTS, {}).items():
            contract = self._record(FunderContract.from_dict, raw, f"contract #{doc_id}")
            contracts[contract.id] = contract
        tombstones: dict[str, tuple[int, Tombstone]] = {}
        for doc_id, raw in data.get(TOMBSTONES, {}).items():
            tombstone = self._record(Tombstone.from_dict, raw, f"deleted activity #{doc_id}")
            tombstones[tombstone.id] = (int(doc_id), tombstone)
        return items, doc_ids, contracts, extras, tombstones

    def _record(self, from_dict: Callable, raw: dict, where: str):
        try:
            return from_dict(raw, where=where)
        except RecordError as exc:
            raise StoreError(f"{self.path}: {exc}; the file was not changed")
        except (TypeError, AttributeError, KeyError, ValueError) as exc:
            # A nested value of the wrong shape (e.g. a review that is not an object).
            raise StoreError(
                f"{self.path}: {where} is damaged ({type(exc).__name__}: {exc}); "
                "the file was not changed"
            )

    def reload(self) -> None:
        """Re-read the file, dropping unsaved changes and the undo history.

        A plan file that has gone (deleted or moved by another program) is not
        "reloaded" as an empty plan: the store keeps what it has and says so.
        """
        if self.storage.fingerprint is not None and not self.path.exists():
            bak = self.path.with_name(self.path.name + ".bak")
            raise StoreError(
                f"{self.path}: no longer exists (deleted or moved by another program); the plan "
                "is still open here and was not reloaded. Put the file back"
                + (f" (a previous version is in {bak.name})" if bak.exists() else "")
                + " and press ctrl+r"
            )
        self._load()
        self._undo.clear()
        self._redo.clear()
        self.storage.dirty = False
        self._notify(StoreEvent("reload"))

    def reload_and_reapply(self) -> int:
        """Re-read the file and put our unsaved changes back on top of it.

        "Ours" is what differs between this store and the version of the file
        it last read or wrote: activities and contracts by id, plan facts by
        key.  Each goes onto the file as it is now if the other program left
        that record alone (or made the very same change).  If it changed a
        record we changed too, nothing is reloaded and :class:`ReapplyConflict`
        names the records: the caller can still :meth:`reload` and drop ours.
        Undo steps that touch only records the other program left alone stay.

        Returns how many of our changes were re-applied (0: a plain reload);
        the store is then dirty until saved.
        """
        storage = self.storage
        with storage.write_mutex, storage.mutex:
            loaded = storage.read_file()
            if loaded.fingerprint is None and storage.base_payload is not None:
                raise ReapplyConflict(
                    f"{self.path}: was deleted or moved by another program; nothing was "
                    "reloaded and your plan is still open here"
                )
            payload = storage.base_payload
            base = orjson.loads(payload) if payload and payload.strip() else None
            base = base if isinstance(base, dict) else {}
            current = storage._data or {}
            disk = loaded.data if loaded.data is not None else {}
            merge = _Merge(base, current, disk)
            merge.records(ACTIVITIES, lambda doc: f"“{printable(clip(str(doc.get('title')), 60))}”")
            merge.records(
                CONTRACTS, lambda doc: f"the {printable(str(doc.get('funder')))} contract"
            )
            merge.records(
                TOMBSTONES,
                lambda doc: f"the deleted activity {printable(str(doc.get('id')))}",
                counted=False,
            )
            merge.meta()
            if merge.conflicts:
                shown = ", ".join(merge.conflicts[:3])
                more = len(merge.conflicts) - 3
                raise ReapplyConflict(
                    f"{self.path}: another program changed {shown}"
                    + (f" and {more} more" if more > 0 else "")
                    + ", which you changed too but had not saved; nothing was reloaded. "
                    "Reload to take their version and drop your unsaved changes"
                )
            parsed = self._parse_tables(disk)
            storage.adopt(Loaded(disk, loaded.fingerprint, loaded.digest, loaded.raw))
            storage.generation += 1
            self._adopt_tables(disk, parsed)
            storage.dirty = bool(merge.applied)
            untouched = merge.untouched(ACTIVITIES)
            self._undo = _clean_suffix(self._undo, untouched)
            self._redo = _clean_suffix(self._redo, untouched)
        self._notify(StoreEvent("reload", "reload and re-apply"))
        return merge.applied

    def changed_on_disk(self) -> bool:
        """True when another program has written the file since we read or saved it."""
        # A save of ours in flight has replaced the file but not yet recorded its
        # fingerprint: asking now would report our own write as someone else's.
        if not self.storage.write_mutex.acquire(blocking=False):
            return False
        try:
            self.storage.check_unchanged()
        except FileChangedError:
            return True
        finally:
            self.storage.write_mutex.release()
        return False

    # -- who else has the plan open ------------------------------------------------
    @property
    def session_path(self) -> Path:
        return session_path(self.storage.path)

    def hold_session(self) -> Session | None:
        """Mark the plan as open here (the planner does); returns who else has it, if anyone.

        Advisory only: writes are protected by the lock and the changed-file
        check whatever the marker says.  If another live session holds the
        marker it is left alone; a marker whose process is gone is replaced.
        """
        other = self.other_session()
        if self._session_token is None:
            self._session_token = uuid.uuid4().hex
        if other is None and not self._holds_session:
            me = Session(
                pid=os.getpid(),
                host=_host(),
                user=self.who,
                started=iso_utc(datetime.now(UTC)),
                token=self._session_token,
            )
            try:
                atomic_write_bytes(self.session_path, orjson.dumps(me.__dict__) + b"\n")
                self._holds_session = True
            except OSError:
                pass  # a read-only folder cannot hold the marker; nothing depends on it
        return other

    def other_session(self) -> Session | None:
        """Who else has this plan open in the planner (None: nobody, or only this store)."""
        found = read_session(self.session_path)
        if found is None or (self._session_token and found.token == self._session_token):
            return None
        if found.host == _host() and not _pid_alive(found.pid):
            return None  # that planner is gone (killed, or the computer restarted)
        return found

    def close(self) -> None:
        """Give up the "in use" marker (does not save: call :meth:`save` first)."""
        if not self._holds_session:
            return
        self._holds_session = False
        found = read_session(self.session_path)
        if found is not None and found.token == self._session_token:
            with contextlib.suppress(OSError):
                self.session_path.unlink()

    # -- queries ---------------------------------------------------------------
    def activities(self) -> list[Activity]:
        """All activities in date-window order (shared objects: do not mutate)."""
        if self._sorted is None:
            self._sorted = sorted(self._items.values(), key=lambda a: a.sort_key)
        return list(self._sorted)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, activity_id: object) -> bool:
        return activity_id in self._items

    def get(self, activity_id: str) -> Activity:
        try:
            return self._items[activity_id]
        except KeyError:
            raise KeyError(f"no activity with id {activity_id}")

    # -- changes -------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.now().date()

    @contextlib.contextmanager
    def transaction(self, label: str) -> Iterator[UndoStep]:
        """Group changes into one undo step and one write.

        If the body raises, the changes it made so far are rolled back and
        nothing is written: an import that fails half-way leaves no trace.
        """
        outer = self._depth == 0
        if outer:
            self._step = UndoStep(label)
            was_deferred = self.storage.deferred
            was_dirty = self.storage.dirty
            self.storage.deferred = True
        self._depth += 1
        failed = False
        try:
            yield self._step  # type: ignore[misc]
        except BaseException:
            failed = True
            raise
        finally:
            self._depth -= 1
            if outer:
                step, self._step = self._step, None
                if failed and step and step.changes:
                    self._apply(step, reverse=True)
                    self.storage.dirty = was_dirty
                self.storage.deferred = was_deferred
                if not failed and step and step.changes:
                    self._undo.append(step)
                    self._redo.clear()
                    self._notify(
                        StoreEvent("change", step.label, tuple(c.activity_id for c in step.changes))
                    )
                    if self.autosave:
                        self.save()

    def add(self, activity: Activity, *, action: str = "add") -> Activity:
        if activity.id in self._items:
            raise ValueError(f"an activity with id {activity.id} already exists")
        stamp = iso_utc(self.now())
        new = activity.copy(
            created=activity.created or stamp,
            updated=stamp,
            revision=1,
            history=[*activity.history, HistoryEntry(stamp, self.who, action, {})],
        )
        with self.transaction(action) as step:
            self._put(new)
            step.changes.append(Change(new.id, None, new.to_dict()))
        return new

    def update(self, activity: Activity, *, action: str = "edit") -> Activity:
        """Store an edited copy; records the changed fields in its history."""
        old = self.get(activity.id)
        changes = old.diff(activity)
        reviews_changed = [r.to_dict() for r in old.reviews] != [
            r.to_dict() for r in activity.reviews
        ]
        if not changes and not reviews_changed:
            return old
        stamp = iso_utc(self.now())
        new = activity.copy(
            created=old.created,
            updated=stamp,
            revision=old.revision + 1,
            history=[*old.history, HistoryEntry(stamp, self.who, action, changes)],
        )
        with self.transaction(action) as step:
            self._put(new)
            step.changes.append(Change(new.id, old.to_dict(), new.to_dict()))
        return new

    def delete(self, activity_id: str, *, action: str = "delete") -> Activity:
        old = self.get(activity_id)
        with self.transaction(action) as step:
            self._remove(activity_id)
            step.changes.append(Change(activity_id, old.to_dict(), None))
        return old

    def set_status(self, activity_id: str, status: Status, *, action: str = "") -> Activity:
        activity = self.get(activity_id)
        return self.update(activity.copy(status=status), action=action or f"status {status}")

    def rate(
        self,
        activity_id: str,
        rating: Rag,
        reason: str = "",
        *,
        on: date | None = None,
        next_action: str = "",
    ) -> Activity:
        """Set the RAG rating and record it as a dated review."""
        activity = self.get(activity_id)
        review = RagReview(
            on=on or self.today(),
            rating=rating,
            reason=reason,
            by=self.who,
            next_action=next_action,
            previous=activity.rag,
        )
        return self.update(
            activity.copy(rag=rating, reviews=[*activity.reviews, review]),
            action=f"rag {activity.rag} -> {rating}",
        )

    # -- undo / redo -------------------------------------------------------------
    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> str | None:
        """Reverse the last step; returns its label (None if nothing to undo)."""
        if not self._undo:
            return None
        step = self._undo.pop()
        self._apply(step, reverse=True)
        self._redo.append(step)
        self._notify(StoreEvent("undo", step.label, tuple(c.activity_id for c in step.changes)))
        if self.autosave:
            self.save()
        return step.label

    def redo(self) -> str | None:
        if not self._redo:
            return None
        step = self._redo.pop()
        self._apply(step, reverse=False)
        self._undo.append(step)
        self._notify(StoreEvent("redo", step.label, tuple(c.activity_id for c in step.changes)))
        if self.autosave:
            self.save()
        return step.label

    def _apply(self, step: UndoStep, *, reverse: bool) -> None:
        was = self.storage.deferred
        self.storage.deferred = True
        try:
            for change in reversed(step.changes) if reverse else step.changes:
                state = change.before if reverse else change.after
                if state is None:
                    # Undoing an add takes the activity back out as if it had never
                    # been: no tombstone (it may hold what could not be saved).
                    self._remove(change.activity_id, tombstone=change.before is not None)
                else:
                    self._put(Activity.from_dict(state))
        finally:
            self.storage.deferred = was

    # -- persistence ----------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        """True while a change is in memory but not yet on disk."""
        return self.storage.dirty

    def save(self) -> None:
        """Write pending changes (thread-safe; the TUI calls it from a worker)."""
        self.storage.flush()
        if not self.storage.dirty:  # (a save overtaken by a change or a reload is not "saved")
            self._notify(StoreEvent("saved"))

    def _table(self, name: str):
        return self._db.table(name)

    def _put(self, activity: Activity) -> None:
        table = self._table(ACTIVITIES)
        with self.storage.mutex:
            doc_id = self._doc_ids.get(activity.id)
            doc = activity.to_dict()
            extras = self._extras.get(activity.id)
            if extras:  # fields a newer ctstui wrote: kept through every change
                for key, value in extras.items():
                    doc.setdefault(key, value)
            if doc_id is None:
                doc_id = table.insert(doc)
                self._doc_ids[activity.id] = doc_id
            else:
                table.upsert(Document(doc, doc_id=doc_id))
            old = self._items.get(activity.id)
            self._items[activity.id] = activity
            buried = self._tombstones.pop(activity.id, None)
            if buried is not None:  # back from the dead (undo of a delete)
                self._table(TOMBSTONES).remove(doc_ids=[buried[0]])
            if self._sorted is not None and old is not None and old.sort_key == activity.sort_key:
                # Same place in date order (a rating, a note): swap it in rather
                # than re-sort the whole plan (10 ms at 10k activities).
                index = bisect.bisect_left(self._sorted, old.sort_key, key=_sort_key)
                self._sorted[index] = activity
            else:
                self._sorted = None

    def _remove(self, activity_id: str, *, tombstone: bool = True) -> None:
        table = self._table(ACTIVITIES)
        with self.storage.mutex:
            doc_id = self._doc_ids.pop(activity_id, None)
            if doc_id is not None:
                table.remove(doc_ids=[doc_id])
            gone = self._items.pop(activity_id, None)
            if gone is not None and tombstone:
                tombstone = Tombstone(gone, self.now())
                graves = self._table(TOMBSTONES)
                old = self._tombstones.pop(activity_id, None)
                if old is not None:
                    graves.remove(doc_ids=[old[0]])
                self._tombstones[activity_id] = (graves.insert(tombstone.to_dict()), tombstone)
            self._sorted = None

    # -- plan facts, contracts ----------------------------------------------------
    def meta(self, key: str, default=None):
        docs = self._table(META).all()
        return docs[0].get(key, default) if docs else default

    def set_meta(self, key: str, value) -> None:
        table = self._table(META)
        with self._held():
            table.update({key: value}, doc_ids=[table.all()[0].doc_id])
        if self.autosave and self._depth == 0:
            self.save()

    @contextlib.contextmanager
    def _held(self) -> Iterator[None]:
        """A change to the tables under the mutex, written only by a later save
        (never a disk write while holding the mutex: a reload takes the write
        mutex first, then this one)."""
        storage = self.storage
        with storage.mutex:
            was = storage.deferred
            storage.deferred = True
            try:
                yield
            finally:
                storage.deferred = was

    def tombstones(self) -> list[Tombstone]:
        """Deleted activities as they last were, oldest deletion first."""
        return sorted((t for _, t in self._tombstones.values()), key=lambda t: t.deleted)

    def contracts(self) -> list[FunderContract]:
        return sorted(self._contracts.values(), key=lambda c: (c.start, c.funder))

    def save_contract(self, contract: FunderContract) -> None:
        table = self._table(CONTRACTS)
        with self._held():
            existing = [d.doc_id for d in table.all() if d.get("id") == contract.id]
            if existing:
                table.upsert(Document(contract.to_dict(), doc_id=existing[0]))
            else:
                table.insert(contract.to_dict())
            self._contracts[contract.id] = contract
        if self.autosave and self._depth == 0:
            self.save()

    def delete_contract(self, contract_id: str) -> None:
        table = self._table(CONTRACTS)
        with self._held():
            table.remove(doc_ids=[d.doc_id for d in table.all() if d.get("id") == contract_id])
            self._contracts.pop(contract_id, None)
        if self.autosave and self._depth == 0:
            self.save()

    # -- notifications ----------------------------------------------------------
    def subscribe(self, listener: Callable[[StoreEvent], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _notify(self, event: StoreEvent) -> None:
        for listener in list(self._listeners):
            listener(event)


_MISSING = object()


class _Merge:
    """Our unsaved changes (``current`` against ``base``) applied onto ``disk``, in place.

    Records are matched by their ``id`` field, plan facts by key.  A change is
    applied where ``disk`` still holds the base version; where ``disk`` holds
    something else (and not the very same change) it is a conflict.
    """

    def __init__(self, base: dict, current: dict, disk: dict) -> None:
        self.base, self.current, self.disk = base, current, disk
        self.applied = 0
        self.conflicts: list[str] = []
        self._untouched: dict[str, Callable[[str], bool]] = {}

    @staticmethod
    def _by_id(table: object) -> dict[str, tuple[str, dict]]:
        out: dict[str, tuple[str, dict]] = {}
        if isinstance(table, dict):
            for doc_id, doc in table.items():
                if isinstance(doc, dict) and isinstance(doc.get("id"), str):
                    out[doc["id"]] = (doc_id, doc)
        return out

    def records(self, name: str, label: Callable[[dict], str], *, counted: bool = True) -> None:
        """Apply our changes to table ``name``; ``counted``: they count as changes of ours
        (a tombstone is the trace of a delete already counted in the activities)."""
        base = {k: doc for k, (_, doc) in self._by_id(self.base.get(name)).items()}
        current = {k: doc for k, (_, doc) in self._by_id(self.current.get(name)).items()}
        disk = self._by_id(self.disk.get(name))
        self._untouched[name] = lambda ident: (
            (disk[ident][1] if ident in disk else None) == base.get(ident)
        )
        table = self.disk.setdefault(name, {})
        next_id = max((int(k) for k in table), default=0) + 1
        for ident in base.keys() | current.keys():
            ours, was = current.get(ident), base.get(ident)
            if ours == was:
                continue
            theirs = disk[ident][1] if ident in disk else None
            if theirs == ours:
                continue  # they made the very same change
            if theirs != was:
                self.conflicts.append(label(ours or was or {}))
                continue
            self.applied += counted
            if ours is None:
                del table[disk[ident][0]]
            elif ident in disk:
                table[disk[ident][0]] = ours
            else:
                table[str(next_id)] = ours
                next_id += 1

    def meta(self) -> None:
        base, current = _meta_doc(self.base) or {}, _meta_doc(self.current) or {}
        disk = _meta_doc(self.disk)
        if disk is None:
            disk = {"app": APP_NAME, "schema": SCHEMA_VERSION}
            self.disk[META] = {"1": disk}
        for key in base.keys() | current.keys():
            ours, was = current.get(key, _MISSING), base.get(key, _MISSING)
            if ours == was:
                continue
            theirs = disk.get(key, _MISSING)
            if theirs == ours:
                continue
            if theirs != was:
                self.conflicts.append(f"the plan setting {key!r}")
                continue
            self.applied += 1
            if ours is _MISSING:
                del disk[key]
            else:
                disk[key] = ours

    def untouched(self, name: str) -> Callable[[str], bool]:
        """Whether the other program left record ``id`` of table ``name`` alone."""
        return self._untouched.get(name, lambda _ident: True)


def _meta_doc(data: dict) -> dict | None:
    table = data.get(META)
    if isinstance(table, dict) and table:
        doc = next(iter(table.values()))
        return doc if isinstance(doc, dict) else None
    return None


def _clean_suffix(steps: list[UndoStep], untouched: Callable[[str], bool]) -> list[UndoStep]:
    """The steps nearest the top of an undo (or redo) stack that touch only
    untouched records: undoing any further would write over the other's change."""
    keep = len(steps)
    while keep > 0 and all(untouched(c.activity_id) for c in steps[keep - 1].changes):
        keep -= 1
    return steps[keep:]


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a plan is parsed.

    Parsing makes hundreds of thousands of objects, none of them garbage; each
    allocation burst set off collections that re-scanned everything already
    alive, which made loading 10k activities 3x slower in a busy process.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _sort_key(activity: Activity) -> tuple:
    return activity.sort_key


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
