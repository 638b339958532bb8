"""``ctstui list``: the activities matching a query, as a table, CSV or JSON."""

from __future__ import annotations

import argparse
import csv
import json

from ctstui.cli.context import CliError, Context
from ctstui.domain.model import Activity
from ctstui.domain.query import Query, QueryError
from ctstui.domain.text import fit, format_days, printable

NAME = "list"
HELP = "list activities (optionally filtered by a query such as 'lead:SN status:tbc')"

TABLE_COLUMNS = (
    ("Date", 22),
    ("Activity", 44),
    ("Kind", 20),
    ("Lead", 6),
    ("Audience", 30),
    ("Status", 9),
    ("RAG", 7),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="*", help="filter, e.g. lead:SN status:tbc month:nov")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")


def run(args: argparse.Namespace, ctx: Context) -> int:
    text = " ".join(args.query)
    try:
        query = Query.parse(text)
    except QueryError as exc:
        raise CliError(f"query {text!r}: {exc}")
    activities = query.filter(ctx.open_store().activities())
    if args.format == "json":
        json.dump([a.summary() for a in activities], ctx.out, ensure_ascii=False, indent=2)
        ctx.out.write("\n")
    elif args.format == "csv":
        write_csv(activities, ctx.out)
    else:
        write_table(activities, ctx.out)
    return 0


def write_csv(activities: list[Activity], out) -> None:
    rows = [a.summary() for a in activities]
    fields = list(rows[0]) if rows else list(Activity(title="").summary())
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        row["leads"] = "/".join(row["leads"])
        writer.writerow(row)


def table_row(activity: Activity) -> list[str]:
    title = activity.title + (" (optional)" if activity.optional else "")
    return [
        activity.when.text or "—",
        title,
        activity.kind.value,
        "/".join(activity.leads),
        activity.audience_with_places,
        activity.status.value,
        activity.rag.value,
    ]


def write_table(activities: list[Activity], out) -> None:
    header = "  ".join(name.ljust(width) for name, width in TABLE_COLUMNS)
    print(header.rstrip(), file=out)
    print("  ".join("-" * width for _, width in TABLE_COLUMNS), file=out)
    for activity in activities:
        cells = [
            fit(printable(cell), width)
            for cell, (_, width) in zip(table_row(activity), TABLE_COLUMNS, strict=True)
        ]
        print("  ".join(cells).rstrip(), file=out)
    total_days = sum(a.total_days for a in activities)
    places = sum(a.places or 0 for a in activities)
    print(
        f"{len(activities)} activities, {format_days(total_days) or 0} days, {places} places",
        file=out,
    )
