"""The .ics feed: confirmed activities as all-day events people can subscribe to.

Plain Python (no Textual).  A subscribed feed is re-read for months, so it has
to be right and *stable*:

- every VEVENT's UID is the activity's stored uuid (never TinyDB's doc_id,
  which TinyDB reuses after a delete, nor a title or position);
- DTSTAMP and LAST-MODIFIED come from the activity's last change, so an
  unchanged plan exports byte-identical bytes (and HTTP ETags hold);
- SEQUENCE rises whenever a published field changes;
- an activity that was published and then leaves the feed (cancelled, back to
  TBC, its date no longer a fixed day, deleted, or no longer matching a
  filtered feed's query) is emitted with STATUS:CANCELLED and SEQUENCE+1 until
  its last published day has passed, then dropped.

Publication state
-----------------
To do this the plan remembers what each feed published: the plan-level meta
value ``"published"`` is ``{feed key: {activity id: entry}}`` (see
:func:`feed_key`).  The unfiltered feed is ``"all"``; ``--include planned`` and
``--query`` exports are *different feeds* (different subscribers) with their
own state, so a filtered export never cancels what it did not select, yet an
activity that leaves a filtered feed (say its lead changed) is cancelled *in
that feed*.  An entry holds ``seq`` (SEQUENCE last published), ``digest`` (of
the published fields), ``start``/``end`` (last published days, inclusive),
``title``; a cancelled one also ``cancelled`` (its DTSTAMP, kept so the bytes
stay stable) and ``note``; once its days have passed an entry for an activity
that still exists shrinks to ``{"seq": n, "dropped": true}`` so a later
re-confirmation continues the sequence.

``export-ics`` (and the TUI's Export) record publication: :func:`export_feed`
writes the state back, only when it changed.  ``serve`` never writes the plan:
it builds from the stored state and keeps its own advances in memory.

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

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from icalendar import Calendar, vDuration
from icalendar.parser import _escape_char, _foldline

from ctstui.domain.dates import Precision
from ctstui.domain.model import Activity, Status, iso_utc
from ctstui.domain.query import Query

PUBLISHED_META = "published"
PRODID = "-//ctstui//Culture Tourism Sport planner//EN"
TIMEZONE = "Europe/London"
REFRESH = timedelta(hours=12)
DEFAULT_FEED = "all"
# Namespace for calendar UIDs derived from the feed (uuid5), so they are fixed.
_UID_NAMESPACE = uuid.UUID("5b0e54a2-8f0c-4c8e-9d55-2f6f3c1c7a10")

TENTATIVE = "TENTATIVE"
CONFIRMED = "CONFIRMED"
CANCELLED = "CANCELLED"

_FEED_STATUS = {Status.CONFIRMED: CONFIRMED, Status.COMPLETED: CONFIRMED}


# -- records ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One VEVENT, as plain values (rendered by :func:`render_feed`)."""

    uid: str
    summary: str
    start: date
    end: date  # exclusive (the day after the last day), as DTEND;VALUE=DATE wants
    stamp: datetime  # UTC; also LAST-MODIFIED
    sequence: int
    status: str  # CONFIRMED, TENTATIVE or CANCELLED
    description: str = ""
    location: str = ""
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedHeader:
    """The VCALENDAR's own properties."""

    name: str
    uid: str
    prodid: str = PRODID
    timezone: str = TIMEZONE
    refresh: timedelta = REFRESH


@dataclass
class FeedResult:
    """What :func:`build_feed` made.

    ``events`` counts every VEVENT written, ``cancelled`` those among them
    that are cancellation notices.  ``left_out`` lists the candidates
    (confirmed/completed, and planned when included) that have no fixed day,
    with the reason.  ``published`` is the feed's new publication state.
    """

    data: bytes
    published: dict
    events: int
    left_out: list[tuple[Activity, str]]
    cancelled: int
    records: list[EventRecord] = field(default_factory=list, repr=False)
    header: FeedHeader | None = None

    @property
    def last_modified(self) -> datetime | None:
        """The newest DTSTAMP in the feed (None for an empty feed)."""
        return max((r.stamp for r in self.records), default=None)

    @property
    def empty(self) -> bool:
        return not self.records


