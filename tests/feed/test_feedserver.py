"""Tests for ``ctstui serve`` (ctstui.feed.server): a read-only feed over HTTP."""

from __future__ import annotations

import http.client
import os
import socket
import threading
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from icalendar import Calendar

from ctstui.cli.main import build_parser, main
from ctstui.domain.dates import DateSpec, Precision
from ctstui.domain.model import Activity, Status
from ctstui.feed.ical import export_feed
from ctstui.feed.server import DEFAULT_HOST, feed_slug, is_loopback, make_server
from ctstui.store.activity_store import ActivityStore

NOW = datetime(2013, 5, 1, 10, 0, tzinfo=UTC)
TODAY = date(2013, 5, 1)


def act(title: str, first: str, last: str | None = None, **kw) -> Activity:
    last = last or first
    precision = Precision.DAY if first == last else Precision.DAYS
    when = DateSpec(first, date.fromisoformat(first), date.fromisoformat(last), precision)
    kw.setdefault("status", Status.CONFIRMED)
    return Activity(title=title, when=when, **kw)


@pytest.fixture
def plan(tmp_path):
    store = ActivityStore(tmp_path / "plan.json", clock=lambda: NOW, who="test")
    store.add(act("Peer review: Solihull", "2013-05-14", "2013-05-15", place="Solihull"))
    store.add(act("Academy", "2013-05-21"))
    return store


class Running:
    def __init__(self, server):
        self.server = server
        self.host, self.port = server.server_address[:2]
        self.thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def request(self, method="GET", path="/plan.ics", headers=None, body=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=5)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp, resp.read()
        finally:
            conn.close()

    def raw(self, data: bytes) -> bytes:
        with socket.create_connection((self.host, self.port), timeout=5) as sock:
            sock.sendall(data)
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

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def serve(plan):
    running = []

    def start(**kw):
        kw.setdefault("today", lambda: TODAY)
        r = Running(make_server(plan.path, port=0, **kw))
        running.append(r)
        return r

    yield start
    for r in running:
        r.stop()


def status_line(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1])


# -- the feed -----------------------------------------------------------------------------


def test_feed_200_with_headers_and_same_bytes_as_build(plan, serve):
    srv = serve()
    resp, body = srv.request(headers={"Accept-Encoding": "gzip, deflate"})
    assert resp.status == 200
    assert resp.getheader("Content-Type") == "text/calendar; charset=utf-8"
    assert resp.getheader("Content-Encoding") is None  # never gzip (Outlook)
    assert resp.getheader("Server") == "ctstui"
    assert resp.getheader("Content-Length") == str(len(body))
    etag = resp.getheader("ETag")
    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 66
    assert parsedate_to_datetime(resp.getheader("Last-Modified")) == NOW
    cal = Calendar.from_ical(body)
    assert len(list(cal.walk("VEVENT"))) == 2
    expected = export_feed(plan, None, today=TODAY).result.data
    assert body == expected


def test_conditional_requests_get_304(serve):
    srv = serve()
    resp, _ = srv.request()
    etag, modified = resp.getheader("ETag"), resp.getheader("Last-Modified")
    resp, body = srv.request(headers={"If-None-Match": etag})
    assert resp.status == 304 and body == b""
    assert resp.getheader("ETag") == etag
    resp, body = srv.request(headers={"If-None-Match": f'"nope", W/{etag}'})
    assert resp.status == 304
    resp, body = srv.request(headers={"If-Modified-Since": modified})
    assert resp.status == 304 and body == b""
    resp, body = srv.request(headers={"If-None-Match": '"other"', "If-Modified-Since": modified})
    assert resp.status == 200 and body  # If-None-Match wins
    earlier = format_datetime(NOW - timedelta(days=1), usegmt=True)
    resp, body = srv.request(headers={"If-Modified-Since": earlier})
    assert resp.status == 200
    resp, body = srv.request(headers={"If-Modified-Since": "garbage"})
    assert resp.status == 200
    # A client whose clock is years ahead must not be told its old copy is current.
    future = format_datetime(datetime.now(UTC) + timedelta(days=3650), usegmt=True)
    resp, body = srv.request(headers={"If-Modified-Since": future})
    assert resp.status == 200 and body


def test_rebuilt_only_when_the_file_changes(plan, serve):
    srv = serve()
    first, _ = srv.request()
    srv.request()
    srv.request("HEAD")
    assert srv.server.source.builds == 1
    later = datetime(2013, 5, 2, 8, 0, tzinfo=UTC)
    editor = ActivityStore(plan.path, clock=lambda: later)
    a = editor.activities()[0]
    editor.update(a.copy(title="Renamed"))
    resp, body2 = srv.request(headers={"If-None-Match": first.getheader("ETag")})
    assert resp.status == 200
    assert resp.getheader("ETag") != first.getheader("ETag")
    assert parsedate_to_datetime(resp.getheader("Last-Modified")) == later
    assert srv.server.source.builds == 2
    ev = {str(e["UID"]): e for e in Calendar.from_ical(body2).walk("VEVENT")}[a.id]
    assert str(ev["SUMMARY"]) == "Renamed"
    assert ev["SEQUENCE"] == 1  # from the activity's history: the plan is not written


