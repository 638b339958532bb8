"""Board-report summaries: totals, workload, funder targets against delivery.

Plain Python (no Textual).  :func:`build_report` computes a :class:`Report`
from the plan's activities; :func:`report_tables` lays it out as
:class:`Table` s, which :func:`to_text` (terminal), :func:`to_markdown` (paste
into a board paper) and the TUI's Report screen all draw, so every format
shows the same figures.  :func:`to_json` gives the figures for scripts and
:func:`to_csv` the activity rows.

How each figure is counted
--------------------------
- **Window**: a plan year (April-March) or any ``start``..``end``.  An activity
  belongs to it when its date window overlaps it (``DateSpec.overlaps``: "by
  March" runs from the beginning of time, "from Sept" to the end of it).  An
  activity with no date window (an empty date or "Ongoing", e.g. "Up to 3 more
  sport action learning sets") belongs to its *home plan year*: the plan's
  stored plan year (``undated_year``: the last import's), else the plan year of
  its ``created`` stamp; it counts in a window that covers the whole of that
  plan year.
- **Counted** activities: those of the window matching the query, except
  cancelled ones and *dropped* ones (an import flagged them as no longer in
  the imported file, with a note line ``not in FILE (imported DATE)``, and
  they are not completed): those are listed, never added into totals.  Days are ``days``
  (unknown counts as 0 and is reported); places only where a number is given.
- **Status**: completed / confirmed / planned / TBC; an *optional* activity
  that is not completed counts as "optional" whatever its status.  So the
  total is scheduled (everything but optional) + optional.
- **Audience**: an audience mentioning PHs, councillors, members or portfolio
  holders is for councillors; one mentioning officers is for officers; one
  mentioning both is for councillors and officers; anything else is other
  ("Individual council").
- **Month**: an activity counts in the month its window starts (a "by"
  deadline in its deadline month), or the window's first month if it started
  earlier.  Leads' workload is days per month; an activity led by two people
  counts in full for each.
- **Contracts** (those whose period meets the window, and those starting
  within a year of today): for each target, the activities *linked* to the
  contract (their ``funder`` names its funder, any case, or gives its id)
  matching its query whose window belongs to the contract period (the report's
  query does not apply; cancelled and dropped activities never count).
  Matching activities that name no funder are listed as not counted.
  *Delivered*: completed.  *Scheduled*: confirmed, planned or TBC, not
  optional, whose window has not ended before today.  *Overdue*: the same but
  ended before today (neither delivered nor scheduled).  *Still needed* =
  max(0, target - delivered - scheduled); *flagged* when delivered +
  scheduled < target.  *Days left* counts the days of the period from today
  (or from its start, if it has not started) to its end, inclusive.
- **Reconciliation**: each stated total whose plan year meets the window is
  compared with that whole plan year (the query does not apply): days as
  scheduled + optional, councillors as the places offered to councillors.
  "over 200" agrees with more than 200, "at least", "up to", "about" (within
  10 %) likewise; a bare number must match exactly.
- **Since a date**: between ``since`` and ``today`` inclusive, over the
  report's activities (its window and query): *took place* = completed, and
  held (its dates ended) then or marked completed then; *slipped* = not
  completed, cancelled or dropped, its dates ended then (before today);
  *scheduled next* = not completed, cancelled or dropped, not ended before
  today; status and RAG changes from the history entries' ``changes``, one
  line per activity and field ("planned → confirmed → completed"); *new* =
  created then; *dropped* = flagged by an import as no longer in the imported
  file (a note line ``not in FILE (imported DATE)``) or cancelled then (and
  still cancelled).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from ctstui.domain.dates import PlanYear
from ctstui.domain.markers import missing_mark as missing_in_notes
from ctstui.domain.model import (
    Activity,
    FunderContract,
    Kind,
    Rag,
    StatedTotals,
    Status,
    Theme,
)
from ctstui.domain.planview import add_months, plan_year_of
from ctstui.domain.query import Query, QueryError
from ctstui.domain.rules import (
    COUNCILLOR_WORDS,
    DAY_WORDS,
    PlanCount,
    agrees,
    audience_group,
    stated_line,
)
from ctstui.domain.text import cell_width, fit, format_days, printable
from ctstui.domain.text import count_of as _count

__all__ = [
    "AUDIENCE_GROUPS",
    "FORMATS",
    "STATUS_ROWS",
    "Change",
    "ContractProgress",
    "Reconciliation",
    "Report",
    "SinceReport",
    "Table",
    "Tally",
    "TargetProgress",
    "Window",
    "audience_group",
    "belongs",
    "build_report",
    "choose_window",
    "contract_progress",
    "days_chart",
    "default_window",
    "heading",
    "missing_mark",
    "plan_year_from_meta",
    "reconcile",
    "render",
    "report_tables",
    "since_problem",
    "since_report",
    "stated_totals_from_meta",
    "to_csv",
    "to_json",
    "to_markdown",
    "to_text",
]

_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# -- the window ---------------------------------------------------------------------


def _day(d: date) -> str:
    return f"{d.day} {_MONTH_ABBR[d.month - 1]} {d.year}"


def _span(start: date, end: date) -> str:
    return f"{_day(start)} – {_day(end)}"


@dataclass(frozen=True, slots=True)
class Window:
    """The inclusive ``start``..``end`` a report covers (a plan year, or any dates)."""

    start: date
    end: date
    plan_year: PlanYear | None = None
    # Why this window when the user did not choose it ("" when they did).
    reason: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"the window ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def of_plan_year(cls, plan_year: PlanYear) -> Window:
        return cls(plan_year.start, plan_year.end, plan_year)

    @classmethod
    def of_dates(cls, start: date, end: date) -> Window:
        """A window of dates; a whole April-March year is reported as that plan year."""
        year = plan_year_of(start)
        if (start, end) == (year.start, year.end):
            return cls.of_plan_year(year)
        return cls(start, end)

    @property
    def label(self) -> str:
        span = _span(self.start, self.end)
        return f"plan year {self.plan_year} ({span})" if self.plan_year else span

    def months(self) -> list[tuple[int, int]]:
        out = []
        first = self.start.replace(day=1)
        while first <= self.end:
            out.append((first.year, first.month))
            first = add_months(first, 1)
        return out

    def to_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "plan_year": str(self.plan_year) if self.plan_year else None,
            "label": self.label,
            "reason": self.reason or None,
        }


MAX_YEARS = 10


def choose_window(
    today: date,
    *,
    plan_year: PlanYear | str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Window:
    """``start``..``end`` if given (both), else ``plan_year``, else today's plan year.

    Raises ValueError (naming the option) for a half-given or reversed range,
    a plan year with dates, or an unreadable plan year.
    """
    if (start is None) != (end is None):
        raise ValueError("--from and --to go together: give both dates")
    if start is not None and end is not None:
        if plan_year is not None:
            raise ValueError("give either --plan-year or --from/--to, not both")
        if end < start:
            raise ValueError(f"--to {end} is before --from {start}")
        if end > add_months(start, 12 * MAX_YEARS):
            raise ValueError(f"a report covers at most {MAX_YEARS} years; narrow --from/--to")
        return Window.of_dates(start, end)
    if isinstance(plan_year, str):
        plan_year = PlanYear.parse(plan_year)
    return Window.of_plan_year(plan_year or plan_year_of(today))


def plan_years_with_activities(
    activities: Iterable[Activity], undated_year: PlanYear | None
) -> set[PlanYear]:
    """Every plan year some activity belongs to (cancelled and dropped ones included)."""
    years: set[PlanYear] = set()
    for activity in activities:
        span = report_span(activity)
        if span is None:
            home = home_plan_year(activity, undated_year)
            if home is not None:
                years.add(home)
            continue
        first, last = plan_year_of(span[0]).start_year, plan_year_of(span[1]).start_year
        # An open-ended date ("by 2030") must not make every year in between "have" it.
        if last - first > MAX_YEARS:
            last = first + MAX_YEARS
        years.update(PlanYear(y) for y in range(first, last + 1))
    return years


def default_window(
    activities: Iterable[Activity], today: date, undated_year: PlanYear | None = None
) -> Window:
    """The plan year holding today if it has activities, else the latest one that has some.

    The window's ``reason`` says which was chosen and why, so a report is never
    silently about another year than the reader expects.
    """
    current = plan_year_of(today)
    years = plan_years_with_activities(activities, undated_year)
    if current in years:
        reason = f"plan year {current} holds today ({_day(today)})"
        return replace(Window.of_plan_year(current), reason=reason)
    if not years:
        reason = f"plan year {current} holds today ({_day(today)}); the plan has no activities"
        return replace(Window.of_plan_year(current), reason=reason)
    latest = max(years, key=lambda y: y.start_year)
    reason = (
        f"plan year {current} (holding today, {_day(today)}) has no activities; "
        f"showing {latest}, the latest plan year that has some"
    )
    return replace(Window.of_plan_year(latest), reason=reason)


def _stamp_date(stamp: str) -> date | None:
    """The day of an ISO UTC stamp ("2013-11-04T09:00:00Z"); None if unreadable."""
    try:
        return date.fromisoformat(stamp[:10])
    except (TypeError, ValueError):
        return None


def home_plan_year(activity: Activity, undated_year: PlanYear | None) -> PlanYear | None:
    """The plan year an undated activity belongs to (see the module notes)."""
    if undated_year is not None:
        return undated_year
    created = _stamp_date(activity.created)
    return plan_year_of(created) if created else None


def report_span(activity: Activity) -> tuple[date, date] | None:
    """The inclusive window a report places an activity in (None: undated).

    Plans are written a year at a time, so a deadline-only "by" date is taken
    to start with its deadline's plan year, and an open-ended "from" date to
    end with its start's plan year.
    """
    start, end = activity.when.start, activity.when.end
    if start is None and end is None:
        return None
    if start is None:
        assert end is not None
        start = min(plan_year_of(end).start, end)
    if end is None:
        end = max(plan_year_of(start).end, start)
    return start, end


def belongs(activity: Activity, start: date, end: date, undated_year: PlanYear | None) -> bool:
    """True when the activity falls in ``start``..``end`` (undated: its home plan year)."""
    span = report_span(activity)
    if span is None:
        home = home_plan_year(activity, undated_year)
        return home is not None and start <= home.start and home.end <= end
    return span[0] <= end and start <= span[1]


def report_month(activity: Activity, window: Window) -> tuple[int, int] | None:
    """The month an activity's days count in (None: undated)."""
    span = report_span(activity)
    if span is None:
        return None
    first = activity.when.start or span[1]  # "by March": its deadline month
    first = min(max(first, window.start), window.end)
    return (first.year, first.month)


