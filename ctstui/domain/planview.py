"""Where activities fall on a calendar: days, weeks, the month's TBC tray, year load.

Plain Python (no Textual); the calendar and year screens draw what this computes.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from ctstui.domain.dates import PlanYear, Precision
from ctstui.domain.model import Activity, Status


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def month_weeks(year: int, month: int) -> list[list[date]]:
    """Six Monday-first weeks covering the month (a fixed-height grid)."""
    first = date(year, month, 1)
    start = first - timedelta(days=first.weekday())
    return [[start + timedelta(days=7 * w + d) for d in range(7)] for w in range(6)]


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def placed_days(activity: Activity) -> list[date]:
    """The days an activity sits on in the grid: each day of a day-precise window,
    the week-beginning day of a "W/b" one; none for other fuzzy dates."""
    when = activity.when
    if when.is_day_precise and when.start and when.end:
        span = (when.end - when.start).days
        if span > 366:  # a mistyped range must not flood the calendar
            return [when.start]
        return [when.start + timedelta(days=i) for i in range(span + 1)]
    if when.precision is Precision.WEEK and when.start:
        return [when.start]
    return []


def in_tray(activity: Activity) -> bool:
    """Fuzzy activities that cannot sit on a day go in the month's "date TBC" tray."""
    return not placed_days(activity) and activity.when.precision not in (
        Precision.NONE,
        Precision.ONGOING,
    )


# A tray item whose window spans more months than this is kept out of the
# per-month index (a mistyped "2001 to 2099" must not fill a thousand months);
# such items are few and are checked on every month.
TRAY_INDEX_MONTHS = 24


def tray_window(activity: Activity) -> tuple[date, date] | None:
    """The days whose months show ``activity`` in their tray (None: no month does)."""
    when = activity.when
    start = when.start or (when.end.replace(day=1) if when.end else None)
    if start is None:
        return None
    end = when.end or start
    if when.precision is Precision.FROM:
        end = start  # open-ended: shown in its first month only
    return start, end


@dataclass
class CalendarIndex:
    """Activities by day, and the tray items by month, for fast month switching."""

    by_day: dict[date, list[Activity]]
    tray_items: list[Activity]
    # (year, month) -> (position in tray_items, activity), in tray_items order;
    # built from tray_items, so a month switch looks at that month's items only.
    _by_month: dict[tuple[int, int], list[tuple[int, Activity]]] = field(
        init=False, repr=False, default_factory=dict
    )
    _long: list[tuple[int, Activity]] = field(init=False, repr=False, default_factory=list)

    def __post_init__(self) -> None:
        by_month: dict[tuple[int, int], list[tuple[int, Activity]]] = defaultdict(list)
        for position, activity in enumerate(self.tray_items):
            window = tray_window(activity)
            if window is None:
                continue
            start, end = window
            first = start.year * 12 + start.month - 1
            last = end.year * 12 + end.month - 1
            if last - first >= TRAY_INDEX_MONTHS:
                self._long.append((position, activity))
                continue
            for index in range(first, last + 1):
                year, month = divmod(index, 12)
                by_month[(year, month + 1)].append((position, activity))
        self._by_month = dict(by_month)

    @classmethod
    def build(cls, activities: list[Activity]) -> CalendarIndex:
        by_day: dict[date, list[Activity]] = defaultdict(list)
        tray: list[Activity] = []
        for activity in activities:
            days = placed_days(activity)
            for day in days:
                by_day[day].append(activity)
            if not days and in_tray(activity):
                tray.append(activity)
        return cls(dict(by_day), tray)

    def on(self, day: date) -> list[Activity]:
        return self.by_day.get(day, [])

    def tray(self, year: int, month: int) -> list[Activity]:
        """Fuzzy activities whose window touches the month ("BY" only in its month),
        in the plan's order."""
        found = self._by_month.get((year, month), [])
        if self._long:
            first, last = month_bounds(year, month)
            long = [
                (position, activity)
                for position, activity in self._long
                if (window := tray_window(activity)) and window[0] <= last and window[1] >= first
            ]
            if long:
                found = sorted(found + long, key=lambda item: item[0])
        return [activity for _, activity in found]

    def nearest(self, today: date) -> date | None:
        """The start of the activity nearest to today (for opening the calendar)."""
        best: date | None = None
        for day in self.by_day:
            if best is None or abs((day - today).days) < abs((best - today).days):
                best = day
        for activity in self.tray_items:
            candidate = activity.when.start or activity.when.end
            if candidate and (
                best is None or abs((candidate - today).days) < abs((best - today).days)
            ):
                best = candidate
        return best


def plan_year_of(day: date) -> PlanYear:
    """The April-March plan year a day falls in."""
    return PlanYear.containing(day)


@dataclass
class YearLoad:
    """Activity-days per day of a plan year, and the TBC load of each month."""

    plan_year: PlanYear
    per_day: dict[date, float]
    tbc_per_month: dict[tuple[int, int], int]

    @property
    def busiest(self) -> float:
        return max(self.per_day.values(), default=0.0)


def year_load(activities: list[Activity], plan_year: PlanYear) -> YearLoad:
    per_day: dict[date, float] = defaultdict(float)
    tbc: dict[tuple[int, int], int] = defaultdict(int)
    start, end = plan_year.start, plan_year.end
    for activity in activities:
        if activity.status is Status.CANCELLED:
            continue
        days = placed_days(activity)
        if days and activity.when.precision is not Precision.WEEK:
            for day in days:
                if start <= day <= end:
                    per_day[day] += 1
            continue
        when = activity.when
        first = when.start or when.end
        if first is None:
            continue
        if start <= first <= end:
            tbc[(first.year, first.month)] += 1
    return YearLoad(plan_year, dict(per_day), dict(tbc))
