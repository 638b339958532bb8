"""The planner under hostile text, a plan changed by another program, a plan in use.

What reaches the terminal is checked on the screen's rendered strips: user text
must never carry a raw control character (ESC would let a title recolour or
clear the terminal, or plant an OSC 8 link), and every line keeps the
screen's width whatever the text.
"""

from __future__ import annotations

import errno
import io
import re
from datetime import date

from rich.console import Console
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from ctstui.domain.dates import DateSpec, Precision
from ctstui.domain.model import Activity, Status
from ctstui.store.activity_store import ActivityStore
from ctstui.tui import controller
from ctstui.tui.app import make_app
from ctstui.tui.dialogs.conflict import ConflictScreen
from ctstui.tui.dialogs.prompts import ChooseActivityScreen, ConfirmScreen
from ctstui.tui.screens.detail import DetailScreen
from ctstui.tui.widgets.activity_table import ActivityTable
from ctstui.tui.widgets.month_grid import MonthGrid

from .conftest import TODAY, notifications

SIZE = (120, 40)
HOSTILE = (
    "[bold]B[/bold] [link=http://evil]L[/link] [/] [@click=app.quit]Q[/] "
    "\x1b[31mRED\x1b[0m \x1b]8;;http://evil\x07OSC\x1b]8;;\x07 \x07bell\x08 \x9b2J "
    "\r\nX-INJECT:1 \u202eRLO\u202c עברית العربية e\u0301\u0301 🎭👩‍👩‍👧 [/"
)
RAW_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HOSTILE_DAY = date(2013, 11, 26)


async def complete(pilot) -> None:
    """x: mark completed, saying yes when asked (the activity is dated after today)."""
    await pilot.press("x")
    await pilot.pause()
    if isinstance(pilot.app.screen, ConfirmScreen):
        await pilot.press("y")


def widget_lines(app) -> list[tuple[Widget, list[Strip]]]:
    """What each widget on the screen draws, through Textual's public Line API."""
    out = []
    for widget in app.screen.query("*"):
        width, height = widget.outer_size
        if widget.display and width and height:
            out.append((widget, widget.render_lines(Region(0, 0, width, height))))
    return out


def check_terminal_output(app) -> str:
    """Every line drawn: no raw control characters, exactly its widget's width."""
    text = []
    for widget, strips in widget_lines(app):
        assert len(strips) == widget.outer_size.height, widget
        for number, strip in enumerate(strips):
            line = "".join(segment.text for segment in strip)
            assert not RAW_CONTROL.search(line), (widget, number, line)
            assert strip.cell_length == widget.outer_size.width, (widget, number, line)
            text.append(line)
    assert app.size == SIZE
    return "\n".join(text)


def shown(widget) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def hostile_activities(store: ActivityStore) -> tuple[Activity, Activity]:
    every_field = Activity(
        title=HOSTILE,
        when=DateSpec(HOSTILE, HOSTILE_DAY, HOSTILE_DAY, Precision.DAY),
        place=HOSTILE,
        audience=HOSTILE,
        places=3,
        leads=[HOSTILE, "[red]SN"],
        link=HOSTILE,
        programme=HOSTILE,
        funder=HOSTILE,
        notes=HOSTILE,
        days=1,
    )
    long = Activity(
        title="Long " + "🎭 [b]title[/b] " * 700 + "END",
        when=DateSpec("26 November", HOSTILE_DAY, HOSTILE_DAY, Precision.DAY),
        notes="n" * 10_000,
    )
    with store.transaction("hostile"):
        added = store.add(every_field), store.add(long)
    store.save()
    return added


