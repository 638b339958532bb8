"""It loses nothing: crashes mid-save, disk trouble, two writers, bad files.

Complements tests/test_store.py (which covers the basics of each); these
are the issue's end-to-end guarantees, through the CLI where a person would
meet them.  We run as root here, so a read-only folder cannot be made for
real: disk trouble is simulated with OSErrors raised where the OS would.
"""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

import ctstui
from ctstui.cli.main import main
from ctstui.domain.model import Activity, FunderContract, Status
from ctstui.store import activity_store as store_module
from ctstui.store import storage as storage_module
from ctstui.store.activity_store import (
    SCHEMA_VERSION,
    ActivityStore,
    FileChangedError,
    ReapplyConflict,
    SaveError,
    Session,
    StoreError,
    session_path,
)

NOW = datetime(2013, 11, 5, 9, 0, tzinfo=UTC)


def clock():
    return NOW


def titles(store: ActivityStore) -> list[str]:
    return sorted(a.title for a in store.activities())


def on_disk(path: Path) -> list[str]:
    return titles(ActivityStore(path))


def folder_listing(folder: Path) -> dict[str, bytes | str]:
    """Every entry in ``folder`` with its bytes (folders: "<dir>")."""
    return {
        p.name: (p.read_bytes() if p.is_file() else "<dir>")
        for p in sorted(folder.iterdir())
        if not p.is_fifo()
    }


def child_env() -> dict[str, str]:
    # A child imports the same ctstui as this test, wherever it came from.
    source = str(Path(ctstui.__file__).resolve().parent.parent)
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")])),
    }


# -- crash safety: SIGKILL mid-save -------------------------------------------------------

GENERATIONS = textwrap.dedent(
    """
    import sys
    from ctstui.store.activity_store import ActivityStore

    store = ActivityStore(sys.argv[1], who="writer", autosave=False)
    generation = store.meta("generation")
    while True:
        generation += 1
        with store.transaction(f"generation {generation}"):
            for activity in store.activities():
                store.update(activity.copy(notes=f"generation {generation} -"))
        store.set_meta("generation", generation)
        sys.stdout.write(f"{generation}\\n")  # announced just before it is written
        sys.stdout.flush()
        store.save()
    """
)


def generation_of(path: Path) -> int:
    """The plan's generation; fails if its activities are not all of that generation."""
    store = ActivityStore(path)  # raises StoreError if torn
    generation = store.meta("generation")
    seen = {a.notes.split(" ", 2)[1] for a in store.activities()}
    assert seen == {str(generation)}, f"{path.name} mixes generations {seen}"
    assert len(store) == 12
    return generation


def stress_count(request, default: int = 25, asked: int = 200) -> int:
    """CTSTUI_STRESS_COUNT if set; 200 when the slow tests were asked for (``-m slow``);
    else 25, so a plain full run (and CI, which sets 25) stays quick."""
    if os.environ.get("CTSTUI_STRESS_COUNT"):
        return int(os.environ["CTSTUI_STRESS_COUNT"])
    return asked if "slow" in (request.config.getoption("markexpr") or "") else default


