"""The plan file: atomic saves, refusal of damaged files, two writers, undo/redo, history."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from filelock import FileLock

import ctstui
from ctstui.domain.dates import DateSpec, Precision
from ctstui.domain.model import Activity, FunderContract, Rag, Status, Target
from ctstui.store import storage as storage_module
from ctstui.store.activity_store import (
    SCHEMA_VERSION,
    ActivityStore,
    FileChangedError,
    SaveError,
    StoreError,
)


def bak_of(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def others_in(folder: Path, path: Path) -> list[str]:
    """Files in ``folder`` other than the plan itself (temps, backups, locks)."""
    return sorted(p.name for p in folder.iterdir() if p != path)


def count_writes(store: ActivityStore) -> list[bytes]:
    """Every payload the store writes to disk from now on."""
    writes: list[bytes] = []
    store.storage.write_hook = lambda _path, payload: writes.append(payload)
    return writes


def titles(store: ActivityStore) -> list[str]:
    return [a.title for a in store.activities()]


def on_disk(path: Path) -> list[str]:
    """Titles in the file, read by a fresh store (what another ctstui would see)."""
    return sorted(titles(ActivityStore(path)))


# -- basics -----------------------------------------------------------------------


def test_new_plan_is_not_created_until_the_first_change(store, plan_path):
    assert len(store) == 0
    assert not plan_path.exists()
    store.add(Activity("First"))
    data = json.loads(plan_path.read_text("utf-8"))
    assert list(data["_meta"].values()) == [{"app": "ctstui", "schema": SCHEMA_VERSION}]
    assert [d["title"] for d in data["activities"].values()] == ["First"]


def test_activities_survive_reopening(store, plan_path, make_activity):
    added = store.add(
        make_activity(
            "Sport Academy",
            date(2013, 11, 12),
            date(2013, 11, 13),
            leads=["LC"],
            places=15,
            status=Status.CONFIRMED,
        )
    )
    again = ActivityStore(plan_path)
    assert again.get(added.id) == added
    assert again.get(added.id).when.start == date(2013, 11, 12)


def test_activities_come_in_date_order(store, make_activity):
    store.add(make_activity("Undated"))
    store.add(make_activity("November", date(2013, 11, 1)))
    store.add(make_activity("May b", date(2013, 5, 1)))
    store.add(make_activity("May a", date(2013, 5, 1)))
    assert titles(store) == ["May a", "May b", "November", "Undated"]


def test_json_is_utf8_with_non_ascii_kept(store, plan_path):
    title = "Café culturel – Łódź 🎭 “quoted”"
    store.add(Activity(title, notes="naïve"))
    raw = plan_path.read_bytes()
    assert title.encode("utf-8") in raw
    assert b"\\u" not in raw
    assert ActivityStore(plan_path).activities()[0].title == title


def test_each_write_keeps_the_previous_version_as_bak(store, plan_path):
    store.add(Activity("One"))
    first = plan_path.read_bytes()
    store.add(Activity("Two"))
    assert bak_of(plan_path).read_bytes() == first
    assert on_disk(bak_of(plan_path)) == ["One"]
    assert on_disk(plan_path) == ["One", "Two"]


def test_meta_and_contracts_are_saved(store, plan_path):
    store.set_meta("plan_year", "2013/14")
    contract = FunderContract(
        "Sport England", date(2013, 4, 1), date(2014, 3, 31), [Target("Reviews", "kind:peer", 4)]
    )
    store.save_contract(contract)
    again = ActivityStore(plan_path)
    assert again.meta("plan_year") == "2013/14"
    assert again.meta("missing", "default") == "default"
    assert again.contracts() == [contract]


# -- refusing damaged or foreign files ------------------------------------------------


def valid_plan_bytes(tmp_path: Path) -> bytes:
    scratch = tmp_path / "scratch" / "plan.json"
    scratch.parent.mkdir()
    s = ActivityStore(scratch)
    s.add(Activity("One", DateSpec("May", date(2013, 5, 1), date(2013, 5, 31), Precision.MONTH)))
    s.add(Activity("Two", days=2))
    return scratch.read_bytes()


def damaged_activity(tmp_path: Path, **changes) -> bytes:
    data = json.loads(valid_plan_bytes(tmp_path))
    first = next(iter(data["activities"].values()))
    first.update(changes)
    return json.dumps(data).encode()


def with_data(tmp_path: Path, edit) -> bytes:
    data = json.loads(valid_plan_bytes(tmp_path))
    edit(data)
    return json.dumps(data).encode()


def _duplicate(data):
    data["activities"]["9"] = data["activities"]["1"]


def _renumber(data):
    data["activities"]["x"] = data["activities"].pop("1")


def _bad_review(data):
    data["activities"]["1"]["reviews"] = ["red"]


def _bad_contract(data):
    data["contracts"] = {"1": {"id": "c", "funder": "F", "start": "2013-04-01", "end": "x"}}


DAMAGED = {
    "truncated": lambda tmp: (lambda b: b[: len(b) // 2])(valid_plan_bytes(tmp)),
    "truncated-to-one-byte": lambda tmp: b"{",
    "not-utf8": lambda tmp: b'{"_meta": "\xff\xfe"}',
    "a-list": lambda tmp: b"[1, 2, 3]",
    "a-string": lambda tmp: b'"plan"',
    "another-shape": lambda tmp: b'{"foo": 1}',
    "tinydb-of-another-app": lambda tmp: b'{"_default": {"1": {"a": 1}}}',
    "meta-of-another-app": lambda tmp: b'{"_meta": {"1": {"app": "other", "schema": 1}}}',
    "newer-schema": lambda tmp: json.dumps(
        {"_meta": {"1": {"app": "ctstui", "schema": SCHEMA_VERSION + 1}}, "activities": {}}
    ).encode(),
    "table-not-a-table": lambda tmp: with_data(tmp, lambda d: d.__setitem__("activities", [1, 2])),
    "days-as-text": lambda tmp: damaged_activity(tmp, days="two"),
    "unknown-status": lambda tmp: damaged_activity(tmp, status="done"),
    "leads-as-text": lambda tmp: damaged_activity(tmp, leads="JW/LC"),
    "when-as-text": lambda tmp: damaged_activity(tmp, when="May"),
    "review-not-an-object": lambda tmp: with_data(tmp, _bad_review),
    "record-id-not-a-number": lambda tmp: with_data(tmp, _renumber),
    "same-activity-twice": lambda tmp: with_data(tmp, _duplicate),
    "bad-contract-date": lambda tmp: with_data(tmp, _bad_contract),
}

REASONS = {
    "truncated": "not valid JSON",
    "newer-schema": "newer ctstui",
    "days-as-text": "'days'",
    "unknown-status": "'status'",
    "leads-as-text": "'leads'",
    "when-as-text": "'when'",
    "not-utf8": "UTF-8",
    "same-activity-twice": "appears twice",
}


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_damaged_or_foreign_file_is_refused_and_left_alone(tmp_path, case):
    folder = tmp_path / "plans"
    folder.mkdir()
    path = folder / "plan.json"
    content = DAMAGED[case](tmp_path)
    path.write_bytes(content)
    stat_before = path.stat()
    with pytest.raises(StoreError) as caught:
        ActivityStore(path)
    message = str(caught.value)
    assert str(path) in message
    assert REASONS.get(case, "plan") in message
    assert path.read_bytes() == content
    assert path.stat().st_mtime_ns == stat_before.st_mtime_ns
    assert others_in(folder, path) == []  # no .bak, temp or lock left behind


def test_truncated_file_says_so_and_points_at_the_bak_only_if_there_is_one(tmp_path, plan_path):
    good = valid_plan_bytes(tmp_path)
    plan_path.write_bytes(good[:40])
    with pytest.raises(StoreError) as caught:
        ActivityStore(plan_path)
    assert "truncated" in str(caught.value) and ".bak" not in str(caught.value)
    bak_of(plan_path).write_bytes(good)
    with pytest.raises(StoreError, match=r"previous version is in plan\.json\.bak"):
        ActivityStore(plan_path)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"_meta": {"1": {"app": "ctstui", "schema": 1}}, "x": {"1": {"d": NaN}}}', "NaN"),
        (
            b'{"_meta": {"1": {"app": "ctstui", "schema": 1}}, "x": {"1": {"d": -Infinity}}}',
            "-Infinity",
        ),
        (
            b'{"_meta": {"1": {"app": "ctstui", "schema": 1}}, "x": {"1": {"d": 1e999}}}',
            "too large",
        ),
    ],
)
def test_not_a_number_is_named(plan_path, content, words):
    plan_path.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        ActivityStore(plan_path)
    message = str(caught.value)
    assert words in message and "JSON does not allow" in message
    assert "truncated" not in message and ".bak" not in message


def test_a_plan_saved_with_a_byte_order_mark_opens(tmp_path, plan_path):
    good = valid_plan_bytes(tmp_path)
    plan_path.write_bytes(b"\xef\xbb\xbf" + good.replace(b"\n", b"\r\n"))  # as Notepad saves
    store = ActivityStore(plan_path)
    assert titles(store) == ["One", "Two"]
    store.add(Activity("Three"))
    assert on_disk(plan_path) == ["One", "Three", "Two"]
    legacy = json.loads(good)  # one line, as an older ctstui wrote it
    plan_path.write_bytes(b"\xef\xbb\xbf" + json.dumps(legacy).encode())
    assert titles(ActivityStore(plan_path)) == ["One", "Two"]


def test_a_folder_is_refused(tmp_path):
    folder = tmp_path / "plan.json"
    folder.mkdir()
    with pytest.raises(StoreError) as caught:
        ActivityStore(folder)
    assert str(folder) in str(caught.value)
    assert "folder" in str(caught.value)
    assert folder.is_dir() and list(folder.iterdir()) == []


def test_a_missing_folder_is_refused_not_created(tmp_path):
    path = tmp_path / "no" / "such" / "plan.json"
    with pytest.raises(StoreError) as caught:
        ActivityStore(path)
    assert str(path) in str(caught.value)
    assert "does not exist" in str(caught.value)
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "is empty (0 bytes)"),
        (b"  \n\t\n", "only blank space"),
        (b"{}", "empty JSON object"),
        (b"\xef\xbb\xbf{}\n", "empty JSON object"),
        (b'{"_meta": {}}', "no '_meta' table"),
    ],
)
def test_an_empty_or_shapeless_file_is_refused_not_a_new_plan(tmp_path, content, words):
    """Only a missing file is a new plan: an empty one (a full disk, a sync client,
    a ``>`` typo) is refused, left alone, and its .bak is never replaced."""
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    store.add(Activity("One"))
    store.add(Activity("Two"))
    bak = bak_of(path).read_bytes()
    path.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        ActivityStore(path)
    message = str(caught.value)
    assert str(path) in message and words in message
    assert "previous version is in plan.json.bak" in message
    with pytest.raises(StoreError):
        store.add(Activity("Three"))  # a store open before cannot write over it either
    assert path.read_bytes() == content
    assert bak_of(path).read_bytes() == bak


def test_a_failed_reload_leaves_the_store_as_it_was(store, plan_path):
    """A file another program damaged is neither half-loaded nor written over."""
    kept = store.add(Activity("Kept"))
    data = json.loads(plan_path.read_text("utf-8"))
    data["activities"]["1"]["days"] = "two"
    data["activities"]["2"] = {**data["activities"]["1"], "id": str(uuid.uuid4()), "days": 1}
    damaged = json.dumps(data).encode()
    time.sleep(0.01)
    plan_path.write_bytes(damaged)
    with pytest.raises(StoreError, match="'days'"):
        store.reload()
    assert store.activities() == [kept]
    with pytest.raises(StoreError, match="'days'"):
        store.add(Activity("New"))  # a command re-reads to re-apply: and is refused
    assert plan_path.read_bytes() == damaged


# -- atomic saves -------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from ctstui.domain.model import Activity
    from ctstui.store.activity_store import ActivityStore

    def announce(path, payload):  # called just before each write to disk
        sys.stdout.write("writing\\n")
        sys.stdout.flush()

    store = ActivityStore(sys.argv[1], who="writer")
    store.storage.write_hook = announce
    n = len(store)
    if n == 0:  # one big record, so that a good part of each save is the write itself
        store.add(Activity("big", notes="x" * 2_000_000 + " ü€"))
        n += 1
    while True:
        store.add(Activity(f"item {n}", notes="y" * 300))
        n += 1
    """
)


