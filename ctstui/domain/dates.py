"""Fuzzy plan dates: keep the text as written, resolve it to a window.

Plain Python (no Textual).  A plan year runs April to March: in the plan year
2013/14, "May" means May 2013 and "January" means January 2014.

Forms understood by :meth:`DateSpec.parse` (case-insensitive; months full,
three-letter or "Sept", with an optional "."; ordinals 1st/2nd/3rd/4th;
hyphen, en dash or em dash with any spacing):

* DAY      "21 May", "31st March 2020", "the 14th of May", "2013-05-21", "21/05/2013"
* DAYS     "14/15 May", "7th and 8th November", "7, 8 and 9 November" (consecutive
           days only), "4th - 6th December 2019", "4 to 6 December",
           "between 4 and 6 December", "30 June - 2 July"
* OPTIONS  "10 or 11 July", "10, 11 or 12 July", "30 June or 1 July"
* WEEK     "W/b 18 November" (also w/c, week beginning/commencing/starting/of): 7 days
* PART     "early March" 1st-10th, "Mid Feb" 11th-20th, "late Feb"/"end of February"
           21st-last day (also "beginning of", "start of", "middle of", "the end of")
* MONTH    "June", "Sept 2011", "May 11" (two digits after a month are a year)
* MONTHS   "Feb / March", "June or July", "June - Aug 11", "April 11- March 12",
           "between October - December 2019", "from June to August"
           (months joined by "/", "and", "or" must be consecutive)
* BY       "by July 2011", "By March", "by the end of March", "until June"
* FROM     "from Sept 2011", "from mid Feb"
* ONGOING  "Ongoing", "Ongoing."
* NONE     "" (empty or blank)

Years: a written year always wins.  Missing years come from the neighbouring
item ("9th and 10th November 2019", "Dec / Jan 2014" is Dec 2013 - Jan 2014),
else from the plan year (for the first item; later items roll on a year when
their month is earlier).  Anything else raises :class:`DateParseError`.
"""

from __future__ import annotations

