"""The Report screen: the report's tables and chart, redrawn on change; keys move the year."""

from __future__ import annotations

import re

from textual.widgets import Input

from ctstui.domain.model import Status
from ctstui.tui.screens.report import ReportScreen

from .test_app import SIZE, notifications, shown


def completed_row(app) -> tuple[int, int]:
    """(activities, days) on the Completed row of the status table as shown."""
    found = re.search(r"Completed\s+(\d+)\s+(\d+)", shown(app.screen.query_one("#report-summary")))
    assert found
    return int(found.group(1)), int(found.group(2))


def report_text(app) -> str:
    return "\n".join(
        shown(app.screen.query_one(selector))
        for selector in ("#report-title", "#report-summary", "#report-chart", "#report-tables")
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


async def test_filter_and_write_markdown_next_to_the_plan(app, store, tmp_path):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("4", "slash")
        app.screen.query_one(Input).value = "lead:LC"
        await pilot.press("enter")
        text = report_text(app)
        assert "query: lead:LC" in text
        assert "4 scheduled + 0 optional = 4 days." in text  # academy 2, seminar 1, heritage 1
        await pilot.press("w")
        target = tmp_path / "report.md"
        assert target.read_text(encoding="utf-8").startswith("# Board report: plan year 2013/14")
        assert "| **Total** | **3** | **4** |" in target.read_text(encoding="utf-8")
        assert any(str(target) in m for m in notifications(app))
