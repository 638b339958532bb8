"""Another program saved the plan: take its changes in, keep ours, ask only when both
changed the same activity.

The file is watched every few seconds and re-read in worker threads (a big plan
must not freeze the screen); results come back to the UI thread through the
App's :class:`~ctstui.tui.messages.WorkerDone` messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ctstui.domain.model import Activity
from ctstui.store.activity_store import ActivityStore, ReapplyConflict, StoreError
from ctstui.tui.dialogs.conflict import Conflict, ConflictScreen
from ctstui.tui.dialogs.prompts import ConfirmScreen

if TYPE_CHECKING:
    from ctstui.tui.controller import PlanController


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


class PlanSync:
    """Keeps the plan here and the file on disk together (owned by the controller)."""

    def __init__(self, controller: PlanController) -> None:
        self.controller = controller
        self.store = controller.store
        self.reloading = False  # a reload runs in a worker: no change may start
        self.resolving = False  # the conflict dialog is open
        self._declined: tuple[int, int] | None = None  # file state whose conflict was put off
        self._warned_gone = False

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

        self.controller.in_worker(work, "watch")

    def merge_from_disk(self, *, manual: bool = False, after_refused_save: bool = False) -> None:
        """Re-read the file in a worker and put our unsaved changes back on top.

        Theirs and ours touching different activities: merged and saved, no
        question.  The same activity changed on both sides: the conflict dialog.
        """
        if self.reloading or self.resolving:
            return
        if not manual and self._declined is not None and self._declined == self._disk_state():
            if after_refused_save:
                self.controller.notify(
                    "Not saved: an activity you changed was changed by another program too. "
                    "Press ctrl+r to choose between their version and yours.",
                    title="Not saved",
                    severity="warning",
                    timeout=10,
                )
            return
        before = _fingerprint(self.store.activities())
        ours = set(self.controller.unsaved)
        self.reloading = True

        def work() -> Callable[[], None]:
            try:
                applied = self.store.reload_and_reapply()
            except ReapplyConflict as exc:
                message = str(exc)
                if not self.store.path.exists():  # deleted or moved: nothing to merge with
                    return lambda: self._reload_failed(message, manual)
                try:
                    theirs = ActivityStore(self.store.path, autosave=False).activities()
                except StoreError as read_error:
                    error = str(read_error)
                    return lambda: self._reload_failed(error, manual)
                return lambda: self._conflict(message, theirs, ours)
            except StoreError as exc:
                error = str(exc)
                return lambda: self._reload_failed(error, manual)
            return lambda: self._merged(applied, before, ours, manual)

        self.controller.in_worker(work, "reload")

    def _reload_failed(self, error: str, manual: bool = True) -> None:
        self.reloading = False
        if self._warned_gone and not manual:
            return  # the file watch says it once, not every few seconds
        self._warned_gone = True
        self.controller.notify(error, title="Not reloaded", severity="error", timeout=15)

    def _merged(self, applied: int, before: dict[str, Activity], ours: set[str], manual: bool):
        self.reloading = False
        self._warned_gone = False
        self._declined = None
        came = incoming(before, self.store.activities(), ours)
        kept = f" Your {applied} unsaved change(s) were kept on top and saved." if applied else ""
        if manual and not (came.added or came.changed or came.removed) and not applied:
            self.controller.notify("Reloaded the plan file: nothing had changed.", timeout=4)
        else:
            self.controller.notify(
                f"Another program saved {self.store.path.name}: {came.describe()}.{kept}",
                title="Plan file merged",
                timeout=10,
            )
        if self.store.dirty:
            self.controller.schedule_save(0)

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
            self.controller.notify(message, title="Not reloaded", severity="warning", timeout=15)
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

                self.controller.app.push_screen(
                    ConfirmScreen(question, yes="Keep mine", no="Back"), confirmed
                )
            elif choice == "theirs":
                self._resolve(keep_others)
            else:
                self.resolving = False
                self._declined = self._disk_state()
                self.controller.notify(
                    "Nothing was saved or reloaded; ctrl+r asks again.",
                    title="Decide later",
                    timeout=6,
                )

        self.controller.app.push_screen(ConflictScreen(conflicts), chosen)

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

        self.controller.in_worker(work, "reload")

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

        count = self.controller.change(put_back) or 0
        self.controller.notify(
            f"Reloaded the plan file; {count} of your change(s) put back and saved."
            if count
            else "Reloaded the plan file; took the other program's version.",
            timeout=8,
        )
        if self.store.dirty:
            self.controller.schedule_save(0)