async def test_hostile_text_is_shown_literally_and_keeps_the_layout(store, plan):
    hostile, long = hostile_activities(store)
    app = make_app(store, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        # Calendar: the day with both on it, then its list of activities.
        grid = app.screen.query_one(MonthGrid)
        grid.selected = HOSTILE_DAY
        await pilot.pause()
        screen = check_terminal_output(app)
        assert "[bold]B[/bold]" in screen or "[bold]B" in screen
        await pilot.press("enter")
        assert isinstance(app.screen, ChooseActivityScreen)
        await pilot.pause()
        screen = check_terminal_output(app)
        assert "\\x1b[31mRED" in screen and "[link=http://evil]L[/link]" in screen
        await pilot.press("escape")

        # The list: every row, each line the screen's width, text as typed.
        await pilot.press("2")
        table = app.screen.query_one(ActivityTable)
        assert len(table.rows) == len(plan) + 2
        for target in (hostile, long):
            table.select_id(target.id)
            await pilot.pause()
            screen = check_terminal_output(app)
        assert "Long 🎭 [b]title[/b]" in screen  # the long title, cut to its column
        table.select_id(hostile.id)
        await pilot.pause()
        screen = check_terminal_output(app)
        assert "! [bold]B[/bold] [link=http:/" in screen

        # The detail: every field literally, control characters made visible.
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        await pilot.pause()
        fields = shown(app.screen.query_one("#detail-fields"))
        for name in ("Title", "Place", "Audience", "Business plan", "Programme", "Funder", "Notes"):
            assert name in fields
        assert fields.count("[@click=app.quit]Q[/]") >= 7
        assert "\\x1b]8;;http://evil\\x07OSC" in fields and "\\r\\nX-INJECT:1" in fields
        assert "\\u202eRLO\\u202c" in fields and "עברית" in fields and "🎭" in fields
        assert "[red]SN" in fields
        check_terminal_output(app)
        await pilot.click("#detail-fields")  # markup must not have made anything clickable
        await pilot.press("escape")
        assert app.is_running

        # A notification quoting the title (a status change) shows it, escapes visible.
        table.select_id(hostile.id)
        await complete(pilot)
        await pilot.pause()
        assert store.get(hostile.id).status is Status.COMPLETED
        assert any("\\x1b[31mRED" in m for m in notifications(app))
        check_terminal_output(app)

        # The long one opens too, and the app is still whole.
        table.select_id(long.id)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert "END" in shown(app.screen.query_one("#detail-fields"))
        check_terminal_output(app)
        await pilot.press("escape")
        assert app.is_running and app.size == SIZE
    saved = ActivityStore(store.path).get(hostile.id)
    assert saved.title == HOSTILE and saved.notes == HOSTILE and saved.leads[0] == HOSTILE


async def settle(pilot, rounds: int = 4) -> None:
    """Let chained workers finish (a save refused, then the merge, then its save)."""
    for _ in range(rounds):
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def test_changes_to_other_activities_merge_by_themselves(store, plan, tmp_path, monkeypatch):
    monkeypatch.setattr(controller, "SAVE_DELAY", 0.01)
    monkeypatch.setattr(controller, "WATCH_EVERY", 3600)
    script = ActivityStore(tmp_path / "plan.json", who="script")
    app = make_app(store, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2")
        table = app.screen.query_one(ActivityTable)
        script.update(script.get(plan["heritage"].id).copy(place="York"))  # theirs, saved
        table.select_id(plan["culture"].id)
        await complete(pilot)  # ours: the save finds their change, merges, saves: no ctrl+r
        await settle(pilot)
        said = notifications(app)
        assert any("1 changed (“Heritage seminar”)" in m and "kept on top" in m for m in said)
        assert not store.dirty and not app.sub_title.endswith("•")
        on_disk = ActivityStore(tmp_path / "plan.json")
        assert on_disk.get(plan["culture"].id).status is Status.COMPLETED
        assert on_disk.get(plan["heritage"].id).place == "York"
        assert store.get(plan["heritage"].id).place == "York"
        assert [a.place for a in table.rows if a.id == plan["heritage"].id] == ["York"]  # redrawn

        # Nothing unsaved here: the file watch takes their change in by itself.
        script.reload()
        script.update(script.get(plan["derby"].id).copy(place="Matlock"))
        app.controller.sync.watch_file()  # what the 2-second timer does
        await settle(pilot)
        assert store.get(plan["derby"].id).place == "Matlock" and not store.dirty
        assert any("“Sport peer review Derby”" in m for m in notifications(app))


async def test_the_same_activity_changed_on_both_sides_is_put_to_the_user(
    store, plan, tmp_path, monkeypatch
):
    monkeypatch.setattr(controller, "SAVE_DELAY", 60)  # saved when the test says
    monkeypatch.setattr(controller, "WATCH_EVERY", 3600)  # the file is looked at when it says
    script = ActivityStore(tmp_path / "plan.json", who="script")
    app = make_app(store, today=TODAY)
    als, culture = plan["als"].id, plan["culture"].id
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2")
        table = app.screen.query_one(ActivityTable)
        script.update(script.get(als).copy(place="Leeds"))  # theirs
        table.select_id(als)
        await pilot.press("b")  # mine, on the same activity
        table.select_id(culture)
        await complete(pilot)  # mine, on an activity they left alone
        app.controller.save_in_background()  # what the save timer does
        await settle(pilot)
        assert isinstance(app.screen, ConflictScreen)
        assert app.sub_title.endswith("•")  # unsaved, and the title says so
        fields = shown(app.screen.query_one(".conflict-fields"))
        place = next(line for line in fields.splitlines() if line.strip().startswith("place"))
        assert "Leeds" in place and "—" in place  # theirs beside mine
        status = next(line for line in fields.splitlines() if line.strip().startswith("status"))
        assert status.index("planned") < status.index("tbc")  # theirs (planned), mine (tbc)

        await pilot.press("escape")  # decide later: nothing saved, nothing reloaded
        await pilot.pause()
        assert store.get(als).status is Status.TBC and store.dirty
        app.controller.sync.watch_file()  # no loop: the same file state is not asked again
        await settle(pilot)
        assert not isinstance(app.screen, ConflictScreen)

        await pilot.press("ctrl+r")  # asked again on request
        await settle(pilot)
        assert isinstance(app.screen, ConflictScreen)
        await pilot.press("k")  # keep mine: confirmed first
        assert isinstance(app.screen, ConfirmScreen)
        assert "over the other program's" in shown(app.screen.query_one(".dialog-text"))
        await pilot.press("y")
        await settle(pilot)
        assert not store.dirty and not app.sub_title.endswith("•")
        on_disk = ActivityStore(tmp_path / "plan.json")
        assert on_disk.get(als).status is Status.TBC and on_disk.get(als).place == ""
        assert on_disk.get(culture).status is Status.COMPLETED

        # Again, and this time take theirs: my other change still goes in.
        script.reload()
        script.update(script.get(als).copy(place="Hull"))
        table.select_id(als)
        await complete(pilot)
        table.select_id(plan["seminar"].id)
        await complete(pilot)
        app.controller.save_in_background()
        await settle(pilot)
        assert isinstance(app.screen, ConflictScreen)
        await pilot.press("t")
        await settle(pilot)
        assert not isinstance(app.screen, ConflictScreen) and not store.dirty
        on_disk = ActivityStore(tmp_path / "plan.json")
        assert on_disk.get(als).place == "Hull" and on_disk.get(als).status is Status.TBC
        assert on_disk.get(plan["seminar"].id).status is Status.COMPLETED
        assert not app.sub_title.endswith("•")


async def test_a_plan_in_use_is_announced_and_a_read_only_folder_is_reported(
    plan, tmp_path, monkeypatch
):
    monkeypatch.setattr(controller, "SAVE_DELAY", 0.01)
    path = tmp_path / "plan.json"
    monkeypatch.setenv("CTSTUI_USER", "alice")
    first = ActivityStore(path, autosave=False, session=True)
    monkeypatch.setenv("CTSTUI_USER", "bob")
    second = ActivityStore(path, autosave=False, session=True)
    before = path.read_bytes()

    def read_only(_path, _payload):
        raise OSError(errno.EROFS, "Read-only file system")

    second.storage.write_hook = read_only
    app = make_app(second, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert any("also open in ctstui: alice on" in m for m in notifications(app))
        await pilot.press("2")
        app.screen.query_one(ActivityTable).select_id(plan["culture"].id)
        await complete(pilot)
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("Read-only file system" in m and str(path) in m for m in notifications(app))
        assert second.get(plan["culture"].id).status is Status.COMPLETED  # kept in memory
        assert path.read_bytes() == before
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        question = shown(app.screen.query_one(".dialog-text"))
        assert "Read-only file system" in question and "\\n" not in question
        assert "Quit without saving?" in question
        await pilot.press("n")
        assert app.is_running
    second.close()
    first.close()
    assert not first.session_path.exists()


async def test_a_plan_file_deleted_by_another_program_is_reported_once(
    store, plan, tmp_path, monkeypatch
):
    monkeypatch.setattr(controller, "WATCH_EVERY", 3600)
    app = make_app(store, today=TODAY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        (tmp_path / "plan.json").unlink()
        app.controller.sync.watch_file()
        await settle(pilot)
        gone = [m for m in notifications(app) if "deleted or moved" in m]
        assert len(gone) == 1
        assert len(store) == len(plan)  # the plan is still open here, not emptied
        app.controller.sync.watch_file()  # the watch does not say it again and again
        await settle(pilot)
        assert len([m for m in notifications(app) if "deleted or moved" in m]) == 1
        assert not isinstance(app.screen, ConflictScreen)
