"""Real formats: Word, Excel and PDF tables, UTF-16 text, quoted multi-line cells."""

from __future__ import annotations

import codecs
from datetime import date, datetime

import pytest

from ctstui.domain.model import Status
from ctstui.importing.importer import PlanImportError, read_document, read_file

HEADER = ["Activity", "Date", "Target audience", "Link to business plan", "Lead officer"]
ROWS = [
    ["Sport Academy (2 days)", "26/27 June - completed", "Sport PHs (15)", "growth", "SN"],
    ["Heritage seminar (1 day)", "10 July", "Heritage and planning PHs (25)", "growth", "LC"],
]
MORE = [
    ["Libraries seminar (1 day)", "W/b 18 November", "Library PHs (25)", "growth", "LC"],
    ["Culture Academy (2 days)", "4/5 December", "Culture PHs (15)", "growth", "SN"],
]


def check_plan(parsed, *, count=4):
    titles = [a.title for a in parsed.activities]
    assert (
        titles[:count]
        == [
            "Sport Academy",
            "Heritage seminar",
            "Libraries seminar",
            "Culture Academy",
        ][:count]
    )
    academy = parsed.activities[0]
    assert academy.status is Status.COMPLETED
    assert (academy.when.start, academy.when.end) == (date(2013, 6, 26), date(2013, 6, 27))
    assert (academy.audience, academy.places, academy.leads) == ("Sport PHs", 15, ["SN"])
    assert str(parsed.plan_year) == "2013/14"


# -- Word ---------------------------------------------------------------------------------


