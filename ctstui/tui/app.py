"""The ctstui app: four screens (modes) over one ActivityStore.  Built by :func:`make_app`.

The App wires things together and stays small: what the keys do lives in the
:class:`~ctstui.tui.controller.PlanController`; screens see the App only as a
:class:`~ctstui.tui.host.PlannerHost`.
"""

from __future__ import annotations

import inspect
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
from ctstui.tui.screens.loading import LoadingScreen
from ctstui.tui.screens.report import ReportScreen

__all__ = ["PlannerApp", "load_keymap", "make_app"]

T = TypeVar("T")


class PlannerApp(App[int]):
    CSS_PATH = ["styles/app.tcss", "styles/dialogs.tcss"]
    MODES = {
        "loading": LoadingScreen,  # first paint, while the plan is read in a worker
        "calendar": CalendarScreen,
        "activities": ActivitiesScreen,
        "board": BoardScreen,
        "report": ReportScreen,
    }
    DEFAULT_MODE = "loading"
    BINDINGS = [
        Binding("1", "switch_mode('calendar')", "Calendar", show=False, id="app.calendar"),
        Binding("2", "switch_mode('activities')", "List", show=False, id="app.activities"),
        Binding("3", "switch_mode('board')", "Board", show=False, id="app.board"),
        Binding("4", "switch_mode('report')", "Report", show=False, id="app.report"),
        Binding("n", "plan('new')", "New", id="app.new"),
        Binding("e", "plan('edit')", "Edit", id="app.edit"),
        Binding("d", "plan('delete')", "Delete", show=False, id="app.delete"),
        Binding("c", "plan('set_status', 'confirmed')", "Confirm", id="app.confirm"),
        Binding("x", "plan('set_status', 'completed')", "Done", id="app.complete"),
        Binding("b", "plan('set_status', 'tbc')", "Back to TBC", show=False, id="app.tbc"),
        Binding("u,ctrl+z", "plan('undo')", "Undo", id="app.undo"),
        Binding("ctrl+y", "plan('redo')", "Redo", show=False, id="app.redo"),
        Binding("ctrl+r", "plan('reload')", "Reload file", show=False, id="app.reload"),
        Binding("question_mark", "plan('help')", "Help", id="app.help"),
        Binding("q", "plan('quit_saving')", "Quit", id="app.quit"),
        # Textual's own ctrl+q would exit without saving: route it through the save.
        Binding(
            "ctrl+q", "plan('quit_saving')", "Quit", show=False, priority=True, id="app.quit_ctrl"
        ),
    ]

    plan_version: var[int] = var(0)
    """Bumped after every change to the plan: screens watch it to redraw."""

    store: ActivityStore
    controller: PlanController

    def __init__(
        self,
        plan: ActivityStore | Callable[[], ActivityStore],
        *,
        today: date,
        keymap: UserKeymap,
    ) -> None:
        """``plan``: the store, or how to open it (read in a worker after the first paint)."""
        super().__init__()
        self.today = today
        self.user_keymap = keymap
        self.loaded = False  # nothing can be changed until the file has passed its checks
        self.load_error: Exception | None = None  # a refused file: the launcher reports it
        self._plan = plan
        self.title = "ctstui"
        self.sub_title = "opening the plan…"

    def _store_event(self, event: StoreEvent) -> None:
        self.post_message(PlanChanged(event))  # may run on a worker's thread: thread-safe

    async def on_mount(self) -> None:
        self.set_keymap(self.user_keymap.bindings)
        for problem in self.user_keymap.problems:
            self.notify(
                problem, title="Keymap not used", severity="error", timeout=20, markup=False
            )
        if isinstance(self._plan, ActivityStore):
            await self._start(self._plan)
        else:
            self.run_worker(self._open, thread=True, group="load", exit_on_error=False)

    def _open(self) -> None:
        """In a worker: open and check the plan file; the UI thread takes it from there."""
        assert not isinstance(self._plan, ActivityStore)
        try:
            store = self._plan()
        except Exception as exc:  # any refusal: the launcher reports it, as before the planner ran
            error = exc
            self.post_message(WorkerDone(lambda: self._refused(error)))
            return
        self.post_message(WorkerDone(lambda: self._start(store)))

    def _refused(self, error: Exception) -> None:
        self.load_error = error
        self.exit(return_code=2)

    async def _start(self, store: ActivityStore) -> None:
        self.store = store
        self.controller = PlanController(self, store, self.today)
        self.sub_title = printable(store.path.name)
        store.subscribe(self._store_event)
        await self.switch_mode("calendar")
        self.loaded = True  # keys act from here on, on a screen that is drawn
        self.refresh_bindings()
        self.controller.start()

    def on_plan_changed(self, message: PlanChanged) -> None:
        self.sub_title = printable(self.store.path.name) + (" •" if self.store.dirty else "")
        if message.event.kind != "saved":
            self.plan_version += 1
        self.controller.plan_changed(message.event)

    async def on_worker_done(self, message: WorkerDone) -> None:
        result = message.then()
        if inspect.isawaitable(result):
            await result

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

    def schedule_save(self) -> None:
        self.controller.schedule_save()

    def selection_changed(self) -> None:
        self.controller.selection_changed()

    # -- keys and palette -----------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action != "plan":
            return self.loaded  # switching screens waits for the plan, as everything else
        command, *args = parameters
        if not self.loaded:
            return command == "quit_saving"  # False hides the key while the plan loads
        return self.controller.check_action(str(command), tuple(args))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.loaded:
            yield from self.controller.palette_commands(screen)

    def action_plan(self, command: str, *args: str) -> None:
        """Every planner key runs a controller command: ``plan('set_status', 'completed')``."""
        if command == "quit_saving" and not self.loaded:
            self.exit(0)  # nothing read yet, nothing to save
        else:
            getattr(self.controller, command)(*args)


def make_app(
    plan: ActivityStore | Callable[[], ActivityStore],
    *,
    today: date | None = None,
    keymap: UserKeymap | dict[str, str] | None = None,
) -> PlannerApp:
    """The app over ``plan``: a store (tests pass one on ``tmp_path`` and a fixed today),
    or a function that opens it, called in a worker once the planner has painted."""
    if not isinstance(keymap, UserKeymap):
        keymap = UserKeymap(dict(keymap or {}))
    return PlannerApp(plan, today=today or date.today(), keymap=keymap)
