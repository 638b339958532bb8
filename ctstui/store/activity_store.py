"""The plan: activities, contracts and plan facts, persisted atomically.

Plain Python (no Textual).  Widgets and commands use :class:`ActivityStore`;
nothing else touches the file.

In memory the plan is the model objects (:class:`Activity`,
:class:`FunderContract`, :class:`Tombstone`); the storage
(:mod:`ctstui.store.storage`) keeps each record's line as last saved, which is
both what the next save writes again and what a merge with another writer is
measured against.  The file is a TinyDB database, one record per line.

Two processes: every write happens under a file lock, and before writing we
check (by content) that the file is still the one we read; if another process
changed it, a command re-reads the file and re-applies its change under the
lock (:meth:`ActivityStore.save`), and the planner offers
:meth:`ActivityStore.reload_and_reapply`.  The planner also leaves an advisory
"in use" marker (``.plan.json.session``) so that a second ctstui opening the
plan can say who else has it open.

What we refuse to read: a folder, a device or pipe, an empty file, anything
over :data:`MAX_PLAN_BYTES`, invalid JSON, JSON of another shape, a newer
schema, records with fields of the wrong type.  Fields we do not know (a newer
ctstui of the same schema may add some) are kept through every save.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import getpass
import math
import os
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
from filelock import FileLock  # noqa: F401  (tests patch ``activity_store.FileLock``)

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
from ctstui.store import files, merge, platform
from ctstui.store import undo as journal
from ctstui.store.errors import (
    FileChangedError,
    ReadOnlyPlanError,
    ReapplyConflict,
    SaveError,
    StoreError,
    UnstorableValueError,
)
from ctstui.store.files import (
    Session,
    atomic_write_bytes,
    read_session,
    session_path,
)
from ctstui.store.paths import default_db_path
from ctstui.store.storage import (
    APP_NAME,
    LOCK_TIMEOUT,
    MAX_PLAN_BYTES,
    META,
    SCHEMA_VERSION,
    AtomicJSONStorage,
    Loaded,
    RecordSink,
    check_plan_shape,
)

__all__ = [
    "ACTIVITIES",
    "APP_NAME",
    "CONTRACTS",
    "LOCK_TIMEOUT",
    "MAX_PLAN_BYTES",
    "META",
    "SCHEMA_VERSION",
    "TOMBSTONES",
    "ActivityStore",
    "AtomicJSONStorage",
    "FileChangedError",
    "Loaded",
    "ReadOnlyPlanError",
    "ReapplyConflict",
    "SaveError",
    "Session",
    "StoreError",
    "StoreEvent",
    "Tombstone",
    "UnstorableValueError",
    "atomic_write_bytes",
    "check_plan_shape",
    "default_db_path",
    "read_session",
    "session_path",
    "storable",
]

ACTIVITIES = "activities"
CONTRACTS = "contracts"
# Deleted activities, kept so a calendar feed can send their cancellation
# (computed from the plan alone, by any process): see :class:`Tombstone`.
TOMBSTONES = "tombstones"
# A command that finds the plan changed by another program re-reads it and
# re-applies its change this many times (with a short, growing, random pause)
# before it gives up: busy plans (several imports at once) then all land.
RACE_TRIES = 6
RACE_PAUSE = 0.05  # seconds, times the try number, plus up to as much again at random


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
    journal: str | None = None  # its record in the plan's undo journal
    journal_skip: bool = False  # an undo by ``ctstui undo``: not itself a step to undo


@dataclass(frozen=True)
class StoreEvent:
    """What changed: ``kind`` is "change", "undo", "redo", "reload" or "saved"."""

    kind: str
    label: str = ""
    ids: tuple[str, ...] = ()


# -- what the file can hold ------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")
_INT_RANGE = (-(2**63), 2**64 - 1)  # what orjson writes and reads back as an integer
# Activity fields ctstui knows; others (from a newer ctstui) are kept as they are.
_DEFAULTS = Activity(title="").to_dict()
ACTIVITY_KEYS = frozenset(_DEFAULTS)


def _unstorable(value: object) -> bool:
    """A number the plan file cannot hold and read back as it was."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not _INT_RANGE[0] <= value <= _INT_RANGE[1]
    if isinstance(value, float):
        return not math.isfinite(value)
    return False