@pytest.mark.slow
def test_killed_writer_never_leaves_a_torn_file(tmp_path):
    """SIGKILL a process that keeps saving a growing plan; the file always loads.

    Each round waits for a random number of saves to begin, then kills the
    writer a random fraction of a write later, so kills land inside writes.
    """
    kills = int(os.environ.get("CTSTUI_STRESS_COUNT", "12"))
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    path = tmp_path / "plan.json"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    # The writer imports the same ctstui as this test, wherever it came from.
    source = str(Path(ctstui.__file__).resolve().parent.parent)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")])),
    }
    seen = 0
    for round_ in range(kills):
        child = subprocess.Popen(
            [sys.executable, str(script), str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            for _ in range(rng.randint(2, 6)):
                assert child.stdout.readline(), child.stderr.read()
            time.sleep(rng.uniform(0.0, 0.002))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
            child.stdout.close()
            child.stderr.close()
        assert child.returncode == -signal.SIGKILL
        where = f"seed {seed}, round {round_}"
        loaded = ActivityStore(path)  # raises StoreError if torn
        assert len(loaded) >= seen, where
        seen = len(loaded)
        bak = ActivityStore(bak_of(path))
        assert seen - 1 <= len(bak) <= seen, where
    assert seen >= kills
    # The next write sweeps away any temp file a killed writer left behind.
    survivor = ActivityStore(path)
    survivor.add(Activity("after the kills"))
    assert others_in(tmp_path, path) == ["plan.json.bak", "plan.json.lock", "writer.py"]
    assert len(ActivityStore(path)) == seen + 1


def test_stray_temp_files_are_removed_on_the_next_write(store, plan_path):
    store.add(Activity("One"))
    folder = plan_path.parent
    strays = [
        folder / ".plan.json.tmp-99999-1234",
        folder / ".plan.json.bak-tmp-99999",
    ]
    for stray in strays:
        stray.write_bytes(b'{"half": ')
    unrelated = folder / ".other.json.tmp-99999-1"
    unrelated.write_bytes(b"keep me")
    store.add(Activity("Two"))
    assert not any(stray.exists() for stray in strays)
    assert unrelated.read_bytes() == b"keep me"
    assert on_disk(plan_path) == ["One", "Two"]


def test_writes_never_leave_temp_files(store, plan_path):
    for i in range(3):
        store.add(Activity(f"n{i}"))
    assert others_in(plan_path.parent, plan_path) == ["plan.json.bak", "plan.json.lock"]


# -- saving fails ---------------------------------------------------------------------


def disk_full(_path, _payload):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_save_failure_keeps_the_change_and_the_file(store, plan_path):
    store.add(Activity("Saved"))
    before = plan_path.read_bytes()
    store.storage.write_hook = disk_full
    with pytest.raises(SaveError) as caught:
        store.add(Activity("Pending"))
    message = str(caught.value)
    assert str(plan_path) in message
    assert os.strerror(errno.ENOSPC) in message
    # A command exits: its message must not promise the change is kept anywhere.
    assert "kept in memory" not in message
    assert "the file on disk is unchanged: fix that and run the command again" in message
    assert titles(store) == ["Pending", "Saved"]
    assert store.dirty
    assert plan_path.read_bytes() == before
    assert others_in(plan_path.parent, plan_path) == ["plan.json.lock"]  # no temp file
    # Space is freed: the next save writes the change.
    store.storage.write_hook = None
    store.save()
    assert not store.dirty
    assert on_disk(plan_path) == ["Pending", "Saved"]


def test_save_failure_without_autosave(plan_path, fixed_clock):
    store = ActivityStore(plan_path, autosave=False, clock=fixed_clock)
    store.add(Activity("Pending"))
    store.storage.write_hook = disk_full
    with pytest.raises(SaveError, match="your change is kept in memory"):
        store.save()
    assert not plan_path.exists()
    assert store.dirty
    store.storage.write_hook = None
    store.save()
    assert on_disk(plan_path) == ["Pending"]


def test_autosave_off_keeps_changes_in_memory_until_save(store, plan_path, fixed_clock):
    store.add(Activity("Saved"))
    before = plan_path.read_bytes()
    manual = ActivityStore(plan_path, autosave=False, clock=fixed_clock)
    assert not manual.dirty
    manual.add(Activity("One"))
    saved = next(a for a in manual.activities() if a.title == "Saved")
    edited = manual.update(saved.copy(title="Saved, edited"))
    manual.undo()
    manual.redo()
    assert manual.dirty
    assert plan_path.read_bytes() == before
    writes = count_writes(manual)
    manual.save()
    assert len(writes) == 1
    assert not manual.dirty
    assert on_disk(plan_path) == ["One", "Saved, edited"]
    assert ActivityStore(plan_path).get(edited.id).revision == 2
    manual.save()  # nothing new: no write
    assert len(writes) == 1


# -- two writers ----------------------------------------------------------------------


def test_second_writer_is_not_overwritten(plan_path, fixed_clock):
    store = ActivityStore(plan_path, who="tester", clock=fixed_clock, autosave=False)
    store.add(Activity("Mine"))
    store.save()
    other = ActivityStore(plan_path, who="other")
    other.add(Activity("Theirs"))
    assert store.changed_on_disk()
    assert not other.changed_on_disk()
    store.add(Activity("Too late"))
    with pytest.raises(FileChangedError) as caught:
        store.save()
    assert str(plan_path) in str(caught.value)
    assert on_disk(plan_path) == ["Mine", "Theirs"]
    # Reloading picks up their change, drops ours, and writing works again.
    store.reload()
    assert not store.changed_on_disk()
    assert titles(store) == ["Mine", "Theirs"]
    assert not store.can_undo
    store.add(Activity("Again"))
    store.save()
    assert on_disk(plan_path) == ["Again", "Mine", "Theirs"]
    assert other.changed_on_disk()


def test_interleaved_writers_with_reloads_never_collide(plan_path):
    """Adding after a reload works even when the other side added records meanwhile."""
    a = ActivityStore(plan_path, who="a")
    b = ActivityStore(plan_path, who="b")
    a.add(Activity("a1"))
    b.reload()
    b.add(Activity("b1"))
    a.reload()
    a.add(Activity("a2"))
    a.add(Activity("a3"))
    b.reload()
    b.add(Activity("b2"))
    a.reload()
    a.add(Activity("a4"))
    assert on_disk(plan_path) == ["a1", "a2", "a3", "a4", "b1", "b2"]


def test_changed_on_disk_notices_a_deleted_file(store, plan_path):
    store.add(Activity("One"))
    assert not store.changed_on_disk()
    plan_path.unlink()
    assert store.changed_on_disk()
    with pytest.raises(FileChangedError, match="deleted"):
        store.add(Activity("Two"))
    assert not plan_path.exists()


def test_same_content_rewritten_is_not_a_change(store, plan_path):
    store.add(Activity("One"))
    content = plan_path.read_bytes()
    time.sleep(0.01)
    plan_path.write_bytes(content)  # e.g. copied back from a backup: new mtime
    assert not store.changed_on_disk()
    store.add(Activity("Two"))
    assert on_disk(plan_path) == ["One", "Two"]


def test_reload_drops_unsaved_changes_and_history(plan_path, fixed_clock):
    ActivityStore(plan_path).add(Activity("On disk"))
    manual = ActivityStore(plan_path, autosave=False, clock=fixed_clock)
    manual.add(Activity("Unsaved"))
    events = []
    manual.subscribe(events.append)
    manual.reload()
    assert titles(manual) == ["On disk"]
    assert not manual.dirty
    assert not manual.can_undo and not manual.can_redo
    assert [e.kind for e in events] == ["reload"]


def test_a_held_lock_makes_the_write_wait_then_fail(store, plan_path, monkeypatch):
    store.add(Activity("One"))
    before = plan_path.read_bytes()
    monkeypatch.setattr(storage_module, "LOCK_TIMEOUT", 0.2)
    held = FileLock(str(plan_path) + ".lock")
    with held:
        started = time.monotonic()
        with pytest.raises(StoreError, match="another ctstui is writing") as caught:
            store.add(Activity("Two"))
        assert time.monotonic() - started >= 0.2
    assert str(plan_path) in str(caught.value)
    assert plan_path.read_bytes() == before
    assert store.dirty and titles(store) == ["One", "Two"]
    store.save()
    assert on_disk(plan_path) == ["One", "Two"]


# -- undo / redo ----------------------------------------------------------------------


def test_undo_redo_add_edit_delete(store, plan_path):
    added = store.add(Activity("Draft"))
    store.update(added.copy(title="Final", status=Status.CONFIRMED))
    store.delete(added.id)
    assert titles(store) == []

    assert store.undo() == "delete"
    assert titles(store) == ["Final"]
    assert on_disk(plan_path) == ["Final"]
    assert store.undo() == "edit"
    assert store.get(added.id).status is Status.PLANNED
    assert on_disk(plan_path) == ["Draft"]
    assert store.undo() == "add"
    assert added.id not in store
    assert on_disk(plan_path) == []
    assert not store.can_undo
    assert store.undo() is None

    assert store.redo() == "add"
    assert store.redo() == "edit"
    assert store.get(added.id).title == "Final"
    assert on_disk(plan_path) == ["Final"]
    assert store.can_redo
    # A new change clears what could be redone.
    store.add(Activity("Other"))
    assert not store.can_redo
    assert store.redo() is None
    assert on_disk(plan_path) == ["Final", "Other"]


def test_undo_restores_the_whole_record(store):
    added = store.add(Activity("A", leads=["SN"], days=1))
    store.rate(added.id, Rag.RED, "venue lost")
    store.undo()
    back = store.get(added.id)
    assert back == added
    assert back.reviews == [] and back.rag is Rag.UNRATED


def test_transaction_is_one_undo_step_and_one_write(store, plan_path):
    store.add(Activity("Before"))
    before = plan_path.read_bytes()
    writes = count_writes(store)
    events = []
    store.subscribe(events.append)
    with store.transaction("import 3 rows") as step:
        first = store.add(Activity("One"))
        store.add(Activity("Two"))
        store.update(first.copy(title="One, edited"))
        with store.transaction("nested"):
            store.add(Activity("Three"))
        assert plan_path.read_bytes() == before  # nothing written yet
        assert len(step.changes) == 4
    assert len(writes) == 1
    assert on_disk(plan_path) == ["Before", "One, edited", "Three", "Two"]
    assert [e.kind for e in events] == ["change", "saved"]
    assert events[0].label == "import 3 rows"
    assert store.undo() == "import 3 rows"
    assert titles(store) == ["Before"]
    assert on_disk(plan_path) == ["Before"]
    assert len(writes) == 2
    assert store.redo() == "import 3 rows"
    assert sorted(titles(store)) == ["Before", "One, edited", "Three", "Two"]


def test_empty_transaction_writes_nothing(store, plan_path):
    store.add(Activity("One"))
    writes = count_writes(store)
    with store.transaction("nothing"):
        pass
    unchanged = store.get(store.activities()[0].id)
    store.update(unchanged.copy())  # no field changed
    assert writes == []
    assert store.undo() == "add"


# -- history, revisions, ids ----------------------------------------------------------


def test_history_records_who_what_and_changes(plan_path):
    times = iter(datetime(2013, 11, 5, 9, 0, tzinfo=UTC) + timedelta(minutes=i) for i in range(9))
    store = ActivityStore(plan_path, who="alice", clock=lambda: next(times))
    added = store.add(Activity("Academy", days=2))
    assert added.revision == 1
    assert added.created == added.updated == "2013-11-05T09:00:00Z"
    edited = store.update(added.copy(title="Sport Academy", days=3))
    confirmed = store.set_status(added.id, Status.CONFIRMED)
    rated = store.rate(added.id, Rag.AMBER, "venue late", next_action="chase")
    assert [edited.revision, confirmed.revision, rated.revision] == [2, 3, 4]
    assert rated.created == "2013-11-05T09:00:00Z"

    saved = ActivityStore(plan_path).get(added.id)
    assert [(h.who, h.action) for h in saved.history] == [
        ("alice", "add"),
        ("alice", "edit"),
        ("alice", "status confirmed"),
        ("alice", "rag unrated -> amber"),
    ]
    stamps = [h.at for h in saved.history]
    assert stamps[:2] == ["2013-11-05T09:00:00Z", "2013-11-05T09:01:00Z"]
    assert stamps == sorted(set(stamps))  # in order, one per change
    assert saved.updated == stamps[-1]
    assert saved.history[1].changes == {"title": ["Academy", "Sport Academy"], "days": [2, 3]}
    assert saved.history[2].changes == {"status": ["planned", "confirmed"]}
    assert saved.history[3].changes == {"rag": ["unrated", "amber"]}
    review = saved.last_review
    assert (review.on, review.rating, review.previous, review.by) == (
        date(2013, 11, 5),
        Rag.AMBER,
        Rag.UNRATED,
        "alice",
    )
    assert review.reason == "venue late" and review.next_action == "chase"
    assert saved.revision == 4


def test_who_defaults_to_ctstui_user(plan_path, monkeypatch):
    monkeypatch.setenv("CTSTUI_USER", "bob")
    added = ActivityStore(plan_path).add(Activity("A"))
    assert added.history[-1].who == "bob"


def test_ids_are_uuids_and_never_reused(store):
    seen = set()
    for round_ in range(3):
        batch = [store.add(Activity(f"{round_}-{i}")) for i in range(3)]
        for activity in batch:
            assert uuid.UUID(activity.id).version == 4
            assert activity.id not in seen
            seen.add(activity.id)
        for activity in batch:
            store.delete(activity.id)
    assert len(store) == 0 and len(seen) == 9


def test_adding_an_existing_id_is_refused(store):
    added = store.add(Activity("One"))
    with pytest.raises(ValueError, match=added.id):
        store.add(Activity("Copy", id=added.id))
    assert titles(store) == ["One"]


def test_returned_activities_are_not_changed_by_later_edits(store):
    added = store.add(Activity("One", leads=["SN"]))
    store.update(added.copy(title="Two", leads=["LC"]))
    assert added.title == "One" and added.leads == ["SN"]


def test_a_failing_transaction_is_rolled_back_and_not_written(tmp_path):
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    kept = store.add(Activity(title="kept"))
    before = path.read_bytes()
    with pytest.raises(RuntimeError), store.transaction("half an import"):
        store.add(Activity(title="new"))
        store.update(kept.copy(title="renamed"))
        raise RuntimeError("the importer failed half-way")
    assert [a.title for a in store.activities()] == ["kept"]
    assert path.read_bytes() == before
    assert store.undo() == "add"  # the failed step left no undo entry


def test_a_save_keeps_the_files_permissions(tmp_path):
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    store.add(Activity(title="private"))
    os.chmod(path, 0o600)
    store.add(Activity(title="still private"))
    assert path.stat().st_mode & 0o777 == 0o600


def test_reload_refuses_when_the_file_has_gone(tmp_path):
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    store.add(Activity(title="kept"))
    path.unlink()
    with pytest.raises(StoreError, match="no longer exists"):
        store.reload()
    assert [a.title for a in store.activities()] == ["kept"]


def test_our_own_save_in_flight_is_not_someone_elses_change(tmp_path):
    store = ActivityStore(tmp_path / "plan.json")
    store.add(Activity(title="x"))
    with store.storage.write_mutex:  # a save of ours is writing right now
        assert store.changed_on_disk() is False
    assert store.changed_on_disk() is False


def test_no_stray_link_when_bak_already_is_the_plan(tmp_path):
    # What a writer killed between its two renames leaves: .bak and the plan
    # are two names of one file.
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    store.add(Activity(title="a"))
    bak = path.with_name("plan.json.bak")
    bak.unlink(missing_ok=True)
    os.link(path, bak)
    store.add(Activity(title="b"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "plan.json",
        "plan.json.bak",
        "plan.json.lock",
    ]
    assert len(ActivityStore(bak)) == 1 and len(ActivityStore(path)) == 2
