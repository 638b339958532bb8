"""Keystrokes repaint what changed; they do not lay out the whole screen again.

A full-screen layout places every widget again (on a 10k plan it was most of a
filter keystroke's time). Counted with the frame probe (ctstui/tui/frame_probe.py),
never timed: the counts do not depend on the machine's load.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.widgets import Input, OptionList

from ctstui.domain.model import Activity
from ctstui.store.activity_store import ActivityStore
from ctstui.tui.app import make_app
from ctstui.tui.frame_probe import FrameProbe
from ctstui.tui.look import TextLine
from ctstui.tui.widgets.activity_table import ActivityTable
from ctstui.tui.widgets.board_view import BoardView

from .conftest import TODAY, activity
from .screen_text import screen_text


@pytest.fixture
def big_store(tmp_path):
    """Enough rows that the table scrolls, with titles the filter narrows one letter at a time."""
    clock = lambda: datetime(2013, 11, 5, 9, 0, tzinfo=UTC)  # noqa: E731
    store = ActivityStore(tmp_path / "plan.json", autosave=False, clock=clock, who="tester")
    words = ["sport", "spoke", "spa", "swim", "culture"]
    with store.transaction("fixture"):
        for i in range(120):
            store.add(
                activity(f"{words[i % len(words)]} day {i}", f"{1 + i % 28} November", days=1)
            )
    store.save()
    return store


def rows(app) -> list[Activity]:
    return app.screen.query_one(ActivityTable).rows


def totals(app) -> str:
    return str(app.screen.query_one("#totals", TextLine).content)


async def test_filter_keystrokes_repaint_without_laying_out_the_screen(big_store):
    app = make_app(big_store, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("2", "slash")
        await pilot.pause()
        assert isinstance(app.focused, Input)
        table = app.screen.query_one(ActivityTable)
        table.action_jump(-1)  # scrolled to the bottom: fewer rows must pull the view back
        await pilot.pause()
        assert table.scroll_offset.y > 0
        probe = FrameProbe(app)
        with probe.installed():
            # The first character turns the filter on: the footer gains "ctrl+l Clear
            # filter", a new key laid out in it (a visible change, once per filter).
            await pilot.press("s")
            await pilot.pause()
            first = probe.layouts
            assert first <= 2, probe.layouts_by_screen
            seen = [len(rows(app))]
            for key in "pa d":
                await pilot.press("space" if key == " " else key)
                await pilot.pause()
                seen.append(len(rows(app)))
            await pilot.press("backspace")
            await pilot.pause()
            seen.append(len(rows(app)))
            assert probe.layouts - first == 0, probe.layouts_by_screen
            frames = len(probe.frames)
        # Every key was shown: the table narrowed and widened, the totals followed.
        assert seen == [96, 72, 24, 24, 24, 24]
        assert frames >= 6
        assert app.screen.query_one("#filter", Input).value == "spa "
        assert totals(app).startswith("24 of 120 activities")
        assert all("spa" in a.title for a in rows(app))
        # The view was pulled back within the 24 rows, the cursor's row on screen.
        assert table.virtual_size.height == 25
        assert table.scroll_offset.y <= table.max_scroll_y
        assert table.vertical_scrollbar.window_virtual_size == 25


async def test_a_filter_longer_than_its_box_scrolls_to_the_cursor(big_store):
    app = make_app(big_store, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("2", "slash")
        text = "sport day one two three four five six seven eight nine ten"
        await pilot.press(*("space" if c == " " else c for c in text))
        await pilot.pause()
        field = app.screen.query_one("#filter", Input)
        assert field.value == text
        assert len(text) > field.scrollable_content_region.width
        # The end of what was typed is on screen, not cut off at the box's edge.
        assert field.scroll_offset.x > 0
        assert "nine ten" in screen_text(app)


async def test_switching_months_repaints_the_titles_and_the_tray_without_a_layout(app, plan):
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        titles = []
        probe = FrameProbe(app)
        with probe.installed():
            for key in ["left_square_bracket"] * 5 + ["right_square_bracket"] * 5:
                await pilot.press(key)
                await pilot.pause()
                tray = screen.query_one("#tray", OptionList)
                titles.append(
                    (
                        str(screen.query_one("#month-title", TextLine).content).split("   ")[0],
                        str(screen.query_one("#tray-title", TextLine).content),
                        [tray.get_option_at_index(i).id for i in range(tray.option_count)],
                    )
                )
            assert probe.layouts == 0, probe.layouts_by_screen
            assert len(probe.frames) >= 10
        # Each month showed its own title and its own tray (the July tray holds
        # "10 or 11 July"; October's the undated-in-the-month "October").
        assert [t[0] for t in titles[:5]] == [
            "October 2013",
            "September 2013",
            "August 2013",
            "July 2013",
            "June 2013",
        ]
        july = titles[3]
        assert july[1] == "July, date TBC (1)" and july[2] == [plan["heritage"].id]
        assert titles[0][2] == [plan["culture"].id] and titles[0][1] == "October, date TBC (1)"
        assert titles[-1][0] == "November 2013" and titles[-1][2] == [plan["als"].id]
        assert "November 2013" in screen_text(app) and "November, date TBC (1)" in screen_text(app)


async def test_the_trays_scrollbar_comes_and_goes_with_a_full_month(tmp_path):
    store = ActivityStore(tmp_path / "plan.json", autosave=False, who="tester")
    with store.transaction("fixture"):
        for i in range(30):
            store.add(activity(f"December talk {i}", "December", days=1))
        store.add(activity("January talk", "January", days=1))
    store.save()
    app = make_app(store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tray = app.screen.query_one("#tray", OptionList)
        assert tray.option_count == 0 and not tray.show_vertical_scrollbar  # November
        probe = FrameProbe(app)
        with probe.installed():
            await pilot.press("right_square_bracket")  # December: 30 items overflow the tray
            await pilot.pause()
            assert tray.option_count == 30 and tray.show_vertical_scrollbar
            assert probe.layouts >= 1  # the scrollbar is placed by a layout
            await pilot.press("right_square_bracket")  # January: one item, no scrollbar
            await pilot.pause()
            assert tray.option_count == 1 and not tray.show_vertical_scrollbar
        assert "January talk" in screen_text(app)
        assert "December talk" not in screen_text(app)


async def test_a_filter_keystroke_measures_only_rows_not_measured_before(big_store, monkeypatch):
    from ctstui.tui.widgets import activity_table

    measured = []
    width = activity_table.cell_width
    monkeypatch.setattr(
        activity_table, "cell_width", lambda text: measured.append(text) or width(text)
    )
    app = make_app(big_store, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2", "slash")
        await pilot.pause()
        assert len(measured) == 120 * len(activity_table.COLUMNS)  # every row, once
        measured.clear()
        await pilot.press(*"spa")
        await pilot.pause()
        assert measured == []  # the rows kept were all measured already
        assert len(rows(app)) == 24
        # A changed activity is measured again (its title is longer now).
        changed = rows(app)[0]
        big_store.update(changed.copy(title=changed.title + " with a much longer title"))
        await pilot.pause()
        assert len(measured) == len(activity_table.COLUMNS)
        assert any("much longer title" in text for text in measured)


async def settled(pilot, probe) -> None:
    """Until the app has stopped drawing (a footer rebuild comes a few frames later)."""
    for _ in range(40):
        seen = (probe.layouts, len(probe.frames))
        await pilot.pause(0.05)
        if seen == (probe.layouts, len(probe.frames)):
            return


def board_columns(board) -> dict[str, list[str]]:
    return {key: [a.id for a in board.cards(key)] for key in board.keys}


async def test_a_rating_moves_one_card_without_building_the_board_again(big_store, monkeypatch):
    from ctstui.domain.board import build_board
    from ctstui.tui.screens import board as board_screen

    builds = []
    monkeypatch.setattr(
        board_screen, "build_board", lambda *a, **k: builds.append(1) or build_board(*a, **k)
    )
    app = make_app(big_store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        screen = app.screen
        # The board's own widgets ask for no layout (the header's "unsaved" mark
        # and the footer's new "u Undo" key are the app's, counted elsewhere).
        asked = []
        for widget in (screen.query_one(BoardView), screen.query_one("#board-summary")):
            refresh = widget.refresh

            def spy(*regions, refresh=refresh, widget=widget, **options):
                if options.get("layout"):
                    asked.append(widget)
                return refresh(*regions, **options)

            monkeypatch.setattr(widget, "refresh", spy)
        for letter in "rag" * 2:
            builds.clear()
            await pilot.press("down", letter, "enter")
            await pilot.pause()
            rated = screen.selected_activity()
            assert rated is not None and rated.rag.value[0] == letter
            assert builds == []  # the card was moved, the board not built again
            # ...and the board is the one a full build gives.
            whole = build_board(big_store.activities(), query=screen._query)
            assert board_columns(screen.board) == board_columns(whole)
            assert len(screen.board) == len(whole)
        assert asked == []
        # A filter the new rating leaves: the card leaves the board, still without a build.
        await pilot.press("slash", *"-rag:red", "enter")
        await pilot.pause()
        before = len(screen.board)
        builds.clear()
        await pilot.press("r", "enter")
        await pilot.pause()
        assert builds == [] and len(screen.board) == before - 1
        whole = build_board(big_store.activities(), query=screen._query)
        assert board_columns(screen.board) == board_columns(whole)
        # Programme lanes are always built again (their roll-ups change).
        await pilot.press("p")
        await pilot.pause()
        builds.clear()
        await pilot.press("a", "enter")
        await pilot.pause()
        assert builds == [1]