def month_label(month: tuple[int, int], *, with_year: bool = True) -> str:
    name = _MONTH_ABBR[month[1] - 1]
    return f"{name} {month[0]}" if with_year else name


# -- audiences ------------------------------------------------------------------------

AUDIENCE_GROUPS = {
    "councillors": "Councillors",
    "officers": "Officers",
    "mixed": "Councillors and officers",
    "other": "Other audiences",
}


# -- tallies --------------------------------------------------------------------------

STATUS_ROWS = ("completed", "confirmed", "planned", "tbc", "optional")
STATUS_LABELS = {
    "completed": "Completed",
    "confirmed": "Confirmed",
    "planned": "Planned",
    "tbc": "TBC",
    "optional": "Optional",
    "cancelled": "Cancelled",
    "dropped": "Dropped",
}


def missing_mark(activity: Activity) -> tuple[str, date] | None:
    """(file, import date) when an import flagged the activity as no longer listed
    (a note line ``not in FILE (imported YYYY-MM-DD)``: :mod:`ctstui.domain.markers`)."""
    return missing_in_notes(activity.notes)


def status_row(activity: Activity) -> str:
    """The status row an activity counts in.

    "cancelled" and "dropped" (flagged by an import as no longer listed, and
    not completed) are never added into totals; an optional activity not yet
    completed is "optional" whatever its status.
    """
    if activity.status is Status.CANCELLED:
        return "cancelled"
    if activity.status is Status.COMPLETED:
        return "completed"
    if missing_mark(activity) is not None:
        return "dropped"
    if activity.optional:
        return "optional"
    return activity.status.value


def is_counted(activity: Activity) -> bool:
    return status_row(activity) not in ("cancelled", "dropped")


@dataclass(slots=True)
class Tally:
    """Activities, days and places of a group; how many gave no days / places."""

    activities: int = 0
    days: float = 0.0
    places: int = 0
    no_days: int = 0
    no_places: int = 0

    def add(self, activity: Activity, days: float | None = None) -> None:
        self.activities += 1
        if activity.days is None:
            self.no_days += 1
        self.days += activity.total_days if days is None else days
        if activity.places is None:
            self.no_places += 1
        else:
            self.places += activity.places

    def to_dict(self) -> dict:
        return {
            "activities": self.activities,
            "days": self.days,
            "places": self.places,
            "no_days": self.no_days,
            "no_places": self.no_places,
        }


def _tally(activities: Iterable[Activity]) -> Tally:
    tally = Tally()
    for activity in activities:
        tally.add(activity)
    return tally


@dataclass(slots=True)
class LeadLoad:
    """A lead officer's days per month in the window."""

    lead: str
    by_month: dict[tuple[int, int], float] = field(default_factory=dict)
    undated: float = 0.0
    activities: int = 0

    @property
    def total(self) -> float:
        return sum(self.by_month.values()) + self.undated

    def to_dict(self) -> dict:
        return {
            "lead": self.lead,
            "activities": self.activities,
            "by_month": {f"{y:04d}-{m:02d}": d for (y, m), d in sorted(self.by_month.items())},
            "undated": self.undated,
            "total": self.total,
        }


NO_LEAD = "(no lead)"

# -- contracts ----------------------------------------------------------------------------


@dataclass(slots=True)
class TargetProgress:
    label: str
    query: str
    target: int
    delivered: int = 0
    scheduled: int = 0
    overdue: int = 0
    optional: int = 0
    error: str = ""  # the target's query could not be read
    delivered_titles: list[str] = field(default_factory=list)
    scheduled_titles: list[str] = field(default_factory=list)
    # Matching the target in the period but naming no funder: not counted, listed.
    unlinked: list[str] = field(default_factory=list)

    @property
    def needed(self) -> int:
        return max(0, self.target - self.delivered - self.scheduled)

    @property
    def flagged(self) -> bool:
        return bool(self.error) or self.delivered + self.scheduled < self.target

    @property
    def check(self) -> str:
        if self.error:
            return "query error"
        if self.delivered >= self.target:
            return "met"
        if not self.flagged:
            return "on track"
        return f"SHORT by {self.needed}"

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "query": self.query,
            "target": self.target,
            "delivered": self.delivered,
            "scheduled": self.scheduled,
            "still_needed": self.needed,
            "overdue": self.overdue,
            "optional": self.optional,
            "flagged": self.flagged,
            "check": self.check,
            "error": self.error or None,
            "delivered_titles": list(self.delivered_titles),
            "scheduled_titles": list(self.scheduled_titles),
            "unlinked_titles": list(self.unlinked),
        }