import calendar
import enum
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise


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
        """Read "2013/14", "2013-14", "2013/2014" or "2013–14" as ``PlanYear(2013)``."""
        m = _PLAN_YEAR.fullmatch(text.strip()) if isinstance(text, str) else None
        if m is None:
            raise ValueError(f"cannot understand the plan year {text!r}: expected e.g. '2013/14'")
        first, second = int(m.group(1)), m.group(2)
        expected = first + 1 if len(second) == 4 else (first + 1) % 100
        if int(second) != expected:
            raise ValueError(
                f"cannot understand the plan year {text!r}: "
                f"a plan year covers two consecutive years, as in '{first}/{(first + 1) % 100:02d}'"
            )
        return cls(first)

    @classmethod
    def containing(cls, day: date) -> PlanYear:
        """The April-March plan year ``day`` falls in."""
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def stated_or_current(cls, stated: object, today: date) -> PlanYear:
        """The plan's stated plan year (the store's ``plan_year`` fact) when it reads as
        one, else the plan year holding ``today``: the year undated text is read in."""
        if isinstance(stated, str):
            try:
                return cls.parse(stated)
            except ValueError:
                pass
        return cls.containing(today)

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
        """Resolve date text to a window; raise :class:`DateParseError` if unsure.

        ``text`` is kept as given (outer whitespace stripped).  A month with no
        year written takes its year from ``plan_year`` (April-March); a written
        year always wins.  Parsing is strict: status words ("TBC",
        "CONFIRMED", "completed") are refused - split them off first with
        :func:`split_date_cell` (or use :func:`parse_date_cell`).
        """
        original = text.strip()
        if not original:
            return cls("", precision=Precision.NONE)
        _, status = split_date_cell(original)
        if status is not None:
            raise DateParseError(
                original,
                f"'{status}' is a status, not part of the date; split it off with split_date_cell",
            )
        try:
            return _parse(cls, original, plan_year)
        except DateParseError:
            raise
        except (ValueError, OverflowError) as exc:  # e.g. a window past year 9999
            raise DateParseError(original, str(exc))

    @property
    def is_day_precise(self) -> bool:
        """True when every day of the window is known (can go on a calendar day)."""
        return self.precision in (Precision.DAY, Precision.DAYS)

    def days(self) -> list[date]:
        """The calendar days of a day-precise window (empty otherwise).

        Only DAY and DAYS are day-precise.  OPTIONS ("10 or 11 July") gives
        ``[]``: only one of its days will happen - see ``options`` for them.
        """
        if not self.is_day_precise or self.start is None or self.end is None:
            return []
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def describe(self) -> str:
        """A short human reading of the window, e.g. "18–24 Nov 2013"."""
        p, start, end = self.precision, self.start, self.end
        if p is Precision.ONGOING:
            return "ongoing"
        if p is Precision.BY and end is not None:
            return f"by {_day_text(end)}"
        if p is Precision.FROM and start is not None:
            return f"from {_day_text(start)}"
        if start is None or end is None:
            return "no date"
        if p is Precision.DAY:
            return f"{_WEEKDAY_ABBR[start.weekday()]} {_day_text(start)}"
        if p is Precision.OPTIONS and self.options:
            return _options_text(self.options)
        if p in (Precision.MONTH, Precision.MONTHS):
            return _month_range_text(start, end)
        return _day_range_text(start, end)

    def overlaps(self, start: date, end: date) -> bool:
        """True if the window meets the inclusive range ``start``..``end``.

        A missing start (BY) counts as the beginning of time and a missing end
        (FROM) as the end of time.  ONGOING and NONE have no window: False.
        """
        if self.precision in (Precision.ONGOING, Precision.NONE):
            return False
        if self.start is None and self.end is None:
            return False
        own_start = self.start or date.min
        own_end = self.end or date.max
        return own_start <= end and start <= own_end

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

    The status word is one of "tbc", "confirmed", "completed", "cancelled",
    "postponed" or None.
    Matching is case-insensitive and also knows "TBA" and "to be confirmed"
    (tbc) and "complete" (completed).  The status and the spaces, dashes and
    brackets around it are removed; the rest of the text is kept as written.
    If a cell holds more than one status the last one wins.
    """
    text = cell.strip()
    matches = list(_STATUS.finditer(text))
    if not matches:
        return text, None
    status = _STATUS_WORDS[re.sub(r"[\s.]", "", matches[-1].group("status").lower())]
    pieces: list[str] = []
    pos = 0
    for m in matches:
        pieces.append(text[pos : m.start()])
        pos = m.end()
    pieces.append(text[pos:])
    cleaned = []
    for i, piece in enumerate(pieces):
        if i > 0:  # a status came before: drop what it left at the start
            piece = piece.lstrip(_SEPARATORS + ".)]")
        if i < len(pieces) - 1:  # a status comes after: drop what it left at the end
            piece = piece.rstrip(_SEPARATORS + "([")
        if piece.strip(_SEPARATORS):
            cleaned.append(piece.strip())
    return " ".join(cleaned), status


def parse_date_cell(cell: str, plan_year: PlanYear | None = None) -> tuple[DateSpec, str | None]:
    """Split a date cell's status off and parse the rest: ``(DateSpec, status)``."""
    text, status = split_date_cell(cell)
    return DateSpec.parse(text, plan_year), status


_PLAN_YEAR = re.compile(r"([0-9]{4})\s*[-/\u2010-\u2015]\s*([0-9]{4}|[0-9]{2})")

_STATUS_WORDS = {
    "tbc": "tbc",
    "tba": "tbc",
    "tobeconfirmed": "tbc",
    "confirmed": "confirmed",
    "completed": "completed",
    "complete": "completed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "postponed": "postponed",
}
_STATUS = re.compile(
    r"(?<![a-z0-9])(?P<status>to\s+be\s+confirmed|t\.?\s?b\.?\s?c\.?|tba|confirmed|completed?"
    r"|cancell?ed|postponed)"
    r"(?![a-z])\.?(?:\s*[)\]])?",
    re.IGNORECASE,
)
_SEPARATORS = " \t\n\r-\u2010\u2011\u2012\u2013\u2014\u2015:,;"

# ---------------------------------------------------------------------------
# Parsing machinery (private).
#
# The text is normalised (lower case, every dash made "-", whitespace
# collapsed, one trailing "." dropped), an optional leading keyword is taken
# off ("by", "from", "between", "w/b"...), and what is left is either a part
# of a month ("mid Feb") or a sequence of *items* joined by connectors.  An
# item is a day ("14th", "21 May", "9 November 2019") or a month ("June",
# "Sept 2011", "April 11").  Months and years missing from earlier items are
# taken from later ones, so "14/15 May" and "June - Aug 11" read naturally.

