"""No user text reaches Rich/Textual markup: a plan full of brackets is shown as written."""

from __future__ import annotations

from textual.widgets import Select

from ctstui.domain.model import Activity, Status
from ctstui.tui.app import make_app
from ctstui.tui.dialogs.prompts import ChooseActivityScreen, ConfirmScreen, PromptScreen
from ctstui.tui.screens.detail import DetailScreen
from ctstui.tui.screens.form import ActivityForm
from ctstui.tui.screens.year import YearScreen
from ctstui.tui.widgets.activity_table import ActivityTable

from .conftest import TODAY, activity
from .screen_text import screen_text

TITLE = "[red]JW [/x] [link=http://x]go[/link]"
LEADS = ["[red]JW", "[/x]"]


def hostile_plan(store) -> dict[str, Activity]:
    rows = {
        "day": activity(
            TITLE,
            "12 November",
            leads=LEADS,
            audience="[b]PHs[/b]",
            place="[link=http://y]Derby",
            notes="[@click=app.quit]q[/]",
            funder="[/]",
            programme="[bold",
        ),
        "fuzzy": activity("[i]Fuzzy[/i] [/z]", "November", Status.TBC, leads=["[/x]"]),
    }
    with store.transaction("fixture"):
        for key, item in rows.items():
            rows[key] = store.add(item)
    store.save()
    return rows


async def test_every_widget_showing_plan_text_shows_it_literally(store):
    rows = hostile_plan(store)
    app = make_app(store, today=TODAY)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        # Calendar: the day cell and the "date TBC" tray.
        text = screen_text(app)
        assert "[red]JW" in text  # the 12 November cell, cut with an ellipsis at most
        assert "[i]Fuzzy[/i] [/z]" in text
        # The day's list (a dialog) and the detail it opens.
        app.screen.query_one("MonthGrid").selected = rows["day"].when.start
        await pilot.press("enter")
        assert isinstance(app.screen, ChooseActivityScreen)
        assert TITLE in screen_text(app)
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        for literal in (TITLE, "[red]JW/[/x]", "[b]PHs[/b]", "[link=http://y]Derby"):
            assert literal in text
        assert "[@click=app.quit]q[/]" in text and "[bold" in text
        await pilot.press("escape")
        # The list, and the Lead quick filter's dropdown (a Select).
        await pilot.press("2")
        assert TITLE[:20] in screen_text(app)
        lead = app.screen.query_one("#quick-lead", Select)
        lead.focus()
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "[red]JW" in text and "[/x]" in text
        await pilot.press("down", "enter")
        await pilot.pause()
        assert lead.value == "lead:[/x]"
        assert "2 activities" in screen_text(app)
        # The edit form, and the delete question.
        app.screen.query_one(ActivityTable).focus()
        app.screen.query_one(ActivityTable).select_id(rows["day"].id)
        await pilot.press("e")
        assert isinstance(app.screen, ActivityForm)
        assert TITLE in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        if isinstance(app.screen, ConfirmScreen):
            await pilot.press("y")
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        assert TITLE in screen_text(app)
        await pilot.press("n")
        # Firming up the fuzzy one asks with its title in the question.
        app.screen.query_one(ActivityTable).select_id(rows["fuzzy"].id)
        await pilot.press("c")
        assert isinstance(app.screen, PromptScreen)
        assert "[i]Fuzzy[/i] [/z]" in screen_text(app)
        await pilot.press("escape")
        # The year view (counts only, but it must open on this plan).
        await pilot.press("1", "y")
        assert isinstance(app.screen, YearScreen)
        assert "November 2013" in screen_text(app)
        assert app.is_running
