"""Where activities land on the calendar, the TBC tray, the year's load."""

from __future__ import annotations

from datetime import date

from ctstui.domain.dates import DateSpec, PlanYear
from ctstui.domain.model import Activity, Status
from ctstui.domain.planview import (
    CalendarIndex,
    add_months,
    month_weeks,
    placed_days,
    plan_year_of,
    year_load,
)

PY = PlanYear(2013)


def act(title: str, when: str, status: Status = Status.PLANNED) -> Activity:
    return Activity(title=title, when=DateSpec.parse(when, PY), status=status)


def test_month_weeks_are_six_monday_first_weeks():
    weeks = month_weeks(2013, 11)
    assert len(weeks) == 6 and all(len(w) == 7 for w in weeks)
    assert weeks[0][0] == date(2013, 10, 28)  # the Monday before 1 November
    assert all(day.weekday() == 0 for day in (w[0] for w in weeks))


def test_add_months_clamps_the_day():
    assert add_months(date(2014, 1, 31), 1) == date(2014, 2, 28)
    assert add_months(date(2013, 12, 5), 1) == date(2014, 1, 5)
    assert add_months(date(2013, 1, 5), -1) == date(2012, 12, 5)


def test_multi_day_activities_sit_on_each_day_week_ones_on_their_monday():
    assert placed_days(act("a", "14/15 May")) == [date(2013, 5, 14), date(2013, 5, 15)]
    assert placed_days(act("b", "W/b 18 November")) == [date(2013, 11, 18)]
    assert placed_days(act("c", "10 or 11 July")) == []
    assert placed_days(act("d", "Feb / March")) == []


def test_tray_holds_the_months_fuzzy_activities():
    items = [
        act("June", "June"),
        act("Feb/Mar", "Feb / March"),
        act("Mid Feb", "Mid Feb"),
        act("Or", "10 or 11 July"),
        act("Firm", "21 May"),
        act("Undated", ""),
    ]
    index = CalendarIndex.build(items)
    assert [a.title for a in index.tray(2013, 6)] == ["June"]
    assert sorted(a.title for a in index.tray(2014, 2)) == ["Feb/Mar", "Mid Feb"]
    assert [a.title for a in index.tray(2014, 3)] == ["Feb/Mar"]
    assert [a.title for a in index.tray(2013, 7)] == ["Or"]
    assert index.tray(2013, 5) == []  # the firm one is on its day, not in the tray
    assert [a.title for a in index.on(date(2013, 5, 21))] == ["Firm"]


def test_nearest_activity_to_today():
    index = CalendarIndex.build([act("May", "21 May"), act("Feb", "Feb / March")])
    assert index.nearest(date(2020, 1, 1)) == date(2014, 2, 1)
    assert index.nearest(date(2000, 1, 1)) == date(2013, 5, 21)
    assert CalendarIndex.build([]).nearest(date(2013, 1, 1)) is None


def test_plan_year_of_a_day():
    assert str(plan_year_of(date(2014, 3, 31))) == "2013/14"
    assert str(plan_year_of(date(2013, 4, 1))) == "2013/14"


def test_year_load_counts_activity_days_and_tbc_per_month():
    items = [
        act("a", "14/15 May"),
        act("b", "14 May"),
        act("c", "November", Status.TBC),
        act("d", "W/b 18 November"),
        act("x", "16 May", Status.CANCELLED),
    ]
    load = year_load(items, PY)
    assert load.per_day[date(2013, 5, 14)] == 2
    assert load.per_day[date(2013, 5, 15)] == 1
    assert date(2013, 5, 16) not in load.per_day  # cancelled is not load
    assert load.tbc_per_month[(2013, 11)] == 2  # the month and the week-of
    assert load.busiest == 2