_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_ABBR = tuple(name[:3] for name in _MONTH_NAMES)
_WEEKDAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_MONTH_WORD = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])"
)
_MONTH_BY_PREFIX = {name[:3].lower(): i for i, name in enumerate(_MONTH_NAMES, start=1)}


def _year_re(name: str) -> str:
    # A four-digit year, or a two-digit one ("April 11") unless a month
    # follows it, in which case the number is the day of a following item
    # ("30 June, 12 July").
    return (
        rf"(?P<{name}>[0-9]{{4}}(?![0-9])"
        rf"|'?[0-9]{{2}}(?![0-9a-z])(?!\s*(?:of\s+)?{_MONTH_WORD}))"
    )


_ITEM = re.compile(
    r"(?:the\s+)?(?:"
    rf"(?P<day>[0-9]{{1,2}})(?![0-9])(?:st|nd|rd|th)?"
    rf"(?:\s*(?:of\s+)?(?P<dmon>{_MONTH_WORD})\.?(?:\s*,?\s*{_year_re('dyear')})?)?"
    # month first with an ordinal or a single digit: "May 21st", "Sept 30th, 2013", "June 3"
    rf"|(?P<mmon>{_MONTH_WORD})\.?\s*(?:the\s+)?(?P<mday>[0-9]{{1,2}}(?:st|nd|rd|th)|[0-9](?![0-9]))"
    r"(?:\s*,?\s*(?P<myear>[0-9]{4})(?![0-9]))?"
    rf"|(?P<mon>{_MONTH_WORD})\.?(?:\s*,?\s*{_year_re('year')})?"
    r")"
)
_CONNECTOR = re.compile(
    r"\s*(?:(?P<range>-|to\b|until\b|till\b|through\b|thru\b)"
    r"|,?\s*(?P<word>and\b|or\b)|(?P<sym>/|&|\+|,))\s*"
)
_KEYWORD = re.compile(
    r"(?P<kw>by|until|till|no\s+later\s+than|from|between"
    r"|w\s*/\s*[bc]|w\.[bc]\.?|wb|wc|week\s+(?:beginning|commencing|starting|of))"
    r"(?![a-z])\s*:?\s*"
)
_PART = re.compile(
    r"(?:the\s+)?(?P<part>early|beginning\s+of|start\s+of|mid|middle\s+of|late|end\s+of|end)"
    r"(?:\s*-\s*|\s+)(?:the\s+)?(?P<rest>.+)"
)
_ISO = re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})")
_NUMERIC = re.compile(
    r"(?P<d>[0-9]{1,2})(?P<sep>[/.])(?P<m>[0-9]{1,2})(?:(?P=sep)(?P<y>[0-9]{4}|[0-9]{2}))?"
)  # UK order: day/month[/year]
_NUMERIC_DASH = re.compile(r"(?P<d>[0-9]{1,2})-(?P<m>[0-9]{1,2})-(?P<y>[0-9]{4})")
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")

_BY_KEYWORDS = ("by", "until", "till", "no later than")

# Parts of a month: (first day, last day); None means the month's last day.
_PARTS: dict[str, tuple[int, int | None]] = {
    "early": (1, 10),
    "beginning of": (1, 10),
    "start of": (1, 10),
    "mid": (11, 20),
    "middle of": (11, 20),
    "late": (21, None),
    "end of": (21, None),
    "end": (21, None),
}

_EXAMPLES = (
    "expected a date such as '21 May', '14/15 May', '10 or 11 July', 'W/b 18 November', "
    "'Mid Feb', 'June', 'Feb / March', 'by July 2011', 'from Sept 2011' or 'Ongoing'"
)


@dataclass(slots=True)
class _Item:
    """One day or month as written; month/year may be filled in later."""

    day: int | None  # None for a whole month
    month: int | None
    year: int | None


def _normalise(text: str) -> str:
    s = _DASHES.sub("-", text.lower())
    s = re.sub(r"\s+", " ", s).strip()
    if s.endswith("."):
        s = s[:-1].rstrip()
    return s


def _month_number(word: str) -> int:
    return _MONTH_BY_PREFIX[word[:3]]


def _year_number(word: str) -> int:
    digits = word.lstrip("'")
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