# -- text hygiene -------------------------------------------------------------------

# C0 controls except TAB/LF/CR, DEL, C1 controls, lone surrogates: never valid in a
# TEXT value (RFC 5545 3.3.11) and rejected by strict parsers.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029]")
_ONE_LINE = re.compile(r"\s*(?:\r\n|[\r\n\u2028\u2029])\s*")


_DIRTY = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Multi-line text safe for a TEXT value: line breaks kept (as LF), controls dropped."""
    if _DIRTY.search(text) is None:
        return text
    text = text.replace("\t", " ")
    text = _LINE_BREAKS.sub("\n", text)
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


def activity_stamp(activity: Activity) -> datetime | None:
    """The activity's last change (``updated``, else ``created``) in UTC."""
    return parse_stamp(activity.updated) or parse_stamp(activity.created)


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


# -- feeds and their state ----------------------------------------------------------------


def feed_key(query: Query | str | None = None, include_planned: bool = False) -> str:
    """Which feed an export is: ``"all"``, ``"all+planned"``, ``"query:lead:SN"``...

    Queries are normalised (``Term.__str__``), so spacing does not make a new feed.
    """
    if isinstance(query, str):
        query = Query.parse(query) if query.strip() else None
    base = DEFAULT_FEED
    if query:
        base = "query:" + " ".join(str(t) for t in query.terms)
    return base + ("+planned" if include_planned else "")


def calendar_uid(name: str, key: str) -> str:
    """A fixed calendar UID for a feed (the same on every export and in ``serve``)."""
    return str(uuid.uuid5(_UID_NAMESPACE, f"{key}\n{name}"))


def calendar_name_for(plan_path: Path | str | None, query: Query | str | None = None) -> str:
    """The NAME subscribers see: the plan file's name, and the query of a filtered feed."""
    stem = Path(plan_path).stem if plan_path else "plan"
    name = f"ctstui: {stem}"
    if isinstance(query, Query):
        query = query.text
    if query and query.strip():
        name += f" ({' '.join(query.split())})"
    return clean_line(name)


def feed_state(all_state: object, key: str) -> dict:
    """One feed's publication state out of the stored meta value (never mutated)."""
    if not isinstance(all_state, Mapping):
        return {}
    state = all_state.get(key)
    return dict(state) if isinstance(state, Mapping) else {}


def _entry_ok(entry: object) -> bool:
    if not isinstance(entry, Mapping):
        return False
    seq = entry.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        return False
    if entry.get("dropped"):
        return True
    try:
        start = date.fromisoformat(entry["start"])
        end = date.fromisoformat(entry["end"])
    except (KeyError, TypeError, ValueError):
        return False
    return start <= end < date.max and isinstance(entry.get("title", ""), str)


def _digest(*parts: object) -> str:
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


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


def _leave_note(activity: Activity | None, selected: bool, include_planned: bool) -> str:
    if activity is None:
        return "It was removed from the plan."
    if activity.status is Status.CANCELLED:
        return "It was cancelled."
    if not selected:
        return "It no longer matches this feed's filter."
    if _feed_status(activity, include_planned) is None:
        return f"It is no longer confirmed (now {activity.status.value})."
    return "Its date is no longer a fixed day."


def _feed_status(activity: Activity, include_planned: bool) -> str | None:
    status = _FEED_STATUS.get(activity.status)
    if status is None and include_planned and activity.status is Status.PLANNED:
        return TENTATIVE
    return status


def build_feed(
    activities: Iterable[Activity],
    published: Mapping | None = None,
    *,
    now: datetime,
    today: date,
    include_planned: bool = False,
    query: Query | str | None = None,
    calendar_name: str = "ctstui",
    uid: str | None = None,
) -> FeedResult:
    """Build one feed and its new publication state.

    ``activities`` is the whole plan (a query, if any, is applied here, so
    activities that leave a filtered feed are told apart from deleted ones);
    ``published`` is this feed's stored state (see :func:`feed_state`), which
    is never mutated.  ``now`` stamps the cancellation of a deleted activity
    (once: the stamp is kept in the state); ``today`` decides when a
    cancellation has run its course.
    """
    records, state, left_out, cancelled = plan_feed(
        activities,
        published,
        now=now,
        today=today,
        include_planned=include_planned,
        query=query,
    )
    key = feed_key(query, include_planned)
    header = FeedHeader(name=clean_line(calendar_name), uid=uid or calendar_uid(calendar_name, key))
    return FeedResult(
        data=render_feed(header, records),
        published=state,
        events=len(records),
        left_out=left_out,
        cancelled=cancelled,
        records=records,
        header=header,
    )


