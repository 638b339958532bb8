"""The plan file as a TinyDB database: one record per line, written atomically.

The file is what TinyDB's own ``JSONStorage`` reads (an object of tables, each
an object of records by document id), laid out one record per line::

    {
    "_meta":{
    "1":{"app":"ctstui","schema":1}
    },
    "activities":{
    "1":{"id":"…","title":"…",…},
    "2":{…}
    }
    }

so it can be read as a stream: each record is parsed, handed to the caller
(which builds its model object) and dropped; what stays in memory here is each
record's line as last read or written (the *saved* state: what a merge with
another writer's change is measured against, and what the next save writes
again unchanged) plus the lines changed since (*pending*).  A change costs the
serialisation of that record; a save joins the lines.

A file in any other JSON layout (an older ctstui wrote one line; a person may
have re-indented it) is read whole, once, and written in this layout on the
next save.

Change detection is by content: the SHA-256 of the bytes read, with the
file's device and inode.  Before every write (under the lock) the file is
hashed again, so a same-size change within one timestamp tick (FAT, HFS+,
many network drives) is seen; the planner's periodic check compares ``stat``
first and hashes only when that changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson
from filelock import FileLock, Timeout
from tinydb.storages import Storage

from ctstui.store import files, platform
from ctstui.store.errors import FileChangedError, ReadOnlyPlanError, SaveError, StoreError

SCHEMA_VERSION = 1
APP_NAME = "ctstui"
META = "_meta"
LOCK_TIMEOUT = 5.0  # seconds a writer waits for another's write to finish
# A plan of 10,000 activities with long histories is ~20 MB; a file more than
# ten times that is not a plan someone typed, and reading it would stall the app.
MAX_PLAN_BYTES = 256 * 1024 * 1024
# A save that would make the .bak much smaller than the .bak it replaces keeps
# that older, larger .bak under a dated name (and says so): deleting most of a
# plan by mistake and saving twice must not lose the last good copy.
BAK_SHRINK_RATIO = 0.5
BAK_SHRINK_MIN_BYTES = 4096
_BOM = b"\xef\xbb\xbf"


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def exact_bytes(line: bytes) -> bytes:
    """``line`` in a bytes object of its own size.  orjson's output keeps its whole
    working buffer (about 8 KB, whatever the length): a plan holds one line per
    record, so at 100k records that was ~800 MB for ~100 MB of text."""
    return bytes(memoryview(line))


@dataclass(frozen=True)
class FileIdentity:
    """Which file, and exactly which content, we last read or wrote."""

    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int  # changes on any write, and no program can set it back
    digest: str

    @classmethod
    def of(cls, st: os.stat_result, digest: str) -> FileIdentity:
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, digest)

    def same_stat(self, st: os.stat_result) -> bool:
        return (self.device, self.inode, self.size, self.mtime_ns, self.ctime_ns) == (
            st.st_dev,
            st.st_ino,
            st.st_size,
            st.st_mtime_ns,
            st.st_ctime_ns,
        )


class RecordSink:
    """Receives the records of a file as it is read (see :meth:`AtomicJSONStorage.read_file`).

    ``record`` may raise :class:`StoreError` to refuse the file.  The default
    keeps nothing: the lines are kept by the storage.
    """

    # The tables whose records this sink wants parsed (None: all).  Records of
    # other tables are only checked to be valid JSON.
    wants: frozenset[str] | None = None

    def record(self, table: str, doc_id: str, doc: dict) -> None:
        """One record of ``table``."""

    def reuse(self, table: str, doc_id: str) -> bool:
        """The record ``doc_id`` of ``table`` is byte for byte what was read last time:
        return True if the sink took what it made of it then (no parse needed)."""
        return False


@dataclass
class Loaded:
    """One read of the plan file: each table's lines (None: no plan yet) and its identity."""

    tables: dict[str, dict[str, bytes]] | None
    identity: FileIdentity | None
    sink: RecordSink = field(default_factory=RecordSink)


def _stamp() -> datetime:
    return datetime.now(UTC)