def _make_date(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        if not 1 <= year <= 9999:
            raise DateParseError(text, f"the year {year} is out of range")
        if (month, day) == (2, 29):
            raise DateParseError(
                text, f"29 February {year} does not exist ({year} is not a leap year)"
            )
        if not 1 <= month <= 12:
            raise DateParseError(text, f"there is no month {month}")
        raise DateParseError(text, f"the day {day} {_MONTH_NAMES[month - 1]} does not exist")


def _month_end(text: str, year: int, month: int) -> date:
    if not 1 <= year <= 9999:
        raise DateParseError(text, f"the year {year} is out of range")
    return date(year, month, calendar.monthrange(year, month)[1])


def _scan(text: str, s: str, plan_year: PlanYear | None = None) -> tuple[list[_Item], list[str]]:
    """Split ``s`` into items and connectors ("range", "and", "or", ",", "/"...).

    Two digits after a month ("June 11", "Jan 15") are a year only when they
    name one of the plan year's two years (11 or 12 in 2011/12); otherwise they
    are the day ("Jan 15" in 2024/25 is 15 January 2025).  With no plan year
    they are a year, as before.
    """
    items: list[_Item] = []
    connectors: list[str] = []
    pos = 0
    while True:
        m = _ITEM.match(s, pos)
        if m is None:
            raise DateParseError(text, _EXAMPLES)
        if m.group("day") is not None:
            mon, year = m.group("dmon"), m.group("dyear")
            day: int | None = int(m.group("day"))
        elif m.group("mmon") is not None:
            mon, year = m.group("mmon"), m.group("myear")
            day = int(m.group("mday").rstrip("stndrh"))
        else:
            mon, year, day = m.group("mon"), m.group("year"), None
            if _two_digit_day(mon, year, plan_year):
                day, year = int(year), None
        items.append(
            _Item(
                day=day,
                month=_month_number(mon) if mon else None,
                year=_year_number(year) if year else None,
            )
        )
        pos = m.end()
        if pos == len(s):
            return items, connectors
        c = _CONNECTOR.match(s, pos)
        if c is None or c.end() == pos or c.end() == len(s):
            raise DateParseError(text, _EXAMPLES)
        if c.group("range"):
            connectors.append("range")
        else:
            connectors.append(c.group("word") or c.group("sym"))
        pos = c.end()


def _two_digit_day(mon: str, year: str | None, plan_year: PlanYear | None) -> bool:
    """Is "Jan 15" the 15th (True) rather than January 2015, given the plan year?"""
    if year is None or len(year) != 2 or plan_year is None:
        return False
    number = int(year)
    if number in (plan_year.start_year % 100, (plan_year.start_year + 1) % 100):
        return False
    return 1 <= number <= calendar.monthrange(2000, _month_number(mon))[1]


def _resolve_years(text: str, items: list[_Item], plan_year: PlanYear | None) -> list[int]:
    """Years for each item: written ones, else neighbours', else the plan year.

    An item before a dated one takes its year, going back a year if its month
    is later ("Dec / Jan 2014" is December 2013).  An item after one takes its
    year, going on a year if its month is earlier.  Days within one month
    never wrap, so "6-4 December" is an error rather than a year long.  With no year
    written, the first item's year comes from the plan year.
    """
    years = [item.year for item in items]
    known = [i for i, y in enumerate(years) if y is not None]
    if not known:
        first_month = items[0].month or 1
        if plan_year is None:
            raise DateParseError(
                text,
                f"a plan year is needed to know which year {_MONTH_NAMES[first_month - 1]} is in",
            )
        years[0] = plan_year.year_of_month(first_month)
        known = [0]
    for i in range(known[0] - 1, -1, -1):
        later = years[i + 1]
        assert later is not None
        years[i] = later - (1 if (items[i].month or 0) > (items[i + 1].month or 0) else 0)
    for i in range(known[0] + 1, len(years)):
        earlier = years[i - 1]
        assert earlier is not None
        if years[i] is None:
            years[i] = earlier + (1 if (items[i].month or 0) < (items[i - 1].month or 0) else 0)
    return [y for y in years if y is not None]


def _connector_kind(text: str, connectors: list[str], and_is_range: bool) -> str:
    """How the items are joined: "range" (4-6), "or" (10 or 11) or "list" (14/15)."""
    if and_is_range:
        connectors = ["range" if c == "and" else c for c in connectors]
    if "range" in connectors:
        if len(connectors) != 1:
            raise DateParseError(text, "a range joins exactly two dates, as in '4-6 December'")
        return "range"
    if "or" in connectors:
        if any(c not in ("or", ",") for c in connectors):
            raise DateParseError(text, "mixes 'or' with 'and' or '/'")
        return "or"
    return "list"


def _check_days(text: str, items: list[_Item]) -> None:
    for item in items:
        if item.day is None or item.month is None:
            continue
        if not 1 <= item.day <= calendar.monthrange(2000, item.month)[1]:  # 2000: a leap year
            raise DateParseError(
                text, f"the day {item.day} {_MONTH_NAMES[item.month - 1]} does not exist"
            )


def _parse_items(
    cls: type[DateSpec],
    original: str,
    s: str,
    plan_year: PlanYear | None,
    *,
    and_is_range: bool = False,
) -> tuple[DateSpec, int, str]:
    """Parse a sequence of days or months; also return item count and join kind.

    "June – Aug 11" in 2013/14: 11 is no year of the plan, but as a day it would
    mix days with months, so it is read as the year it must be (and the date is
    then reported as outside the plan year).
    """
    items, connectors = _scan(original, s, plan_year)
    if any(i.day is None for i in items) and any(i.day is not None for i in items):
        items, connectors = _scan(original, s, None)
    kind = _connector_kind(original, connectors, and_is_range) if connectors else "single"
    if any(i.day is None for i in items) and any(i.day is not None for i in items):
        raise DateParseError(original, "mixes days with whole months")
    if items[0].day is None:
        years = _resolve_years(original, items, plan_year)
        months = [(y, i.month or 1) for y, i in zip(years, items, strict=True)]
        starts = [_make_date(original, y, m, 1) for y, m in months]
        ends = [_month_end(original, y, m) for y, m in months]
        if any(b <= a for a, b in pairwise(starts)):
            if kind == "range":
                raise DateParseError(original, "the range must end after it starts")
            raise DateParseError(original, "the months are not in order")
        if kind in ("list", "or") and any(
            (b.year * 12 + b.month) - (a.year * 12 + a.month) != 1 for a, b in pairwise(starts)
        ):
            raise DateParseError(
                original, "months joined by '/' must be consecutive; write a span as 'June - Aug'"
            )
        precision = Precision.MONTH if len(items) == 1 else Precision.MONTHS
        return cls(original, starts[0], ends[-1], precision), len(items), kind
    # Days: a missing month comes from the next item that has one, or, month
    # first ("May 21st - 23rd"), from the one before.
    if items[-1].month is None and items[0].month is not None:
        for i in range(1, len(items)):
            if items[i].month is None:
                items[i].month = items[i - 1].month
                items[i].year = items[i].year or items[i - 1].year
    if items[-1].month is None:
        raise DateParseError(original, "the day needs a month, as in '14 May'")
    for i in range(len(items) - 2, -1, -1):
        if items[i].month is None:
            items[i].month = items[i + 1].month
            if items[i].year is None:
                items[i].year = items[i + 1].year
    _check_days(original, items)
    years = _resolve_years(original, items, plan_year)
    days = [
        _make_date(original, y, i.month or 1, i.day or 1) for y, i in zip(years, items, strict=True)
    ]
    if len(days) == 1:
        return cls(original, days[0], days[0], Precision.DAY), 1, kind
    if kind == "range":
        if days[1] <= days[0]:
            raise DateParseError(original, "the range must end after it starts")
        return cls(original, days[0], days[1], Precision.DAYS), 2, kind
    if len(set(days)) != len(days):
        raise DateParseError(original, "the same day is listed twice")
    if kind == "or":
        options = tuple(sorted(days))
        return cls(original, options[0], options[-1], Precision.OPTIONS, options), len(days), kind
    for a, b in pairwise(days):
        if (b - a).days != 1:
            raise DateParseError(
                original,
                f"{a.day} {_MONTH_ABBR[a.month - 1]} and {b.day} {_MONTH_ABBR[b.month - 1]} "
                "are not consecutive days; write a range as '4-6 December' "
                "or a choice as '10 or 11 July'",
            )
    return cls(original, days[0], days[-1], Precision.DAYS), len(days), kind


def _parse_part(
    cls: type[DateSpec], original: str, s: str, plan_year: PlanYear | None
) -> DateSpec | None:
    m = _PART.fullmatch(s)
    if m is None:
        return None
    month, _, _ = _parse_items(cls, original, m.group("rest"), plan_year)
    if month.precision is not Precision.MONTH or month.start is None or month.end is None:
        raise DateParseError(original, f"'{m.group('part')}' needs a single month, as in 'Mid Feb'")
    first, last = _PARTS[re.sub(r"\s+", " ", m.group("part"))]
    start = month.start.replace(day=first)
    end = month.end if last is None else month.start.replace(day=last)
    return cls(original, start, end, Precision.PART)


def _parse_core(
    cls: type[DateSpec],
    original: str,
    s: str,
    plan_year: PlanYear | None,
    *,
    and_is_range: bool = False,
) -> tuple[DateSpec, int, str]:
    part = _parse_part(cls, original, s, plan_year)
    if part is not None:
        return part, 1, "single"
    m = _ISO.fullmatch(s) or _NUMERIC.fullmatch(s) or _NUMERIC_DASH.fullmatch(s)
    if m is not None and m.group("y") is None and not 1 <= int(m.group("m")) <= 12:
        m = None  # "14/15": two days with the month left out, not a day/month
    if m is not None:
        month = int(m.group("m"))
        written = m.group("y")
        if written is None:
            if plan_year is None:
                raise DateParseError(original, "a plan year is needed to know the year of a day")
            year = plan_year.year_of_month(month) if 1 <= month <= 12 else 0
        else:
            year = int(written) + (2000 if len(written) == 2 else 0)
        if not 1 <= month <= 12:
            raise DateParseError(original, f"there is no month {month} (day/month order)")
        day = _make_date(original, year, month, int(m.group("d")))
        return cls(original, day, day, Precision.DAY), 1, "single"
    extra = _parse_season_or_quarter(cls, original, s, plan_year)
    if extra is not None:
        return extra, 1, "single"
    return _parse_items(cls, original, s, plan_year, and_is_range=and_is_range)


_WEEKDAY_WORD = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tues?|weds?|thu(?:rs?)?|fri|sat|sun)"
)
_WEEKDAY_BEFORE_DAY = re.compile(
    rf"\b(?P<wd>{_WEEKDAY_WORD})\.?,?\s*(?=(?:the\s+)?(?:[0-9]|{_MONTH_WORD}\.?\s*[0-9]))"
)
_WEEKDAY_NUMBER = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
_DEADLINE = re.compile(
    r"(?:deadline|due)\s*(?:date)?\s*(?:[:=-]|by|on|of)?\s*(?P<after>.+)"
    r"|(?P<before>.+?)\s*[(\[]?\s*-?\s*(?:deadline|due\s+date)\s*[)\]]?"
)
_SEASON = re.compile(
    r"(?P<season>spring|summer|autumn|fall|winter)(?:\s+(?P<year>[0-9]{4})"
    r"(?:\s*[-/]\s*(?P<next>[0-9]{2}|[0-9]{4}))?)?"
)
# UK meteorological seasons: first month, and the month that places it in a plan year.
_SEASONS = {
    "spring": (3, 4),
    "summer": (6, 7),
    "autumn": (9, 10),
    "fall": (9, 10),
    "winter": (12, 1),
}
_QUARTER = re.compile(
    r"(?:q(?P<q>[1-4])|(?:quarter|qtr)\s*(?P<q2>[1-4])|(?P<q3>[1-4])(?:st|nd|rd|th)\s+quarter)"
    r"(?:\s*(?:of\s+)?(?P<py>[0-9]{4}\s*[-/]\s*(?:[0-9]{4}|[0-9]{2})))?"
)