@pytest.mark.slow
def test_sigkill_mid_save_leaves_the_old_or_the_new_plan_never_a_mix(tmp_path, request):
    """A child saves generation after generation; SIGKILL it at random moments.

    Every save rewrites every activity and the plan's generation number, so a
    file that mixed two saves would show two generations.  After each kill the
    plan is exactly the last generation the child announced (if its write had
    finished) or the one before; the .bak is a whole plan one generation older
    (or the same, if the kill fell between making the .bak and the rename).
    200 kills with ``-m slow``; CTSTUI_STRESS_COUNT sets the number (CI: 25).
    """
    kills = stress_count(request)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    path = tmp_path / "plan.json"
    seeded = ActivityStore(path, who="seed", autosave=False)
    with seeded.transaction("seed"):
        for i in range(12):
            seeded.add(Activity(f"item {i}", notes="generation 0 -"))
    seeded.set_meta("generation", 0)
    seeded.save()
    # Bulk that every save rewrites (a field this ctstui does not know, so kept
    # as it is and not copied into each history entry): a good part of each
    # save is then the write itself, where the kills should land.
    data = json.loads(path.read_text("utf-8"))
    for record in data["activities"].values():
        record["x_bulk"] = "x" * 40_000 + " ü€"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    seeded.reload()
    seeded.set_meta("seeded", True)
    seeded.save()  # a second write, so there is a .bak from the start
    script = tmp_path / "writer.py"
    script.write_text(GENERATIONS)
    announced = 0
    for round_ in range(kills):
        where = f"seed {seed}, round {round_}"
        child = subprocess.Popen(
            [sys.executable, str(script), str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        try:
            for _ in range(rng.randint(1, 4)):
                line = child.stdout.readline()
                assert line, f"{where}: the writer died: {child.stderr.read()}"
                announced = int(line)
            time.sleep(rng.uniform(0.0, 0.004))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        rest = child.stdout.read().split()  # announced after we stopped reading
        child.stdout.close()
        child.stderr.close()
        assert child.returncode == -signal.SIGKILL, where
        if rest:
            announced = int(rest[-1])
        generation = generation_of(path)
        assert generation in (announced - 1, announced), where
        backup = generation_of(path.with_name("plan.json.bak"))
        assert backup in (generation - 1, generation), where
    assert announced >= kills
    # The next save sweeps away whatever temp file a killed writer left.
    after = ActivityStore(path)
    after.add(Activity("after the kills"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "plan.json",
        "plan.json.bak",
        "plan.json.lock",
        "writer.py",
    ]
    assert len(ActivityStore(path)) == 13


# -- disk trouble -------------------------------------------------------------------------------


def read_only_replace(*_args, **_kwargs):
    raise OSError(errno.EROFS, os.strerror(errno.EROFS))


SEED_TABLE = (
    "Activity\tDate\tLead officer\tAudience\nSport Academy\t12/13 November\tLC\tSport PHs (15)\n"
)


@pytest.fixture
def saved_plan(tmp_path):
    path = tmp_path / "plan.json"
    store = ActivityStore(path, clock=clock, who="tester")
    store.add(Activity("Already there"))
    store.add(Activity("Second"))  # so that a .bak exists too
    return path


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("read-only", os.strerror(errno.EROFS)),
        ("disk full", os.strerror(errno.ENOSPC)),
        ("no lock file", "cannot create the lock file"),
    ],
)
def test_cli_import_when_saving_fails_exits_2_and_leaves_the_file(
    saved_plan, tmp_path, monkeypatch, capsys, fault, words
):
    """A read-only folder or a full disk: exit 2, a message naming the file, nothing written.

    (As root a real read-only folder cannot be made: the faults are raised
    where the OS would raise them.)
    """
    table = tmp_path / "table.tsv"
    table.write_text("Plan 2013/14\n" + SEED_TABLE, encoding="utf-8")
    before = folder_listing(tmp_path)
    if fault == "read-only":
        monkeypatch.setattr(store_module.os, "replace", read_only_replace)
    elif fault == "disk full":

        def full(path, payload):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        real_init = store_module.AtomicJSONStorage.__init__

        def init(self, *args, **kwargs):
            real_init(self, *args, **kwargs)
            self.write_hook = full

        monkeypatch.setattr(store_module.AtomicJSONStorage, "__init__", init)
    else:

        def no_lock(self, *args, **kwargs):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

        monkeypatch.setattr(store_module.FileLock, "acquire", no_lock)
    code = main(["import", "--db", str(saved_plan), str(table)])
    err = capsys.readouterr().err
    assert code == 2
    assert str(saved_plan) in err and words in err
    assert "could not save" in err or "cannot create the lock file" in err
    assert folder_listing(tmp_path) == before  # the plan, its .bak: unchanged; no temp file
    assert on_disk(saved_plan) == ["Already there", "Second"]


def test_cli_export_ics_when_writing_fails_exits_2(saved_plan, tmp_path, monkeypatch, capsys):
    """export-ics only reads the plan: a failed write of the feed is exit 2 with the
    file named, and the plan is untouched."""
    from ctstui.domain.dates import DateSpec

    store = ActivityStore(saved_plan)
    first = store.activities()[0]
    store.update(first.copy(status=Status.CONFIRMED, when=DateSpec.parse("12 November 2013")))
    plan_before = saved_plan.read_bytes()
    feed = tmp_path / "plan.ics"
    monkeypatch.setattr(store_module.os, "replace", read_only_replace)
    code = main(["export-ics", "--db", str(saved_plan), "-o", str(feed)])
    err = capsys.readouterr().err
    assert code == 2
    assert os.strerror(errno.EROFS) in err
    assert f"{feed}: cannot write the feed" in err and not feed.exists()
    assert saved_plan.read_bytes() == plan_before


def test_a_failed_save_keeps_the_change_and_the_next_save_writes_it(saved_plan, monkeypatch):
    store = ActivityStore(saved_plan, autosave=False, clock=clock)
    before = saved_plan.read_bytes()
    store.add(Activity("Pending"))
    with monkeypatch.context() as patch:
        patch.setattr(store_module.os, "replace", read_only_replace)
        with pytest.raises(SaveError, match="kept in memory"):
            store.save()
        assert saved_plan.read_bytes() == before
        assert store.dirty and "Pending" in titles(store)
    store.save()  # the folder is writable again
    assert not store.dirty
    assert on_disk(saved_plan) == ["Already there", "Pending", "Second"]


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0,
    reason="root writes to read-only folders anyway; the tests above simulate it",
)
def test_a_real_read_only_folder(saved_plan, capsys):
    folder = saved_plan.parent
    table = folder.parent / f"{folder.name}-table.tsv"
    table.write_text("Plan 2013/14\n" + SEED_TABLE, encoding="utf-8")
    before = folder_listing(folder)
    folder.chmod(0o555)
    try:
        assert main(["import", "--db", str(saved_plan), str(table)]) == 2
        assert str(saved_plan) in capsys.readouterr().err
        assert folder_listing(folder) == before
    finally:
        folder.chmod(0o755)