def _clean_text(value: object) -> object:
    """``value`` with lone surrogates (text from a broken decoder) made U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_SURROGATE.sub("\ufffd", str(k)): _clean_text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_text(v) for v in value]
    return value


def _find_unstorable(value: object, where: str = "") -> str | None:
    """The path of the first number the file cannot hold, e.g. ``places``."""
    if _unstorable(value):
        return where
    if isinstance(value, dict):
        for key, item in value.items():
            found = _find_unstorable(item, f"{where}.{key}" if where else str(key))
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for n, item in enumerate(value):
            found = _find_unstorable(item, f"{where}[{n}]")
            if found is not None:
                return found
    return None


def storable(activity: Activity) -> tuple[Activity, list[str]]:
    """``activity`` as the plan can keep it, and what had to be left out, in words.

    A number too large to store (``places`` of 10**30, say) is one row's
    problem: the importer reports it for that row and keeps the row without it
    (the field takes its default).  ``add``/``update`` of an activity that still
    holds one raise :class:`UnstorableValueError` and change nothing.
    """
    doc = activity.to_dict()
    changes: dict[str, object] = {}
    problems: list[str] = []
    for key, value in doc.items():
        if key in ("history", "reviews", "id"):
            continue
        where = _find_unstorable(value, key)
        if where is not None:
            changes[key] = getattr(Activity(title=""), key)
            problems.append(_too_large(where, value))
    if not changes:
        return activity, []
    return activity.copy(**changes), problems


def _too_large(where: str, value: object) -> str:
    shown = printable(clip(str(value), 30))
    return f"the number in '{where}' ({shown}) is too large to store; the row was kept without it"


def _serialise(doc: dict, what: str) -> tuple[bytes, dict | None]:
    """One record's line, and the record as stored if that differs from ``doc``
    (lone surrogates made U+FFFD).  Raises UnstorableValueError naming the field."""
    for key, value in doc.items():  # orjson writes inf/NaN as null: refuse them here
        if isinstance(value, float) and not math.isfinite(value):
            raise UnstorableValueError(
                f"{what}: '{key}' is {value}, which the plan cannot store; nothing was changed",
                key,
            )
    try:
        return orjson.dumps(doc), None
    except (TypeError, orjson.JSONEncodeError):
        where = _find_unstorable(doc)
        if where is not None:
            raise UnstorableValueError(
                f"{what}: the number in '{where}' is too large to store; nothing was changed",
                where.split(".")[0].split("[")[0],
            )
        cleaned = _clean_text(doc)
        assert isinstance(cleaned, dict)
        try:
            return orjson.dumps(cleaned), cleaned
        except (TypeError, orjson.JSONEncodeError) as exc:
            raise UnstorableValueError(f"{what}: cannot be stored ({exc})", "")


# -- reading records into model objects ------------------------------------------------


class _Builder(RecordSink):
    """The model objects of one read of the file, built record by record.

    ``old_activities`` / ``old_tombstones`` (by document id): the objects made
    from each record's saved line last time, reused where the line is unchanged.
    """

    wants = frozenset({"activities", "contracts", "tombstones"})

    def __init__(
        self,
        path: Path,
        old_activities: dict[str, Activity] | None = None,
        old_extras: dict[str, dict] | None = None,
        old_tombstones: dict[str, Tombstone] | None = None,
    ) -> None:
        self.path = path
        self._old_activities = old_activities or {}
        self._old_extras = old_extras or {}
        self._old_tombstones = old_tombstones or {}
        self.items: dict[str, Activity] = {}
        self.doc_ids: dict[str, str] = {}
        self.extras: dict[str, dict] = {}
        self.contracts: dict[str, FunderContract] = {}
        self.contract_ids: dict[str, str] = {}
        self.tombstones: dict[str, tuple[str, Tombstone]] = {}
        self.meta: dict = {}
        self.meta_id: str | None = None

    def record(self, table: str, doc_id: str, doc: dict, *, replace: bool = False) -> None:
        if table == ACTIVITIES:
            activity = self._parse(Activity.from_dict, doc, f"activity #{doc_id}")
            if activity.id in self.items and not replace:
                raise StoreError(
                    f"{self.path}: activity id {activity.id} appears twice; "
                    "the file was not changed"
                )
            self.items[activity.id] = activity
            self.doc_ids[activity.id] = doc_id
            if len(doc) > len(ACTIVITY_KEYS) or not doc.keys() <= ACTIVITY_KEYS:
                unknown = {k: v for k, v in doc.items() if k not in ACTIVITY_KEYS}
                if unknown:
                    self.extras[activity.id] = unknown
            else:
                self.extras.pop(activity.id, None)
        elif table == CONTRACTS:
            contract = self._parse(FunderContract.from_dict, doc, f"contract #{doc_id}")
            self.contracts[contract.id] = contract
            self.contract_ids[contract.id] = doc_id
        elif table == TOMBSTONES:
            tombstone = self._parse(Tombstone.from_dict, doc, f"deleted activity #{doc_id}")
            self.tombstones[tombstone.id] = (doc_id, tombstone)
        elif table == META:
            self.meta, self.meta_id = dict(doc), doc_id

    def reuse(self, table: str, doc_id: str) -> bool:
        if table == ACTIVITIES:
            activity = self._old_activities.get(doc_id)
            if activity is None or activity.id in self.items:
                return False  # (a duplicate: parse it, and be refused with the reason)
            self.items[activity.id] = activity
            self.doc_ids[activity.id] = doc_id
            extras = self._old_extras.get(activity.id)
            if extras:
                self.extras[activity.id] = extras
            return True
        if table == TOMBSTONES:
            tombstone = self._old_tombstones.get(doc_id)
            if tombstone is None:
                return False
            self.tombstones[tombstone.id] = (doc_id, tombstone)
            return True
        return False

    def forget(self, table: str, ident: str) -> None:
        if table == ACTIVITIES:
            self.items.pop(ident, None)
            self.doc_ids.pop(ident, None)
            self.extras.pop(ident, None)
        elif table == CONTRACTS:
            self.contracts.pop(ident, None)
            self.contract_ids.pop(ident, None)
        elif table == TOMBSTONES:
            self.tombstones.pop(ident, None)

    def _parse(self, from_dict: Callable, raw: dict, where: str):
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


# -- the store -----------------------------------------------------------------------


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
        self.storage = AtomicJSONStorage(self.path)
        self.storage.deferred = not autosave
        self.storage.keeps_changes = not autosave
        self.autosave = autosave
        self._listeners: list[Callable[[StoreEvent], None]] = []
        self._undo: list[UndoStep] = []
        self._redo: list[UndoStep] = []
        self._step: UndoStep | None = None
        self._depth = 0
        self._session_token: str | None = None
        self._holds_session = False
        self._session_started = ""
        self._heartbeat_stop: threading.Event | None = None
        self._session_lock = threading.Lock()
        self.notes: list[str] = self.storage.notes  # what the user should be told
        self._load()
        if session:
            self.hold_session()

    def __enter__(self) -> ActivityStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- loading -------------------------------------------------------------
    def _read(self) -> Loaded:
        """Read the file into a fresh :class:`_Builder`, reusing the objects of
        records whose lines are as we last read or wrote them (a reload after
        another writer changed a few records parses only those)."""
        storage = self.storage
        if not hasattr(self, "_items"):
            return storage.read_file(lambda: _Builder(storage.path))
        changed = storage.pending.get(ACTIVITIES, {})
        activities = {
            key: self._items[ident] for ident, key in self._doc_ids.items() if key not in changed
        }
        changed = storage.pending.get(TOMBSTONES, {})
        tombstones = {key: t for key, t in self._tombstones.values() if key not in changed}
        return storage.read_file(
            lambda: _Builder(storage.path, activities, self._extras, tombstones)
        )

    def _load(self) -> None:
        """(Re)read the file.  All or nothing: a file that is refused leaves the
        store as it was, so a failed reload cannot leave a half-loaded plan that
        a later save would write over the file."""
        storage = self.storage
        # The write mutex: a save in flight finishes (or fails) before we read,
        # and one prepared before this read will not be written (see ``epoch``).
        with storage.write_mutex, storage.mutex, _gc_paused():
            loaded = self._read()
            storage.adopt(loaded)
            assert isinstance(loaded.sink, _Builder)
            self._adopt(loaded.sink)

    def _adopt(self, built: _Builder) -> None:
        self._items = built.items
        self._doc_ids = built.doc_ids
        self._extras = built.extras
        self._contracts = built.contracts
        self._contract_ids = built.contract_ids
        self._tombstones = built.tombstones
        self._meta = built.meta
        self._sorted: list[Activity] | None = None
        if built.meta_id is None:
            # A new plan: the schema record goes out with the first real write.
            storage = self.storage
            dirty = storage.dirty
            self._meta = {"app": APP_NAME, "schema": SCHEMA_VERSION}
            self._meta_id = storage.new_id(META)
            storage.set_line(META, self._meta_id, orjson.dumps(self._meta))
            storage.dirty = dirty
        else:
            self._meta_id = built.meta_id

    def reload(self) -> None:
        """Re-read the file, dropping unsaved changes and the undo history.

        A plan file that has gone (deleted or moved by another program) is not
        "reloaded" as an empty plan: the store keeps what it has and says so.
        """
        if self.storage.identity is not None and not self.path.exists():
            bak = files.bak_path(self.path)
            raise StoreError(
                f"{self.path}: no longer exists (deleted or moved by another program); the plan "
                "is still open here and was not reloaded. Put the file back"
                + (f" (a previous version is in {bak.name})" if bak.exists() else "")
                + " and press ctrl+r"
            )
        self._load()
        self._undo.clear()
        self._redo.clear()
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
        applied = self._reapply()
        self._notify(StoreEvent("reload", "reload and re-apply"))
        return applied

    def _reapply(self) -> int:
        storage = self.storage
        with storage.write_mutex, storage.mutex, _gc_paused():
            loaded = self._read()
            if loaded.identity is None and storage.identity is not None:
                raise ReapplyConflict(
                    f"{self.path}: was deleted or moved by another program; nothing was "
                    "reloaded and your plan is still open here"
                )
            built = loaded.sink
            assert isinstance(built, _Builder)
            disk = loaded.tables or {}

            def disk_index(name: str) -> dict[str, str]:
                if name == ACTIVITIES:
                    return built.doc_ids
                if name == CONTRACTS:
                    return built.contract_ids
                if name == TOMBSTONES:
                    return {ident: key for ident, (key, _) in built.tombstones.items()}
                index = {}
                for key, line in disk.get(name, {}).items():
                    ident = merge.record_id(line)
                    if ident is not None:
                        index[ident] = key
                return index

            pending = {n: dict(c) for n, c in storage.pending.items()}
            if META in pending and not storage.dirty and not storage.saved.get(META):
                pending.pop(META)  # a new plan's schema record, not a change of ours
            result = merge.reapply(
                storage.saved,
                pending,
                disk,
                disk_index,
                {
                    ACTIVITIES: merge.TablePolicy(
                        lambda doc: f"“{printable(clip(str(doc.get('title')), 60))}”"
                    ),
                    CONTRACTS: merge.TablePolicy(
                        lambda doc: f"the {printable(str(doc.get('funder')))} contract"
                    ),
                    TOMBSTONES: merge.TablePolicy(
                        lambda doc: f"the deleted activity {printable(str(doc.get('id')))}",
                        counted=False,
                    ),
                },
            )
            if result.conflicts:
                shown = ", ".join(result.conflicts[:3])
                more = len(result.conflicts) - 3
                raise ReapplyConflict(
                    f"{self.path}: another program changed {shown}"
                    + (f" and {more} more" if more > 0 else "")
                    + ", which you changed too but had not saved; nothing was reloaded. "
                    "Reload to take their version and drop your unsaved changes"
                )
            # Which records the other program changed: undo steps touching them go.
            old_lines = storage.saved.get(ACTIVITIES, {})
            old_ids = dict(self._doc_ids)
            for key, line in storage.pending.get(ACTIVITIES, {}).items():
                ident = merge.record_id(line if line is not None else old_lines.get(key))
                if ident is not None:
                    old_ids.setdefault(ident, key)
            disk_acts = disk.get(ACTIVITIES, {})
            disk_ids = dict(built.doc_ids)  # before ours go on top

            def untouched(ident: str) -> bool:
                base_key, disk_key = old_ids.get(ident), disk_ids.get(ident)
                was = old_lines.get(base_key) if base_key is not None else None
                now = disk_acts.get(disk_key) if disk_key is not None else None
                return was == now

            storage.adopt(loaded)
            for name, changes in result.changes.items():
                for key, line in changes.items():
                    if line is None:
                        ident = merge.record_id(disk.get(name, {}).get(key))
                        if ident is not None:
                            built.forget(name, ident)
                    else:
                        built.record(name, key, orjson.loads(line), replace=True)
                    storage.set_line(name, key, line)
            self._adopt(built)
            storage.dirty = bool(result.applied)
            self._undo = _clean_suffix(self._undo, untouched)
            self._redo = _clean_suffix(self._redo, untouched)
        return result.applied

    def changed_on_disk(self) -> bool:
        """True when another program has written the file since we read or saved it.

        Cheap enough to ask every few seconds: a ``stat``, and a hash of the
        file only when the stat differs from what we last read or wrote.
        """
        # A save of ours in flight has replaced the file but not yet recorded its
        # identity: asking now would report our own write as someone else's.
        if not self.storage.write_mutex.acquire(blocking=False):
            return False
        try:
            self.storage.check_unchanged(full=False)
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
        marker it is left alone; a marker of a process that is gone (or a
        zombie), or one not refreshed for :data:`files.STALE_AFTER`, is taken
        over, with a note in :attr:`notes`.
        """
        found = read_session(self.session_path)
        other = self.other_session()
        if self._session_token is None:
            self._session_token = uuid.uuid4().hex
        if other is None and not self._holds_session:
            if found is not None and found.token != self._session_token:
                why = found.stale_reason(now=datetime.now(UTC), here=platform.host_name())
                self.notes.append(
                    f"{self.path}: took over the “in use” mark of {found.describe()}: {why}"
                )
            self._session_started = iso_utc(datetime.now(UTC))
            self._holds_session = self._write_session()
            if self._holds_session:
                self._start_heartbeat()
        return other

    def _start_heartbeat(self) -> None:
        """Refresh the marker every :data:`files.HEARTBEAT_EVERY` seconds from a
        background thread until :meth:`close` (a daemon: it never keeps ctstui alive)."""
        stop = self._heartbeat_stop = threading.Event()

        def beat() -> None:
            while not stop.wait(files.HEARTBEAT_EVERY):
                with contextlib.suppress(Exception):  # a marker is advisory: never crash
                    self.heartbeat()

        threading.Thread(target=beat, name="ctstui-heartbeat", daemon=True).start()

    def _write_session(self) -> bool:
        me = Session(
            pid=os.getpid(),
            host=platform.host_name(),
            user=self.who,
            started=self._session_started,
            token=self._session_token or "",
            heartbeat=datetime.now(UTC).isoformat(),
        )
        try:
            atomic_write_bytes(self.session_path, orjson.dumps(me.__dict__) + b"\n")
        except OSError:
            return False  # a read-only folder cannot hold the marker; nothing depends on it
        return True

    def heartbeat(self) -> None:
        """Refresh the "in use" marker (a background thread does, every minute), so
        others can tell a planner that is gone from one that is open.  Puts the
        marker back if it was removed; leaves another planner's alone."""
        with self._session_lock:  # never after close() took the marker away
            if not self._holds_session:
                return
            found = read_session(self.session_path)
            if found is None or found.token == self._session_token:
                self._write_session()

    def other_session(self) -> Session | None:
        """Who else has this plan open in the planner (None: nobody, or only this store)."""
        found = read_session(self.session_path)
        if found is None or (self._session_token and found.token == self._session_token):
            return None
        if found.stale_reason(now=datetime.now(UTC), here=platform.host_name()):
            return None  # that planner is gone (killed, a zombie, or silent too long)
        return found

    def close(self) -> None:
        """Give up the "in use" marker (does not save: call :meth:`save` first)."""
        with self._session_lock:
            if not self._holds_session:
                return
            self._holds_session = False
            if self._heartbeat_stop is not None:
                self._heartbeat_stop.set()
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
                    self._journal_step(step)
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
            step.changes.append(Change(new.id, None, self._put(new)))
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
            step.changes.append(Change(new.id, old.to_dict(), self._put(new)))
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
        self._journal_mark(step, undone=True)
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
        self._journal_mark(step, undone=False)
        self._notify(StoreEvent("redo", step.label, tuple(c.activity_id for c in step.changes)))
        if self.autosave:
            self.save()
        return step.label

    def _apply(self, step: UndoStep, *, reverse: bool) -> None:
        for change in reversed(step.changes) if reverse else step.changes:
            state = change.before if reverse else change.after
            if state is None:
                # Undoing an add takes the activity back out as if it had never
                # been: no tombstone (it may hold what could not be saved).
                self._remove(change.activity_id, bury=change.before is not None)
            else:
                self._put(Activity.from_dict(state))

    # -- the undo journal in the file (``ctstui undo``): see ctstui.store.undo ------------
    def undo_last_change(self) -> journal.Undone:
        """Undo the newest change recorded in the plan file, whoever made it
        (``ctstui undo``).  Raises undo.NothingToUndo / undo.UndoConflict."""
        return journal.undo_last(self)

    def _journal_step(self, step: UndoStep) -> None:
        if step.journal_skip:
            return
        line = orjson.dumps(journal.journal_record(step, self.who))
        storage = self.storage
        with storage.mutex:
            step.journal = storage.new_id(journal.JOURNAL)
            storage.set_line(journal.JOURNAL, step.journal, line)
            keys = sorted((int(k) for k, _ in storage.lines(journal.JOURNAL)))
            for old in keys[: max(0, len(keys) - journal.JOURNAL_STEPS)]:
                storage.remove_line(journal.JOURNAL, str(old))

    def _journal_mark(self, step: UndoStep, *, undone: bool) -> None:
        if step.journal is not None:
            self._journal_set_undone(step.journal, undone)

    def _journal_set_undone(self, key: str, undone: bool) -> None:
        with self.storage.mutex:
            line = self.storage.line(journal.JOURNAL, key)
            if line is None:
                return  # dropped from the journal meanwhile (it keeps the last steps)
            record = orjson.loads(line)
            record["undone"] = undone
            self.storage.set_line(journal.JOURNAL, key, orjson.dumps(record))

    def _change_put(self, activity: Activity) -> Change:
        """Put ``activity`` (inside a transaction) and return the change it made."""
        old = self._items.get(activity.id)
        before = old.to_dict() if old is not None else None
        return Change(activity.id, before, self._put(activity))

    def _change_remove(self, activity_id: str) -> Change:
        before = self.get(activity_id).to_dict()
        self._remove(activity_id)
        return Change(activity_id, before, None)

    # -- persistence ----------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        """True while a change is in memory but not yet on disk."""
        return self.storage.dirty

    def save(self) -> None:
        """Write pending changes (thread-safe; the TUI calls it from a worker).

        A command (``autosave``) that finds the plan changed by another program
        re-reads it and re-applies its change under the lock, a few times with
        a short pause, before it gives up with :class:`FileChangedError`.  The
        planner gets the error at once and offers reload-and-reapply.
        """
        if not self.autosave:
            self.storage.flush()
        else:
            self._save_racing()
        if not self.storage.dirty:  # (a save overtaken by a change or a reload is not "saved")
            self._notify(StoreEvent("saved"))

    def _save_racing(self) -> None:
        storage = self.storage
        for attempt in range(1, RACE_TRIES + 1):
            try:
                if attempt == 1:
                    storage.flush()
                    return
                with storage.locked():  # nobody writes between our re-read and our write
                    try:
                        self._reapply()
                    except ReapplyConflict as exc:
                        raise FileChangedError(f"{exc}; your change was not written") from exc
                    storage.flush()
                    return
            except FileChangedError:
                if attempt == RACE_TRIES:
                    raise
                time.sleep(RACE_PAUSE * attempt * (1 + random.random()))

    def _put(self, activity: Activity) -> dict:
        """Make ``activity`` the current version of its record; returns its ``to_dict()``.
        Raises UnstorableValueError (nothing changed) for a value the file cannot hold."""
        doc = activity.to_dict()
        after = doc
        extras = self._extras.get(activity.id)
        if extras:  # fields a newer ctstui wrote: kept through every change
            doc = {**doc, **{k: v for k, v in extras.items() if k not in doc}}
        line, cleaned = _serialise(doc, f"“{printable(clip(activity.title, 60))}”")
        if cleaned is not None:  # hold what the file holds
            activity = Activity.from_dict(cleaned)
            after = activity.to_dict()
        storage = self.storage
        with storage.mutex:
            doc_id = self._doc_ids.get(activity.id)
            if doc_id is None:
                doc_id = self._doc_ids[activity.id] = storage.new_id(ACTIVITIES)
            storage.set_line(ACTIVITIES, doc_id, line)
            old = self._items.get(activity.id)
            self._items[activity.id] = activity
            buried = self._tombstones.pop(activity.id, None)
            if buried is not None:  # back from the dead (undo of a delete)
                storage.remove_line(TOMBSTONES, buried[0])
            if self._sorted is not None and old is not None and old.sort_key == activity.sort_key:
                # Same place in date order (a rating, a note): swap it in rather
                # than re-sort the whole plan (10 ms at 10k activities).
                index = bisect.bisect_left(self._sorted, old.sort_key, key=_sort_key)
                self._sorted[index] = activity
            else:
                self._sorted = None
        return after

    def _remove(self, activity_id: str, *, bury: bool = True) -> None:
        """Take an activity out; ``bury``: keep its tombstone (see :class:`Tombstone`)."""
        storage = self.storage
        with storage.mutex:
            doc_id = self._doc_ids.pop(activity_id, None)
            if doc_id is not None:
                storage.remove_line(ACTIVITIES, doc_id)
            gone = self._items.pop(activity_id, None)
            if gone is not None and bury:
                tombstone = Tombstone(gone, self.now())
                old = self._tombstones.pop(activity_id, None)
                key = old[0] if old is not None else storage.new_id(TOMBSTONES)
                storage.set_line(TOMBSTONES, key, orjson.dumps(tombstone.to_dict()))
                self._tombstones[activity_id] = (key, tombstone)
            self._sorted = None

    # -- plan facts, contracts ----------------------------------------------------
    def meta(self, key: str, default=None):
        return self._meta.get(key, default)

    def set_meta(self, key: str, value) -> None:
        line, cleaned = _serialise({**self._meta, key: value}, "the plan settings")
        with self.storage.mutex:
            self._meta = cleaned or {**self._meta, key: value}
            self.storage.set_line(META, self._meta_id, line)
        if self.autosave and self._depth == 0:
            self.save()

    def tombstones(self) -> list[Tombstone]:
        """Deleted activities as they last were, oldest deletion first."""
        return sorted((t for _, t in self._tombstones.values()), key=lambda t: t.deleted)

    def contracts(self) -> list[FunderContract]:
        return sorted(self._contracts.values(), key=lambda c: (c.start, c.funder))

    def save_contract(self, contract: FunderContract) -> None:
        storage = self.storage
        with storage.mutex:
            key = self._contract_ids.get(contract.id)
            doc = contract.to_dict()
            if key is not None:
                # Fields a newer ctstui wrote are kept (TinyDB's upsert did so too).
                old = storage.line(CONTRACTS, key)
                doc = {**(orjson.loads(old) if old else {}), **doc}
            line, _ = _serialise(doc, f"the {printable(contract.funder)} contract")
            if key is None:
                key = self._contract_ids[contract.id] = storage.new_id(CONTRACTS)
            storage.set_line(CONTRACTS, key, line)
            self._contracts[contract.id] = contract
        if self.autosave and self._depth == 0:
            self.save()

    def delete_contract(self, contract_id: str) -> None:
        storage = self.storage
        with storage.mutex:
            key = self._contract_ids.pop(contract_id, None)
            if key is not None:
                storage.remove_line(CONTRACTS, key)
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
