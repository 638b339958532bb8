"""The .ics feed: confirmed activities as all-day events people can subscribe to.

Plain Python (no Textual).  A subscribed feed is re-read for months, so it has
to be right and *stable*, and the same whoever builds it:

- the feed is a pure function of the plan (its activities with their
  history, and the store's tombstones of deleted ones) and today's date.
  Nothing about publication is remembered anywhere: ``export-ics`` and
  ``serve`` only read the plan, and any process, after any restart, on any
  machine, writes the same bytes from the same plan;
- every VEVENT's UID is the activity's stored uuid; the VCALENDAR has no UID
  (vdirsyncer copies calendar properties into each split item and would give
  every event the calendar's UID);
- SEQUENCE counts the activity's recorded changes to *published* fields
  (:data:`PUBLISHED_FIELDS`, and the "dropped by a later import" note line),
  DTSTAMP and LAST-MODIFIED are the time of the last of them, CREATED the
  activity's creation; a change to an unpublished field (notes, days, funder)
  leaves the feed byte-identical.  History only grows, so neither goes down;
- an activity that was published and then left the feed (cancelled, back to
  TBC or planned, its date no longer a fixed day, flagged as no longer in the
  plan by a later import, deleted, or no longer matching a filtered feed's
  query) is sent with STATUS:CANCELLED until its last published day has
  passed, then left out.  Whether and when it was published is read from its
  history; a deletion is the store's tombstone (the activity as it last was,
  and when it was deleted: one more change, stamped with that time).

Fast path
---------
:func:`render_feed` writes each VEVENT as text with icalendar's own escaping
(``_escape_char``) and a folding routine that produces exactly what
icalendar's ``_foldline`` does (checked by the tests), in the order
icalendar's ``Event.to_ical()`` uses.  The output is byte-identical to a
straightforward one-``Event``-at-a-time icalendar build (see
``tests/perf/bench_ics.py``), at a fraction of the time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from icalendar import Calendar, vDuration
from icalendar.parser import _escape_char, _foldline

from ctstui.domain.dates import DateParseError, DateSpec, Precision
from ctstui.domain.markers import missing_mark
from ctstui.domain.model import Activity, HistoryEntry, Kind, Rag, Status, Theme
from ctstui.domain.planview import plan_year_of
from ctstui.domain.query import Query
from ctstui.domain.text import count_of
from ctstui.store.output import write_output

if TYPE_CHECKING:
    from ctstui.store.activity_store import ActivityStore, Tombstone

PRODID = "-//ctstui//Culture Tourism Sport planner//EN"
TIMEZONE = "Europe/London"
REFRESH = timedelta(hours=12)
# The stamp of an activity with no recorded time at all (a hand-made file): fixed,
# so the feed stays the same from one build to the next.
NO_TIME = datetime(2000, 1, 1, tzinfo=UTC)

TENTATIVE = "TENTATIVE"
CONFIRMED = "CONFIRMED"
CANCELLED = "CANCELLED"

_FEED_STATUS = {Status.CONFIRMED: CONFIRMED, Status.COMPLETED: CONFIRMED}

# The fields a VEVENT shows (SUMMARY, DTSTART/DTEND, LOCATION, CATEGORIES, STATUS and
# the DESCRIPTION's lines): a recorded change to one of them is a published change.
PUBLISHED_FIELDS = frozenset(
    {
        "title",
        "kind",
        "theme",
        "place",
        "when",
        "status",
        "optional",
        "rag",
        "audience",
        "places",
        "leads",
        "link",
        "programme",
    }
)


# -- records ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One VEVENT, as plain values (rendered by :func:`render_event`)."""

    uid: str
    summary: str
    start: date
    end: date  # exclusive (the day after the last day), as DTEND;VALUE=DATE wants
    stamp: datetime  # UTC: DTSTAMP and LAST-MODIFIED, the last published change
    sequence: int
    status: str  # CONFIRMED, TENTATIVE or CANCELLED
    created: datetime | None = None
    description: str = ""
    location: str = ""
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedHeader:
    """The VCALENDAR's own properties (no UID: see the module's notes)."""

    name: str
    description: str = ""
    prodid: str = PRODID
    timezone: str = TIMEZONE
    refresh: timedelta = REFRESH