class AtomicJSONStorage(Storage):
    """TinyDB storage: records kept as lines, atomic writes, refusal of foreign files.

    Through TinyDB (``TinyDB(path, storage=AtomicJSONStorage)``) it reads and
    writes whole tables like any storage.  :class:`ActivityStore` uses
    :meth:`set_line` / :meth:`remove_line` instead, so that one change costs
    one record, and :meth:`flush` to write (one write per transaction, or a
    save off the UI thread when ``deferred``).
    """

    def __init__(self, path: str | os.PathLike, **_: object) -> None:
        path = Path(path)
        if path.is_symlink():
            # Write through a link (a plan kept in a synced folder, say): replacing
            # the link itself would leave the real file behind, never updated.
            path = Path(os.path.realpath(path))
        self.path = path
        self.saved: dict[str, dict[str, bytes]] = {}
        self.pending: dict[str, dict[str, bytes | None]] = {}
        self._next_id: dict[str, int] = {}
        self._loaded = False
        self.deferred = False
        self.dirty = False
        self.identity: FileIdentity | None = None
        self.lock = FileLock(str(self.path.with_name(self.path.name + ".lock")), timeout=0)
        self.mutex = threading.RLock()  # guards the lines
        self.write_mutex = threading.Lock()  # one disk write (or re-read) at a time here
        self.generation = 0  # bumped on every change, so a save knows if it is still current
        self.epoch = 0  # bumped on every (re)load: a save prepared before it is stale
        # Tests: called with the pieces about to be written (to simulate disk faults).
        self.write_hook: Callable[[Path, list[bytes]], None] | None = None
        self.notes: list[str] = []  # things a save did that the user should hear about
        # True in the planner, which keeps an unsaved change in memory (messages say so).
        self.keeps_changes = False
        self.clock: Callable[[], datetime] = _stamp

    # -- the TinyDB protocol -----------------------------------------------------
    def read(self) -> dict | None:
        if not self._loaded:
            self.adopt(self.read_file())
        with self.mutex:
            if self.identity is None and not self.pending:
                return None
            return {
                name: {key: orjson.loads(line) for key, line in self.lines(name)}
                for name in self.table_names()
            }

    def write(self, data: dict) -> None:
        with self.mutex:
            for name, table in data.items():
                wanted = {str(key): orjson.dumps(doc) for key, doc in table.items()}
                for key, line in list(self.lines(name)):
                    if key not in wanted:
                        self.remove_line(name, key)
                    elif wanted[key] == line:
                        del wanted[key]
                for key, line in wanted.items():
                    self.set_line(name, key, line)
            for name in self.table_names():
                if name not in data:
                    for key, _line in list(self.lines(name)):
                        self.remove_line(name, key)
        if not self.deferred:
            self.flush()

    def close(self) -> None:
        pass

    # -- records -------------------------------------------------------------------
    def table_names(self) -> list[str]:
        names = [META] if META in self.saved or META in self.pending else []
        names += [n for n in self.saved if n != META]
        names += [n for n in self.pending if n not in self.saved and n != META]
        return names

    def lines(self, name: str) -> Iterator[tuple[str, bytes]]:
        """The records of table ``name`` as they are now (saved, with pending changes)."""
        base = self.saved.get(name, {})
        changes = self.pending.get(name, {})
        for key, line in base.items():
            now = changes.get(key, line) if changes else line
            if now is not None:
                yield key, now
        for key, new in changes.items():
            if key not in base and new is not None:
                yield key, new

    def line(self, name: str, key: str) -> bytes | None:
        changes = self.pending.get(name)
        if changes is not None and key in changes:
            return changes[key]
        return self.saved.get(name, {}).get(key)

    def new_id(self, name: str) -> str:
        """A document id never used in table ``name`` of this file (TinyDB's rule: max + 1)."""
        with self.mutex:
            number = self._next_id.get(name)
            if number is None:
                keys = [*self.saved.get(name, {}), *self.pending.get(name, {})]
                number = max((int(k) for k in keys), default=0) + 1
            self._next_id[name] = number + 1
            return str(number)

    def set_line(self, name: str, key: str, line: bytes | None) -> None:
        """Record ``line`` (None: removed) as the new state of one record; written by :meth:`flush`."""
        line = exact_bytes(line) if line is not None else None
        with self.mutex:
            self.pending.setdefault(name, {})[key] = line
            self.dirty = True
            self.generation += 1

    def remove_line(self, name: str, key: str) -> None:
        self.set_line(name, key, None)

    # -- reading -------------------------------------------------------------------
    def adopt(self, loaded: Loaded) -> None:
        """Make ``loaded`` the saved lines and the version later writes must find."""
        with self.mutex:
            self.saved = loaded.tables or {}
            self.pending = {}
            self._next_id = {}
            self._loaded = True
            self.identity = loaded.identity
            self.epoch += 1
            self.generation += 1
            self.dirty = False

    def read_file(self, sink_factory: Callable[[], RecordSink] = RecordSink) -> Loaded:
        """Read and check the file, changing nothing here.  Raises StoreError.

        Each record is handed to a sink made by ``sink_factory`` as it is read;
        if the file has to be read a second time (not in our layout), a fresh
        sink is made, so the caller never sees a record twice.
        """
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
            return Loaded(None, None, sink_factory())
        except OSError as exc:
            raise StoreError(f"{path}: cannot be read: {exc.strerror or exc}")
        with open(fd, "rb", buffering=1024 * 1024) as fh:
            # fstat the file we read, not the path: a writer replacing the file
            # between our read and a stat would otherwise lend us its identity
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
                    f"{path}: is {megabytes(st.st_size)}, more than the "
                    f"{megabytes(MAX_PLAN_BYTES)} a ctstui plan may be; it is probably not a "
                    "plan file. It was not read or changed"
                )
            if st.st_size == 0:
                raise StoreError(
                    f"{path}: is empty (0 bytes), so it is not a ctstui plan (a new plan is "
                    "a file that does not exist yet). It was not read or changed" + self._bak_hint()
                )
            try:
                sink = sink_factory()
                hasher = hashlib.sha256()
                # (an error in here names the .bak, where there is one)
                tables = _read_lines(path, fh, hasher, sink, self.saved)
                if tables is None:  # not our layout: read it whole
                    fh.seek(0)
                    raw = fh.read(MAX_PLAN_BYTES + 1)
                    sink = sink_factory()
                    hasher = hashlib.sha256(raw)
                    tables = self._read_whole(raw, sink)
                    del raw
            except OSError as exc:
                raise StoreError(f"{path}: cannot be read: {exc.strerror or exc}")
            except StoreError as exc:
                message = str(exc)
                if ".bak" in message or "newer ctstui" in message:
                    raise
                raise StoreError(message + self._bak_hint()) from None
        return Loaded(tables, FileIdentity.of(st, hasher.hexdigest()), sink)

    def _bak_hint(self) -> str:
        bak = files.bak_path(self.path)
        try:
            if bak.stat().st_size > 0:
                return f". A previous version is in {bak.name}"
        except OSError:
            pass
        return ""

    def _read_whole(self, raw: bytes, sink: RecordSink) -> dict[str, dict[str, bytes]]:
        path = self.path
        if len(raw) > MAX_PLAN_BYTES:  # grew while we read it
            raise StoreError(
                f"{path}: is more than the {megabytes(MAX_PLAN_BYTES)} a ctstui plan may be; "
                "it was not read or changed"
            )
        if raw.startswith(_BOM):  # Notepad saves UTF-8 with a byte order mark
            raw = raw[len(_BOM) :]
        if not raw.strip():
            raise StoreError(
                f"{path}: holds only blank space ({len(raw)} bytes), so it is not a ctstui "
                "plan. It was not changed"
            )
        try:
            data = orjson.loads(raw)  # bytes: orjson checks the UTF-8 itself, fast
        except orjson.JSONDecodeError as exc:
            raise StoreError(self._json_problem(raw, exc))
        check_plan_shape(path, data)
        tables: dict[str, dict[str, bytes]] = {}
        for name in [META, *(n for n in data if n != META)]:
            table = tables.setdefault(name, {})
            for key, doc in data[name].items():
                sink.record(name, key, doc)
                table[key] = exact_bytes(orjson.dumps(doc))
        return tables

    def _json_problem(self, raw: bytes, exc: orjson.JSONDecodeError) -> str:
        """What is wrong with JSON that does not parse, in the user's words."""
        path = self.path
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            return f"{path}: is not UTF-8 text (byte {bad.start}); it was not changed"
        where = f"line {exc.lineno}, column {exc.colno}"
        start = exc.pos - 1 if raw[exc.pos - 1 : exc.pos] == b"-" else exc.pos
        rest = raw[start : start + 10]
        constant = next(
            (c for c in (b"NaN", b"Infinity", b"-Infinity") if rest.startswith(c)), None
        )
        if constant is not None or "infinity" in exc.msg:
            what = constant.decode() if constant else "a number too large to read"
            why = (
                f"holds {what} ({where}), which JSON does not allow: a program that writes "
                "non-standard JSON, or a number too large, changed it"
            )
        elif exc.pos >= len(raw.rstrip()) or "end of data" in exc.msg:
            why = (
                f"ends part-way through ({where}): the file is truncated (a full disk, an "
                "interrupted copy or sync)"
            )
        else:
            why = f"has an error at {where} ({exc.msg})"
        return f"{path}: is not valid JSON: it {why}. It was not changed"

    # -- writing ---------------------------------------------------------------------
    def render(self) -> tuple[list[bytes], dict[str, dict[str, bytes | None]]]:
        """The file as it would be written now (in pieces: the record lines are
        shared, not copied), and the pending changes it includes."""
        with self.mutex:
            parts: list[bytes] = [b"{\n"]
            names = self.table_names()
            for number, name in enumerate(names):
                header = orjson.dumps(name)
                rows = list(self.lines(name))
                last = number == len(names) - 1
                if not rows:
                    parts.append(header + (b":{}\n" if last else b":{},\n"))
                    continue
                parts.append(header + b":{\n")
                for key, line in rows:
                    parts += (b'"', key.encode("ascii"), b'":', line, b",\n")
                parts[-1] = b"\n"  # no comma after a table's last record
                parts.append(b"}\n" if last else b"},\n")
            parts.append(b"}\n")
            snapshot = {name: dict(changes) for name, changes in self.pending.items()}
            return parts, snapshot

    def flush(self) -> None:
        """Write the records if they changed.  Raises SaveError/FileChangedError.

        Joining the lines happens under the mutex (a consistent snapshot); the
        disk write does not, so the UI thread can keep changing the plan meanwhile.
        """
        with self.mutex:
            if not self.dirty:
                return
            payload, snapshot = self.render()
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
                    before = self.check_unchanged(full=True)
                    self.check_writable(before)
                    files.clean_stray_temps(self.path)
                    if self.write_hook is not None:
                        self.write_hook(self.path, payload)
                    self._guard_bak(before)
                    hasher = hashlib.sha256()
                    files.atomic_write_bytes(
                        self.path, payload, backup=True, like=before, hasher=hasher
                    )
                    # Still under the lock: no other writer can have replaced it yet.
                    identity = FileIdentity.of(os.stat(self.path), hasher.hexdigest())
            except (StoreError, Timeout):
                raise
            except OSError as exc:
                raise SaveError(
                    f"{self.path}: could not save ({exc.strerror or exc}); {self.unsaved()}"
                ) from exc
            with self.mutex:
                self.identity = identity
                for name, changes in snapshot.items():
                    saved = self.saved.setdefault(name, {})
                    waiting = self.pending.get(name, {})
                    for key, line in changes.items():
                        if line is None:
                            saved.pop(key, None)
                        else:
                            saved[key] = line
                        if waiting.get(key, b"") is line:
                            del waiting[key]
                    if not waiting:
                        self.pending.pop(name, None)
                if generation == self.generation:
                    self.dirty = False

    def unsaved(self) -> str:
        """What became of a change that could not be saved, in the words that are true here."""
        if self.keeps_changes:  # the planner: it stays open, holding the change
            return "your change is kept in memory and the file on disk is unchanged"
        return (
            "nothing was written and the file on disk is unchanged: fix that and run the "
            "command again"
        )

    def check_writable(self, st: os.stat_result | None) -> None:
        if st is not None and not platform.writable_by_me(st, self.path):
            raise ReadOnlyPlanError(
                f"{self.path}: is read-only (its permissions do not allow changes), so your "
                "change was not saved and the file is unchanged. Make it writable (e.g. "
                f"chmod u+w {self.path.name}) or work on a copy"
            )

    def _guard_bak(self, current: os.stat_result | None) -> None:
        """Keep a much larger ``.bak`` aside rather than replace it with a small file."""
        if current is None:
            return
        bak = files.bak_path(self.path)
        try:
            old = bak.stat()
        except OSError:
            return
        if old.st_size < BAK_SHRINK_MIN_BYTES or old.st_ino == current.st_ino:
            return
        if current.st_size >= old.st_size * BAK_SHRINK_RATIO:
            return
        kept = files.keep_aside(bak, self.clock())
        self.notes.append(
            f"{self.path}: the plan is now much smaller than its previous backup "
            f"({current.st_size:,} bytes against {old.st_size:,}); that backup was kept as "
            f"{kept.name} rather than replaced"
        )

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the plan's lock file (re-entrant in this process)."""
        try:
            self.lock.acquire(timeout=LOCK_TIMEOUT)
        except Timeout:
            raise StoreError(
                f"{self.path}: another ctstui is writing this plan and did not finish within "
                f"{LOCK_TIMEOUT:.0f} s; try again"
            )
        except OSError as exc:
            raise SaveError(
                f"{self.path}: cannot create the lock file ({exc.strerror or exc}); "
                f"{self.unsaved()}"
            ) from exc
        try:
            yield
        finally:
            self.lock.release()

    def check_unchanged(self, *, full: bool = True) -> os.stat_result | None:
        """Raise FileChangedError if someone else wrote the file since we read it.

        ``full``: hash the file even when ``stat`` says nothing changed (before a
        write: timestamps may be too coarse, or cached, to tell).  Returns the
        file's stat (None: no file).
        """
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None
        known = self.identity
        if st is None and known is None:
            return None
        if st is not None and known is not None:
            if not full and known.same_stat(st):
                return st
            with contextlib.suppress(OSError):
                found_st, digest = _digest_file(self.path)
                if digest == known.digest:
                    # Same content (perhaps touched, or copied back): nothing to fear.
                    self.identity = FileIdentity.of(found_st, digest)
                    return found_st
        what = "deleted" if st is None else "created" if known is None else "changed"
        raise FileChangedError(
            f"{self.path}: was {what} by another program since ctstui read it, so your "
            "change was not written over it"
        )


