"""Regenerate screenshots/*.svg from the sample plan: ``python tests/screenshots.py``.

Each shot drives the real app headless with today fixed at 5 November 2013, the
way a person would (keys in), and exports Textual's SVG screenshot: every shot at
120x40 (``NAME.svg``), and the planner's own screens at 80x24 too
(``NAME-80x24.svg``), the smallest terminal they are made for.
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
SMALL = (80, 24)

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
# Shown at 80x24 as well (the board, report and help have their own owners' sizes).
SMALL_SHOTS = ("calendar", "year", "day", "list-filtered", "detail", "form-error")


def file_name(name: str, size: tuple[int, int]) -> str:
    return f"{name}.svg" if size == SIZE else f"{name}-{size[0]}x{size[1]}.svg"


async def shoot(name: str, keys: list[str], folder: Path, size: tuple[int, int] = SIZE) -> Path:
    work = Path(tempfile.mkdtemp())
    plan = work / "plan.json"
    shutil.copyfile(sample_plan_path(), plan)
    app = make_app(ActivityStore(plan, autosave=False), today=TODAY)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
        await pilot.pause(0.3)
        app.clear_notifications()
        await pilot.pause()
        target = folder / file_name(name, size)
        app.save_screenshot(str(target))
    shutil.rmtree(work, ignore_errors=True)
    return target


async def main(names: list[str]) -> None:
    folder = ROOT / "screenshots"
    folder.mkdir(exist_ok=True)
    for name in names or list(SHOTS):
        print(await shoot(name, SHOTS[name], folder))
        if name in SMALL_SHOTS:
            print(await shoot(name, SHOTS[name], folder, SMALL))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
