"""Tests for the .ics feed (ctstui.feed.ical) and ``ctstui export-ics``.

The output is checked by three independent parsers (icalendar, ical, vobject)
and at the byte level (CRLF, 75-octet lines, UTF-8), since no parser rejects
bad folding.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from ctstui.cli.main import main
from ctstui.domain.dates import DateSpec, Precision
from ctstui.domain.markers import missing_note
from ctstui.domain.model import Activity, HistoryEntry, Kind, Rag, Status, Theme
from ctstui.feed.ical import (
    build_feed,
    calendar_name_for,
    clean_line,
    default_feed_path,
    export_feed,
    fold,
    is_dropped,
    reference_fold,
)
from ctstui.report.summary import missing_mark
from ctstui.store.activity_store import ActivityStore, Tombstone

P = Precision
NOW = datetime(2013, 5, 1, 10, 0, tzinfo=UTC)
TODAY = date(2013, 5, 1)


def _load_bench():
    path = Path(__file__).parents[1] / "perf" / "bench_ics.py"
    spec = importlib.util.spec_from_file_location("bench_ics", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_ics", module)
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


def days(text: str, first: str, last: str | None = None) -> DateSpec:
    last = last or first
    precision = P.DAY if first == last else P.DAYS
    return DateSpec(text, date.fromisoformat(first), date.fromisoformat(last), precision)


def act(title: str = "Peer review", when: DateSpec | None = None, **kw) -> Activity:
    kw.setdefault("status", Status.CONFIRMED)
    kw.setdefault("updated", "2013-04-20T09:15:00Z")
    return Activity(title=title, when=when or days("14/15 May", "2013-05-14", "2013-05-15"), **kw)


def build(activities, tombstones=(), **kw):
    kw.setdefault("today", TODAY)
    kw.setdefault("calendar_name", "ctstui: plan")
    return build_feed(activities, tombstones, **kw)


def created(a: Activity, at: str = "2013-04-20T09:15:00Z") -> Activity:
    """``a`` as the store adds it: created, with the "add" entry in its history."""
    return a.copy(created=at, updated=at, history=[HistoryEntry(at, "t", "add", {})])


def edited(a: Activity, at: str, **changes) -> Activity:
    """``a`` edited as the store records it: the changed fields in a history entry."""
    new = a.copy(**changes)
    new.history = [*a.history, HistoryEntry(at, "t", "edit", a.diff(new))]
    new.updated = at
    return new


def deleted(a: Activity, at: datetime) -> Tombstone:
    return Tombstone(a, at)


def events_of(data: bytes) -> dict[str, object]:
    cal = Calendar.from_ical(data)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def check_bytes(data: bytes) -> None:
    """CRLF only, every line at most 75 octets, valid UTF-8, no split characters."""
    data.decode("utf-8")  # raises on invalid UTF-8
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    for line in data.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold never splits a character


def check_three_parsers(data: bytes) -> None:
    cal = Calendar.from_ical(data)
    if list(cal.walk("VEVENT")):
        cal.validate()
    assert Calendar.from_ical(cal.to_ical()).to_ical() == cal.to_ical()  # round trip
    IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))  # strict types
    vobject.readOne(data.decode("utf-8"), validate=True)  # required properties


@pytest.fixture
def clock():
    class Clock:
        now = NOW

        def __call__(self):
            return self.now

        def advance(self, **kw):
            self.now += timedelta(**kw)

    return Clock()


@pytest.fixture
def store(tmp_path, clock):
    return ActivityStore(tmp_path / "plan.json", clock=clock, who="test")


def rich_plan() -> list[Activity]:
    return [
        act(
            "Peer review: Solihull",
            kind=Kind.PEER_REVIEW,
            theme=Theme.SPORT,
            place="Solihull",
            audience="Sport PHs",
            places=15,
            leads=["JW", "LC"],
            link="https://khub.net/group/culture-and-sport-improvement",
            programme="Culture and sport improvement 2013/14",
            rag=Rag.AMBER,
        ),
        act(
            "Leadership Academy — Café culture ☕ " * 4,
            days("21 May", "2013-05-21"),
            kind=Kind.ACADEMY,
            theme=Theme.CULTURE,
            place="Warwick Conference Centre, Coventry",
            status=Status.COMPLETED,
        ),
        act("Visitor economy seminar", days("9 July", "2013-07-09"), theme=Theme.TOURISM),
    ]


# -- what goes in ---------------------------------------------------------------------------


def test_rich_feed_passes_three_parsers_and_byte_checks():
    result = build(rich_plan())
    assert result.events == 3
    check_bytes(result.data)
    check_three_parsers(result.data)
    stream = IcsCalendarStream.calendar_from_ics(result.data.decode())
    assert [e.dtstart for e in stream.events] == [
        date(2013, 5, 14),
        date(2013, 5, 21),
        date(2013, 7, 9),
    ]
    assert all(e.dtend - e.dtstart >= timedelta(days=1) for e in stream.events)


def test_calendar_properties():
    data = build(rich_plan()).data
    lines = data.decode().split("\r\n")
    cal = Calendar.from_ical(data)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]).startswith("-//ctstui//")
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert lines.count("NAME:ctstui: plan") == 1
    assert lines.count("X-WR-CALNAME:ctstui: plan") == 1
    assert sum(line.startswith("NAME") for line in lines) == 1
    assert sum(line.startswith("X-WR-CALNAME") for line in lines) == 1
    assert "X-WR-TIMEZONE:Europe/London" in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H" in lines
    assert "X-PUBLISHED-TTL:PT12H" in lines
    assert "METHOD:PUBLISH" in lines
    assert str(cal["X-WR-CALDESC"]).startswith("Confirmed and completed activities")
    # No calendar UID: vdirsyncer copies calendar properties into every event it
    # splits out and then takes the first UID it finds, giving all events one id.
    header = lines[: lines.index("BEGIN:VEVENT")]
    assert not any(line.startswith("UID") for line in header)
    planned = Calendar.from_ical(build([], include_planned=True, query="lead:JW").data)
    assert "planned ones (marked tentative)" in str(planned["X-WR-CALDESC"])
    assert "matching lead:JW" in str(planned["X-WR-CALDESC"])


def test_event_properties_and_exclusive_dtend():
    a = rich_plan()[0]
    data = build([a]).data
    text = data.decode()
    assert "DTSTART;VALUE=DATE:20130514\r\n" in text
    assert "DTEND;VALUE=DATE:20130516\r\n" in text  # 14/15 May: exclusive end
    ev = events_of(data)[a.id]
    assert str(ev["SUMMARY"]) == "Peer review: Solihull"
    assert ev.decoded("DTSTART") == date(2013, 5, 14)
    assert ev.decoded("DTEND") == date(2013, 5, 16)
    assert ev.decoded("DTSTAMP") == datetime(2013, 4, 20, 9, 15, tzinfo=UTC)
    assert ev.decoded("LAST-MODIFIED") == datetime(2013, 4, 20, 9, 15, tzinfo=UTC)
    assert "DTSTAMP:20130420T091500Z\r\n" in text
    assert str(ev["TRANSP"]) == "TRANSPARENT"
    assert str(ev["STATUS"]) == "CONFIRMED"
    assert str(ev["LOCATION"]) == "Solihull"
    assert ev["SEQUENCE"] == 0
    assert "CREATED" in ev
    assert [str(c) for c in ev["CATEGORIES"].cats] == ["sport", "peer review"]
    description = str(ev["DESCRIPTION"])
    for expected in (
        "Kind: peer review",
        "Audience: Sport PHs (15 places)",
        "Leads: JW/LC",
        "Link: https://khub.net/group/culture-and-sport-improvement",
        "Programme: Culture and sport improvement 2013/14",
        "Date as written: 14/15 May",
        "RAG: amber",
    ):
        assert expected in description.splitlines()


def test_single_day_never_has_dtend_equal_to_dtstart():
    a = act(when=days("21 May", "2013-05-21"))
    ev = events_of(build([a]).data)[a.id]
    assert ev.decoded("DTSTART") == date(2013, 5, 21)
    assert ev.decoded("DTEND") == date(2013, 5, 22)


def test_uid_is_the_stored_uuid_and_stamp_falls_back_to_created():
    a = act(updated="", created="2013-03-03T03:03:03Z")
    ev = events_of(build([a]).data)[a.id]
    assert str(ev["UID"]) == a.id
    assert ev.decoded("DTSTAMP") == datetime(2013, 3, 3, 3, 3, 3, tzinfo=UTC)


def test_statuses_completed_planned_tbc_cancelled():
    confirmed = act("Confirmed one")
    completed = act("Completed one", status=Status.COMPLETED)
    planned = act("Planned one", status=Status.PLANNED)
    tbc = act("TBC one", status=Status.TBC)
    cancelled = act("Cancelled one", status=Status.CANCELLED)
    plan = [confirmed, completed, planned, tbc, cancelled]
    result = build(plan)
    evs = events_of(result.data)
    assert set(evs) == {confirmed.id, completed.id}
    assert str(evs[completed.id]["STATUS"]) == "CONFIRMED"
    assert result.left_out == []  # planned/TBC are not candidates: nothing to report
    with_planned = events_of(build(plan, include_planned=True).data)
    assert set(with_planned) == {confirmed.id, completed.id, planned.id}
    assert str(with_planned[planned.id]["STATUS"]) == "TENTATIVE"


def test_confirmed_without_fixed_day_are_left_out_with_reasons():
    month = act("Month", DateSpec("June", date(2013, 6, 1), date(2013, 6, 30), P.MONTH))
    choice = act(
        "Choice",
        DateSpec(
            "10 or 11 July",
            date(2013, 7, 10),
            date(2013, 7, 11),
            P.OPTIONS,
            (date(2013, 7, 10), date(2013, 7, 11)),
        ),
    )
    chosen = act(
        "Chosen",
        DateSpec(
            "10 or 11 July", date(2013, 7, 10), date(2013, 7, 10), P.OPTIONS, (date(2013, 7, 10),)
        ),
    )
    undated = act("Undated", DateSpec(""))
    week = act("Week", DateSpec("W/b 18 November", date(2013, 11, 18), date(2013, 11, 24), P.WEEK))
    ongoing = act("Ongoing", DateSpec("Ongoing", precision=P.ONGOING))
    result = build([month, choice, chosen, undated, week, ongoing])
    assert set(events_of(result.data)) == {chosen.id}
    assert events_of(result.data)[chosen.id].decoded("DTEND") == date(2013, 7, 11)
    reasons = {a.title: reason for a, reason in result.left_out}
    assert set(reasons) == {"Month", "Choice", "Undated", "Week", "Ongoing"}
    assert "'June' is a month" in reasons["Month"]
    assert "choice of days" in reasons["Choice"]
    assert "no date" in reasons["Undated"]
    assert "a week" in reasons["Week"]
    assert "ongoing" in reasons["Ongoing"]


def test_empty_feed_still_parses():
    result = build([])
    assert result.events == 0 and result.empty
    check_bytes(result.data)
    Calendar.from_ical(result.data)
    IcsCalendarStream.calendar_from_ics(result.data.decode())
    vobject.readOne(result.data.decode(), validate=True)


# -- stability, sequence, cancellation -------------------------------------------------------


def test_unchanged_plan_gives_identical_bytes():
    plan = [created(a) for a in rich_plan()]
    first = build(plan)
    assert build(plan).data == first.data
    assert build(plan, today=TODAY + timedelta(days=3)).data == first.data


def test_sequence_and_stamps_come_from_the_history_of_published_fields():
    a = created(act(), "2013-04-01T08:00:00Z")
    first = events_of(build([a]).data)[a.id]
    assert first["SEQUENCE"] == 0
    assert first.decoded("DTSTAMP") == datetime(2013, 4, 1, 8, 0, tzinfo=UTC)
    assert first.decoded("CREATED") == datetime(2013, 4, 1, 8, 0, tzinfo=UTC)
    renamed = edited(a, "2013-04-21T09:00:00Z", title="Peer review (renamed)")
    ev = events_of(build([renamed]).data)[a.id]
    assert ev["SEQUENCE"] == 1
    assert ev.decoded("DTSTAMP") == datetime(2013, 4, 21, 9, 0, tzinfo=UTC)
    assert ev.decoded("LAST-MODIFIED") == datetime(2013, 4, 21, 9, 0, tzinfo=UTC)
    assert ev.decoded("CREATED") == datetime(2013, 4, 1, 8, 0, tzinfo=UTC)
    # A private field (notes, days, funder) is not published: the feed is byte-identical.
    noted = edited(renamed, "2013-04-22T09:00:00Z", notes="ring the venue", days=2.0)
    assert build([noted]).data == build([renamed]).data
    moved = edited(noted, "2013-04-23T09:00:00Z", when=days("16 May", "2013-05-16"))
    ev = events_of(build([moved]).data)[a.id]
    assert ev["SEQUENCE"] == 2
    assert ev.decoded("DTSTAMP") == datetime(2013, 4, 23, 9, 0, tzinfo=UTC)
    # A RAG change shows in the DESCRIPTION, so it is published too.
    rated = edited(moved, "2013-04-24T09:00:00Z", rag=Rag.RED)
    assert events_of(build([rated]).data)[a.id]["SEQUENCE"] == 3


def test_cancelled_activity_stays_cancelled_until_its_days_pass():
    a = created(act(title="Solihull review"))
    gone = edited(a, "2013-04-25T12:00:00Z", status=Status.CANCELLED)
    result = build([gone])
    ev = events_of(result.data)[a.id]
    assert str(ev["STATUS"]) == "CANCELLED"
    assert ev["SEQUENCE"] == 1
    assert str(ev["SUMMARY"]) == "Cancelled: Solihull review"
    assert ev.decoded("DTSTART") == date(2013, 5, 14)
    assert ev.decoded("DTEND") == date(2013, 5, 16)
    assert ev.decoded("DTSTAMP") == datetime(2013, 4, 25, 12, 0, tzinfo=UTC)
    assert result.cancelled == 1 and result.events == 1
    check_three_parsers(result.data)
    # Stable while it is sent: same bytes on the next export, days later.
    assert build([gone], today=TODAY + timedelta(days=2)).data == result.data
    # On its last day it is still sent; the day after, left out, and the feed's
    # Last-Modified moves on to that day (its bytes changed then).
    last_day = build([gone], today=date(2013, 5, 15))
    assert a.id in events_of(last_day.data)
    after = build([gone], today=date(2013, 5, 16))
    assert a.id not in events_of(after.data)
    assert after.last_modified == datetime(2013, 5, 16, tzinfo=UTC)
    assert after.last_modified > last_day.last_modified
    # Re-confirmed later: the sequence continues instead of going back.
    back = edited(
        gone, "2013-05-20T09:00:00Z", status=Status.CONFIRMED, when=days("1 June", "2013-06-01")
    )
    assert events_of(build([back], today=date(2013, 5, 16)).data)[a.id]["SEQUENCE"] == 2


def test_an_activity_never_published_sends_no_cancellation():
    a = created(act(status=Status.PLANNED))
    gone = edited(a, "2013-04-25T12:00:00Z", status=Status.CANCELLED)
    assert build([gone]).events == 0
    assert build([], [deleted(a, NOW)]).events == 0


@pytest.mark.parametrize(
    ("change", "note"),
    [
        (lambda a: dict(status=Status.TBC), "no longer confirmed (now tbc)"),
        (
            lambda a: dict(when=DateSpec("June", date(2013, 6, 1), date(2013, 6, 30), P.MONTH)),
            "no longer a fixed day",
        ),
        (
            lambda a: dict(notes=missing_note("plan 2013-14.docx", date(2013, 4, 30))),
            "a later import did not list it",
        ),
    ],
)
def test_leaving_the_feed_is_a_cancellation(change, note):
    a = created(act())
    changed = edited(a, "2013-04-30T10:00:00Z", **change(a))
    result = build([changed])
    ev = events_of(result.data)[a.id]
    assert str(ev["STATUS"]) == "CANCELLED"
    assert ev["SEQUENCE"] == 1
    assert ev.decoded("DTSTART") == date(2013, 5, 14)  # the days it was published with
    assert note in str(ev["DESCRIPTION"]).lower()
    assert result.data == build([changed], today=TODAY + timedelta(days=3)).data


@pytest.mark.parametrize(
    "notes",
    [
        "not in plan.docx (imported 2013-04-30)",
        "  not in plan.docx (imported 2013-04-30)  ",
        "agenda sent\nnot in plan.docx (imported 2013-04-30)",
        "not in plan.docx (imported 2013-02-30)",  # no such day: not the import's line
        "not in plan.docx (imported 2013-4-30)",
        "not in the office until Monday",
    ],
)
def test_the_feed_and_the_report_agree_on_which_activities_are_dropped(notes):
    """A dropped activity is cancelled in the feed and counted as dropped in the report;
    an activity the report counts is never cancelled in the feed."""
    activity = Activity("Sport peer review", notes=notes)
    assert is_dropped(notes) == (missing_mark(activity) is not None)


def test_dropped_marker_is_the_importers():
    """The feed recognises exactly the note line the importer writes."""
    note = missing_note("plan.docx", date(2013, 4, 30))
    assert is_dropped(note) and is_dropped(f"agenda sent\n{note}")
    assert is_dropped(missing_note("", date(2013, 4, 30)))
    assert not is_dropped("not in the office until Monday")
    # Reappearing in a later import takes the flag away: published again, SEQUENCE up.
    a = created(act())
    dropped = edited(a, "2013-04-30T10:00:00Z", notes=note)
    back = edited(dropped, "2013-05-01T10:00:00Z", notes="")
    ev = events_of(build([back]).data)[a.id]
    assert str(ev["STATUS"]) == "CONFIRMED" and ev["SEQUENCE"] == 2


def test_deleted_activity_is_cancelled_from_its_tombstone_with_the_deletion_time():
    a = created(act("Newest"), "2013-04-28T10:00:00Z")
    older = created(act("Older", days("21 May", "2013-05-21")), "2013-04-01T10:00:00Z")
    before = build([a, older])
    assert before.last_modified == datetime(2013, 4, 28, 10, 0, tzinfo=UTC)
    when = datetime(2013, 4, 29, 16, 30, tzinfo=UTC)
    result = build([older], [deleted(a, when)])
    ev = events_of(result.data)[a.id]
    assert str(ev["STATUS"]) == "CANCELLED"
    assert ev["SEQUENCE"] == 1
    assert ev.decoded("DTSTAMP") == when
    assert "removed from the plan" in str(ev["DESCRIPTION"])
    # The feed's Last-Modified never goes back when its newest activity is deleted.
    assert result.last_modified == when
    # Until its days have passed; after that the tombstone still counts for Last-Modified.
    later = build([older], [deleted(a, when)], today=date(2013, 5, 16))
    assert a.id not in events_of(later.data)
    assert later.last_modified >= when
    # A tombstone for an activity that is back (undo) is ignored.
    assert build([a, older], [deleted(a, when)]).data == before.data


def test_query_feed_cancels_what_leaves_it_and_nothing_else():
    jw = created(act("JW's", leads=["JW"]))
    sn = created(act("SN's", days("21 May", "2013-05-21"), leads=["SN"]))
    only_sn = build([jw, sn], query="lead:SN")
    assert set(events_of(only_sn.data)) == {sn.id}
    assert only_sn.cancelled == 0
    # SN hands over to JW: it leaves SN's feed, cancelled there...
    handed = edited(sn, "2013-04-26T08:00:00Z", leads=["JW"])
    sn_feed = build([jw, handed], query="lead:SN")
    ev = events_of(sn_feed.data)[sn.id]
    assert str(ev["STATUS"]) == "CANCELLED"
    assert "filter" in str(ev["DESCRIPTION"])
    # ...but stays live in the unfiltered feed.
    all_feed = build([jw, handed])
    assert str(events_of(all_feed.data)[sn.id]["STATUS"]) == "CONFIRMED"


def test_unreadable_history_is_not_guessed_from():
    a = created(act(status=Status.CANCELLED))
    a.history.append(
        HistoryEntry("2013-04-25T12:00:00Z", "t", "edit", {"status": ["nonsense", "cancelled"]})
    )
    assert build([a]).events == 0


def test_bidi_controls_are_removed_from_every_text_property():
    evil = "Peer \u202ereview\u202c \u2066x\u2069 \u200e\u200f\u061c\u202a\u202b\u202d\u2067\u2068"
    a = act(evil, place=evil, audience=evil, link=evil, programme=evil, leads=["J\u202eW"])
    data = build([a], calendar_name="ctstui: \u202eplan").data
    text = data.decode()
    for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c":
        assert ch not in text
    ev = events_of(data)[a.id]
    assert str(ev["SUMMARY"]) == "Peer review x"
    assert "Leads: JW" in str(ev["DESCRIPTION"])


def test_uids_survive_deletes_reloads_and_doc_id_reuse(store, clock):
    a = store.add(act("First"))
    b = store.add(act("Second", days("21 May", "2013-05-21")))
    store.delete(a.id)
    c = store.add(act("Third", days("9 July", "2013-07-09")))  # may reuse a's doc_id
    report = export_feed(store, None, today=TODAY)
    uids = set(events_of(report.result.data))
    assert {b.id, c.id} <= uids
    assert a.id not in uids or str(events_of(report.result.data)[a.id]["STATUS"]) == "CANCELLED"
    reopened = ActivityStore(store.path, clock=clock)
    again = export_feed(reopened, None, today=TODAY)
    assert again.result.data == report.result.data
    # Re-import of the feed: the UIDs are the activities' ids.
    parsed = IcsCalendarStream.calendar_from_ics(again.result.data.decode())
    assert {e.uid for e in parsed.events} == {a.id, b.id, c.id}
    assert str(events_of(again.result.data)[a.id]["STATUS"]) == "CANCELLED"


# -- escaping -------------------------------------------------------------------------------

HOSTILE = [
    "Evil\r\nDESCRIPTION:injected\r\nBEGIN:VEVENT",
    "Comma, semi; colon: back\\slash\\",
    "Bare CR\rand LF\nand LS\u2028end",
    "Controls \x00\x1b[31m red \x7f\x9b",
    "Caret ^ and \\n literal",
    "Lone surrogate \ud800 here",
    ("é" * 37) + "\\" + ("x" * 200),
    "END:VCALENDAR",
]


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_cannot_break_the_feed(title):
    a = act(title, place=title, link=title, audience=title, leads=[title[:10]])
    data = build([a]).data
    check_bytes(data)
    check_three_parsers(data)
    cal = Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    ev = events[0]
    assert str(ev["UID"]) == a.id
    assert set(ev.keys()) == {
        "SUMMARY", "DTSTART", "DTEND", "DTSTAMP", "UID", "SEQUENCE", "CATEGORIES",
        "CREATED", "DESCRIPTION", "LAST-MODIFIED", "LOCATION", "STATUS", "TRANSP",
    }  # fmt: skip
    assert str(ev["SUMMARY"]) == clean_line(title)
    assert "\n" not in str(ev["SUMMARY"]) and "\x1b" not in str(ev["SUMMARY"])
    v = vobject.readOne(data.decode(), validate=True)
    assert v.vevent.summary.value == clean_line(title)


def test_odd_ids_and_extreme_dates_cannot_break_the_feed():
    odd = act("Odd id", id="abc\r\nX-EVIL:1\x00")
    far = act("Far", days("31 Dec 9999", "9999-12-31"))
    result = build([odd, far])
    check_bytes(result.data)
    check_three_parsers(result.data)
    assert list(events_of(result.data)) == ["abc X-EVIL:1"]
    assert [a.title for a, _ in result.left_out] == ["Far"]


def test_backslash_capital_n_follows_icalendar_byte_for_byte():
    # icalendar's TEXT escaping reads a literal backslash-N as a line break (its
    # documented input convention, e.g. in a UNC path); the fast path does the same.
    a = act("Files", link="\\\\server\\New plans", updated="2013-04-02T00:00:00Z")
    a = a.copy(when=days("2 May", "2013-05-02"))
    assert bench.fast_feed([a]) == bench.baseline_feed([a])
    check_three_parsers(bench.fast_feed([a]))


def test_summary_escaping_is_the_librarys():
    a = act("a,b;c\\d")
    assert "SUMMARY:a\\,b\\;c\\\\d\r\n" in build([a]).data.decode()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n")))
def test_fold_matches_icalendar(text):
    line = "DESCRIPTION:" + text
    assert fold(line) == reference_fold(line)


@pytest.mark.parametrize("width", range(60, 90))
def test_fold_boundaries_with_escapes_and_multibyte(width):
    for filler in ("x", "é", "☕", "𝄞"):
        for tail in ("\\\\n", "^^", "\\,"):
            line = (filler * width)[:width] + tail + "y" * width
            assert fold(line) == reference_fold(line)


# -- fast path against the straightforward build --------------------------------------------------


def test_fast_path_is_byte_identical_to_a_straightforward_icalendar_build():
    plan = bench.make_activities(40) + [
        act(t, days("2 May", "2013-05-02"), updated="2013-04-02T00:00:00Z") for t in HOSTILE
    ]
    fast = bench.fast_feed(plan)
    baseline = bench.baseline_feed(plan)
    assert fast == baseline
    # ...including cancellation notices.
    graves = [deleted(created(a), bench.NOW) for a in plan[-len(HOSTILE) :]]
    fewer = plan[: -len(HOSTILE)]
    assert bench.fast_feed(fewer, graves) == bench.baseline_feed(fewer, graves)
    assert b"STATUS:CANCELLED" in bench.fast_feed(fewer, graves)
    assert len(events_of(fast)) == len(plan)


def test_benchmark_core_runs():
    m = bench.measure_export(50)
    assert m["events"] == 50 and m["identical"]
    assert m["fast_s"] > 0 and m["baseline_s"] > 0
    assert set(m) >= {"fast_s", "baseline_s", "ratio"}


# -- export_feed (the TUI's function) and the store --------------------------------------------


def test_export_feed_never_writes_the_plan(store, tmp_path, clock):
    a = store.add(act())
    plan_bytes = store.path.read_bytes()
    mtime = store.path.stat().st_mtime_ns
    out = tmp_path / "feed.ics"
    report = export_feed(store, out, today=TODAY)
    assert out.read_bytes() == report.result.data
    assert a.id in events_of(report.result.data)
    clock.advance(days=1)
    again = export_feed(store, out, today=TODAY)
    assert again.result.data == report.result.data
    assert store.path.read_bytes() == plan_bytes
    assert store.path.stat().st_mtime_ns == mtime
    assert not store.dirty
    assert not list(tmp_path.glob(".feed.ics.tmp-*"))
    assert default_feed_path(store.path) == tmp_path / "plan.ics"


def test_calendar_name_for():
    assert calendar_name_for("/x/plan.json") == "ctstui: plan"
    assert calendar_name_for("/x/plan.json", "lead:SN  theme:sport") == (
        "ctstui: plan (lead:SN theme:sport)"
    )


# -- the command line -------------------------------------------------------------------------------


def cli(tmp_path, *args):
    return main(["--db", str(tmp_path / "plan.json"), "--today", "2013-05-01", *args])


def test_cli_writes_file_and_reports_left_out(store, tmp_path, capsys):
    a = store.add(act("Peer review"))
    store.add(
        act("Some time in June", DateSpec("June", date(2013, 6, 1), date(2013, 6, 30), P.MONTH))
    )
    out = tmp_path / "feed.ics"
    assert cli(tmp_path, "export-ics", "-o", str(out)) == 0
    captured = capsys.readouterr()
    assert "wrote 1 event to" in captured.out
    assert "Some time in June" in captured.out and "'June' is a month" in captured.out
    assert captured.err == ""
    data = out.read_bytes()
    check_bytes(data)
    check_three_parsers(data)
    assert set(events_of(data)) == {a.id}
    # Re-export of an unchanged plan: byte-identical feed, plan file untouched.
    plan_bytes = (tmp_path / "plan.json").read_bytes()
    assert cli(tmp_path, "export-ics", "-o", str(out)) == 0
    assert out.read_bytes() == data
    assert (tmp_path / "plan.json").read_bytes() == plan_bytes


def test_cli_stdout_and_summary_on_stderr(store, tmp_path, capsysbinary):
    a = store.add(act("Peer review"))
    assert cli(tmp_path, "export-ics") == 0
    captured = capsysbinary.readouterr()
    assert captured.out.startswith(b"BEGIN:VCALENDAR\r\n")
    check_bytes(captured.out)
    assert set(events_of(captured.out)) == {a.id}
    assert b"wrote 1 event" in captured.err


def test_cli_cancellation_after_edit(store, tmp_path, capsys):
    a = store.add(act("Peer review"))
    out = tmp_path / "feed.ics"
    assert cli(tmp_path, "export-ics", "-o", str(out)) == 0
    edited = ActivityStore(tmp_path / "plan.json")
    edited.set_status(a.id, Status.CANCELLED)
    assert cli(tmp_path, "export-ics", "-o", str(out)) == 0
    assert "1 cancellation" in capsys.readouterr().out
    ev = events_of(out.read_bytes())[a.id]
    assert str(ev["STATUS"]) == "CANCELLED" and ev["SEQUENCE"] == 1
    meta = json.loads((tmp_path / "plan.json").read_text())["_meta"]
    assert "published" not in next(iter(meta.values()))


def test_cli_include_planned_and_query(store, tmp_path, capsysbinary):
    p = store.add(act("Planned", status=Status.PLANNED, leads=["SN"]))
    c = store.add(act("Confirmed", leads=["JW"]))
    assert cli(tmp_path, "export-ics", "--include", "planned", "--query", "lead:SN") == 0
    data = capsysbinary.readouterr().out
    assert set(events_of(data)) == {p.id}
    assert "(lead:SN)" in str(Calendar.from_ical(data)["NAME"])
    assert cli(tmp_path, "export-ics") == 0
    assert set(events_of(capsysbinary.readouterr().out)) == {c.id}


def test_cli_empty_feed_warns(store, tmp_path, capsys):
    store.add(act("Only planned", status=Status.PLANNED))
    out = tmp_path / "feed.ics"
    assert cli(tmp_path, "export-ics", "-o", str(out)) == 0
    assert "the feed is empty" in capsys.readouterr().err
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


def test_cli_missing_plan_is_an_error_and_nothing_is_made(tmp_path, capsys):
    assert cli(tmp_path, "export-ics", "-o", str(tmp_path / "feed.ics")) == 2
    assert "no plan file to export" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_cli_errors_exit_2(store, tmp_path, capsys):
    store.add(act())
    assert cli(tmp_path, "export-ics", "--query", "nosuchfield:x") == 2
    assert "unknown field" in capsys.readouterr().err
    assert cli(tmp_path, "export-ics", "-o", str(tmp_path / "missing" / "feed.ics")) == 2
    assert "cannot write the feed" in capsys.readouterr().err
    assert cli(tmp_path, "export-ics", "-o", str(tmp_path)) == 2


def test_cli_left_out_titles_are_printable(store, tmp_path, capsys):
    store.add(
        act("Evil\x1b[2J title", DateSpec("June", date(2013, 6, 1), date(2013, 6, 30), P.MONTH))
    )
    assert cli(tmp_path, "export-ics", "-o", str(tmp_path / "f.ics")) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "Evil\\x1b[2J title" in out


def test_no_line_is_longer_than_75_octets_in_a_big_feed():
    data = bench.fast_feed(bench.make_activities(300))
    check_bytes(data)
    assert re.search(rb"\r\n [^\r]", data)  # some lines were folded


def test_cli_export_on_a_read_only_plan_works(store, tmp_path, monkeypatch, capsysbinary):
    """Exporting only reads the plan: a read-only plan (or folder) is no obstacle."""
    import errno
    import os

    import ctstui.store.activity_store as store_module

    a = store.add(act("Peer review"))
    plan = tmp_path / "plan.json"
    before, mtime = plan.read_bytes(), plan.stat().st_mtime_ns

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    plan.chmod(0o444)
    monkeypatch.setattr(store_module.os, "replace", refuse)  # root ignores file modes
    assert cli(tmp_path, "export-ics") == 0
    captured = capsysbinary.readouterr()
    assert set(events_of(captured.out)) == {a.id}
    assert b"error" not in captured.err.lower()
    assert plan.read_bytes() == before and plan.stat().st_mtime_ns == mtime
