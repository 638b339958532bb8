"""Keys on the calendar, list, detail and dialogs: what a person presses, what happens."""

from __future__ import annotations

from textual import events
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


async def test_keys_typed_quickly_after_slash_go_into_the_filter(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        # All keys queued at once, as a fast typist's reach the app before any redraw.
        for char in "/Heritage":
            key = "slash" if char == "/" else char
            app.post_message(events.Key(key, char))
        # Wait until every queued key was handled (bounded: a loaded machine is slow).
        for _ in range(100):
            await pilot.pause(0.05)
            if isinstance(app.screen, ActivityForm):
                break
            if app.screen.query_one("#filter", Input).value == "Heritage":
                break
        assert not isinstance(app.screen, ActivityForm)  # the "e" did not open Edit
        assert app.screen.query_one("#filter", Input).value == "Heritage"
        assert [a.title for a in app.screen.query_one(ActivityTable).rows] == ["Heritage seminar"]
        await pilot.press("s")  # the text typed ahead is kept, not replaced
        assert app.screen.query_one("#filter", Input).value == "Heritages"


async def test_each_dialog_owns_the_footer_and_the_keys(app, store, plan):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        app.screen.query_one(ActivityTable).select_id(plan["heritage"].id)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        assert footer(app).split() == ["y", "Yes", "n", "No"]
        await pilot.press("c", "x")  # the list's keys do nothing under the dialog
        assert isinstance(app.screen, ConfirmScreen)
        assert store.get(plan["heritage"].id).status is Status.PLANNED
        await pilot.press("escape")
        assert plan["heritage"].id in store
        await pilot.press("1", "g")
        assert "esc Cancel" in footer(app) and "Confirm" not in footer(app)
        await pilot.press("escape")


async def test_escape_in_the_form_asks_before_losing_typed_text(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.press("escape")  # nothing typed: closes at once
        assert not isinstance(app.screen, ActivityForm)
        await pilot.press("n", *"Talk")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Discard the new activity?" in screen_text(app)
        await pilot.press("escape")  # escape again: keep editing
        assert isinstance(app.screen, ActivityForm)
        assert app.screen.query_one("#field-title", Input).value == "Talk"
        await pilot.press("escape", "y")
        assert not isinstance(app.screen, (ActivityForm, ConfirmScreen))
        assert not any(a.title == "Talk" for a in store.activities())


async def test_edit_delete_and_status_keys_work_from_the_detail_view(app, store, plan):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        app.screen.query_one(ActivityTable).select_id(plan["academy"].id)
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        assert "e Edit" in footer(app) and "x Done" in footer(app)
        await pilot.press("e")
        assert isinstance(app.screen, ActivityForm)
        await pilot.press("end", *" II", "ctrl+s")
        assert isinstance(app.screen, DetailScreen)
        assert store.get(plan["academy"].id).title == "Sport Academy II"
        assert "Sport Academy II" in screen_text(app)
        await pilot.press("b")
        assert store.get(plan["academy"].id).status is Status.TBC
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert plan["academy"].id not in store
        assert not isinstance(app.screen, DetailScreen)  # nothing left to show


async def test_a_new_activity_the_filter_hides_is_named_and_the_filter_can_be_cleared(app, store):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "slash", *"lead:SN", "enter")
        assert "Heritage seminar" not in screen_text(app)
        await pilot.press("n", *"Talk", "ctrl+s")
        await pilot.pause()
        text = screen_text(app)
        assert "“Talk” is not shown: the filter hides it.  ctrl+l clears the filter." in text
        assert "^l Clear filter" in footer(app) or "ctrl+l" in text
        await pilot.press("ctrl+l")
        text = screen_text(app)
        assert "Talk" in text and "not shown" not in text
        assert app.screen.query_one("#filter", Input).value == ""
