"""The ctstui app: four screens over one ActivityStore.  Built by :func:`make_app`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from ctstui.domain.text import printable
from ctstui.store.activity_store import ActivityStore, StoreEvent
from ctstui.tui.actions import ActivityActions
from ctstui.tui.importing import ImportActions
from ctstui.tui.messages import PlanChanged
from ctstui.tui.screens.activities import ActivitiesScreen
from ctstui.tui.screens.board import BoardScreen
from ctstui.tui.screens.calendar import CalendarScreen
from ctstui.tui.screens.report import ReportScreen


class PlannerApp(ActivityActions, ImportActions, App[int]):
    CSS_PATH = "styles/app.tcss"
    MODES = {
        "calendar": CalendarScreen,
        "activities": ActivitiesScreen,
        "board": BoardScreen,
        "report": ReportScreen,
    }
    DEFAULT_MODE = "calendar"
    BINDINGS = [
        Binding("1", "switch_mode('calendar')", "Calendar", show=False, id="app.calendar"),
        Binding("2", "switch_mode('activities')", "List", show=False, id="app.activities"),
        Binding("3", "switch_mode('board')", "Board", show=False, id="app.board"),
        Binding("4", "switch_mode('report')", "Report", show=False, id="app.report"),
        Binding("n", "new", "New", id="app.new"),
        Binding("e", "edit", "Edit", id="app.edit"),
        Binding("d", "delete", "Delete", show=False, id="app.delete"),
        Binding("c", "set_status('confirmed')", "Confirm", id="app.confirm"),
        Binding("x", "set_status('completed')", "Done", id="app.complete"),
        Binding("b", "set_status('tbc')", "Back to TBC", show=False, id="app.tbc"),
        Binding("u,ctrl+z", "undo", "Undo", id="app.undo"),
        Binding("ctrl+y", "redo", "Redo", show=False, id="app.redo"),
        Binding("ctrl+r", "reload", "Reload file", show=False, id="app.reload"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("q", "quit_saving", "Quit", id="app.quit"),
        # Textual's own ctrl+q would exit without saving: route it through the save.
        Binding("ctrl+q", "quit_saving", "Quit", show=False, priority=True, id="app.quit_ctrl"),
    ]

    def __init__(self, store: ActivityStore, *, today: date, keymap: dict | None = None) -> None:
        super().__init__()
        self.store = store
        self.today = today
        self._keymap = keymap or {}
        self.title = "ctstui"
        self.sub_title = printable(store.path.name)
        store.subscribe(self._store_event)

    def on_mount(self) -> None:
        if self._keymap:
            self.set_keymap(self._keymap)
        self.set_interval(2.0, self.watch_file)

    def _store_event(self, event: StoreEvent) -> None:
        # May run on a save worker's thread: post_message is thread-safe.
        self.post_message(PlanChanged(event))

    def on_plan_changed(self, message: PlanChanged) -> None:
        if message.event.kind == "saved":
            self.sub_title = printable(self.store.path.name)
            return
        self.sub_title = f"{printable(self.store.path.name)} •"  # unsaved
        for screen in self.screen_stack_everywhere():
            if hasattr(screen, "refresh_plan"):
                if screen is self.screen or screen in self.screen_stack:
                    screen.refresh_plan()
                else:
                    screen.stale = True
        self.selection_changed()
        if message.event.kind in ("change", "undo", "redo"):
            self.schedule_save()

    def screen_stack_everywhere(self) -> Iterable[Screen]:
        seen = set()
        for stack in self._screen_stacks.values():
            for screen in stack:
                if id(screen) not in seen:
                    seen.add(id(screen))
                    yield screen

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from self.palette_commands()
        yield SystemCommand(
            "Import plan table", "Read a plan table and merge it in", self.action_import_table
        )


def load_keymap(path: Path) -> dict[str, str]:
    """A user keymap: {"binding id": "keys"}; a broken file is ignored with a warning."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def make_app(
    store: ActivityStore, *, today: date | None = None, keymap: dict | None = None
) -> PlannerApp:
    """The app over ``store`` (tests pass a store on ``tmp_path`` and a fixed today)."""
    return PlannerApp(store, today=today or date.today(), keymap=keymap)
