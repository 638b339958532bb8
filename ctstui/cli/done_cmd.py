"""``ctstui done ID``: mark an activity completed (the planner's "x")."""

from __future__ import annotations

import argparse

from ctstui.cli.context import Context
from ctstui.cli.edit import check_status_move, label
from ctstui.cli.ids import find_activity, short_id_length
from ctstui.domain.model import Status

NAME = "done"
HELP = (
    "mark an activity completed: ctstui done ID (a unique start of the id `ctstui list` "
    "shows); a cancelled one needs --force"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", metavar="ID", help="the activity (a unique start of its id)")
    parser.add_argument(
        "--force", action="store_true", help="also complete an activity that was cancelled"
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    store = ctx.open_existing_store("change")
    activities = store.activities()
    activity = find_activity(activities, args.id)
    length = short_id_length(a.id for a in activities)
    if activity.status is Status.COMPLETED:
        print(f"{label(activity, length)} is already completed; nothing changed", file=ctx.out)
        return 0
    check_status_move(activity, Status.COMPLETED, force=args.force)
    saved = store.set_status(activity.id, Status.COMPLETED)
    print(f"completed {label(saved, length)} (was {activity.status})", file=ctx.out)
    start = activity.when.start
    if start is not None and start > ctx.today_date():
        ctx.warn(f"note: its date ({activity.when.describe()}) is after today")
    return 0
