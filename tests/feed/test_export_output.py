"""``export-ics -o``: files replaced atomically; devices, pipes and ``-`` written through;
links followed and kept; a killed export's temp file cleaned up by the next run."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from ctstui.cli.main import main
from ctstui.domain.dates import DateSpec, Precision
from ctstui.domain.model import Activity, Status
from ctstui.store.activity_store import ActivityStore

NOW = datetime(2013, 5, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def plan(tmp_path) -> Path:
    store = ActivityStore(tmp_path / "plan.json", clock=lambda: NOW, who="test")
    when = DateSpec("21 May", date(2013, 5, 21), date(2013, 5, 21), Precision.DAY)
    store.add(Activity("Sport peer review", when=when, status=Status.CONFIRMED))
    return store.path


def export(plan: Path, output: str) -> int:
    return main(["--db", str(plan), "--today", "2013-05-01", "export-ics", "-o", output])


def feed_bytes(plan: Path, capsysbinary) -> bytes:
    assert main(["--db", str(plan), "--today", "2013-05-01", "export-ics"]) == 0
    return capsysbinary.readouterr().out


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


def test_an_ordinary_file_is_replaced_atomically_and_keeps_its_mode(plan, tmp_path, capsysbinary):
    expected = feed_bytes(plan, capsysbinary)
    out = tmp_path / "feed.ics"
    out.write_bytes(b"old contents")
    out.chmod(0o640)
    old_inode = out.stat().st_ino
    assert export(plan, str(out)) == 0
    assert out.read_bytes() == expected
    assert out.stat().st_ino != old_inode  # a new file renamed over the old one
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert temps(tmp_path) == []


def test_dash_is_standard_output(plan, tmp_path, capsysbinary):
    assert export(plan, "-") == 0
    captured = capsysbinary.readouterr()
    assert captured.out.startswith(b"BEGIN:VCALENDAR\r\n")
    assert len(list(Calendar.from_ical(captured.out).walk("VEVENT"))) == 1
    assert b"wrote 1 event" in captured.err
    assert not (tmp_path / "-").exists()


def test_a_symlink_is_followed_its_target_replaced_and_the_link_kept(plan, tmp_path, capsysbinary):
    expected = feed_bytes(plan, capsysbinary)
    webroot = tmp_path / "www"
    webroot.mkdir()
    target = webroot / "team.ics"
    target.write_bytes(b"old")
    link = tmp_path / "feed.ics"
    link.symlink_to(os.path.relpath(target, tmp_path))
    assert export(plan, str(link)) == 0
    assert link.is_symlink()
    assert os.readlink(link) == os.path.relpath(target, tmp_path)
    assert target.read_bytes() == expected
    assert temps(webroot) == [] and temps(tmp_path) == []
    # A link to a file that does not exist yet: the file is made where it points.
    target.unlink()
    assert export(plan, str(link)) == 0
    assert link.is_symlink() and target.read_bytes() == expected


def test_a_fifo_is_written_through_not_replaced(plan, tmp_path, capsysbinary):
    expected = feed_bytes(plan, capsysbinary)
    fifo = tmp_path / "feed.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as fh:
            received.append(fh.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    assert export(plan, str(fifo)) == 0
    thread.join(10)
    assert received == [expected]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert temps(tmp_path) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_node_is_written_through_not_replaced(plan, tmp_path):
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the same device as /dev/null
    except PermissionError as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    try:
        with open(null, "wb") as fh:
            fh.write(b"probe")
    except OSError as exc:  # a folder on a file system mounted nodev
        pytest.skip(f"device nodes cannot be opened in {tmp_path}: {exc}")
    assert export(plan, str(null)) == 0
    st = os.stat(null)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)
    assert temps(tmp_path) == []


def test_a_folder_is_refused_with_exit_2(plan, tmp_path, capsys):
    assert export(plan, str(tmp_path)) == 2
    assert f"{tmp_path}: cannot write the feed" in capsys.readouterr().err


def test_a_killed_export_leaves_no_temp_file_after_the_next_run(plan, tmp_path, capsysbinary):
    expected = feed_bytes(plan, capsysbinary)
    out = tmp_path / "feed.ics"
    # An export killed between writing its temp file and renaming it.
    script = (
        "import os, sys, time\n"
        "from ctstui.store import output as write_out\n"
        "write_out.os.fsync = lambda fd: time.sleep(60)\n"
        "write_out.write_output(sys.argv[1], b'half')\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script, str(out)])
    try:
        deadline = time.monotonic() + 20
        while not temps(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert temps(tmp_path), "the export never started writing"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    left = temps(tmp_path)
    assert left and not out.exists()
    # Another writer that is still alive keeps its temp file.
    alive = tmp_path / f".feed.ics.tmp-{os.getppid()}-other"
    alive.write_bytes(b"in progress")
    assert export(plan, str(out)) == 0
    assert out.read_bytes() == expected
    assert temps(tmp_path) == [alive.name]


@pytest.mark.parametrize("how", ["the plan itself", "a symlink to it", "a hard link to it"])
def test_the_plan_file_is_refused_as_the_output_and_left_as_it_was(plan, tmp_path, capsys, how):
    before = plan.read_bytes()
    target = plan
    if how == "a symlink to it":
        target = tmp_path / "feed.ics"
        target.symlink_to(plan)
    elif how == "a hard link to it":
        target = tmp_path / "feed.ics"
        os.link(plan, target)
    assert export(plan, str(target)) == 2
    assert "that is the plan file; the feed never writes over it" in capsys.readouterr().err
    assert plan.read_bytes() == before


def test_the_planners_export_also_follows_a_link_and_keeps_it(plan, tmp_path):
    """The planner's export (export_feed without the command line) writes as export-ics does."""
    from ctstui.feed.ical import export_feed

    published = tmp_path / "www" / "team.ics"
    published.parent.mkdir()
    published.write_bytes(b"old")
    link = tmp_path / "plan.ics"
    link.symlink_to(published)
    export_feed(ActivityStore(plan, who="test"), link, today=date(2013, 5, 1))
    assert link.is_symlink() and os.readlink(link) == str(published)
    assert Calendar.from_ical(published.read_bytes()).walk("VEVENT")