def _digest_file(path: Path) -> tuple[os.stat_result, str]:
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    return st, digest


def _refuse(constant: str) -> object:
    raise ValueError(f"{constant} is not JSON")


def _read_lines(
    path: Path,
    fh,
    hasher,
    sink: RecordSink,
    previous: dict[str, dict[str, bytes]],
) -> dict[str, dict[str, bytes]] | None:
    """The tables of a file in our one-record-per-line layout, or None if it is not.

    Checks as it goes that the lines make valid JSON (braces, commas, each
    record an object) so that anything TinyDB could not read is re-read whole
    and reported exactly; the ``_meta`` table comes first, so a newer schema
    is refused before its records are read.
    """
    tables: dict[str, dict[str, bytes]] = {}
    table: dict[str, bytes] | None = None  # the table being read
    name = ""
    more = False  # the previous line ended with a comma
    first = False  # no record of the open table yet
    previous_table: dict[str, bytes] | None = None
    done = False
    total = 0
    for number, line in enumerate(fh):
        hasher.update(line)
        total += len(line)
        if total > MAX_PLAN_BYTES:
            return None
        line = line.rstrip(b"\r\n")
        if number == 0:
            if line.startswith(_BOM):
                line = line[len(_BOM) :]
            if line != b"{":
                return None
            continue
        if done:
            if line.strip():
                return None
            continue
        if table is None:  # between tables
            if line == b"}":
                if not tables or more:
                    return None
                done = True
                continue
            if bool(tables) != more or not line.startswith(b'"'):
                return None
            if line.endswith(b'":{'):
                head, table, first = line[1:-3], {}, True
            elif line.endswith((b'":{}', b'":{},')):
                more = line.endswith(b",")
                head = line[1 : line.rindex(b'":{}')]
            else:
                return None
            if b'"' in head or b"\\" in head:
                return None
            name = head.decode("utf-8", "replace")
            if name in tables or (not tables and name != META) or (table is None and name == META):
                return None  # (an empty or late _meta: the whole-file check says what is wrong)
            tables[name] = table if table is not None else {}
            previous_table = previous.get(name)
            continue
        if line in (b"}", b"},"):
            if more and not first:
                return None  # a comma before the closing brace
            if name == META:
                check_meta(path, table)  # raises for a foreign or newer plan
            table = None
            more = line.endswith(b",")
            continue
        if not (first or more) or not line.startswith(b'"'):
            return None
        first = False
        end = line.find(b'":', 1)
        key = line[1:end]
        if end < 0 or not key.isdigit() or not key.isascii():
            return None
        body = line[end + 2 :]
        more = body.endswith(b",")
        if more:
            body = body[:-1]
        if not body.startswith(b"{") or not body.endswith(b"}"):
            return None
        text = key.decode("ascii")
        if text in table:
            return None
        old = previous_table.get(text) if previous_table is not None else None
        if old is not None and old == body:
            # Unchanged since the last read (a reload after another writer's
            # change): share the bytes, and the sink keeps its model object.
            table[text] = body = old
            if sink.reuse(name, text):
                continue
        wanted = sink.wants is None or name in sink.wants or name == META
        try:
            # orjson for the records we build from (fast); the standard parser only
            # checks the rest (less memory than orjson on one very long line).
            doc = orjson.loads(body) if wanted else json.loads(body, parse_constant=_refuse)
        except (orjson.JSONDecodeError, ValueError):
            return None
        table[text] = body
        if wanted:
            sink.record(name, text, doc)
    return tables if done else None


