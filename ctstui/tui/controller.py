"""The planner's controller: what the keys and the palette do to the plan.

A plain object owned by the App (no Textual base class): actions on the
selected activity, undo, saving off the UI thread, the watch on the plan file
and the merge of another program's changes, import and export.  Slow work
runs in worker threads that post a :class:`~ctstui.tui.messages.WorkerDone`
back; the App runs its ``then`` on the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.timer import Timer

from ctstui.domain.dates import DateParseError, DateSpec, PlanYear
from ctstui.domain.model import Activity, Status
from ctstui.domain.planview import plan_year_of
from ctstui.domain.text import printable
from ctstui.importing.importer import (
    MergePlan,
    ParsedPlan,
    PlanImportError,
    PlanYearMissing,
    apply_merge,
    format_report,
    import_report,
    plan_merge,
    read_plan,
)
from ctstui.store.activity_store import (
    ActivityStore,
    FileChangedError,
    ReapplyConflict,
    StoreError,
    StoreEvent,
)
from ctstui.tui.dialogs.conflict import Conflict, ConflictScreen
from ctstui.tui.dialogs.preview import PreviewScreen
from ctstui.tui.dialogs.prompts import ConfirmScreen, PromptScreen
from ctstui.tui.messages import WorkerDone
from ctstui.tui.screens.detail import DetailScreen
from ctstui.tui.screens.form import ActivityForm
from ctstui.tui.screens.help import HelpScreen
from ctstui.tui.widgets.month_grid import MonthGrid

T = TypeVar("T")

NEEDS_ACTIVITY = {"edit", "delete", "set_status"}
SAVE_DELAY = 0.3  # seconds: coalesces a burst of key presses into one write
WATCH_EVERY = 2.0  # seconds between looks at the plan file


def visible(text: str) -> str:
    """Untrusted text for a notification: control characters shown, line breaks kept."""
    return "\n".join(printable(line) for line in str(text).split("\n"))


def _titles(activities: list[Activity], limit: int = 3) -> str:
    shown = ", ".join(f"“{a.title}”" for a in activities[:limit])
    more = len(activities) - limit
    return shown + (f" and {more} more" if more > 0 else "")


@dataclass
class Incoming:
    """What another program's save brought in, by comparison with the plan before."""

    added: list[Activity]
    changed: list[Activity]
    removed: list[Activity]

    def describe(self) -> str:
        parts = []
        for name, items in (
            ("changed", self.changed),
            ("added", self.added),
            ("removed", self.removed),
        ):
            if items:
                parts.append(f"{len(items)} {name} ({_titles(items)})")
        return "; ".join(parts) if parts else "no activity changed (plan settings only)"


def _fingerprint(activities: Iterable[Activity]) -> dict[str, Activity]:
    return {a.id: a for a in activities}