@dataclass(slots=True)
class ContractProgress:
    contract: FunderContract
    today: date
    targets: list[TargetProgress] = field(default_factory=list)

    @property
    def days_left(self) -> int:
        """Days of the period still ahead, today included (0 once it has ended)."""
        c = self.contract
        if self.today > c.end:
            return 0
        return (c.end - max(self.today, c.start)).days + 1

    @property
    def state(self) -> str:
        c = self.contract
        if self.today < c.start:
            return "not started"
        return "ended" if self.today > c.end else "running"

    @property
    def flagged(self) -> bool:
        return any(t.flagged for t in self.targets)

    @property
    def timing(self) -> str:
        c = self.contract
        if self.state == "not started":
            return f"starts in {(c.start - self.today).days} days; {self.days_left} days long"
        if self.state == "ended":
            return f"ended {(self.today - c.end).days} days ago"
        return f"{self.days_left} days left"

    @property
    def title(self) -> str:
        c = self.contract
        return f"{c.funder}: {_span(c.start, c.end)} ({self.timing})"

    def to_dict(self) -> dict:
        c = self.contract
        return {
            "id": c.id,
            "funder": c.funder,
            "start": c.start.isoformat(),
            "end": c.end.isoformat(),
            "state": self.state,
            "days_left": self.days_left,
            "flagged": self.flagged,
            "notes": c.notes,
            "targets": [t.to_dict() for t in self.targets],
        }


def contract_applies(contract: FunderContract, window: Window, today: date) -> bool:
    """Shown in a report: its period meets the window, or it starts within a year of today."""
    if contract.start <= window.end and window.start <= contract.end:
        return True
    return today <= contract.start <= add_months(today, 12)


def linked(activity: Activity, contract: FunderContract) -> bool:
    """Does the activity count for the contract?  Its ``funder`` field names the
    contract's funder (any case) or gives the contract's id (to pick one of a
    funder's contracts whose periods overlap)."""
    funder = activity.funder.strip().casefold()
    return bool(funder) and funder in (contract.funder.strip().casefold(), contract.id.casefold())


def contract_progress(
    contract: FunderContract,
    activities: Sequence[Activity],
    today: date,
    undated_year: PlanYear | None = None,
) -> ContractProgress:
    progress = ContractProgress(contract, today)
    period = [
        a
        for a in activities
        if is_counted(a) and belongs(a, contract.start, contract.end, undated_year)
    ]
    for target in contract.targets:
        item = TargetProgress(target.label, target.query, target.count)
        progress.targets.append(item)
        try:
            matches = Query.parse(target.query).filter(period)
        except QueryError as exc:
            item.error = str(exc)
            continue
        for activity in matches:
            if not linked(activity, contract):
                if not activity.funder.strip():
                    item.unlinked.append(activity.title)
                continue
            if activity.status is Status.COMPLETED:
                item.delivered += 1
                item.delivered_titles.append(activity.title)
            elif activity.optional:
                item.optional += 1
            elif activity.when.end is not None and activity.when.end < today:
                item.overdue += 1
            else:
                item.scheduled += 1
                item.scheduled_titles.append(activity.title)
    return progress


# -- reconciliation with the plan's stated totals -------------------------------------------


def _stated(qualifier: str, number: float) -> str:
    return f"{qualifier} {format_days(number)}" if qualifier else format_days(number)


@dataclass(slots=True)
class Reconciliation:
    """One plan's stated totals beside what the plan's activities add up to."""

    stated: StatedTotals
    plan_year: PlanYear | None
    scheduled_days: float = 0.0
    optional_days: float = 0.0
    no_days: list[str] = field(default_factory=list)
    councillor_places: int = 0
    optional_councillor_places: int = 0
    councillor_activities: int = 0
    councillor_no_places: list[str] = field(default_factory=list)
    days_line: str = ""
    days_qualifier: str = ""
    councillors_line: str = ""
    councillors_qualifier: str = ""
    error: str = ""

    @property
    def total_days(self) -> float:
        return self.scheduled_days + self.optional_days

    @property
    def days_agree(self) -> bool | None:
        if self.stated.days is None or self.error:
            return None
        return agrees(self.total_days, self.stated.days, self.days_qualifier)

    @property
    def councillors_agree(self) -> bool | None:
        if self.stated.councillors is None or self.error:
            return None
        return agrees(self.councillor_places, self.stated.councillors, self.councillors_qualifier)

    @property
    def counted_days_text(self) -> str:
        return (
            f"{format_days(self.scheduled_days) or 0} scheduled + "
            f"{format_days(self.optional_days) or 0} optional = "
            f"{format_days(self.total_days) or 0} days"
        )

    @property
    def counted_places_text(self) -> str:
        text = f"{self.councillor_places} places for councillors"
        if self.optional_councillor_places:
            text += f" ({self.optional_councillor_places} of them in optional activities)"
        return text

    def statements(self) -> list[str]:
        """Plain sentences: where the plan's figures and ours agree, and where not."""
        st = self.stated
        where = f"{st.source or 'the plan'} ({st.plan_year})"
        if self.error:
            return [f"{where}: {self.error}"]
        out = []
        if st.days is None:
            out.append(f"{where} states no total of days; ctstui counts {self.counted_days_text}.")
        else:
            said = _stated(self.days_qualifier, st.days)
            quote = f' ("{self.days_line}")' if self.days_line else ""
            head = f"Days: {where} states {said}{quote}; ctstui counts {self.counted_days_text}"
            if self.days_agree:
                out.append(f"{head}: they agree.")
            else:
                diff = self.total_days - st.days
                more = "more" if diff > 0 else "fewer"
                out.append(
                    f"{head}: they do NOT agree ({format_days(abs(diff))} days {more} "
                    f"than {format_days(st.days)})."
                )
        if self.no_days:
            out.append(
                f"{_count(len(self.no_days), 'activity gives', 'activities give')} no days "
                "(counted as 0): "
                + "; ".join(self.no_days[:5])
                + ("…" if len(self.no_days) > 5 else "")
                + "."
            )
        if st.councillors is None:
            out.append(
                f"{where} states no number of councillors; ctstui counts "
                f"{self.counted_places_text}."
            )
        else:
            said = _stated(self.councillors_qualifier, st.councillors)
            quote = f' ("{self.councillors_line}")' if self.councillors_line else ""
            head = (
                f"Councillors: {where} states {said}{quote}; the activities offer "
                f"{self.counted_places_text} in "
                f"{_count(self.councillor_activities, 'activity', 'activities')}"
            )
            if self.councillors_agree:
                out.append(f"{head}: they agree.")
            else:
                out.append(f"{head}: they do NOT agree ({self.councillor_places} is not {said}).")
        if self.councillor_no_places:
            out.append(
                "No number of places is given for "
                f"{_count(len(self.councillor_no_places), 'activity', 'activities')} for "
                "councillors: " + "; ".join(self.councillor_no_places[:5]) + "."
            )
        if st.councillors is not None:
            out.append(
                "Places are seats, not people: one councillor may attend several activities."
            )
        return out

    def to_dict(self) -> dict:
        return {
            "source": self.stated.source,
            "plan_year": self.stated.plan_year,
            "stated_days": self.stated.days,
            "stated_days_text": _stated(self.days_qualifier, self.stated.days)
            if self.stated.days is not None
            else None,
            "scheduled_days": self.scheduled_days,
            "optional_days": self.optional_days,
            "total_days": self.total_days,
            "days_agree": self.days_agree,
            "no_days": list(self.no_days),
            "stated_councillors": self.stated.councillors,
            "stated_councillors_text": _stated(self.councillors_qualifier, self.stated.councillors)
            if self.stated.councillors is not None
            else None,
            "councillor_places": self.councillor_places,
            "optional_councillor_places": self.optional_councillor_places,
            "councillor_activities": self.councillor_activities,
            "councillor_no_places": list(self.councillor_no_places),
            "councillors_agree": self.councillors_agree,
            "lines": list(self.stated.lines),
            "statements": self.statements(),
            "error": self.error or None,
        }