@dataclass
class FeedResult:
    """What :func:`build_feed` made.

    ``events`` counts every VEVENT written, ``cancelled`` those among them
    that are cancellation notices.  ``left_out`` lists the candidates
    (confirmed/completed, and planned when included) that have no fixed day,
    with the reason.  ``last_modified`` is the feed's Last-Modified (None for a
    plan that never published anything).
    """

    data: bytes
    events: int
    left_out: list[tuple[Activity, str]]
    cancelled: int
    last_modified: datetime | None
    records: list[EventRecord] = field(default_factory=list, repr=False)
    header: FeedHeader | None = None

    @property
    def empty(self) -> bool:
        return not self.records


# -- text hygiene -------------------------------------------------------------------

# C0 controls except TAB/LF/CR, DEL, C1 controls, lone surrogates: never valid in a
# TEXT value (RFC 5545 3.3.11) and rejected by strict parsers.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Bidirectional controls (embeddings, overrides, isolates, marks): a title holding
# U+202E would show reversed, hiding what it says, in every subscriber's calendar.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
_LINE_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029]")
_ONE_LINE = re.compile(r"\s*(?:\r\n|[\r\n\u2028\u2029])\s*")


_DIRTY = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff{BIDI_CONTROLS}]")


def clean_text(text: str) -> str:
    """Multi-line text safe for a TEXT value: line breaks kept (as LF), controls and
    bidirectional controls dropped."""
    if _DIRTY.search(text) is None:
        return text
    text = text.replace("\t", " ")
    text = _LINE_BREAKS.sub("\n", text)
    text = _BIDI.sub("", text)
    return _CONTROL.sub(lambda m: "\ufffd" if "\ud800" <= m.group(0) <= "\udfff" else "", text)


def clean_line(text: str) -> str:
    """One-line text (SUMMARY, LOCATION): line breaks become a space."""
    return clean_text(_ONE_LINE.sub(" ", text)).strip()


# -- dates ------------------------------------------------------------------------------


def parse_stamp(text: str | None) -> datetime | None:
    """A stored ISO timestamp ("2013-05-01T10:00:00Z") as an aware UTC datetime."""
    if not text or not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def feed_window(activity: Activity) -> tuple[date, date] | str:
    """The activity's days (first, last - inclusive), or why it has no fixed day.

    Single days and ranges of days qualify.  An "or" date ("10 or 11 July")
    qualifies only once a day has been confirmed, which the plan records by
    narrowing it to that one option; with several options left it is left out.
    """
    when = activity.when
    p = when.precision
    if p in (Precision.DAY, Precision.DAYS) and when.start and when.end:
        if when.end < when.start:
            return f"its date {when.text!r} ends before it starts"
        if when.end >= date.max:
            return f"its date {when.text!r} is out of range"
        return when.start, when.end
    if p is Precision.OPTIONS:
        options = when.options or tuple(d for d in (when.start, when.end) if d)
        if len(set(options)) == 1 and options[0] < date.max:
            return options[0], options[0]
        return (
            f"its date {when.text!r} is a choice of days ({when.describe()}); "
            "set the day once it is confirmed"
        )
    if p is Precision.ONGOING:
        return "it is ongoing, with no dates"
    if p is Precision.NONE or (when.start is None and when.end is None):
        return "it has no date yet"
    what = {
        Precision.WEEK: "a week",
        Precision.PART: "part of a month",
        Precision.MONTH: "a month",
        Precision.MONTHS: "months",
        Precision.BY: "a deadline",
        Precision.FROM: "an open-ended start",
    }.get(p, "not a fixed day")
    return f"its date {when.text!r} is {what}, not fixed days; set the days to include it"


