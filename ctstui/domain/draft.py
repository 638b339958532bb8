"""Turning form text into an activity, with an error per field.

Plain Python (no Textual): the add/edit form calls :func:`read_draft` on every
keystroke and can only save when it returns no errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ctstui.domain.dates import DateParseError, DateSpec, PlanYear
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


@dataclass
class Draft:
    activity: Activity | None
    errors: dict[str, str] = field(default_factory=dict)
    window: str = ""  # the date as resolved, for the live hint


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
    try:
        when = DateSpec.parse(values.get("when", ""), plan_year)
        window = when.describe() if when.text else "no date yet (it will wait in the list)"
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
    if errors:
        return Draft(None, errors, window)
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
    return Draft(activity, {}, window)
