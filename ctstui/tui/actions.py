"""The app's actions on activities: add, edit, delete, status, undo, save, reload."""

from __future__ import annotations

from collections.abc import Iterable

from textual import work
from textual.app import SystemCommand
from textual.message import Message

from ctstui.domain.dates import DateParseError, DateSpec, PlanYear
from ctstui.domain.model import Activity, Status
from ctstui.domain.planview import plan_year_of
from ctstui.domain.text import printable
from ctstui.store.activity_store import FileChangedError, ReapplyConflict, StoreError
from ctstui.tui.dialogs.prompts import ConfirmScreen, PromptScreen
from ctstui.tui.screens.detail import DetailScreen
from ctstui.tui.screens.form import ActivityForm
from ctstui.tui.screens.help import HelpScreen

NEEDS_ACTIVITY = {"edit", "delete", "set_status"}
SAVE_DELAY = 0.3  # seconds: coalesces a burst of key presses into one write


class SaveFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class ExportDone(Message):
    def __init__(self, lines: list[str], warnings: list[str], *, failed: bool = False) -> None:
        super().__init__()
        self.lines = lines
        self.warnings = warnings
        self.failed = failed


def visible(text: str) -> str:
    """Untrusted text for a notification: control characters shown, line breaks kept."""
    return "\n".join(printable(line) for line in str(text).split("\n"))


