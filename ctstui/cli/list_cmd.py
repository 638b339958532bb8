"""``ctstui list``: the activities matching a query, as a table, CSV or JSON."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import TextIO

from ctstui.cli import output
from ctstui.cli.context import CliError, Context
from ctstui.cli.ids import short_id_length
from ctstui.cli.output import TextColumn, write_json, write_table
from ctstui.domain.model import Activity
from ctstui.domain.query import Query, QueryError
from ctstui.domain.text import count_of, format_days, quoted

NAME = "list"
HELP = (
    "list activities (optionally filtered by a query such as 'lead:SN status:tbc'); "
    "the first column is a short id that set, rate and done accept"
)

TABLE_COLUMNS = (
    TextColumn("Id"),  # (its width is set to the ids' length: a cut id is no use)
    TextColumn("Date", max_width=22, min_width=12),
    TextColumn("Activity", min_width=28, weight=2),
    TextColumn("Kind", max_width=20, min_width=10),
    TextColumn("Lead", max_width=8),
    TextColumn("Audience", max_width=30, min_width=10),
    TextColumn("Status", min_width=9),
    TextColumn("RAG", min_width=7),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="*", help="filter, e.g. lead:SN status:tbc month:nov")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")


def run(args: argparse.Namespace, ctx: Context) -> int:
    text = " ".join(args.query)
    try:
        query = Query.parse(text)
    except QueryError as exc:
        raise CliError(f"query {quoted(text)}: {exc}")
    everything = ctx.open_store_to_read().activities()
    activities = query.filter(everything)
    if args.format == "json":
        write_json(ctx.out, [a.summary() for a in activities])
    elif args.format == "csv":
        write_csv(activities, ctx.out)
    else:
        # Short ids unique across the whole plan, not just the rows shown.
        length = short_id_length(a.id for a in everything)
        write_activities_table(activities, ctx.out, id_length=length)
    return 0


def write_csv(activities: list[Activity], out: TextIO) -> None:
    """The activities as CSV (the columns of ``summary()``; the importer reads it back)."""
    fields = list(Activity(title="").summary())
    rows = []
    for activity in activities:
        row = activity.summary()
        row["leads"] = "/".join(row["leads"])
        rows.append([row[name] for name in fields])
    output.write_csv(out, fields, rows)


def table_row(activity: Activity, id_length: int) -> list[str]:
    title = activity.title + (" (optional)" if activity.optional else "")
    return [
        activity.id[:id_length],
        activity.when.text or "—",
        title,
        activity.kind.value,
        "/".join(activity.leads),
        activity.audience_with_places,
        activity.status.value,
        activity.rag.value,
    ]


def write_activities_table(activities: list[Activity], out: TextIO, *, id_length: int) -> None:
    columns = (replace(TABLE_COLUMNS[0], min_width=id_length), *TABLE_COLUMNS[1:])
    total_days = sum(a.total_days for a in activities)
    places = sum(a.places or 0 for a in activities)
    write_table(
        out,
        columns,
        (table_row(a, id_length) for a in activities),
        footer=f"{count_of(len(activities), 'activity', 'activities')}, "
        f"{format_days(total_days) or 0} {'day' if total_days == 1 else 'days'}, "
        f"{count_of(places, 'place', 'places')}",
    )
