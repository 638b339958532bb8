"""``ctstui set ID FIELD=VALUE...``: change an activity's fields, as the edit form does.

One change is one history entry and one undo step, as in the planner.  A
status never moves backwards (completed back to planned...) without --force.
"""

from __future__ import annotations

import argparse

from ctstui.cli.context import CliError, Context
from ctstui.cli.edit import (
    FIELD_NAMES,
    add_field_arguments,
    apply_fields,
    check_status_move,
    describe_change,
    label,
    plan_year_for,
    read_assignments,
)
from ctstui.cli.ids import find_activity, short_id_length

NAME = "set"
HELP = (
    "change fields of an activity: ctstui set ID FIELD=VALUE..., e.g. "
    "ctstui set 3f2a date='W/b 18 November' status=confirmed "
    f"(fields: {FIELD_NAMES}; ID: a unique start of the id `ctstui list` shows)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", metavar="ID", help="the activity (a unique start of its id)")
    parser.add_argument("fields", nargs="*", metavar="FIELD=VALUE", help="what to change")
    add_field_arguments(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    given = read_assignments(args.fields)
    if not given:
        raise CliError(f"nothing to set: give FIELD=VALUE after the id (fields: {FIELD_NAMES})")
    store = ctx.open_existing_store("change")
    activities = store.activities()
    activity = find_activity(activities, args.id)
    edited = apply_fields(activity, given, plan_year_for(store, ctx, args.plan_year))
    check_status_move(activity, edited.activity.status, force=args.force)
    length = short_id_length(a.id for a in activities)
    changes = describe_change(activity, edited.activity)
    if not changes:
        print(f"{label(activity, length)} already has those values; nothing changed", file=ctx.out)
        return 0
    saved = store.update(edited.activity)
    print(f"changed {label(saved, length)}", file=ctx.out)
    for line in changes:
        print(line, file=ctx.out)
    if edited.window:
        print(f"  date read as: {edited.window}", file=ctx.out)
    return 0
