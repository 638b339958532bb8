"""What ``add`` and ``set`` share: FIELD=VALUE arguments read as the add/edit form reads
its fields, the rule that a status never moves backwards unasked, and the
confirmation printed after a change.

A date is read as the importer reads a plan's date cell: a status word in it
("12 Nov tbc", "Oct (confirmed)") sets the status too, and text without a year
falls in the plan year (the plan's own, else the one holding today), which the
confirmation shows.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

from ctstui.cli.context import CliError, Context
from ctstui.domain.dates import PlanYear, split_date_cell
from ctstui.domain.draft import form_values, read_draft
from ctstui.domain.model import Activity, Status
from ctstui.domain.text import clip, printable, quoted
from ctstui.store.activity_store import ActivityStore

# What the user types -> the form's field.
FIELDS = {
    "title": "title",
    "date": "when",
    "when": "when",
    "status": "status",
    "kind": "kind",
    "theme": "theme",
    "place": "place",
    "days": "days",
    "lead": "leads",
    "leads": "leads",
    "audience": "audience",
    "places": "places",
    "link": "link",
    "programme": "programme",
    "funder": "funder",
    "notes": "notes",
    "optional": "optional",
}
_ALIASES = ("when", "leads")  # accepted, but not listed: date and lead are the names shown
FIELD_NAMES = ", ".join(name for name in FIELDS if name not in _ALIASES)
# The form's field -> the name messages use.
SHOWN = {"when": "date", "leads": "lead"}
_ENUM_FIELDS = ("status", "kind", "theme")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


def add_field_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--plan-year",
        metavar="YEAR",
        help="read dates without a year in this April-March plan year, e.g. 2013/14 "
        "(default: the plan's own, else the one holding today)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="allow moving a status backwards (e.g. completed back to planned)",
    )


def read_assignments(arguments: Sequence[str]) -> dict[str, str]:
    """``["date=12 Nov", "lead=JW"]`` -> ``{"when": "12 Nov", "leads": "JW"}``."""
    given: dict[str, str] = {}
    for argument in arguments:
        name, equals, value = argument.partition("=")
        shown = printable(clip(argument, 60))
        if not equals:
            raise CliError(f"'{shown}': expected FIELD=VALUE, such as date='12 Nov' or lead=JW")
        key = name.strip().lower()
        if key in ("rag", "rating"):
            raise CliError(f"'{shown}': a rating is set with `ctstui rate ID red|amber|green`")
        if key not in FIELDS:
            raise CliError(
                f"'{shown}': there is no field {quoted(name, 30)}; the fields are: {FIELD_NAMES}"
            )
        field = FIELDS[key]
        if field in given:
            raise CliError(f"{SHOWN.get(field, field)}: given twice")
        given[field] = value
    return given


def plan_year_for(store: ActivityStore, ctx: Context, option: str | None) -> PlanYear:
    """``--plan-year``, else the plan's stated year, else the year holding today."""
    if option:
        try:
            return PlanYear.parse(option)
        except ValueError as exc:
            raise CliError(f"--plan-year: {exc}")
    return PlanYear.stated_or_current(store.meta("plan_year"), ctx.today_date())


@dataclass
class Edited:
    activity: Activity
    window: str  # the date as resolved, with its year ("" when the date was not given)


def apply_fields(base: Activity | None, given: dict[str, str], plan_year: PlanYear) -> Edited:
    """``base`` (None: a new activity) with the ``given`` form fields, checked as the
    form checks them.  Fields not given are left exactly as they were.

    Raises CliError listing every field that is wrong and what was expected.
    """
    # Only what was given is read: the other fields start blank (with the model's
    # defaults, not the form's first choices) and are taken from ``base``.  So a
    # date is never re-read into another plan year by an unrelated change.
    values = form_values(Activity(title=""))
    if base is not None:
        values["title"] = base.title or "(kept)"
    errors: dict[str, str] = {}
    given = dict(given)
    if "when" in given:
        date_text, word = split_date_cell(given["when"])
        given["when"] = date_text
        if word is not None:
            said = given.get("status", "").strip().lower()
            if said and said != word:
                errors["status"] = (
                    f"the date says {word!r} but status={printable(clip(said, 20))}; give one"
                )
            given.setdefault("status", word)
    for name in _ENUM_FIELDS:
        if name in given:
            given[name] = given[name].strip().lower()
    optional = base.optional if base else False
    if "optional" in given:
        answer = given.pop("optional").strip().lower()
        if answer in _YES | _NO:
            optional = answer in _YES
        else:
            errors["optional"] = f"expected yes or no, not {quoted(answer, 20)}"
    values.update(given)
    draft = read_draft(values, None, plan_year)
    errors.update(draft.errors)
    if errors or draft.activity is None:
        lines = [
            f"{SHOWN.get(name, name)}: {printable(message)}" for name, message in errors.items()
        ]
        raise CliError("\n  ".join(["nothing was changed:", *lines]))
    read = draft.activity
    touched = set(given)
    if "audience" in given and "places" not in given and read.places is None and base:
        read.places = base.places  # an audience without "(n)" keeps the places
    if "audience" in given:
        touched.add("places")
    if base is None:
        activity = read.copy(optional=optional)
    else:
        activity = base.copy(**{name: getattr(read, name) for name in touched}, optional=optional)
    return Edited(activity, draft.window if "when" in given else "")


def status_move_problem(activity: Activity, new: Status) -> str | None:
    """Why moving ``activity`` to ``new`` goes backwards, or None when it does not.

    Completed work and cancelled work are settled; confirmed is ahead of tbc
    and planned.  Going back from any of them needs to be asked for (--force).
    """
    old = activity.status
    if new == old:
        return None
    rank = {Status.TBC: 0, Status.PLANNED: 0, Status.CONFIRMED: 1}
    settled = old in (Status.COMPLETED, Status.CANCELLED)
    if settled or (new in rank and rank[new] < rank[old]):
        return (
            f"status: “{printable(clip(activity.title, 60))}” is {old}; changing it to {new} "
            "needs --force"
        )
    return None


def check_status_move(activity: Activity, new: Status, *, force: bool) -> None:
    problem = status_move_problem(activity, new)
    if problem and not force:
        raise CliError(f"{problem}; nothing was changed")


def describe_change(before: Activity | None, after: Activity) -> list[str]:
    """Lines saying what changed, field by field (what the history records)."""
    if before is None:
        return []
    lines = []
    for name, (old, new) in before.diff(after).items():
        shown = SHOWN.get(name, name)
        lines.append(f"  {shown}: {_value(old)} -> {_value(new)}")
    return lines


def _value(value: object) -> str:
    if value in (None, "", []):
        return "(empty)"
    if isinstance(value, list):
        value = "/".join(str(v) for v in value)
    if isinstance(value, float):
        value = f"{value:g}"
    return printable(clip(str(value), 80))


def label(activity: Activity, id_length: int = 8) -> str:
    """``1a2b3c4d “Sport Academy”``: how confirmations name an activity."""
    return f"{activity.id[:id_length]} “{printable(clip(activity.title, 60))}”"
