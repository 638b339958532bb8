"""``ctstui serve``: the .ics feed over HTTP, read-only, from the current plan file.

Plain Python (standard library ``http.server``; no Textual).

- ``/`` is a small page with the subscribe links; ``/<plan>.ics`` is the feed
  (``text/calendar; charset=utf-8``, ETag, Last-Modified, 304 on conditional
  requests, never compressed: gzip breaks Outlook subscriptions).  Nothing
  else is served: every other path is 404, whatever it names, because no
  path is ever mapped to a file.
- Only GET and HEAD (anything else: 405 with ``Allow``); request lines over
  8 KiB (414), headers over 16 KiB or 100 fields (431) and requests with a
  body (413) are refused; idle connections time out.
- The feed is rebuilt only when the plan file's (mtime_ns, size, inode) or
  the date changed.  The plan is only read, never written, and the feed is
  a pure function of it and the date: a restart serves the same bytes, ETag
  and Last-Modified.
- It binds 127.0.0.1 unless told otherwise.  The page says which calendar
  apps subscribe to the address (Apple Calendar, Outlook, Thunderbird; khal
  through vdirsyncer), which can only import it (calcurse), and how to
  publish for Google (a public https address).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import http.client
import os
import re
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ctstui.domain.query import Query
from ctstui.domain.text import printable
from ctstui.feed.ical import build_store_feed, calendar_name_for

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
MAX_REQUEST_LINE = 8192
MAX_HEADER_BYTES = 16384
REQUEST_TIMEOUT = 15.0  # seconds a connection may stay idle
ALLOWED = "GET, HEAD"
_HOST_HEADER = re.compile(r"[A-Za-z0-9.\-]+(?::[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?")


def feed_slug(plan_path: Path | str) -> str:
    """The feed's file name (without .ics) from the plan file's: ``plan.json`` -> ``plan``."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(plan_path).stem).strip("-")
    return slug or "plan"


@dataclass(frozen=True)
class Feed:
    """One built feed, ready to serve."""

    data: bytes
    etag: str
    last_modified: datetime | None  # None: the plan never published anything
    events: int


