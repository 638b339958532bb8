"""SVG snapshots of each screen at 120x40, and the planner's own screens at 80x24,
on the sample plan, today fixed.

The same key sequences make ``screenshots/`` (tests/screenshots.py).  After an
intended UI change: ``python -m pytest tests/tui/test_snapshots.py --snapshot-update``,
then look at the report before committing.
"""

from __future__ import annotations

import shutil

import pytest
from textual.widgets import Input

from ctstui.cli.context import sample_plan_path
from ctstui.store.activity_store import ActivityStore
from ctstui.tui.app import make_app
from screenshots import SHOTS, SIZE, SMALL, SMALL_SHOTS, TODAY

SNAPSHOTS = ["calendar", "year", "list-filtered", "detail", "form-error", "help", "board", "report"]
CASES = [pytest.param(name, SIZE, id=name) for name in SNAPSHOTS] + [
    pytest.param(name, SMALL, id=f"{name}-80x24") for name in SNAPSHOTS if name in SMALL_SHOTS
]


@pytest.mark.parametrize(("name", "size"), CASES)
def test_screen_snapshot(name, size, snap_compare, tmp_path):
    plan = tmp_path / "plan.json"
    shutil.copyfile(sample_plan_path(), plan)
    app = make_app(ActivityStore(plan, autosave=False), today=TODAY)

    async def keys_then_settle(pilot):
        for key in SHOTS[name]:
            await pilot.press(key)
        await pilot.pause(0.3)
        pilot.app.clear_notifications()
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor would make the snapshot flaky
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle)
