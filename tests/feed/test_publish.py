"""``ctstui publish``: against a real Radicale server on a loopback port, data in tmp_path.

The seed plan is published, changed, published again and read back with a
CalDAV client (the ``caldav`` library, as a team member's calendar app would).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar

from ctstui.cli.main import main
from ctstui.domain.dates import DateSpec, PlanYear
from ctstui.domain.model import Status
from ctstui.store.activity_store import ActivityStore

caldav = pytest.importorskip("caldav", reason="caldav is a dependency: pip install -e '.[test]'")

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample_plan.json"
TODAY = "2013-04-01"
USER, PASSWORD = "team", "s3cret pass"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    pytest.importorskip(
        "radicale", reason="radicale is in the test extra: pip install -e '.[test]'"
    )
    folder = tmp_path_factory.mktemp("radicale")
    users = folder / "users"
    users.write_text(f"{USER}:{PASSWORD}\n")
    port = free_port()
    config = folder / "config"
    config.write_text(
        textwrap.dedent(
            f"""\
            [server]
            hosts = 127.0.0.1:{port}
            [auth]
            type = htpasswd
            htpasswd_filename = {users}
            htpasswd_encryption = plain
            [rights]
            type = owner_only
            [storage]
            filesystem_folder = {folder / "collections"}
            [logging]
            level = warning
            """
        )
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode() if proc.stderr else ""
                proc.kill()
                pytest.fail(f"radicale did not start: {err}")
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(10)


_calendars = iter(range(1000))


@pytest.fixture
def calendar_url(radicale):
    """A new, empty calendar collection on the server."""
    url = f"{radicale}/{USER}/plan-{next(_calendars)}/"
    with caldav.DAVClient(url=url, username=USER, password=PASSWORD) as client:
        client.propfind(f"{radicale}/{USER}/", depth=0)  # Radicale makes the user's home
        response = client.mkcalendar(url)
        assert response.status in (200, 201), response.status
    return url


@pytest.fixture
def plan(tmp_path) -> Path:
    path = tmp_path / "plan.json"
    shutil.copyfile(SAMPLE, path)
    return path


@pytest.fixture
def password_file(tmp_path) -> Path:
    path = tmp_path / "password"
    path.write_text(PASSWORD + "\n")
    return path


def publish(plan: Path, url: str, password_file: Path, *extra: str) -> int:
    options = ["--user", USER, "--password-file", str(password_file), *extra]
    return main(["--db", str(plan), "--today", TODAY, "publish", url, *options])


def read_back(url: str) -> dict[str, object]:
    """UID -> VEVENT, as a CalDAV client reads the calendar."""
    with caldav.DAVClient(url=url, username=USER, password=PASSWORD) as client:
        calendar = client.calendar(url=url)
        out = {}
        for obj in calendar.events():
            (event,) = Calendar.from_ical(obj.data).walk("VEVENT")
            out[str(event["UID"])] = event
        return out


def feed_uids(plan: Path) -> set[str]:
    data = subprocess.run(
        [sys.executable, "-m", "ctstui", "--db", str(plan), "--today", TODAY, "export-ics"],
        capture_output=True,
        check=True,
    ).stdout
    return {str(e["UID"]) for e in Calendar.from_ical(data).walk("VEVENT")}


def find(store: ActivityStore, title: str, status: Status):
    (found,) = [a for a in store.activities() if a.title == title and a.status is status]
    return found


def test_publish_changes_and_republish_read_back_with_a_caldav_client(
    plan, calendar_url, password_file, capsys
):
    plan_bytes = plan.read_bytes()
    assert publish(plan, calendar_url, password_file) == 0
    out = capsys.readouterr().out
    expected = feed_uids(plan)
    assert f"{len(expected)} added" in out
    first = read_back(calendar_url)
    assert set(first) == expected
    assert plan.read_bytes() == plan_bytes  # publishing only reads the plan

    # A second run with no change sends nothing.
    assert publish(plan, calendar_url, password_file) == 0
    assert "nothing was sent" in capsys.readouterr().out

    store = ActivityStore(plan)
    moved = find(store, "Libraries peer review Solihull", Status.COMPLETED)
    store.update(moved.copy(when=DateSpec.parse("4/5 June", PlanYear(2013))))
    confirmed = find(store, "Heritage seminar", Status.PLANNED)
    store.set_status(confirmed.id, Status.CONFIRMED)
    deleted = find(store, "Libraries seminar for new PHs", Status.CONFIRMED)
    store.delete(deleted.id)
    cancelled = find(store, "Sport peer review Derby", Status.COMPLETED)
    store.set_status(cancelled.id, Status.CANCELLED)
    noted = find(store, "Officer peer training", Status.COMPLETED)
    store.update(noted.copy(notes="room booked"))

    assert publish(plan, calendar_url, password_file) == 0
    out = capsys.readouterr().out
    assert "1 added, 3 updated, 0 removed" in out
    second = read_back(calendar_url)
    assert set(second) == expected | {confirmed.id}
    assert second[moved.id].decoded("DTSTART") == date(2013, 6, 4)
    assert str(second[confirmed.id]["STATUS"]) == "CONFIRMED"
    assert str(second[deleted.id]["STATUS"]) == "CANCELLED"
    assert str(second[cancelled.id]["STATUS"]) == "CANCELLED"
    for uid in (moved.id, deleted.id, cancelled.id):
        assert second[uid]["SEQUENCE"] > first[uid]["SEQUENCE"]
    assert second[noted.id].to_ical() == first[noted.id].to_ical()

    # Once the cancellations' days have passed they are removed from the calendar.
    later = ["--db", str(plan), "--today", "2013-10-01", "publish", calendar_url]
    later += ["--user", USER, "--password-file", str(password_file)]
    assert main(later) == 0
    assert "removed: Libraries seminar for new PHs" in capsys.readouterr().out
    assert deleted.id not in read_back(calendar_url)


def test_an_edit_made_on_the_server_is_not_overwritten_but_reported(
    plan, calendar_url, password_file, capsys
):
    assert publish(plan, calendar_url, password_file) == 0
    capsys.readouterr()
    store = ActivityStore(plan)
    target = find(store, "Sport Academy", Status.COMPLETED)
    store.update(target.copy(title="Sport Academy (renamed)"))
    # Someone changes the same event in their calendar app, and publishing reads the
    # server's copy just before that change lands: simulated by a changed ETag.
    import ctstui.feed.publish as publish_module

    real = publish_module._server_objects

    def stale(client, url):
        found = real(client, url)
        found[target.id].etag = '"not-the-current-etag"'
        return found

    publish_module._server_objects = stale
    try:
        assert publish(plan, calendar_url, password_file) == 2
    finally:
        publish_module._server_objects = real
    captured = capsys.readouterr()
    assert "NOT SENT: Sport Academy (renamed): changed on the server" in captured.out
    assert "1 event was not published" in captured.err
    assert str(read_back(calendar_url)[target.id]["SUMMARY"]) == "Sport Academy"


def test_wrong_password_is_a_clear_error_and_nothing_is_sent(plan, calendar_url, tmp_path, capsys):
    wrong = tmp_path / "wrong"
    wrong.write_text("not it\n")
    assert publish(plan, calendar_url, wrong) == 2
    err = capsys.readouterr().err
    assert "refused the user name or password" in err and "nothing was sent" in err
    assert "Traceback" not in err
    assert read_back(calendar_url) == {}


def test_unreachable_server_is_a_clear_error(plan, password_file, capsys):
    url = f"http://127.0.0.1:{free_port()}/team/plan/"
    assert publish(plan, url, password_file) == 2
    err = capsys.readouterr().err
    assert "cannot reach the server" in err and "nothing was sent" in err


def test_a_collection_that_is_not_a_calendar_is_refused(
    plan, radicale, calendar_url, password_file, capsys
):
    home = f"{radicale}/{USER}/"
    assert publish(plan, home, password_file) == 2
    err = capsys.readouterr().err
    assert "is not a calendar collection" in err and "nothing was sent" in err


def test_bad_password_file_and_address(plan, tmp_path, capsys):
    assert publish(plan, "http://127.0.0.1:9/x/", tmp_path / "missing") == 2
    assert "cannot read the password" in capsys.readouterr().err
    password = tmp_path / "p"
    password.write_text("x")
    assert publish(plan, "ftp://server/cal/", password) == 2
    assert "expected an http:// or https:// address" in capsys.readouterr().err
    env = {k: v for k, v in os.environ.items() if k != "CTSTUI_CALDAV_PASSWORD"}
    done = subprocess.run(
        [sys.executable, "-m", "ctstui", "--db", str(plan), "publish", "http://x/", "--user", "a"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    assert done.returncode == 2 and "--password-file" in done.stderr


def test_objects_the_server_names_outside_the_calendar_are_never_touched():
    """A server (or a proxy) answering with hrefs elsewhere: another host, another
    calendar, a path climbing out. Those are not taken for our events, so nothing is
    put or deleted there and the password is not sent there."""
    from types import SimpleNamespace

    from ctstui.feed.publish import _server_objects

    url = "https://cal.example.org/dav/team/plan/"

    def event(uid: str) -> str:
        return f"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

    answers = {
        "a": "/dav/team/plan/a.ics",  # ours
        "b": "https://evil.example/dav/team/plan/b.ics",
        "c": "/dav/team/other/c.ics",
        "d": "/dav/team/plan/../other/d.ics",
        "e": "http://cal.example.org/dav/team/plan/e.ics",  # not https
        "f": "/dav/team/plan/sub/f.ics",
    }
    results = [
        SimpleNamespace(href=h, etag='"1"', calendar_data=event(u)) for u, h in answers.items()
    ]
    client = SimpleNamespace(
        report=lambda *a, **k: SimpleNamespace(status=207, parse_calendar_query=lambda: results)
    )
    found = _server_objects(client, url)
    assert {uid: obj.href for uid, obj in found.items()} == {"a": url + "a.ics"}
