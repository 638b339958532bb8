"""The filter language shared by the TUI and the CLI.

Plain Python (no Textual).  A query is a list of terms that must all match:

    lead:SN status:tbc          field terms
    month:nov  month:2013-11    window overlaps a month (any year / that month)
    before:2013-09-01           window starts before the date
    after:2013-09               window ends after the date
    kind:"peer review"          quoted values
    status:tbc,planned          commas: any of the values
    -status:completed           a leading '-' negates a term
    solihull  "new PHs"         free words match title, place, audience, notes

A query that cannot be understood raises :class:`QueryError` with the
position and what was expected.
"""

from __future__ import annotations

import calendar
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ctstui.domain.model import Activity, Kind, Rag, Status, Theme


class QueryError(ValueError):
    """A query that cannot be understood; ``position`` is the offending column."""

    def __init__(self, message: str, position: int = 0) -> None:
        super().__init__(message)
        self.position = position


Predicate = Callable[[Activity], bool]

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9

THEME_ALIASES = {
    "visitor": Theme.TOURISM,
    "visitor economy": Theme.TOURISM,
    "library": Theme.LIBRARIES,
}

_TOKEN = re.compile(
    r"""\s*(?P<neg>-)?(?:(?P<field>[A-Za-z_]+):)?(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s"]+))?""",
)


@dataclass(frozen=True)
class Term:
    field: str | None  # None: a free word
    value: str
    negated: bool
    predicate: Predicate

    @property
    def key(self) -> tuple[str | None, str, bool]:
        """What decides the term's meaning (the predicate is built from these)."""
        return (self.field, self.value, self.negated)

    def implies(self, other: Term) -> bool:
        """Whether every activity this term keeps is kept by ``other`` too.

        Sure answers only (False when unsure): the same term, or a substring
        term whose text contains the other's ("spor" implies "spo", as typing
        a word goes), or, negated, is contained in it ("-sp" implies "-spo").
        """
        if self.key == other.key:
            return True
        if self.field != other.field or self.negated != other.negated:
            return False
        if self.field is not None and self.field not in _SUBSTRING_FIELDS:
            return False
        if "," in self.value or "," in other.value:
            return False  # alternatives (title:a,b): not a plain substring test
        mine, theirs = self.value.casefold(), other.value.casefold()
        return (mine in theirs) if self.negated else (theirs in mine)

    def __str__(self) -> str:
        """The term as query text that parses back to the same term."""
        value = self.value
        needs_quotes = not value or any(c.isspace() for c in value)
        if self.field is None:
            # A bare "status:tbc" would read as a field term, "-x" as a negation.
            needs_quotes = needs_quotes or ":" in value or value.startswith("-")
        if needs_quotes:
            value = f'"{value}"'
        text = f"{self.field}:{value}" if self.field else value
        return f"-{text}" if self.negated else text


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[Term, ...]

    @classmethod
    def parse(cls, text: str) -> Query:
        return cls(text, tuple(_parse_terms(text)))

    def matches(self, activity: Activity) -> bool:
        return all(term.predicate(activity) != term.negated for term in self.terms)

    def filter(self, activities: Iterable[Activity]) -> list[Activity]:
        # Called on every keystroke over the whole plan: keep the loop lean.
        terms = [(t.predicate, t.negated) for t in self.terms]
        if not terms:
            return list(activities)
        if len(terms) == 1:
            predicate, negated = terms[0]
            return [a for a in activities if predicate(a) is not negated]
        out = []
        for a in activities:
            for predicate, negated in terms:
                if predicate(a) is negated:
                    break
            else:
                out.append(a)
        return out

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def key(self) -> frozenset[tuple[str | None, str, bool]]:
        """Queries with the same key keep the same activities ("a b" and "b  a")."""
        return frozenset(term.key for term in self.terms)

    def narrows(self, other: Query) -> bool:
        """Whether this query keeps only activities ``other`` keeps (sure answers only)."""
        return all(any(mine.implies(theirs) for mine in self.terms) for theirs in other.terms)

    def run(self, activities: Sequence[Activity]) -> Filtered:
        """The activities this query keeps, in the given order, with their totals."""
        return self._collect(activities, activities)

    def _collect(self, source: Sequence[Activity], pool: Iterable[Activity]) -> Filtered:
        # One pass: the totals are summed as the rows are kept (every keystroke
        # on a 100k plan; a second pass for the totals cost as much again).
        terms = [(t.predicate, t.negated) for t in self.terms]
        kept: list[Activity] = []
        keep = kept.append
        days = 0.0
        places = 0
        for a in pool:
            for predicate, negated in terms:
                if predicate(a) is negated:
                    break
            else:
                keep(a)
                days += a.days or 0.0
                places += a.places or 0
        return Filtered(self, source, kept, days, places)


