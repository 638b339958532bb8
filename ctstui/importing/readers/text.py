"""Plain text tables: tab-separated (as pasted from Word/PDF, or Excel's "Unicode
text", which is UTF-16 with quoted multi-line cells), or comma/semicolon CSV."""

from __future__ import annotations

import codecs
import csv
import io
import re

from ctstui.importing.errors import PlanImportError
from ctstui.importing.rows import _CONTROL, Record, _clean, _header_columns, _unquote

NAME = "text"
SUFFIXES = (".txt", ".tsv", ".csv", ".tab", "")


def decode(data: bytes) -> str:
    """The text of a file: UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode
    text", with a BOM or recognised by its zero bytes), else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    head = data[:2000]
    if len(head) >= 4 and head.count(b"\x00") * 3 >= len(head):
        # UTF-16 without a BOM: every other byte of ASCII text is zero
        even_zeros = head[0::2].count(0)
        odd_zeros = head[1::2].count(0)
        return data.decode("utf-16-le" if odd_zeros > even_zeros else "utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff(data: bytes) -> bool:
    """Text: no zero bytes (other than UTF-16's) and no binary control bytes."""
    text = decode(data[:4000])
    binary = sum(1 for ch in text if ord(ch) < 9 or 13 < ord(ch) < 32)
    return binary <= len(text) // 100


def read(data: bytes, source: str) -> tuple[str, list[Record]]:
    return records(decode(data), source)


# A cell opened with a quote that runs onto the next line: Excel's quoted multi-line cell.
_QUOTED_MULTILINE = re.compile(r'(?:^|\t)"(?:[^"]|"")*\n(?:[^"]|"")*"(?=\t|\n|$)')


def records(text: str, source: str) -> tuple[str, list[Record]]:
    """The text as (line number, raw cells, raw text) records, and its format."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(" ", text)
    lines = text.split("\n")
    if _is_cell_stream(lines):
        return "cells", _cell_stream_records(lines)
    if any("\t" in line for line in lines):
        if _QUOTED_MULTILINE.search(text):
            return "tsv", _csv_records(text, "\t", source)
        return "tsv", [
            (n, [_unquote(c) for c in line.split("\t")], line)
            for n, line in enumerate(lines, start=1)
        ]
    best: tuple[str, list[Record]] | None = None
    for name, delimiter in (("csv", ","), ("csv;", ";")):
        if not any(delimiter in line for line in lines):
            continue
        found = _csv_records(text, delimiter, source)
        if any(_header_columns([_clean(c) for c in cells]) for _, cells, _ in found):
            return name.rstrip(";"), found
        best = best or (name.rstrip(";"), found)
    if best is not None:
        return best
    return "tsv", [(n, [line], line) for n, line in enumerate(lines, start=1)]


def _csv_records(text: str, delimiter: str, source: str) -> list[Record]:
    """Rows of delimited text; a quoted cell may hold line breaks (kept in the cell)."""
    lines = text.split("\n")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    out: list[Record] = []
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return out
        except csv.Error as exc:
            raise PlanImportError(
                f"not readable as {'tab-separated text' if delimiter == chr(9) else 'CSV'}: {exc}",
                source=source,
                line=reader.line_num or start,
            )
        end = reader.line_num
        raw = "\n".join(lines[start - 1 : end]) if end >= start else ""
        out.append((start, list(cells), raw))
        start = end + 1


# -- one cell a line: a Word table saved as text (seed 002's work programme) ----------------
#
# Each cell begins on a line of its own after a tab; the lines below it without
# a tab are more of the same cell.  A run of cells that name columns is the
# header; the cells after it are rows of that many cells; a cell such as
# "Priority 1: ..." or "Programme 1.1: ..." is a heading between tables.


def _is_cell_stream(lines: list[str]) -> bool:
    tabbed = [line for line in lines if "\t" in line]
    return len(tabbed) >= 6 and all(
        line.startswith("\t") and line.count("\t") == 1 for line in tabbed
    )


def _cell_stream_records(lines: list[str]) -> list[Record]:
    from ctstui.importing.rows import _PRIORITY_HEADING, _PROGRAMME_HEADING, _column_of

    cells: list[tuple[int, str]] = []  # (line, text)
    out: list[Record] = []
    for number, line in enumerate(lines, start=1):
        if line.startswith("\t"):
            cells.append((number, line[1:]))
        elif cells:
            cells[-1] = (cells[-1][0], cells[-1][1] + "\n" + line)
        elif line.strip():
            out.append((number, [], line))  # before the first cell: the title
    width = 0
    row: list[tuple[int, str]] = []

    def flush() -> None:
        if row:
            texts = [t.strip("\n") for _, t in row]
            out.append((row[0][0], texts, "\t".join(t.replace("\n", " ") for t in texts)))
            row.clear()

    index = 0
    while index < len(cells):
        number, text = cells[index]
        one_line = " ".join(text.split())
        if _PRIORITY_HEADING.match(one_line) or _PROGRAMME_HEADING.match(one_line):
            flush()
            out.append((number, [], one_line))
            index += 1
            continue
        header: list[tuple[int, str]] = []
        while index + len(header) < len(cells) and _column_of(
            " ".join(cells[index + len(header)][1].split())
        ):
            header.append(cells[index + len(header)])
        if len(header) >= 3:
            flush()
            width = len(header)
            texts = [t.strip("\n") for _, t in header]
            out.append((number, texts, "\t".join(" ".join(t.split()) for t in texts)))
            index += len(header)
            continue
        row.append((number, text))
        if width and len(row) == width:
            flush()
        index += 1
    flush()
    return out
