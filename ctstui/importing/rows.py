"""Rows of a plan table into activities: columns, titles, dates, totals.

See :func:`read_plan`.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from ctstui.domain.dates import (
    DateParseError,
    DateSpec,
    PlanYear,
    outside_plan_year,
    reading_notes,
    split_date_cell,
)
from ctstui.domain.model import (
    TRACKED_FIELDS,
    Activity,
    Kind,
    Rag,
    RagReview,
    StatedTotals,
    Status,
    Theme,
    parse_audience,
    parse_leads,
)
from ctstui.domain.rules import (
    COUNCILLOR_WORDS,
    DAY_WORDS,
    PlanCount,
    agrees,
    count_plan,
    stated_line,
    stated_numbers,
)
from ctstui.domain.text import clip
from ctstui.importing.errors import PlanImportError, PlanYearMissing

# -- reading: cells and columns ---------------------------------------------------------

# Fields a plan table provides; what a re-import updates on a matched activity:
# every tracked field except those a plan table never carries.
IMPORTED_FIELDS = tuple(
    name for name in TRACKED_FIELDS if name not in ("rag", "programme", "funder", "notes")
)

# Which activity fields each column supplies (directly or derived).
_COLUMN_SUPPLIES = {
    "title": ("title", "kind", "theme", "place", "days", "optional"),
    "when": ("when", "status", "date_problem"),
    "audience": ("audience", "places"),
    "link": ("link",),
    "leads": ("leads",),
    "status": ("status",),
    "kind": ("kind",),
    "theme": ("theme",),
    "place": ("place",),
    "days": ("days",),
    "places": ("places",),
    "optional": ("optional",),
    "notes": ("notes",),
    "programme": ("programme",),
    "funder": ("funder",),
    "priority": ("priority",),
    "detail": ("detail",),
    "outcomes": ("outcomes",),
    "targets": ("targets",),
    "progress": ("progress",),
}

_IGNORE = "-"  # a known column the importer does not read (ctstui's own CSV export)

_COLUMN_NAMES = {
    "activity": "title",
    "activities": "title",
    "activity title": "title",
    "title": "title",
    "event": "title",
    "date": "when",
    "dates": "when",
    "when": "when",
    "timescale": "when",
    "timescales": "when",
    "timing": "when",
    "target audience": "audience",
    "audience": "audience",
    "target group": "audience",
    "link": "link",
    "business plan": "link",
    "business plan link": "link",
    "link to business plan": "link",
    "link to the business plan": "link",
    "lead": "leads",
    "leads": "leads",
    "lead officer": "leads",
    "lead officers": "leads",
    "status": "status",
    "kind": "kind",
    "type": "kind",
    "theme": "theme",
    "place": "place",
    "days": "days",
    "duration": "days",
    "places": "places",
    "optional": "optional",
    "notes": "notes",
    "note": "notes",
    "comments": "notes",
    "programme": "programme",
    "program": "programme",
    "project": "programme",
    "funder": "funder",
    "priority": "priority",
    "outcome": "outcomes",
    "outcomes": "outcomes",
    "targets": "targets",
    "target": "targets",
    "targets and timescale": "targets",
    "targets and timescales": "targets",
    "progress": "progress",
    "progress or completion date": "progress",
    "comments on progress": "progress",
    "detail": "detail",
    "details": "detail",
    "actions": "detail",
    "plan year": _IGNORE,
    "date problem": _IGNORE,
    "source": _IGNORE,
    "id": _IGNORE,
    "start": _IGNORE,
    "end": _IGNORE,
    "precision": _IGNORE,
    "rag": _IGNORE,
    "revision": _IGNORE,
    "updated": _IGNORE,
}
# Columns taken as written into the activity's field of the same name.
_TEXT_COLUMNS = (
    "notes",
    "programme",
    "funder",
    "priority",
    "detail",
    "outcomes",
    "targets",
    "progress",
)
_ROW_COLUMNS = ("when", "audience", "leads", "link", "status", "kind", "days")

_TAG = re.compile(
    r"</?\s*(?:b|i|u|em|strong|br|p|span|font|div|sup|sub|td|tr|th)\b[^<>]{0,200}>", re.IGNORECASE
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"\s+")
_LETTER = re.compile(r"[^\W\d_]")
_WORDS = re.compile(r"[a-z]+")
_PLAN_YEAR_IN_TEXT = re.compile(
    r"(?<![0-9])[0-9]{4}\s*[-/\u2010-\u2015]\s*(?:[0-9]{4}|[0-9]{2})(?![0-9])"
)
_MAX_CELL = 2000  # longer cells are cut (and the row reported) rather than parsed


def _clean(cell: str) -> str:
    """A cell as text: tags and entities gone, spaces collapsed.

    Line breaks inside a cell (a Word cell of several paragraphs, a quoted
    multi-line cell) are kept, one at a time: the long text columns (targets,
    progress...) keep them; the others are read as one line (:func:`_one_line`).
    """
    if len(cell) > 20 * _MAX_CELL:
        cell = cell[: 20 * _MAX_CELL]
    text = _TAG.sub(" ", cell)
    if "&" in text:
        text = html.unescape(text)
    text = _CONTROL.sub(" ", text)  # from any reader: Word and Excel cells may hold them too
    if "\n" not in text:
        return _SPACES.sub(" ", text).strip()
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _one_line(text: str) -> str:
    return text.replace("\n", " ") if "\n" in text else text


def _unquote(cell: str) -> str:
    """A TSV cell a spreadsheet wrapped in quotes, its inner quotes doubled."""
    s = cell.strip()
    if len(s) >= 2 and s[0] == '"' and s[-1] == '"':
        return s[1:-1].replace('""', '"')
    return cell


def _is_blank(text: str) -> bool:
    """Only punctuation or space: a blank line, a lone '-'."""
    return not any(ch.isalnum() for ch in text)


@functools.lru_cache(maxsize=4096)
def _column_of(cell: str) -> str | None:
    """Which field a header cell names (matched loosely), or None.

    A dated review column ("Oct 2011 review red Amber green") is named
    ``review:2011-10``: its cells hold Red/Amber/Green ratings of that month.
    """
    words = _WORDS.findall(cell.lower())
    if not words:
        return None
    name = " ".join(words)
    for prefix, column in _COLUMN_PREFIXES:
        if name.startswith(prefix):
            return column
    review = _REVIEW_HEADER.search(cell)
    if review is not None:
        month = _MONTHS.index(review.group("mon")[:3].lower()) + 1
        return f"review:{review.group('year')}-{month:02d}"
    if len(words) > 6:
        return None
    if name in _COLUMN_NAMES:
        return _COLUMN_NAMES[name]
    if words[0] == "link" and (len(words) == 1 or words[1] in ("to", "with")):
        return "link"
    if name.startswith("lead officer"):
        return "leads"
    if name.startswith("target audience"):
        return "audience"
    return None


# Long header cells named by how they begin (seed 003's programme plan, seed 002's work programme).
_COLUMN_PREFIXES = (
    ("project outcome", "priority"),
    ("outcome indicator", "priority"),
    ("project outputs", "title"),
    ("improvement activity detail", "title"),
    ("activity detail", "title"),
    ("secondee action", "detail"),
    ("targets and timescale", "targets"),
    ("progress or completion", "progress"),
    ("comments on progress", "progress"),
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_REVIEW_HEADER = re.compile(
    r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?P<year>[0-9]{4})"
    r"\s+review\b",
    re.IGNORECASE,
)
_RATINGS = {"red": Rag.RED, "r": Rag.RED, "amber": Rag.AMBER, "a": Rag.AMBER,
            "green": Rag.GREEN, "g": Rag.GREEN}  # fmt: skip
# Headings between tables that set the hierarchy: "Culture First Priority 1: ...",
# "Programme 1.1: ...".
_PRIORITY_HEADING = re.compile(r"^[\w &'-]{0,40}\bpriority\s+[0-9]+\s*:", re.IGNORECASE)
_PROGRAMME_HEADING = re.compile(r"^(?:programme|program|project)\s+[0-9]+(?:\.[0-9]+)*\s*:", re.I)


def _header_columns(cells: list[str]) -> dict[int, str] | None:
    """Column index -> field if ``cells`` is a header row, else None."""
    columns: dict[int, str] = {}
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        if not cell:
            continue
        name = _column_of(cell)
        if name is None:
            if len(cell) > 40:
                return None
            continue
        if name != _IGNORE and name in seen:
            continue
        seen.add(name)
        columns[index] = name
    if "title" not in seen or not seen.intersection(_ROW_COLUMNS):
        return None
    return columns


# -- reading: titles ---------------------------------------------------------------------

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "half": 0.5,
    "½": 0.5,
}
_DAYS = re.compile(
    r"(?<![\w.])(?P<n>[0-9]{1,3}(?:\.[0-9]{1,2})?|½|half|one|two|three|four|five|a)"
    r"\s*-?\s*(?:days?|day's)(?![a-z])",
    re.IGNORECASE,
)
_PAREN = re.compile(r"\(([^()]*)\)")

_KIND_PATTERNS = (
    (Kind.PEER_REVIEW, r"peer\s+reviews?"),
    (Kind.PEER_CHALLENGE, r"peer\s+challenges?"),
    (Kind.ACTION_LEARNING_SET, r"action\s+learning(?:\s+sets?)?"),
    (Kind.LEADERSHIP_ESSENTIALS, r"leadership\s+essentials"),
    (Kind.DEEP_DIVE, r"deep[\s-]+dives?"),
    (Kind.ALUMNI_DAY, r"alumni(?:\s+days?)?"),
    (Kind.ACADEMY, r"academy|academies"),
    (Kind.CONFERENCE, r"conferences?"),
    (Kind.SEMINAR, r"seminars?"),
    (Kind.TRAINING, r"training"),
)
_KIND_RES = tuple((k, re.compile(rf"\b(?:{p})\b", re.IGNORECASE)) for k, p in _KIND_PATTERNS)
_PLACE_KINDS = (Kind.PEER_REVIEW, Kind.PEER_CHALLENGE, Kind.DEEP_DIVE)
_THEME_RES = (
    (Theme.SPORT, re.compile(r"\bsports?\b|\bphysical activity\b", re.IGNORECASE)),
    (Theme.LIBRARIES, re.compile(r"\blibrar(?:y|ies)\b", re.IGNORECASE)),
    (Theme.CULTURE, re.compile(r"\bcultur(?:e|al)\b|\barts?\b|\bmuseums?\b", re.IGNORECASE)),
    (Theme.HERITAGE, re.compile(r"\bheritage\b", re.IGNORECASE)),
    (Theme.TOURISM, re.compile(r"\bvisitor\s+economy\b|\btouris[mt]\b", re.IGNORECASE)),
)
_CROSS_CUTTING = re.compile(r"\bCTS\b|\bofficer\s+peer\s+training\b", re.IGNORECASE)
_PLURALS = (
    ("action learning sets", "action learning set"),
    ("peer reviews", "peer review"),
    ("peer challenges", "peer challenge"),
    ("academies", "academy"),
    ("alumni days", "alumni day"),
    ("deep dives", "deep dive"),
    ("conferences", "conference"),
    ("seminars", "seminar"),
)


def _tidy(text: str) -> str:
    return _SPACES.sub(" ", text).strip(" \t-\u2013\u2014:;,")


def _days_value(match: re.Match[str]) -> float:
    n = match.group("n").lower()
    return float(_NUMBER_WORDS[n]) if n in _NUMBER_WORDS else float(n)


@functools.lru_cache(maxsize=4096)
def split_duration(title: str) -> tuple[str, float | None]:
    """("Sport Academy (2days)") -> ("Sport Academy", 2.0).

    The duration is taken from a parenthesis ("(1day)", "(2 days)", "(in
    2-tier council, 2 days TBC)"); a parenthesis holding only the duration is
    removed from the title, any other is kept as written.
    """
    for paren in _PAREN.finditer(title):
        inner = paren.group(1)
        found = _DAYS.search(inner)
        if found is None:
            continue
        days = _days_value(found)
        if _DAYS.fullmatch(inner.strip()):
            title = title[: paren.start()] + " " + title[paren.end() :]
        return _tidy(title), days
    found = _DAYS.search(title)
    return _tidy(title), (_days_value(found) if found else None)


@functools.lru_cache(maxsize=4096)
def derive_kind_theme_place(title: str) -> tuple[Kind, Theme, str]:
    """Kind, theme and place from a title: "Libraries peer review Solihull" ->
    (peer review, libraries, "Solihull").  The place is what follows the kind
    in peer reviews, peer challenges and deep dives (parentheses left out)."""
    kind, place = Kind.OTHER, ""
    for candidate, pattern in _KIND_RES:
        found = pattern.search(title)
        if found:
            kind = candidate
            if kind in _PLACE_KINDS:
                rest = _PAREN.sub(" ", title[found.end() :]).split("(")[0]
                rest = re.sub(
                    r"^\s*(?:[-\u2013\u2014:,]\s*)?(?:(?:in|at|for|of|with)\s+)?", "", rest
                )
                place = _tidy(rest)
                if not place[:1].isupper():
                    place = ""  # a place is a name ("Derby"), not "support to sector"
            break
    if _CROSS_CUTTING.search(title):
        theme = Theme.CROSS_CUTTING
    else:
        themes = {t for t, pattern in _THEME_RES if pattern.search(title)}
        theme = themes.pop() if len(themes) == 1 else Theme.CROSS_CUTTING
    return kind, theme, place


def _singular(phrase: str) -> str:
    low = phrase.lower()
    for plural, single in _PLURALS:
        if low.endswith(plural):
            return phrase[: len(phrase) - len(plural)] + single
    words = phrase.split(" ")
    last = words[-1]
    if last.lower().endswith("ies") and len(last) > 4:
        words[-1] = last[:-3] + "y"
    elif last.lower().endswith("s") and not last.lower().endswith("ss") and len(last) > 3:
        words[-1] = last[:-1]
    return " ".join(words)


_UP_TO = re.compile(
    r"up\s+to\s+(?P<n>[0-9]{1,4}|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
    r"(?:more|further|additional|extra|other)\s+(?P<what>[^,;(]+)(?P<rest>.*)",
    re.IGNORECASE,
)
_MAX_OPTIONAL = 50

_STATUS_OF_WORD = {
    "tbc": Status.TBC,
    "confirmed": Status.CONFIRMED,
    "completed": Status.COMPLETED,
    "cancelled": Status.CANCELLED,
    "postponed": Status.TBC,  # its date is to be set again
}
# The flag an undated row carries when its date cell could not be read.
DATE_NOT_UNDERSTOOD = "date not understood"
_LEAD = re.compile(r"[A-Z][A-Za-z.'\u2019-]{0,30}")
_PLACES_MARK = re.compile(r"\(\s*[0-9]+\s*\)")
_TRUE = {"true", "yes", "y", "1", "optional", "x"}
_FALSE = {"false", "no", "n", "0", ""}


# -- reading: the document ---------------------------------------------------------------


@dataclass(slots=True)
class ParsedRow:
    """One activity read from the file, with where it came from."""

    line: int
    end_line: int
    text: str
    activity: Activity
    notes: list[str] = field(default_factory=list)  # how its date was read, worth a look


@dataclass(slots=True)
class TotalsCheck:
    """Our count beside the plan's stated totals (the rules of domain/rules.py)."""

    count: PlanCount
    stated: StatedTotals | None

    @property
    def scheduled_days(self) -> float:
        return self.count.scheduled_days

    @property
    def optional_days(self) -> float:
        return self.count.optional_days

    @property
    def total_days(self) -> float:
        return self.count.total_days

    @property
    def councillor_places(self) -> int:
        return self.count.councillor_places

    @property
    def stated_days(self) -> float | None:
        return self.stated.days if self.stated else None

    @property
    def stated_councillors(self) -> int | None:
        return self.stated.councillors if self.stated else None

    def _agree(self, counted: float, stated: float | None, words: re.Pattern[str]) -> bool | None:
        if stated is None or self.stated is None:
            return None
        _, qualifier = stated_line(self.stated.lines, stated, words)
        return agrees(counted, stated, qualifier)

    @property
    def days_agree(self) -> bool | None:
        """True/False when the plan states its days, None when it does not."""
        return self._agree(self.total_days, self.stated_days, DAY_WORDS)

    @property
    def councillors_agree(self) -> bool | None:
        return self._agree(self.councillor_places, self.stated_councillors, COUNCILLOR_WORDS)

    def to_dict(self) -> dict:
        return {
            "scheduled_days": self.scheduled_days,
            "optional_days": self.optional_days,
            "total_days": self.total_days,
            "councillor_places": self.councillor_places,
            "optional_councillor_places": self.count.optional_councillor_places,
            "stated_days": self.stated_days,
            "stated_councillors": self.stated_councillors,
            "days_agree": self.days_agree,
            "councillors_agree": self.councillors_agree,
        }