def check_meta(path: Path, table: dict[str, bytes]) -> None:
    """Refuse a ``_meta`` table that is not ctstui's, or from a newer ctstui."""
    record = orjson.loads(next(iter(table.values()))) if table else None
    _check_schema(path, record)


def _check_schema(path: Path, record: object) -> None:
    if not isinstance(record, dict) or not record:
        raise StoreError(
            f"{path}: is JSON but not a ctstui plan (no {META!r} table with a schema version); "
            "it was not changed"
        )
    version = record.get("schema")
    if record.get("app") != APP_NAME or isinstance(version, bool) or not isinstance(version, int):
        raise StoreError(f"{path}: is JSON but not a ctstui plan; it was not changed")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: was written by a newer ctstui (schema {version}; this one reads up to "
            f"{SCHEMA_VERSION}); upgrade ctstui. The file was not changed"
        )


def check_plan_shape(path: Path, data: object) -> None:
    """Refuse JSON that is not a ctstui plan (foreign, empty, or from a newer ctstui)."""
    if not isinstance(data, dict):
        raise StoreError(
            f"{path}: is JSON but not a ctstui plan (expected an object of tables, found "
            f"{type(data).__name__}); it was not changed"
        )
    if not data:
        raise StoreError(
            f"{path}: is an empty JSON object ({{}}), not a ctstui plan (a plan always has a "
            f"{META!r} table); it was not changed"
        )
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
    _check_schema(path, next(iter(meta.values())))
