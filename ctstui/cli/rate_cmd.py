"""``ctstui rate ID red|amber|green [--reason TEXT]``: a dated RAG review, as the board's r/a/g."""

from __future__ import annotations

import argparse

from ctstui.cli.context import Context
from ctstui.cli.edit import label
from ctstui.cli.ids import find_activity, short_id_length
from ctstui.domain.model import Rag
from ctstui.domain.text import printable

NAME = "rate"
HELP = (
    "rate an activity red, amber or green, recorded as a review dated today: "
    "ctstui rate ID red|amber|green [--reason TEXT] [--next TEXT]"
)
RATINGS = ("red", "amber", "green")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", metavar="ID", help="the activity (a unique start of its id)")
    parser.add_argument(
        "rating", metavar="RATING", type=str.lower, choices=RATINGS, help="red, amber or green"
    )
    parser.add_argument("--reason", default="", metavar="TEXT", help="why (optional)")
    parser.add_argument(
        "--next", dest="next_action", default="", metavar="TEXT", help="the next action (optional)"
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    store = ctx.open_existing_store("change")
    activities = store.activities()
    activity = find_activity(activities, args.id)
    rating = Rag(args.rating)
    saved = store.rate(
        activity.id,
        rating,
        args.reason.strip(),
        on=ctx.today_date(),
        next_action=args.next_action.strip(),
    )
    length = short_id_length(a.id for a in activities)
    print(
        f"rated {label(saved, length)} {rating} (was {activity.rag}) on "
        f"{ctx.today_date().isoformat()}",
        file=ctx.out,
    )
    if args.reason.strip():
        print(f"  reason: {printable(args.reason.strip())}", file=ctx.out)
    return 0
