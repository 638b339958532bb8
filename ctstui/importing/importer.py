"""Read the team's plan documents, and merge them into the plan.

Plain Python (no Textual).  The steps, each usable on its own:

- :func:`read_file` / :func:`read_document` (bytes) / :func:`read_plan` (text)
  read a Word, Excel, PDF or text table (one reader per format:
  :mod:`ctstui.importing.readers`) into a :class:`ParsedPlan`: activities (each
  with its plan year; a row whose date cannot be read comes in undated with
  ``date_problem`` set), the rows reported (:class:`PlanImportError`, with
  ``imported`` saying whether the row came in), the stated totals, the plan
  year and whether the file is the whole plan for it (``whole_reason``).
  :mod:`ctstui.importing.rows` turns rows into activities.
- :func:`merge_file` (or :func:`plan_merge`) compares them with the plan's
  activities of the same plan year: added, changed (a three-way merge against
  the row as last imported, with conflicts and renames), unchanged, and - for
  a whole plan only - missing (:class:`MergePlan`).  Pure: no store.
  :mod:`ctstui.importing.merge`.
- :func:`apply_merge` writes a :class:`MergePlan` into an
  :class:`~ctstui.store.activity_store.ActivityStore` as ONE transaction, so
  one undo reverses the whole import.

:func:`import_report` and :func:`format_report` describe the result as JSON
and as text for a terminal (:mod:`ctstui.importing.report`).

Decisions
---------
- Titles are stored without a pure duration suffix: "Sport Academy (2days)"
  is stored as "Sport Academy" with ``days=2``.  A parenthesis holding more
  than the duration is kept as written ("Sport peer review (in 2-tier
  council, 2 days TBC)", ``days=2``).
- "Up to 3 more sport action learning sets, depending upon demand" becomes
  three optional, undated, planned activities "Sport action learning set";
  their days come from the plan's other activities of the same kind and
  theme (1 day here) and the line is kept in their notes.
- A matched activity keeps its id, created stamp, history, reviews and RAG
  rating; only the fields the file provides are merged.
- An activity a whole plan no longer lists is *flagged*, not deleted: a note
  line ``not in <file> (imported <date>)``, removed if it comes back.
"""

from __future__ import annotations

from ctstui.importing.document import read_document, read_file, read_plan
from ctstui.importing.errors import PlanImportError, PlanYearMissing
from ctstui.importing.merge import (
    Changed,
    MergePlan,
    Missing,
    apply_merge,
    merge_file,
    missing_note,
    plan_merge,
    stated_totals_meta,
)
from ctstui.importing.report import format_report, import_report
from ctstui.importing.rows import (
    IMPORTED_FIELDS,
    ParsedPlan,
    ParsedRow,
    TotalsCheck,
    derive_kind_theme_place,
    split_duration,
)

__all__ = [
    "IMPORTED_FIELDS",
    "Changed",
    "MergePlan",
    "Missing",
    "ParsedPlan",
    "ParsedRow",
    "PlanImportError",
    "PlanYearMissing",
    "TotalsCheck",
    "apply_merge",
    "derive_kind_theme_place",
    "format_report",
    "import_report",
    "merge_file",
    "missing_note",
    "plan_merge",
    "read_document",
    "read_file",
    "read_plan",
    "split_duration",
    "stated_totals_meta",
]
