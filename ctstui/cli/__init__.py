"""Subcommands of the ``ctstui`` command line, one module each.

Each module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args, ctx) -> int``.  The command line is a thin layer: the work is done
by the plain-Python domain modules.
"""

COMMANDS = ("import_cmd", "list_cmd", "export_ics", "serve", "report_cmd", "undo_cmd")
