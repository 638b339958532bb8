"""``ctstui export-ics``: the confirmed activities as an .ics feed to subscribe to.

The work is done by :mod:`ctstui.feed.ical`; this module parses options, writes the
feed (:mod:`ctstui.store.output`: an ordinary file atomically, a device, pipe or
``-`` written through, a link followed) and reports: how many events, which
confirmed activities were left out and why, and the cancellations.  The report
goes to stdout when writing a file, to stderr when the feed itself goes to stdout.
The plan is only read.
"""

from __future__ import annotations

import argparse
import sys

from ctstui.cli.context import CliError, Context
from ctstui.domain.query import Query, QueryError
from ctstui.domain.text import printable, quoted
from ctstui.feed.ical import export_feed
from ctstui.store.output import STDOUT

NAME = "export-ics"
HELP = "write confirmed activities as an .ics calendar feed (to a file or stdout)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the feed to FILE (default, or '-': standard output); a link is "
        "followed, a device or pipe written into",
    )
    add_selection_arguments(parser, "export")


def add_selection_arguments(parser: argparse.ArgumentParser, verb: str) -> None:
    """Which activities become events: the options export-ics, serve and publish share."""
    parser.add_argument(
        "--include",
        choices=("planned",),
        action="append",
        default=[],
        help=f"also {verb} planned activities (marked tentative)",
    )
    parser.add_argument(
        "--query",
        "-q",
        default="",
        metavar="QUERY",
        help=f"{verb} only activities matching QUERY (e.g. 'lead:SN' or 'theme:sport')",
    )


def parse_query_option(text: str) -> Query | None:
    try:
        query = Query.parse(text)
    except QueryError as exc:
        raise CliError(f"query {quoted(text)}: {exc}")
    return query if query else None


def run(args: argparse.Namespace, ctx: Context) -> int:
    query = parse_query_option(args.query or "")
    to_stdout = args.output in (None, STDOUT)
    ctx.refuse_plan_as_output(args.output, "the feed")
    store = ctx.open_existing_store("export")
    try:
        report = export_feed(
            store,
            None if to_stdout else args.output,
            include_planned="planned" in args.include,
            query=query,
            today=ctx.today_date(),
        )
    except OSError as exc:
        raise CliError(f"{args.output}: cannot write the feed: {exc.strerror or exc}")
    if to_stdout:
        write_bytes(ctx.out, report.result.data)
        summary = ctx.err
    else:
        summary = ctx.out
    for line in report.lines():
        print(printable(line), file=summary)
    for warning in report.warnings:
        ctx.warn(warning)
    return 0


def write_bytes(out, data: bytes) -> None:
    """Write the feed's exact bytes (CRLF kept) to a text stream's binary buffer."""
    buffer = getattr(out, "buffer", None)
    if buffer is None and out is sys.stdout:
        buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        out.flush()
        buffer.write(data)
        buffer.flush()
    else:
        out.write(data.decode("utf-8"))
