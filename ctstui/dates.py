"""Fuzzy plan dates: keep the text as written, resolve it to a window.

Plain Python (no Textual).  A plan year runs April to March: in the plan year
2013/14, "May" means May 2013 and "January" means January 2014.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date


class DateParseError(ValueError):
    """Date text that cannot be understood.  The message quotes the text."""

    def __init__(self, text: str, reason: str = "") -> None:
        self.text = text
        self.reason = reason
        msg = f"cannot understand the date {text!r}"
        super().__init__(f"{msg}: {reason}" if reason else msg)


class Precision(enum.StrEnum):
    DAY = "day"  # 21 May
    DAYS = "days"  # 14/15 May, 4th - 6th December 2019: consecutive known days
    OPTIONS = "options"  # 10 or 11 July: one of the listed days
    WEEK = "week"  # W/b 18 November
    PART = "part"  # Mid Feb, end of February, early March: part of a month
    MONTH = "month"  # June, Sept 2011
    MONTHS = "months"  # Feb / March, June - Aug 11, April 11- March 12
    BY = "by"  # By July 2011: a deadline (start unknown)
    FROM = "from"  # from Sept 2011: open-ended
    ONGOING = "ongoing"  # Ongoing: no window
    NONE = "none"  # empty cell: not dated yet


@dataclass(frozen=True, slots=True)
class PlanYear:
    """The April-March year a plan covers; ``PlanYear(2013)`` is 2013/14."""

    start_year: int

    @classmethod
    def parse(cls, text: str) -> PlanYear:
        raise NotImplementedError

    def year_of_month(self, month: int) -> int:
        """April..December fall in start_year, January..March in the next."""
        return self.start_year if month >= 4 else self.start_year + 1

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)

    def __str__(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"


@dataclass(frozen=True, slots=True)
class DateSpec:
    """A date as written in a plan, and the window it resolves to.

    ``start``/``end`` are inclusive; either may be None (BY has no start,
    FROM no end, ONGOING and NONE neither).  ``options`` lists the days of an
    "or" date.  ``text`` never contains the status words (TBC, CONFIRMED,
    completed) - those are split out by :func:`split_date_cell`.
    """

    text: str
    start: date | None = None
    end: date | None = None
    precision: Precision = Precision.NONE
    options: tuple[date, ...] = field(default=())

    @classmethod
    def parse(cls, text: str, plan_year: PlanYear | None = None) -> DateSpec:
        raise NotImplementedError

    @property
    def is_day_precise(self) -> bool:
        """True when every day of the window is known (can go on a calendar day)."""
        return self.precision in (Precision.DAY, Precision.DAYS)

    def days(self) -> list[date]:
        """The calendar days of a day-precise window (empty otherwise)."""
        raise NotImplementedError

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "precision": self.precision.value,
            "options": [d.isoformat() for d in self.options],
        }

    @classmethod
    def from_dict(cls, data: dict) -> DateSpec:
        return cls(
            text=data["text"],
            start=date.fromisoformat(data["start"]) if data.get("start") else None,
            end=date.fromisoformat(data["end"]) if data.get("end") else None,
            precision=Precision(data.get("precision", "none")),
            options=tuple(date.fromisoformat(d) for d in data.get("options", ())),
        )


def split_date_cell(cell: str) -> tuple[str, str | None]:
    """Split a plan's date cell into (date text, status word).

    The status word is one of "tbc", "confirmed", "completed" or None.
    """
    raise NotImplementedError
