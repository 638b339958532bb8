"""Benchmark: exporting the .ics feed, fast path against a straightforward build.

    python tests/perf/bench_ics.py [--sizes 1000,10000] [--repeat 3]

The straightforward build (:func:`baseline_feed`) is what one would write
first: one icalendar ``Event`` per activity, added to a ``Calendar``, then
``Calendar.to_ical()``.  ctstui's :func:`ctstui.feed.ical.build_feed` writes the
same bytes from text templates with icalendar's own escaping and folding.
Both share the selection step (:func:`ctstui.feed.ical.plan_feed`),
so the comparison is the whole export, from activities to bytes.

Target: 10k events in at most half the baseline's time.  ``measure_export(n)``
is imported by the project's main benchmark.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime, timedelta

from icalendar import Event

from ctstui.domain.dates import DateSpec, Precision
from ctstui.domain.model import Activity, Kind, Rag, Status, Theme
from ctstui.feed.ical import FeedHeader, build_feed, header_calendar, plan_feed

NOW = datetime(2013, 5, 1, 9, 30, tzinfo=UTC)
TODAY = NOW.date()
NAME = "ctstui: bench"

_PLACES = ("Solihull", "Dudley", "Sandwell", "Walsall", "Wolverhampton", "Stoke-on-Trent")
_AUDIENCES = ("Sport PHs", "Culture leads", "Heritage officers", "Library managers — regional")


def make_activities(n: int, *, seed_day: date = date(2013, 4, 1)) -> list[Activity]:
    """``n`` confirmed activities with realistic (and some non-ASCII) text."""
    kinds, themes, rags = list(Kind), list(Theme), list(Rag)
    out = []
    for i in range(n):
        start = seed_day + timedelta(days=i % 360)
        span = i % 3
        end = start + timedelta(days=span)
        precision = Precision.DAY if span == 0 else Precision.DAYS
        text = f"{start.day}" + (f"-{end.day}" if span else "") + f" {start:%B}"
        out.append(
            Activity(
                id=f"00000000-0000-4000-8000-{i:012d}",
                title=f"Peer review of {_PLACES[i % 6]} council's culture offer, part {i}",
                when=DateSpec(text, start, end, precision),
                kind=kinds[i % len(kinds)],
                theme=themes[i % len(themes)],
                place=_PLACES[(i * 7) % 6] + (" Café" if i % 5 == 0 else ""),
                status=Status.COMPLETED if i % 10 == 0 else Status.CONFIRMED,
                rag=rags[i % len(rags)],
                audience=_AUDIENCES[i % 4],
                places=10 + i % 20,
                leads=["JW", "LC"][: 1 + i % 2],
                link=f"https://khub.net/group/culture/{i}",
                programme="Culture and sport improvement 2013/14",
                created="2013-03-01T08:00:00Z",
                updated=f"2013-04-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
            )
        )
    return out


def baseline_feed(activities: list[Activity], tombstones=()) -> bytes:
    """The straightforward build: one icalendar ``Event`` per activity."""
    plan = plan_feed(activities, tombstones, today=TODAY)
    header = build_feed([], today=TODAY, calendar_name=NAME).header
    assert isinstance(header, FeedHeader)
    cal = header_calendar(header)
    for r in plan.records:
        cal.add_component(
            Event.new(
                uid=r.uid,
                summary=r.summary,
                start=r.start,
                end=r.end,
                stamp=r.stamp,
                last_modified=r.stamp,
                created=r.created,
                sequence=r.sequence,
                status=r.status,
                transparency="TRANSPARENT",
                description=r.description or None,
                location=r.location or None,
                **({"categories": list(r.categories)} if r.categories else {}),
            )
        )
    return cal.to_ical()


def fast_feed(activities: list[Activity], tombstones=()) -> bytes:
    return build_feed(activities, tombstones, today=TODAY, calendar_name=NAME).data


def _best(fn, repeat: int) -> tuple[float, bytes]:
    best, data = float("inf"), b""
    for _ in range(repeat):
        t0 = time.perf_counter()
        data = fn()
        best = min(best, time.perf_counter() - t0)
    return best, data


def measure_export(n: int, repeat: int = 1) -> dict:
    """Time the fast export and the baseline for ``n`` confirmed events.

    Returns ``{"events", "fast_s", "baseline_s", "ratio", "bytes", "identical"}``;
    ``ratio`` is fast / baseline (target <= 0.5).
    """
    activities = make_activities(n)
    fast_s, fast = _best(lambda: fast_feed(activities), repeat)
    base_s, base = _best(lambda: baseline_feed(activities), repeat)
    return {
        "events": n,
        "fast_s": fast_s,
        "baseline_s": base_s,
        "ratio": fast_s / base_s if base_s else float("nan"),
        "bytes": len(fast),
        "identical": fast == base,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated event counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best kept)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    failed = False
    print(f"{'events':>8}  {'fast s':>8}  {'baseline s':>10}  {'ratio':>6}  {'bytes':>10}  same")
    for n in sizes:
        m = measure_export(n, repeat=args.repeat)
        print(
            f"{m['events']:>8}  {m['fast_s']:>8.3f}  {m['baseline_s']:>10.3f}  "
            f"{m['ratio']:>6.2f}  {m['bytes']:>10}  {'yes' if m['identical'] else 'NO'}"
        )
        if not m["identical"] or (n >= 10000 and m["ratio"] > 0.5):
            failed = True
    if failed:
        print("target missed: 10k events in at most half the baseline's time, same bytes")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