def _parse_season_or_quarter(
    cls: type[DateSpec], original: str, s: str, plan_year: PlanYear | None
) -> DateSpec | None:
    """ "Spring 2014", "autumn", "Q1" (April-June of the plan year), "Q3 2013/14"."""
    m = _SEASON.fullmatch(s)
    if m is not None:
        first, placing = _SEASONS[m.group("season")]
        if m.group("year"):
            start_year = int(m.group("year"))
        elif plan_year is not None:
            start_year = plan_year.year_of_month(placing) - (1 if first > placing else 0)
        else:
            raise DateParseError(original, "a plan year is needed to know which year it is")
        start = _make_date(original, start_year, first, 1)
        end_month = (start.month + 1) % 12 + 1
        end = _month_end(original, start_year + (1 if end_month < first else 0), end_month)
        return cls(original, start, end, Precision.MONTHS)
    m = _QUARTER.fullmatch(s)
    if m is not None:
        quarter = int(m.group("q") or m.group("q2") or m.group("q3"))
        year = plan_year
        if m.group("py"):
            try:
                year = PlanYear.parse(m.group("py"))
            except ValueError as exc:
                raise DateParseError(original, str(exc))
        if year is None:
            raise DateParseError(original, "a plan year is needed to know which quarter it is")
        first = (quarter * 3 + 1) % 12 or 12  # Q1 April, Q2 July, Q3 October, Q4 January
        start = _make_date(original, year.year_of_month(first), first, 1)
        last = first + 2
        return cls(original, start, _month_end(original, start.year, last), Precision.MONTHS)
    return None


