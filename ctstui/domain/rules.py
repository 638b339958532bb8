"""The plan's counting rules: ONE definition used by the import and the report.

Plain Python (no Textual).

- **Audience**: an audience mentioning PHs, councillors, members or portfolio
  holders is for councillors; one mentioning officers is for officers; one
  mentioning both is "mixed"; anything else "other".  Places for councillors
  are the places of activities whose audience is for councillors only.
- **Optional**: an optional activity not yet completed counts as optional
  (whatever its status); a completed one counts as scheduled.  Cancelled
  activities count nowhere.
- **Stated totals**: a plan's TOTALS lines ("41 days of improvement activity",
  "over 200 councillors involved") give a number of days and of councillors;
  our count agrees when it satisfies the line's qualifier ("over 200" means
  more than 200).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ctstui.domain.model import Activity, Status
from ctstui.domain.text import format_days

__all__ = [
    "COUNCILLOR_WORDS",
    "DAY_WORDS",
    "PlanCount",
    "agrees",
    "audience_group",
    "count_plan",
    "counts_as_optional",
    "stated_line",
    "stated_numbers",
]

COUNCILLOR_WORDS = re.compile(
    r"\bPHs?\b|councillor|portfolio[\s-]+holder|\bmembers?\b", re.IGNORECASE
)
OFFICER_WORDS = re.compile(r"officer", re.IGNORECASE)
DAY_WORDS = re.compile(r"\bdays?\b", re.IGNORECASE)


def audience_group(audience: str) -> str:
    """ "councillors", "officers", "mixed" (both) or "other"."""
    councillors = bool(COUNCILLOR_WORDS.search(audience))
    officers = bool(OFFICER_WORDS.search(audience))
    if councillors and officers:
        return "mixed"
    if councillors:
        return "councillors"
    if officers:
        return "officers"
    return "other"


def counts_as_optional(activity: Activity) -> bool:
    """An optional activity counts as optional until it is completed."""
    return activity.optional and activity.status is not Status.COMPLETED


@dataclass(slots=True)
class PlanCount:
    """Days and councillor places of a set of activities, by the rules above."""

    scheduled_days: float = 0.0
    optional_days: float = 0.0
    no_days: list[str] = field(default_factory=list)  # titles giving no days (count 0)
    councillor_places: int = 0
    optional_councillor_places: int = 0
    councillor_activities: int = 0
    councillor_no_places: list[str] = field(default_factory=list)

    @property
    def total_days(self) -> float:
        return self.scheduled_days + self.optional_days

    def add(self, activity: Activity, *, optional: bool | None = None) -> None:
        """Count one activity (the caller has left out what it does not count)."""
        if optional is None:
            optional = counts_as_optional(activity)
        if optional:
            self.optional_days += activity.total_days
        else:
            self.scheduled_days += activity.total_days
        if activity.days is None:
            self.no_days.append(activity.title)
        if audience_group(activity.audience) == "councillors":
            self.councillor_activities += 1
            if activity.places is None:
                self.councillor_no_places.append(activity.title)
            else:
                self.councillor_places += activity.places
                if optional:
                    self.optional_councillor_places += activity.places


def count_plan(activities: Iterable[Activity]) -> PlanCount:
    """Count a plan's activities (cancelled ones are left out)."""
    count = PlanCount()
    for activity in activities:
        if activity.status is not Status.CANCELLED:
            count.add(activity)
    return count


# -- stated totals -----------------------------------------------------------------------

_STATED_DAYS = re.compile(
    r"(?<![0-9.])(?P<n>[0-9]{1,5}(?:\.[0-9]{1,2})?)\s*-?\s*days?\b", re.IGNORECASE
)
_STATED_PEOPLE = re.compile(
    r"(?<![0-9.])([0-9]{1,7})\s+(?:councillors|members|portfolio holders|PHs)\b", re.IGNORECASE
)


def stated_numbers(lines: Sequence[str]) -> tuple[float | None, int | None]:
    """(days, councillors) that a plan's TOTALS lines state (None: not stated)."""
    days: float | None = None
    councillors: int | None = None
    for line in lines:
        found = _STATED_DAYS.search(line)
        if days is None and found:
            days = float(found.group("n"))
        people = _STATED_PEOPLE.search(line)
        if councillors is None and people:
            councillors = int(people.group(1))
    return days, councillors


_QUALIFIER = re.compile(
    r"(?P<q>over|more than|above|at least|up to|under|fewer than|less than|about|around"
    r"|approximately|approx\.?|c\.|nearly|almost)\s+(?P<n>[0-9]+(?:\.[0-9]+)?)",
    re.IGNORECASE,
)


def stated_line(lines: Sequence[str], number: float, words: re.Pattern[str]) -> tuple[str, str]:
    """The stated line that gives ``number`` (matching ``words``) and its qualifier."""
    for line in lines:
        if not words.search(line):
            continue
        for found in _QUALIFIER.finditer(line):
            if float(found.group("n")) == number:
                q = found.group("q").casefold().rstrip(".")
                return line, {"more than": "over", "above": "over", "approx": "about"}.get(q, q)
        if re.search(rf"(?<![0-9.]){re.escape(format_days(number))}(?![0-9])", line):
            return line, ""
    return "", ""


def agrees(counted: float, stated: float, qualifier: str) -> bool:
    """Does ``counted`` satisfy "``qualifier`` ``stated``" ("over 200", "41")?"""
    if qualifier == "over":
        return counted > stated
    if qualifier == "at least":
        return counted >= stated
    if qualifier == "up to":
        return counted <= stated
    if qualifier in ("under", "fewer than", "less than"):
        return counted < stated
    if qualifier in ("about", "around", "approximately", "c"):
        return abs(counted - stated) <= 0.1 * stated
    if qualifier in ("nearly", "almost"):
        return 0.9 * stated <= counted <= stated
    return abs(counted - stated) < 1e-9
