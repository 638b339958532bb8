"""``ctstui undo``: undo the last change made to the plan, by the planner or a command.

The plan file keeps a journal of its last changes (see :mod:`ctstui.store.undo`);
this undoes the newest one not yet undone, records the undo in each activity's
history, and saves.  Run it again to go further back.  If an activity was
changed since that step, nothing is changed and the message names it.
"""

from __future__ import annotations

import argparse

from ctstui.cli.context import Context
from ctstui.store.undo import NothingToUndo

NAME = "undo"
HELP = "undo the last change to the plan (made in the planner or by a command); again to go back further"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace, ctx: Context) -> int:
    store = ctx.open_existing_store("undo a change in")
    try:
        done = store.undo_last_change()
    except NothingToUndo as exc:
        ctx.warn(str(exc))
        return 1
    print(done.describe(), file=ctx.out)
    for note in store.notes:
        ctx.warn(f"note: {note}")
    return 0
