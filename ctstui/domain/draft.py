"""Turning form text into an activity, with an error per field.

Plain Python (no Textual): the add/edit form calls :func:`read_draft` on every
keystroke and can only save when it returns no errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ctstui.domain.dates import DateParseError, DateSpec, PlanYear, split_date_cell
from ctstui.domain.model import Activity, Kind, Status, Theme, parse_audience, parse_leads

FORM_FIELDS = (
    "title",
    "when",
    "status",
    "kind",
    "theme",
    "place",
    "days",
    "leads",
    "audience",
    "places",
    "link",
    "programme",
    "funder",
    "notes",
)


# A status written in the date cell ("June TBC"), read as the importer reads it.
STATUS_OF_DATE_WORD = {
    "tbc": Status.TBC,
    "confirmed": Status.CONFIRMED,
    "completed": Status.COMPLETED,
}


@dataclass
class Draft:
    activity: Activity | None
    errors: dict[str, str] = field(default_factory=dict)
    window: str = ""  # the date as resolved, for the live hint
    status_from_date: Status | None = None  # "June TBC": the status the date text gives


def read_date(text: str, plan_year: PlanYear) -> tuple[DateSpec, Status | None]:
    """A date as typed in the form, read as the importer reads a plan's date cell:
    a status word ("TBC", "confirmed", "completed") is split off and returned.

    Raises :class:`DateParseError` with a message for the person typing.
    """
    date_text, word = split_date_cell(text)
    status = STATUS_OF_DATE_WORD.get(word or "")
    if word and not date_text:
        # Only a status was typed: nothing to place on the calendar yet.
        return DateSpec(""), status
    return DateSpec.parse(date_text, plan_year), status


def form_values(activity: Activity) -> dict[str, str]:
    """An activity as the form's text fields."""
    return {
        "title": activity.title,
        "when": activity.when.text,
        "status": activity.status.value,
        "kind": activity.kind.value,
        "theme": activity.theme.value,
        "place": activity.place,
        "days": "" if activity.days is None else f"{activity.days:g}",
        "leads": "/".join(activity.leads),
        "audience": activity.audience,
        "places": "" if activity.places is None else str(activity.places),
        "link": activity.link,
        "programme": activity.programme,
        "funder": activity.funder,
        "notes": activity.notes,
    }


def read_draft(values: dict[str, str], base: Activity | None, plan_year: PlanYear) -> Draft:
    """Check the form; ``activity`` is None while any field is wrong."""
    errors: dict[str, str] = {}
    title = values.get("title", "").strip()
    if not title:
        errors["title"] = "a title is needed"
    when = DateSpec("")
    window = ""
    status_from_date = None
    try:
        when, status_from_date = read_date(values.get("when", ""), plan_year)
        window = when.describe() if when.text else "no date yet (it will wait in the list)"
        if status_from_date is not None:
            window += f"; status {status_from_date.value} (written in the date)"
    except DateParseError as exc:
        errors["when"] = str(exc)
    days = None
    days_text = values.get("days", "").strip()
    if days_text:
        try:
            days = float(days_text)
            if not 0 <= days <= 366:  # also refuses nan (every comparison is False)
                raise ValueError
        except ValueError:
            errors["days"] = f"days should be a number from 0 to 366, not {days_text!r}"
    places = None
    places_text = values.get("places", "").strip()
    audience = values.get("audience", "").strip()
    if places_text:
        # isdecimal, not isdigit: "²" is a digit int() cannot read.
        if places_text.isascii() and places_text.isdecimal() and len(places_text) <= 9:
            places = int(places_text)
        else:
            errors["places"] = (
                f"places should be a whole number below a billion, not {places_text[:20]!r}"
            )
    elif audience:
        audience, places = parse_audience(audience)
    enums = {}
    for name, cls in (("status", Status), ("kind", Kind), ("theme", Theme)):
        try:
            enums[name] = cls(values.get(name) or next(iter(cls)).value)
        except ValueError:
            errors[name] = f"choose one of: {', '.join(m.value for m in cls)}"
    if status_from_date is not None:
        enums["status"] = status_from_date  # the date's own word wins, as on import
    if errors:
        return Draft(None, errors, window, status_from_date)
    fields: dict[str, Any] = {
        "title": title,
        "when": when,
        "place": values.get("place", "").strip(),
        "days": days,
        "leads": parse_leads(values.get("leads", "")),
        "audience": audience,
        "places": places,
        "link": values.get("link", "").strip(),
        "programme": values.get("programme", "").strip(),
        "funder": values.get("funder", "").strip(),
        "notes": values.get("notes", "").strip(),
        **enums,
    }
    activity = base.copy(**fields) if base else Activity(**fields)
    return Draft(activity, {}, window, status_from_date)


_YEAR = re.compile(r"\b\d{4}\b")


def firm_date(text: str, previous: DateSpec, plan_year: PlanYear) -> DateSpec:
    """The firm day(s) typed when confirming a fuzzy date, read in ``plan_year``.

    When the old date carried its year ("10 or 11 July 2014") and the typed
    day does not ("10 July"), the year is written into the new text too, so
    the date keeps saying which year it is wherever it is shown or read again.
    """
    spec = DateSpec.parse(text, plan_year)
    if spec.start is None or not _YEAR.search(previous.text) or _YEAR.search(spec.text):
        return spec
    end = spec.end or spec.start
    if end.year != spec.start.year:
        return spec  # a range over New Year: a single year would not fit
    try:
        with_year = DateSpec.parse(f"{spec.text} {spec.start.year}", plan_year)
    except DateParseError:
        return spec
    return with_year if (with_year.start, with_year.end) == (spec.start, spec.end) else spec


def completion_question(activity: Activity, today: date) -> str | None:
    """Marking an activity completed before its date has come is asked about first
    (a slip of the x key would otherwise quietly report it as delivered)."""
    first = activity.when.start
    if first is None or first <= today:
        return None
    return (
        f"“{activity.title}” is dated {activity.when.describe()}, after today "
        f"({today:%d %b %Y}). Mark it completed anyway?"
    )
