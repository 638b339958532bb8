"""Publishing the feed into a CalDAV calendar (Nextcloud, Radicale, Fastmail...).

Plain Python; the ``caldav`` library (imported only when publishing) speaks to
the server.  A subscription refreshes every few hours; a CalDAV calendar the
team already shares shows a change as soon as it is published.

- Each event of the feed (the same events, SEQUENCE and stamps as
  ``export-ics``: see :mod:`ctstui.feed.ical`) is one calendar object
  ``<activity id>.ics`` holding one VEVENT.
- What the server holds is read first (one REPORT): an object that is the
  same as ours is not sent again, so a re-run with no change sends nothing; a
  changed one is replaced with ``If-Match`` and the server's ETag, so an edit
  made on the server meanwhile is never overwritten (it is reported); a new
  one is created with ``If-None-Match: *``.
- An event the feed no longer holds (a cancellation whose days have passed)
  is deleted, again with ``If-Match``.  Only objects whose UID is one of this
  plan's activities (or deleted activities) are ever touched: other events in
  a shared calendar are left alone.
- Nothing is remembered locally: the server's copies are the record, so any
  computer can publish the same plan.
- Problems are :class:`PublishError` (nothing could be done: wrong password,
  unreachable server, not a calendar) or listed in the report's ``failed``
  (the objects that were not sent, and why, after the others were).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from icalendar import Calendar

from ctstui.domain.query import Query
from ctstui.feed.ical import PRODID, EventRecord, plan_feed, render_object

if TYPE_CHECKING:
    from ctstui.store.activity_store import ActivityStore

TIMEOUT = 30  # seconds for one request

_CALENDAR_QUERY = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
</C:calendar-query>"""

_RESOURCETYPE = """<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>"""

_CALDAV_CALENDAR = "{urn:ietf:params:xml:ns:caldav}calendar"
# What a subscriber sees of an event: equal in these, the server's copy is ours.
_COMPARED = (
    "SUMMARY",
    "DTSTART",
    "DTEND",
    "SEQUENCE",
    "STATUS",
    "DESCRIPTION",
    "LOCATION",
    "CATEGORIES",
    "LAST-MODIFIED",
)


class PublishError(Exception):
    """Publishing could not start or went wrong for all events; the message says why."""


@dataclass
class ServerObject:
    href: str
    etag: str | None
    key: tuple | None  # the compared properties (None: unreadable)


@dataclass
class PublishReport:
    """What was sent; ``failed`` lists (event summary, why) for what was not."""

    url: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return len(self.created) + len(self.updated) + len(self.removed)

    def lines(self) -> list[str]:
        if not self.sent and not self.failed:
            out = [f"{self.url}: up to date ({self.unchanged} events); nothing was sent"]
        else:
            out = [
                f"{self.url}: {len(self.created)} added, {len(self.updated)} updated, "
                f"{len(self.removed)} removed, {self.unchanged} unchanged"
            ]
        for title in self.created:
            out.append(f"  added: {title}")
        for title in self.updated:
            out.append(f"  updated: {title}")
        for title in self.removed:
            out.append(f"  removed: {title}")
        for title, why in self.failed:
            out.append(f"  NOT SENT: {title}: {why}")
        return out


def _event_key(component: Any) -> tuple:
    return tuple(
        component.get(name).to_ical() if component.get(name) is not None else b""
        for name in _COMPARED
    )


def _key_of(data: str | bytes | None) -> tuple[str | None, tuple | None]:
    """(UID, compared properties) of a calendar object, (None, None) if unreadable."""
    if not data:
        return None, None
    try:
        events = list(Calendar.from_ical(data).walk("VEVENT"))
    except Exception:  # another program's damaged object: leave it alone
        return None, None
    if len(events) != 1 or "UID" not in events[0]:
        return None, None
    return str(events[0]["UID"]), _event_key(events[0])


def _connect(url: str, username: str | None, password: str | None):
    from caldav.davclient import DAVClient

    return DAVClient(
        url=url,
        username=username or None,
        password=password,
        timeout=TIMEOUT,
        enable_rfc6764=False,
    )


# Connection failures as the HTTP library words them -> in the user's words.
_CONNECTION_PROBLEMS = (
    ("refused", "the server refused the connection (is it running, and is the port right?)"),
    ("failed to resolve", "the server's name could not be found"),
    ("name or service not known", "the server's name could not be found"),
    ("nodename nor servname", "the server's name could not be found"),
    ("getaddrinfo failed", "the server's name could not be found"),
    ("timed out", f"no answer within {TIMEOUT} seconds"),
    ("timeout", f"no answer within {TIMEOUT} seconds"),
    ("certificate", "its https certificate could not be verified"),
    ("ssl", "the secure (https) connection failed"),
    ("network is unreachable", "the network is unreachable"),
    ("no route to host", "there is no route to the server"),
    ("reset by peer", "the server closed the connection"),
    ("connection aborted", "the server closed the connection"),
    ("remote end closed", "the server closed the connection"),
)


def _explain(exc: BaseException, url: str) -> str:
    """A request's failure in the user's words."""
    from caldav.lib import error

    if isinstance(exc, error.AuthorizationError):
        return (
            f"{url}: the server refused the user name or password "
            "(check --user and the password file)"
        )
    if isinstance(exc, error.DAVError):
        status = getattr(exc, "status", None)
        return f"{url}: the server answered with an error" + (f" (HTTP {status})" if status else "")
    lowered = str(exc).lower()
    for clue, meaning in _CONNECTION_PROBLEMS:
        if clue in lowered:
            return f"{url}: cannot reach the server: {meaning}"
    return f"{url}: cannot reach the server: the connection failed ({type(exc).__name__})"