@dataclass
class ParsedPlan:
    """What :func:`read_plan` found in one file."""

    source: str
    plan_year: PlanYear
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[PlanImportError] = field(default_factory=list)
    totals: StatedTotals | None = None
    title: str = ""
    fields: tuple[str, ...] = IMPORTED_FIELDS
    format: str = "tsv"
    notices: list[str] = field(default_factory=list)

    @property
    def activities(self) -> list[Activity]:
        return [row.activity for row in self.rows]

    # Why the file is the whole plan for its year ("" : an addendum, which adds
    # and updates but flags nothing as no longer listed).
    whole_reason: str = ""

    def check_totals(self) -> TotalsCheck:
        """Days of scheduled and optional activity, and places for councillors."""
        return TotalsCheck(count_plan(self.activities), self.totals)


class _Problem(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(slots=True)
class _Row:
    line: int
    end_line: int
    cells: list[str]
    raw: list[str]
    short: str = ""

    @property
    def text(self) -> str:
        return " / ".join(self.raw)


# One row of a document as a reader gives it: (line or row number, raw cells, raw text).
Record = tuple[int, list[str], str]


class _Reader:
    """The line-by-line state machine behind :func:`read_plan`."""

    def __init__(
        self,
        source: str,
        plan_year: PlanYear | None,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.source = source
        self.given_year = plan_year
        self.plan_year: PlanYear | None = plan_year
        self.progress = progress
        self.columns: dict[int, str] | None = None
        self.header_cells: list[str] = []
        self.header_open = False  # the last line was the header (or its continuation)
        self.mode = "preamble"
        self.pending: _Row | None = None
        self.rows: list[ParsedRow] = []
        self.problems: list[PlanImportError] = []
        self.preamble: list[str] = []
        self.totals_lines: list[list[str]] = []
        self.totals_line = 0
        self.optional_rows: list[tuple[int, int]] = []  # (first, last) index into rows
        self.fields: set[str] = set()
        self.notices: list[str] = []
        self.warnings: list[str] = []  # of the row being converted: it comes in, flagged
        self.row_notes: list[str] = []
        self.title_year: PlanYear | None = None
        # The priority and programme rows below a heading (or a merged cell) belong to.
        self.group: dict[str, str] = {}
        self.headed: dict[str, str] = {}  # set by headings only
        self.joins_wrapped = True
        self.carries_down = True
        self.fmt = ""

    # -- the pass --------------------------------------------------------------
    def read(self, fmt: str, records: Sequence[Record]) -> ParsedPlan:
        # Text pasted from a PDF wraps a cell onto the next lines; the cells of a
        # Word, Excel or PDF table are whole, so a line there is a row of its own.
        self.fmt = fmt
        self.joins_wrapped = fmt in ("tsv", "csv")
        # Hierarchy cells left empty below (merged down) in tables pasted from Word or
        # PDF; a CSV export (ctstui's own among them) writes every cell.
        self.carries_down = fmt in ("tsv", "cells")
        total = len(records)
        step = max(total // 100, 1)
        for index, (number, raw_cells, raw_text) in enumerate(records):
            if self.progress is not None and index % step == 0:
                self.progress(index, total)
            self._line(number, raw_cells, raw_text)
        self._flush()
        if self.progress is not None:
            self.progress(total, total)
        if self.columns is None:
            raise PlanImportError(
                "no table found: expected a header row naming the columns, such as "
                "'Activity, Date, Target audience, Link to business plan, Lead officer'",
                source=self.source,
            )
        self._fill_optional_days()
        assert self.plan_year is not None
        totals = self._totals()
        return ParsedPlan(
            source=self.source,
            plan_year=self.plan_year,
            rows=self.rows,
            problems=sorted(self.problems, key=lambda p: p.line or 0),
            totals=totals,
            title=" ".join(self.preamble),
            fields=tuple(f for f in TRACKED_FIELDS if f in self.fields),
            format=fmt,
            notices=self.notices,
            whole_reason=self._whole_reason(),
        )

    def _whole_reason(self) -> str:
        if self.title_year is not None:
            return f"its title names the plan year {self.title_year}"
        if self.totals_line:
            return f"it states the plan's TOTALS (line {self.totals_line})"
        return ""

    def _line(self, number: int, raw_cells: list[str], raw_text: str) -> None:
        if not raw_cells:
            self._paragraph(number, raw_text)
            return
        cells = [_clean(c) for c in raw_cells]
        while cells and not cells[-1]:
            cells.pop()
        shown = " | ".join(c.strip() for c in raw_cells).rstrip(" |") or raw_text.strip()
        if self.fmt == "xlsx" and raw_text.startswith("[") and "] " in raw_text:
            shown = raw_text[: raw_text.index("] ") + 2] + shown  # the sheet's name
        if all(_is_blank(c) for c in cells):
            return
        header = _header_columns(cells)
        if header is not None:
            self._header(number, cells, header)
            return
        if self.header_open and self._header_continuation(cells):
            return
        self.header_open = False
        if self.columns is None:
            self._preamble(number, cells, shown)
            return
        filled = [c for c in cells if c]
        if (len(filled) == 1 and cells[0] and _PRIORITY_HEADING.match(cells[0])) or (
            len(filled) == 1 and cells[0] and _PROGRAMME_HEADING.match(cells[0])
        ):
            self._flush()
            self._heading(_one_line(cells[0]))
            return
        title = self._cell(cells, "title")
        if self.mode != "totals" and _is_totals(title):
            self._flush()
            self.mode = "totals"
            self.totals_line = number
            rest = [c for c in cells if c and not _is_totals(c)]
            if rest:
                self.totals_lines.append(rest)
            return
        if self.mode == "totals" and not self._cell(cells, "when"):
            self._totals_line(cells)
            return
        self.mode = "table"
        self._table_line(number, cells, shown, len(raw_cells))

    def _paragraph(self, number: int, text: str) -> None:
        """A line of a Word/PDF document outside its tables: a title, a heading, TOTALS.

        It is never part of a table row (a Word table's cells are whole).
        """
        line = _one_line(_clean(text))
        if not line or _is_blank(line):
            return
        self._flush()
        self.header_open = False
        if self._heading(line):
            return
        if self.columns is None:
            self.preamble.append(line)
            return
        if _is_totals(line) or (self.mode == "totals" and not self.totals_lines):
            if self.mode != "totals":
                self.mode = "totals"
                self.totals_line = number
            if not _is_totals(line):
                self.totals_lines.append([line])
            return
        if self.mode == "totals":
            self.totals_lines.append([line])

    def _heading(self, line: str) -> bool:
        """ "Priority 1: ..." / "Programme 1.1: ..." set the hierarchy of the rows below."""
        if _PRIORITY_HEADING.match(line):
            self.group = {"priority": line, "programme": ""}
        elif _PROGRAMME_HEADING.match(line):
            self.group["programme"] = line
        else:
            return False
        self.headed = dict(self.group)
        self.fields.update(("priority", "programme"))
        return True

    def _cell(self, cells: list[str], name: str) -> str:
        assert self.columns is not None
        for index, column in self.columns.items():
            if column == name:
                return cells[index] if index < len(cells) else ""
        return ""

    def _header(self, number: int, cells: list[str], columns: dict[int, str]) -> None:
        self._flush()
        if self.columns is None:
            self._start_table(number)
        self.columns = columns
        self.header_cells = list(cells)
        self.header_open = True
        self.mode = "table"
        for name in columns.values():
            self.fields.update(_COLUMN_SUPPLIES.get(name, ()))

    def _header_continuation(self, cells: list[str]) -> bool:
        """ "Link to business" / "plan": a header cell wrapped onto the next line."""
        assert self.columns is not None
        joined = list(self.header_cells)
        found = False
        for index, cell in enumerate(cells):
            if _is_blank(cell):
                continue
            name = self.columns.get(index)
            if name is None or name == "title" or index >= len(joined):
                return False
            words = " ".join(_WORDS.findall(f"{joined[index]} {cell}".lower()))
            if _COLUMN_NAMES.get(words) != name:
                return False
            joined[index] = joined[index] + " " + cell
            found = True
        if found:
            self.header_cells = joined
        return found

    def _start_table(self, number: int) -> None:
        """The first header: the plan year must be known from here on."""
        from_title = None
        for line in self.preamble:
            for found in _PLAN_YEAR_IN_TEXT.finditer(line):
                try:
                    from_title = PlanYear.parse(found.group(0))
                except ValueError:
                    continue
                break
            if from_title is not None:
                break
        self.title_year = from_title
        if self.given_year is not None:
            if from_title is not None and from_title != self.given_year:
                self.notices.append(
                    f"the document title says {from_title}; using the plan year given, "
                    f"{self.given_year}"
                )
            return
        if from_title is None:
            raise PlanYearMissing(
                "no plan year: the document has no title naming one (such as "
                "'Project Plan 2013/14'); give it with --plan-year 2013/14",
                source=self.source,
                line=number,
            )
        self.plan_year = from_title

    def _preamble(self, number: int, cells: list[str], shown: str) -> None:
        filled = [c for c in cells if c]
        if len(filled) == 1:
            self.preamble.append(filled[0])
            return
        self.problems.append(
            PlanImportError(
                "a row before the table's header row (is the header missing?); not imported",
                source=self.source,
                line=number,
                text=shown,
            )
        )

    # -- table rows and wrapped cells --------------------------------------------------
    def _table_line(self, number: int, cells: list[str], shown: str, width_read: int) -> None:
        assert self.columns is not None
        title = self._cell(cells, "title")
        when = self._cell(cells, "when")
        pending = self.pending
        if pending is not None and self.joins_wrapped and self._continues(pending, title, when):
            for index, cell in enumerate(cells):
                if not cell:
                    continue
                while len(pending.cells) <= index:
                    pending.cells.append("")
                pending.cells[index] = _join(pending.cells[index], cell)
            pending.end_line = number
            pending.raw.append(shown)
            return
        self._flush()
        if not title:
            self.problems.append(
                PlanImportError(
                    "a continuation line with no row above it to continue; not imported",
                    source=self.source,
                    line=number,
                    text=shown,
                )
            )
            return
        width = len(self.header_cells)
        short = ""
        missing = [self.columns.get(i, _IGNORE) for i in range(width_read, width)]
        if width_read < width and not all(_may_be_trimmed(name) for name in missing):
            short = (
                f"the line has {width_read} cells where the header has {width} "
                "(cut short?); read as far as it goes"
                if width_read > 1
                else f"a line of text, not a row of the table's {width} columns; not imported"
            )
        self.pending = _Row(number, number, list(cells), [shown], short)

    def _continues(self, pending: _Row, title: str, when: str) -> bool:
        """Is this line a cell wrapped from the row above (PDF extraction)?"""
        if not title:
            return True
        if when or _UP_TO.match(title):
            return False
        pending_title = self._cell(pending.cells, "title")
        if pending_title.count("(") > pending_title.count(")"):
            return True
        if title[0].islower() or title[0] in ")]":
            return True
        return bool(re.search(r"(?:\b(?:and|of|for|in|the|to|with)|[,&/-])$", pending_title))

    def _flush(self) -> None:
        row, self.pending = self.pending, None
        if row is None:
            return
        self.warnings = []
        self.row_notes = []
        try:
            activities = self._convert(row)
        except _Problem as problem:
            self.problems.append(
                PlanImportError(
                    problem.reason,
                    source=self.source,
                    line=row.line,
                    end_line=row.end_line,
                    text=row.text,
                )
            )
            return
        for warning in self.warnings:
            self.problems.append(
                PlanImportError(
                    warning,
                    source=self.source,
                    line=row.line,
                    end_line=row.end_line,
                    text=row.text,
                    imported=True,
                )
            )
        self._carry_down(activities)
        first = len(self.rows)
        for activity in activities:
            activity.plan_year = str(self.plan_year)
            activity.source = self.source
            self.rows.append(
                ParsedRow(row.line, row.end_line, row.text, activity, list(self.row_notes))
            )
        if activities and activities[0].optional and activities[0].days is None:
            self.optional_rows.append((first, len(self.rows)))

    def _carry_down(self, activities: list[Activity]) -> None:
        """Priority and programme cells hold for the rows below until the next one.

        A table merges them down (the cell is empty below), and text pasted from a
        PDF wraps them onto the next rows: a piece that starts in lower case or
        follows an open "(" or a trailing "&", "-", "," or "and" continues the one
        above, and the rows read so far get the whole text.
        """
        if not self.carries_down:  # only a heading's hierarchy holds for the rows below
            for name, value in self.headed.items():
                for activity in activities:
                    if not getattr(activity, name):
                        setattr(activity, name, value)
            return
        for name in ("priority", "programme"):
            if name not in self.fields:
                continue
            before = self.group.get(name, "")
            for activity in activities:
                value = getattr(activity, name)
                if not value:
                    setattr(activity, name, before)
                    continue
                if before and _continues_text(before, value):
                    joined = _join(before, value)
                    for row in reversed(self.rows):
                        if getattr(row.activity, name) != before:
                            break
                        setattr(row.activity, name, joined)
                    value = joined
                    setattr(activity, name, joined)
                self.group[name] = before = value
                if (
                    name == "priority"
                    and "programme" in self.fields
                    and not any(c == "programme" for c in (self.columns or {}).values())
                ):
                    self.group["programme"] = ""

    # -- a row into activities ---------------------------------------------------------
    def _convert(self, row: _Row) -> list[Activity]:
        assert self.columns is not None and self.plan_year is not None
        if row.short and not _UP_TO.match(self._cell(row.cells, "title")):
            self.warnings.append(row.short)
        cells = {
            name: _keep_lines(name, row.cells[i] if i < len(row.cells) else "")
            for i, name in self.columns.items()
            if name != _IGNORE
        }
        extra = [c for i, c in enumerate(row.cells) if i >= len(self.header_cells) and c]
        if extra:
            self.warnings.append(
                f"cells beyond the header's {len(self.header_cells)} columns "
                + ", ".join(repr(clip(c, 30)) for c in extra)
                + ": kept in the notes"
            )
            cells["notes"] = "\n".join([*filter(None, [cells.get("notes", "")]), *extra])
        for name, value in cells.items():
            if len(value) > _MAX_CELL:
                raise _Problem(f"the {name} cell is {len(value)} characters long")
        title = cells.get("title", "")
        if not _LETTER.search(title):
            raise _Problem("no activity title (a letter-free first cell)")
        if not any(value for name, value in cells.items() if name != "title"):
            return self._free_text(title, row)
        return [self._activity(title, cells)]

    def _activity(self, title_cell: str, cells: dict[str, str]) -> Activity:
        assert self.plan_year is not None
        if title_cell.count("(") > title_cell.count(")"):
            self.warnings.append(
                "the title has a '(' that is never closed (a wrapped line missing?); "
                "kept as written"
            )
        title, days = split_duration(title_cell)
        if not title:
            title = title_cell
        kind, theme, place = derive_kind_theme_place(title)
        when_cell = cells.get("when", "")
        when, word, date_problem = self._when(when_cell)
        status = _STATUS_OF_WORD.get(word or "", Status.PLANNED)
        audience, places = self._audience(cells.get("audience", ""))
        leads = _leads(cells.get("leads", ""))
        if any(not lead[:1].isupper() for lead in leads):
            self.warnings.append(
                f"the lead officer cell {cells.get('leads', '')!r} does not hold initials "
                "such as 'JW/LC' or names; kept as written"
            )
        activity = Activity(
            title=title,
            when=when,
            kind=kind,
            theme=theme,
            place=place,
            days=days,
            status=status,
            audience=audience,
            places=places,
            leads=leads,
            link=cells.get("link", ""),
            date_problem=date_problem,
        )
        if word == "postponed":
            activity.notes = f"postponed (the date cell reads {when_cell!r})"
        self._explicit_columns(activity, cells)
        self._reviews(activity, cells)
        return activity

    def _reviews(self, activity: Activity, cells: dict[str, str]) -> None:
        """Dated review columns holding a rating become RAG reviews (an empty one, none)."""
        for name, value in cells.items():
            if not name.startswith("review:") or not value.strip():
                continue
            word = value.strip().split()[0].strip(".,;:").lower()
            rating = _RATINGS.get(word)
            if rating is None:
                self.warnings.append(
                    f"the {name[7:]} review {value!r} is not Red, Amber or Green; left out"
                )
                continue
            year, month = (int(x) for x in name[7:].split("-"))
            activity.reviews.append(
                RagReview(
                    on=date(year, month, 1),
                    rating=rating,
                    reason=cells.get("progress", ""),
                    by=self.source,
                    previous=activity.reviews[-1].rating if activity.reviews else None,
                )
            )
        if activity.reviews:
            activity.reviews.sort(key=lambda r: r.on)
            activity.rag = activity.reviews[-1].rating

    def _when(self, cell: str) -> tuple[DateSpec, str | None, str]:
        """(window, status word, date problem) of a date cell; never raises.

        A cell that cannot be read keeps its text, undated, with the
        :data:`DATE_NOT_UNDERSTOOD` flag; one that resolves outside the plan
        year keeps its window and says so.  Both are reported with the row.
        """
        assert self.plan_year is not None
        if len(cell) > 200:
            self.warnings.append(
                f"the date cell is too long to be a date; {DATE_NOT_UNDERSTOOD}: imported undated"
            )
            return DateSpec(clip(cell, 200)), None, DATE_NOT_UNDERSTOOD
        text, word = split_date_cell(cell)
        try:
            when = _parse_date(text, self.plan_year)
        except DateParseError as exc:
            self.warnings.append(
                f"{DATE_NOT_UNDERSTOOD}: {text!r} ({exc.reason or 'not a date'}); "
                "imported undated with the text kept"
            )
            return DateSpec(text), word, f"{DATE_NOT_UNDERSTOOD}: {text!r}"
        outside = outside_plan_year(when, self.plan_year)
        if outside:
            self.warnings.append(f"{outside}; imported with that date, flagged")
            return when, word, outside
        self.row_notes.extend(_reading_notes(when, self.plan_year))
        return when, word, ""

    def _audience(self, cell: str) -> tuple[str, int | None]:
        if len(_PLACES_MARK.findall(cell)) > 1:
            self.warnings.append(
                f"the audience {cell!r} gives the number of places twice; "
                "kept as written, with no number of places"
            )
            return cell, None
        try:
            return parse_audience(cell)
        except ValueError:  # a number too long to convert
            self.warnings.append(
                f"the audience {clip(cell, 40)!r} has a number of places out of range; "
                "kept as written, with no number of places"
            )
            return cell, None

    def _explicit_columns(self, activity: Activity, cells: dict[str, str]) -> None:
        """Columns a spreadsheet export may add (ctstui's own CSV among them)."""
        for name in ("status", "kind", "theme"):
            value = cells.get(name, "").strip()
            if not value:
                continue
            enum_type = {"status": Status, "kind": Kind, "theme": Theme}[name]
            low = value.lower()
            if name == "status":
                _, word = split_date_cell(value)
                if word in _STATUS_OF_WORD:
                    low = _STATUS_OF_WORD[word].value
            try:
                setattr(activity, name, enum_type(low))
            except ValueError:
                allowed = ", ".join(m.value for m in enum_type)
                self.warnings.append(
                    f"the {name} {value!r} is not one of {allowed}; "
                    f"left as {getattr(activity, name).value}"
                )
        if cells.get("place"):
            activity.place = cells["place"]
        for name in ("days", "places"):
            value = cells.get(name, "").strip()
            if not value:
                continue
            if not re.fullmatch(r"[0-9]{1,4}(?:\.[0-9]{1,3})?", value):
                self.warnings.append(f"the {name} {value!r} is not a number; left out")
            elif name == "days":
                activity.days = float(value)
            elif "." in value:
                self.warnings.append(f"the places {value!r} is not a whole number; left out")
            else:
                activity.places = int(value)
        value = cells.get("optional", "").strip().lower()
        if value in _TRUE:
            activity.optional = True
        elif value not in _FALSE:
            self.warnings.append(f"optional should be yes or no, not {value!r}; read as no")
        for name in _TEXT_COLUMNS:
            if cells.get(name):
                setattr(activity, name, cells[name])

    def _free_text(self, title: str, row: _Row) -> list[Activity]:
        """A line with only text in it: "Up to 3 more ..." or a bare activity."""
        found = _UP_TO.match(title)
        if found is not None:
            word = found.group("n").lower()
            count = _NUMBER_WORDS.get(word) or int(word)
            if not 1 <= count <= _MAX_OPTIONAL:
                raise _Problem(f"'up to {count} more' is not a number of activities ctstui adds")
            what = _tidy(found.group("what"))
            if not _LETTER.search(what):
                raise _Problem("'up to ... more' names no activity")
            name = _singular(what)
            name = name[0].upper() + name[1:]
            _, days = split_duration(found.group("rest"))
            kind, theme, place = derive_kind_theme_place(name)
            return [
                Activity(
                    title=name,
                    kind=kind,
                    theme=theme,
                    place=place,
                    days=days,
                    optional=True,
                    status=Status.PLANNED,
                    notes=title,
                )
                for _ in range(int(count))
            ]
        if title.count("(") > title.count(")"):
            raise _Problem("the title has a '(' that is never closed (a wrapped line missing?)")
        name, days = split_duration(title)
        kind, _, _ = derive_kind_theme_place(name)
        if kind is Kind.OTHER and days is None:
            raise _Problem(
                "a line of text with no date, audience or lead, naming no kind of activity; "
                "not imported"
            )
        return [self._activity(title, {"title": title})]

    def _fill_optional_days(self) -> None:
        """Optional activities take the usual days of their kind and theme in this plan."""
        usual: dict[tuple[Kind, Theme], Counter] = defaultdict(Counter)
        for row in self.rows:
            a = row.activity
            if not a.optional and a.days is not None:
                usual[(a.kind, a.theme)][a.days] += 1
        for first, last in self.optional_rows:
            sample = self.rows[first].activity
            counts = usual.get((sample.kind, sample.theme))
            if not counts:
                self.notices.append(
                    f"line {self.rows[first].line}: the days of {sample.title!r} are not known"
                )
                continue
            days = counts.most_common(1)[0][0]
            for row in self.rows[first:last]:
                row.activity.days = days

    # -- totals ------------------------------------------------------------------------
    def _totals_line(self, cells: list[str]) -> None:
        first = next((c for c in cells if c), "")
        wrapped = not cells or not cells[0] or first[:1].islower()
        if wrapped and self.totals_lines:
            previous = self.totals_lines[-1]
            for index, cell in enumerate(cells):
                if not cell:
                    continue
                while len(previous) <= index:
                    previous.append("")
                previous[index] = _join(previous[index], cell)
            return
        self.totals_lines.append(list(cells))

    def _totals(self) -> StatedTotals | None:
        if not self.totals_line:
            return None
        assert self.plan_year is not None
        lines = [c for line in self.totals_lines for c in line if c]
        days, councillors = stated_numbers(lines)
        return StatedTotals(
            source=self.source,
            plan_year=str(self.plan_year),
            days=days,
            councillors=councillors,
            lines=lines,
        )


def _leads(cell: str) -> list[str]:
    """ "JW/LC" -> ["JW", "LC"]; organisations are kept whole, one per line or '/'
    ("Culture First team / Improvement East")."""
    leads = parse_leads(_one_line(cell))
    if all(_LEAD.fullmatch(lead) for lead in leads) and all(len(x) <= 4 for x in leads):
        return leads
    parts = re.split(r"\s*(?:\n|;)\s*", cell)
    leads = [_SPACES.sub(" ", p).strip(" ,/") for p in parts if p.strip(" ,/")]
    return list(dict.fromkeys(leads))  # each once, in order


def _is_totals(cell: str) -> bool:
    return _WORDS.findall(cell.lower()) in (["totals"], ["total"], ["grand", "total"])


# A plan repeats its date cells ("November", "Feb / March"): read each once.
# DateSpec is frozen, so the same one can be shared.
_parse_date = functools.lru_cache(maxsize=4096)(DateSpec.parse)
_reading_notes = functools.lru_cache(maxsize=4096)(reading_notes)


def _may_be_trimmed(column: str) -> bool:
    """Trailing columns a PDF or Word paste leaves off when they are empty
    (progress, comments, reviews): their absence is not worth a report."""
    return column in _TEXT_COLUMNS or column == _IGNORE or column.startswith("review:")


def _keep_lines(name: str, cell: str) -> str:
    """A cell for a column: the long text columns (and leads, one a line) keep their breaks."""
    return cell if name in _TEXT_COLUMNS or name == "leads" else _one_line(cell)


_OPEN_END = re.compile(r"(?:[&,(/\u2013-]|\b(?:and|or|of|for|in|the|to|with|a))\s*$", re.IGNORECASE)


def _continues_text(before: str, piece: str) -> bool:
    """Is ``piece`` the rest of ``before``, wrapped onto the next row?"""
    if before.count("(") > before.count(")"):
        return True
    return piece[:1].islower() or bool(_OPEN_END.search(before))


def _join(before: str, after: str) -> str:
    """Two pieces of a wrapped cell: "Sport PHs who have" + "completed ..."."""
    if not before:
        return after
    if before.endswith("-") and len(before) > 1 and before[-2].isalnum():
        return before + after
    return before + " " + after


def read_records(
    fmt: str,
    records: Sequence[Record],
    source: str = "",
    plan_year: PlanYear | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ParsedPlan:
    """Read a document's rows (from any reader) into a :class:`ParsedPlan`.

    Rows that cannot be understood are returned in ``problems`` (never dropped
    silently).  Raises :class:`PlanImportError` only for the whole file: no
    header row, or no plan year (:class:`PlanYearMissing`).
    """
    return _Reader(source, plan_year, progress).read(fmt, records)