def _dateutil_day(s: str) -> date | None:
    """A fully written day in some other form ("May 21, 2013", "21.05.2013 10:00").

    Read with python-dateutil (UK day-first); only accepted when day, month and
    year are all written (two different defaults give the same answer).
    """
    if not re.search(r"[0-9]{4}", s):
        return None
    from datetime import datetime

    from dateutil import parser

    try:
        a = parser.parse(s, dayfirst=True, default=datetime(2000, 1, 1))
        b = parser.parse(s, dayfirst=True, default=datetime(2004, 2, 2))
    except (ValueError, OverflowError, parser.ParserError):
        return None
    return a.date() if a.date() == b.date() else None


def _parse(cls: type[DateSpec], original: str, plan_year: PlanYear | None) -> DateSpec:
    s = _normalise(original)
    s = _WEEKDAY_BEFORE_DAY.sub("", s).strip()  # "Tuesday 14 May": the day says it all
    if s == "ongoing":
        return cls(original, precision=Precision.ONGOING)
    deadline = _DEADLINE.fullmatch(s)
    if deadline is not None:
        rest = (deadline.group("after") or deadline.group("before") or "").strip(" :-,")
        if rest:
            spec = _parse_text(cls, original, rest, plan_year)
            return cls(original, None, spec.end, Precision.BY)
    try:
        return _parse_text(cls, original, s, plan_year)
    except DateParseError:
        day = _dateutil_day(s)
        if day is None:
            raise
        return cls(original, day, day, Precision.DAY)


