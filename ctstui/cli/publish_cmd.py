"""``ctstui publish URL``: put the feed's events into a CalDAV calendar.

See :mod:`ctstui.feed.publish`.  The plan is only read.  The password comes from
``--password-file`` (its first line), else ``$CTSTUI_CALDAV_PASSWORD``, else a
prompt when a terminal is attached; it is never taken on the command line,
where other users of the computer could see it.
"""

from __future__ import annotations

import argparse
import os
import sys

from ctstui.cli.context import CliError, Context
from ctstui.cli.export_ics import add_selection_arguments, parse_query_option
from ctstui.domain.text import printable

NAME = "publish"
HELP = "put the feed's events into a CalDAV calendar (Nextcloud, Radicale, Fastmail...)"
PASSWORD_ENV = "CTSTUI_CALDAV_PASSWORD"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", metavar="URL", help="the calendar's address (a CalDAV collection)")
    parser.add_argument("--user", metavar="NAME", help="user name on the CalDAV server")
    parser.add_argument(
        "--password-file",
        metavar="FILE",
        help=f"read the password from FILE's first line (or set ${PASSWORD_ENV})",
    )
    add_selection_arguments(parser, "publish")


def read_password(args: argparse.Namespace) -> str | None:
    if args.password_file:
        try:
            with open(args.password_file, encoding="utf-8") as fh:
                return fh.readline().rstrip("\r\n")
        except OSError as exc:
            raise CliError(f"{args.password_file}: cannot read the password: {exc.strerror or exc}")
        except UnicodeDecodeError:
            raise CliError(f"{args.password_file}: the password file is not UTF-8 text")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if args.user and sys.stdin is not None and sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"password for {args.user}: ")
    if args.user:
        raise CliError(f"--user {args.user}: give --password-file FILE (or ${PASSWORD_ENV})")
    return None


def run(args: argparse.Namespace, ctx: Context) -> int:
    from ctstui.feed.publish import PublishError, publish

    query = parse_query_option(args.query or "")
    password = read_password(args)
    store = ctx.open_existing_store("publish")
    try:
        report = publish(
            store,
            args.url,
            username=args.user,
            password=password,
            today=ctx.today_date(),
            include_planned="planned" in args.include,
            query=query,
        )
    except PublishError as exc:
        raise CliError(f"{exc}; nothing was sent")
    for line in report.lines():
        print(printable(line), file=ctx.out)
    if report.failed:
        n = len(report.failed)
        ctx.warn(
            f"{n} event{'s were' if n != 1 else ' was'} not published (listed above); "
            f"the other {report.sent} change{'s were' if report.sent != 1 else ' was'} sent"
        )
        return 2
    return 0
