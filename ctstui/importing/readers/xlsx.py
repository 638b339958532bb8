"""Excel (.xlsx) workbooks, read with openpyxl: every sheet, row by row.

Date cells come as real dates and are written ISO ("2013-05-21"), which the
date reader takes as that day; "file:N" is the sheet's row number (with the
sheet's name in the row text when the workbook has several).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

from ctstui.importing.errors import PlanImportError
from ctstui.importing.rows import Record

NAME = "Excel"
SUFFIXES = (".xlsx", ".xlsm")


def sniff(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def cell_text(value: object) -> str:
    """A cell's value as a plan writes it: dates ISO, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read(data: bytes, source: str) -> tuple[str, list[Record]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a damaged file
        raise PlanImportError(f"cannot read it as an Excel workbook: {exc}", source=source)
    out: list[Record] = []
    try:
        several = len(book.worksheets) > 1
        for sheet in book.worksheets:
            # A cell merged down over several rows ("Programme 1.1" beside its
            # activities) holds for each of them; one merged across columns is
            # read once, in its first column.
            below: dict[tuple[int, int], object] = {}
            for merged in sheet.merged_cells.ranges:
                value = sheet.cell(merged.min_row, merged.min_col).value
                for row in range(merged.min_row + 1, merged.max_row + 1):
                    below[(row, merged.min_col)] = value
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                values = tuple(
                    below.get((number, column), value)
                    for column, value in enumerate(values, start=1)
                )
                cells = [cell_text(v) for v in values]
                while cells and not cells[-1].strip():
                    cells.pop()
                if not cells:
                    continue
                shown = "\t".join(c.replace("\n", " ") for c in cells)
                out.append((number, cells, f"[{sheet.title}] {shown}" if several else shown))
    finally:
        book.close()
    return "xlsx", out