def _check_calendar(client, url: str) -> None:
    response = client.propfind(url, _RESOURCETYPE, depth=0)
    if response.status == 404:
        raise PublishError(f"{url}: no collection at this address (HTTP 404)")
    if response.status not in (200, 207) or response.tree is None:
        raise PublishError(
            f"{url}: the server did not answer as a CalDAV server (HTTP {response.status})"
        )
    kinds = {child.tag for rt in response.tree.iter("{DAV:}resourcetype") for child in rt}
    if _CALDAV_CALENDAR not in kinds:
        raise PublishError(
            f"{url}: is not a calendar collection (give the address of a calendar, "
            "e.g. https://server/remote.php/dav/calendars/USER/NAME/ on Nextcloud)"
        )


def _server_objects(client, url: str) -> dict[str, ServerObject]:
    """The server's events in the calendar, by UID."""
    response = client.report(url, _CALENDAR_QUERY, depth=1)
    if response.status not in (200, 207):
        raise PublishError(f"{url}: cannot list the calendar's events (HTTP {response.status})")
    found: dict[str, ServerObject] = {}
    for result in response.parse_calendar_query():
        uid, key = _key_of(result.calendar_data)
        href = urljoin(url, str(result.href))
        if uid is not None and _inside(url, href):
            found[uid] = ServerObject(href, result.etag, key)
    return found


def _inside(collection: str, href: str) -> bool:
    """Is ``href`` an object of the calendar at ``collection``?  A server's answer
    naming anything else (another calendar, another host) is never written to or
    deleted, and the user's password is never sent there."""
    base, target = urlsplit(collection), urlsplit(href)
    folder, path = unquote(base.path), unquote(target.path)  # "%20" and " " alike
    return (
        (target.scheme, target.netloc.lower()) == (base.scheme, base.netloc.lower())
        and path.startswith(folder)
        and path != folder
        and "/" not in path[len(folder) :]
    )


def _object_url(url: str, uid: str) -> str:
    return url + quote(uid, safe="") + ".ics"


def publish(
    store: ActivityStore,
    url: str,
    *,
    username: str | None = None,
    password: str | None = None,
    today: date,
    include_planned: bool = False,
    query: Query | None = None,
) -> PublishReport:
    """Make the calendar at ``url`` hold the plan's feed (see the module's notes)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise PublishError(f"{url}: expected an http:// or https:// address of a calendar")
    if not url.endswith("/"):
        url += "/"
    plan = plan_feed(
        store.activities(),
        store.tombstones(),
        today=today,
        include_planned=include_planned,
        query=query,
    )
    ours = {a.id for a in store.activities()} | {t.id for t in store.tombstones()}
    wanted = {r.uid: r for r in plan.records}
    client = _connect(url, username, password)
    try:
        try:
            _check_calendar(client, url)
            on_server = _server_objects(client, url)
        except PublishError:
            raise
        except Exception as exc:
            raise PublishError(_explain(exc, url))
        report = PublishReport(url=url)
        _send(client, url, wanted.values(), on_server, report)
        stale = [
            (uid, obj)
            for uid, obj in sorted(on_server.items())
            if uid in ours and uid not in wanted
        ]
        titles = _titles(store)
        for uid, obj in stale:
            title = titles.get(uid, uid)
            headers = {"If-Match": obj.etag} if obj.etag else {}
            try:
                response = client.delete(obj.href, headers=headers)
            except Exception as exc:
                report.failed.append((title, f"not removed: {_explain(exc, obj.href)}"))
                continue
            if response.status in (200, 204, 404):
                report.removed.append(title)
            else:
                report.failed.append((title, f"not removed: {_status_reason(response.status)}"))
    finally:
        client.close()
    return report


def _send(
    client,
    url: str,
    records: Iterable[EventRecord],
    on_server: dict[str, ServerObject],
    report: PublishReport,
) -> None:
    for record in records:
        body = render_object(record, PRODID)
        mine = _key_of(body)[1]
        existing = on_server.get(record.uid)
        if existing is not None and existing.key == mine:
            report.unchanged += 1
            continue
        if existing is not None:
            target = existing.href
            headers = {"If-Match": existing.etag} if existing.etag else {}
        else:
            target = _object_url(url, record.uid)
            headers = {"If-None-Match": "*"}
        headers["Content-Type"] = "text/calendar; charset=utf-8"
        try:
            response = client.put(target, body.decode("utf-8"), headers=headers)
        except Exception as exc:
            report.failed.append((record.summary, _explain(exc, target)))
            continue
        if response.status in (200, 201, 204):
            (report.updated if existing is not None else report.created).append(record.summary)
        else:
            report.failed.append((record.summary, _status_reason(response.status)))


def _status_reason(status: int) -> str:
    if status == 412:
        return (
            "changed on the server since it was read (HTTP 412); not overwritten: "
            "publish again to replace it"
        )
    if status == 403:
        return "the server does not allow this change (HTTP 403)"
    if status == 507:
        return "the server is out of space (HTTP 507)"
    return f"the server refused it (HTTP {status})"


def _titles(store: ActivityStore) -> dict[str, str]:
    titles = {t.id: t.activity.title for t in store.tombstones()}
    titles.update({a.id: a.title for a in store.activities()})
    return titles