def reconcile(
    stated: StatedTotals, activities: Sequence[Activity], undated_year: PlanYear | None
) -> Reconciliation:
    try:
        plan_year = PlanYear.parse(stated.plan_year)
    except ValueError as exc:
        return Reconciliation(stated, None, error=str(exc))
    rec = Reconciliation(stated, plan_year)
    count = PlanCount()  # the counting rule shared with the import (domain/rules.py)
    for activity in activities:
        if not is_counted(activity):
            continue
        if not belongs(activity, plan_year.start, plan_year.end, undated_year):
            continue
        count.add(activity, optional=status_row(activity) == "optional")
    rec.scheduled_days, rec.optional_days = count.scheduled_days, count.optional_days
    rec.no_days = count.no_days
    rec.councillor_places = count.councillor_places
    rec.optional_councillor_places = count.optional_councillor_places
    rec.councillor_activities = count.councillor_activities
    rec.councillor_no_places = count.councillor_no_places
    lines = stated.lines
    if stated.days is not None:
        rec.days_line, rec.days_qualifier = stated_line(lines, stated.days, DAY_WORDS)
    if stated.councillors is not None:
        rec.councillors_line, rec.councillors_qualifier = stated_line(
            lines, stated.councillors, COUNCILLOR_WORDS
        )
    return rec


def stated_totals_from_meta(value: object) -> list[StatedTotals]:
    """What the importer keeps in ``meta("stated_totals")``, as a list.

    Accepts one ``StatedTotals.to_dict()``, a list of them, or a dict of them
    keyed by source; anything else is ignored.
    """
    if isinstance(value, dict) and any(k in value for k in ("days", "lines", "plan_year")):
        items: list[tuple[str, object]] = [("", value)]
    elif isinstance(value, dict):
        items = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [("", v) for v in value]
    else:
        return []
    out = []
    for source, data in items:
        if not isinstance(data, dict):
            continue
        try:
            stated = StatedTotals.from_dict(data)
        except (TypeError, ValueError):
            continue
        if isinstance(stated.days, bool) or not isinstance(stated.days, int | float | None):
            stated.days = None
        if isinstance(stated.councillors, bool) or not isinstance(stated.councillors, int | None):
            stated.councillors = None
        if not stated.source:
            stated.source = source
        out.append(stated)
    return out


def plan_year_from_meta(plan_year: object, stated: Sequence[StatedTotals] = ()) -> PlanYear | None:
    """The plan's own plan year: ``meta("plan_year")``, else the stated totals' one."""
    candidates = [plan_year] if isinstance(plan_year, str) else []
    years = {s.plan_year for s in stated if s.plan_year}
    if len(years) == 1:
        candidates.append(years.pop())
    for text in candidates:
        try:
            return PlanYear.parse(text)
        except ValueError:
            continue
    return None


# -- since a date ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """One activity's tracked changes of a field in the "since" range, merged.

    ``old`` is the value before the first change, ``new`` the value after the
    last; ``path`` every value on the way (``[old, ..., new]``), so an activity
    that went planned -> confirmed -> completed is listed once.
    """

    on: date  # the last change
    activity_id: str
    title: str
    field: str
    old: object
    new: object
    who: str = ""
    action: str = ""
    path: tuple = ()

    @property
    def steps(self) -> str:
        """ "planned → confirmed → completed"."""
        return " → ".join(str(v) for v in (self.path or (self.old, self.new)))

    def to_dict(self) -> dict:
        return {
            "on": self.on.isoformat(),
            "id": self.activity_id,
            "title": self.title,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "path": list(self.path or (self.old, self.new)),
            "who": self.who,
            "action": self.action,
        }


@dataclass(frozen=True, slots=True)
class TookPlace:
    """An activity that took place in the "since" range, and how we know."""

    activity: Activity
    held: bool  # its dates ended in the range
    marked_on: date | None  # the day it was marked completed, if in the range

    @property
    def how(self) -> str:
        parts = []
        if self.held:
            parts.append("held in this time")
        if self.marked_on is not None:
            parts.append(f"marked completed {_day(self.marked_on)}")
        return "; ".join(parts)

    def to_dict(self) -> dict:
        return {
            **_brief(self.activity),
            "held": self.held,
            "marked_completed_on": self.marked_on.isoformat() if self.marked_on else None,
        }


@dataclass(slots=True)
class SinceReport:
    """What happened between ``since`` and ``today`` to the report window's activities."""

    since: date
    today: date
    took_place: list[TookPlace] = field(default_factory=list)
    slipped: list[Activity] = field(default_factory=list)
    next_up: list[Activity] = field(default_factory=list)
    status_changes: list[Change] = field(default_factory=list)
    rag_changes: list[Change] = field(default_factory=list)
    new: list[Activity] = field(default_factory=list)
    dropped: list[tuple[Activity, date, str]] = field(default_factory=list)

    @property
    def took_place_days(self) -> float:
        return sum(t.activity.total_days for t in self.took_place)

    def to_dict(self) -> dict:
        return {
            "since": self.since.isoformat(),
            "today": self.today.isoformat(),
            "took_place": [t.to_dict() for t in self.took_place],
            "took_place_days": self.took_place_days,
            "slipped": [_brief(a) for a in self.slipped],
            "scheduled_next": [_brief(a) for a in self.next_up],
            "status_changes": [c.to_dict() for c in self.status_changes],
            "rag_changes": [c.to_dict() for c in self.rag_changes],
            "new": [{**_brief(a), "created": a.created} for a in self.new],
            "dropped": [
                {**_brief(a), "on": on.isoformat(), "why": why} for a, on, why in self.dropped
            ],
        }


def _brief(activity: Activity) -> dict:
    return {
        "id": activity.id,
        "title": activity.title,
        "when": activity.when.text,
        "status": activity.status.value,
        "days": activity.days,
        "leads": list(activity.leads),
    }


