"""PDF documents, read with pdfplumber: the tables of every page (ruled tables,
else columns found from the text's alignment), with the text above, between and
below them (a title naming the plan year, a TOTALS line) as lines.

"file:N" numbers the lines and table rows through the document.
"""

from __future__ import annotations

import io

from ctstui.importing.errors import PlanImportError
from ctstui.importing.rows import Record

NAME = "PDF"
SUFFIXES = (".pdf",)

_TEXT_TABLES = {"vertical_strategy": "text", "horizontal_strategy": "text"}


def sniff(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(b"%PDF")


def read(data: bytes, source: str) -> tuple[str, list[Record]]:
    import pdfplumber

    out: list[Record] = []
    number = 0

    def lines_of(text: str | None) -> None:
        nonlocal number
        for line in (text or "").split("\n"):
            number += 1
            if line.strip():
                out.append((number, [], line))  # no cells: a line outside the tables

    try:
        with pdfplumber.open(io.BytesIO(data)) as document:
            for page in document.pages:
                tables = page.find_tables()
                if not tables:
                    tables = page.find_tables(table_settings=_TEXT_TABLES)
                    if len(tables) == 1 and len(tables[0].extract()[0] or []) < 2:
                        tables = []  # one column of text is not a table
                if not tables:
                    lines_of(page.extract_text())
                    continue
                top = 0.0
                for table in sorted(tables, key=lambda t: t.bbox[1]):
                    _, y0, _, y1 = table.bbox
                    if y0 > top:
                        lines_of(page.crop((0, top, page.width, y0)).extract_text())
                    for row in table.extract():
                        number += 1
                        cells = [c or "" for c in row]
                        out.append((number, cells, "\t".join(c.replace("\n", " ") for c in cells)))
                    top = max(top, y1)
                if top < page.height:
                    lines_of(page.crop((0, top, page.width, page.height)).extract_text())
    except PlanImportError:
        raise
    except Exception as exc:  # pdfminer raises many kinds for a damaged file
        raise PlanImportError(f"cannot read it as a PDF: {exc}", source=source)
    return "pdf", out
