"""What an import did, as JSON-ready data and as text for a terminal."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ctstui.domain.markers import missing_line
from ctstui.domain.model import (
    Activity,
)
from ctstui.domain.rules import COUNCILLOR_WORDS
from ctstui.domain.text import fit, format_days, printable
from ctstui.importing.merge import MergePlan
from ctstui.importing.rows import ParsedPlan

# -- reporting -------------------------------------------------------------------------


def window_text(activity: Activity) -> str:
    """The resolved window with its year ("Tue 14 May 2013", "Feb–Mar 2014"), or why none."""
    if activity.date_problem and activity.when.start is None and activity.when.end is None:
        return "undated: date not understood"
    return activity.when.describe()


def _brief(activity: Activity, notes: Sequence[str] = ()) -> dict:
    when = activity.when
    return {
        "id": activity.id,
        "title": activity.title,
        "when": when.text,
        "window": window_text(activity),
        "start": when.start.isoformat() if when.start else None,
        "end": when.end.isoformat() if when.end else None,
        "plan_year": activity.plan_year,
        "date_problem": activity.date_problem,
        "notes": list(notes),
        "kind": activity.kind.value,
        "days": activity.days,
        "status": activity.status.value,
        "optional": activity.optional,
    }


def import_report(parsed: ParsedPlan, merge: MergePlan) -> dict:
    """One file's import as JSON-ready data (``--format json`` prints a list of these)."""
    check = parsed.check_totals()
    optional = sum(1 for a in parsed.activities if a.optional)
    row_notes = {id(row.activity): row.notes for row in parsed.rows}
    flagged = [p for p in parsed.problems if p.imported]
    return {
        "source": parsed.source,
        "plan_year": str(parsed.plan_year),
        "plan_year_window": [parsed.plan_year.start.isoformat(), parsed.plan_year.end.isoformat()],
        "format": parsed.format,
        "whole": merge.whole,
        "rows": {
            "activities": len(parsed.rows),
            "optional": optional,
            "reported": len(parsed.problems),
            "imported_flagged": len(flagged),
            "not_imported": len(parsed.problems) - len(flagged),
            "date_not_understood": sum(
                1 for a in parsed.activities if a.date_problem and a.when.start is None
            ),
        },
        "problems": [p.to_dict() for p in parsed.problems],
        "notices": [*parsed.notices, *merge.notices],
        "counts": merge.counts(),
        "added": [_brief(a, row_notes.get(id(a), ())) for a in merge.added],
        "changed": [
            {
                **_brief(c.new, row_notes.get(id(c.incoming), ())),
                "changes": {k: list(v) for k, v in c.diff.items()},
                "not_taken": {k: dict(v) for k, v in c.kept.items() if not v["taken"]},
                "conflicts": {k: dict(v) for k, v in c.kept.items()},
                "renamed_from": c.old.title if c.renamed else None,
            }
            for c in merge.changed
        ],
        "missing": [{**_brief(m.old), "note": _marker_of(m.flagged)} for m in merge.missing],
        "unchanged": [_brief(a) for a in merge.unchanged],
        "totals": {
            "plan_year": str(parsed.plan_year),
            "stated": parsed.totals.to_dict() if parsed.totals else None,
            "counted": check.to_dict(),
        },
    }


def _marker_of(activity: Activity) -> str:
    lines = [line for line in activity.notes.split("\n") if missing_line(line) is not None]
    return lines[-1].strip() if lines else ""