def _merged_changes(activity: Activity, name: str, in_range) -> Change | None:
    """The activity's changes of ``name`` in the range as one :class:`Change`."""
    path: list = []
    last_on: date | None = None
    who = action = ""
    for entry in activity.history:
        on = _stamp_date(entry.at)
        change = entry.changes.get(name)
        if not in_range(on) or not (isinstance(change, list) and len(change) == 2):
            continue
        old, new = change
        if not path:
            path.append(old)
        elif path[-1] != old:
            path.append(old)  # a change the history did not record in between
        path.append(new)
        last_on, who, action = on, entry.who, entry.action
    if last_on is None:
        return None
    return Change(
        last_on, activity.id, activity.title, name, path[0], path[-1], who, action, tuple(path)
    )


def since_problem(since: date, today: date) -> str | None:
    """Why ``since`` cannot start a "since" section, or None: after today the
    range would run backwards and every list in it would be quietly empty."""
    if since > today:
        return f"{_day(since)} is after today ({_day(today)}): give the date of the last board"
    return None


def since_report(activities: Sequence[Activity], since: date, today: date) -> SinceReport:
    """The "since" section over ``activities`` (the report's window and query).

    *Took place*: completed, and either held (its dates ended) between ``since``
    and ``today`` or marked completed then: so every activity whose status
    became completed in the range is listed here.  *Slipped*: neither completed,
    cancelled nor dropped, and its dates ended in the range before today.
    *Scheduled next*: neither completed, cancelled nor dropped, and its dates
    have not ended before today.  Changes of a field are merged per activity.
    """
    out = SinceReport(since, today)

    def in_range(day: date | None) -> bool:
        return day is not None and since <= day <= today

    for activity in activities:
        span = report_span(activity)
        end = span[1] if span else None
        status = _merged_changes(activity, "status", in_range)
        rag = _merged_changes(activity, "rag", in_range)
        if status is not None:
            out.status_changes.append(status)
        if rag is not None:
            out.rag_changes.append(rag)
        row = status_row(activity)
        if row == "completed":
            marked_on = None
            if status is not None and status.new == Status.COMPLETED.value:
                marked_on = status.on
            if in_range(end) or marked_on is not None:
                out.took_place.append(TookPlace(activity, in_range(end), marked_on))
        elif row not in ("cancelled", "dropped"):
            if end is not None and since <= end < today:
                out.slipped.append(activity)
            elif end is None or end >= today:
                out.next_up.append(activity)
        if in_range(_stamp_date(activity.created)):
            out.new.append(activity)
        mark = missing_mark(activity)
        if mark is not None and in_range(mark[1]) and activity.status is not Status.COMPLETED:
            source, on = mark
            out.dropped.append((activity, on, f"not in {source}"))
        elif (
            activity.status is Status.CANCELLED
            and status is not None
            and status.new == Status.CANCELLED.value
        ):
            out.dropped.append((activity, status.on, "cancelled"))
    out.took_place.sort(key=lambda t: t.activity.sort_key)
    out.slipped.sort(key=lambda a: a.sort_key)
    out.next_up.sort(key=lambda a: a.sort_key)
    out.new.sort(key=lambda a: (a.created, a.sort_key))
    out.status_changes.sort(key=lambda c: (c.on, c.title.casefold()))
    out.rag_changes.sort(key=lambda c: (c.on, c.title.casefold()))
    out.dropped.sort(key=lambda d: (d[1], d[0].sort_key))
    return out


# -- the report ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Report:
    window: Window
    today: date
    query: str
    undated_year: PlanYear | None
    rows: list[Activity]  # in the window and matching the query, cancelled/dropped included
    by_status: dict[str, Tally]
    total: Tally
    cancelled: Tally
    dropped: Tally
    audiences: dict[str, Tally]
    themes: dict[str, Tally]
    kinds: dict[str, Tally]
    months: dict[tuple[int, int], Tally]
    undated: Tally
    leads: list[LeadLoad]
    contracts: list[ContractProgress]
    reconciliations: list[Reconciliation]
    since: SinceReport | None = None

    @property
    def counted(self) -> list[Activity]:
        return [a for a in self.rows if is_counted(a)]

    def days_by_status(self) -> list[tuple[str, dict[str, float]]]:
        """(month label, days per status row) for each month, then "No date" if any.

        The same figures as the "By month" table, split by status: the board
        paper's chart draws exactly these.
        """
        out: list[tuple[str, dict[str, float]]] = []
        with_year = len(self.months) > 12
        for month in self.months:
            days = dict.fromkeys(STATUS_ROWS, 0.0)
            out.append((month_label(month, with_year=with_year), days))
        index = {m: i for i, m in enumerate(self.months)}
        undated = dict.fromkeys(STATUS_ROWS, 0.0)
        for activity in self.counted:
            at = report_month(activity, self.window)
            row = undated if at is None else out[index[at]][1]
            row[status_row(activity)] += activity.total_days
        if self.undated.activities:
            out.append(("No date", undated))
        return out

    def targets_at_risk(self) -> tuple[int, int]:
        """(targets on track or met, targets at risk) over the report's contracts."""
        targets = [t for c in self.contracts for t in c.targets]
        at_risk = sum(1 for t in targets if t.flagged)
        return len(targets) - at_risk, at_risk

    def rag_counts(self) -> dict[str, int]:
        counts = {r.value: 0 for r in Rag}
        for activity in self.counted:
            counts[activity.rag.value] += 1
        return counts

    def summary_text(self) -> str:
        """The report in plain words, for the top of a board paper."""
        t = self.total
        parts = [
            f"In {self.window.label} the plan has "
            f"{_count(t.activities, 'activity', 'activities')} ({_n(t.days)} days, "
            + (
                f"{_count(t.places, 'place', 'places')} offered)."
                if t.places or not t.no_places
                else "no numbers of places given)."
            )
        ]
        by = [
            f"{self.by_status[name].activities} {STATUS_LABELS[name].lower()}"
            if name != "tbc"
            else f"{self.by_status[name].activities} to be confirmed"
            for name in STATUS_ROWS
            if self.by_status[name].activities
        ]
        if by:
            parts.append("Of these, " + ", ".join(by) + ".")
        on_track, at_risk = self.targets_at_risk()
        if on_track or at_risk:
            parts.append(
                f"Of {_count(on_track + at_risk, 'contract target', 'contract targets')}, "
                f"{on_track} {'is' if on_track == 1 else 'are'} on track or met and "
                f"{at_risk} at risk (the schedule cannot meet {'it' if at_risk == 1 else 'them'})."
            )
        else:
            parts.append("No funder contract meets this window.")
        rag = self.rag_counts()
        parts.append(
            f"RAG ratings: {rag['red']} red, {rag['amber']} amber, {rag['green']} green, "
            f"{rag['unrated']} not rated."
        )
        if self.cancelled.activities or self.dropped.activities:
            parts.append(
                f"Not counted: {self.cancelled.activities} cancelled, "
                f"{self.dropped.activities} dropped."
            )
        return " ".join(parts)

    def to_dict(self) -> dict:
        return {
            "window": self.window.to_dict(),
            "today": self.today.isoformat(),
            "query": self.query,
            "undated_plan_year": str(self.undated_year) if self.undated_year else None,
            "by_status": {k: v.to_dict() for k, v in self.by_status.items()},
            "total": self.total.to_dict(),
            "scheduled_days": self.total.days - self.by_status["optional"].days,
            "optional_days": self.by_status["optional"].days,
            "cancelled": self.cancelled.to_dict(),
            "dropped": self.dropped.to_dict(),
            "audiences": {k: v.to_dict() for k, v in self.audiences.items()},
            "themes": {k: v.to_dict() for k, v in self.themes.items()},
            "kinds": {k: v.to_dict() for k, v in self.kinds.items()},
            "months": {f"{y:04d}-{m:02d}": t.to_dict() for (y, m), t in self.months.items()},
            "undated": self.undated.to_dict(),
            "leads": [lead.to_dict() for lead in self.leads],
            "contracts": [c.to_dict() for c in self.contracts],
            "reconciliation": [r.to_dict() for r in self.reconciliations],
            "since": self.since.to_dict() if self.since else None,
            "summary": {
                "text": self.summary_text(),
                "targets_on_track": self.targets_at_risk()[0],
                "targets_at_risk": self.targets_at_risk()[1],
                "rag": self.rag_counts(),
            },
            "days_by_month_and_status": [
                {"month": label, **days} for label, days in self.days_by_status()
            ],
        }


