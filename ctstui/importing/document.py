"""Read a plan document of any supported format into a :class:`ParsedPlan`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ctstui.domain.dates import PlanYear
from ctstui.importing.errors import PlanImportError
from ctstui.importing.readers import read_records
from ctstui.importing.readers import text as text_reader
from ctstui.importing.rows import ParsedPlan
from ctstui.importing.rows import read_records as rows_of

Progress = Callable[[int, int], None]


def _plan_year(plan_year: PlanYear | str | None, source: str) -> PlanYear | None:
    if isinstance(plan_year, str):
        try:
            return PlanYear.parse(plan_year)
        except ValueError as exc:
            raise PlanImportError(str(exc), source=source)
    return plan_year


def read_plan(
    text: str,
    source: str = "",
    plan_year: PlanYear | str | None = None,
    *,
    progress: Progress | None = None,
) -> ParsedPlan:
    """Read a plan table given as text.  ``plan_year`` (if given) wins over the title's.

    Rows that cannot be understood are in ``problems`` (never dropped
    silently).  Raises :class:`PlanImportError` only for the whole file: no
    header row, or no plan year (:class:`PlanYearMissing`).  ``progress`` is
    called with (rows done, rows in all).
    """
    year = _plan_year(plan_year, source)
    if not isinstance(text, str):
        raise PlanImportError("the plan is not text", source=source)
    fmt, records = text_reader.records(text, source)
    return rows_of(fmt, records, source, year, progress=progress)


def read_document(
    data: bytes,
    source: str = "",
    plan_year: PlanYear | str | None = None,
    *,
    progress: Progress | None = None,
) -> ParsedPlan:
    """Read a plan document's bytes: Word, Excel, PDF or text (see readers)."""
    year = _plan_year(plan_year, source)
    fmt, records = read_records(data, source)
    return rows_of(fmt, records, source, year, progress=progress)


def read_file(
    path: Path | str,
    plan_year: PlanYear | str | None = None,
    *,
    progress: Progress | None = None,
) -> ParsedPlan:
    """Read a plan document from a file (its name is the source in messages)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise PlanImportError("is a folder, not a plan document", source=path.name)
    except OSError as exc:
        raise PlanImportError(f"cannot read it: {exc.strerror or exc}", source=path.name)
    return read_document(data, path.name, plan_year, progress=progress)