def plan_feed(
    activities: Iterable[Activity],
    published: Mapping | None = None,
    *,
    now: datetime,
    today: date,
    include_planned: bool = False,
    query: Query | str | None = None,
) -> tuple[list[EventRecord], dict, list[tuple[Activity, str]], int]:
    """The feed's events (sorted), its new state, the left-out candidates, cancellations."""
    if isinstance(query, str):
        query = Query.parse(query) if query.strip() else None
    everyone = list(activities)
    by_id = {a.id: a for a in everyone}
    chosen = query.filter(everyone) if query else everyone
    selected_ids = {a.id for a in chosen} if query else None
    previous = {k: v for k, v in (published or {}).items() if isinstance(k, str) and _entry_ok(v)}
    now = now.astimezone(UTC).replace(microsecond=0)
    state: dict[str, dict] = {}
    records: list[EventRecord] = []
    left_out: list[tuple[Activity, str]] = []

    for a in chosen:
        status = _feed_status(a, include_planned)
        if status is None:
            continue
        window = feed_window(a)
        if isinstance(window, str):
            left_out.append((a, window))
            continue
        first, last = window
        summary = clean_line(a.title) or "(untitled)"
        description = describe(a)
        location = clean_line(a.place)
        categories = (a.theme.value, a.kind.value)
        start_iso, end_iso = first.isoformat(), last.isoformat()
        digest = _digest(summary, description, location, *categories, start_iso, end_iso, status)
        old = previous.get(a.id)
        if old is None:
            seq = 0
        elif old.get("digest") == digest and not old.get("cancelled") and not old.get("dropped"):
            seq = old["seq"]
        else:
            seq = old["seq"] + 1
        stamp = activity_stamp(a)
        entry = {
            "seq": seq,
            "digest": digest,
            "start": start_iso,
            "end": end_iso,
            "title": summary,
        }
        if stamp is None:  # no usable timestamp: keep the first one we used
            stamp = (parse_stamp(old.get("stamp")) if old else None) or now
            entry["stamp"] = iso_utc(stamp)
        state[a.id] = entry
        records.append(
            EventRecord(
                uid=clean_line(a.id),
                summary=summary,
                start=first,
                end=last + timedelta(days=1),
                stamp=stamp,
                sequence=seq,
                status=status,
                description=description,
                location=location,
                categories=categories,
            )
        )

    cancelled = 0
    for ident, old in previous.items():
        if ident in state:
            continue
        activity = by_id.get(ident)
        if old.get("dropped"):
            if activity is not None:
                state[ident] = {"seq": old["seq"], "dropped": True}
            continue
        first, last = date.fromisoformat(old["start"]), date.fromisoformat(old["end"])
        if last < today:  # its days have passed: stop sending the cancellation
            if activity is not None:
                state[ident] = {"seq": old["seq"], "dropped": True}
            continue
        if old.get("cancelled") and parse_stamp(old["cancelled"]):
            entry = dict(old)
        else:
            selected = selected_ids is None or ident in selected_ids
            stamp = (activity_stamp(activity) if activity else None) or now
            entry = {
                "seq": old["seq"] + 1,
                "digest": old.get("digest", ""),
                "start": old["start"],
                "end": old["end"],
                "title": clean_line(old.get("title", "")),
                "cancelled": iso_utc(stamp),
                "note": _leave_note(activity, selected, include_planned),
            }
        state[ident] = entry
        title = entry["title"] or "(untitled)"
        records.append(
            EventRecord(
                uid=clean_line(ident),
                summary=f"Cancelled: {title}",
                start=first,
                end=last + timedelta(days=1),
                stamp=parse_stamp(entry["cancelled"]) or now,
                sequence=entry["seq"],
                status=CANCELLED,
                description=clean_text(f"Cancelled. {entry.get('note', '')}".strip()),
            )
        )
        cancelled += 1

    records.sort(key=lambda r: (r.start, r.end, r.uid))
    return records, state, left_out, cancelled