def build_report(
    activities: Iterable[Activity],
    *,
    window: Window,
    today: date,
    query: Query | str | None = None,
    contracts: Sequence[FunderContract] = (),
    stated: Sequence[StatedTotals] = (),
    since: date | None = None,
    undated_year: PlanYear | None = None,
) -> Report:
    """Every figure of the board report (pure: reads nothing, writes nothing).

    ``query`` (a :class:`Query` or its text; bad text raises ``QueryError``)
    narrows the tables and the ``since`` section; contracts and the
    reconciliation always look at the whole plan.
    """
    everything = sorted(activities, key=lambda a: a.sort_key)
    if isinstance(query, str):
        query = Query.parse(query)
    query_text = query.text if query else ""
    matching = query.filter(everything) if query else list(everything)
    rows = [a for a in matching if belongs(a, window.start, window.end, undated_year)]
    counted = [a for a in rows if is_counted(a)]

    by_status = {name: Tally() for name in STATUS_ROWS}
    audiences = {name: Tally() for name in AUDIENCE_GROUPS}
    themes: dict[str, Tally] = {t.value: Tally() for t in Theme}
    kinds: dict[str, Tally] = {k.value: Tally() for k in Kind}
    months: dict[tuple[int, int], Tally] = {m: Tally() for m in window.months()}
    undated = Tally()
    leads: dict[str, LeadLoad] = {}
    for activity in counted:
        by_status[status_row(activity)].add(activity)
        audiences[audience_group(activity.audience)].add(activity)
        themes[activity.theme.value].add(activity)
        kinds[activity.kind.value].add(activity)
        month = report_month(activity, window)
        (undated if month is None else months[month]).add(activity)
        for lead in activity.leads or [NO_LEAD]:
            load = leads.setdefault(lead, LeadLoad(lead))
            load.activities += 1
            if month is None:
                load.undated += activity.total_days
            else:
                load.by_month[month] = load.by_month.get(month, 0.0) + activity.total_days

    reconciliations = []
    for item in stated:
        rec = reconcile(item, everything, undated_year)
        py = rec.plan_year
        if py is None or (py.start <= window.end and window.start <= py.end):
            reconciliations.append(rec)
    return Report(
        window=window,
        today=today,
        query=query_text,
        undated_year=undated_year,
        rows=rows,
        by_status=by_status,
        total=_tally(counted),
        cancelled=_tally(a for a in rows if status_row(a) == "cancelled"),
        dropped=_tally(a for a in rows if status_row(a) == "dropped"),
        audiences=audiences,
        themes={k: v for k, v in themes.items() if v.activities},
        kinds={k: v for k, v in kinds.items() if v.activities},
        months=months,
        undated=undated,
        leads=sorted(leads.values(), key=lambda x: (x.lead == NO_LEAD, x.lead.casefold())),
        contracts=[
            contract_progress(c, everything, today, undated_year)
            for c in contracts
            if contract_applies(c, window, today)
        ],
        reconciliations=reconciliations,
        since=since_report(rows, since, today) if since else None,
    )


# -- tables: what every format draws ---------------------------------------------------------------


@dataclass(slots=True)
class Table:
    """A titled table of strings; ``numeric`` columns are right-aligned."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    numeric: frozenset[int] = frozenset()
    total: list[str] | None = None
    notes: list[str] = field(default_factory=list)
    empty: str = "None."
    flagged: frozenset[int] = frozenset()  # row indexes to highlight


def _n(days: float) -> str:
    return format_days(days) or "0"


def _cell_days(days: float) -> str:
    return format_days(days) if days else ""


def _tally_cells(t: Tally) -> list[str]:
    return [str(t.activities), _n(t.days), str(t.places)]


def heading(report: Report) -> list[str]:
    """The report's title lines."""
    lines = [f"Board report: {report.window.label}"]
    details = [f"as of {_day(report.today)}"]
    if report.query:
        details.append(f"query: {report.query}")
    if report.since:
        details.append(f"since {_day(report.since.since)}")
    lines.append("; ".join(details))
    if report.window.reason:
        lines.append(f"Which year: {report.window.reason}.")
    return lines


def report_tables(report: Report) -> list[Table]:
    tables = [_status_table(report), _audience_table(report)]
    for key, title, data, label in (
        ("themes", "By theme", report.themes, str.capitalize),
        ("kinds", "By kind", report.kinds, str.capitalize),
    ):
        rows = [[label(name), *_tally_cells(t)] for name, t in data.items()]
        tables.append(
            Table(
                key,
                title,
                [title.removeprefix("By ").capitalize(), "Activities", "Days", "Places"],
                rows,
                frozenset({1, 2, 3}),
                total=["Total", *_tally_cells(report.total)],
                empty="No activities.",
            )
        )
    tables.append(_lead_table(report))
    tables.append(_month_table(report))
    if report.since:
        tables.extend(_since_tables(report.since))
    for progress in report.contracts:
        tables.append(_contract_table(progress))
    tables.append(_reconciliation_table(report))
    return tables


def _status_table(report: Report) -> Table:
    rows = [[STATUS_LABELS[name], *_tally_cells(report.by_status[name])] for name in STATUS_ROWS]
    notes = []
    scheduled = report.total.days - report.by_status["optional"].days
    notes.append(
        f"{_n(scheduled)} scheduled + {_n(report.by_status['optional'].days)} optional = "
        f"{_n(report.total.days)} days."
    )
    if report.cancelled.activities:
        notes.append(
            "Cancelled, not in the total: "
            f"{_count(report.cancelled.activities, 'activity', 'activities')}, "
            f"{_n(report.cancelled.days)} days."
        )
    if report.dropped.activities:
        notes.append(
            "Dropped (no longer in an imported plan), not in the total: "
            f"{_count(report.dropped.activities, 'activity', 'activities')}, "
            f"{_n(report.dropped.days)} days; delete or cancel them to tidy up."
        )
    if report.total.no_days:
        notes.append(
            f"{_count(report.total.no_days, 'activity gives', 'activities give')} no days "
            "(counted as 0)."
        )
    return Table(
        "status",
        "Activities and days by status",
        ["Status", "Activities", "Days", "Places"],
        rows,
        frozenset({1, 2, 3}),
        total=["Total", *_tally_cells(report.total)],
        notes=notes,
    )


