"""What commands print: text tables, CSV and JSON, with untrusted text made safe.

Every cell passes through :func:`ctstui.domain.text.printable` (tables) or its
CSV/JSON forms, so a title holding terminal escape sequences (a clipboard
write, clear screen, a cursor report) is shown as text, never obeyed.

Text tables are Rich tables: cell widths come from Rich (wide characters
take two columns), the width from the terminal, or 100 columns when the output
is not a terminal, and there is colour only on a terminal.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ctstui.domain.text import cell_width, csv_cell, fit, printable, printable_json

PIPE_WIDTH = 100  # columns of a table written to a file or pipe


def is_terminal(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


def console_for(out: TextIO) -> Console:
    """A console writing to ``out``: plain text unless ``out`` is a terminal."""
    tty = is_terminal(out)
    return Console(
        file=out,
        width=None if tty else PIPE_WIDTH,  # None: the terminal's width (or $COLUMNS)
        color_system="auto" if tty else None,
        no_color=not tty,
        force_terminal=tty,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
    )


@dataclass(frozen=True)
class TextColumn:
    """One column of a text table."""

    header: str
    max_width: int | None = None  # cells beyond it end in "…"
    min_width: int | None = None  # never narrower (else the header's width)
    justify: Literal["left", "right"] = "left"
    weight: int = 1  # when space is short, keeps about ``weight`` times others' width


COLUMN_GAP = 2  # between columns: one space of padding (collapsed) and the box's divider


def column_widths(
    columns: Sequence[TextColumn], rows: Sequence[Sequence[str]], room: int
) -> list[int]:
    """Terminal columns for each table column: its widest cell (capped at its
    ``max_width``, never narrower than its header), then, while the table is wider than ``room``, the widest
    column (for its weight) gives up one column at a time, down to its minimum.

    (Rich's own fitting takes an equal share from every column that cannot
    wrap, which squeezes a short one like the id out of sight.)
    """
    widths = []
    floors = []
    for index, column in enumerate(columns):
        widest = max((cell_width(row[index]) for row in rows), default=0)
        width = max(widest, cell_width(column.header))
        if column.max_width is not None:
            width = min(width, max(column.max_width, cell_width(column.header)))
        widths.append(width)
        floors.append(min(column.min_width or cell_width(column.header), width))
    excess = sum(widths) + COLUMN_GAP * (len(widths) - 1) - room
    while excess > 0:
        shrinkable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not shrinkable:
            break  # the terminal is narrower than the headers: Rich crops the lines
        widest = max(shrinkable, key=lambda i: widths[i] / columns[i].weight)
        widths[widest] -= 1
        excess -= 1
    return widths


def write_table(
    out: TextIO,
    columns: Sequence[TextColumn],
    rows: Iterable[Sequence[str]],
    *,
    footer: str | None = None,
) -> None:
    """A table of one line per row (long cells cut with "…"), then ``footer``.

    Cells are plain text (never markup) with control characters escaped.  Rich
    draws the header and rule; the rows are laid out here with the same widths
    and gaps, because Rich renders a row about ten times slower than this and a
    plan can have 100,000 of them.
    """
    console = console_for(out)
    cells = [[printable(cell) for cell in row] for row in rows]
    widths = column_widths(columns, cells, console.width)
    header = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,  # one space of padding and the divider: COLUMN_GAP
        header_style="bold" if console.is_terminal else "",
    )
    for column, width in zip(columns, widths, strict=True):
        header.add_column(
            column.header, width=width, justify=column.justify, no_wrap=True, overflow="ellipsis"
        )
    console.print(header)
    gap = " " * COLUMN_GAP
    right = [column.justify == "right" for column in columns]
    lines = (
        gap.join(
            fit(cell, width, right=flush)
            for cell, width, flush in zip(row, widths, right, strict=True)
        ).rstrip()
        for row in cells
    )
    for line in lines:
        out.write(line + "\n")
    if footer is not None:
        console.print(Text(printable(footer)))


class CsvWriter:
    """``csv.writer`` whose text cells have control characters escaped."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out, lineterminator="\n")

    def writerow(self, cells: Iterable[object]) -> None:
        self._writer.writerow([csv_cell(cell) for cell in cells])


def write_csv(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    writer = CsvWriter(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)


def write_json(out: TextIO, value: object) -> None:
    """Indented JSON, non-ASCII kept, control characters as ``\\uXXXX`` escapes."""
    out.write(printable_json(json.dumps(value, ensure_ascii=False, indent=2)))
    out.write("\n")