# -- rendering --------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def render_header(header: FeedHeader) -> bytes:
    """``BEGIN:VCALENDAR`` and the calendar's properties, as icalendar writes them.

    ``Calendar.new(name=...)`` writes NAME and X-WR-CALNAME (once each);
    REFRESH-INTERVAL needs ``VALUE=DURATION`` (the ``refresh_interval``
    shortcut omits it) and X-PUBLISHED-TTL must be a vDuration (a bare
    timedelta serialises as "12:00:00").
    """
    cal = Calendar.new(
        name=header.name,
        prodid=header.prodid,
        uid=header.uid,
        calscale="GREGORIAN",
    )
    cal.add("X-WR-TIMEZONE", header.timezone)
    cal.add("REFRESH-INTERVAL", vDuration(header.refresh), parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(header.refresh))
    data = cal.to_ical()
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


# Kept for reference and for tests: icalendar's own folding, which ``fold`` mirrors.
reference_fold = _foldline


# -- exporting (CLI and TUI) ----------------------------------------------------------------


@dataclass
class ExportReport:
    """What :func:`export_feed` did; ``lines()`` says it in words."""

    path: Path | None
    result: FeedResult
    feed: str
    state_saved: bool

    def lines(self) -> list[str]:
        r = self.result
        where = f" to {self.path}" if self.path else ""
        notices = f" ({r.cancelled} cancellation{'s' if r.cancelled != 1 else ''})"
        out = [
            f"wrote {r.events} event{'s' if r.events != 1 else ''}{where}"
            + (notices if r.cancelled else "")
        ]
        if r.left_out:
            n = len(r.left_out)
            out.append(f"left out {n} activit{'ies' if n != 1 else 'y'} with no fixed day:")
            for activity, reason in r.left_out:
                out.append(
                    f"  {activity.title or '(untitled)'} [{activity.status.value}]: {reason}"
                )
        return out

    @property
    def warnings(self) -> list[str]:
        if self.result.empty:
            matching = " matching the query" if self.feed.startswith("query:") else ""
            return [
                f"the feed is empty: no confirmed activity{matching} has a fixed day; "
                "it was written anyway"
            ]
        return []


def default_feed_path(plan_path: Path | str) -> Path:
    """Where the TUI writes the feed by default: beside the plan, ``plan.json`` -> ``plan.ics``."""
    return Path(plan_path).with_suffix(".ics")


def export_feed(
    store,
    path: Path | str | None,
    *,
    include_planned: bool = False,
    query: Query | str | None = None,
    today: date | None = None,
    now: datetime | None = None,
    calendar_name: str | None = None,
) -> ExportReport:
    """Build the feed from ``store``, write it to ``path`` atomically, record publication.

    ``store`` is an :class:`~ctstui.store.activity_store.ActivityStore`.  With ``path`` None
    nothing is written (the caller prints ``report.result.data``).  The publication state
    is written back through ``store.set_meta`` only when it changed, so
    re-exporting an unchanged plan changes neither the feed nor the plan file.
    Raises OSError if the feed cannot be written (the state is then left
    alone) and StoreError if the state cannot be saved.
    """
    from ctstui.store.activity_store import atomic_write_bytes

    if isinstance(query, str):
        query = Query.parse(query) if query.strip() else None
    now = now or store.now()
    today = today or now.date()
    key = feed_key(query, include_planned)
    stored = store.meta(PUBLISHED_META, {})
    name = calendar_name or calendar_name_for(store.path, query)
    result = build_feed(
        store.activities(),
        feed_state(stored, key),
        now=now,
        today=today,
        include_planned=include_planned,
        query=query,
        calendar_name=name,
    )
    if path is not None:
        atomic_write_bytes(Path(path), result.data)
    changed = feed_state(stored, key) != result.published
    if changed:
        new_all = dict(stored) if isinstance(stored, Mapping) else {}
        new_all[key] = result.published
        store.set_meta(PUBLISHED_META, new_all)
    return ExportReport(
        path=Path(path) if path is not None else None,
        result=result,
        feed=key,
        state_saved=changed,
    )