class FeedSource:
    """Builds the feed from the plan file, again only when the file (or the date) changed.

    The feed is a pure function of the plan and the date (see
    :mod:`ctstui.feed.ical`): a restarted server, or one on another machine,
    serves the same bytes, ETag and Last-Modified for the same plan.
    """

    def __init__(
        self,
        db_path: Path | str,
        *,
        include_planned: bool = False,
        query: Query | None = None,
        today: Callable[[], date] | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.db_path = Path(db_path)
        self.include_planned = include_planned
        self.query = query if query else None
        self.name = calendar_name_for(self.db_path, self.query)
        self.slug = feed_slug(self.db_path)
        self._today = today or date.today
        self._log = log or (lambda message: None)
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._feed: Feed | None = None
        self.builds = 0

    def current(self) -> Feed | None:
        """The feed for the file as it is now (None if the plan cannot be read yet)."""
        with self._lock:
            try:
                st = os.stat(self.db_path)
                key = (st.st_mtime_ns, st.st_size, st.st_ino, self._today())
            except OSError as exc:
                self._log(f"cannot read {self.db_path}: {exc.strerror or exc}")
                return self._feed
            if key != self._key or self._feed is None:
                try:
                    self._feed = self._build(key[-1])
                    self._key = key
                except Exception as exc:  # a damaged or half-written plan: keep the last feed
                    self._log(f"cannot build the feed from {self.db_path}: {exc}")
            return self._feed

    def _build(self, today: date) -> Feed:
        from ctstui.store.activity_store import ActivityStore

        store = ActivityStore(self.db_path, autosave=False)  # read-only use: nothing is saved
        result = build_store_feed(
            store,
            today=today,
            include_planned=self.include_planned,
            query=self.query,
            calendar_name=self.name,
        )
        self.builds += 1
        etag = '"' + hashlib.sha256(result.data).hexdigest() + '"'
        return Feed(result.data, etag, result.last_modified, result.events)


class _LimitedReader:
    """A request's input, refusing more than ``budget`` bytes of request line and headers."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.budget = MAX_HEADER_BYTES

    def readline(self, limit: int = -1) -> bytes:
        if self.budget <= 0:
            raise http.client.LineTooLong("header section")
        size = self.budget + 1 if limit < 0 else min(limit, self.budget + 1)
        line = self.raw.readline(size)
        self.budget -= len(line)
        if self.budget < 0:
            raise http.client.LineTooLong("header section")
        return line

    def __getattr__(self, name: str):
        return getattr(self.raw, name)


class FeedRequestHandler(BaseHTTPRequestHandler):
    """GET/HEAD of the page and the feed; everything else refused."""

    server: FeedHTTPServer
    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.0"  # so errors for malformed requests have a status line
    server_version = "ctstui"
    sys_version = ""
    timeout = REQUEST_TIMEOUT

    def version_string(self) -> str:
        return self.server_version  # no Python version in the Server header

    def setup(self) -> None:
        super().setup()
        self.rfile = _LimitedReader(self.rfile)  # type: ignore[assignment]

    # -- request parsing with limits --------------------------------------------------
    def handle_one_request(self) -> None:
        try:
            self.rfile.budget = MAX_HEADER_BYTES  # type: ignore[attr-defined]
            try:
                line = self.rfile.readline(MAX_REQUEST_LINE + 1)
            except http.client.LineTooLong:
                line = b"x" * (MAX_REQUEST_LINE + 1)
            if len(line) > MAX_REQUEST_LINE:
                self.requestline = self.request_version = self.command = ""
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                self.close_connection = True
                return
            if not line:
                self.close_connection = True
                return
            self.raw_requestline = line
            if not self.parse_request():
                self.close_connection = True
                return
            if len(self.requestline.split()) != 3:  # HTTP/0.9 ("GET /path"): not supported
                self.send_error(HTTPStatus.BAD_REQUEST, "HTTP/0.9 is not supported")
                return
            if self.command not in ("GET", "HEAD"):
                self._refuse_method()
                return
            if self._has_body():
                self.send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Requests may not have a body")
                self.close_connection = True
                return
            self._serve()
            self.wfile.flush()
        except TimeoutError:
            self.close_connection = True

    def _has_body(self) -> bool:
        if self.headers.get("Transfer-Encoding"):
            return True
        length = self.headers.get("Content-Length")
        if length is None:
            return False
        return length.strip() != "0"

    def _refuse_method(self) -> None:
        self.close_connection = True
        body = b"Only GET and HEAD are allowed: this feed is read-only.\n"
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", ALLOWED)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    # -- routing ----------------------------------------------------------------------------
    def _serve(self) -> None:
        try:
            path = unquote(urlsplit(self.path).path, errors="strict") or "/"
        except UnicodeDecodeError:
            path = ""
        source = self.server.source
        if path in ("/", "/index.html"):
            self._send_page()
        elif path == f"/{source.slug}.ics":
            self._send_feed()
        else:
            self._send_text(HTTPStatus.NOT_FOUND, f"Not found. The feed is at /{source.slug}.ics\n")

    def _send_text(self, status: HTTPStatus, text: str) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_feed(self) -> None:
        feed = self.server.source.current()
        if feed is None:
            self._send_text(HTTPStatus.SERVICE_UNAVAILABLE, "The plan cannot be read just now.\n")
            return
        if self._not_modified(feed):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self._feed_headers(feed)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self._feed_headers(feed)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        self.send_header("Content-Length", str(len(feed.data)))
        self.send_header("Content-Disposition", f'inline; filename="{self.server.source.slug}.ics"')
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(feed.data)

    def _feed_headers(self, feed: Feed) -> None:
        self.send_header("ETag", feed.etag)
        if feed.last_modified is not None:
            self.send_header("Last-Modified", format_datetime(feed.last_modified, usegmt=True))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")

    def _not_modified(self, feed: Feed) -> bool:
        """RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since only without it."""
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            strong = feed.etag
            return any(t == "*" or t == strong or t.removeprefix("W/") == strong for t in tags)
        ims = self.headers.get("If-Modified-Since")
        if ims is None or feed.last_modified is None:
            return False
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError, IndexError):
            return False
        if since is None:
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        if since > datetime.now(UTC):
            return False  # RFC 9110 13.1.3: a date in the future is invalid (a wrong clock)
        return feed.last_modified <= since

    def _send_page(self) -> None:
        source = self.server.source
        host = self._public_host()
        path = f"/{source.slug}.ics"
        http_url = f"http://{host}{path}"
        webcal_url = f"webcal://{host}{path}"
        feed = source.current()
        count = "unavailable just now" if feed is None else f"{feed.events} events"
        e = html.escape
        page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{e(source.name)}</title>
<style>body{{font-family:sans-serif;max-width:46em;margin:2em auto;line-height:1.4}}
code{{background:#eee;padding:0 .2em}}</style></head>
<body><h1>{e(source.name)}</h1>
<p>Confirmed activities from the plan as a calendar feed ({e(count)}).
Feed address: <a href="{e(http_url)}"><code>{e(http_url)}</code></a></p>

<h2>Subscribe (updates arrive by themselves)</h2>
<ul>
<li><a href="{e(webcal_url)}">Subscribe</a> opens the calendar app on this device:
<code>{e(webcal_url)}</code></li>
<li><b>Apple Calendar</b>: File &rarr; New Calendar Subscription, paste the feed address.</li>
<li><b>Outlook</b>: Add calendar &rarr; Subscribe from web (Outlook on the web) or
From Internet (Outlook for Windows), paste the feed address.</li>
<li><b>Thunderbird</b>: New Calendar &rarr; On the Network, paste the feed address.</li>
<li><b>khal</b> reads a folder, not an address: let <b>vdirsyncer</b> fetch the feed into
a folder (an <code>http</code> storage with <code>url = "{e(http_url)}"</code> paired with a
<code>filesystem</code> storage) and point khal at that folder; run
<code>vdirsyncer sync</code> to update.</li>
</ul>

<h2>Import only (a one-off copy)</h2>
<ul>
<li><b>calcurse</b> cannot subscribe: save the feed and run <code>calcurse -i FILE</code>.
It keeps no event ids, so importing again adds every event a second time: remove the
old ones first.</li>
</ul>

<h2>Google Calendar</h2>
<p>Google fetches subscribed feeds from Google's own servers, so it cannot read a feed
on this computer or the office network. Publish the feed at a public <b>https</b>
address: copy the file written by <code>ctstui export-ics -o FILE</code> to any web
host, or run <code>ctstui serve</code> behind the team's web server (which adds HTTPS)
and subscribe to that address (the same path, <code>{e(path)}</code>) with
Other calendars &rarr; From URL. Google re-reads it when it chooses (often less than
once a day).</p>

<h2>A shared CalDAV calendar</h2>
<p>A team with Nextcloud, Radicale, Fastmail or another CalDAV server can have
changes show at once: <code>ctstui publish CALENDAR-URL --user NAME --password-file
FILE</code> puts the events into that calendar.</p>

<p>Subscribed calendars re-read the feed about every 12 hours.</p>
</body></html>
"""
        body = page.encode("utf-8")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _public_host(self) -> str:
        host = (self.headers.get("Host") or "").strip()
        if host and _HOST_HEADER.fullmatch(host):
            return host
        name, port = self.server.server_address[:2]
        name = str(name)
        if ":" in name:
            name = f"[{name}]"
        return f"{name}:{port}"

    # -- logging ----------------------------------------------------------------------------------
    def log_message(self, format: str, *args) -> None:
        log = self.server.log
        if log is not None:
            log(printable(f"{self.address_string()} - {format % args}"))


class FeedHTTPServer(ThreadingHTTPServer):
    """The threaded server; ``source`` builds the feed, ``log`` gets one line per request."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        source: FeedSource,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.source = source
        self.log = log
        super().__init__(address, FeedRequestHandler)

    def handle_error(self, request, client_address) -> None:
        # A calendar app that hangs up early is routine, not a traceback in the log.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        host = str(host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}"

    @property
    def feed_url(self) -> str:
        return f"{self.base_url}/{self.source.slug}.ics"


class _FeedHTTPServer6(FeedHTTPServer):
    address_family = socket.AF_INET6


def make_server(
    db_path: Path | str,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    include_planned: bool = False,
    query: Query | str | None = None,
    today: Callable[[], date] | None = None,
    log: Callable[[str], None] | None = None,
) -> FeedHTTPServer:
    """A server for the plan at ``db_path`` (not yet serving: call ``serve_forever``).

    ``port=0`` picks a free port (see ``server.server_address``).  Raises
    OSError if the address cannot be bound.
    """
    if isinstance(query, str):
        query = Query.parse(query) if query.strip() else None
    source = FeedSource(db_path, include_planned=include_planned, query=query, today=today, log=log)
    cls = _FeedHTTPServer6 if ":" in host else FeedHTTPServer
    return cls((host, port), source, log=log)


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host == "localhost":
        return True
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    return False
