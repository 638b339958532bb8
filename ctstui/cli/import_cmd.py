"""``ctstui import``: read plan documents into the plan, merging with what is there.

``ctstui import FILE... [--plan-year 2013/14] [--dry-run] [--strict] [--whole] [--theirs]
[--format text|json]``

Each FILE is a plan document: a Word (.docx), Excel (.xlsx) or PDF table, or
text (tab-separated as pasted from Word/PDF, Excel's UTF-16 "Unicode text", or
CSV; ``-`` reads standard input).  Files are merged in the order given, all
in ONE undo step.  Rows read with a problem (a date not understood or outside
the plan year, a row cut short) come in flagged, and every reported row is
printed on stderr as ``file:line: text: reason``; with ``--strict`` nothing is
written if there are any.  A file is the whole plan for its year only when its
title names the plan year, it has a TOTALS line, or ``--whole``; conflicts
(a field changed in the planner and in the file) keep the planner's value
unless ``--theirs``.  Stated totals are kept per plan year and document in the
meta ``stated_totals``; the last file's plan year goes into ``plan_year``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from ctstui.cli.context import CliError, Context
from ctstui.domain.dates import PlanYear
from ctstui.importing.importer import (
    MergePlan,
    ParsedPlan,
    PlanImportError,
    apply_merge,
    format_report,
    import_report,
    merge_file,
    read_document,
)

NAME = "import"
HELP = "import plan tables (Word, Excel, PDF, or text pasted from them), merging with the plan"

PROGRESS_MIN = 500  # lines (or changes) before a progress bar is worth showing
BAR_WIDTH = 30


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="plan table(s); '-' for stdin")
    parser.add_argument(
        "--plan-year",
        metavar="YEAR",
        help="the April-March year the plan covers, e.g. 2013/14 (default: from its title)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="show what would change; write nothing"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="stop, writing nothing, if any row cannot be understood",
    )
    parser.add_argument(
        "--whole",
        action="store_true",
        help="the file is the whole plan for its year: flag the year's activities it no longer "
        "lists (default: only when its title names the plan year or it has a TOTALS line)",
    )
    parser.add_argument(
        "--theirs",
        action="store_true",
        help="in a conflict (a field changed both in the planner and in the file) take the "
        "file's value; the default keeps the planner's",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")


class Progress:
    """A text progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, ctx: Context, label: str) -> None:
        self.err: TextIO = ctx.err
        self.label = label
        self.enabled = _isatty(ctx.err)
        self.drawn = False
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < PROGRESS_MIN:
            return
        percent = min(100, done * 100 // max(total, 1))
        if percent == self.last:
            return
        self.last = percent
        filled = BAR_WIDTH * percent // 100
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self.err.write(f"\r{self.label} [{bar}] {percent:3d}%")
        self.err.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.err.write("\n")
            self.err.flush()
        self.drawn = False
        self.last = -1


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def read_bytes(name: str) -> tuple[bytes, str]:
    """(content, source name) of FILE; '-' is stdin."""
    if name == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            return sys.stdin.read().encode("utf-8"), "<stdin>"
        return stream.read(), "<stdin>"
    path = Path(name).expanduser()
    try:
        return path.read_bytes(), path.name
    except IsADirectoryError:
        raise CliError(f"{name}: is a folder, not a plan document")
    except OSError as exc:
        raise CliError(f"{name}: cannot read: {exc.strerror or exc}")


def read_plan(
    data: bytes, source: str, plan_year: PlanYear | None, *, progress: Progress
) -> ParsedPlan:
    """One FILE's plan, whatever its format (Word, Excel, PDF or text)."""
    return read_document(data, source, plan_year, progress=progress)


def run(args: argparse.Namespace, ctx: Context) -> int:
    plan_year = None
    if args.plan_year:
        try:
            plan_year = PlanYear.parse(args.plan_year)
        except ValueError as exc:
            raise CliError(f"--plan-year: {exc}")
    store = ctx.open_store()
    state = store.activities()
    today = store.today()
    results: list[tuple[ParsedPlan, MergePlan]] = []
    for name in args.files:
        data, source = read_bytes(name)
        bar = Progress(ctx, f"reading {source}")
        try:
            parsed = read_plan(data, source, plan_year, progress=bar)
        except PlanImportError as exc:
            raise CliError(str(exc))
        finally:
            bar.close()
        merge = merge_file(state, parsed, today=today, whole=args.whole, theirs=args.theirs)
        state = merge.after
        results.append((parsed, merge))

    problems = [p for parsed, _ in results for p in parsed.problems]
    for problem in problems:
        print(problem, file=ctx.err)
    imported = sum(len(parsed.rows) for parsed, _ in results)
    if problems and args.strict:
        raise CliError(
            f"{len(problems)} row(s) could not be read as written (above); --strict: nothing "
            "was imported"
        )

    if not args.dry_run:
        write(store, results, ctx)

    reports = [import_report(parsed, merge) for parsed, merge in results]
    if args.format == "json":
        json.dump(
            {"dry_run": bool(args.dry_run), "files": reports},
            ctx.out,
            ensure_ascii=False,
            indent=2,
        )
        ctx.out.write("\n")
    else:
        ctx.out.write(format_report(reports, dry_run=args.dry_run))
    if problems:
        flagged = sum(1 for p in problems if p.imported)
        left_out = len(problems) - flagged
        ctx.warn(
            f"{imported} activities imported; {len(problems)} row(s) reported: {flagged} "
            f"imported with a flag to check, {left_out} not imported (use --strict to import "
            "nothing when a row cannot be read as written)"
        )
    conflicts = sum(merge.counts()["conflicts"] for _, merge in results)
    if conflicts:
        taken = (
            "the file's values were taken (--theirs)"
            if args.theirs
            else ("the plan's values were kept (--theirs takes the file's)")
        )
        ctx.warn(f"{conflicts} conflict(s) between the plan and the file (above): {taken}")
    return 0


def write(store, results: list[tuple[ParsedPlan, MergePlan]], ctx: Context) -> None:
    """All files in ONE transaction: one undo reverses the whole import."""
    label = "import " + ", ".join(parsed.source for parsed, _ in results)
    bar = Progress(ctx, "importing")
    try:
        with store.transaction(label):
            for parsed, merge in results:
                apply_merge(store, merge, f"import {parsed.source}", parsed=parsed, progress=bar)
    finally:
        bar.close()
    if store.dirty and store.autosave:
        store.save()  # meta changes when no activity changed