def _audience_table(report: Report) -> Table:
    rows = [
        [AUDIENCE_GROUPS[name], str(t.activities), str(t.places), str(t.no_places)]
        for name, t in report.audiences.items()
        if t.activities or name != "mixed"
    ]
    total = report.total
    offered = total.places
    councillors = report.audiences["councillors"].places
    if offered:
        share = round(councillors * 100 / offered)
        first = (
            f"{councillors} of the {offered} places offered ({share}%) are for councillors (PHs)."
        )
    else:
        first = "No activity gives a number of places."
    notes = [
        first,
        "Councillors: the audience mentions PHs, councillors, members or portfolio holders; "
        "officers: it mentions officers.",
    ]
    return Table(
        "audiences",
        "Places by audience",
        ["Audience", "Activities", "Places", "Places not given"],
        rows,
        frozenset({1, 2, 3}),
        total=["Total", str(total.activities), str(total.places), str(total.no_places)],
        notes=notes,
    )


def _month_names(report: Report) -> list[str]:
    months = report.window.months()
    with_year = len(months) > 12
    return [month_label(m, with_year=with_year) for m in months]


def _lead_table(report: Report) -> Table:
    months = report.window.months()
    columns = ["Lead", *_month_names(report)]
    has_undated = any(load.undated for load in report.leads) or report.undated.activities
    if has_undated:
        columns.append("No date")
    columns.append("Total")
    rows = []
    for load in report.leads:
        row = [load.lead, *(_cell_days(load.by_month.get(m, 0.0)) for m in months)]
        if has_undated:
            row.append(_cell_days(load.undated))
        row.append(_n(load.total))
        rows.append(row)
    total = ["All", *(_cell_days(report.months[m].days) for m in months)]
    if has_undated:
        total.append(_cell_days(report.undated.days))
    total.append(_n(report.total.days))
    shared = sum(1 for a in report.counted if len(a.leads) > 1)
    notes = []
    if shared:
        notes.append(
            f"{_count(shared, 'activity has', 'activities have')} more than one lead and "
            "counts in full for each, so the leads' totals add up to more than the total."
        )
    return Table(
        "leads",
        "Workload by lead officer (days per month)",
        columns,
        rows,
        frozenset(range(1, len(columns))),
        total=total,
        notes=notes,
        empty="No activities.",
    )


def _month_table(report: Report) -> Table:
    rows = [[month_label(m), *_tally_cells(t)] for m, t in report.months.items()]
    if report.undated.activities:
        rows.append(["No date", *_tally_cells(report.undated)])
    return Table(
        "months",
        "By month",
        ["Month", "Activities", "Days", "Places"],
        rows,
        frozenset({1, 2, 3}),
        total=["Total", *_tally_cells(report.total)],
        notes=[
            "An activity counts in the month its date window starts (a 'by' date in its "
            "deadline month)."
        ],
    )


def _since_tables(since: SinceReport) -> list[Table]:
    when = f"{_day(since.since)} – {_day(since.today)}"
    took = Table(
        "took_place",
        f"Took place ({when})",
        ["Date", "Activity", "Lead", "Days", "How we know"],
        [
            [
                t.activity.when.describe(),
                t.activity.title,
                "/".join(t.activity.leads),
                _n(t.activity.total_days),
                t.how,
            ]
            for t in since.took_place
        ],
        frozenset({3}),
        empty="Nothing took place in this time (no activity completed).",
    )
    if since.took_place:
        took.total = [
            "Total",
            _count(len(since.took_place), "activity", "activities"),
            "",
            _n(since.took_place_days),
            "",
        ]
    slipped = Table(
        "slipped",
        f"Slipped: past their dates, not completed ({when})",
        ["Date", "Activity", "Lead", "Status"],
        [[a.when.describe(), a.title, "/".join(a.leads), a.status.value] for a in since.slipped],
        empty="Nothing slipped.",
        flagged=frozenset(range(len(since.slipped))),
    )
    next_up = Table(
        "scheduled_next",
        f"Scheduled next (from {_day(since.today)})",
        ["Date", "Activity", "Lead", "Status", "Days"],
        [
            [a.when.describe(), a.title, "/".join(a.leads), status_row(a), _n(a.total_days)]
            for a in since.next_up
        ],
        frozenset({4}),
        empty="Nothing scheduled in this window.",
    )
    changes = Table(
        "changes",
        f"Status and RAG changes ({when})",
        ["Changed on", "Activity", "What", "From", "To", "Steps"],
        [
            [
                _day(c.on),
                c.title,
                c.field.upper() if c.field == "rag" else c.field,
                str(c.old),
                str(c.new),
                c.steps if len(c.path) > 2 else "",
            ]
            for c in sorted(
                [*since.status_changes, *since.rag_changes], key=lambda c: (c.on, c.title)
            )
        ],
        empty="No status or RAG changes.",
        notes=[
            "One line per activity and field: From is before the first change, To after the last."
        ],
    )
    new = Table(
        "new",
        f"New activities ({when})",
        ["Added on", "Date", "Activity", "Status"],
        [
            [
                _day(_stamp_date(a.created) or since.since),
                a.when.describe(),
                a.title,
                a.status.value,
            ]
            for a in since.new
        ],
        empty="No new activities.",
    )
    dropped = Table(
        "dropped",
        f"Dropped activities ({when})",
        ["On", "Date", "Activity", "Why"],
        [[_day(on), a.when.describe(), a.title, why] for a, on, why in since.dropped],
        empty="None dropped.",
        notes=[
            "Dropped: no longer in an imported plan, or cancelled. Deleted activities "
            "leave no record."
        ],
    )
    return [took, slipped, next_up, changes, new, dropped]


def _contract_table(progress: ContractProgress) -> Table:
    rows = []
    flagged = set()
    notes = []
    for index, t in enumerate(progress.targets):
        rows.append(
            [t.label, str(t.target), str(t.delivered), str(t.scheduled), str(t.needed), t.check]
        )
        if t.flagged:
            flagged.add(index)
        extra = []
        if t.overdue:
            extra.append(f"{t.overdue} past their dates and not completed")
        if t.optional:
            extra.append(f"{t.optional} optional, not counted")
        if t.unlinked:
            extra.append(
                f"{_count(len(t.unlinked), 'activity names', 'activities name')} no funder, "
                f"not counted: set its funder to {progress.contract.funder!r} to count it"
            )
        if t.error:
            extra.append(f"query error: {t.error}")
        notes.append(f"{t.label}: {t.query}" + (f" ({'; '.join(extra)})" if extra else ""))
    if progress.contract.notes:
        notes.insert(0, progress.contract.notes)
    return Table(
        f"contract:{progress.contract.id}",
        progress.title,
        ["Target", "Commissioned", "Delivered", "Scheduled", "Still needed", "Check"],
        rows,
        frozenset({1, 2, 3, 4}),
        notes=notes,
        empty="No targets.",
        flagged=frozenset(flagged),
    )


def _reconciliation_table(report: Report) -> Table:
    rows: list[list[str]] = []
    flagged: set[int] = set()
    notes: list[str] = []
    for rec in report.reconciliations:
        notes.extend(rec.statements())
        if rec.error:
            continue
        for what, line, said, counted, ok in (
            ("Days", rec.days_line, rec.stated.days, rec.counted_days_text, rec.days_agree),
            (
                "Councillors",
                rec.councillors_line,
                rec.stated.councillors,
                rec.counted_places_text,
                rec.councillors_agree,
            ),
        ):
            if said is None:
                stated_text = "not stated"
            else:
                qualifier = rec.days_qualifier if what == "Days" else rec.councillors_qualifier
                stated_text = line or _stated(qualifier, said)
            verdict = "—" if ok is None else ("agrees" if ok else "DOES NOT AGREE")
            if ok is False:
                flagged.add(len(rows))
            rows.append([f"{what} ({rec.stated.plan_year})", stated_text, counted, verdict])
    return Table(
        "reconciliation",
        "Reconciliation with the plan's stated totals",
        ["Figure", "The plan states", "ctstui counts", "Check"],
        rows,
        notes=notes,
        empty="No stated totals for this window (import a plan with a TOTALS line).",
        flagged=frozenset(flagged),
    )


