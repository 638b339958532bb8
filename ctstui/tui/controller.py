"""The planner's controller: what the keys and the palette do to the plan.

A plain object owned by the App (no Textual base class): actions on the
selected activity, undo, saving off the UI thread, export, the palette; the
watch on the plan file (:mod:`ctstui.tui.sync`) and import
(:mod:`ctstui.tui.importing`) are its helpers.  Slow work
runs in worker threads that post a :class:`~ctstui.tui.messages.WorkerDone`
back; the App runs its ``then`` on the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TypeVar

from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.timer import Timer

from ctstui.domain.dates import DateParseError, DateSpec, PlanYear
from ctstui.domain.draft import completion_question, firm_date
from ctstui.domain.model import Activity, Status
from ctstui.domain.planview import plan_year_of
from ctstui.domain.text import printable
from ctstui.store.activity_store import (
    ActivityStore,
    FileChangedError,
    StoreError,
    StoreEvent,
)
from ctstui.tui.dialogs.prompts import ConfirmScreen, PromptScreen
from ctstui.tui.importing import PlanImport
from ctstui.tui.messages import WorkerDone
from ctstui.tui.screens.detail import DetailScreen
from ctstui.tui.screens.form import ActivityForm
from ctstui.tui.screens.help import HelpScreen
from ctstui.tui.sync import PlanSync
from ctstui.tui.widgets.month_grid import MonthGrid

T = TypeVar("T")

NEEDS_ACTIVITY = {"edit", "delete", "set_status"}
SAVE_DELAY = 0.3  # seconds: coalesces a burst of key presses into one write
WATCH_EVERY = 2.0  # seconds between looks at the plan file


def visible(text: str) -> str:
    """Untrusted text for a notification: control characters shown, line breaks kept."""
    return "\n".join(printable(line) for line in str(text).split("\n"))


class PlanController:
    """Everything the planner does to the plan, for the App and its screens."""

    def __init__(self, app: App[int], store: ActivityStore, today: date) -> None:
        self.app = app
        self.store = store
        self.today = today
        self._save_timer: Timer | None = None
        self._bindings_state: tuple | None = None
        # Ids of activities changed here and not yet saved: "mine" in a conflict.
        self.unsaved: set[str] = set()
        self.sync = PlanSync(self)
        self.imports = PlanImport(self)

    # -- helpers -----------------------------------------------------------------
    def notify(self, message: str, **kwargs) -> None:
        """A notification carrying user text: never markup, control characters shown."""
        self.app.notify(message, markup=False, **kwargs)  # the App shows control characters

    def in_worker(self, work: Callable[[], Callable[[], None]], group: str) -> None:
        """Run ``work`` in a thread; what it returns runs on the UI thread afterwards."""

        def run() -> None:
            self.app.post_message(WorkerDone(work()))

        self.app.run_worker(run, thread=True, exclusive=True, group=group, exit_on_error=True)

    def change(self, run: Callable[[], T]) -> T | None:
        """Run a store change; a problem is shown, the change stays in memory."""
        if self.sync.reloading:
            self.notify("The plan file is being re-read: try again in a moment.", timeout=4)
            return None
        try:
            return run()
        except StoreError as exc:
            self.notify(str(exc), title="Not saved", severity="error", timeout=10)
            return None

    def start(self) -> None:
        """Once the app is up: say who else has the plan open; watch the file."""
        other = self.store.other_session()
        if other is not None:
            self.notify(
                f"{self.store.path.name} is also open in ctstui: {other.describe()}. When "
                "they save, their changes are merged into yours; only an activity you "
                "both changed is put to you.",
                title="Plan in use",
                severity="warning",
                timeout=20,
            )
        self.app.set_interval(WATCH_EVERY, self.sync.watch_file)

    def plan_changed(self, event: StoreEvent) -> None:
        """After every store event (UI thread): track what is unsaved, save soon."""
        if event.kind in ("change", "undo", "redo"):
            self.unsaved.update(event.ids)
        elif not self.store.dirty:
            self.unsaved.clear()
        if event.kind == "saved":
            return
        self.selection_changed()
        if event.kind in ("change", "undo", "redo"):
            self.schedule_save()

    # -- what applies --------------------------------------------------------------
    def selected_activity(self) -> Activity | None:
        getter = getattr(self.app.screen, "selected_activity", None)
        return getter() if getter else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in NEEDS_ACTIVITY:
            activity = self.selected_activity()
            if activity is None:
                return None  # shown disabled: select an activity first
            if action == "set_status" and activity.status.value == parameters[0]:
                return None
        if action == "undo":
            return True if self.store.can_undo else None
        if action == "redo":
            return True if self.store.can_redo else None
        return True

    def selection_changed(self) -> None:
        """Refresh the footer only when what the keys can act on has changed.

        ``refresh_bindings`` rebuilds the footer; doing it on every cursor move
        would make moving around the calendar and list slow.
        """
        activity = self.selected_activity()
        state = (
            id(self.app.screen),
            activity is not None,
            activity.status if activity else None,
            self.store.can_undo,
            self.store.can_redo,
        )
        if state != self._bindings_state:
            self._bindings_state = state
            self.app.refresh_bindings()

    def plan_year(self) -> PlanYear:
        grids = self.app.screen.query(MonthGrid)
        if grids:
            return plan_year_of(grids.first().selected)
        return PlanYear.stated_or_current(self.store.meta("plan_year"), self.today)

    # -- adding and editing -------------------------------------------------------------
    def new(self) -> None:
        def done(activity: Activity | None) -> None:
            if activity and self.change(lambda: self.store.add(activity)):
                self.notify(f"Added: {activity.title}")

        self.app.push_screen(ActivityForm(None, self.plan_year()), done)

    def edit(self) -> None:
        current = self.selected_activity()
        if current is None:
            return
        when = current.when.start or current.when.end
        plan_year = plan_year_of(when) if when else self.plan_year()

        def done(activity: Activity | None) -> None:
            if activity:
                self.change(lambda: self.store.update(activity, action="edit"))

        self.app.push_screen(ActivityForm(current, plan_year), done)

    def delete(self) -> None:
        current = self.selected_activity()
        if current is None:
            return

        def done(yes: bool | None) -> None:
            if yes and self.change(lambda: self.store.delete(current.id)):
                self.notify(f"Deleted: {current.title} (u to undo)")

        self.app.push_screen(ConfirmScreen(f"Delete “{current.title}”?"), done)

    def set_status(self, status: str) -> None:
        current = self.selected_activity()
        if current is None:
            return
        new = Status(status)
        if new is Status.CONFIRMED and not current.when.is_day_precise:
            self.firm_up(current)
            return

        def apply(go: bool | None = True) -> None:
            if go and self.change(lambda: self.store.set_status(current.id, new)):
                self.notify(f"{current.title}: {current.status.value} → {new.value}")

        question = completion_question(current, self.today) if new is Status.COMPLETED else None
        if question:  # a slip of x would report as delivered what has not happened yet
            self.app.push_screen(ConfirmScreen(question), apply)
        else:
            apply()

    def firm_up(self, activity: Activity) -> None:
        """Confirming a fuzzy date asks for the firm day(s)."""
        start = activity.when.start or activity.when.end
        plan_year = plan_year_of(start) if start else self.plan_year()

        def check(text: str) -> str | None:
            try:
                spec = firm_date(text, activity.when, plan_year)
            except DateParseError as exc:
                return str(exc)
            if not spec.is_day_precise:
                return f"{text!r} is not a firm day: give the day(s), such as 10 July or 14/15 May"
            return None

        def done(text: str | None) -> None:
            if not text:
                return
            spec = firm_date(text, activity.when, plan_year)  # keeps a year the old text named
            firm = activity.copy(when=spec, status=Status.CONFIRMED)
            if self.change(lambda: self.store.update(firm, action="firm up")):
                self.notify(f"Confirmed for {spec.describe()}")

        self.app.push_screen(
            PromptScreen(
                f"Firm up “{activity.title}” (was {activity.when.text or 'undated'}): which day(s)?",
                placeholder="10 July, 14/15 May",
                check=check,
                hint=lambda t: DateSpec.parse(t, plan_year).describe(),
            ),
            done,
        )

    # -- undo, detail, help ------------------------------------------------------------------
    def undo(self) -> None:
        label = self.change(self.store.undo)
        self.notify(f"Undone: {label}" if label else "Nothing to undo")

    def redo(self) -> None:
        label = self.change(self.store.redo)
        self.notify(f"Redone: {label}" if label else "Nothing to redo")

    def open_detail(self, activity_id: str) -> None:
        self.app.push_screen(DetailScreen(activity_id))

    def help(self) -> None:
        if not isinstance(self.app.screen, HelpScreen):
            self.app.push_screen(HelpScreen(self.app.screen))

    # -- saving --------------------------------------------------------------------------
    def schedule_save(self, delay: float | None = None) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        if delay == 0:
            self._save_timer = None
            self.save_in_background()
            return
        self._save_timer = self.app.set_timer(delay or SAVE_DELAY, self.save_in_background)

    def save_in_background(self) -> None:
        def work() -> Callable[[], None]:
            try:
                self.store.save()
            except FileChangedError:
                return lambda: self.sync.merge_from_disk(after_refused_save=True)
            except StoreError as exc:
                error = str(exc)
                return lambda: self.notify(error, title="Not saved", severity="error", timeout=15)
            return lambda: None

        self.in_worker(work, "save")

    def quit_saving(self) -> None:
        try:
            self.store.save()
        except StoreError as exc:
            changed = isinstance(exc, FileChangedError)

            def done(quit_anyway: bool | None) -> None:
                if quit_anyway:
                    self.app.exit(1)
                elif changed:
                    self.sync.merge_from_disk(manual=True)

            hint = "\n\n(Stay, and their changes are merged with yours first.)" if changed else ""
            self.app.push_screen(
                ConfirmScreen(f"{exc}{hint}\n\nQuit without saving?", yes="Quit", no="Stay"),
                done,
            )
            return
        self.app.exit(0)

    # -- another program's changes, import (see sync.py, importing.py) -----------------------
    def reload(self) -> None:
        """ctrl+r: re-read the file now (unsaved changes are put back on top of it)."""
        self.sync.merge_from_disk(manual=True)

    def import_table(self) -> None:
        self.imports.start()

    # -- export ------------------------------------------------------------------------------
    def export_ics(self) -> None:
        self.notify("Exporting the .ics feed…", timeout=2)

        def work() -> Callable[[], None]:
            from ctstui.feed.ical import default_feed_path, export_feed

            try:
                report = export_feed(
                    self.store, default_feed_path(self.store.path), today=self.today
                )
            except (OSError, StoreError) as exc:
                error = str(exc)
                return lambda: self._exported([], [error], failed=True)
            lines, warnings = report.lines(), report.warnings
            return lambda: self._exported(lines, warnings)

        self.in_worker(work, "export")

    def _exported(self, lines: list[str], warnings: list[str], *, failed: bool = False) -> None:
        text = "\n".join(lines + [f"warning: {w}" for w in warnings])
        severity = "error" if failed else ("warning" if warnings else "information")
        self.notify(text, title="Export .ics", severity=severity, timeout=12)

    # -- command palette -------------------------------------------------------------------
    def palette_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Go to month", "Show a month or day on the calendar", self.goto)
        yield SystemCommand("New activity", "Add an activity", self.new)
        yield SystemCommand("Filter activities", "Filter the list with a query", self.filter)
        yield SystemCommand(
            "Start review round", "Rate every open activity in turn", self.review_round
        )
        yield SystemCommand("Export .ics", "Write the calendar feed", self.export_ics)
        yield SystemCommand(
            "Import plan table",
            "Read a plan table, preview what it changes, then merge it in",
            self.import_table,
        )
        yield SystemCommand("Help: keys", "Every key binding", self.help)
        yield SystemCommand("Reload plan file", "Re-read the file from disk", self.reload)
        yield SystemCommand(
            "Light/dark theme", "Switch between the light and the dark theme", self.toggle_dark
        )

    def toggle_dark(self) -> None:
        dark = self.app.current_theme.dark
        self.app.theme = "textual-light" if dark else "textual-dark"

    def _in_mode(self, mode: str, action: str) -> None:
        self.app.switch_mode(mode)
        self.app.call_after_refresh(lambda: getattr(self.app.screen, f"action_{action}")())

    def goto(self) -> None:
        self._in_mode("calendar", "goto")

    def review_round(self) -> None:
        self._in_mode("board", "review_round")

    def filter(self) -> None:
        self._in_mode("activities", "focus_filter")
