"""Incremental work gives what the whole plan gives: filtering narrows the previous
result while the query only narrows (the totals come with the result), and the
calendar's tray comes from a per-month index instead of a scan of every fuzzy activity."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest

from ctstui.domain import planview
from ctstui.domain import query as query_module
from ctstui.domain.dates import DateSpec, PlanYear, Precision
from ctstui.domain.model import Activity, Status
from ctstui.domain.query import NarrowingFilter, Query

YEAR = PlanYear(2013)
WORDS = ["sport", "spoke", "spa", "swim", "culture", "heritage", "library", "Straße"]


def plan(n: int = 400, seed: int = 3) -> list[Activity]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        out.append(
            Activity(
                title=f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}",
                when=DateSpec.parse(f"{1 + i % 28} November", YEAR),
                place=rng.choice(["Derby", "Leeds", "Bath", ""]),
                leads=[rng.choice(["SN", "LC", "S"])],
                status=rng.choice(list(Status)),
                days=rng.choice([None, 0.5, 1.0, 2.0]),
                places=rng.choice([None, 5, 15]),
            )
        )
    return out


def typed(text: str) -> list[str]:
    """Every query a person goes through typing ``text`` and then deleting it."""
    growing = [text[: i + 1] for i in range(len(text))]
    return growing + growing[-2::-1] + [""]


def expected(text: str, activities: list[Activity]) -> list[Activity]:
    return [a for a in activities if Query.parse(text).matches(a)]


@pytest.mark.parametrize(
    "text",
    [
        "spo culture",
        "title:spo -place:le",
        "-sp -spo lead:SN",
        "status:tbc,planned spa",
        "title:sp,cu str",
        "STRASSE",  # casefolded: "ß" matches "ss"
        "month:nov sport",
    ],
)
def test_typing_and_deleting_a_query_always_gives_what_the_whole_plan_gives(text):
    activities = plan()
    narrowing = NarrowingFilter()
    for step in typed(text):
        try:
            query = Query.parse(step)
        except query_module.QueryError:
            continue  # half-typed ("lead:"): the screen keeps the last result
        result = narrowing.run(query, activities)
        assert result.activities == expected(step, activities), step
        assert result.days == sum(a.days or 0 for a in result.activities)
        assert result.places == sum(a.places or 0 for a in result.activities)


def test_a_narrowing_keystroke_tests_only_the_rows_the_last_one_kept(monkeypatch):
    activities = plan(1000)
    tested = []
    haystack = query_module._haystack
    monkeypatch.setattr(query_module, "_haystack", lambda a: tested.append(a) or haystack(a))
    narrowing = NarrowingFilter()
    first = narrowing.run(Query.parse("sp"), activities)
    assert len(tested) == 1000
    tested.clear()
    narrower = narrowing.run(Query.parse("spo"), activities)
    assert len(tested) == len(first) < 1000
    assert narrower.activities == expected("spo", activities)
    # Deleting the letter again gives back the result already found, without a pass.
    tested.clear()
    again = narrowing.run(Query.parse("sp"), activities)
    assert tested == [] and again.activities == first.activities
    # A term that does not narrow ("lead:S" then "lead:SN": a lead is matched whole)
    # is run on the whole plan.
    narrowing.run(Query.parse("lead:S"), activities)
    tested.clear()
    leads = narrowing.run(Query.parse("lead:SN sp"), activities)
    # Narrowed from "sp": the words are tested only on its rows that have lead SN.
    assert tested == [a for a in first.activities if "SN" in a.leads]
    assert leads.activities == expected("lead:SN sp", activities)


def test_a_changed_plan_is_filtered_whole_again():
    activities = plan()
    narrowing = NarrowingFilter()
    before = narrowing.run(Query.parse("spa"), activities)
    # An activity the last result left out is renamed to match: the store gives a new object.
    outside = next(a for a in activities if a not in before.activities)
    changed = [replace(a, title="spa day") if a is outside else a for a in activities]
    after = narrowing.run(Query.parse("spa d"), changed)
    assert after.activities == expected("spa d", changed)
    assert any(a.title == "spa day" for a in after.activities)
    # A removed activity is gone at once, even for the very same query.
    fewer = [a for a in changed if a.title != "spa day"]
    assert narrowing.run(Query.parse("spa d"), fewer).activities == expected("spa d", fewer)


@pytest.mark.parametrize(
    ("wider", "narrower", "sure"),
    [
        ("sp", "spo", True),
        ("sp", "spo culture", True),
        ("culture sp", "spo culture", True),
        ("title:sp", "title:spo", True),
        ("-spo", "-sp", True),  # hiding "sp" hides every "spo"
        ("-sp", "-spo", False),
        ("spo", "sp", False),
        ("lead:S", "lead:SN", False),  # a lead is matched whole
        ("title:sp,cu", "title:spo,cu", False),  # alternatives
        ("title:sp", "place:spo", False),
        ("sp", "-spo", False),
        ("status:tbc", "status:tbc", True),
        ("", "anything", True),
        ("sp", "", False),
    ],
)
def test_a_query_narrows_another_only_when_that_is_sure(wider, narrower, sure):
    assert Query.parse(narrower).narrows(Query.parse(wider)) is sure
    if sure:  # and, where it says so, it is true on a real plan
        activities = plan()
        kept = set(map(id, expected(wider, activities)))
        assert all(id(a) in kept for a in expected(narrower, activities))


# -- the calendar's per-month index (a month switch looks at that month only) ----------


def tray_by_scanning(items: list[Activity], year: int, month: int) -> list[Activity]:
    """The tray as the rule says, by looking at every fuzzy activity of the plan."""
    first, last = planview.month_bounds(year, month)
    out = []
    for activity in items:
        if not planview.in_tray(activity):
            continue
        when = activity.when
        start = when.start or (when.end.replace(day=1) if when.end else None)
        if start is None:
            continue
        end = start if when.precision is Precision.FROM else (when.end or start)
        if start <= last and end >= first:
            out.append(activity)
    return out


def fuzzy_plan() -> list[Activity]:
    texts = [
        "June",
        "Feb / March",
        "Mid Feb",
        "10 or 11 July",
        "21 May",
        "by March",
        "from Sept",
        "June - Aug 14",
        "April 13 - March 14",
        "",
        "Ongoing",
        "W/b 18 November",
        "14/15 May",
        "end of February",
    ]
    out = [
        Activity(title=f"{t or 'undated'} {i}", when=DateSpec.parse(t, YEAR))
        for i, t in enumerate(texts * 3)
    ]
    # A window over decades (a typing slip) is still shown in every month it touches.
    long = DateSpec(
        text="2001 to 2049",
        start=date(2001, 1, 1),
        end=date(2049, 12, 31),
        precision=Precision.MONTHS,
    )
    out.insert(5, Activity(title="decades", when=long))
    return out


def test_the_month_index_gives_every_months_tray_as_scanning_the_plan_does(monkeypatch):
    items = fuzzy_plan()
    index = planview.CalendarIndex.build(items)
    calls = []
    window = planview.tray_window
    monkeypatch.setattr(planview, "tray_window", lambda a: calls.append(a) or window(a))
    shown = 0
    for year in range(2012, 2016):
        for month in range(1, 13):
            tray = index.tray(year, month)
            assert tray == tray_by_scanning(items, year, month), (year, month)
            shown += len(tray) - 1  # "decades" is in every month
    assert shown > 40
    # Only the one decades-long window is looked at again on each month switch.
    assert {a.title for a in calls} == {"decades"}
    assert len(calls) == 4 * 12
