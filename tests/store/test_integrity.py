"""Issue 13: content-based change detection, the file TinyDB reads, the .bak guard,
numbers too large to store, permissions, temp names, the in-use marker, platforms."""

from __future__ import annotations

import json
import os
import socket
import stat
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tinydb import Query, TinyDB

from ctstui.domain.model import Activity, Rag
from ctstui.store import files, platform
from ctstui.store.activity_store import (
    ActivityStore,
    AtomicJSONStorage,
    FileChangedError,
    ReadOnlyPlanError,
    Session,
    UnstorableValueError,
    default_db_path,
    session_path,
    storable,
)


def titles(path: Path) -> list[str]:
    return sorted(a.title for a in ActivityStore(path).activities())


def same_size_edit(path: Path, old: bytes, new: bytes, *, in_place: bool) -> None:
    """Change ``old`` to ``new`` (same length) in the file, then put its mtime back:
    what a second writer on a filesystem with coarse timestamps looks like."""
    assert len(old) == len(new)
    before = path.stat()
    content = path.read_bytes()
    assert content.count(old) == 1
    changed = content.replace(old, new)
    if in_place:
        with open(path, "r+b") as fh:
            fh.write(changed)
    else:
        tmp = path.with_name("elsewhere.json")
        tmp.write_bytes(changed)
        os.replace(tmp, path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def table_lines(path: Path) -> dict[str, list[bytes]]:
    """Each table's record lines, as the file lays them out."""
    tables: dict[str, list[bytes]] = {}
    current: list[bytes] | None = None
    for line in path.read_bytes().splitlines()[1:]:
        if line.endswith(b'":{'):
            current = tables.setdefault(json.loads(line[:-2]), [])
        elif line in (b"}", b"},"):
            current = None
        elif current is not None:
            current.append(line)
    return tables


# -- change detection by content --------------------------------------------------------


@pytest.mark.parametrize("in_place", [True, False])
def test_a_same_size_same_mtime_change_is_never_written_over(tmp_path, in_place):
    path = tmp_path / "plan.json"
    seed = ActivityStore(path)
    seed.add(Activity("Aaaa"))
    planner = ActivityStore(path, autosave=False)
    same_size_edit(path, b'"Aaaa"', b'"Bbbb"', in_place=in_place)
    planner.add(Activity("Mine"))
    with pytest.raises(FileChangedError):
        planner.save()
    assert titles(path) == ["Bbbb"]
    assert planner.reload_and_reapply() == 1
    planner.save()
    assert titles(path) == ["Bbbb", "Mine"]


def test_the_watch_sees_a_same_size_same_mtime_change(tmp_path):
    path = tmp_path / "plan.json"
    ActivityStore(path).add(Activity("Aaaa"))
    planner = ActivityStore(path, autosave=False)
    assert not planner.changed_on_disk()
    same_size_edit(path, b'"Aaaa"', b'"Bbbb"', in_place=False)
    assert planner.changed_on_disk()


def test_a_command_racing_a_same_second_writer_keeps_both(tmp_path):
    path = tmp_path / "plan.json"
    ActivityStore(path).add(Activity("Aaaa"))
    command = ActivityStore(path)
    same_size_edit(path, b'"Aaaa"', b'"Bbbb"', in_place=True)
    command.add(Activity("Mine"))
    assert titles(path) == ["Bbbb", "Mine"]


# -- the file: TinyDB reads it, one record per line ---------------------------------------


def test_plain_tinydb_opens_and_queries_the_plan(tmp_path):
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    for n in range(5):
        store.add(Activity(f"Talk {n}", place="Leeds" if n % 2 else "York"))
    store.rate(store.activities()[0].id, Rag.RED, "late")
    store.delete(next(a.id for a in store.activities() if a.title == "Talk 2"))
    tables = table_lines(path)
    assert len(tables["activities"]) == 4 and len(tables["tombstones"]) == 1  # a line each
    db = TinyDB(path)
    found = db.table("activities").search(Query().place == "Leeds")
    assert sorted(doc["title"] for doc in found) == ["Talk 1", "Talk 3"]
    assert len(db.table("tombstones")) == 1
    assert db.table("_meta").all() == [{"app": "ctstui", "schema": 1}]
    db.close()


def test_tinydb_writes_through_our_storage_atomically_and_line_by_line(tmp_path):
    path = tmp_path / "plan.json"
    ActivityStore(path).add(Activity("From ctstui"))
    db = TinyDB(path, storage=AtomicJSONStorage)
    db.table("notes").insert({"text": "from TinyDB"})
    assert db.table("activities").all()[0]["title"] == "From ctstui"
    db.close()
    assert [json.loads(line.split(b":", 1)[1]) for line in table_lines(path)["notes"]] == [
        {"text": "from TinyDB"}
    ]
    assert files.bak_path(path).exists()  # written as ctstui writes: atomically, with a .bak
    assert titles(path) == ["From ctstui"]  # and ctstui still reads it (keeping the new table)


def test_one_change_writes_that_record_and_keeps_the_others_byte_for_byte(tmp_path):
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    with store.transaction("import"):
        for n in range(50):
            store.add(Activity(f"Row {n}"))
    before = table_lines(path)["activities"]
    target = store.activities()[7]
    store.update(target.copy(place="Hull"))
    after = table_lines(path)["activities"]
    changed = [n for n, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 1 and target.id.encode() in after[changed[0]]


def test_a_big_import_in_one_transaction_is_quick(tmp_path):
    """Each insert costs one record, not a rebuild of the table (was 16 s at 10k)."""
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    rows = [Activity(f"Row {n}", notes="x" * 200, leads=["AB"]) for n in range(10_000)]
    started = time.process_time()  # this process's work: the machine may be busy
    with store.transaction("import"):
        for row in rows:
            store.add(row)
    assert time.process_time() - started < 3.0  # ~0.6 s here
    assert len(ActivityStore(path)) == 10_000


# -- the .bak ---------------------------------------------------------------------------


def test_a_much_smaller_plan_never_silently_replaces_a_large_bak(tmp_path):
    """A sync client puts back an old, tiny plan: our next save would make it the
    .bak in place of the large one.  The large one is kept aside, and we say so."""
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    with store.transaction("import"):
        for n in range(40):
            store.add(Activity(f"Row {n}", notes="n" * 200))
    store.add(Activity("One more"))  # the .bak is now the 40-row plan
    big_bak = files.bak_path(path).read_bytes()
    tiny = tmp_path / "old" / "plan.json"
    tiny.parent.mkdir()
    ActivityStore(tiny).add(Activity("Old plan"))
    os.replace(tiny, path)
    store.reload()
    store.add(Activity("Fresh start"))  # would make the tiny plan the .bak
    kept = sorted(p for p in tmp_path.iterdir() if p.name.startswith("plan.json.bak-"))
    assert len(kept) == 1 and kept[0].read_bytes() == big_bak
    assert titles(files.bak_path(path)) == ["Old plan"]
    assert any(kept[0].name in note and "much smaller" in note for note in store.notes)
    store.add(Activity("Again"))  # a small .bak replaced by a small plan: nothing to keep
    assert len([p for p in tmp_path.iterdir() if p.name.startswith("plan.json.bak-")]) == 1


# -- numbers too large to store ------------------------------------------------------------


def test_a_number_too_large_is_one_rows_problem(tmp_path):
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    store.add(Activity("Fine"))
    before = path.read_bytes()
    huge = Activity("Sport PHs", places=10**30, audience="PHs")
    with pytest.raises(UnstorableValueError) as caught:
        store.add(huge)
    assert caught.value.field == "places" and "too large" in str(caught.value)
    assert len(store) == 1 and not store.dirty and store.can_undo  # only the first add
    assert path.read_bytes() == before
    kept, problems = storable(huge)
    assert kept.places is None and kept.title == "Sport PHs"
    assert len(problems) == 1
    assert problems[0].startswith("the number in 'places' (100000000000")
    assert problems[0].endswith("is too large to store; the row was kept without it")
    with store.transaction("import"):
        store.add(kept)
    assert titles(path) == ["Fine", "Sport PHs"]


def test_storable_leaves_a_good_activity_alone():
    good = Activity("ok", places=12)
    same, problems = storable(good)
    assert same is good and problems == []


# -- permissions -----------------------------------------------------------------------------


def test_a_read_only_plan_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    store.add(Activity("One"))
    os.chmod(path, 0o400)
    before = path.read_bytes()
    with pytest.raises(ReadOnlyPlanError) as caught:
        store.add(Activity("Two"))
    assert str(path) in str(caught.value) and "read-only" in str(caught.value)
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o400
    os.chmod(path, 0o600)
    store.save()
    assert titles(path) == ["One", "Two"]


def test_mode_is_kept_on_save(tmp_path):
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    store.add(Activity("One"))
    os.chmod(path, 0o640)
    store.add(Activity("Two"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="changing owners needs root"
)
def test_owner_and_group_are_kept_when_another_user_saves(tmp_path):
    """A plan owned by a colleague (on a group-shared folder) stays theirs and the group's."""
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    store.add(Activity("One"))
    os.chown(path, 4321, 8765)
    os.chmod(path, 0o664)
    store.add(Activity("Two"))
    st = path.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (4321, 8765, 0o664)
    assert titles(path) == ["One", "Two"]


# -- temp files ---------------------------------------------------------------------------------


def test_temp_names_carry_pid_random_part_and_host(tmp_path):
    path = tmp_path / "plan.json"
    one, two = files.temp_name(path), files.temp_name(path)
    assert one != two
    assert f"-{os.getpid()}-" in one.name and one.name.endswith("@" + files._host_tag())


def test_only_our_hosts_or_abandoned_temps_are_cleaned(tmp_path):
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    store.add(Activity("One"))
    folder = tmp_path
    dead_here = folder / f".plan.json.tmp-999999-abcd1234@{files._host_tag()}"
    live_elsewhere = folder / ".plan.json.tmp-4242-abcd1234@other-pc"
    old_elsewhere = folder / ".plan.json.bak-tmp-4243-abcd1234@other-pc"
    for temp in (dead_here, live_elsewhere, old_elsewhere):
        temp.write_bytes(b'{"half": ')
    old = time.time() - files.ABANDONED_AFTER - 60
    os.utime(old_elsewhere, (old, old))
    store.add(Activity("Two"))
    assert not dead_here.exists() and not old_elsewhere.exists()
    assert live_elsewhere.exists()  # perhaps a save in progress on that computer


# -- the in-use marker ----------------------------------------------------------------------------


def test_a_zombie_planner_is_taken_over_with_a_note(tmp_path):
    """A planner that exited but was never reaped by its parent is not running."""
    if not hasattr(os, "fork"):
        pytest.skip("needs fork")
    path = tmp_path / "plan.json"
    pid = os.fork()
    if pid == 0:  # the child: exit at once, leaving a zombie until we reap it
        os._exit(0)
    try:
        deadline = time.time() + 5
        while platform.pid_alive(pid) and time.time() < deadline:
            time.sleep(0.01)
        now = datetime.now(UTC).isoformat()
        zombie = Session(pid, socket.gethostname(), "ghost", now, "z", now)
        session_path(path).write_text(json.dumps(zombie.__dict__))
        store = ActivityStore(path, autosave=False, session=True)
        assert store.other_session() is None
        assert json.loads(session_path(path).read_text())["pid"] == os.getpid()
        assert any(f"process {pid}" in note and "no longer running" in note for note in store.notes)
        store.close()
    finally:
        os.waitpid(pid, 0)


def test_a_marker_whose_heartbeat_is_old_is_taken_over(tmp_path):
    path = tmp_path / "plan.json"
    long_ago = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    theirs = Session(4242, "hq-pc-12", "carol", long_ago, "t", long_ago)
    session_path(path).write_text(json.dumps(theirs.__dict__))
    store = ActivityStore(path, autosave=False, session=True)
    assert store.other_session() is None
    assert any("carol on hq-pc-12" in n and "not been refreshed" in n for n in store.notes)
    marker = json.loads(session_path(path).read_text())
    assert marker["pid"] == os.getpid() and marker["heartbeat"] and marker["started"]
    store.close()


def test_the_heartbeat_refreshes_the_marker_by_itself_until_close(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "HEARTBEAT_EVERY", 0.05)
    path = tmp_path / "plan.json"
    store = ActivityStore(path, autosave=False, session=True)
    first = json.loads(session_path(path).read_text())
    deadline = time.time() + 10
    while json.loads(session_path(path).read_text())["heartbeat"] == first["heartbeat"]:
        assert time.time() < deadline, "the marker was never refreshed"
        time.sleep(0.02)
    again = json.loads(session_path(path).read_text())
    assert again["started"] == first["started"] and again["heartbeat"] > first["heartbeat"]
    store.close()
    time.sleep(0.2)  # a beat after close must not bring the marker back
    assert not session_path(path).exists()


# -- folders and platforms ------------------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux rule")
def test_linux_keeps_the_xdg_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "ctstui" / "plan.json"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_db_path() == tmp_path / "home" / ".local" / "share" / "ctstui" / "plan.json"
    monkeypatch.setenv("CTSTUI_DB", "~/elsewhere.json")
    assert default_db_path() == tmp_path / "home" / "elsewhere.json"


def test_saving_works_without_any_posix_only_call(tmp_path, monkeypatch):
    """As on Windows: no fchmod/fchown, no hard links, no folder fsync, no kill probe."""
    for name in (
        "HAS_FCHMOD",
        "HAS_FCHOWN",
        "HAS_LINK",
        "HAS_DIR_FSYNC",
        "HAS_KILL_PROBE",
        "HAS_PROC",
    ):
        monkeypatch.setattr(platform, name, False)

    def forbidden(*_args, **_kwargs):
        raise AssertionError("a POSIX-only call was made")

    for name in ("fchmod", "fchown", "link"):
        monkeypatch.setattr(os, name, forbidden)
    path = tmp_path / "plan.json"
    store = ActivityStore(path, session=True)
    store.add(Activity("One"))
    store.add(Activity("Two"))
    assert titles(path) == ["One", "Two"]
    assert titles(files.bak_path(path)) == ["One"]  # a copy, not a link
    assert files.bak_path(path).stat().st_ino != path.stat().st_ino
    assert platform.pid_alive(999_999)  # cannot tell: assume alive
    store.close()
