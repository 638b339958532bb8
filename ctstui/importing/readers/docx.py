"""Word (.docx) documents: every table, in order, with the paragraphs around them
(a title naming the plan year, a TOTALS line), read with python-docx.

Rows are numbered through the document (paragraphs and table rows alike), so a
message's "file:N" is the Nth line of the document as ctstui reads it.  A cell
merged across columns is read once (the others left empty); line breaks inside
a cell are kept.
"""

from __future__ import annotations

import io
import zipfile

from ctstui.importing.errors import PlanImportError
from ctstui.importing.rows import Record

NAME = "Word"
SUFFIXES = (".docx", ".docm")


def sniff(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def read(data: bytes, source: str) -> tuple[str, list[Record]]:
    import docx  # python-docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a damaged file
        raise PlanImportError(f"cannot read it as a Word document: {exc}", source=source)
    out: list[Record] = []
    number = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = block.text
            number += 1
            if text.strip():
                out.append((number, [], text))  # no cells: a line outside the tables
        elif isinstance(block, Table):
            for row in block.rows:
                number += 1
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:
                    key = id(cell._tc)
                    cells.append("" if key in seen else cell.text)  # merged: read once
                    seen.add(key)
                out.append((number, cells, "\t".join(c.replace("\n", " ") for c in cells)))
    return "docx", out