def test_docx_tables_with_repeated_headers_merged_cells_and_line_breaks(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("CTS Improvement Project Plan 2013/14")
    first = document.add_table(rows=1 + len(ROWS), cols=5)
    for r, values in enumerate([HEADER, *ROWS]):
        for c, value in enumerate(values):
            first.cell(r, c).text = value
    # a line break inside a cell: the title wraps in Word
    first.cell(2, 0).text = ""
    first.cell(2, 0).paragraphs[0].add_run("Heritage seminar")
    first.cell(2, 0).add_paragraph("(1 day)")
    document.add_paragraph("continued")
    second = document.add_table(rows=1 + len(MORE) + 2, cols=5)
    for r, values in enumerate([HEADER, *MORE]):  # the header repeated on the next page
        for c, value in enumerate(values):
            second.cell(r, c).text = value
    totals, stated = len(MORE) + 1, len(MORE) + 2
    merged = second.cell(totals, 0).merge(second.cell(totals, 4))  # one cell across the row
    merged.text = "TOTALS"
    second.cell(stated, 0).text = "6 days of improvement activity"
    second.cell(stated, 2).text = "over 50 councillors involved"
    path = tmp_path / "plan.docx"
    document.save(str(path))

    parsed = read_file(path)
    assert parsed.format == "docx" and parsed.problems == []
    check_plan(parsed)
    assert parsed.activities[1].days == 1  # "(1 day)" from the cell's second line
    assert parsed.totals is not None and parsed.totals.days == 6
    assert parsed.totals.councillors == 50
    assert parsed.whole_reason.startswith("its title names the plan year")


# -- Excel --------------------------------------------------------------------------------


def test_xlsx_with_real_date_cells(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Improvement plan 2013/14"])
    sheet.append(HEADER)
    sheet.append(ROWS[0])
    sheet.append([ROWS[1][0], datetime(2013, 7, 10), *ROWS[1][2:]])  # a real date cell
    sheet.append([MORE[0][0], "W/b 18 November", *MORE[0][2:]])
    sheet.append([MORE[1][0], "4/5 December", MORE[1][2], "growth", "SN", None, None])
    sheet.append(["Peer review Derby", datetime(2026, 7, 10), "Individual council", "growth", "SN"])
    path = tmp_path / "plan.xlsx"
    book.save(str(path))

    parsed = read_file(path)
    assert parsed.format == "xlsx"
    check_plan(parsed)
    heritage = parsed.activities[1]
    assert heritage.when.start == date(2013, 7, 10) and heritage.when.text == "2013-07-10"
    # a full date outside the plan year is kept, flagged and reported with its row
    derby = parsed.activities[4]
    assert derby.when.start == date(2026, 7, 10) and "outside the plan year" in derby.date_problem
    [problem] = parsed.problems
    assert problem.line == 7 and "2026-07-10" in problem.text


# -- PDF ----------------------------------------------------------------------------------


def _pdf(lines: list[str], table: list[list[str]]) -> bytes:
    """A one-page PDF: text lines at the top, then a ruled table (Helvetica 9pt)."""
    ops = ["BT /F1 12 Tf"]
    y = 800
    for line in lines:
        ops.append(f"1 0 0 1 40 {y} Tm ({line}) Tj")
        y -= 18
    ops.append("ET")
    widths = [140, 115, 145, 100, 75]
    top = y - 10
    height = 20
    for r, row in enumerate(table):
        x = 10
        row_top = top - r * height
        for c, cell in enumerate(row):
            ops.append(f"{x} {row_top - height} {widths[c]} {height} re S")
            ops.append(f"BT /F1 9 Tf 1 0 0 1 {x + 3} {row_top - 14} Tm ({cell}) Tj ET")
            x += widths[c]
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def test_pdf_ruled_table(tmp_path):
    path = tmp_path / "plan.pdf"
    path.write_bytes(_pdf(["Annex A Improvement Project Plan 2013/14"], [HEADER, *ROWS, *MORE]))
    parsed = read_file(path)
    assert parsed.format == "pdf" and parsed.problems == []
    check_plan(parsed)
    assert parsed.activities[2].when.start == date(2013, 11, 18)


# -- text -----------------------------------------------------------------------------------

QUOTED = (
    "Plan 2013/14\n"
    + "\t".join(HEADER)
    + "\n"
    + 'Sport Academy (2 days)\t26/27 June - completed\t"Sport PHs\n(15)"\tgrowth\tSN\n'
    + '"Heritage seminar\n(1 day)"\t10 July\tHeritage and planning PHs (25)\tgrowth\tLC\n'
    + "\t".join(MORE[0])
    + "\n"
    + "\t".join(MORE[1])
    + "\n"
)


def test_excel_unicode_text_is_utf16_with_quoted_multiline_cells():
    data = codecs.BOM_UTF16_LE + QUOTED.replace("\n", "\r\n").encode("utf-16-le")
    parsed = read_document(data, "unicode.txt")
    assert parsed.problems == []
    check_plan(parsed)
    heritage = parsed.activities[1]
    assert (heritage.title, heritage.days) == ("Heritage seminar", 1)
    assert [row.line for row in parsed.rows] == [3, 5, 7, 8]  # where each row starts


def test_utf16_without_a_bom_and_cp1252():
    parsed = read_document(QUOTED.encode("utf-16-le"), "nobom.txt")
    check_plan(parsed)
    cp1252 = QUOTED.replace("10 July", "10 July \u2013 note").encode("cp1252")
    parsed = read_document(cp1252, "win.txt")
    assert parsed.activities[1].date_problem  # read, its odd date flagged rather than dropped


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "old Word/Excel (.doc/.xls)"),
        (b"PK\x03\x04" + bytes(100), "zip archive"),
        (bytes(range(256)) * 4, "not a document ctstui knows"),
    ],
)
def test_a_format_it_cannot_read_says_which_it_can(data, needle):
    with pytest.raises(PlanImportError) as info:
        read_document(data, "plan.doc")
    message = str(info.value)
    assert message.startswith("plan.doc: cannot read it")
    assert needle in message
    assert "Word (.docx), Excel (.xlsx) and PDF (.pdf)" in message


def test_a_damaged_docx_is_reported_not_raised(tmp_path):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<not really/>")
    with pytest.raises(PlanImportError, match="cannot read it as a Word document"):
        read_document(buffer.getvalue(), "broken.docx")


def test_xlsx_merged_programme_cell_holds_for_each_row(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Work programme 2011-12"])
    sheet.append(["Programme", "Activity", "Timescales", "Lead officer"])
    sheet.append(
        ["Programme 1.2: CSIT Efficiency Challenge", "Host 2 training sessions", "Feb 12", "JW"]
    )
    sheet.append([None, "Target 20 organisations", "May 11", "SN"])
    sheet.merge_cells("A3:A4")
    second = book.create_sheet("More")
    second.append(["Programme", "Activity", "Timescales", "Lead officer"])
    second.append(["Programme 2.1", "E-bulletins", "March 12", "LC"])
    path = tmp_path / "programme.xlsx"
    book.save(str(path))
    parsed = read_file(path)
    assert [a.programme for a in parsed.activities] == [
        "Programme 1.2: CSIT Efficiency Challenge",
        "Programme 1.2: CSIT Efficiency Challenge",
        "Programme 2.1",
    ]
    assert parsed.rows[2].text.startswith("[More] ")  # which sheet, when there are several