def incoming(before: dict[str, Activity], after: list[Activity], ours: set[str]) -> Incoming:
    now = _fingerprint(after)
    added = [a for i, a in now.items() if i not in before and i not in ours]
    removed = [a for i, a in before.items() if i not in now and i not in ours]
    changed = [
        a
        for i, a in now.items()
        if i in before
        and i not in ours
        and (a.revision, a.updated) != (before[i].revision, before[i].updated)
    ]
    return Incoming(added, changed, removed)


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
        self.reloading = False  # a reload runs in a worker: no change may start
        self.resolving = False  # the conflict dialog is open
        self._declined: tuple[int, int] | None = None  # file state whose conflict was put off
        self._warned_gone = False

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
        if self.reloading:
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
        self.app.set_interval(WATCH_EVERY, self.watch_file)

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
        stored = self.store.meta("plan_year")
        if isinstance(stored, str):
            try:
                return PlanYear.parse(stored)
            except ValueError:
                pass
        return plan_year_of(self.today)

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
        if self.change(lambda: self.store.set_status(current.id, new)):
            self.notify(f"{current.title}: {current.status.value} → {new.value}")

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
                return lambda: self.merge_from_disk(after_refused_save=True)
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
                    self.merge_from_disk(manual=True)

            hint = "\n\n(Stay, and their changes are merged with yours first.)" if changed else ""
            self.app.push_screen(
                ConfirmScreen(f"{exc}{hint}\n\nQuit without saving?", yes="Quit", no="Stay"),
                done,
            )
            return
        self.app.exit(0)

    # -- another program's changes -----------------------------------------------------------
    def _disk_state(self) -> tuple[int, int] | None:
        try:
            stat = self.store.path.stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def watch_file(self) -> None:
        """Every few seconds (in a worker): has another program saved the plan?"""
        if self.reloading or self.resolving:
            return

        def work() -> Callable[[], None]:
            if self.store.changed_on_disk():
                return self.merge_from_disk
            return lambda: None

        self.in_worker(work, "watch")

    def reload(self) -> None:
        """ctrl+r: re-read the file now (unsaved changes are put back on top of it)."""
        self.merge_from_disk(manual=True)

    def merge_from_disk(self, *, manual: bool = False, after_refused_save: bool = False) -> None:
        """Re-read the file in a worker and put our unsaved changes back on top.

        Theirs and ours touching different activities: merged and saved, no
        question.  The same activity changed on both sides: the conflict dialog.
        """
        if self.reloading or self.resolving:
            return
        if not manual and self._declined is not None and self._declined == self._disk_state():
            if after_refused_save:
                self.notify(
                    "Not saved: an activity you changed was changed by another program too. "
                    "Press ctrl+r to choose between their version and yours.",
                    title="Not saved",
                    severity="warning",
                    timeout=10,
                )
            return
        before = _fingerprint(self.store.activities())
        ours = set(self.unsaved)
        self.reloading = True

        def work() -> Callable[[], None]:
            try:
                applied = self.store.reload_and_reapply()
            except ReapplyConflict as exc:
                message = str(exc)
                try:
                    theirs = ActivityStore(self.store.path, autosave=False).activities()
                except StoreError as read_error:
                    error = str(read_error)
                    return lambda: self._reload_failed(error)
                return lambda: self._conflict(message, theirs, ours)
            except StoreError as exc:
                error = str(exc)
                return lambda: self._reload_failed(error)
            return lambda: self._merged(applied, before, ours, manual)

        self.in_worker(work, "reload")

    def _reload_failed(self, error: str) -> None:
        self.reloading = False
        if self._warned_gone:
            return
        self._warned_gone = True
        self.notify(error, title="Not reloaded", severity="error", timeout=15)

    def _merged(self, applied: int, before: dict[str, Activity], ours: set[str], manual: bool):
        self.reloading = False
        self._warned_gone = False
        self._declined = None
        came = incoming(before, self.store.activities(), ours)
        kept = f" Your {applied} unsaved change(s) were kept on top and saved." if applied else ""
        if manual and not (came.added or came.changed or came.removed) and not applied:
            self.notify("Reloaded the plan file: nothing had changed.", timeout=4)
        else:
            self.notify(
                f"Another program saved {self.store.path.name}: {came.describe()}.{kept}",
                title="Plan file merged",
                timeout=10,
            )
        if self.store.dirty:
            self.schedule_save(0)

    def _conflict(self, message: str, theirs: list[Activity], ours: set[str]) -> None:
        """Both changed the same activity: show theirs and mine, let the user choose."""
        self.reloading = False
        their_by_id = _fingerprint(theirs)
        conflicts: list[Conflict] = []
        for ident in sorted(ours):
            mine = self.store.get(ident) if ident in self.store else None
            their = their_by_id.get(ident)
            if mine is None and their is None:
                continue
            if mine is not None and their is not None:
                if not mine.diff(their) and mine.reviews == their.reviews:
                    continue  # the very same change
                # Our changes append to the history the file had; theirs do too.  Their
                # history still a prefix of ours: they left this activity alone.
                if their.history == mine.history[: len(their.history)]:
                    continue
            conflicts.append(Conflict(ident, mine, their))
        if not conflicts:
            # The store saw a conflict we cannot pin on an activity (a plan setting).
            self.notify(message, title="Not reloaded", severity="warning", timeout=15)
            self._declined = self._disk_state()
            return
        self.resolving = True
        keep_others = {i for i in ours if i not in {c.activity_id for c in conflicts}}

        def chosen(choice: str | None) -> None:
            if choice == "mine":
                question = (
                    f"Write your version of {len(conflicts)} activit"
                    f"{'y' if len(conflicts) == 1 else 'ies'} over the other program's? "
                    "Their changes to it are then lost (plan settings stay theirs)."
                )

                def confirmed(yes: bool | None) -> None:
                    if yes:
                        self._resolve(ours)
                    else:
                        self.resolving = False
                        self._conflict(message, theirs, ours)

                self.app.push_screen(ConfirmScreen(question, yes="Keep mine", no="Back"), confirmed)
            elif choice == "theirs":
                self._resolve(keep_others)
            else:
                self.resolving = False
                self._declined = self._disk_state()
                self.notify(
                    "Nothing was saved or reloaded; ctrl+r asks again.",
                    title="Decide later",
                    timeout=6,
                )

        self.app.push_screen(ConflictScreen(conflicts), chosen)

    def _resolve(self, keep: set[str]) -> None:
        """Take the file as it is now, then put back our versions of ``keep``; save."""
        mine = {i: (self.store.get(i) if i in self.store else None) for i in keep}
        self.reloading = True

        def work() -> Callable[[], None]:
            try:
                self.store.reload()
            except StoreError as exc:
                error = str(exc)
                return lambda: self._reload_failed(error)
            return lambda: self._reapply(mine)

        self.in_worker(work, "reload")

    def _reapply(self, mine: dict[str, Activity | None]) -> None:
        self.reloading = False
        self.resolving = False
        self._declined = None

        def put_back() -> int:
            count = 0
            with self.store.transaction("your changes, kept over theirs"):
                for ident, activity in mine.items():
                    if activity is None:
                        if ident in self.store:
                            self.store.delete(ident)
                            count += 1
                    elif ident in self.store:
                        self.store.update(activity, action="kept over another program's change")
                        count += 1
                    else:
                        self.store.add(activity)
                        count += 1
            return count

        count = self.change(put_back) or 0
        self.notify(
            f"Reloaded the plan file; {count} of your change(s) put back and saved."
            if count
            else "Reloaded the plan file; took the other program's version.",
            timeout=8,
        )
        if self.store.dirty:
            self.schedule_save(0)

    # -- import ------------------------------------------------------------------------------
    def import_table(self) -> None:
        def check(text: str) -> str | None:
            path = Path(text.strip()).expanduser()
            return None if path.is_file() else f"{path}: no such file"

        def chosen(text: str | None) -> None:
            if text and text.strip():
                path = Path(text.strip()).expanduser()
                self.notify(f"Reading {path.name}…", timeout=3)
                self._read_table(path, None)

        self.app.push_screen(
            PromptScreen(
                "Import a plan table (TSV/CSV, or text pasted from Word/PDF): file path",
                placeholder="~/plans/annex-a-2013-14.txt",
                check=check,
            ),
            chosen,
        )

    def _read_table(self, path: Path, plan_year: PlanYear | None) -> None:
        stored = self.store.meta("plan_year")
        existing = self.store.activities()

        def work() -> Callable[[], None]:
            try:
                text = path.read_text(encoding="utf-8-sig")
                try:
                    parsed = read_plan(text, path.name, plan_year)
                except PlanYearMissing:
                    if plan_year is not None or not isinstance(stored, str):
                        return lambda: self._ask_plan_year(path)
                    parsed = read_plan(text, path.name, stored)
                merge = plan_merge(existing, parsed.activities, source=path.name, today=self.today)
            except UnicodeDecodeError:
                return lambda: self._import_failed(f"{path}: is not UTF-8 text")
            except OSError as exc:
                error = f"{path}: cannot be read ({exc.strerror or exc})"
                return lambda: self._import_failed(error)
            except PlanImportError as exc:
                error = str(exc)
                return lambda: self._import_failed(error)
            return lambda: self._preview(path, parsed, merge)

        self.in_worker(work, "import")

    def _import_failed(self, error: str) -> None:
        self.notify(error, title="Import", severity="error", timeout=12)

    def _ask_plan_year(self, path: Path) -> None:
        def check(text: str) -> str | None:
            try:
                PlanYear.parse(text.strip())
            except ValueError as exc:
                return str(exc)
            return None

        def done(text: str | None) -> None:
            if text and not check(text):
                self._read_table(path, PlanYear.parse(text.strip()))

        self.app.push_screen(
            PromptScreen(
                f"{path.name} does not say which plan year (April to March) it is for. Plan year:",
                value=str(self.plan_year()),
                placeholder="2013/14",
                check=check,
            ),
            done,
        )

    def _preview(self, path: Path, parsed: ParsedPlan, merge: MergePlan) -> None:
        report = format_report([import_report(parsed, merge)])
        problems = [p.describe() for p in parsed.problems]
        if problems:
            report += "\nRows that could not be read (not imported):\n" + "\n".join(
                f"  {p}" for p in problems
            )
        counts = merge.counts()
        nothing = not (counts["added"] or counts["changed"] or counts["missing"])

        def done(apply: bool | None) -> None:
            if apply:
                self._apply_import(path, parsed, merge)
            else:
                self.notify("Import cancelled: nothing changed.", timeout=4)

        self.app.push_screen(
            PreviewScreen(
                f"Import {path.name} (plan year {parsed.plan_year}): what it would change",
                report,
                confirm="Apply" if not nothing else "Apply (plan facts only)",
            ),
            done,
        )

    def _apply_import(self, path: Path, parsed: ParsedPlan, merge: MergePlan) -> None:
        label = f"import {path.name}"

        def run() -> bool:
            apply_merge(self.store, merge, label, parsed=parsed)
            return True

        if not self.change(run):
            return
        if self.store.dirty:
            self.schedule_save()  # an import that changed only plan facts is saved too
        counts = merge.counts()
        lines = [
            f"{path.name}: {counts['added']} added, {counts['changed']} changed, "
            f"{counts['missing']} no longer listed (flagged), {counts['unchanged']} unchanged.",
        ]
        if parsed.problems:
            lines.append(
                f"{len(parsed.problems)} row(s) could not be read (listed in the preview)."
            )
        lines.append("u undoes the whole import.")
        self.notify(
            "\n".join(lines),
            title="Import",
            severity="warning" if parsed.problems else "information",
            timeout=12,
        )

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
        if self.store.dirty:
            self.schedule_save()  # the feed's publication record lives in the plan file

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
