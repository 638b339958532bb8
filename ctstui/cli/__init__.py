"""Subcommands of the ``ctstui`` command line, one module each.

Each module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args, ctx) -> int``.  The command line is a thin layer: the work is done
by the plain-Python domain modules.

``COMMANDS`` names the commands without importing them: ``ctstui list`` must
not pay for (or depend on) the feed server, icalendar or the importer, so a
command's module is imported only when that command runs (or shows its help).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandSpec:
    name: str  # what the user types; equals the module's NAME
    module: str  # ctstui.cli.<module>
    summary: str  # the one line ``ctstui --help`` shows; the module's HELP describes it fully


COMMANDS = (
    CommandSpec("import", "import_cmd", "import plan tables (TSV/CSV), merging with the plan"),
    CommandSpec("list", "list_cmd", "list activities matching a query, with their short ids"),
    CommandSpec("add", "add_cmd", "add an activity: ctstui add TITLE [FIELD=VALUE...]"),
    CommandSpec("set", "set_cmd", "change fields of an activity: ctstui set ID FIELD=VALUE..."),
    CommandSpec("rate", "rate_cmd", "rate an activity red, amber or green, with a reason"),
    CommandSpec("done", "done_cmd", "mark an activity completed"),
    CommandSpec("undo", "undo_cmd", "undo the newest change to the plan, whoever made it"),
    CommandSpec("export-ics", "export_ics", "write confirmed activities as an .ics feed"),
    CommandSpec("serve", "serve", "serve the .ics feed over HTTP (read-only)"),
    CommandSpec("publish", "publish_cmd", "push the feed's events to a CalDAV calendar"),
    CommandSpec("report", "report_cmd", "board-report summaries and funder targets"),
    CommandSpec("contract", "contract_cmd", "list, add, edit or remove funder contracts"),
)
