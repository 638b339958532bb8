"""``ctstui report``: the board-report summaries in the terminal, Markdown, JSON or CSV.

``ctstui report [--format text|markdown|json|csv|docx] [-o FILE] [--plan-year 2013/14 |
--from D --to D] [--query Q] [--since D]``

``--format docx -o board-paper.docx`` writes the board paper as a Word document
with the chart as an image.  ``-o`` replaces an ordinary file atomically and
writes through a device, pipe or symbolic link; ``-o -`` is standard output.

The window defaults to the plan year (April-March) holding today (``--today``
sets it) if it has activities, else the latest plan year that has some; the
report says which and why.  The figures and how each is counted are described in
:mod:`ctstui.report.summary`.
"""

from __future__ import annotations

import argparse

from ctstui.cli.context import CliError, Context, parse_date_option
from ctstui.domain.query import Query, QueryError
from ctstui.domain.text import quoted
from ctstui.report.summary import (
    FORMATS,
    build_report,
    choose_window,
    default_window,
    plan_year_from_meta,
    render,
    since_problem,
    stated_totals_from_meta,
)
from ctstui.store.output import STDOUT, write_output

DOCX = "docx"
NAME = "report"
HELP = (
    "board-report summaries: activities, days and places by status, audience, theme, kind, "
    "lead and month; funder targets against delivery; the plan's stated totals checked"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=(*FORMATS, DOCX),
        default="text",
        help="text tables (default), markdown, json, csv of the rows, or docx: the board paper "
        "as a Word document (needs -o)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE instead of the terminal ('-': standard output)",
    )
    parser.add_argument(
        "--plan-year",
        metavar="YEAR",
        help="the April-March plan year, e.g. 2013/14 (default: the one holding today if it "
        "has activities, else the latest that has some)",
    )
    parser.add_argument("--from", dest="start", metavar="DATE", help="window start (YYYY-MM-DD)")
    parser.add_argument("--to", dest="end", metavar="DATE", help="window end (YYYY-MM-DD)")
    parser.add_argument(
        "--query", default="", metavar="Q", help="only activities matching, e.g. 'theme:sport'"
    )
    parser.add_argument(
        "--since",
        metavar="DATE",
        help="also list what took place, changed, was added or dropped since DATE "
        "(e.g. the last board meeting)",
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.format == DOCX and not args.output:
        raise CliError(
            "--format docx writes a Word file: give -o FILE (or -o - for standard output)"
        )
    today = ctx.today_date()
    start, end = parse_date_option("--from", args.start), parse_date_option("--to", args.end)
    window = None
    try:
        if args.plan_year is not None or start is not None or end is not None:
            window = choose_window(today, plan_year=args.plan_year, start=start, end=end)
    except ValueError as exc:
        raise CliError(str(exc))
    try:
        query = Query.parse(args.query)
    except QueryError as exc:
        raise CliError(f"--query {quoted(args.query)}: {exc}")
    since = parse_date_option("--since", args.since)
    problem = since_problem(since, today) if since is not None else None
    if problem:
        raise CliError(f"--since {args.since}: {problem}")
    store = ctx.open_store_to_read()
    stated = stated_totals_from_meta(store.meta("stated_totals"))
    undated_year = plan_year_from_meta(store.meta("plan_year"), stated)
    activities = store.activities()
    if window is None:
        window = default_window(activities, today, undated_year)
    report = build_report(
        activities,
        window=window,
        today=today,
        query=query,
        contracts=store.contracts(),
        stated=stated,
        since=since,
        undated_year=undated_year,
    )
    ctx.refuse_plan_as_output(args.output, "a report")
    if args.format == DOCX:
        from ctstui.report.docx_writer import to_docx  # python-docx and matplotlib load here only

        data = to_docx(report)
    elif args.output:
        data = render(report, args.format).encode("utf-8")
    else:
        ctx.out.write(render(report, args.format))
        return 0
    try:
        where = write_output(args.output, data, stdout=getattr(ctx.out, "buffer", None))
    except OSError as exc:
        raise CliError(f"-o {args.output}: cannot write: {exc.strerror or exc}")
    if args.output != STDOUT:
        ctx.warn(f"wrote the {args.format} report, {report.window.label}, to {where}")
    return 0
