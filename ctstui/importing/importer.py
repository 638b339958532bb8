"""Read the team's plan tables, and merge a newer version into the plan.

Plain Python (no Textual).  Three steps, each usable on its own:

- :func:`read_plan` turns the text of a plan table (tab-separated, as pasted
  out of Word or PDF papers, or a CSV/TSV spreadsheet export) into a
  :class:`ParsedPlan`: activities, the rows it could not understand (as
  :class:`PlanImportError` with line numbers), the plan's stated totals and
  its plan year.
- :func:`plan_merge` compares those activities with the ones already in the
  plan and says what an import would add, change, leave alone, and which
  existing activities the file no longer lists (:class:`MergePlan`).  Pure: no
  store.
- :func:`apply_merge` writes a :class:`MergePlan` into an
  :class:`~ctstui.store.activity_store.ActivityStore` as ONE transaction, so one undo
  reverses the whole import.

:func:`import_report` and :func:`format_report` describe the result as JSON
and as text for a terminal.

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
  rating; only the fields the file provides are updated (:data:`IMPORTED_FIELDS`
  for a plan table).
- An existing activity the file no longer lists is *flagged*, not deleted: a
  note line ``not in <file> (imported <date>)`` is added to its notes (and so
  to its history).  If it reappears in a later import the note line is removed.
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