@dataclass(frozen=True)
class Filtered:
    """What a query kept of ``source`` (in its order) and their totals."""

    query: Query
    source: Sequence[Activity]
    activities: list[Activity]
    days: float  # the kept activities' days
    places: int  # the kept activities' places

    def __len__(self) -> int:
        return len(self.activities)


class NarrowingFilter:
    """Runs queries over a plan, narrowing an earlier result where that is sure.

    Typing a filter mostly narrows it ("s", "sp", "spo"…): each query then
    tests only the rows the previous one kept, not the whole plan.  Deleting
    goes back to a query typed before, whose result is still here.  Results
    are reused only while the plan is the same: the same activity objects in
    the same order (the store replaces an activity's object on every change).
    """

    def __init__(self, keep: int = 8) -> None:
        self.keep = keep
        self._source: list[Activity] = []
        self._results: dict[frozenset[tuple[str | None, str, bool]], Filtered] = {}

    def run(self, query: Query, activities: Sequence[Activity]) -> Filtered:
        if not self._same_plan(activities):
            self._source = list(activities)
            self._results.clear()
        source = self._source
        key = query.key
        found = self._results.pop(key, None)
        if found is None:
            narrowest = min(
                (r for r in self._results.values() if query.narrows(r.query)),
                key=len,
                default=None,
            )
            pool = source if narrowest is None else narrowest.activities
            found = query._collect(source, pool)
        elif found.query is not query:
            found = Filtered(query, source, found.activities, found.days, found.places)
        self._results[key] = found  # the most recent last
        while len(self._results) > self.keep:
            del self._results[next(iter(self._results))]
        return found

    def _same_plan(self, activities: Sequence[Activity]) -> bool:
        source = self._source
        return len(source) == len(activities) and all(map(operator.is_, source, activities))


def parse_query(text: str) -> Query:
    return Query.parse(text)


def _parse_terms(text: str) -> Iterable[Term]:
    pos = 0
    length = len(text)
    while pos < length:
        if text[pos].isspace():
            pos += 1
            continue
        match = _TOKEN.match(text, pos)
        after = match.end() if match else pos
        if after < length and text[after] == '"':
            # The quoted alternative did not match: the quote is never closed,
            # or it sits in the middle of a word (title:new"PHs").
            if '"' in text[after + 1 :]:
                raise QueryError(
                    f"a quote at column {after + 1} must open a whole value, as in "
                    'title:"new PHs": put a space before it',
                    after,
                )
            raise QueryError(f"unclosed quote at column {after + 1}", after)
        if not match or after == pos:
            raise QueryError(f"cannot read the query at column {pos + 1}: {text[pos:]!r}", pos)
        if after < length and not text[after].isspace():
            # Only a closing quote can stop a term short of a space.
            raise QueryError(
                f"expected a space after the closing quote at column {after}", after - 1
            )
        quoted = match.group("quoted")
        value = quoted if quoted is not None else (match.group("bare") or "")
        field = match.group("field")
        negated = bool(match.group("neg"))
        if field is None and not value:
            if quoted is not None:
                raise QueryError(f'empty quotes "" at column {pos + 1}: put a word inside', pos)
            raise QueryError(f"a lone '-' at column {pos + 1}: put the term right after it", pos)
        yield _term(field.lower() if field else None, value, negated, pos)
        pos = after


def _term(field: str | None, value: str, negated: bool, pos: int) -> Term:
    if field is None:
        needle = value.casefold()
        return Term(None, value, negated, lambda a: needle in _haystack(a))
    if field not in FIELDS:
        known = ", ".join(sorted(FIELDS))
        raise QueryError(f"unknown field {field!r} at column {pos + 1} (known: {known})", pos)
    if not value:
        raise QueryError(f"{field}: needs a value (column {pos + 1})", pos)
    alternatives = (
        [v for v in value.split(",") if v.strip()] if field not in ("before", "after") else [value]
    )
    if not alternatives:
        raise QueryError(f"{field}: needs a value (column {pos + 1})", pos)
    try:
        predicates = [FIELDS[field](v) for v in alternatives]
    except QueryError as exc:
        raise QueryError(f"{exc} (column {pos + 1})", pos)
    if len(predicates) == 1:
        return Term(field, value, negated, predicates[0])
    alternatives_of = tuple(predicates)

    def any_of(activity: Activity) -> bool:
        return any(p(activity) for p in alternatives_of)

    return Term(field, value, negated, any_of)


# Lower-cased search text per activity id, reused while the activity object is
# the same (the store replaces the object on every change).
_HAYSTACKS: dict[str, tuple[Activity, str]] = {}


def _haystack(activity: Activity) -> str:
    cached = _HAYSTACKS.get(activity.id)
    if cached is not None and cached[0] is activity:
        return cached[1]
    text = "\n".join(
        (activity.title, activity.place, activity.audience, activity.notes, activity.programme)
    ).casefold()
    _HAYSTACKS[activity.id] = (activity, text)
    return text


