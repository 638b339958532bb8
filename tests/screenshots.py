"""Regenerate screenshots/*.svg from the sample plan: ``python tests/screenshots.py``.

Each shot drives the real app headless at 120x40 with today fixed at 5 November
2013, the way a person would (keys in), and exports Textual's SVG screenshot.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from ctstui.cli.context import sample_plan_path
from ctstui.store.activity_store import ActivityStore
from ctstui.tui.app import make_app

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2013, 11, 5)
SIZE = (120, 40)

# name -> keys pressed before the shot
SHOTS: dict[str, list[str]] = {
    "calendar": [],
    "year": ["y"],
    "day": ["right", "right", "right", "right", "right", "right", "right", "enter"],
    "list-filtered": ["2", "slash", *"lead:SN -status:completed", "enter"],
    "detail": ["2", "slash", *"Heritage", "enter", "enter"],
    "form-error": ["n", *"Tourism seminar", "tab", *"W/b 31 November"],
    "help": ["question_mark"],
    "board": ["3"],
    "report": ["4"],
}


async def shoot(name: str, keys: list[str], folder: Path) -> Path:
    work = Path(tempfile.mkdtemp())
    plan = work / "plan.json"
    shutil.copyfile(sample_plan_path(), plan)
    app = make_app(ActivityStore(plan, autosave=False), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
        await pilot.pause(0.3)
        app.clear_notifications()
        await pilot.pause()
        target = folder / f"{name}.svg"
        app.save_screenshot(str(target))
    shutil.rmtree(work, ignore_errors=True)
    return target


async def main(names: list[str]) -> None:
    folder = ROOT / "screenshots"
    folder.mkdir(exist_ok=True)
    for name in names or list(SHOTS):
        print(await shoot(name, SHOTS[name], folder))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
