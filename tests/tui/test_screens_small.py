"""The smaller promises: one TBC count, readable history, the calendar's legend."""

from __future__ import annotations

import time

from textual.widgets import OptionList

from ctstui.tui.screens.detail import DetailScreen
from ctstui.tui.screens.year import YearScreen, YearView
from ctstui.tui.widgets.activity_table import ActivityTable

from .screen_text import screen_text

SIZE = (120, 40)


async def test_year_view_and_month_tray_count_date_tbc_alike(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        in_tray = app.screen.query_one("#tray", OptionList).option_count
        assert f"November, date TBC ({in_tray})" in screen_text(app)
        await pilot.press("y")
        assert isinstance(app.screen, YearScreen)
        assert app.screen.query_one(YearView).tbc[(2013, 11)] == in_tray
        assert f"date TBC: {in_tray}" in screen_text(app)


async def test_history_shows_local_times(app, plan, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("2")
            app.screen.query_one(ActivityTable).select_id(plan["academy"].id)
            await pilot.press("enter")
            assert isinstance(app.screen, DetailScreen)
            await pilot.press("end")
            text = screen_text(app)
            # Stored as 2013-11-05T09:00:00Z: 04:00 in New York.
            assert "Tue 05 Nov 2013 04:00  tester" in text
            assert "T09:00:00" not in text
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
