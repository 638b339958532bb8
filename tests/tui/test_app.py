"""Driving the app as a person would: keys in, screen and store checked."""

from __future__ import annotations

import errno
import io
from datetime import date

from rich.console import Console
from textual.widgets import Input, OptionList

from ctstui.domain.dates import DateSpec, Precision
from ctstui.domain.model import Activity, Status
from ctstui.store.activity_store import ActivityStore
from ctstui.tui.app import make_app
from ctstui.tui.dialogs.preview import PreviewScreen
from ctstui.tui.dialogs.prompts import ChooseActivityScreen, ConfirmScreen, PromptScreen
from ctstui.tui.screens.detail import DetailScreen
from ctstui.tui.screens.form import ActivityForm
from ctstui.tui.screens.help import HelpScreen
from ctstui.tui.screens.year import YearScreen
from ctstui.tui.widgets.activity_table import ActivityTable
from ctstui.tui.widgets.month_grid import MonthGrid

from .conftest import PLAN_YEAR, TODAY, activity, notifications
from .screen_text import screen_text

__all__ = ["SIZE", "notifications", "shown"]  # used by the other screen tests

SIZE = (120, 40)


def grid(app) -> MonthGrid:
    return app.screen.query_one(MonthGrid)


def on_day(app, day: date) -> list[str]:
    return [a.id for a in grid(app).activities_on(day)]


def table(app) -> ActivityTable:
    return app.screen.query_one(ActivityTable)


def titles(app) -> list[str]:
    return [a.title for a in table(app).rows]


