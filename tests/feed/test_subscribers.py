"""A real subscriber: vdirsyncer's http storage against a real ``ctstui serve``, and khal.

The test starts ``ctstui serve`` as its own process on a free loopback port,
syncs the feed into a folder with vdirsyncer (one .ics per event, as any
CalDAV/vdir client keeps it), changes the plan (a move, a confirmation, a
deletion, a cancellation, a note), syncs again and checks that every change
arrived and nothing else moved.  khal then reads the folder.

vdirsyncer's http storage (0.21) always replaces each event's UID with a hash
of its content (``HttpStorage._ignore_uids``, not configurable): a changed
event arrives as a new file that replaces the old one, an unchanged one keeps
its file.  What must hold, and is checked: one file per event, distinct UIDs,
the folder equal to the feed after every sync.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar

from ctstui.domain.dates import DateSpec, PlanYear
from ctstui.domain.model import Status
from ctstui.store.activity_store import ActivityStore

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample_plan.json"
TODAY = "2013-04-01"
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]' installs it)")
    return found


@pytest.fixture
def served(tmp_path):
    """``ctstui serve`` on the sample plan's copy, as a separate process."""
    plan = tmp_path / "plan.json"
    shutil.copyfile(SAMPLE, plan)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ctstui",
            "--db",
            str(plan),
            "--today",
            TODAY,
            "serve",
            "--port=0",
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    url = None
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.search(r"feed:\s+(http://127\.0\.0\.1:\d+/plan\.ics)", line)
        if found:
            url = found.group(1)
            break
    if url is None:
        proc.kill()
        pytest.fail(f"ctstui serve did not start: {proc.stderr.read() if proc.stderr else ''}")
    yield plan, url
    proc.terminate()
    proc.wait(10)


def vdirsyncer_config(tmp_path: Path, url: str) -> Path:
    config = tmp_path / "vdirsyncer.conf"
    config.write_text(
        textwrap.dedent(
            f"""\
            [general]
            status_path = "{tmp_path / "status"}/"

            [pair team_feed]
            a = "team_feed_remote"
            b = "team_feed_local"
            collections = null
            conflict_resolution = "a wins"

            [storage team_feed_remote]
            type = "http"
            url = "{url}"

            [storage team_feed_local]
            type = "filesystem"
            path = "{tmp_path / "calendar"}/"
            fileext = ".ics"
            """
        )
    )
    (tmp_path / "calendar").mkdir()
    return config