class ActivityActions:
    """Mixed into the App: actions that work on the current screen's activity."""

    _save_timer = None
    _warned_changed = False

    def on_mount(self) -> None:
        # Textual calls each class's handler in the MRO: this runs beside the App's.
        other = self.store.other_session()
        if other is not None:
            self.notify(
                f"{self.store.path.name} is also open in ctstui: {other.describe()}. Your "
                "changes and theirs are never written over each other: if they save first, "
                "you will be asked to reload (ctrl+r), which keeps your unsaved changes.",
                title="Plan in use",
                severity="warning",
                timeout=20,
                markup=False,
            )

    def notify(self, message: str, *, markup: bool = True, **kwargs) -> None:
        """Notifications without markup carry user text (titles, file names,
        error messages): show their control characters instead of sending them
        to the terminal (Textual strips only a few, not ESC)."""
        if not markup:
            message = visible(message)
            if kwargs.get("title"):
                kwargs["title"] = printable(kwargs["title"])
        super().notify(message, markup=markup, **kwargs)  # type: ignore[misc]

    # -- what applies ----------------------------------------------------------------
    def selected_activity(self) -> Activity | None:
        getter = getattr(self.screen, "selected_activity", None)
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

    _bindings_state: tuple | None = None

    def selection_changed(self) -> None:
        """Refresh the footer only when what the keys can act on has changed.

        ``refresh_bindings`` rebuilds the footer; doing it on every cursor move
        would make moving around the calendar and list slow.
        """
        activity = self.selected_activity()
        state = (
            id(self.screen),
            activity is not None,
            activity.status if activity else None,
            self.store.can_undo,
            self.store.can_redo,
        )
        if state != self._bindings_state:
            self._bindings_state = state
            self.refresh_bindings()

    def plan_year(self) -> PlanYear:
        from ctstui.tui.widgets.month_grid import MonthGrid

        grids = self.screen.query(MonthGrid)
        if grids:
            return plan_year_of(grids.first().selected)
        stored = self.store.meta("plan_year")
        if isinstance(stored, str):
            try:
                return PlanYear.parse(stored)
            except ValueError:
                pass
        return plan_year_of(self.today)

    # -- adding and editing -------------------------------------------------------------
    def action_new(self) -> None:
        def done(activity: Activity | None) -> None:
            if activity:
                self._guard(lambda: self.store.add(activity))
                self.notify(f"Added: {activity.title}", markup=False)

        self.push_screen(ActivityForm(None, self.plan_year()), done)

    def action_edit(self) -> None:
        current = self.selected_activity()
        if current is None:
            return
        when = current.when.start or current.when.end
        plan_year = plan_year_of(when) if when else self.plan_year()

        def done(activity: Activity | None) -> None:
            if activity:
                self._guard(lambda: self.store.update(activity, action="edit"))

        self.push_screen(ActivityForm(current, plan_year), done)

    def action_delete(self) -> None:
        current = self.selected_activity()
        if current is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self._guard(lambda: self.store.delete(current.id))
                self.notify(f"Deleted: {current.title} (u to undo)", markup=False)

        self.push_screen(ConfirmScreen(f"Delete “{current.title}”?"), done)

    def action_set_status(self, status: str) -> None:
        current = self.selected_activity()
        if current is None:
            return
        new = Status(status)
        if new is Status.CONFIRMED and not current.when.is_day_precise:
            self.firm_up(current)
            return
        self._guard(lambda: self.store.set_status(current.id, new))
        self.notify(f"{current.title}: {current.status.value} → {new.value}", markup=False)

    def firm_up(self, activity: Activity) -> None:
        """Confirming a fuzzy date asks for the firm day(s)."""
        start = activity.when.start or activity.when.end
        plan_year = plan_year_of(start) if start else self.plan_year()

        def check(text: str) -> str | None:
            try:
                spec = DateSpec.parse(text, plan_year)
            except DateParseError as exc:
                return str(exc)
            if not spec.is_day_precise:
                return f"{text!r} is not a firm day: give the day(s), such as 10 July or 14/15 May"
            return None

        def done(text: str | None) -> None:
            if not text:
                return
            spec = DateSpec.parse(text, plan_year)
            self._guard(
                lambda: self.store.update(
                    activity.copy(when=spec, status=Status.CONFIRMED), action="firm up"
                )
            )
            self.notify(f"Confirmed for {spec.describe()}", markup=False)

        self.push_screen(
            PromptScreen(
                f"Firm up “{activity.title}” (was {activity.when.text or 'undated'}): which day(s)?",
                placeholder="10 July, 14/15 May",
                check=check,
                hint=lambda t: DateSpec.parse(t, plan_year).describe(),
            ),
            done,
        )

    # -- undo, detail, help ------------------------------------------------------------------
    def action_undo(self) -> None:
        label = self._guard(self.store.undo)
        self.notify(f"Undone: {label}" if label else "Nothing to undo", markup=False)

    def action_redo(self) -> None:
        label = self._guard(self.store.redo)
        self.notify(f"Redone: {label}" if label else "Nothing to redo", markup=False)

    def open_detail(self, activity_id: str) -> None:
        self.push_screen(DetailScreen(activity_id))

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def _guard(self, change):
        """Run a store change; a save problem is shown, the change stays in memory."""
        try:
            return change()
        except StoreError as exc:
            self.notify(str(exc), title="Not saved", severity="error", timeout=10, markup=False)
            return None

    # -- saving --------------------------------------------------------------------------
    def schedule_save(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_DELAY, self.save_in_background)

    @work(thread=True, exclusive=True, group="save")
    def save_in_background(self) -> None:
        try:
            self.store.save()
        except FileChangedError as exc:
            self.post_message(
                SaveFailed(
                    f"{exc}. It is kept here: press ctrl+r to reload the file, which puts "
                    "your unsaved changes back on top of theirs."
                )
            )
        except StoreError as exc:
            self.post_message(SaveFailed(str(exc)))

    def on_save_failed(self, message: SaveFailed) -> None:
        self.notify(message.error, title="Not saved", severity="error", timeout=15, markup=False)

    def action_quit_saving(self) -> None:
        try:
            self.store.save()
        except StoreError as exc:

            def done(quit_anyway: bool | None) -> None:
                if quit_anyway:
                    self.exit(1)

            hint = (
                "\n\n(Stay and press ctrl+r to put your changes on top of theirs, then quit.)"
                if isinstance(exc, FileChangedError)
                else ""
            )
            self.push_screen(
                ConfirmScreen(f"{exc}{hint}\n\nQuit without saving?", yes="Quit", no="Stay"),
                done,
            )
            return
        self.exit(0)

    def watch_file(self) -> None:
        """Every few seconds: has another program changed the plan file?"""
        if self.store.changed_on_disk():
            if not self._warned_changed:
                self._warned_changed = True
                self.notify(
                    "The plan file was changed by another program. Press ctrl+r to reload it"
                    + (
                        " (your unsaved changes are put back on top of theirs)."
                        if self.store.dirty
                        else "."
                    ),
                    title="File changed",
                    severity="warning",
                    timeout=20,
                )
        else:
            self._warned_changed = False

    def action_reload(self) -> None:
        """Re-read the file; unsaved changes are re-applied on top of it when
        they do not collide with the other program's (else: ask to drop them)."""

        def drop_and_reload(yes: bool | None) -> None:
            if yes:
                self._guard(self.store.reload)
                self._warned_changed = False
                self.notify("Reloaded the plan file; your unsaved changes were dropped.")

        if not self.store.dirty:
            self._guard(self.store.reload)
            self._warned_changed = False
            self.notify("Reloaded the plan file.")
            return
        try:
            applied = self.store.reload_and_reapply()
        except ReapplyConflict as exc:
            self.push_screen(
                ConfirmScreen(
                    f"{exc}\n\nReload anyway and drop your unsaved changes?",
                    yes="Drop mine",
                    no="Keep mine",
                ),
                drop_and_reload,
            )
            return
        except StoreError as exc:
            self.notify(str(exc), title="Not reloaded", severity="error", timeout=15, markup=False)
            return
        self._warned_changed = False
        self.notify(
            f"Reloaded the plan file and re-applied {applied} unsaved change(s)."
            if applied
            else "Reloaded the plan file."
        )
        if self.store.dirty:
            self.schedule_save()

    # -- command palette -------------------------------------------------------------------
    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Go to month", "Show a month or day on the calendar", self.palette_goto)
        yield SystemCommand("New activity", "Add an activity", self.action_new)
        yield SystemCommand(
            "Filter activities", "Filter the list with a query", self.palette_filter
        )
        yield SystemCommand(
            "Start review round", "Rate every open activity in turn", self.palette_review_round
        )
        yield SystemCommand("Export .ics", "Write the calendar feed", self.action_export_ics)
        yield SystemCommand("Help: keys", "Every key binding", self.action_help)
        yield SystemCommand("Reload plan file", "Re-read the file from disk", self.action_reload)

    def palette_goto(self) -> None:
        self.switch_mode("calendar")
        self.call_after_refresh(lambda: self.screen.action_goto())

    def palette_review_round(self) -> None:
        self.switch_mode("board")
        self.call_after_refresh(lambda: self.screen.action_review_round())

    def action_export_ics(self) -> None:
        self.notify("Exporting the .ics feed…", timeout=2)
        self.export_in_background()

    @work(thread=True, exclusive=True, group="export")
    def export_in_background(self) -> None:
        from ctstui.feed.ical import default_feed_path, export_feed

        try:
            report = export_feed(self.store, default_feed_path(self.store.path), today=self.today)
        except (OSError, StoreError) as exc:
            self.post_message(ExportDone([], [str(exc)], failed=True))
            return
        self.post_message(ExportDone(report.lines(), report.warnings))

    def on_export_done(self, message: ExportDone) -> None:
        text = "\n".join(message.lines + [f"warning: {w}" for w in message.warnings])
        severity = "error" if message.failed else ("warning" if message.warnings else "information")
        self.notify(text, title="Export .ics", severity=severity, timeout=12, markup=False)
        if self.store.dirty:
            self.schedule_save()  # the feed's publication record lives in the plan file

    def palette_filter(self) -> None:
        self.switch_mode("activities")
        self.call_after_refresh(lambda: self.screen.action_focus_filter())
