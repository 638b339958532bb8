"""The Report screen: the report's tables and chart, redrawn on change; keys move the year."""

from __future__ import annotations

import re

import pytest
from textual.widgets import Input

from ctstui.domain.model import Status
from ctstui.tui.screens.report import ReportScreen
from ctstui.tui.widgets.report_chart import DaysChart

from .test_app import SIZE, notifications, shown


def completed_row(app) -> tuple[int, int]:
    """(activities, days) on the Completed row of the status table as shown."""
    found = re.search(r"Completed\s+(\d+)\s+(\d+)", shown(app.screen.query_one("#report-summary")))
    assert found
    return int(found.group(1)), int(found.group(2))


def chart_text(app) -> str:
    chart = app.screen.query_one(DaysChart)
    return "\n".join(line for line, _ in chart.lines(chart.size.width))


def report_text(app) -> str:
    return "\n".join(
        [
            *(
                shown(app.screen.query_one(selector))
                for selector in ("#report-title", "#report-summary", "#report-tables")
            ),
            chart_text(app),
        ]
    )


async def test_report_shows_the_plan_year_and_moves_by_year(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        assert isinstance(app.screen, ReportScreen)
        text = report_text(app)
        assert "Board report: plan year 2013/14" in text
        # The conftest plan: 7 activities, 10 days (Derby 2 completed, Academy 2 confirmed,
        # Culture Academy 2 TBC, four 1-day planned ones).
        assert "10 scheduled + 0 optional = 10 days." in text
        assert "Days per month" in text and "Nov" in text
        await pilot.press("right_square_bracket")
        text = report_text(app)
        assert "plan year 2014/15" in text and "0 scheduled + 0 optional = 0 days." in text
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert "plan year 2012/13" in report_text(app)
        await pilot.press("t")
        assert "plan year 2013/14" in report_text(app)


async def test_report_redraws_on_change_and_shows_titles_literally(app, store, plan):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        assert completed_row(app) == (1, 2)
        store.set_status(plan["academy"].id, Status.COMPLETED)
        await pilot.pause()
        assert completed_row(app) == (2, 4)
        await pilot.press("u")  # undo, from the report screen
        await pilot.pause()
        assert completed_row(app) == (1, 2)
        await pilot.press("s")
        app.screen.query_one(Input).value = "2013-11-01"
        await pilot.press("enter")
        text = report_text(app)
        assert "since 1 Nov 2013" in text
        # Every activity was added on 5 November: the hostile title is listed as text.
        assert "[link=http://x]click[/link] [@click=app.quit]x[/] [/" in text


async def test_filter_and_write_asks_where_defaulting_to_the_plan_year(app, store, tmp_path):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("4", "slash")
        app.screen.query_one(Input).value = "lead:LC"
        await pilot.press("enter")
        text = report_text(app)
        assert "query: lead:LC" in text
        assert "4 scheduled + 0 optional = 4 days." in text  # academy 2, seminar 1, heritage 1
        await pilot.press("w")
        prompt = app.screen.query_one(Input)
        assert prompt.value == "report-2013-14.docx"
        prompt.value = "report-2013-14.md"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        target = tmp_path / "report-2013-14.md"
        assert target.read_text(encoding="utf-8").startswith("# Board report: plan year 2013/14")
        assert "| **Total** | **3** | **4** |" in target.read_text(encoding="utf-8")
        assert any(str(target) in m for m in notifications(app))
        # Escape writes nothing; a name without a known ending is refused in the prompt.
        await pilot.press("w")
        app.screen.query_one(Input).value = "other.md"
        await pilot.press("escape")
        assert not (tmp_path / "other.md").exists()
        await pilot.press("w")
        app.screen.query_one(Input).value = "report.pdf"
        await pilot.press("enter")
        assert "end the name with one of .docx" in shown(app.screen.query_one("#prompt-hint"))
        await pilot.press("escape")


async def test_w_writes_the_word_board_paper(app, store, tmp_path):
    import docx

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "w", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        target = tmp_path / "report-2013-14.docx"
        document = docx.Document(str(target))
        assert document.paragraphs[0].text == (
            "Board report: plan year 2013/14 (1 Apr 2013 – 31 Mar 2014)"
        )
        assert len(document.inline_shapes) == 1


async def test_contracts_are_added_and_edited_in_a_form(app, store):
    from textual.widgets import TextArea

    from ctstui.tui.dialogs.contract_form import ContractForm

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "a")
        form = app.screen
        assert isinstance(form, ContractForm)
        form.query_one("#field-funder", Input).value = "Arts Council England"
        form.query_one("#field-from", Input).value = "2013-04-01"
        form.query_one("#field-to", Input).value = "2013-03-01"
        form.query_one(
            "#field-targets", TextArea
        ).text = 'Library seminars = 2 kind:seminar theme:libraries\n3 kind:"nope"'
        await pilot.pause()
        errors = {n: shown(form.query_one(f"#error-{n}")) for n in ("to", "targets")}
        assert "Targets, line 2: '3 kind:\"nope\"'" in errors["targets"]
        await pilot.press("ctrl+s")
        assert app.screen is form  # not saved while a field is wrong
        form.query_one(
            "#field-targets", TextArea
        ).text = "Library seminars = 2 kind:seminar theme:libraries"
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert app.screen is form
        assert "To: the period ends (2013-03-01) before it starts" in shown(
            form.query_one("#error-to")
        )
        form.query_one("#field-to", Input).value = "2014-03-31"
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ReportScreen)
        [contract] = store.contracts()
        assert (contract.funder, contract.targets[0].count) == ("Arts Council England", 2)
        # The Libraries seminar names no funder: shown as not counted.
        text = report_text(app)
        assert "Arts Council England: 1 Apr 2013 – 31 Mar 2014" in text
        assert "1 activity names no funder, not counted" in text
        # Edit: the form starts from the contract; Escape leaves it as it was.
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, ContractForm)
        assert form.query_one("#field-funder", Input).value == "Arts Council England"
        form.query_one("#field-funder", Input).value = "Changed"
        await pilot.press("escape")
        assert store.contracts()[0].funder == "Arts Council England"
        await pilot.press("e")
        app.screen.query_one("#field-notes", Input).value = "One-year grant"
        await pilot.press("ctrl+s")
        [edited] = store.contracts()
        assert edited.id == contract.id and edited.notes == "One-year grant"


