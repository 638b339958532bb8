"""One reader per document format, behind one interface.

A reader is a module with ``NAME`` (what the user calls the format),
``SUFFIXES`` (file name endings), ``sniff(data) -> bool`` (does the content look
like this format) and ``read(data, source) -> (format, records)``, where a
record is ``(line or row number, raw cells, raw text)`` as
:func:`ctstui.importing.rows.read_records` takes them.  A new format is one new
module added to :data:`READERS`.
"""

from __future__ import annotations

from types import ModuleType

from ctstui.importing.errors import PlanImportError
from ctstui.importing.readers import docx, pdf, text, xlsx
from ctstui.importing.rows import Record

READERS: tuple[ModuleType, ...] = (docx, xlsx, pdf, text)

SUPPORTED = (
    "tab- or comma-separated text (.txt, .tsv, .csv; UTF-8, UTF-16 or Windows-1252, as "
    "pasted from Word/PDF or saved by Excel), Word (.docx), Excel (.xlsx) and PDF (.pdf) tables"
)

# Formats recognised by their first bytes that ctstui does not read, and what to do instead.
_REFUSED = (
    (b"\xd0\xcf\x11\xe0", "an old Word/Excel (.doc/.xls) file: save it as .docx or .xlsx"),
    (b"{\\rtf", "a rich text (.rtf) file: save it as .docx"),
    (b"PK\x03\x04", "a zip archive that is neither .docx nor .xlsx (an .odt/.ods? save it as "
     ".docx or .xlsx)"),
)  # fmt: skip


def read_records(data: bytes, source: str) -> tuple[str, list[Record]]:
    """The document's rows, by the first reader that recognises it."""
    for reader in READERS:
        if reader.sniff(data):
            return reader.read(data, source)
    for magic, what in _REFUSED:
        if data.startswith(magic):
            raise PlanImportError(
                f"cannot read it: it is {what}. ctstui reads {SUPPORTED}", source=source
            )
    raise PlanImportError(
        f"cannot read it: it is not a document ctstui knows. ctstui reads {SUPPORTED}",
        source=source,
    )
