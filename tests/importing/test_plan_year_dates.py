"""Dates read in their plan year; no row lost; the report shows the window it resolved to."""

from __future__ import annotations

from datetime import date

import pytest

from ctstui.domain.model import Status
from ctstui.importing.importer import format_report, import_report, merge_file, read_plan

HEAD = "Activity\tDate\tTarget audience\tLink to business plan\tLead officer"


def plan(*rows: str, title: str = "Improvement plan") -> str:
    return "\n".join([title, HEAD, *rows]) + "\n"


def row(title: str, when: str) -> str:
    return f"{title}\t{when}\tSport PHs (5)\tgrowth\tSN"


def read(*rows: str, year: str = "2024/25"):
    return read_plan(plan(*rows), "mine.txt", plan_year=year)


@pytest.mark.parametrize(
    ("cell", "start", "end"),
    [
        ("Jan 15", "2025-01-15", "2025-01-15"),  # was January 2015
        ("Sept 30", "2024-09-30", "2024-09-30"),  # was September 2030
        ("June 15", "2024-06-15", "2024-06-15"),
        ("Tuesday 14 May", "2024-05-14", "2024-05-14"),
        ("Thurs, 3rd October", "2024-10-03", "2024-10-03"),
        ("10/07/2024", "2024-07-10", "2024-07-10"),  # UK day/month
        ("10/07", "2024-07-10", "2024-07-10"),
        ("Spring", "2024-03-01", "2024-05-31"),  # UK meteorological
        ("Winter", "2024-12-01", "2025-02-28"),
        ("Q1", "2024-04-01", "2024-06-30"),  # financial quarters of the plan year
        ("Q4", "2025-01-01", "2025-03-31"),
        ("early March", "2025-03-01", "2025-03-10"),
        ("late Feb", "2025-02-21", "2025-02-28"),
        ("w/c 18 November", "2024-11-18", "2024-11-24"),
        ("week commencing 2 December", "2024-12-02", "2024-12-08"),
        ("14 May (deadline)", None, "2024-05-14"),
        ("deadline: 30 June", None, "2024-06-30"),
        ("1st and 2nd July", "2024-07-01", "2024-07-02"),
    ],
)
def test_date_forms_resolve_in_the_plan_year(cell, start, end):
    parsed = read(row("Sport academy (2 days)", cell))
    [activity] = parsed.activities
    assert activity.when.text == cell  # kept as written
    assert activity.when.start == (date.fromisoformat(start) if start else None)
    assert activity.when.end == date.fromisoformat(end)
    assert activity.date_problem == "" and parsed.problems == []
    assert activity.plan_year == "2024/25"


def test_two_digit_years_that_name_the_plan_year_stay_years():
    parsed = read(
        "Offer support\tApril 11- March 12\tCouncils\tgrowth\tJW",
        "Workshops\tJune – Aug 11\tCouncils\tgrowth\tJW",
        year="2011/12",
    )
    first, second = parsed.activities
    assert (first.when.start, first.when.end) == (date(2011, 4, 1), date(2012, 3, 31))
    assert (second.when.start, second.when.end) == (date(2011, 6, 1), date(2011, 8, 31))


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        ("completed", Status.COMPLETED),
        ("confirmed", Status.CONFIRMED),
        ("TBC", Status.TBC),
        ("postponed", Status.TBC),
        ("cancelled", Status.CANCELLED),
    ],
)
def test_a_status_word_alone_is_an_undated_row_with_that_status(cell, status):
    parsed = read(row("Sport academy", cell))
    [activity] = parsed.activities
    assert activity.status is status and activity.when.start is None
    assert activity.date_problem == "" and parsed.problems == []


def test_a_date_outside_the_plan_year_is_kept_flagged_and_reported():
    parsed = read_plan(plan(row("Sport academy", "10/07/2026")), "mine.txt", "2013/14")
    [activity] = parsed.activities
    assert activity.when.start == date(2026, 7, 10)  # as written, never moved silently
    assert "outside the plan year 2013/14" in activity.date_problem
    [problem] = parsed.problems
    assert problem.imported and problem.line == 3 and "10/07/2026" in problem.text
    assert str(problem).startswith("mine.txt:3: Sport academy | 10/07/2026")


def test_no_row_is_lost_when_its_date_cannot_be_read():
    cells = ["sometime soon", "after the elections", "see note", "Jan 2o25"]
    parsed = read(*(row(f"Peer review {i}", c) for i, c in enumerate(cells)))
    assert len(parsed.activities) == len(cells)
    for activity, cell in zip(parsed.activities, cells, strict=True):
        assert activity.when.text == cell and activity.when.start is None
        assert activity.date_problem == f"date not understood: {cell!r}"
    assert [p.line for p in parsed.problems] == [3, 4, 5, 6]
    assert all(p.imported and "date not understood" in p.reason for p in parsed.problems)


def test_trimmed_trailing_tabs_are_read_as_far_as_they_go():
    parsed = read("Culture academy (2 days)\t12 June", "Sport academy (2 days)\t13 June\tSport PHs")
    first, second = parsed.activities
    assert (first.title, first.when.start) == ("Culture academy", date(2024, 6, 12))
    assert second.audience == "Sport PHs" and second.leads == []
    assert [p.line for p in parsed.problems] == [3, 4]
    assert all("read as far as it goes" in p.reason for p in parsed.problems)


def test_report_shows_the_resolved_window_with_its_year_and_notes():
    parsed = read(
        row("Sport academy (2 days)", "Jan 15"),
        row("Libraries seminar (1 day)", "w/c 19 November"),  # a Tuesday
        row("Culture academy (2 days)", "Sprung"),
    )
    merge = merge_file([], parsed)
    report = import_report(parsed, merge)
    added = {a["title"]: a for a in report["added"]}
    assert added["Sport academy"]["window"] == "Wed 15 Jan 2025"
    assert added["Sport academy"]["start"] == "2025-01-15"
    assert added["Libraries seminar"]["notes"] == [
        "the week of 'w/c 19 November' begins on a Tuesday, not a Monday"
    ]
    assert added["Culture academy"]["window"] == "undated: date not understood"
    assert report["rows"]["date_not_understood"] == 1
    text = format_report([report])
    assert "Jan 15" in text and "Wed 15 Jan 2025" in text
    assert "begins on a Tuesday, not a Monday" in text
    assert "flagged: date not understood: 'Sprung'" in text
    assert "1 row(s) came in undated, flagged 'date not understood'" in text
    assert "Totals for 2024/25" in text