def test_head_gives_headers_only(serve):
    srv = serve()
    get, body = srv.request()
    head, nothing = srv.request("HEAD")
    assert head.status == 200 and nothing == b""
    assert head.getheader("Content-Length") == str(len(body))
    assert head.getheader("ETag") == get.getheader("ETag")


def test_page_has_subscribe_links_and_google_note(serve):
    srv = serve()
    resp, body = srv.request(path="/", headers={"Host": "feeds.example.org"})
    assert resp.status == 200
    assert resp.getheader("Content-Type") == "text/html; charset=utf-8"
    page = body.decode()
    assert "webcal://feeds.example.org/plan.ics" in page
    assert "http://feeds.example.org/plan.ics" in page
    assert "Google" in page and "public <b>https</b>" in page
    for client in ("Apple Calendar", "Outlook", "Thunderbird", "khal", "vdirsyncer"):
        assert client in page.split("Import only")[0]  # these subscribe
    assert "calcurse" in page.split("Import only")[1].split("Google")[0]  # import only
    assert 'url = "http://feeds.example.org/plan.ics"' in page
    resp, body = srv.request(path="/", headers={"Host": '"><script>alert(1)</script>'})
    assert b"<script>" not in body
    assert f"{srv.host}:{srv.port}/plan.ics".encode() in body


def test_server_never_writes_the_plan_and_serves_cancellations(plan, serve, tmp_path):
    a = plan.activities()[0]
    plan.set_status(a.id, Status.CANCELLED)
    before = plan.path.read_bytes()
    stat = os.stat(plan.path)
    files = sorted(p.name for p in tmp_path.iterdir())
    srv = serve()
    for method in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"):
        srv.request(method, body=b"x" if method in ("POST", "PUT", "PATCH") else None)
    _, body = srv.request()
    ev = {str(e["UID"]): e for e in Calendar.from_ical(body).walk("VEVENT")}[a.id]
    assert str(ev["STATUS"]) == "CANCELLED" and ev["SEQUENCE"] == 1
    assert plan.path.read_bytes() == before
    assert os.stat(plan.path).st_mtime_ns == stat.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == files


def test_a_restart_serves_the_same_bytes_etag_and_last_modified(plan, serve):
    later = datetime(2013, 5, 3, 12, 0, tzinfo=UTC)
    editor = ActivityStore(plan.path, clock=lambda: later)
    newest = editor.activities()[-1]
    editor.update(
        newest.copy(
            title="Academy (moved)",
            when=DateSpec("2013-05-22", date(2013, 5, 22), date(2013, 5, 22), Precision.DAY),
        )
    )
    first = serve()
    resp1, body1 = first.request()
    first.stop()
    second = serve()
    resp2, body2 = second.request()
    assert body2 == body1
    assert resp2.getheader("ETag") == resp1.getheader("ETag")
    assert resp2.getheader("Last-Modified") == resp1.getheader("Last-Modified")
    assert parsedate_to_datetime(resp1.getheader("Last-Modified")) == later
    # Deleting the newest activity: Last-Modified moves on to the deletion, never back.
    gone = datetime(2013, 5, 4, 9, 0, tzinfo=UTC)
    ActivityStore(plan.path, clock=lambda: gone).delete(newest.id)
    resp3, body3 = second.request(headers={"If-Modified-Since": resp1.getheader("Last-Modified")})
    assert resp3.status == 200
    assert parsedate_to_datetime(resp3.getheader("Last-Modified")) == gone
    ev = {str(e["UID"]): e for e in Calendar.from_ical(body3).walk("VEVENT")}[newest.id]
    assert str(ev["STATUS"]) == "CANCELLED" and ev["SEQUENCE"] == 2
    # Editing only notes leaves the feed byte-identical (same ETag: no re-download).
    other = ActivityStore(plan.path, clock=lambda: gone + timedelta(hours=1))
    kept = other.activities()[0]
    other.update(kept.copy(notes="ring the venue"))
    resp4, _ = second.request(headers={"If-None-Match": resp3.getheader("ETag")})
    assert resp4.status == 304


def test_query_and_planned_options(plan, serve):
    plan.add(act("Planned", "2013-06-01", status=Status.PLANNED, leads=["SN"]))
    srv = serve(query="lead:SN", include_planned=True)
    _, body = srv.request()
    events = list(Calendar.from_ical(body).walk("VEVENT"))
    assert [str(e["STATUS"]) for e in events] == ["TENTATIVE"]