async def test_the_chart_fits_any_width(app):
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.press("4")
        chart = app.screen.query_one(DaysChart)
        for width in (8, 20, 40, 60, 120):
            lines = chart.lines(width)
            assert all(len(line) <= width for line, _ in lines)
        assert chart.lines(60)[-1][0].split()[:3] == ["Apr", "May", "Jun"]


async def test_report_opens_on_the_latest_year_with_activities(store, plan):
    from datetime import date

    from ctstui.tui.app import make_app

    app = make_app(store, today=date(2026, 12, 1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        text = report_text(app)
        assert "Board report: plan year 2013/14" in text
        assert "plan year 2026/27 (holding today, 1 Dec 2026) has no activities" in text
        await pilot.press("t")  # this year: today's, empty, and no "which year" line
        text = report_text(app)
        assert "plan year 2026/27" in text and "Which year" not in text


@pytest.mark.parametrize("size", [(80, 40), (200, 50)], ids=["80-columns", "200-columns"])
def test_report_screen_snapshot(size, snap_compare, tmp_path):
    """The sample plan's report: the chart fits both widths, nothing wraps."""
    import shutil

    from ctstui.cli.context import sample_plan_path
    from ctstui.store.activity_store import ActivityStore
    from ctstui.tui.app import make_app
    from screenshots import TODAY

    plan = tmp_path / "plan.json"
    shutil.copyfile(sample_plan_path(), plan)
    app = make_app(ActivityStore(plan, autosave=False), today=TODAY)

    async def open_report(pilot):
        await pilot.press("4")
        await pilot.pause(0.3)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_report)