def _parse_text(cls: type[DateSpec], original: str, s: str, plan_year: PlanYear | None) -> DateSpec:
    kw_match = _KEYWORD.match(s)
    if kw_match is None or kw_match.end() == len(s):
        spec, _, _ = _parse_core(cls, original, s, plan_year)
        return spec
    kw = re.sub(r"\s+", " ", kw_match.group("kw"))
    rest = s[kw_match.end() :]
    if kw == "between":
        spec, count, kind = _parse_core(cls, original, rest, plan_year, and_is_range=True)
        if count != 2 or kind != "range":
            raise DateParseError(original, "'between' needs two dates, as in 'between 4 and 6 May'")
        return spec
    spec, count, kind = _parse_core(cls, original, rest, plan_year)
    if kw == "from":
        if kind == "range":  # "from June to August" is just a range
            return spec
        if count != 1:
            raise DateParseError(original, "'from' needs a single date, as in 'from Sept 2011'")
        return cls(original, spec.start, None, Precision.FROM)
    if count != 1:
        raise DateParseError(original, f"'{kw}' needs a single date, as in 'by July 2011'")
    if kw in _BY_KEYWORDS:
        return cls(original, None, spec.end, Precision.BY)
    # Week beginning.
    if spec.precision is not Precision.DAY or spec.start is None:
        raise DateParseError(original, "a week needs the day it begins, as in 'W/b 18 November'")
    return cls(original, spec.start, spec.start + timedelta(days=6), Precision.WEEK)


def _day_text(d: date, *, year: bool = True) -> str:
    text = f"{d.day} {_MONTH_ABBR[d.month - 1]}"
    return f"{text} {d.year}" if year else text


def _day_range_text(a: date, b: date) -> str:
    """E.g. "14–15 May 2013", "30 Jun – 2 Jul 2013", "30 Dec 2013 – 2 Jan 2014"."""
    if a == b:
        return _day_text(a)
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{_day_text(b)}"
    if a.year == b.year:
        return f"{_day_text(a, year=False)} – {_day_text(b)}"
    return f"{_day_text(a)} – {_day_text(b)}"