def _enum_value(enum_cls, value: str, field: str, aliases: dict | None = None):
    wanted = value.casefold().replace("_", " ")
    if aliases and wanted in aliases:
        return aliases[wanted]
    for member in enum_cls:
        if member.value == wanted:
            return member
    starts = [m for m in enum_cls if m.value.startswith(wanted)]
    if len(starts) == 1:
        return starts[0]
    if len(starts) > 1:
        could = " or ".join(m.value for m in starts)
        raise QueryError(f"{field}:{value} is ambiguous: {could}?")
    allowed = ", ".join(m.value for m in enum_cls)
    raise QueryError(f"{field}:{value} is not one of {allowed}")


def _status(value: str) -> Predicate:
    status = _enum_value(Status, value, "status")
    return lambda a: a.status is status


def _rag(value: str) -> Predicate:
    rag = _enum_value(Rag, value, "rag")
    return lambda a: a.rag is rag


def _theme(value: str) -> Predicate:
    theme = _enum_value(Theme, value, "theme", THEME_ALIASES)
    return lambda a: a.theme is theme


def _kind(value: str) -> Predicate:
    kind = _enum_value(Kind, value, "kind")
    return lambda a: a.kind is kind


def _lead(value: str) -> Predicate:
    wanted = value.casefold()

    def has_lead(a: Activity) -> bool:
        for lead in a.leads:  # noqa: SIM110 - a plain loop is faster on every keystroke
            if lead == value or lead.casefold() == wanted:
                return True
        return False

    return has_lead


def _contains(attribute: str) -> Callable[[str], Predicate]:
    def build(value: str) -> Predicate:
        needle = value.casefold()
        return lambda a: needle in getattr(a, attribute).casefold()

    return build


def _yes_no(field: str, test: Callable[[Activity], bool]) -> Callable[[str], Predicate]:
    def build(value: str) -> Predicate:
        wanted = value.casefold()
        if wanted not in ("yes", "no", "true", "false"):
            raise QueryError(f"{field}:{value} should be yes or no")
        flag = wanted in ("yes", "true")
        return lambda a: test(a) is flag

    return build


def _plan_year(value: str) -> Predicate:
    wanted = value.strip().replace("-", "/")
    if not re.fullmatch(r"\d{4}/\d{2}", wanted):
        raise QueryError(f"year:{value} should be a plan year such as 2013/14")
    return lambda a: a.plan_year == wanted


def parse_month(value: str) -> tuple[int | None, int]:
    """ "2013-11" -> (2013, 11); "nov"/"november" -> (None, 11)."""
    text = value.strip().casefold()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and year >= 1:
            return year, month
    elif text in MONTHS:
        return None, MONTHS[text]
    raise QueryError(f"month:{value} should be a month such as 2013-11, nov or november")


def _month(value: str) -> Predicate:
    year, month = parse_month(value)
    if year is not None:
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        return lambda a: _overlaps(a, first, last)

    def any_year(a: Activity) -> bool:
        start, end = a.when.start, a.when.end
        if start is None and end is None:
            return False
        if start is None or end is None:
            # Open on one side ("by March", "from Sept"): as month:YYYY-MM does
            # (see _overlaps), the window meets that month in some year.
            return True
        span = (end.year - start.year) * 12 + end.month - start.month
        return span >= 11 or any((start.month - 1 + i) % 12 + 1 == month for i in range(span + 1))

    return any_year


def _overlaps(activity: Activity, first: date, last: date) -> bool:
    start, end = activity.when.start, activity.when.end
    if start is None and end is None:
        return False
    return (start or date.min) <= last and (end or date.max) >= first


def parse_query_date(value: str) -> date:
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if match and 1 <= int(match.group(2)) <= 12 and int(match.group(1)) >= 1:
        return date(int(match.group(1)), int(match.group(2)), 1)
    raise QueryError(f"{value!r} should be a date such as 2013-09-01 or 2013-09")


def _before(value: str) -> Predicate:
    limit = parse_query_date(value)
    return lambda a: (a.when.start or a.when.end or date.max) < limit


def _after(value: str) -> Predicate:
    limit = parse_query_date(value)
    return lambda a: (a.when.end or a.when.start or date.min) > limit


# Fields whose term is a substring test (see _contains): a longer text narrows it.
_SUBSTRING_FIELDS = ("place", "title", "audience", "programme", "funder")

FIELDS: dict[str, Callable[[str], Predicate]] = {
    "status": _status,
    "rag": _rag,
    "theme": _theme,
    "kind": _kind,
    "lead": _lead,
    **{name: _contains(name) for name in _SUBSTRING_FIELDS},
    "month": _month,
    "before": _before,
    "after": _after,
    "optional": _yes_no("optional", lambda a: a.optional),
    # Imported rows whose date could not be read (or fell outside their plan year).
    "flagged": _yes_no("flagged", lambda a: bool(a.date_problem)),
    "year": _plan_year,
}