# -- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/../plan.json",
        "/plan.json",
        "/%2e%2e/plan.json",
        "/..%2fplan.json",
        "/plan.ics/../plan.json",
        "/static/../../etc/passwd",
        "/PLAN.ICS",
        "/plan.json.bak",
        "/%ff",
    ],
)
def test_only_the_feed_and_page_are_served(serve, path):
    srv = serve()
    resp, body = srv.request(path=path)
    assert resp.status == 404
    assert b"schema" not in body and b"activities" not in body


def test_raw_traversal_is_404(serve):
    srv = serve()
    raw = srv.raw(b"GET /../plan.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status_line(raw) == 404
    assert b"_meta" not in raw


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"])
def test_other_methods_get_405_with_allow(serve, method):
    srv = serve()
    resp, _ = srv.request(method)
    assert resp.status == 405
    assert resp.getheader("Allow") == "GET, HEAD"


def test_oversized_request_line_is_refused(serve):
    srv = serve()
    raw = srv.raw(b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status_line(raw) == 414


def test_oversized_headers_are_refused(serve):
    srv = serve()
    headers = b"".join(b"X-Filler-%d: %s\r\n" % (i, b"y" * 1000) for i in range(20))
    raw = srv.raw(b"GET /plan.ics HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert status_line(raw) == 431
    many = b"".join(b"X-%d: 1\r\n" % i for i in range(150))
    raw = srv.raw(b"GET /plan.ics HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
    assert status_line(raw) == 431


def test_requests_with_a_body_are_refused(serve):
    srv = serve()
    resp, _ = srv.request("GET", body=b"hello", headers={"Content-Length": "5"})
    assert resp.status == 413
    raw = srv.raw(
        b"GET /plan.ics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    )
    assert status_line(raw) == 413


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"NONSENSE\r\n\r\n",
        b"GET /plan.ics HTTP/9.9.9\r\n\r\n",
        b"GET /plan.ics HTTP/2.0\r\n\r\n",
        b"GET / plan.ics HTTP/1.1 extra\r\n\r\n",
        b"GET /plan.ics\r\n\r\n",  # HTTP/0.9
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40 + b"\r\n\r\n",  # TLS hello
    ],
)
def test_malformed_requests_get_an_error_not_the_feed(serve, request_bytes):
    srv = serve()
    raw = srv.raw(request_bytes)
    assert b"BEGIN:VCALENDAR" not in raw
    assert raw.startswith(b"HTTP/1.1 ")
    assert 400 <= status_line(raw) < 600


def test_server_keeps_working_after_bad_requests(serve):
    srv = serve()
    srv.raw(b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\n\r\n")
    srv.raw(b"\x00\xff\r\n\r\n")
    resp, body = srv.request()
    assert resp.status == 200 and body.startswith(b"BEGIN:VCALENDAR")


def test_damaged_plan_keeps_the_last_good_feed(plan, serve):
    srv = serve()
    _, good = srv.request()
    plan.path.write_text("{ not json")
    resp, body = srv.request()
    assert resp.status == 200 and body == good


# -- binding and the command -----------------------------------------------------------------------


def test_binds_loopback_by_default(plan):
    server = make_server(plan.path, port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()
    args = build_parser().parse_args(["serve"])
    assert args.host == DEFAULT_HOST == "127.0.0.1"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")


def test_feed_slug():
    assert feed_slug("/x/plan.json") == "plan"
    assert feed_slug("/x/CTS plan 2013.json") == "CTS-plan-2013"
    assert feed_slug("/x/---.json") == "plan"


def test_serve_command_runs_and_stops(plan, monkeypatch, capsys):
    from ctstui.feed.server import FeedHTTPServer

    seen = {}

    def fake_serve_forever(self, poll_interval=0.5):
        seen["address"] = self.server_address
        raise KeyboardInterrupt

    monkeypatch.setattr(FeedHTTPServer, "serve_forever", fake_serve_forever)
    assert main(["--db", str(plan.path), "serve", "--port", "0"]) == 0
    out = capsys.readouterr()
    assert seen["address"][0] == "127.0.0.1"
    assert "/plan.ics" in out.out and "stopped" in out.out
    assert "anyone who can reach" not in out.err
    assert main(["--db", str(plan.path), "serve", "--port", "0", "--host", "0.0.0.0"]) == 0
    assert "anyone who can reach" in capsys.readouterr().err


def test_serve_command_errors(plan, tmp_path, capsys):
    assert main(["--db", str(tmp_path / "missing.json"), "serve"]) == 2
    assert "no plan file" in capsys.readouterr().err
    assert main(["--db", str(plan.path), "serve", "--query", "bogus:x"]) == 2
    assert main(["--db", str(plan.path), "serve", "--port", "70000"]) == 2
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--db", str(plan.path), "serve", "--port", str(port)]) == 2
    assert "cannot listen" in capsys.readouterr().err
