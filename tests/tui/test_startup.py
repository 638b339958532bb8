"""The planner paints at once and reads the plan in a worker; a refused file ends it (status 2)."""

from __future__ import annotations

import threading

from ctstui.cli.main import main
from ctstui.store.activity_store import ActivityStore, StoreError
from ctstui.tui.app import PlannerApp, make_app
from ctstui.tui.screens.calendar import CalendarScreen
from ctstui.tui.screens.loading import LoadingScreen
from ctstui.tui.widgets.month_grid import MonthGrid

from .conftest import TODAY, build_plan

SIZE = (80, 24)


async def test_the_planner_paints_before_the_plan_is_read_and_changes_nothing_meanwhile(tmp_path):
    path = tmp_path / "plan.json"
    build_plan(ActivityStore(path, autosave=False))
    before = path.read_bytes()
    release = threading.Event()

    def open_plan() -> ActivityStore:
        release.wait(10)  # a big plan on a slow disk
        return ActivityStore(path, autosave=False)

    app = make_app(open_plan, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoadingScreen) and not app.loaded
        assert "Opening the plan" in str(app.screen.query_one("#loading").render())
        await pilot.press("n", "2", "x", "u", "3")  # nothing can be changed yet
        assert isinstance(app.screen, LoadingScreen)
        assert app.check_action("plan", ("new",)) is False
        release.set()
        for _ in range(50):
            await pilot.pause(0.02)
            if app.loaded:
                break
        assert isinstance(app.screen, CalendarScreen)
        assert app.screen.query_one(MonthGrid).selected == TODAY
        assert app.sub_title == "plan.json"
        await pilot.press("2")
        assert app.current_mode == "activities"
    assert path.read_bytes() == before


async def test_a_refused_plan_ends_the_planner_with_status_2(tmp_path):
    def open_plan() -> ActivityStore:
        raise StoreError(f"{tmp_path / 'plan.json'}: is JSON but not a ctstui plan")

    app = make_app(open_plan, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
    assert app.return_code == 2 and not app.loaded
    assert "not a ctstui plan" in str(app.load_error)


def test_the_launcher_reports_a_refused_plan_as_before(tmp_path, monkeypatch, capsys):
    path = tmp_path / "plan.json"
    path.write_text('{"shopping": ["milk"]}', encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # no user keymap
    run = PlannerApp.run
    monkeypatch.setattr(PlannerApp, "run", lambda self: run(self, headless=True, size=SIZE))
    assert main(["--db", str(path), "--today", "2013-11-05"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ctstui: {path}: ") and "not a ctstui plan" in err
    assert path.read_text(encoding="utf-8") == '{"shopping": ["milk"]}'  # untouched
