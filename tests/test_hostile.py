"""Hostile input: text in every field and imported cell, and requests to the feed server.

Text: Rich markup, ANSI and other control characters, bidi overrides, 10k
characters, right-to-left and combining characters, emoji.  The CLI's
tables show control characters as escapes and keep their columns; the .ics
feed stays valid for three strict parsers, with nothing injected; imported
cells are stored as written.  (The TUI's side is tests/tui/test_reliability_tui.py.)

Server: complements tests/test_feedserver.py with fuzzed request targets,
absolute-form and backslash traversal, NUL bytes and a stalled client.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from datetime import UTC, date, datetime

import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from ctstui.cli.main import main
from ctstui.domain.dates import DateSpec, Precision
from ctstui.domain.model import Activity, Status
from ctstui.domain.text import cell_width, fit, printable
from ctstui.feed.ical import clean_line
from ctstui.feed.server import FeedRequestHandler, make_server
from ctstui.store.activity_store import ActivityStore

NOW = datetime(2013, 5, 1, 10, 0, tzinfo=UTC)

HOSTILE_TEXTS = [
    "[bold]B[/bold] [link=http://evil]L[/link] [/] [@click=app.quit]Q[/]",
    "\x1b[31mRED\x1b[0m \x1b]8;;http://evil\x07OSC\x1b]8;;\x07 \x1b[2J\x9b2J \x07\x08\x00",
    "line\r\nDESCRIPTION:injected\r\nBEGIN:VEVENT\nX-INJECT:1\rEND:VCALENDAR",
    "\u202eevil\u202c \u2066iso\u2069 עברית ومرحبا e\u0301\u0301 a\u20dd",
    "🎭 👩‍👩‍👧 🇬🇧 ☕ 中文字符 Ｆｕｌｌ",
    'quote " comma , semi ; colon : back\\slash\\ tab\tend',
    "T" * 10_000,
]
HOSTILE = " ".join(HOSTILE_TEXTS[:6])
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def day(iso: str) -> DateSpec:
    d = date.fromisoformat(iso)
    return DateSpec(iso, d, d, Precision.DAY)


def hostile_plan(path, title: str = HOSTILE) -> ActivityStore:
    store = ActivityStore(path, clock=lambda: NOW, who=HOSTILE[:40])
    store.add(
        Activity(
            title=title,
            when=DateSpec(title, date(2013, 5, 14), date(2013, 5, 15), Precision.DAYS),
            place=title,
            audience=title,
            places=15,
            leads=[title, "SN"],
            link=title,
            programme=title,
            funder=title,
            notes=title,
            days=2,
            status=Status.CONFIRMED,
        )
    )
    return store


# -- the CLI's table ----------------------------------------------------------------------


@pytest.mark.parametrize("index", range(len(HOSTILE_TEXTS)))
def test_list_table_escapes_controls_and_keeps_its_columns(tmp_path, capsys, index):
    text = HOSTILE_TEXTS[index]
    path = tmp_path / "plan.json"
    store = hostile_plan(path, text)
    store.add(Activity("Plain", when=day("2013-06-01"), leads=["LC"], status=Status.PLANNED))
    assert main(["list", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert not RAW_CONTROL.search(out.replace("\n", ""))
    header, rule, *rows, total = out.splitlines()
    assert len(rows) == 2 and total.startswith("2 activities")
    # Every row's Kind column starts under the header's, whatever came before it.
    kind_at = header.index("Kind")
    for row in rows:
        assert cell_width(row[: row.index("  other")]) + 2 == kind_at, row
        assert cell_width(row) <= cell_width(rule)
    if text.startswith("T" * 50):
        assert "T" * 20 + "…" in rows[0]  # the 10k title cut (the row fits the rule: above)


def test_list_json_and_csv_keep_the_text_exactly(tmp_path, capsys):
    path = tmp_path / "plan.json"
    hostile_plan(path)
    assert main(["list", "--db", str(path), "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out  # JSON escapes it
    record = json.loads(out)[0]
    assert record["title"] == HOSTILE and record["leads"][0] == HOSTILE


def test_fit_pads_and_cuts_by_terminal_columns():
    assert fit("abc", 5) == "abc  "
    assert fit("🎭🎭🎭", 5) == "🎭🎭…"
    assert cell_width(fit("🎭🎭🎭", 5)) == 5
    assert fit("e\u0301e\u0301", 3) == "e\u0301e\u0301 "
    assert cell_width(fit("中文字符", 5)) == 5
    assert printable("\u202eevil") == "\\u202eevil"
    assert printable("\x1b[31m") == "\\x1b[31m"


# -- the .ics feed --------------------------------------------------------------------------


def unfolded(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


@pytest.mark.parametrize("index", range(len(HOSTILE_TEXTS)))
def test_ics_of_hostile_fields_is_valid_and_injects_nothing(tmp_path, capsys, index):
    title = HOSTILE_TEXTS[index]
    path = tmp_path / "plan.json"
    hostile_plan(path, title)
    out = tmp_path / "plan.ics"
    assert main(["export-ics", "--db", str(path), "-o", str(out), "--today", "2013-05-01"]) == 0
    assert not RAW_CONTROL.search(capsys.readouterr().err.replace("\n", ""))
    data = out.read_bytes()
    # Bytes: UTF-8, CRLF only, folded at 75 octets.
    data.decode("utf-8")
    assert b"\n" not in data.replace(b"\r\n", b"") and b"\r" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    # Structure: one event, no property the text tried to inject.
    lines = unfolded(data)
    assert [line for line in lines if line.startswith("BEGIN:")] == [
        "BEGIN:VCALENDAR",
        "BEGIN:VEVENT",
    ]
    assert not [line for line in lines if line.startswith(("X-INJECT", "DESCRIPTION:injected"))]
    assert lines.count("END:VCALENDAR") == 1
    # Three strict parsers agree.
    cal = Calendar.from_ical(data)
    cal.validate()
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == clean_line(title)
    assert str(event["LOCATION"]) == clean_line(title)
    IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    parsed = vobject.readOne(data.decode("utf-8"), validate=True)
    assert parsed.vevent.summary.value == clean_line(title)


def test_ics_calendar_name_from_a_hostile_file_name(tmp_path, capsys):
    folder = tmp_path / "x"
    folder.mkdir()
    path = folder / "plan\x1b[31m;X-INJECT:1,é🎭.json"
    hostile_plan(path, "Academy")
    out = tmp_path / "feed.ics"
    assert main(["export-ics", "--db", str(path), "-o", str(out)]) == 0
    capsys.readouterr()
    data = out.read_bytes()
    lines = unfolded(data)
    assert not [line for line in lines if line.startswith("X-INJECT")]
    assert "\x1b" not in data.decode("utf-8")
    Calendar.from_ical(data).validate()
    vobject.readOne(data.decode("utf-8"), validate=True)
    IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))


# -- imported cells --------------------------------------------------------------------------

IMPORT_HEAD = "Activity\tDate\tTarget audience\tLink to business plan\tLead officer"


def test_imported_hostile_cells_are_stored_as_written_and_printed_escaped(tmp_path, capsys):
    cells = [t.replace("\t", " ").replace("\r", " ").replace("\n", " ") for t in HOSTILE_TEXTS]
    rows = [
        f"{cell[:1900]} seminar\t21 May\t{cell[:200]}\thttps://x/{cell[:50]}\tSN" for cell in cells
    ]
    table = tmp_path / "table.tsv"
    table.write_text("\n".join(["Plan 2013/14", IMPORT_HEAD, *rows]) + "\n", encoding="utf-8")
    path = tmp_path / "plan.json"
    code = main(["import", "--db", str(path), str(table)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert not RAW_CONTROL.search((out + err).replace("\n", ""))
    stored = ActivityStore(path).activities()
    assert len(stored) == len(cells)
    found = {a.title for a in stored}
    assert "[bold]B[/bold] [link=http://evil]L[/link] [/] [@click=app.quit]Q[/] seminar" in found
    assert any("🎭 👩‍👩‍👧 🇬🇧" in t for t in found)
    assert any("\u202eevil" in t for t in found)  # stored as written; only shown escaped
    assert main(["list", "--db", str(path)]) == 0
    listing = capsys.readouterr().out
    assert not RAW_CONTROL.search(listing.replace("\n", ""))
    assert "\\u202eevil" in listing


def test_report_of_hostile_text_prints_no_control_characters(tmp_path, capsys):
    path = tmp_path / "plan.json"
    hostile_plan(path)
    for fmt in ("text", "markdown"):
        assert main(["report", "--db", str(path), "--format", fmt, "--today", "2013-05-01"]) == 0
        out = capsys.readouterr().out
        assert not RAW_CONTROL.search(out.replace("\n", "")), fmt


# -- the feed server -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    path = folder / "plan.json"
    hostile_plan(path, "Academy")
    (folder / "plan.json.bak").write_bytes(path.read_bytes())
    (folder / "secret.txt").write_text("SECRET")
    srv = make_server(path, port=0, today=lambda: date(2013, 5, 1))
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def exchange(srv, data: bytes, timeout: float = 5) -> bytes:
    host, port = srv.server_address[:2]
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)  # all sent: the server sees the end of the request
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def assert_nothing_leaked(response: bytes) -> None:
    assert b'"_meta"' not in response and b"SECRET" not in response
    assert b'"activities"' not in response


TARGET_PARTS = st.sampled_from(
    ["/", "..", ".", "%2e", "%2E%2e", "%2f", "%5c", "\\", "plan.json", "plan.ics", "plan",
     ".bak", "secret.txt", "%00", "?", "#", ";", "//", "~", "index.html", "%ff", "%", "a"]
)  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(TARGET_PARTS, max_size=8).map("".join))
def test_fuzzed_request_targets_get_the_feed_the_page_or_404(server, target):
    target = "/" + target if not target.startswith("/") else target
    response = exchange(
        server, f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    code = status_of(response)
    assert_nothing_leaked(response)
    assert code in (200, 400, 404), response[:200]
    if code == 200:
        body = response.split(b"\r\n\r\n", 1)[1]
        assert body.startswith((b"BEGIN:VCALENDAR", b"<!doctype html>"))


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1/../plan.json",
        "http://127.0.0.1/%2e%2e/plan.json",
        "//127.0.0.1/../plan.json",
        "/..\\plan.json",
        "/plan.ics%00.json",
        "/plan.ics/..%2f..%2fplan.json",
        "*",
        "plan.json",
        "../plan.json",
        "/./plan.json",
        "/secret.txt",
        "/plan.json.bak",
        "/.plan.json.session",
    ],
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_traversal_in_any_form_is_refused(server, target, method):
    response = exchange(
        server, f"{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    assert status_of(response) in (400, 404)
    assert_nothing_leaked(response)


def test_absolute_form_for_the_feed_serves_only_the_feed(server):
    response = exchange(
        server,
        b"GET http://elsewhere.example/plan.ics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    assert status_of(response) == 200
    assert response.split(b"\r\n\r\n", 1)[1].startswith(b"BEGIN:VCALENDAR")


def test_hostile_host_header_cannot_inject_into_the_page(server):
    response = exchange(
        server,
        b'GET / HTTP/1.1\r\nHost: "><script>alert(1)</script>\r\nConnection: close\r\n\r\n',
    )
    assert status_of(response) == 200
    assert b"<script>" not in response


def test_a_stalled_client_is_dropped_and_others_are_served(server, monkeypatch):
    monkeypatch.setattr(FeedRequestHandler, "timeout", 0.5)
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=5) as stalled:
        stalled.sendall(b"GET /plan.ics HTTP/1.1\r\nHost: x\r\n")  # never finishes
        response = exchange(
            server, b"GET /plan.ics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        assert status_of(response) == 200  # served meanwhile
        started = time.monotonic()
        leftover = stalled.recv(65536)  # the server gives up on it
        assert time.monotonic() - started < 4
        assert b"BEGIN:VCALENDAR" not in leftover


def test_a_flood_of_junk_connections_leaves_the_server_serving(server):
    for junk in (b"\x00" * 5000, b"GET " + b"/" * 9000 + b"\r\n\r\n", b"\r\n" * 500, b"G"):
        exchange(server, junk, timeout=3)
    response = exchange(server, b"HEAD /plan.ics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status_of(response) == 200 and b"BEGIN:VCALENDAR" not in response