# -- two writers: the "in use" marker ---------------------------------------------------------------


def test_the_second_store_is_told_who_has_the_plan_open(tmp_path, monkeypatch):
    path = tmp_path / "plan.json"
    monkeypatch.setenv("CTSTUI_USER", "alice")
    first = ActivityStore(path, autosave=False, session=True)
    marker = session_path(path)
    assert marker.name == ".plan.json.session"
    recorded = json.loads(marker.read_text("utf-8"))
    assert recorded["pid"] == os.getpid() and recorded["user"] == "alice"
    assert recorded["host"] == socket.gethostname()
    assert first.other_session() is None  # its own marker is not "someone else"

    monkeypatch.setenv("CTSTUI_USER", "bob")
    second = ActivityStore(path, autosave=False, session=True)
    other = second.other_session()
    assert other is not None and other.user == "alice" and other.pid == os.getpid()
    assert "alice on " in other.describe() and f"process {os.getpid()}" in other.describe()
    assert json.loads(marker.read_text("utf-8"))["user"] == "alice"  # theirs is left alone
    second.close()
    assert marker.exists()  # bob never held it
    first.close()
    assert not marker.exists()
    first.close()  # twice is fine
    assert ActivityStore(path).other_session() is None


def test_a_stale_marker_is_ignored_and_replaced(tmp_path):
    path = tmp_path / "plan.json"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(dead.stdout)  # that process has exited
    marker = session_path(path)
    stale = Session(dead_pid, socket.gethostname(), "ghost", "2013-11-01T09:00:00Z", "old")
    marker.write_text(json.dumps(stale.__dict__))
    assert ActivityStore(path).other_session() is None
    with ActivityStore(path, autosave=False, session=True) as mine:
        assert json.loads(marker.read_text())["pid"] == os.getpid()
        assert mine.other_session() is None
    assert not marker.exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"{not json", b"[1]", b'{"pid": "12", "host": "x"}', b'{"pid": true}', b"\xff" * 10],
)
def test_a_damaged_marker_never_stops_anything(tmp_path, content):
    path = tmp_path / "plan.json"
    session_path(path).write_bytes(content)
    store = ActivityStore(path, session=True)
    assert store.other_session() is None
    store.add(Activity("Works"))
    store.close()
    assert on_disk(path) == ["Works"]


def test_a_marker_from_another_computer_is_reported(tmp_path):
    path = tmp_path / "plan.json"
    now = datetime.now(UTC).isoformat()
    theirs = Session(4242, "hq-pc-12", "carol", "2013-11-05T08:00:00Z", "t", now)
    session_path(path).write_text(json.dumps(theirs.__dict__))
    store = ActivityStore(path, autosave=False, session=True)
    # Refreshed a moment ago: cannot tell if it is alive from here, so assume so.
    assert store.other_session() == theirs
    store.close()
    assert session_path(path).exists()  # not ours to remove


