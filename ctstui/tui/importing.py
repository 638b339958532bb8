"""Importing a plan table from inside the app (palette: "Import plan table").

The file is read and compared with the plan in a worker thread (a big table
must not freeze the screen); the merge is then applied on the UI thread as one
undo step, and a notification says what changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from ctstui.importing.importer import PlanImportError, apply_merge, plan_merge, read_plan
from ctstui.store.activity_store import StoreError
from ctstui.tui.dialogs.prompts import PromptScreen

if TYPE_CHECKING:
    from ctstui.tui.app import PlannerApp


class ImportRead(Message):
    """A table was read and compared in a worker; the app applies it."""

    def __init__(self, path: Path, parsed=None, merge=None, error: str = "") -> None:
        super().__init__()
        self.path = path
        self.parsed = parsed
        self.merge = merge
        self.error = error


def check_path(text: str) -> str | None:
    path = Path(text.strip()).expanduser()
    if not path.is_file():
        return f"{path}: no such file"
    return None


class ImportActions:
    """Mixed into the App beside the activity actions."""

    def action_import_table(self: PlannerApp) -> None:
        def chosen(text: str | None) -> None:
            if text and text.strip():
                self.notify(f"Reading {text.strip()}…", timeout=3, markup=False)
                self.read_table_in_background(Path(text.strip()).expanduser())

        self.push_screen(
            PromptScreen(
                "Import a plan table (TSV/CSV, or text pasted from Word/PDF): file path",
                placeholder="~/plans/annex-a-2013-14.txt",
                check=check_path,
            ),
            chosen,
        )

    @work(thread=True, exclusive=True, group="import")
    def read_table_in_background(self: PlannerApp, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8-sig")
            plan_year = self.store.meta("plan_year")
            try:
                parsed = read_plan(text, path.name)
            except PlanImportError as exc:
                if not plan_year or "plan year" not in str(exc):
                    raise
                parsed = read_plan(text, path.name, plan_year=plan_year)
            merge = plan_merge(
                self.store.activities(), parsed.activities, source=path.name, today=self.today
            )
        except (OSError, UnicodeDecodeError, PlanImportError) as exc:
            self.post_message(ImportRead(path, error=str(exc)))
            return
        self.post_message(ImportRead(path, parsed, merge))

    def on_import_read(self: PlannerApp, message: ImportRead) -> None:
        if message.error:
            self.notify(message.error, title="Import", severity="error", timeout=12, markup=False)
            return
        parsed, merge = message.parsed, message.merge
        try:
            apply_merge(self.store, merge, f"import {message.path.name}", parsed=parsed)
        except StoreError as exc:
            self.notify(str(exc), title="Import", severity="error", timeout=12, markup=False)
            return
        if self.store.dirty:
            self.schedule_save()  # an import that changed only plan facts is saved too
        counts = merge.counts()
        problems = len(parsed.problems)
        lines = [
            f"{message.path.name}: {counts['added']} added, {counts['changed']} changed, "
            f"{counts['missing']} no longer listed (flagged), {counts['unchanged']} unchanged.",
        ]
        if problems:
            lines.append(
                f"{problems} row(s) could not be read: run `ctstui import --dry-run "
                f"{message.path}` to see them."
            )
        lines.append("u undoes the whole import.")
        self.notify(
            "\n".join(lines),
            title="Import",
            severity="warning" if problems else "information",
            timeout=12,
            markup=False,
        )
