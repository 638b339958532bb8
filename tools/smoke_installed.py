"""Start the installed planner headless on the demo plan: run by .ci/run from a wheel install.

Run with the installed interpreter from a folder outside the checkout, so that the package
imported is the installed one (it says where it came from, and fails if that is the checkout).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import date
from pathlib import Path

import ctstui
from ctstui.cli.context import Context
from ctstui.tui.app import make_app


async def start_planner() -> None:
    ctx = Context(db=None, demo=True, today=date(2013, 11, 5))
    store = ctx.open_store(autosave=False, session=False)
    app = make_app(store, today=date(2013, 11, 5))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = type(app.screen).__name__
        await pilot.press("2")
        await pilot.pause()
        listed = type(app.screen).__name__
    store.close()
    if (shown, listed) != ("CalendarScreen", "ActivitiesScreen"):
        raise SystemExit(f"installed planner showed {shown}, then {listed}")
    print(
        f"installed planner started: {shown}, then {listed} ({len(store.activities())} activities)"
    )


def main() -> int:
    checkout = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else None
    where = Path(ctstui.__file__).resolve()
    print(f"ctstui imported from {where}")
    if checkout and (checkout / "ctstui") in where.parents:
        raise SystemExit("the checkout was imported, not the installed package")
    with tempfile.TemporaryDirectory():
        asyncio.run(start_planner())
    return 0


if __name__ == "__main__":
    sys.exit(main())