# -- the days-per-month chart --------------------------------------------------------------------

_BLOCKS = " ▁▂▃▄▅▆▇█"
CHART_WIDTH = 76  # the text report's chart, indented by 2: never wraps at 80 columns


def _bar(value: float, top: float, level: int, height: int) -> str:
    """The block for one row (``level``, 1 at the bottom) of a bar of ``value``."""
    fill = value / top * height if top else 0.0
    if fill >= level:
        return "█"
    if fill > level - 1:
        return _BLOCKS[max(1, round((fill - (level - 1)) * 8))]
    return " "


def days_chart(report: Report, height: int = 6, width: int = CHART_WIDTH) -> list[str]:
    """A vertical bar chart of days per month in at most ``width`` columns (plain lines).

    Up to 4 columns a month (a 3-wide bar), fewer as the width shrinks; when
    even one column a month does not fit, each column sums several months.
    Lines: the values (when they fit), ``height`` rows of bars, the month
    labels, and the years when the window spans more than twelve months.
    """
    width = max(width, 1)
    months: list[tuple[tuple[int, int], float]] = [(m, t.days) for m, t in report.months.items()]
    if report.undated.activities:
        months.append(((0, 0), report.undated.days))
    if not months:
        return []
    group = -(-len(months) // width)  # months per column
    columns = [months[i : i + group] for i in range(0, len(months), group)]
    values = [sum(v for _, v in col) for col in columns]
    step = max(1, min(4, width // len(columns)))  # columns of text per chart column
    bar = max(1, step - 1)
    top = max(values, default=0.0)

    def row(cells: list[str]) -> str:
        return "".join(cell[:step].ljust(step) for cell in cells).rstrip()[:width]

    lines = []
    texts = [_cell_days(v) for v in values]
    if step >= 2 and all(len(t) <= bar for t in texts):
        lines.append(row([t.rjust(bar) for t in texts]))
    for level in range(height, 0, -1):
        lines.append(row([_bar(v, top, level, height) * bar for v in values]))

    def label(col: list[tuple[tuple[int, int], float]]) -> str:
        (y, m), _ = col[0]
        if (y, m) == (0, 0):
            return "n/d" if step >= 4 else "?"
        name = _MONTH_ABBR[m - 1]
        return name if step >= 4 else name[0]

    if group == 1:
        lines.append(row([label(col) for col in columns]))
    spans_years = len(report.months) > 12
    if spans_years or group > 1:
        # The year under the column of each January (and the first column).
        marks = [" "] * (len(columns) * step)
        for index, col in enumerate(columns):
            years = [y for (y, m), _ in col if y and (m == 1 or index == 0)]
            if years:
                text = f"{years[0] % 100:02d}" if step < 4 or group == 1 else str(years[0])
                at = index * step
                if all(c == " " for c in marks[max(0, at - 1) : at + len(text)]):
                    marks[at : at + len(text)] = list(text)
        lines.append("".join(marks).rstrip()[:width])
    return lines


# -- renderers -----------------------------------------------------------------------------------

_TEXT_WIDTH = 48  # widest text cell in the terminal table


def _table_text(table: Table) -> list[str]:
    """A plain-text table, sized in terminal columns (a wide character takes two)
    by the rule the command line's tables use: ``domain.text.cell_width`` and ``fit``."""
    out = [table.title, "-" * min(cell_width(table.title), 100)]
    if not table.rows:
        out.append(table.empty)
    else:
        body = [[printable(c) for c in row] for row in table.rows]
        total = [printable(c) for c in table.total] if table.total else None
        all_rows = [table.columns, *body, *([total] if total else [])]
        widths = [
            min(max(cell_width(r[i]) for r in all_rows), _TEXT_WIDTH)
            for i in range(len(table.columns))
        ]

        def line(cells: list[str]) -> str:
            parts = [
                fit(c, w, right=i in table.numeric)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ]
            return "  ".join(parts).rstrip()

        out.append(line(table.columns))
        out.append("  ".join("-" * w for w in widths))
        out.extend(line(r) for r in body)
        if total:
            out.append("  ".join("-" * w for w in widths))
            out.append(line(total))
    out.extend(f"  {printable(n)}" for n in table.notes)
    return out


def to_text(report: Report) -> str:
    """The report as plain-text tables for a terminal."""
    out = list(heading(report))
    out.append("")
    for table in report_tables(report):
        out.extend(_table_text(table))
        out.append("")
        if table.key == "months":
            out.append("Days per month" + (" (n/d: no date)" if report.undated.activities else ""))
            out.extend(f"  {line}" for line in days_chart(report))
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _md(text: str) -> str:
    """A table cell: one line, pipes and markup characters escaped."""
    text = printable(text).replace("\\", "\\\\")
    for char in "|*_`[]<>#":
        text = text.replace(char, "\\" + char)
    return text


def to_markdown(report: Report) -> str:
    """The report as Markdown (headings and pipe tables) to paste into a board paper."""
    title, *details = heading(report)
    out = [f"# {_md(title)}", ""]
    for line in details:
        out.extend([f"*{_md(line)}*", ""])
    for table in report_tables(report):
        out.append(f"## {_md(table.title)}")
        out.append("")
        if not table.rows:
            out.append(_md(table.empty))
        else:
            out.append("| " + " | ".join(_md(c) for c in table.columns) + " |")
            out.append(
                "|"
                + "|".join(
                    "---:" if i in table.numeric else "---" for i in range(len(table.columns))
                )
                + "|"
            )
            for row in table.rows:
                out.append("| " + " | ".join(_md(c) for c in row) + " |")
            if table.total:
                out.append(
                    "| " + " | ".join(f"**{_md(c)}**" if c else "" for c in table.total) + " |"
                )
        if table.notes:
            out.append("")
            out.extend(f"- {_md(n)}" for n in table.notes)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


CSV_EXTRA = ("report_month", "audience_group", "status_row")


def to_csv(report: Report) -> str:
    """The report's activity rows (cancelled and dropped included) as CSV, one row each."""
    out = io.StringIO()
    fields = [*Activity(title="").summary(), *CSV_EXTRA]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for activity in report.rows:
        row = activity.summary()
        row["leads"] = "/".join(row["leads"])
        month = report_month(activity, report.window)
        row["report_month"] = f"{month[0]:04d}-{month[1]:02d}" if month else ""
        row["audience_group"] = audience_group(activity.audience)
        row["status_row"] = status_row(activity)
        writer.writerow(row)
    return out.getvalue()


FORMATS = {"text": to_text, "markdown": to_markdown, "json": to_json, "csv": to_csv}


def render(report: Report, fmt: str) -> str:
    """The report in ``fmt`` ("text", "markdown", "json" or "csv")."""
    try:
        return FORMATS[fmt](report)
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