def _month_range_text(a: date, b: date) -> str:
    """E.g. "Feb–Mar 2014", "Dec 2013 – Jan 2014"."""
    if (a.year, a.month) == (b.year, b.month):
        return f"{_MONTH_ABBR[a.month - 1]} {a.year}"
    if a.year == b.year:
        return f"{_MONTH_ABBR[a.month - 1]}–{_MONTH_ABBR[b.month - 1]} {b.year}"
    return f"{_MONTH_ABBR[a.month - 1]} {a.year} – {_MONTH_ABBR[b.month - 1]} {b.year}"


def _options_text(options: tuple[date, ...]) -> str:
    """E.g. "10 or 11 Jul 2013", "10, 11 or 12 Jul 2013", "30 Jun or 1 Jul 2013"."""
    first, last = options[0], options[-1]
    if (first.year, first.month) == (last.year, last.month):
        parts = [str(d.day) for d in options]
        tail = f" {_MONTH_ABBR[last.month - 1]} {last.year}"
    elif first.year == last.year:
        parts = [_day_text(d, year=False) for d in options]
        tail = f" {last.year}"
    else:
        parts = [_day_text(d) for d in options]
        tail = ""
    return ", ".join(parts[:-1]) + " or " + parts[-1] + tail


# -- checks on a resolved date (what an import reports) ---------------------------------


def outside_plan_year(spec: DateSpec, plan_year: PlanYear) -> str:
    """Why a resolved window is outside ``plan_year`` ("" when it meets it).

    A window that only partly leaves the plan year ("March 11 - March 12" in
    2011/12) is not outside: :func:`reading_notes` mentions it.
    """
    if spec.start is None and spec.end is None:
        return ""
    if spec.overlaps(plan_year.start, plan_year.end):
        return ""
    return (
        f"{spec.text!r} is {spec.describe()}, outside the plan year {plan_year} "
        f"({_day_text(plan_year.start)} – {_day_text(plan_year.end)})"
    )


def reading_notes(spec: DateSpec, plan_year: PlanYear | None) -> list[str]:
    """Things worth a note about how a date was read (none is an error).

    - a week commencing that is not a Monday;
    - a weekday written before a day that does not fall on that day;
    - "Jan 25" read as January 2025 (the plan year's), not the 25th;
    - a window that runs partly outside the plan year.
    """
    notes: list[str] = []
    s = _normalise(spec.text)
    if spec.precision is Precision.WEEK and spec.start is not None and spec.start.weekday() != 0:
        notes.append(
            f"the week of {spec.text!r} begins on a {calendar.day_name[spec.start.weekday()]}, "
            "not a Monday"
        )
    written = [_WEEKDAY_NUMBER[m.group("wd")[:3]] for m in _WEEKDAY_BEFORE_DAY.finditer(s)]
    days = [d for d in (spec.start, spec.end) if d is not None]
    if written and days:
        pairs = [(written[0], days[0])]
        if len(written) > 1:
            pairs.append((written[-1], days[-1]))
        for weekday, day in pairs:
            if day.weekday() != weekday:
                notes.append(
                    f"{spec.text!r}: {_day_text(day)} is a {calendar.day_name[day.weekday()]}, "
                    f"not a {calendar.day_name[weekday]}"
                )
    if plan_year is not None:
        pattern = rf"(?P<mon>{_MONTH_WORD})\.?\s*,?\s*(?P<yy>[0-9]{{2}})(?![0-9])"
        for m in re.finditer(pattern, spec.text, re.IGNORECASE):
            number = int(m.group("yy"))
            month = _month_number(m.group("mon").lower())
            if number in (plan_year.start_year % 100, (plan_year.start_year + 1) % 100) and (
                1 <= number <= calendar.monthrange(2000, month)[1]
            ):
                notes.append(
                    f"{m.group(0)!r} read as {_MONTH_NAMES[month - 1]} {2000 + number} "
                    f"(a year of the plan year {plan_year}); write '{number} "
                    f"{_MONTH_ABBR[month - 1]}' for a day"
                )
        if spec.overlaps(plan_year.start, plan_year.end) and (
            (spec.start is not None and spec.start < plan_year.start)
            or (spec.end is not None and spec.end > plan_year.end)
        ):
            notes.append(f"{spec.describe()} runs partly outside the plan year {plan_year}")
    return notes
