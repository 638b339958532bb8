"""The board paper as a Word document (python-docx), with the chart as an image.

The document is laid out like the team's own board paper (seed 004,
"Improvement Update"): a title with the plan year and "as of" date, a summary
in plain words, the activity update since the last board, progress against
each funder contract's targets, the reconciliation with the plan's stated
totals, and a chart of days per month by status.  Every figure comes from the
same :class:`~ctstui.report.summary.Table` s and :class:`Report` as the text,
Markdown and JSON reports, so none can disagree.
"""

from __future__ import annotations

import io
import re

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt, RGBColor

from ctstui.domain.text import cell_width, printable
from ctstui.report.chart import chart_description, days_chart_png
from ctstui.report.summary import Report, Table, heading, report_tables

FLAG_COLOUR = RGBColor(0xB7, 0x1C, 0x1C)
WIDE_TABLE = 7  # columns beyond which a table is set in a smaller type
TEXT_WIDTH = Cm(17)  # A4 less 2 cm margins

SINCE_KEYS = ("took_place", "slipped", "scheduled_next", "changes", "new", "dropped")
FIGURE_KEYS = ("status", "audiences", "themes", "kinds", "leads")


# Characters XML 1.0 cannot hold (besides the control characters printable() escapes).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(text: str) -> str:
    # Word's XML cannot hold control characters, lone surrogates or U+FFFE/U+FFFF:
    # show them as escapes instead, never drop them silently.
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", printable(text))


def _table(document: DocxDocument, table: Table, *, titled: bool = True) -> None:
    if titled:
        document.add_heading(_text(table.title), level=2)
    if not table.rows:
        document.add_paragraph(_text(table.empty))
    else:
        rows = [table.columns, *table.rows, *([table.total] if table.total else [])]
        out = document.add_table(rows=len(rows), cols=len(table.columns))
        out.style = "Table Grid"
        size = Pt(7) if len(table.columns) > WIDE_TABLE else Pt(9)
        # Columns as wide as their text needs (within reason; a wide character counts
        # twice, as on a terminal), over the page's width.
        # (no narrower than the column's longest word, so "Commissioned" stays whole).
        needs = [
            max(
                min(max(cell_width(row[c]) for row in rows), 40),
                min(max((cell_width(w) for row in rows for w in row[c].split()), default=0), 20),
            )
            + 3
            for c in range(len(table.columns))
        ]
        for c, column in enumerate(out.columns):
            width = int(TEXT_WIDTH * needs[c] / sum(needs))
            column.width = width  # the grid, which LibreOffice follows
            for cell in column.cells:  # and each cell, which Word follows
                cell.width = width
        out.autofit = False
        for r, cells in enumerate(rows):
            flagged = (r - 1) in table.flagged
            bold = r == 0 or (table.total is not None and r == len(rows) - 1)
            for c, value in enumerate(cells):
                cell = out.cell(r, c)
                paragraph = cell.paragraphs[0]
                run = paragraph.add_run(_text(value))
                run.font.size = size
                run.bold = bold or flagged
                if flagged:
                    run.font.color.rgb = FLAG_COLOUR
                if c in table.numeric:
                    paragraph.alignment = 2  # right
    for note in table.notes:
        paragraph = document.add_paragraph(_text(note), style="List Bullet")
        for run in paragraph.runs:
            run.font.size = Pt(8)


def to_docx(report: Report) -> bytes:
    """The board paper as the bytes of a .docx file."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2))
    title, *details = heading(report)
    document.core_properties.title = _text(title)
    document.add_heading(_text(title), level=0)
    for line in details:
        document.add_paragraph(_text(line[:1].upper() + line[1:]))

    tables = {t.key: t for t in report_tables(report)}

    document.add_heading("Summary", level=1)
    document.add_paragraph(_text(report.summary_text()))

    since = report.since
    if since is not None:
        document.add_heading(
            f"Activity update since {since.since.day} {since.since:%B %Y}", level=1
        )
        for key in SINCE_KEYS:
            _table(document, tables[key])
    else:
        document.add_heading("Activity update", level=1)
        document.add_paragraph(
            "No date of the last board was given: run the report with --since DATE for what "
            "took place, slipped and is scheduled next."
        )

    document.add_heading("Contract progress against targets", level=1)
    contract_tables = [t for t in tables.values() if t.key.startswith("contract:")]
    if not contract_tables:
        document.add_paragraph("No funder contract meets this window.")
    for table in contract_tables:
        _table(document, table)
    if any(c.flagged for c in report.contracts):
        document.add_paragraph(
            "Targets in red cannot be met by what is delivered and scheduled: the schedule "
            "needs more activities before the contract ends."
        )

    reconciliation = tables["reconciliation"]
    document.add_heading(_text(reconciliation.title), level=1)
    _table(document, reconciliation, titled=False)

    document.add_heading("Days per month by status", level=1)
    picture = document.add_picture(io.BytesIO(days_chart_png(report)), width=Cm(16.5))
    # The chart's alternative text, for readers who cannot see it.
    picture._inline.docPr.set("descr", chart_description(report))
    _table(document, tables["months"])

    document.add_heading("Figures", level=1)
    for key in FIGURE_KEYS:
        _table(document, tables[key])

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