def shown(widget) -> str:
    """What a Static shows, as plain text (renders Rich tables too)."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


# -- calendar ------------------------------------------------------------------------


async def test_calendar_opens_on_today_and_moves(app):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        assert grid(app).selected == TODAY
        assert "5 today" in "\n".join(grid(app).render_line(y).text for y in range(40))
        await pilot.press("right", "down")
        assert grid(app).selected == date(2013, 11, 13)
        await pilot.press("h", "k")
        assert grid(app).selected == date(2013, 11, 5)
        await pilot.press("right_square_bracket")
        assert grid(app).selected == date(2013, 12, 5)
        await pilot.press("pageup", "pageup")
        assert grid(app).selected == date(2013, 10, 5)
        await pilot.press("t")
        assert grid(app).selected == TODAY


async def test_multi_day_activity_sits_on_each_day_and_fuzzy_ones_in_the_tray(app, plan):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        for day in (date(2013, 11, 12), date(2013, 11, 13)):
            assert plan["academy"].id in on_day(app, day)
        # The week-of seminar sits in its week (on its week-beginning day).
        assert plan["seminar"].id in on_day(app, date(2013, 11, 18))
        drawn = "\n".join(grid(app).render_line(y).text for y in range(grid(app).size.height))
        assert "Sport" in drawn and "Academy" in drawn and "Libraries"[:6] in drawn
        tray = app.screen.query_one("#tray", OptionList)
        tray_ids = [tray.get_option_at_index(i).id for i in range(tray.option_count)]
        assert tray_ids == [plan["als"].id]
        await pilot.press("left_square_bracket")  # October: the TBC Culture Academy
        tray_ids = [tray.get_option_at_index(i).id for i in range(tray.option_count)]
        assert tray_ids == [plan["culture"].id]


async def test_go_to_month_and_year_view(app):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("g")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"feb", "enter")
        assert (grid(app).selected.year, grid(app).selected.month) == (2014, 2)
        await pilot.press("g", *"nonsense", "enter")
        assert isinstance(app.screen, PromptScreen)  # refused, says why, stays open
        assert "nonsense" in shown(app.screen.query_one("#prompt-hint"))
        await pilot.press("escape")
        await pilot.press("y")
        assert isinstance(app.screen, YearScreen)
        await pilot.press("right_square_bracket", "enter")  # a month on, then open it
        assert isinstance(app.screen.query_one(MonthGrid), MonthGrid)
        assert (grid(app).selected.year, grid(app).selected.month) == (2014, 3)


async def test_enter_on_day_lists_its_activities_then_opens_detail(app, plan):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        grid(app).selected = date(2013, 11, 12)
        await pilot.press("enter")
        assert isinstance(app.screen, ChooseActivityScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.activity_id == plan["academy"].id
        text = shown(app.screen.query_one("#detail-fields"))
        assert "12/13 November" in text


async def test_opens_on_nearest_month_when_nothing_near_today(store, plan):
    app = make_app(store, today=date(2020, 6, 1))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert grid(app).selected != date(2020, 6, 1)
        assert grid(app).selected.year in (2013, 2014)
        await pilot.pause()
        assert any("Nothing planned within a year" in m for m in notifications(app))


# -- list and filter -------------------------------------------------------------------


async def test_filter_as_you_type_and_bad_query_keeps_result(app):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2")
        assert len(table(app).rows) == 7
        await pilot.press("slash", *"lead:LC")
        assert sorted(titles(app)) == ["Heritage seminar", "Libraries seminar", "Sport Academy"]
        totals = shown(app.screen.query_one("#totals"))
        assert "3 of 7 activities" in totals and "4 days" in totals and "40 places" in totals
        app.screen.query_one("#filter", Input).value = "lead:LC status:nope"
        await pilot.pause()
        error = app.screen.query_one("#filter-error")
        assert error.display and "nope" in shown(error)
        assert len(table(app).rows) == 3  # previous result kept
        app.screen.query_one("#filter", Input).value = "-status:completed month:nov"
        await pilot.pause()
        assert not error.display
        assert "Sport peer review Derby" not in titles(app)
        assert "Sport Academy" in titles(app)


async def test_sort_key_changes_order(app):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2")
        by_date = titles(app)
        assert by_date[0] == "Sport peer review Derby"  # May comes first
        await pilot.press("s")  # next column: title
        assert titles(app) == sorted(by_date, key=str.casefold)
        await pilot.press("S")
        assert titles(app) == sorted(by_date, key=str.casefold, reverse=True)


async def test_markup_in_titles_is_shown_literally(app, plan):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2")
        table(app).select_id(plan["hostile"].id)
        await pilot.pause()
        row = table(app).cursor - table(app).scroll_offset.y + 1
        assert "[link=http://x]click[/link]" in table(app).render_line(row).text
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        fields = shown(app.screen.query_one("#detail-fields"))
        assert "[link=http://x]click[/link] [@click=app.quit]x[/] [/" in fields
        await pilot.click("#detail-fields")  # clicking the text must not quit
        assert app.is_running


# -- add, edit, delete, status, undo ------------------------------------------------------


async def test_add_with_live_date_reading_and_validation(app, store):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, ActivityForm)
        await pilot.press(*"Tourism seminar", "enter")  # Enter moves to the next field
        assert app.focused is form.query_one("#field-when", Input)
        assert isinstance(app.screen, ActivityForm)
        await pilot.press(*"W/b 18 November")
        assert "18–24 Nov 2013" in shown(form.query_one("#error-when"))
        form.query_one("#field-days", Input).value = "two"
        await pilot.pause()
        assert "days should be a number" in shown(form.query_one("#error-days"))
        assert form.query_one("#save").disabled
        await pilot.press("ctrl+s")
        assert app.screen is form  # cannot save until fixed
        form.query_one("#field-days", Input).value = "1"
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, ActivityForm)
    added = [a for a in store.activities() if a.title == "Tourism seminar"]
    assert len(added) == 1
    assert added[0].when.precision is Precision.WEEK and added[0].days == 1


async def test_edit_delete_undo_redo(app, store, plan):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2")
        table(app).select_id(plan["als"].id)
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, ActivityForm)
        form.query_one("#field-place", Input).value = "Leeds"
        await pilot.press("ctrl+s")
        assert store.get(plan["als"].id).place == "Leeds"
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        assert plan["als"].id not in store
        assert "Sport action learning set" not in titles(app)
        await pilot.press("u")
        assert plan["als"].id in store
        assert any("Undone: delete" in m for m in notifications(app))
        await pilot.press("u")
        assert store.get(plan["als"].id).place == ""
        await pilot.press("ctrl+y")
        assert store.get(plan["als"].id).place == "Leeds"


async def test_status_keys_and_firming_up_a_fuzzy_date(app, store, plan):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2")
        table(app).select_id(plan["seminar"].id)
        await pilot.press("x")  # w/b 18 November is after today (5 Nov): asked first
        assert isinstance(app.screen, ConfirmScreen)
        assert "after today" in screen_text(app)
        await pilot.press("n")
        assert store.get(plan["seminar"].id).status is Status.PLANNED
        await pilot.press("x", "y")
        assert store.get(plan["seminar"].id).status is Status.COMPLETED
        await pilot.press("b")
        assert store.get(plan["seminar"].id).status is Status.TBC
        await pilot.press("c")  # W/b 18 November is not a firm day: ask for one
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"November", "enter")
        assert isinstance(app.screen, PromptScreen)  # still fuzzy: refused
        app.screen.query_one(Input).value = "20 November"
        await pilot.press("enter")
        seminar = store.get(plan["seminar"].id)
        assert seminar.status is Status.CONFIRMED
        assert seminar.when.start == date(2013, 11, 20) and seminar.when.is_day_precise
        actions = [h.action for h in seminar.history]
        assert actions[-3:] == ["status completed", "status tbc", "firm up"]


async def test_quit_saves_the_change(app, store, plan, tmp_path):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2")
        table(app).select_id(plan["culture"].id)
        await pilot.press("x", "q")
    reopened = ActivityStore(tmp_path / "plan.json")
    assert reopened.get(plan["culture"].id).status is Status.COMPLETED


async def test_save_failure_is_shown_and_change_kept(app, store, plan, tmp_path):
    before = (tmp_path / "plan.json").read_bytes()

    def disk_full(path, payload):
        raise OSError(errno.ENOSPC, "No space left on device")

    store.storage.write_hook = disk_full
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2")
        table(app).select_id(plan["culture"].id)
        await pilot.press("x")
        await app.workers.wait_for_complete()
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("No space left" in m for m in notifications(app))
        assert store.get(plan["culture"].id).status is Status.COMPLETED
        assert store.dirty
        assert (tmp_path / "plan.json").read_bytes() == before
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)  # quit asks before losing the change
        await pilot.press("n")
        assert app.is_running


# -- shell -----------------------------------------------------------------------------


async def test_modes_switch_by_key_and_by_click(app):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2")
        assert app.current_mode == "activities"
        await pilot.press("3")
        assert app.current_mode == "board"
        await pilot.press("1")
        assert app.current_mode == "calendar"
        await pilot.click("#tab-activities")
        await pilot.pause()
        assert app.current_mode == "activities"


async def test_help_lists_bindings(app):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(shown(s) for s in app.screen.query("Static"))
        for words in ("Next month", "Go to", "Filter", "Undo", "Confirm", "Year"):
            assert words in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_user_keymap_remaps_a_binding(store, plan):
    app = make_app(store, today=TODAY, keymap={"app.new": "a"})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, ActivityForm)


async def test_status_keys_disabled_without_a_selection(app):
    async with app.run_test(size=SIZE, notifications=True):
        # Today (5 Nov) has no activity: nothing to confirm.
        assert app.controller.check_action("set_status", ("confirmed",)) is None
        assert app.controller.check_action("edit", ()) is None


async def test_export_ics_from_the_palette_action(app, store, tmp_path):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.controller.export_ics()
        await app.workers.wait_for_complete()
        await pilot.pause()
        feed = (tmp_path / "plan.ics").read_bytes()
        assert b"SUMMARY:Sport Academy" in feed  # the confirmed, day-precise one
        assert b"Libraries seminar" not in feed  # planned: not in the default feed
        assert any("wrote" in m and "plan.ics" in m for m in notifications(app))


async def test_a_crowded_tray_sends_the_rest_to_the_list(store, plan):
    with store.transaction("many"):
        for i in range(45):
            store.add(activity(f"Fuzzy {i}", "November"))
    app = make_app(store, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        tray = app.screen.query_one("#tray", OptionList)
        assert tray.option_count == 41  # 40 shown, then "… and N more"
        more = tray.get_option_at_index(40)
        assert "and 6 more" in str(more.prompt)  # 46 fuzzy November items in all
        tray.focus()
        tray.highlighted = 40
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "activities"
        assert app.screen.query_one("#filter", Input).value == "month:2013-11"


async def test_import_a_table_from_the_app_as_one_undo_step(app, store, tmp_path):
    table_file = tmp_path / "extra.tsv"
    table_file.write_text(
        "Activity\tDate\tTarget audience\tLink to business plan\tLead officer\n"
        "Heritage peer review Bath (2 days)\t3/4 March\tIndividual council\tgrowth\tLC\n",
        encoding="utf-8",
    )
    store.set_meta("plan_year", "2013/14")
    before = len(store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.controller.import_table()
        await pilot.pause()
        app.screen.query_one(Input).value = str(table_file)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        # The dry run first: what the file would change, nothing written yet.
        assert isinstance(app.screen, PreviewScreen)
        preview = shown(app.screen.query_one("#preview-report"))
        assert "Added (1)" in preview and "Heritage peer review Bath" in preview
        assert len(store) == before
        await pilot.press("a")
        await pilot.pause()
        bath = [a for a in store.activities() if a.place == "Bath"]
        assert len(bath) == 1 and bath[0].when.start == date(2014, 3, 3)
        assert any("1 added" in m for m in notifications(app))
        await pilot.press("u")
        assert len(store) == before


async def test_an_empty_plan_says_how_to_start(tmp_path):
    app = make_app(ActivityStore(tmp_path / "new.json", autosave=False), today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert any("This plan is empty" in m for m in notifications(app))
        assert grid(app).selected == TODAY


async def test_quick_filters_combine_with_the_typed_query(app):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2")
        app.screen.query_one("#quick-theme").value = "theme:sport"
        await pilot.pause()
        assert sorted(titles(app)) == [
            "Sport Academy",
            "Sport action learning set",
            "Sport peer review Derby",
        ]
        lead = app.screen.query_one("#quick-lead")
        choices = lead.query_one("SelectOverlay")  # the dropdown's list (an OptionList)
        prompts = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        assert prompts[-3:] == ["JW", "LC", "SN"]
        lead.value = "lead:SN"
        app.screen.query_one("#filter", Input).value = "-status:completed"
        await pilot.pause()
        assert titles(app) == ["Sport action learning set"]
        assert "filter: -status:completed theme:sport lead:SN" in shown(
            app.screen.query_one("#totals")
        )


async def test_ctrl_q_saves_like_q(app, store, plan, tmp_path):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2")
        table(app).select_id(plan["culture"].id)
        await pilot.press("x", "ctrl+q")
    assert ActivityStore(tmp_path / "plan.json").get(plan["culture"].id).status is Status.COMPLETED


async def test_the_calendar_stops_at_the_ends_of_time(app):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("g", *"9999-12", "enter")
        assert isinstance(app.screen, PromptScreen)  # refused, with the reason shown
        assert "outside the calendar" in shown(app.screen.query_one("#prompt-hint"))
        await pilot.press("escape")
        grid(app).selected = date(2, 1, 3)
        await pilot.press("left_square_bracket", "up", "h", "h", "h")
        assert app.is_running and grid(app).selected == date(2, 1, 1)


async def test_import_asks_the_plan_year_when_the_file_names_none(app, store, tmp_path):
    table_file = tmp_path / "annex.tsv"
    table_file.write_text(
        "Activity\tDate\tTarget audience\tLink to business plan\tLead officer\n"
        "Tourism seminar York\t12 February\tTourism PHs\tgrowth\tJW\n",
        encoding="utf-8",
    )
    assert store.meta("plan_year") is None  # nothing to fall back on: ask
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.controller.import_table()
        await pilot.pause()
        app.screen.query_one(Input).value = str(table_file)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        assert "does not say which plan year" in shown(app.screen.query_one(".dialog-text"))
        app.screen.query_one(Input).value = "2014/15"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PreviewScreen)
        assert "plan year 2014/15" in shown(app.screen.query_one(".dialog-title"))
        await pilot.press("escape")  # cancelled: nothing written
        await pilot.pause()
        assert not [a for a in store.activities() if a.place == "York"]
        assert any("Import cancelled" in m for m in notifications(app))


async def test_import_of_a_file_that_is_not_a_plan_says_why(app, store, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("shopping list\nmilk\n", encoding="utf-8")
    before = len(store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.controller.import_table()
        await pilot.pause()
        app.screen.query_one(Input).value = str(bad)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, PreviewScreen)
        assert any("notes.txt" in m for m in notifications(app))
    assert len(store) == before


async def test_confirming_a_fuzzy_date_that_named_its_year_keeps_the_year(app, store):
    later = store.add(
        Activity(title="Heritage summit", when=DateSpec.parse("10 or 11 July 2014", PLAN_YEAR))
    )
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2")
        table(app).select_id(later.id)
        await pilot.press("c")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"10 July", "enter")
        firm = store.get(later.id)
        assert firm.status is Status.CONFIRMED
        assert firm.when.start == date(2014, 7, 10)
        assert "2014" in firm.when.text  # not read back into 2013 anywhere later