def _ics_date(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _ics_stamp(moment: datetime) -> str:
    return (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
        f"T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}Z"
    )


# -- the plan's own record of publication ---------------------------------------------


def is_dropped(notes: object) -> bool:
    """True when a later import flagged the activity as no longer in the plan
    (its note line: :mod:`ctstui.domain.markers`)."""
    return isinstance(notes, str) and missing_mark(notes) is not None


def _changes_published(entry: HistoryEntry) -> bool:
    changes = entry.changes
    if not changes:
        return False
    if not PUBLISHED_FIELDS.isdisjoint(changes):
        return True
    notes = changes.get("notes")
    return (
        isinstance(notes, list) and len(notes) == 2 and is_dropped(notes[0]) != is_dropped(notes[1])
    )


@dataclass(frozen=True, slots=True)
class Publication:
    """SEQUENCE, DTSTAMP/LAST-MODIFIED and CREATED of an activity, from its history."""

    sequence: int
    stamp: datetime
    created: datetime


def publication(activity: Activity) -> Publication:
    """Count the recorded changes to published fields; the last one's time is the stamp.

    An activity with no history (a hand-made file) uses ``updated``, else ``created``.
    """
    history = activity.history
    created = (
        parse_stamp(activity.created)
        or (parse_stamp(history[0].at) if history else None)
        or parse_stamp(activity.updated)
        or NO_TIME
    )
    if not history:
        return Publication(0, parse_stamp(activity.updated) or created, created)
    sequence = 0
    stamp = created
    for entry in history:
        if _changes_published(entry):
            sequence += 1
            stamp = max(stamp, parse_stamp(entry.at) or stamp)
    return Publication(sequence, stamp, created)


_ENUMS: dict[str, type] = {"kind": Kind, "theme": Theme, "status": Status, "rag": Rag}
_TEXT_FIELDS = frozenset({"title", "place", "audience", "link", "programme", "notes"})


def earlier_when(text: object, newer: DateSpec) -> DateSpec:
    """The window of an earlier date text, as the plan read it.

    History records a date's text only.  A text with its year written is exact;
    one without ("14 May") was read in the plan year of the date that replaced
    it when that one had no year written either (an edit or import reads both
    in one plan year).  Anything else is unknown: that version counts as not on
    fixed days, never as a guessed date.
    """
    text = str(text)
    try:
        return DateSpec.parse(text)
    except DateParseError:
        pass
    year_written = True
    try:
        DateSpec.parse(newer.text)
    except DateParseError:
        year_written = False
    if not year_written and newer.start is not None:
        try:
            return DateSpec.parse(text, plan_year_of(newer.start))
        except DateParseError:
            pass
    return DateSpec(text)


def _from_json(name: str, value: object, newer: Activity) -> object:
    """A history value (as :meth:`Activity.field_value` records it) back as a field value."""
    if name in _ENUMS:
        return _ENUMS[name](value)
    if name == "when":
        return earlier_when(value, newer.when)
    if name in _TEXT_FIELDS:
        if not isinstance(value, str):
            raise TypeError(name)
        return value
    if name == "leads":
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise TypeError(name)
        return list(value)
    if name == "places":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError(name)
        return value
    if name == "optional":
        if not isinstance(value, bool):
            raise TypeError(name)
        return value
    raise KeyError(name)


_REPLAYED = PUBLISHED_FIELDS | {"notes"}


def earlier_versions(activity: Activity) -> Iterable[Activity]:
    """The activity as it was before each recorded change, newest first.

    Stops at a history entry it cannot read back (a hand-edited file).
    """
    version = activity
    for entry in reversed(activity.history):
        changes = {
            name: pair[0]
            for name, pair in entry.changes.items()
            if name in _REPLAYED and isinstance(pair, list) and len(pair) == 2
        }
        if not changes:
            continue
        try:
            version = version.copy(
                **{name: _from_json(name, old, version) for name, old in changes.items()}
            )
        except (ValueError, TypeError, KeyError):
            return
        yield version


# -- building ----------------------------------------------------------------------------------


def describe(activity: Activity) -> str:
    """The DESCRIPTION: kind, audience and places, leads, link, programme, date, RAG."""
    a = activity
    lines = [f"Kind: {a.kind.value}"]
    if a.audience and a.places is not None:
        lines.append(f"Audience: {a.audience} ({a.places} places)")
    elif a.audience:
        lines.append(f"Audience: {a.audience}")
    elif a.places is not None:
        lines.append(f"Places: {a.places}")
    if a.leads:
        lines.append("Leads: " + "/".join(a.leads))
    if a.link:
        lines.append(f"Link: {a.link}")
    if a.programme:
        lines.append(f"Programme: {a.programme}")
    if a.when.text:
        lines.append(f"Date as written: {a.when.text}")
    lines.append(f"RAG: {a.rag.value}")
    lines.append(f"Status: {a.status.value}" + (" (optional)" if a.optional else ""))
    return clean_text("\n".join(lines))


@dataclass(frozen=True, slots=True)
class _Shown:
    """What a feed shows of an activity (one version of it)."""

    summary: str
    first: date
    last: date
    status: str


def _feed_status(activity: Activity, include_planned: bool) -> str | None:
    status = _FEED_STATUS.get(activity.status)
    if status is None and include_planned and activity.status is Status.PLANNED:
        return TENTATIVE
    return status


class _Selection:
    """Which activities (or versions of one) a feed shows."""

    def __init__(self, include_planned: bool, query: Query | None) -> None:
        self.include_planned = include_planned
        self.query = query

    def show(self, activity: Activity) -> _Shown | str | None:
        """What the feed shows of it; a reason if it is a candidate with no fixed day;
        None if it is not in this feed."""
        status = _feed_status(activity, self.include_planned)
        if status is None or is_dropped(activity.notes):
            return None
        if self.query is not None and not self.query.matches(activity):
            return None
        window = feed_window(activity)
        if isinstance(window, str):
            return window
        return _Shown(clean_line(activity.title) or "(untitled)", window[0], window[1], status)

    def last_shown(self, activity: Activity) -> _Shown | None:
        """The newest earlier version the feed showed, if any."""
        if not self._ever_in_a_feed_status(activity):
            return None  # most planned and TBC activities: no versions to rebuild
        for version in earlier_versions(activity):
            shown = self.show(version)
            if isinstance(shown, _Shown):
                return shown
        return None

    def _ever_in_a_feed_status(self, activity: Activity) -> bool:
        wanted = {Status.CONFIRMED.value, Status.COMPLETED.value}
        if self.include_planned:
            wanted.add(Status.PLANNED.value)
        if activity.status.value in wanted:
            return True
        for entry in activity.history:
            pair = entry.changes.get("status")
            if isinstance(pair, list) and pair and pair[0] in wanted:
                return True
        return False

    def leave_note(self, activity: Activity | None) -> str:
        if activity is None:
            return "It was removed from the plan."
        if activity.status is Status.CANCELLED:
            return "It was cancelled."
        if is_dropped(activity.notes):
            return "It is no longer in the plan: a later import did not list it."
        if self.query is not None and not self.query.matches(activity):
            return "It no longer matches this feed's filter."
        if _feed_status(activity, self.include_planned) is None:
            return f"It is no longer confirmed (now {activity.status.value})."
        return "Its date is no longer a fixed day."


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _cancellation(ident: str, shown: _Shown, pub: Publication, note: str) -> EventRecord:
    return EventRecord(
        uid=clean_line(ident),
        summary=f"Cancelled: {shown.summary}",
        start=shown.first,
        end=shown.last + timedelta(days=1),
        stamp=pub.stamp,
        sequence=pub.sequence,
        status=CANCELLED,
        created=pub.created,
        description=clean_text(f"Cancelled. {note}"),
    )


def plan_feed(
    activities: Iterable[Activity],
    tombstones: Iterable[Tombstone] = (),
    *,
    today: date,
    include_planned: bool = False,
    query: Query | str | None = None,
) -> FeedPlan:
    """The feed's events (sorted), the left-out candidates, and its Last-Modified.

    ``activities`` is the whole plan (a query, if any, is applied here, so
    activities that leave a filtered feed are told apart from deleted ones);
    ``tombstones`` the store's deleted activities.  ``today`` decides when a
    cancellation has run its course (its last day is before today).
    """
    if isinstance(query, str):
        query = Query.parse(query) if query.strip() else None
    selection = _Selection(include_planned, query or None)
    records: list[EventRecord] = []
    left_out: list[tuple[Activity, str]] = []
    moments: list[datetime] = []  # every time the feed's bytes changed
    cancelled = 0
    present: set[str] = set()

    def leaving(ident: str, shown: _Shown | None, pub: Publication, note: str) -> None:
        nonlocal cancelled
        if shown is None:
            return
        if shown.last < today:  # its days have passed: the cancellation is no longer sent
            moments.append(max(pub.stamp, _start_of(shown.last + timedelta(days=1))))
            return
        records.append(_cancellation(ident, shown, pub, note))
        cancelled += 1

    for a in activities:
        present.add(a.id)
        shown = selection.show(a)
        if isinstance(shown, _Shown):
            pub = publication(a)
            records.append(
                EventRecord(
                    uid=clean_line(a.id),
                    summary=shown.summary,
                    start=shown.first,
                    end=shown.last + timedelta(days=1),
                    stamp=pub.stamp,
                    sequence=pub.sequence,
                    status=shown.status,
                    created=pub.created,
                    description=describe(a),
                    location=clean_line(a.place),
                    categories=(a.theme.value, a.kind.value),
                )
            )
            continue
        if isinstance(shown, str):
            left_out.append((a, shown))
        if not a.history:
            continue  # no record of earlier versions: nothing was published to take back
        last = selection.last_shown(a)
        if last is not None:
            leaving(a.id, last, publication(a), selection.leave_note(a))

    for grave in tombstones:
        if grave.id in present:
            continue
        gone = grave.activity
        deleted = grave.deleted.astimezone(UTC).replace(microsecond=0)
        moments.append(deleted)
        before = publication(gone)
        pub = Publication(before.sequence + 1, max(before.stamp, deleted), before.created)
        shown = selection.show(gone)
        last = shown if isinstance(shown, _Shown) else selection.last_shown(gone)
        leaving(gone.id, last, pub, selection.leave_note(None))

    records.sort(key=lambda r: (r.start, r.end, r.uid))
    moments.extend(r.stamp for r in records)
    return FeedPlan(records, left_out, cancelled, max(moments, default=None))


@dataclass
class FeedPlan:
    """:func:`plan_feed`'s answer, before rendering."""

    records: list[EventRecord]
    left_out: list[tuple[Activity, str]]
    cancelled: int
    last_modified: datetime | None


def calendar_name_for(plan_path: Path | str | None, query: Query | str | None = None) -> str:
    """The NAME subscribers see: the plan file's name, and the query of a filtered feed."""
    stem = Path(plan_path).stem if plan_path else "plan"
    name = f"ctstui: {stem}"
    if isinstance(query, Query):
        query = query.text
    if query and query.strip():
        name += f" ({' '.join(query.split())})"
    return clean_line(name)


def calendar_description(include_planned: bool = False, query: Query | str | None = None) -> str:
    """X-WR-CALDESC: what the feed holds, in words."""
    what = "Confirmed and completed activities"
    if include_planned:
        what += ", and planned ones (marked tentative)"
    if isinstance(query, Query):
        query = query.text
    if query and query.strip():
        what += f", matching {' '.join(query.split())}"
    return clean_line(what + ", from a ctstui plan. Read-only: change the plan, not this calendar.")


def build_feed(
    activities: Iterable[Activity],
    tombstones: Iterable[Tombstone] = (),
    *,
    today: date,
    include_planned: bool = False,
    query: Query | str | None = None,
    calendar_name: str = "ctstui",
) -> FeedResult:
    """Build one feed: a pure function of the plan, its tombstones and ``today``."""
    if isinstance(query, str):
        query = Query.parse(query) if query.strip() else None
    plan = plan_feed(
        activities, tombstones, today=today, include_planned=include_planned, query=query
    )
    header = FeedHeader(
        name=clean_line(calendar_name),
        description=calendar_description(include_planned, query),
    )
    return FeedResult(
        data=render_feed(header, plan.records),
        events=len(plan.records),
        left_out=plan.left_out,
        cancelled=plan.cancelled,
        last_modified=plan.last_modified,
        records=plan.records,
        header=header,
    )


def build_store_feed(
    store: ActivityStore,
    *,
    today: date,
    include_planned: bool = False,
    query: Query | str | None = None,
    calendar_name: str | None = None,
) -> FeedResult:
    """The feed of a plan as ``store`` read it (activities and tombstones); reads only."""
    return build_feed(
        store.activities(),
        store.tombstones(),
        today=today,
        include_planned=include_planned,
        query=query,
        calendar_name=calendar_name or calendar_name_for(store.path, query),
    )


# -- rendering --------------------------------------------------------------------------------


def header_calendar(header: FeedHeader) -> Calendar:
    """The VCALENDAR's properties as an icalendar ``Calendar`` (no UID, no events).

    ``Calendar.new`` would add a random UID, so properties are added one by one.
    REFRESH-INTERVAL needs ``VALUE=DURATION`` and X-PUBLISHED-TTL must be a
    vDuration (a bare timedelta serialises as "12:00:00").
    """
    cal = Calendar()
    cal.add("VERSION", "2.0")
    cal.add("PRODID", header.prodid)
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.add("NAME", header.name)
    cal.add("X-WR-CALNAME", header.name)
    if header.description:
        cal.add("DESCRIPTION", header.description)
        cal.add("X-WR-CALDESC", header.description)
    cal.add("X-WR-TIMEZONE", header.timezone)
    cal.add("REFRESH-INTERVAL", vDuration(header.refresh), parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(header.refresh))
    return cal


@lru_cache(maxsize=32)
def render_header(header: FeedHeader) -> bytes:
    """``BEGIN:VCALENDAR`` and the calendar's properties, as icalendar writes them."""
    data = header_calendar(header).to_ical()
    end = b"END:VCALENDAR\r\n"
    assert data.endswith(end)
    return data[: -len(end)]


def fold(line: str) -> str:
    """Fold a content line exactly as icalendar's ``_foldline`` does, faster.

    Chunks of at most 74 octets (75 with the continuation's leading space),
    never splitting a UTF-8 character, and never ending a chunk on a ``\\`` or
    ``^`` (so an escape is not split across lines).
    """
    if len(line) < 75 and line.isascii():
        return line
    raw = line.encode("utf-8")
    size = len(raw)
    if size <= 74:
        return line
    chunks: list[bytes] = []
    pos = 0
    while size - pos > 74:
        end = pos + 74
        while raw[end] & 0xC0 == 0x80:  # never split a character
            end -= 1
        if raw[end - 1] in b"\\^" and end - pos > 1:
            end -= 1
        chunks.append(raw[pos:end])
        pos = end
    chunks.append(raw[pos:])
    return b"\r\n ".join(chunks).decode("utf-8")


def _text(name: str, value: str) -> str:
    return fold(name + _escape_char(value))


def render_event(r: EventRecord) -> str:
    """One VEVENT (with its CRLFs), in icalendar's property order."""
    lines = [
        "BEGIN:VEVENT",
        _text("SUMMARY:", r.summary),
        "DTSTART;VALUE=DATE:" + _ics_date(r.start),
        "DTEND;VALUE=DATE:" + _ics_date(r.end),
        "DTSTAMP:" + _ics_stamp(r.stamp),
        _text("UID:", r.uid),
        f"SEQUENCE:{r.sequence:d}",
    ]
    if r.categories:
        lines.append(fold("CATEGORIES:" + ",".join(_escape_char(c) for c in r.categories)))
    if r.created is not None:
        lines.append("CREATED:" + _ics_stamp(r.created))
    if r.description:
        lines.append(_text("DESCRIPTION:", r.description))
    lines.append("LAST-MODIFIED:" + _ics_stamp(r.stamp))
    if r.location:
        lines.append(_text("LOCATION:", r.location))
    lines.append("STATUS:" + r.status)
    lines.append("TRANSP:TRANSPARENT")
    lines.append("END:VEVENT\r\n")
    return "\r\n".join(lines)


def render_feed(header: FeedHeader, records: Iterable[EventRecord]) -> bytes:
    """The whole VCALENDAR as bytes (CRLF line ends, folded at 75 octets)."""
    body = "".join([render_event(r) for r in records])
    return render_header(header) + body.encode("utf-8") + b"END:VCALENDAR\r\n"


def render_object(record: EventRecord, prodid: str = PRODID) -> bytes:
    """One event as a calendar object resource for a CalDAV server (RFC 4791 4.1):
    a VCALENDAR holding just that VEVENT, with no METHOD."""
    head = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{_text('PRODID:', prodid)}\r\nCALSCALE:GREGORIAN\r\n"
    return (head + render_event(record) + "END:VCALENDAR\r\n").encode("utf-8")


# Kept for reference and for tests: icalendar's own folding, which ``fold`` mirrors.
reference_fold = _foldline


# -- exporting (CLI and TUI) ----------------------------------------------------------------


@dataclass
class ExportReport:
    """What :func:`export_feed` did; ``lines()`` says it in words."""

    path: Path | None
    result: FeedResult
    filtered: bool = False

    def lines(self) -> list[str]:
        r = self.result
        where = f" to {self.path}" if self.path else ""
        notices = f" ({count_of(r.cancelled, 'cancellation', 'cancellations')})"
        out = [
            f"wrote {count_of(r.events, 'event', 'events')}{where}"
            + (notices if r.cancelled else "")
        ]
        if r.left_out:
            n = len(r.left_out)
            out.append(f"left out {count_of(n, 'activity', 'activities')} with no fixed day:")
            for activity, reason in r.left_out:
                out.append(
                    f"  {activity.title or '(untitled)'} [{activity.status.value}]: {reason}"
                )
        return out

    @property
    def warnings(self) -> list[str]:
        if self.result.empty:
            matching = " matching the query" if self.filtered else ""
            return [
                f"the feed is empty: no confirmed activity{matching} has a fixed day; "
                "it was written anyway"
            ]
        return []


def default_feed_path(plan_path: Path | str) -> Path:
    """Where the TUI writes the feed by default: beside the plan, ``plan.json`` -> ``plan.ics``."""
    return Path(plan_path).with_suffix(".ics")


def export_feed(
    store: ActivityStore,
    path: Path | str | None,
    *,
    include_planned: bool = False,
    query: Query | str | None = None,
    today: date | None = None,
    calendar_name: str | None = None,
) -> ExportReport:
    """Build the feed from ``store`` and write it to ``path``; the plan is only read.

    With ``path`` None nothing is written (the caller prints ``report.result.data``).
    The file is written as every output is (:func:`ctstui.store.output.write_output`:
    an ordinary file replaced atomically, a link followed, a device or pipe written
    through), whether the command line or the planner asks.
    Raises OSError if the feed cannot be written.
    """
    if isinstance(query, str):
        query = Query.parse(query) if query.strip() else None
    result = build_store_feed(
        store,
        today=today or store.today(),
        include_planned=include_planned,
        query=query,
        calendar_name=calendar_name,
    )
    if path is not None:
        write_output(Path(path), result.data)
    return ExportReport(
        path=Path(path) if path is not None else None, result=result, filtered=bool(query)
    )
