"""``ctstui serve``: serve the .ics feed (and a subscribe page) over HTTP.

See :mod:`ctstui.feed.server`.  Binds 127.0.0.1 unless ``--host`` says otherwise;
read-only; stops on Ctrl+C.
"""

from __future__ import annotations

import argparse

from ctstui.cli.context import CliError, Context
from ctstui.cli.export_ics import add_selection_arguments, parse_query_option
from ctstui.feed.server import DEFAULT_HOST, DEFAULT_PORT, is_loopback, make_server

NAME = "serve"
HELP = "serve the .ics feed over HTTP for calendars to subscribe to (read-only)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this computer only); "
        "give 0.0.0.0 or a LAN address to let others connect",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default %(default)s)")
    add_selection_arguments(parser, "serve")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")


def run(args: argparse.Namespace, ctx: Context) -> int:
    query = parse_query_option(args.query or "")
    if not 0 <= args.port <= 65535:
        raise CliError(f"--port {args.port}: expected a port number from 0 to 65535")
    path = ctx.db_path
    ctx.open_existing_store(
        "serve"
    )  # refuse a damaged or foreign file now, not on the first request
    fixed_today = ctx.today

    def log(line: str) -> None:
        print(line, file=ctx.err, flush=True)

    try:
        server = make_server(
            path,
            args.host,
            args.port,
            include_planned="planned" in args.include,
            query=query,
            today=(lambda: fixed_today) if fixed_today else None,
            log=None if args.quiet else log,
        )
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    with server:
        print(f"serving {server.source.name}", file=ctx.out)
        print(f"  subscribe page: {server.base_url}/", file=ctx.out)
        print(f"  feed:           {server.feed_url}", file=ctx.out)
        if not is_loopback(args.host):
            ctx.warn(
                f"listening on {args.host}: anyone who can reach this computer can read the feed"
            )
        print(
            "Google Calendar needs a public https address: see the page. Ctrl+C stops.",
            file=ctx.out,
            flush=True,
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("stopped", file=ctx.out)
    return 0