def test_a_folder_that_cannot_hold_the_marker_still_works(tmp_path, monkeypatch):
    path = tmp_path / "plan.json"

    def refuse(*_args, **_kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(store_module, "atomic_write_bytes", refuse)
    store = ActivityStore(path, autosave=False, session=True)
    assert not session_path(path).exists()
    store.close()


def test_cli_warns_when_the_planner_has_the_plan_open_and_goes_ahead(
    saved_plan, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("CTSTUI_USER", "alice")
    planner = ActivityStore(saved_plan, autosave=False, session=True)
    table = tmp_path / "table.tsv"
    table.write_text("Plan 2013/14\n" + SEED_TABLE, encoding="utf-8")
    started = time.monotonic()
    assert main(["import", "--db", str(saved_plan), str(table)]) == 0
    assert time.monotonic() - started < 5
    err = capsys.readouterr().err
    assert f"{saved_plan} is also open in the planner by alice on" in err
    assert "Sport Academy" in on_disk(saved_plan)
    # ...and the planner cannot write over the import without reading it first.
    planner.add(Activity("From the planner"))
    with pytest.raises(FileChangedError):
        planner.save()
    assert planner.reload_and_reapply() == 1
    planner.save()
    assert on_disk(saved_plan) == ["Already there", "From the planner", "Second", "Sport Academy"]
    planner.close()
    assert main(["list", "--db", str(saved_plan)]) == 0
    assert "also open" not in capsys.readouterr().err


def test_run_tui_marks_the_plan_in_use_and_always_clears_it(saved_plan, monkeypatch):
    from ctstui.tui import app as app_module

    seen = {}

    class FakeApp:
        return_code = 0
        load_error = None

        def __init__(self, open_plan):
            self.open_plan = open_plan

        def run(self):
            self.open_plan()  # the planner opens the plan once it has painted
            seen["marker"] = session_path(saved_plan).exists()
            raise RuntimeError("the app crashed")

    monkeypatch.setattr(app_module, "make_app", lambda open_plan, **kw: FakeApp(open_plan))
    with pytest.raises(RuntimeError):
        main(["--db", str(saved_plan)])
    assert seen == {"marker": True}
    assert not session_path(saved_plan).exists()


# -- two writers: real processes ------------------------------------------------------------------

TWO_STEP_WRITER = textwrap.dedent(
    """
    import sys
    from ctstui.domain.model import Activity
    from ctstui.store.activity_store import ActivityStore, FileChangedError

    # As the planner works: changes in memory, saved on demand, a race reported.
    store = ActivityStore(sys.argv[1], who=sys.argv[2], autosave=False)
    print("loaded", flush=True)
    for line in sys.stdin:
        command, _, title = line.strip().partition(" ")
        try:
            if command == "add":
                store.add(Activity(title))
                store.save()
            elif command == "rename":
                item = next(a for a in store.activities() if a.title == title.split("=")[0])
                store.update(item.copy(title=title.split("=")[1]))
                store.save()
            elif command == "reapply":
                store.reload_and_reapply()
                store.save()
            print("ok", flush=True)
        except FileChangedError as exc:
            print("changed:", exc, flush=True)
        except Exception as exc:
            print("error:", type(exc).__name__, exc, flush=True)
    """
)


class Writer:
    def __init__(self, script: Path, path: Path, who: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(script), str(path), who],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        assert self.read() == "loaded"

    def read(self) -> str:
        line = self.proc.stdout.readline().strip()
        assert line, self.proc.stderr.read()
        return line

    def do(self, command: str) -> str:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.read()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(10)
        self.proc.stdout.close()
        self.proc.stderr.close()


def test_two_processes_never_write_over_each_other(tmp_path):
    path = tmp_path / "plan.json"
    base = ActivityStore(path, who="seed")
    base.add(Activity("Shared"))
    script = tmp_path / "writer.py"
    script.write_text(TWO_STEP_WRITER)
    a = Writer(script, path, "a")
    b = Writer(script, path, "b")
    try:
        assert a.do("add From A") == "ok"
        answer = b.do("add From B")  # b read the plan before a's change
        assert answer.startswith("changed:") and str(path) in answer
        assert on_disk(path) == ["From A", "Shared"]  # a's change survived
        assert b.do("reapply") == "ok"  # b re-reads and puts its change back on top
        assert on_disk(path) == ["From A", "From B", "Shared"]
        # Both rename the same activity: the later one is refused, not merged over.
        assert a.do("rename Shared=Shared (a)").startswith("changed:")  # a is stale now
        assert a.do("reapply") == "ok"
        assert on_disk(path) == ["From A", "From B", "Shared (a)"]
        assert b.do("rename Shared=Shared (b)").startswith("changed:")
        answer = b.do("reapply")
        assert answer.startswith("error: ReapplyConflict") and "“Shared (b)”" in answer
        assert on_disk(path) == ["From A", "From B", "Shared (a)"]
    finally:
        a.close()
        b.close()


def test_cli_import_racing_another_writer_reapplies_and_both_land(
    saved_plan, tmp_path, monkeypatch, capsys
):
    """Someone saves while ``ctstui import`` reads its table: the import re-reads the
    plan and puts its rows on top under the lock; their change and ours both land."""
    from ctstui.cli import import_cmd

    table = tmp_path / "table.tsv"
    table.write_text("Plan 2013/14\n" + SEED_TABLE, encoding="utf-8")
    real_read_plan = import_cmd.read_plan

    def read_plan_while_someone_saves(*args, **kwargs):
        ActivityStore(saved_plan, who="colleague").add(Activity("Theirs"))
        return real_read_plan(*args, **kwargs)

    monkeypatch.setattr(import_cmd, "read_plan", read_plan_while_someone_saves)
    assert main(["import", "--db", str(saved_plan), str(table)]) == 0
    assert on_disk(saved_plan) == ["Already there", "Second", "Sport Academy", "Theirs"]


def test_a_command_refuses_when_its_change_collides_and_leaves_theirs(saved_plan):
    mine = ActivityStore(saved_plan, who="me")
    theirs = ActivityStore(saved_plan, who="colleague")
    first = theirs.activities()[0]
    theirs.update(first.copy(place="York"))
    with pytest.raises(FileChangedError) as caught:
        mine.update(mine.get(first.id).copy(place="Leeds"))
    assert "“Already there”" in str(caught.value) and "not written" in str(caught.value)
    assert ActivityStore(saved_plan).get(first.id).place == "York"


BUSY_WRITER = textwrap.dedent(
    """
    import sys
    from ctstui.domain.model import Activity
    from ctstui.store.activity_store import ActivityStore

    for n in range(int(sys.argv[3])):
        store = ActivityStore(sys.argv[1], who=sys.argv[2])  # a command: read, change, save
        with store.transaction("import"):
            for row in range(3):
                store.add(Activity(f"{sys.argv[2]} {n}.{row}"))
    """
)


@pytest.mark.slow
def test_busy_plan_every_command_lands(tmp_path):
    """Four commands importing into one plan at once: each re-reads and re-applies
    when it loses a race, so none is refused and no row is lost."""
    path = tmp_path / "plan.json"
    ActivityStore(path).add(Activity("Seed"))
    script = tmp_path / "busy.py"
    script.write_text(BUSY_WRITER)
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(path), f"w{i}", "8"],
            env=child_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    assert len(ActivityStore(path)) == 1 + 4 * 8 * 3


# -- reload and re-apply --------------------------------------------------------------------------


@pytest.fixture
def two(tmp_path):
    """A plan with three activities, open in an (unsaved-changes) planner and a script."""
    path = tmp_path / "plan.json"
    script = ActivityStore(path, who="script", clock=clock)
    for title in ("Alpha", "Beta", "Gamma"):
        script.add(Activity(title))
    planner = ActivityStore(path, who="planner", autosave=False, clock=clock)
    return planner, ActivityStore(path, who="script", clock=clock), path


def by_title(store: ActivityStore, title: str) -> Activity:
    return next(a for a in store.activities() if a.title == title)


def test_reapply_puts_unsaved_changes_on_top_of_the_other_writers(two):
    planner, script, path = two
    planner.update(by_title(planner, "Alpha").copy(place="Leeds"))
    planner.delete(by_title(planner, "Gamma").id)
    planner.add(Activity("Delta"))
    planner.set_meta("plan_year", "2013/14")
    script.update(by_title(script, "Beta").copy(status=Status.CONFIRMED))
    script.add(Activity("Epsilon"))
    script.set_meta("stated_totals", {"days": 41})
    with pytest.raises(FileChangedError):
        planner.save()
    events = []
    planner.subscribe(events.append)
    assert planner.reload_and_reapply() == 4
    assert [e.kind for e in events] == ["reload"]
    assert planner.dirty
    planner.save()
    final = ActivityStore(path)
    assert titles(final) == ["Alpha", "Beta", "Delta", "Epsilon"]
    assert by_title(final, "Alpha").place == "Leeds"
    assert by_title(final, "Beta").status is Status.CONFIRMED
    assert final.meta("plan_year") == "2013/14"
    assert final.meta("stated_totals") == {"days": 41}
    # Our undo steps touch only what the script left alone: they still undo.
    assert planner.undo() == "add"
    assert planner.undo() == "delete"
    assert planner.undo() == "edit"
    planner.save()
    assert titles(ActivityStore(path)) == ["Alpha", "Beta", "Epsilon", "Gamma"]
    assert by_title(ActivityStore(path), "Alpha").place == ""


def test_reapply_refuses_when_both_changed_the_same_activity(two):
    planner, script, path = two
    mine = planner.update(by_title(planner, "Alpha").copy(place="Leeds"))
    planner.add(Activity("Delta"))
    script.update(by_title(script, "Alpha").copy(place="York"))
    disk = path.read_bytes()
    with pytest.raises(ReapplyConflict) as caught:
        planner.reload_and_reapply()
    message = str(caught.value)
    assert str(path) in message and "“Alpha”" in message and "nothing was reloaded" in message
    # Nothing changed: ours still in memory, theirs still on disk.
    assert planner.get(mine.id).place == "Leeds" and "Delta" in titles(planner)
    assert planner.dirty and planner.can_undo
    assert path.read_bytes() == disk
    with pytest.raises(FileChangedError):
        planner.save()
    planner.reload()  # the way out: take theirs
    assert planner.get(mine.id).place == "York" and not planner.dirty


def test_reapply_refuses_conflicting_plan_settings_and_a_deleted_file(two):
    planner, script, path = two
    planner.set_meta("plan_year", "2013/14")
    script.set_meta("plan_year", "2012/13")
    with pytest.raises(ReapplyConflict, match="plan setting 'plan_year'"):
        planner.reload_and_reapply()
    path.unlink()
    with pytest.raises(ReapplyConflict, match="deleted or moved"):
        planner.reload_and_reapply()
    assert planner.meta("plan_year") == "2013/14"


def test_reapply_keeps_only_undo_steps_that_cannot_overwrite_theirs(two):
    planner, script, path = two
    planner.update(by_title(planner, "Alpha").copy(place="Leeds"))
    planner.save()
    planner.update(by_title(planner, "Beta").copy(place="Derby"))  # unsaved
    script.reload()
    script.update(by_title(script, "Alpha").copy(place="York"))  # after our saved edit
    assert planner.reload_and_reapply() == 1
    assert planner.undo() == "edit"  # Beta's: fine
    assert by_title(planner, "Beta").place == ""
    assert planner.undo() is None  # Alpha's would put back "Leeds" over their "York"
    assert planner.redo() == "edit"
    planner.save()
    final = ActivityStore(path)
    assert by_title(final, "Alpha").place == "York" and by_title(final, "Beta").place == "Derby"


def test_reapply_with_nothing_unsaved_is_a_plain_reload(two):
    planner, script, _ = two
    script.add(Activity("Delta"))
    assert planner.reload_and_reapply() == 0
    assert not planner.dirty
    assert titles(planner) == ["Alpha", "Beta", "Delta", "Gamma"]


def test_the_same_change_on_both_sides_is_not_a_conflict(two):
    planner, script, _ = two
    alpha = by_title(planner, "Alpha")
    planner.delete(alpha.id)
    script.delete(alpha.id)
    assert planner.reload_and_reapply() == 0
    assert titles(planner) == ["Beta", "Gamma"]


def test_a_save_prepared_before_a_reload_is_not_written(two):
    """The TUI saves from a worker: a payload serialised before ctrl+r must not
    land on the file after the reload read it (it would undo the other's change)."""
    planner, script, path = two
    planner.add(Activity("Mine"))
    storage = planner.storage
    prepared, go = threading.Event(), threading.Event()
    real_mutex = storage.write_mutex
    worker_name = "save-worker"

    class Gate:
        def __enter__(self):
            if threading.current_thread().name == worker_name:
                prepared.set()  # serialised, about to take the write mutex
                assert go.wait(10)
            return real_mutex.__enter__()

        def __exit__(self, *exc):
            return real_mutex.__exit__(*exc)

    storage.write_mutex = Gate()
    errors = []

    def save():
        try:
            planner.save()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    worker = threading.Thread(target=save, name=worker_name)
    worker.start()
    assert prepared.wait(10)
    script.add(Activity("Theirs"))  # lands while the worker's payload waits
    storage.write_mutex = real_mutex
    assert planner.reload_and_reapply() == 1
    go.set()
    worker.join(10)
    assert errors == []
    assert on_disk(path) == ["Alpha", "Beta", "Gamma", "Theirs"]  # the stale payload was dropped
    assert planner.dirty
    planner.save()
    assert on_disk(path) == ["Alpha", "Beta", "Gamma", "Mine", "Theirs"]


# -- bad files, through the CLI ----------------------------------------------------------------------


def good_plan(tmp_path: Path) -> dict:
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    store = ActivityStore(scratch / "plan.json", clock=clock)
    store.add(Activity("One", leads=["SN"], days=2))
    return json.loads((scratch / "plan.json").read_text("utf-8"))


def edited(tmp_path: Path, **fields) -> bytes:
    data = good_plan(tmp_path)
    data["activities"]["1"].update(fields)
    return json.dumps(data).encode()


BIG = 50 * 1024 * 1024

BAD_FILES = {
    "truncated": (lambda tmp: json.dumps(good_plan(tmp)).encode()[:-7], "not valid JSON"),
    "another shape": (lambda tmp: b'{"rows": [{"a": 1}]}', "not a ctstui plan"),
    "a list": (lambda tmp: b"[]", "not a ctstui plan"),
    "newer schema": (
        lambda tmp: json.dumps(
            {"_meta": {"1": {"app": "ctstui", "schema": SCHEMA_VERSION + 1}}}
        ).encode(),
        "newer ctstui",
    ),
    "title a number": (lambda tmp: edited(tmp, title=12), "'title' should be str"),
    "days as text": (lambda tmp: edited(tmp, days="two"), "'days' should be a number"),
    "days not finite": (lambda tmp: edited(tmp, days=1e999), "not valid JSON"),
    "leads as text": (lambda tmp: edited(tmp, leads="SN"), "'leads'"),
    "status unknown": (lambda tmp: edited(tmp, status="done"), "'status' is 'done'"),
    "history not a list": (lambda tmp: edited(tmp, history={}), "'history'"),
    "when missing": (lambda tmp: edited(tmp, when=None), "'when' should be dict"),
    "50 MB of garbage": (lambda tmp: b"\x00garbage " * (BIG // 9), "not valid JSON"),
    "50 MB JSON string": (lambda tmp: b'"' + b"a" * BIG + b'"', "found str"),
}


def run_list(path: Path, capsys) -> tuple[int, str]:
    code = main(["list", "--db", str(path)])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_plan_files_exit_2_naming_the_file_and_the_problem(tmp_path, capsys, case):
    make, words = BAD_FILES[case]
    folder = tmp_path / "plans"
    folder.mkdir()
    path = folder / "plan.json"
    path.write_bytes(make(tmp_path))
    before = path.stat()
    started = time.monotonic()
    code, err = run_list(path, capsys)
    assert time.monotonic() - started < 5
    assert code == 2
    assert err.startswith(f"ctstui: {path}: ") and words in err, err[:300]
    assert len(err) < 1000  # a message, not the file
    assert err.count("\n") == 1
    assert path.stat().st_mtime_ns == before.st_mtime_ns and path.stat().st_size == before.st_size
    assert [p.name for p in folder.iterdir()] == ["plan.json"]  # nothing written beside it


def test_a_plan_over_the_size_limit_is_refused_unread(tmp_path, capsys, monkeypatch):
    path = tmp_path / "plan.json"
    path.write_bytes(json.dumps(good_plan(tmp_path)).encode() + b" " * 2048)
    monkeypatch.setattr(storage_module, "MAX_PLAN_BYTES", 1024)
    code, err = run_list(path, capsys)
    assert code == 2
    assert f"{path}: is 0 MB, more than the 0 MB a ctstui plan may be" in err
    assert storage_module.MAX_PLAN_BYTES == 1024
    monkeypatch.undo()
    assert storage_module.MAX_PLAN_BYTES == 256 * 1024 * 1024
    assert main(["list", "--db", str(path)]) == 0


@pytest.mark.parametrize("kind", ["folder", "missing folder", "named pipe", "device"])
def test_paths_that_are_not_plan_files_exit_2(tmp_path, capsys, kind):
    if kind == "folder":
        path = tmp_path / "plan.json"
        path.mkdir()
        words = "is a folder"
    elif kind == "missing folder":
        path = tmp_path / "no" / "such" / "plan.json"
        words = "does not exist"
    elif kind == "named pipe":
        path = tmp_path / "plan.json"
        os.mkfifo(path)  # opening it for reading would wait for a writer forever
        words = "not a regular file"
    else:
        path = Path(os.devnull)
        words = "not a regular file"
    before = sorted(p.name for p in tmp_path.iterdir())
    started = time.monotonic()
    code, err = run_list(path, capsys)
    assert time.monotonic() - started < 5
    assert code == 2
    assert f"{path}: " in err and words in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not (tmp_path / "no").exists()


def test_the_tui_refuses_a_bad_file_before_opening(tmp_path, capsys):
    path = tmp_path / "plan.json"
    path.write_bytes(b'{"_meta": {"1": {"app": "ctstui", "schema": 99}}}')
    assert main(["--db", str(path)]) == 2
    assert "newer ctstui" in capsys.readouterr().err
    assert not session_path(path).exists()


# -- unknown fields are kept ---------------------------------------------------------------------------


def test_unknown_fields_survive_edits_undo_and_reload(tmp_path, capsys):
    """A newer ctstui (same schema) may add fields: this one must not drop them."""
    path = tmp_path / "plan.json"
    data = good_plan(tmp_path)
    record = data["activities"]["1"]
    record["x_budget"] = {"amount": 1200, "currency": "GBP"}
    record["tags"] = ["peer", "sport"]
    data["activities"]["2"] = {**record, "id": "second", "title": "Two", "x_budget": None}
    data["_meta"]["1"]["x_owner"] = "team"
    data["venues"] = {"1": {"name": "Leeds"}}
    data["contracts"] = {
        "1": {
            "id": "c1",
            "funder": "Sport England",
            "start": "2013-04-01",
            "end": "2014-03-31",
            "x_ref": "SE-7",
        }
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["list", "--db", str(path)]) == 0  # read without complaint
    capsys.readouterr()

    store = ActivityStore(path, clock=clock)
    one = by_title(store, "One")
    store.update(one.copy(title="One, renamed"))
    store.delete("second")
    store.undo()  # the deleted one comes back whole
    store.set_meta("plan_year", "2013/14")
    contract = store.contracts()[0]
    store.save_contract(FunderContract(contract.funder, contract.start, contract.end, id="c1"))
    store.reload()
    store.add(Activity("Three"))
    saved = json.loads(path.read_text("utf-8"))
    records = {r["id"]: r for r in saved["activities"].values()}
    assert records[one.id]["title"] == "One, renamed"
    assert records[one.id]["x_budget"] == {"amount": 1200, "currency": "GBP"}
    assert records[one.id]["tags"] == ["peer", "sport"]
    assert records["second"]["x_budget"] is None and records["second"]["tags"] == ["peer", "sport"]
    assert saved["_meta"]["1"]["x_owner"] == "team"
    assert saved["venues"] == {"1": {"name": "Leeds"}}
    assert saved["contracts"]["1"]["x_ref"] == "SE-7"
    # The activities themselves are what this ctstui knows.
    assert ActivityStore(path).get(one.id).title == "One, renamed"


def test_unknown_fields_survive_reapply(two):
    planner, script, path = two
    data = json.loads(path.read_text("utf-8"))
    for record in data["activities"].values():
        record["x_note"] = "kept"
    path.write_text(json.dumps(data), encoding="utf-8")
    planner.reload()
    script.reload()
    planner.update(by_title(planner, "Alpha").copy(place="Leeds"))
    script.update(by_title(script, "Beta").copy(place="York"))
    planner.reload_and_reapply()
    planner.save()
    saved = json.loads(path.read_text("utf-8"))
    assert {r["title"]: r["x_note"] for r in saved["activities"].values()} == {
        "Alpha": "kept",
        "Beta": "kept",
        "Gamma": "kept",
    }


# -- a plan reached through a symbolic link ----------------------------------------------------------------


def test_saving_through_a_symlink_updates_the_real_file(tmp_path):
    real = tmp_path / "synced" / "plan.json"
    real.parent.mkdir()
    ActivityStore(real).add(Activity("One"))
    link = tmp_path / "plan.json"
    link.symlink_to(real)
    store = ActivityStore(link)
    store.add(Activity("Two"))
    assert link.is_symlink()
    assert on_disk(real) == ["One", "Two"]
    assert (real.parent / "plan.json.bak").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json", "synced"]


def test_store_errors_are_store_errors():
    assert issubclass(ReapplyConflict, StoreError)
