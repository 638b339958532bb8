"""The ctstui app: four screens (modes) over one ActivityStore.  Built by :func:`make_app`.

The App wires things together and stays small: what the keys do lives in the
:class:`~ctstui.tui.controller.PlanController`; screens see the App only as a
:class:`~ctstui.tui.host.PlannerHost`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TypeVar

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import Screen

from ctstui.domain.text import printable
from ctstui.store.activity_store import ActivityStore, StoreEvent
from ctstui.tui.controller import PlanController, visible
from ctstui.tui.keymap import UserKeymap, load_keymap
from ctstui.tui.messages import PlanChanged, WorkerDone
from ctstui.tui.screens.activities import ActivitiesScreen
from ctstui.tui.screens.board import BoardScreen
from ctstui.tui.screens.calendar import CalendarScreen
from ctstui.tui.screens.report import ReportScreen

__all__ = ["PlannerApp", "load_keymap", "make_app"]

T = TypeVar("T")


class PlannerApp(App[int]):
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

    plan_version: var[int] = var(0)
    """Bumped after every change to the plan: screens watch it to redraw."""

    def __init__(self, store: ActivityStore, *, today: date, keymap: UserKeymap) -> None:
        super().__init__()
        self.store = store
        self.today = today
        self.user_keymap = keymap
        self.controller = PlanController(self, store, today)
        self.title = "ctstui"
        self.sub_title = printable(store.path.name)
        store.subscribe(self._store_event)

    def _store_event(self, event: StoreEvent) -> None:
        self.post_message(PlanChanged(event))  # may run on a worker's thread: thread-safe

    def on_mount(self) -> None:
        self.set_keymap(self.user_keymap.bindings)
        for problem in self.user_keymap.problems:
            self.controller.notify(problem, title="Keymap not used", severity="error", timeout=20)
        self.controller.start()

    def on_plan_changed(self, message: PlanChanged) -> None:
        self.sub_title = printable(self.store.path.name) + (" •" if self.store.dirty else "")
        if message.event.kind != "saved":
            self.plan_version += 1
        self.controller.plan_changed(message.event)

    def on_worker_done(self, message: WorkerDone) -> None:
        message.then()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Notifications without markup carry user text (titles, file names, error
        messages): show their control characters instead of sending them to the
        terminal (Textual strips only a few, not ESC)."""
        if not markup:
            message, title = visible(message), printable(title)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    # -- PlannerHost --------------------------------------------------------------
    def change(self, run: Callable[[], T]) -> T | None:
        return self.controller.change(run)

    def open_detail(self, activity_id: str) -> None:
        self.controller.open_detail(activity_id)

    def selection_changed(self) -> None:
        self.controller.selection_changed()

    # -- keys and palette -----------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.controller.check_action(action, parameters)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from self.controller.palette_commands(screen)

    def action_new(self) -> None:
        self.controller.new()

    def action_edit(self) -> None:
        self.controller.edit()

    def action_delete(self) -> None:
        self.controller.delete()

    def action_set_status(self, status: str) -> None:
        self.controller.set_status(status)

    def action_undo(self) -> None:
        self.controller.undo()

    def action_redo(self) -> None:
        self.controller.redo()

    def action_reload(self) -> None:
        self.controller.reload()

    def action_help(self) -> None:
        self.controller.help()

    def action_quit_saving(self) -> None:
        self.controller.quit_saving()


def make_app(
    store: ActivityStore,
    *,
    today: date | None = None,
    keymap: UserKeymap | dict[str, str] | None = None,
) -> PlannerApp:
    """The app over ``store`` (tests pass a store on ``tmp_path`` and a fixed today)."""
    if not isinstance(keymap, UserKeymap):
        keymap = UserKeymap(dict(keymap or {}))
    return PlannerApp(store, today=today or date.today(), keymap=keymap)
