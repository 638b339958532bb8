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
from textual.strip import Strip

from ctstui.domain.dates import DateSpec, Precision
from ctstui.domain.model import Activity, Status
from ctstui.store.activity_store import ActivityStore
from ctstui.tui import actions
from ctstui.tui.app import make_app
from ctstui.tui.dialogs.prompts import ChooseActivityScreen, ConfirmScreen
from ctstui.tui.screens.detail import DetailScreen
from ctstui.tui.widgets.activity_table import ActivityTable
from ctstui.tui.widgets.month_grid import MonthGrid

from .conftest import TODAY

SIZE = (120, 40)
HOSTILE = (
    "[bold]B[/bold] [link=http://evil]L[/link] [/] [@click=app.quit]Q[/] "
    "\x1b[31mRED\x1b[0m \x1b]8;;http://evil\x07OSC\x1b]8;;\x07 \x07bell\x08 \x9b2J "
    "\r\nX-INJECT:1 \u202eRLO\u202c עברית العربية e\u0301\u0301 🎭👩‍👩‍👧 [/"
)
RAW_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HOSTILE_DAY = date(2013, 11, 26)


def screen_lines(app) -> list[Strip]:
    return app.screen._compositor.render_strips()


def check_terminal_output(app) -> str:
    """Every screen line: no raw control characters, exactly the screen's width."""
    lines = screen_lines(app)
    assert len(lines) == SIZE[1]
    text = []
    for number, strip in enumerate(lines):
        line = "".join(segment.text for segment in strip)
        assert not RAW_CONTROL.search(line), (number, line)
        assert strip.cell_length == SIZE[0], (number, line)
        text.append(line)
    assert app.size == SIZE
    return "\n".join(text)


def shown(widget) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def notifications(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


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
    async with app.run_test(size=SIZE) as pilot:
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
        await pilot.press("x")
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


async def test_a_plan_changed_elsewhere_is_noticed_and_reloaded_keeping_our_change(
    store, plan, tmp_path, monkeypatch
):
    monkeypatch.setattr(actions, "SAVE_DELAY", 0.01)
    script = ActivityStore(tmp_path / "plan.json", who="script")
    app = make_app(store, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        table = app.screen.query_one(ActivityTable)
        script.update(script.get(plan["heritage"].id).copy(place="York"))  # theirs, saved
        table.select_id(plan["culture"].id)
        await pilot.press("x")  # ours: the save finds their change and refuses
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("changed by another program" in m for m in notifications(app))
        assert store.dirty
        app.watch_file()  # what the 2-second timer does
        await pilot.pause()
        assert any("Press ctrl+r" in m and "put back on top" in m for m in notifications(app))
        await pilot.press("ctrl+r")
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("re-applied 1 unsaved change" in m for m in notifications(app))
        assert not store.dirty
        on_disk = ActivityStore(tmp_path / "plan.json")
        assert on_disk.get(plan["culture"].id).status is Status.COMPLETED
        assert on_disk.get(plan["heritage"].id).place == "York"
        assert store.get(plan["heritage"].id).place == "York"

        # Both change the same activity: asked before anything is dropped.
        script.reload()
        script.update(script.get(plan["als"].id).copy(place="Leeds"))
        table.select_id(plan["als"].id)
        await pilot.press("b")
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        question = shown(app.screen.query_one(".dialog-text"))
        assert "“Sport action learning set”" in question and "\\n" not in question
        assert "Reload anyway and drop your unsaved changes?" in question
        await pilot.press("n")
        assert store.get(plan["als"].id).status is Status.TBC and store.dirty
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert store.get(plan["als"].id).place == "Leeds" and not store.dirty
        assert store.get(plan["als"].id).status is Status.PLANNED


async def test_a_plan_in_use_is_announced_and_a_read_only_folder_is_reported(
    plan, tmp_path, monkeypatch
):
    monkeypatch.setattr(actions, "SAVE_DELAY", 0.01)
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
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any("also open in ctstui: alice on" in m for m in notifications(app))
        await pilot.press("2")
        app.screen.query_one(ActivityTable).select_id(plan["culture"].id)
        await pilot.press("x")
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
