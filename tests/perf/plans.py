"""Plans and plan tables for the benchmark, generated in code.

- :func:`generate_plan`: a plan of ``n`` activities shaped like the sample plan
  (its mix of kinds, fuzzy dates, reviews and history), spread over a decade,
  plus one marker activity on the bench's "today" whose title the cold-start
  measure looks for on the terminal.
- :func:`generate_table`: a plan table of ``n`` rows shaped like seed 000 (the
  tab-separated text a user pastes from Word), for the import measure.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

TODAY = date(2013, 11, 5)
# A title no generated activity carries, short enough to fit in a calendar cell:
# its appearance on the terminal means the plan has been loaded and drawn.
MARKER_TITLE = "Kestrel"

# Precisions drawn in the calendar's day cells (the others go to the month's tray).
_IN_DAY_CELLS = ("day", "days", "options", "week")


def generate_plan(n: int, path: Path, seed: int = 8) -> int:
    """Write a plan of ``n`` activities (plus the marker) to ``path``; return its count.

    Written straight as the store's JSON (a bulk load, not n separate saves), then
    read back through ``ActivityStore``; if the store no longer reads that shape,
    the plan is built through the store's own API instead (slower, but honest).
    """
    from ctstui.store.activity_store import ActivityStore

    activities = _activities(n, seed)
    try:
        _write_store_json(activities, path)
        loaded = len(ActivityStore(path, autosave=False).activities())
    except Exception:
        loaded = -1
    if loaded != len(activities):
        path.unlink(missing_ok=True)
        store = ActivityStore(path, autosave=False)
        with store.transaction("bench plan"):
            for activity in activities:
                store.add(activity, action="import")
        store.save()
        store.close()
        loaded = len(ActivityStore(path, autosave=False).activities())
        if loaded != len(activities):
            raise RuntimeError(f"generated {len(activities)} activities, the store read {loaded}")
    return loaded


def _activities(n: int, seed: int) -> list:
    from ctstui.cli.context import sample_plan_path
    from ctstui.domain.dates import DateSpec, Precision
    from ctstui.domain.model import HistoryEntry, Rag, RagReview, Status
    from ctstui.store.activity_store import ActivityStore

    rng = random.Random(seed)
    templates = ActivityStore(sample_plan_path(), autosave=False).activities()
    rags = list(Rag)
    out = []
    for i in range(n):
        base = rng.choice(templates)
        years = rng.randrange(-8, 3)  # a decade of plans in one file
        shift = timedelta(days=round(365.25 * years))
        when = base.when
        if when.start or when.end:
            start = when.start + shift if when.start else None
            end = when.end + shift if when.end else None
            if when.precision.value in _IN_DAY_CELLS and start and start <= TODAY <= (end or start):
                # keep the marker's day to the marker, so it is never hidden in a full cell
                shift += timedelta(days=7 + ((end or start) - start).days)
                start, end = when.start + shift, (when.end + shift if when.end else None)
            when = DateSpec(
                text=when.text,
                start=start,
                end=end,
                precision=when.precision,
                options=tuple(d + shift for d in when.options),
            )
        stamp = (datetime(2013, 6, 1, tzinfo=UTC) + timedelta(minutes=i)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        rating = rng.choice(rags)
        reviews = (
            [RagReview(TODAY - timedelta(days=rng.randrange(400)), rating, "progress", "JW")]
            if rating is not Rag.UNRATED
            else []
        )
        history = [
            HistoryEntry(stamp, "bench", "import", {}),
            HistoryEntry(stamp, "bench", "edit", {"status": ["tbc", base.status.value]}),
        ]
        out.append(
            replace(
                base.copy(),
                id=f"{i:08d}-0000-4000-8000-{rng.getrandbits(48):012x}",
                title=f"{base.title} {i}" if rng.random() < 0.5 else base.title,
                when=when,
                rag=rating,
                reviews=reviews,
                history=history,
                created=stamp,
                updated=stamp,
                revision=2,
            )
        )
    marker = replace(
        templates[0].copy(),
        id="ffffffff-0000-4000-8000-000000000001",
        title=MARKER_TITLE,
        when=DateSpec(f"{TODAY.day} {TODAY:%B %Y}", TODAY, TODAY, Precision.DAY),
        status=Status.CONFIRMED,
        created="2013-06-01T00:00:00Z",
        updated="2013-06-01T00:00:00Z",
    )
    out.append(marker)
    return out


def _write_store_json(activities: list, path: Path) -> None:
    from ctstui.store.activity_store import APP_NAME, SCHEMA_VERSION

    data = {
        "_meta": {"1": {"app": APP_NAME, "schema": SCHEMA_VERSION, "plan_year": "2013/14"}},
        "activities": {str(i + 1): a.to_dict() for i, a in enumerate(activities)},
    }
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


# -- plan tables (seed 000's shape) ------------------------------------------------------

_PLACES = (
    "Derby",
    "Solihull",
    "Rochdale",
    "Somerset",
    "North Yorkshire",
    "Bournemouth",
    "Dudley",
    "Walsall",
    "Stoke-on-Trent",
    "Cumbria",
)
_TITLES = (
    ("Libraries peer review {place} {i} (2 days)", "Individual council", "JW"),
    ("Sport peer review {place} {i} (2 days)", "Individual council", "SN"),
    ("Officer peer training {i} (1day)", "Culture and sport officer peers (10)", "JW"),
    ("Sport Academy {i} (2days)", "Sport PHs (15)", "SN"),
    ("Heritage seminar {place} {i} (1 day)", "Heritage and planning PHs (25)", "LC"),
    ("Culture Academy {i} (2 days)", "Culture PHs (15)", "SN"),
    ("Sport action learning set {i} (1 day)", "Sport PHs who have completed an academy (5)", "SN"),
    ("Visitor economy leadership seminar {i} (1 day)", "Culture, tourism and growth PHs", "JW/LC"),
)
_MONTHS = (
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "January",
    "February",
    "March",
)


def _date_cell(rng: random.Random) -> str:
    index = rng.randrange(len(_MONTHS) - 1)
    month, following = _MONTHS[index], _MONTHS[index + 1]
    day = rng.randrange(1, 28)
    return rng.choice(
        (
            f"{day} {month} - completed",
            f"{day}/{day + 1} {month} - completed",
            f"{day} {month}",
            f"{day} {month} (CONFIRMED)",
            f"{month} TBC",
            f"{day}/{day + 1} {month}",
            month,
            f"W/b {day} {month}",
            f"{month[:3]} / {following}",
        )
    )


def generate_table(n: int, path: Path, seed: int = 0) -> None:
    """A plan table of ``n`` distinct activities for 2013/14, tab-separated like seed 000."""
    rng = random.Random(seed)
    lines = [
        "",
        "<b>Annex A CTS Improvement Project Plan 2013/14</b>\t\t\t\t",
        "<b>Activity</b>\t<b>Date</b>\t<b>Target audience</b>\t"
        "<b>Link to business plan</b>\t<b>Lead officer</b>",
    ]
    for i in range(n):
        title, audience, lead = rng.choice(_TITLES)
        title = title.format(place=rng.choice(_PLACES), i=i + 1)
        lines.append(f"{title}\t{_date_cell(rng)}\t{audience}\tgrowth\t{lead}")
        if i and i % 500 == 0:
            # Word tables repeat their header on each page
            lines += ["", "Activity\tDate\tTarget audience\tLink to business plan\tLead officer"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
