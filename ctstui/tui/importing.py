"""Importing a plan table from inside the planner (palette: "Import plan table").

Asks for the file, reads and compares it in a worker (a big table must not
freeze the screen), asks for the plan year when the file names none, shows the
importer's dry-run report, and applies it on confirmation as one undo step.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ctstui.domain.dates import PlanYear
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
from ctstui.tui.dialogs.preview import PreviewScreen
from ctstui.tui.dialogs.prompts import PromptScreen

if TYPE_CHECKING:
    from ctstui.tui.controller import PlanController


class PlanImport:
    """One palette import at a time (owned by the controller)."""

    def __init__(self, controller: PlanController) -> None:
        self.controller = controller
        self.store = controller.store

    def start(self) -> None:
        def check(text: str) -> str | None:
            path = Path(text.strip()).expanduser()
            return None if path.is_file() else f"{path}: no such file"

        def chosen(text: str | None) -> None:
            if text and text.strip():
                path = Path(text.strip()).expanduser()
                self.controller.notify(f"Reading {path.name}…", timeout=3)
                self._read_table(path, None)

        self.controller.app.push_screen(
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
                merge = plan_merge(
                    existing, parsed.activities, source=path.name, today=self.controller.today
                )
            except UnicodeDecodeError:
                return lambda: self._import_failed(f"{path}: is not UTF-8 text")
            except OSError as exc:
                error = f"{path}: cannot be read ({exc.strerror or exc})"
                return lambda: self._import_failed(error)
            except PlanImportError as exc:
                error = str(exc)
                return lambda: self._import_failed(error)
            return lambda: self._preview(path, parsed, merge)

        self.controller.in_worker(work, "import")

    def _import_failed(self, error: str) -> None:
        self.controller.notify(error, title="Import", severity="error", timeout=12)

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

        self.controller.app.push_screen(
            PromptScreen(
                f"{path.name} does not say which plan year (April to March) it is for. Plan year:",
                value=str(self.controller.plan_year()),
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
                self.controller.notify("Import cancelled: nothing changed.", timeout=4)

        self.controller.app.push_screen(
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

        if not self.controller.change(run):
            return
        if self.store.dirty:
            self.controller.schedule_save()  # an import that changed only plan facts is saved too
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
        self.controller.notify(
            "\n".join(lines),
            title="Import",
            severity="warning" if parsed.problems else "information",
            timeout=12,
        )
