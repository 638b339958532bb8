"""The board paper as Word: read back with python-docx, every figure equal to the JSON report's."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import date

import docx
import pytest

from ctstui.report.chart import chart_description, days_chart_png
from ctstui.report.docx_writer import FLAG_COLOUR, to_docx
from ctstui.report.summary import Window, build_report, to_json

from .test_report import CONTRACTS, PY13, PY19, STATED_000, TODAY_2020, plan_2013, plan_2019

PNG = b"\x89PNG\r\n\x1a\n"


def board_report():
    """2019/20 as of 20 January 2020 (seed 004's board), since 1 November 2019."""
    return build_report(
        [*plan_2013(), *plan_2019()],
        window=Window.of_plan_year(PY19),
        today=TODAY_2020,
        contracts=CONTRACTS,
        since=date(2019, 11, 1),
    )


def read(report) -> docx.document.Document:
    return docx.Document(io.BytesIO(to_docx(report)))


def headings(document) -> list[tuple[str, str]]:
    return [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]


def table_after(document, title: str) -> list[list[str]] | None:
    """The cells of the table that follows the heading ``title`` (None: no table there)."""
    body = document.element.body
    found = False
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p" and "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")):
            text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t"))
            if found:
                return None  # a paragraph came first: the table is empty
            found = text == title
        elif tag == "tbl" and found:
            table = docx.table.Table(child, document)
            return [[cell.text for cell in row.cells] for row in table.rows]
    return None


def test_the_board_paper_has_its_sections_one_chart_and_the_json_figures():
    report = board_report()
    data = json.loads(to_json(report))
    document = read(report)
    titles = headings(document)
    assert titles[0] == ("Title", "Board report: plan year 2019/20 (1 Apr 2019 – 31 Mar 2020)")
    level1 = [text for style, text in titles if style == "Heading 1"]
    assert level1 == [
        "Summary",
        "Activity update since 1 November 2019",
        "Contract progress against targets",
        "Reconciliation with the plan's stated totals",
        "Days per month by status",
        "Figures",
    ]
    paragraphs = [p.text for p in document.paragraphs]
    assert "As of 20 Jan 2020; since 1 Nov 2019" in paragraphs
    # The summary in plain words is the JSON's, word for word, with its figures.
    summary = data["summary"]["text"]
    assert summary in paragraphs
    total = data["total"]
    assert f"has {total['activities']} activities ({total['days']:g} days" in summary
    on_track, at_risk = data["summary"]["targets_on_track"], data["summary"]["targets_at_risk"]
    assert (on_track, at_risk) == (2, 3)
    assert f"{on_track} are on track or met and {at_risk} at risk" in summary

    # Exactly one image, a PNG, whose alternative text gives the JSON's days per month.
    assert len(document.inline_shapes) == 1
    images = [r for r in document.part.rels.values() if "image" in r.reltype]
    assert len(images) == 1 and images[0].target_part.blob.startswith(PNG)
    alt = document.inline_shapes[0]._inline.docPr.get("descr")
    labels = {"completed": "Completed", "confirmed": "Confirmed", "planned": "Planned",
              "tbc": "TBC", "optional": "Optional"}  # fmt: skip
    for month in data["days_by_month_and_status"]:
        days = [f"{labels[k]} {v:g}" for k, v in month.items() if k != "month" and v]
        assert f"{month['month']}: {', '.join(days) or 'none'}" in alt
    assert "Jan: Completed 2;" in alt and "Mar: Planned 6, TBC 6." in alt  # Kingston; by March
    # Status table = JSON by_status.
    status = table_after(document, "Activities and days by status")
    assert status is not None and status[0] == ["Status", "Activities", "Days", "Places"]
    for row in status[1:-1]:
        figures = data["by_status"][row[0].lower()]
        assert row[1:] == [str(figures["activities"]), f"{figures['days']:g}",
                           str(figures["places"])]  # fmt: skip
    assert status[-1] == ["Total", str(total["activities"]), f"{total['days']:g}",
                          str(total["places"])]  # fmt: skip
    # Days per month = JSON months.
    months = table_after(document, "By month")
    assert months is not None
    assert [row[2] for row in months[1:13]] == [f"{m['days']:g}" for m in data["months"].values()]

    # Contracts: each target's row = the JSON's, flagged ones in red.
    for contract in data["contracts"]:
        title = next(t for s, t in titles if t.startswith(contract["funder"] + ":"))
        rows = table_after(document, title)
        assert rows is not None
        for target, row in zip(contract["targets"], rows[1:], strict=True):
            assert row == [
                target["label"], str(target["target"]), str(target["delivered"]),
                str(target["scheduled"]), str(target["still_needed"]), target["check"],
            ]  # fmt: skip
    red = [
        r.text
        for t in document.tables
        for row in t.rows
        for cell in row.cells
        for p in cell.paragraphs
        for r in p.runs
        if r.font.color.rgb == FLAG_COLOUR
    ]
    assert "SHORT by 1" in red and "Culture peer challenges" in red
    assert "Library peer challenges" not in red

    # The activity update: what took place = the JSON's.
    took = table_after(document, "Took place (1 Nov 2019 – 20 Jan 2020)")
    assert took is not None
    assert [row[1] for row in took[1:-1]] == [t["title"] for t in data["since"]["took_place"]]
    next_up = table_after(document, "Scheduled next (from 20 Jan 2020)")
    assert next_up is not None
    assert [row[1] for row in next_up[1:]] == [a["title"] for a in data["since"]["scheduled_next"]]


def test_reconciliation_and_user_text_in_the_paper():
    hostile = plan_2013()
    hostile[0].title = "Bell\x07 and <w:t>tag</w:t>"
    hostile[1].title = "Odd \ud800 \uffff end"
    report = build_report(
        hostile, window=Window.of_plan_year(PY13), today=date(2013, 11, 5), stated=[STATED_000],
        undated_year=PY13, since=date(2013, 4, 1),
    )  # fmt: skip
    data = json.loads(to_json(report))
    document = read(report)
    rows = table_after(document, "Reconciliation with the plan's stated totals")
    assert rows is not None
    rec = data["reconciliation"][0]
    assert rows[1][0] == "Days (2013/14)" and rows[1][2].endswith(f"= {rec['total_days']:g} days")
    assert rows[1][3] == "agrees"
    assert rows[2][3] == "DOES NOT AGREE"
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "Bell\\x07 and <w:t>tag</w:t>" in cells  # control character shown, markup literal
    assert "Odd \\ud800 \\uffff end" in cells  # what XML cannot hold, shown as escapes
    assert "No funder contract meets this window." in [p.text for p in document.paragraphs]


def test_the_chart_is_a_png_even_for_an_empty_window():
    report = build_report([], window=Window.of_plan_year(PY13), today=date(2013, 11, 5))
    assert days_chart_png(report).startswith(PNG)
    assert chart_description(report).startswith("Days per month by status. Apr: none;")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_converts_the_paper_to_pdf(tmp_path):
    source = tmp_path / "board-paper.docx"
    source.write_bytes(to_docx(board_report()))
    result = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "board-paper.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_column_of_wide_characters_gets_the_room_it_needs():
    """Chinese text takes about twice the width of as many Latin letters: its column
    in the board paper is sized for that, not for its number of characters."""
    from docx import Document

    from ctstui.report.docx_writer import _table
    from ctstui.report.summary import Table

    document = Document()
    table = Table("k", "Leads", ["Lead", "Name"], rows=[["体育同行评审会议", "Sport review"]])
    _table(document, table)
    wide, latin = document.tables[0].columns
    assert wide.width > latin.width
