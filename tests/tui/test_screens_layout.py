"""Each screen at 80x24 and 200x50: what a person sees fits, is marked when cut, and uses the room."""

from __future__ import annotations

import pytest

from ctstui.domain.dates import DateSpec, PlanYear
from ctstui.domain.model import Activity, Status
from ctstui.tui.app import make_app
from ctstui.tui.screens.form import ActivityForm
from ctstui.tui.screens.year import YearScreen
from ctstui.tui.widgets.activity_table import date_text

from .conftest import TODAY, activity
from .screen_text import screen_lines, screen_text

SMALL, LARGE = (80, 24), (200, 50)
LONG = "Sport PHs who have completed the leadership academy and want more"


@pytest.fixture
def wide_plan(store, plan):
    """The fixture plan plus a long audience and an activity in the next plan year."""
    with store.transaction("fixture"):
        store.add(activity("Heritage awards", "12 May 2014", audience=LONG, leads=["JW"]))
        store.add(
            activity("Culture commission", "June", Status.TBC, leads=["SN"]).copy(
                when=activity("x", "June 2014").when
            )
        )
    store.save()
    return plan


def footer(app) -> str:
    return screen_lines(app)[-1]


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_list_keeps_status_and_rag_and_marks_what_is_cut(store, wide_plan, size):
    app = make_app(store, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await pilot.press("2")
        lines = screen_lines(app)
        header = next(line for line in lines if line.startswith("Date"))
        assert "Status" in header and "RAG" in header and "Activity" in header
        row = next(line for line in lines if "Heritage awards" in line)
        assert "12 May 2014" in row  # another plan year: the year is shown
        assert "planned" in row and "○ unrated" in row
        june = next(line for line in lines if "Culture commission" in line)
        assert "June 2014" in june and "tbc" in june
        may_2013 = next(line for line in lines if "Sport peer review" in line)
        assert "14/15 May " in may_2013 and "2013" not in may_2013  # the plan year on screen
        assert "plan year 2013/14" in screen_text(app)
        if size == SMALL:
            assert "Audience" not in header  # dropped before the title gets too narrow
        else:
            # Spare width is shared: the long audience is whole, nothing is cut.
            assert LONG[:40] in screen_text(app)
            assert "…" not in "\n".join(lines[6:12])
        assert "? Help" in footer(app) and "q Quit" in footer(app)


async def test_a_cut_cell_ends_in_an_ellipsis(store, wide_plan):
    app = make_app(store, today=TODAY)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("2")
        row = next(line for line in screen_lines(app) if "Heritage awards" in line)
        assert "Sport PHs who" in row and "…" in row


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_calendar_cells_are_readable(app, size):
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        text = screen_text(app)
        # 12/13 November: the title is readable in the cell (wrapped, not cut to a stub).
        assert "Sport" in text and "Academy" in text
        assert "Sport action" in text  # the tray
        assert "● RAG" in text and "! at risk" in text and "wk week of" in text  # legend
        assert "? Help" in footer(app) and "q Quit" in footer(app)
        if size == LARGE:
            assert "Sport action learning set" in text  # a wide tray on a wide screen


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_form_scrolls_to_save_and_dropdowns_are_whole(app, size):
    async with app.run_test(size=size) as pilot:
        await pilot.press("n")
        assert isinstance(app.screen, ActivityForm)
        lines = screen_lines(app)
        status = next(line for line in lines if "Status" in line)
        assert "▼" in status  # the dropdown's arrow is on screen
        assert max(len(line) for line in lines) <= size[0]
        for key in "Talk":
            await pilot.press(key)
        for _ in range(16):  # down the form with Tab, to the Save button
            await pilot.press("tab")
            if app.screen.focused is not None and app.screen.focused.id == "save":
                break
        assert app.screen.focused.id == "save"
        assert "Save (ctrl+s)" in screen_text(app)
        await pilot.press("enter")
        assert not isinstance(app.screen, ActivityForm)
        assert any(a.title == "Talk" for a in app.store.activities())


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_year_view_shows_the_selected_month_and_fits(app, size):
    async with app.run_test(size=size) as pilot:
        await pilot.press("y")
        assert isinstance(app.screen, YearScreen)
        await pilot.pause()
        text = screen_text(app)
        assert "November 2013" in text and "Tuesday 05 November 2013" in text
        assert max(len(line) for line in screen_lines(app)) <= size[0]
        await pilot.press(*["right_square_bracket"] * 4)  # on to March 2014, scrolled into view
        await pilot.pause()
        assert "March 2014" in screen_text(app) and "Wednesday 05 March 2014" in screen_text(app)


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_detail_fits_and_scrolls(app, plan, size):
    async with app.run_test(size=size) as pilot:
        await pilot.press("2")
        app.screen.query_one("ActivityTable").select_id(plan["academy"].id)
        await pilot.press("enter")
        text = screen_text(app)
        assert "Sport Academy" in text and "12–13 Nov 2013" in text
        assert max(len(line) for line in screen_lines(app)) <= size[0]
        await pilot.press("end")
        await pilot.pause()
        assert "History (newest first)" in screen_text(app)


def test_a_year_is_added_only_when_the_date_does_not_say_it():
    here, other = PlanYear(2013), PlanYear(2014)

    def shown(text: str, read_in: PlanYear) -> str:
        return date_text(Activity(title="x", when=DateSpec.parse(text, read_in)), here)

    assert shown("14/15 May", here) == "14/15 May"
    assert shown("14/15 May", other) == "14/15 May 2014"
    assert shown("Feb / March", other) == "Feb / March 2015"
    for says_it in ("May 11", "by March 2012", "Sept 2011", "10 or 11 July 2014"):
        assert shown(says_it, here) == says_it
