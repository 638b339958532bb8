"""``ctstui add TITLE [FIELD=VALUE...]``: add an activity, as the planner's add form does.

``ctstui add "Sport Academy" date="12/13 Nov" lead=JW/LC audience="Sport PHs (15)"``.
The fields are those of ``ctstui set``; ``title=`` may be given instead of TITLE.
"""

from __future__ import annotations

import argparse

from ctstui.cli.context import CliError, Context
from ctstui.cli.edit import (
    FIELD_NAMES,
    FIELDS,
    add_field_arguments,
    apply_fields,
    label,
    plan_year_for,
    read_assignments,
)
from ctstui.cli.ids import short_id_length

NAME = "add"
HELP = (
    "add an activity: ctstui add TITLE [FIELD=VALUE...], e.g. "
    "ctstui add 'Sport Academy' date='12/13 Nov' lead=JW status=confirmed "
    f"(fields: {FIELD_NAMES}); prints its short id"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "words", nargs="+", metavar="TITLE [FIELD=VALUE]", help="the title, then fields to set"
    )
    add_field_arguments(parser)


def split_title(words: list[str]) -> tuple[str | None, list[str]]:
    """The title and the FIELD=VALUE arguments.  A first word that is itself a
    field assignment ("date=Nov") is not taken for a title."""
    first = words[0]
    name, equals, _ = first.partition("=")
    if equals and name.strip().lower() in FIELDS:
        return None, words
    return first, words[1:]


def run(args: argparse.Namespace, ctx: Context) -> int:
    title, assignments = split_title(args.words)
    given = read_assignments(assignments)
    if title is not None:
        if "title" in given:
            raise CliError("title: given twice (as TITLE and as title=)")
        given["title"] = title
    if not given.get("title", "").strip():
        raise CliError("title: a title is needed, e.g. ctstui add 'Sport Academy' date='12 Nov'")
    store = ctx.open_store()
    plan_year = plan_year_for(store, ctx, args.plan_year)
    edited = apply_fields(None, given, plan_year)
    added = store.add(edited.activity)
    length = short_id_length(a.id for a in store.activities())
    print(f"added {label(added, length)}", file=ctx.out)
    when = edited.window if added.when.text else "no date yet"
    print(
        f"  date: {when} (plan year {plan_year})" if added.when.text else f"  date: {when}",
        file=ctx.out,
    )
    print(f"  status: {added.status}, kind: {added.kind}, theme: {added.theme}", file=ctx.out)
    return 0