def _value(name: str, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "/".join(str(v) for v in value)
    if name == "days" and isinstance(value, int | float):
        return format_days(float(value))
    return str(value)


def _cells(values: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(fit(printable(v), w) for v, w in zip(values, widths, strict=True)).rstrip()


def _label(item: dict) -> str:
    when = item["when"] or "undated"
    return f"{item['title']}{' (optional)' if item['optional'] else ''} · {when}"


def format_report(reports: Sequence[dict], *, dry_run: bool = False) -> str:
    """The import reports as text for a terminal."""
    out: list[str] = []
    for report in reports:
        rows, counts = report["rows"], report["counts"]
        start, end = report["plan_year_window"]
        out.append(
            f"{report['source']}: plan year {report['plan_year']} ({start} to {end}); "
            f"{rows['activities']} activities read ({rows['optional']} optional), "
            f"{rows['reported']} rows reported"
        )
        out.append(
            "  "
            + "   ".join(
                f"{name} {counts[name]}" for name in ("added", "changed", "missing", "unchanged")
            )
            + (f"   renamed {counts['renamed']}" if counts["renamed"] else "")
            + (f"   conflicts {counts['conflicts']}" if counts["conflicts"] else "")
        )
        if rows["date_not_understood"]:
            out.append(
                f"  {rows['date_not_understood']} row(s) came in undated, flagged "
                "'date not understood' (their text is kept)"
            )
        for notice in report["notices"]:
            out.append(f"  note: {notice}")
        if report["added"]:
            out.append("")
            out.append(f"Added ({counts['added']})")
            widths: tuple[int, ...] = (22, 24, 44, 4, 9)
            out.append(
                "  " + _cells(("Date as written", "Read as", "Activity", "Days", "Status"), widths)
            )
            for item in report["added"]:
                title = item["title"] + (" (optional)" if item["optional"] else "")
                out.append(
                    "  "
                    + _cells(
                        (
                            item["when"] or "—",
                            item["window"],
                            title,
                            _value("days", item["days"]),
                            item["status"],
                        ),
                        widths,
                    )
                )
                out.extend(_item_notes(item))
        if report["changed"]:
            out.append("")
            out.append(
                f"Changed ({counts['changed']})"
                + (f", and {counts['conflicts']} conflict(s)" if counts["conflicts"] else "")
            )
            widths = (52, 9, 60)
            out.append("  " + _cells(("Activity", "Field", "Old -> New"), widths))
            for item in report["changed"]:
                label = _label(item)
                if item["renamed_from"]:
                    out.append(
                        f"  {printable(label)}: renamed from {printable(item['renamed_from'])!r}"
                    )
                for name, (old, new) in item["changes"].items():
                    change = f"{_value(name, old)} -> {_value(name, new)}"
                    if name == "when":
                        change += f"  (read as {item['window']})"
                    out.append("  " + _cells((label, name, change), widths))
                    label = ""
                for name, what in item["conflicts"].items():
                    verdict = (
                        "the file's value taken (--theirs)"
                        if what["taken"]
                        else ("the plan's value kept")
                    )
                    # in full, on its own line: a conflict is never cut short
                    out.append(
                        f"  {printable(_label(item))}: {name}: CONFLICT: plan "
                        f"{printable(str(_value(name, what['plan'])))}, file "
                        f"{printable(str(_value(name, what['file'])))}: {what['why']}; {verdict}"
                    )
                out.extend(_item_notes(item))
        if report["missing"]:
            out.append("")
            out.append(
                f"Missing ({counts['missing']}): no longer in {report['source']}; "
                "kept, and flagged in their notes"
            )
            widths = (22, 48, 9)
            out.append("  " + _cells(("Date", "Activity", "Status"), widths))
            for item in report["missing"]:
                title = item["title"] + (" (optional)" if item["optional"] else "")
                out.append("  " + _cells((item["when"] or "—", title, item["status"]), widths))
        out.append("")
        out.append(f"Unchanged ({counts['unchanged']})")
        out.append("")
        out.extend(_totals_text(report["totals"]))
        out.append("")
    if dry_run:
        out.append("dry run: nothing was written")
    return "\n".join(out).rstrip("\n") + "\n"


def _item_notes(item: dict) -> list[str]:
    lines = []
    if item["date_problem"]:
        lines.append(f"      flagged: {printable(item['date_problem'])}")
    for note in item["notes"]:
        lines.append(f"      note: {printable(note)}")
    return lines


def _totals_text(totals: dict) -> list[str]:
    stated, counted = totals["stated"], totals["counted"]
    ours_days = (
        f"{format_days(counted['scheduled_days']) or 0} scheduled + "
        f"{format_days(counted['optional_days']) or 0} optional = "
        f"{format_days(counted['total_days']) or 0}"
    )
    agree = counted["days_agree"]
    if agree is True:
        ours_days += "  (agrees)"
    elif agree is False:
        ours_days += f"  (DIFFERS from the stated {format_days(counted['stated_days'])})"
    stated_lines = stated["lines"] if stated else []
    day_line = next((s for s in stated_lines if re.search(r"\bdays?\b", s, re.I)), "")
    people_line = next((s for s in stated_lines if COUNCILLOR_WORDS.search(s)), "")
    widths = (12, 46, 50)
    lines = [f"Totals for {totals['plan_year']}", "  " + _cells(("", "stated", "ours"), widths)]
    lines.append("  " + _cells(("days", day_line or "—", ours_days), widths))
    lines.append(
        "  "
        + _cells(
            (
                "councillors",
                people_line or "—",
                f"{counted['councillor_places']} places for councillors"
                + {True: "  (agrees)", False: "  (does not agree)", None: ""}[
                    counted["councillors_agree"]
                ],
            ),
            widths,
        )
    )
    others = [s for s in stated_lines if s not in (day_line, people_line)]
    for line in others:
        lines.append("  " + _cells(("", line, ""), widths))
    return lines