def sync(vdirsyncer: str, config: Path, *commands: str) -> None:
    for command in commands:
        done = subprocess.run(
            [vdirsyncer, "--config", str(config), command],
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, f"vdirsyncer {command}: {done.stdout}{done.stderr}"


def event_key(event) -> tuple:
    """An event's content, without the UID (which vdirsyncer replaces)."""
    names = ("SUMMARY", "DTSTART", "DTEND", "SEQUENCE", "STATUS", "DESCRIPTION")
    return (*(str(event.get(name, "")) for name in names), event.decoded("DTSTART"))


def synced(folder: Path) -> dict[tuple, str]:
    """Event content -> file name, for every file vdirsyncer wrote."""
    out: dict[tuple, str] = {}
    uids: set[str] = set()
    for item in sorted(folder.glob("*.ics")):
        events = list(Calendar.from_ical(item.read_bytes()).walk("VEVENT"))
        assert len(events) == 1, item.name
        uid = str(events[0]["UID"])
        assert uid not in uids, f"two files hold the UID {uid}"
        uids.add(uid)
        key = event_key(events[0])
        assert key not in out, f"{item.name} and {out.get(key)} hold the same event"
        out[key] = item.name
    return out


def feed_events(plan: Path) -> dict[tuple, object]:
    data = subprocess.run(
        [sys.executable, "-m", "ctstui", "--db", str(plan), "--today", TODAY, "export-ics"],
        capture_output=True,
        check=True,
    ).stdout
    return {event_key(e): e for e in Calendar.from_ical(data).walk("VEVENT")}


def find(store: ActivityStore, title: str, status: Status):
    (found,) = [a for a in store.activities() if a.title == title and a.status is status]
    return found


def test_vdirsyncer_gets_every_event_and_every_change_and_khal_lists_them(served, tmp_path):
    vdirsyncer = tool("vdirsyncer")
    plan, url = served
    config = vdirsyncer_config(tmp_path, url)
    sync(vdirsyncer, config, "discover", "sync")

    store = ActivityStore(plan)
    before = feed_events(plan)
    assert len(before) >= 8
    first = synced(tmp_path / "calendar")
    assert set(first) == set(before)  # every event, each in its own file

    moved = find(store, "Libraries peer review Solihull", Status.COMPLETED)
    store.update(moved.copy(when=DateSpec.parse("4/5 June", PlanYear(2013))))
    confirmed = find(store, "Heritage seminar", Status.PLANNED)
    store.set_status(confirmed.id, Status.CONFIRMED)
    deleted = find(store, "Libraries seminar for new PHs", Status.CONFIRMED)
    store.delete(deleted.id)
    cancelled = find(store, "Sport peer review Derby", Status.COMPLETED)
    store.set_status(cancelled.id, Status.CANCELLED)
    notes_only = find(store, "Officer peer training", Status.COMPLETED)
    store.update(notes_only.copy(notes="room booked"))

    sync(vdirsyncer, config, "sync")
    after = feed_events(plan)
    second = synced(tmp_path / "calendar")
    assert set(second) == set(after)  # every change arrived; no stale copy left behind
    by_uid = {str(e["UID"]): e for e in after.values()}
    assert by_uid[moved.id].decoded("DTSTART") == date(2013, 6, 4)
    assert str(by_uid[confirmed.id]["STATUS"]) == "CONFIRMED"
    assert str(by_uid[deleted.id]["STATUS"]) == "CANCELLED"
    assert str(by_uid[cancelled.id]["STATUS"]) == "CANCELLED"
    changed = {event_key(by_uid[i]) for i in (moved.id, confirmed.id, deleted.id, cancelled.id)}
    assert changed <= set(second) and not changed & set(first)
    # Everything else, the event whose notes changed among them, kept its file.
    unchanged = set(first) & set(second)
    assert event_key(by_uid[notes_only.id]) in unchanged
    assert len(unchanged) == len(first) - 3  # moved, deleted and cancelled were replaced
    assert all(first[key] == second[key] for key in unchanged)

    khal = shutil.which("khal", path=str(BIN)) or shutil.which("khal")
    if khal is None:
        return  # vdirsyncer's part is the subscription; khal only reads the folder
    khal_config = tmp_path / "khal.conf"
    khal_config.write_text(
        textwrap.dedent(
            f"""\
            [calendars]
            [[team]]
            path = {tmp_path / "calendar"}/
            type = calendar

            [sqlite]
            path = {tmp_path / "khal.db"}

            [locale]
            timeformat = %H:%M
            dateformat = %Y-%m-%d
            longdateformat = %Y-%m-%d
            datetimeformat = %Y-%m-%d %H:%M
            longdatetimeformat = %Y-%m-%d %H:%M
            """
        )
    )
    listed = subprocess.run(
        [
            khal,
            "--no-color",
            "-c",
            str(khal_config),
            "list",
            "--day-format",
            "",
            "--format",
            "{uid}",
            "2013-04-01",
            "2014-03-31",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert listed.returncode == 0, listed.stderr
    listed_uids = set(listed.stdout.split())
    in_year = set()
    for item in (tmp_path / "calendar").glob("*.ics"):
        event = next(iter(Calendar.from_ical(item.read_bytes()).walk("VEVENT")))
        if date(2013, 4, 1) <= event.decoded("DTSTART") <= date(2014, 3, 31):
            in_year.add(str(event["UID"]))
    assert len(in_year) >= 8
    assert listed_uids == in_year  # khal shows every event of the plan year, nothing else


def test_calcurse_imports_the_feed(tmp_path):
    """calcurse cannot subscribe; it imports a file (each event once)."""
    calcurse = shutil.which("calcurse")
    if calcurse is None:
        pytest.skip("calcurse is not installed (apt-get install calcurse)")
    plan = tmp_path / "plan.json"
    shutil.copyfile(SAMPLE, plan)
    feed = tmp_path / "plan.ics"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ctstui",
            "--db",
            str(plan),
            "--today=" + TODAY,
            "export-ics",
            "-o",
            str(feed),
        ],
        check=True,
        capture_output=True,
    )
    titles = {str(e["SUMMARY"]) for e in Calendar.from_ical(feed.read_bytes()).walk("VEVENT")}
    home = tmp_path / "calcurse"
    home.mkdir()
    env = {**os.environ, "HOME": str(tmp_path), "TERM": "dumb"}
    done = subprocess.run(
        [calcurse, "-D", str(home), "-i", str(feed)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    listed = subprocess.run(
        [calcurse, "-D", str(home), "--input-datefmt=4", "-Q", "--from=2013-04-01", "--days=3000"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    assert listed.returncode == 0, listed.stderr
    for title in titles:
        assert title in listed.stdout, title
