"""Keys on the calendar, list, detail and dialogs: what a person presses, what happens."""

from __future__ import annotations

from textual.widgets import Input, OptionList, Select

from ctstui.domain.model import Status
from ctstui.tui.dialogs.prompts import ConfirmScreen
from ctstui.tui.screens.detail import DetailScreen
from ctstui.tui.screens.form import ActivityForm
from ctstui.tui.widgets.activity_table import ActivityTable
from ctstui.tui.widgets.month_grid import MonthGrid

from .screen_text import screen_lines, screen_text

SIZE = (80, 24)


def footer(app) -> str:
    return screen_lines(app)[-1]


async def test_tab_moves_between_grid_and_tray_and_the_tray_opens_by_keyboard(app, plan):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen.focused, MonthGrid)
        assert "tab To tray" in footer(app)
        await pilot.press("tab")
        assert isinstance(app.screen.focused, OptionList)
        assert "tab To grid" in footer(app)
        await pilot.press("enter")  # the month's fuzzy-dated activity
        assert isinstance(app.screen, DetailScreen)
        assert "Sport action learning set" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen.focused, OptionList)
        await pilot.press("shift+tab")
        assert isinstance(app.screen.focused, MonthGrid)
        await pilot.press("shift+tab")
        assert isinstance(app.screen.focused, OptionList)


async def test_a_form_with_a_status_in_the_date_shows_and_saves_that_status(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", *"Talk", "tab", *"June TBC")
        form = app.screen
        assert isinstance(form, ActivityForm)
        assert form.query_one("#field-status", Select).value == "tbc"
        assert "status tbc (written in the date)" in screen_text(app)
        await pilot.press("ctrl+s")
        talk = next(a for a in store.activities() if a.title == "Talk")
        assert talk.status is Status.TBC and talk.when.text == "June"
