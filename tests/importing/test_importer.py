"""Tests for ctstui.importing.importer: reading plan tables and merging re-imports."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctstui.domain.dates import PlanYear, Precision
from ctstui.domain.model import Activity, Kind, Rag, Status, Theme
from ctstui.importing.importer import (
    IMPORTED_FIELDS,
    ParsedPlan,
    PlanImportError,
    PlanYearMissing,
    apply_merge,
    derive_kind_theme_place,
    format_report,
    import_report,
    missing_note,
    plan_merge,
    read_plan,
    split_duration,
)
from ctstui.store.activity_store import ActivityStore

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "import"
SHARED_SEEDS = REPO.parent / "shared" / "seeds"
LATER = "000_ebe94f5f5048f06a.txt"  # the later version of the 2013/14 plan
EARLIER = "001_6b95ad6dee0cc536.txt"  # the earlier version (second half from a PDF)
Y13 = PlanYear(2013)


def seed_text(name: str) -> str:
    """A seed as it is (the copy in tests/fixtures, else ../shared/seeds)."""
    path = FIXTURES / name
    if not path.exists():
        path = SHARED_SEEDS / name
    return path.read_text(encoding="utf-8")


def d(text: str) -> date:
    return date.fromisoformat(text)


def read_later() -> ParsedPlan:
    return read_plan(seed_text(LATER), LATER)


def read_earlier() -> ParsedPlan:
    return read_plan(seed_text(EARLIER), EARLIER, plan_year="2013/14")


def test_fixture_copies_are_verbatim():
    for name in (LATER, EARLIER):
        if (SHARED_SEEDS / name).exists():
            assert (FIXTURES / name).read_bytes() == (SHARED_SEEDS / name).read_bytes()


# -- every activity of both seeds, field by field ------------------------------------------

PR, PC, ACAD, SEM, ALS, TRN, ALU, CONF = (
    Kind.PEER_REVIEW,
    Kind.PEER_CHALLENGE,
    Kind.ACADEMY,
    Kind.SEMINAR,
    Kind.ACTION_LEARNING_SET,
    Kind.TRAINING,
    Kind.ALUMNI_DAY,
    Kind.CONFERENCE,
)
SPORT, LIB, CUL, HER, TOUR, CROSS = (
    Theme.SPORT,
    Theme.LIBRARIES,
    Theme.CULTURE,
    Theme.HERITAGE,
    Theme.TOURISM,
    Theme.CROSS_CUTTING,
)
TBC, PLANNED, CONFIRMED, COMPLETED = (
    Status.TBC,
    Status.PLANNED,
    Status.CONFIRMED,
    Status.COMPLETED,
)
ALS_AUD = "Sport PHs who have completed an academy"
SPR = "Sport peer review (in 2-tier council, 2 days TBC)"

# (line, title, kind, theme, place, days, date text, start, end, status, audience, places, leads)
LATER_ROWS = [
    (5, "Officer peer training", TRN, CROSS, "", 1, "21 May", "2013-05-21", "2013-05-21", COMPLETED, "Culture and sport officer peers", 10, ["JW"]),
    (6, "Sport peer review Derby", PR, SPORT, "Derby", 2, "14/15 May", "2013-05-14", "2013-05-15", COMPLETED, "Individual council", None, ["SN"]),
    (7, "Libraries peer review Solihull", PR, LIB, "Solihull", 2, "23/24 May", "2013-05-23", "2013-05-24", COMPLETED, "Individual council", None, ["JW"]),
    (8, "Libraries peer review Rochdale", PR, LIB, "Rochdale", 2, "10/11 June", "2013-06-10", "2013-06-11", COMPLETED, "Individual council", None, ["JW"]),
    (9, "Sport Academy", ACAD, SPORT, "", 2, "26/27 June", "2013-06-26", "2013-06-27", COMPLETED, "Sport PHs", 15, ["SN"]),
    (10, "Libraries peer review Somerset", PR, LIB, "Somerset", 2, "June", "2013-06-01", "2013-06-30", COMPLETED, "Individual council", None, ["JW"]),
    (11, "Libraries peer review North Yorkshire", PR, LIB, "North Yorkshire", 2, "4/5 July", "2013-07-04", "2013-07-05", COMPLETED, "Individual council", None, ["JW"]),
    (12, "Heritage seminar", SEM, HER, "", 1, "10 July", "2013-07-10", "2013-07-10", PLANNED, "Hertiage and planning PHs", 25, ["LC"]),
    (13, "Libraries seminar for new PHs", SEM, LIB, "", 1, "12 September", "2013-09-12", "2013-09-12", CONFIRMED, "Library PHs", 25, ["JW"]),
    (14, "Libraries peer review Bournemouth", PR, LIB, "Bournemouth", 2, "September", "2013-09-01", "2013-09-30", TBC, "Individual council", None, ["JW"]),
    (15, "Sport Alumni Day", ALU, SPORT, "", 1, "September", "2013-09-01", "2013-09-30", TBC, "Graduates from leadership academies", None, ["SN"]),
    (16, "Culture Academy", ACAD, CUL, "", 2, "October", "2013-10-01", "2013-10-31", TBC, "Culture PHs", 15, ["SN"]),
    (17, "Sport Academy", ACAD, SPORT, "", 2, "12/13 November", "2013-11-12", "2013-11-13", PLANNED, "Sport PHs", 15, ["LC"]),
    (18, "Sport action learning set", ALS, SPORT, "", 1, "November", "2013-11-01", "2013-11-30", PLANNED, ALS_AUD, 5, ["SN"]),
    (19, "Sport action learning set", ALS, SPORT, "", 1, "November", "2013-11-01", "2013-11-30", PLANNED, ALS_AUD, 5, ["SN"]),
    (20, "Sport action learning set", ALS, SPORT, "", 1, "November", "2013-11-01", "2013-11-30", PLANNED, ALS_AUD, 5, ["SN"]),
    (23, "Libraries seminar", SEM, LIB, "", 1, "W/b 18 November", "2013-11-18", "2013-11-24", PLANNED, "Library PHs", 25, ["LC"]),
    (24, "Visitor economy leadership seminar", SEM, TOUR, "", 1, "November", "2013-11-01", "2013-11-30", PLANNED, "Culture, tourism, planning and growth PHs", None, ["JW", "LC"]),
    (25, "Culture Academy", ACAD, CUL, "", 2, "4/5 December", "2013-12-04", "2013-12-05", PLANNED, "Culture PHs", 15, ["SN"]),
    (26, SPR, PR, SPORT, "", 2, "January", "2014-01-01", "2014-01-31", PLANNED, "Individual council", None, ["SN"]),
    (27, "Sport Academy", ACAD, SPORT, "", 2, "11/12 February", "2014-02-11", "2014-02-12", PLANNED, "Sport PHs", 15, ["SN"]),
    (28, "Sport action learning set", ALS, SPORT, "", 1, "Feb / March", "2014-02-01", "2014-03-31", PLANNED, ALS_AUD, 5, ["SN"]),
    (29, "Sport action learning set", ALS, SPORT, "", 1, "Feb / March", "2014-02-01", "2014-03-31", PLANNED, ALS_AUD, 5, ["SN"]),
    (30, "Sport action learning set", ALS, SPORT, "", 1, "Feb / March", "2014-02-01", "2014-03-31", PLANNED, ALS_AUD, 5, ["SN"]),
    (31, "CTS Conference", CONF, CROSS, "", 2, "March", "2014-03-01", "2014-03-31", PLANNED, "", None, []),
]  # fmt: skip

EARLIER_ROWS = [
    (2, "Officer peer training", TRN, CROSS, "", 1, "21 May", "2013-05-21", "2013-05-21", CONFIRMED, "Culture and sport officer peers", 10, ["JW"]),
    (3, "Sport peer review Derby", PR, SPORT, "Derby", 2, "14/15 May", "2013-05-14", "2013-05-15", CONFIRMED, "Individual council", None, ["SN"]),
    (4, "Libraries peer review Solihull", PR, LIB, "Solihull", 2, "23/24 May", "2013-05-23", "2013-05-24", CONFIRMED, "Individual council", None, ["JW"]),
    (5, "Sport action learning set", ALS, SPORT, "", 1, "7 June", "2013-06-07", "2013-06-07", CONFIRMED, ALS_AUD, 5, ["SN"]),
    (6, "Sport action learning set", ALS, SPORT, "", 1, "June/ July", "2013-06-01", "2013-07-31", TBC, ALS_AUD, 5, ["SN"]),
    (7, "Sport action learning set", ALS, SPORT, "", 1, "June / July", "2013-06-01", "2013-07-31", TBC, ALS_AUD, 5, ["SN"]),
    (8, "Libraries peer review Rochdale", PR, LIB, "Rochdale", 2, "10/11 June", "2013-06-10", "2013-06-11", CONFIRMED, "Individual council", None, ["JW"]),
    (9, "Sport Academy", ACAD, SPORT, "", 2, "26/27 June", "2013-06-26", "2013-06-27", CONFIRMED, "Sport PHs", 15, ["SN"]),
    (10, "Libraries peer review Somerset", PR, LIB, "Somerset", 2, "June", "2013-06-01", "2013-06-30", TBC, "Individual council", None, ["JW"]),
    (11, "Libraries peer review North Yorkshire", PR, LIB, "North Yorkshire", 2, "4/5 July", "2013-07-04", "2013-07-05", CONFIRMED, "Individual council", None, ["JW"]),
    (12, "Heritage seminar", SEM, HER, "", 1, "10 or 11 July", "2013-07-10", "2013-07-11", PLANNED, "Hertiage and planning PHs", 25, ["LC"]),
    (13, "Libraries seminar for new PHs", SEM, LIB, "", 1, "15 July", "2013-07-15", "2013-07-15", CONFIRMED, "Library PHs", 25, ["JW"]),
    (14, "Libraries peer review Bournemouth", PR, LIB, "Bournemouth", 2, "September", "2013-09-01", "2013-09-30", TBC, "Individual council", None, ["JW"]),
    (15, "Sport Alumni Day", ALU, SPORT, "", 1, "September", "2013-09-01", "2013-09-30", TBC, "Graduates from leadership academies", None, ["SN"]),
    (16, "Culture Academy", ACAD, CUL, "", 2, "October", "2013-10-01", "2013-10-31", TBC, "Culture PHs", 15, ["SN"]),
    (17, "Sport Academy", ACAD, SPORT, "", 2, "12/13 November", "2013-11-12", "2013-11-13", TBC, "Sport PHs", 15, ["LC"]),
    # from here on the PDF wrapped cells onto continuation lines
    (21, "Sport action learning set", ALS, SPORT, "", 1, "November", "2013-11-01", "2013-11-30", PLANNED, ALS_AUD, 5, ["SN"]),
    (23, "Sport action learning set", ALS, SPORT, "", 1, "November", "2013-11-01", "2013-11-30", PLANNED, ALS_AUD, 5, ["SN"]),
    (25, "Sport action learning set", ALS, SPORT, "", 1, "November", "2013-11-01", "2013-11-30", PLANNED, ALS_AUD, 5, ["SN"]),
    (27, "Libraries seminar", SEM, LIB, "", 1, "W/b 18 November", "2013-11-18", "2013-11-24", PLANNED, "Library PHs", 25, ["LC"]),
    (28, "Visitor economy leadership seminar", SEM, TOUR, "", 1, "November", "2013-11-01", "2013-11-30", PLANNED, "Culture, tourism, planning and growth PHs", None, ["JW", "LC"]),
    (30, "Culture Academy", ACAD, CUL, "", 2, "W/b 2 December", "2013-12-02", "2013-12-08", PLANNED, "Culture PHs", 15, ["SN"]),
    (31, SPR, PR, SPORT, "", 2, "January", "2014-01-01", "2014-01-31", PLANNED, "Individual council", None, ["SN"]),
    (33, "Sport Academy", ACAD, SPORT, "", 2, "Mid Feb", "2014-02-11", "2014-02-20", PLANNED, "Sport PHs", 15, ["SN"]),
    (34, "Sport action learning set", ALS, SPORT, "", 1, "Feb / March", "2014-02-01", "2014-03-31", PLANNED, ALS_AUD, 5, ["SN"]),
    (36, "Sport action learning set", ALS, SPORT, "", 1, "Feb / March", "2014-02-01", "2014-03-31", PLANNED, ALS_AUD, 5, ["SN"]),
    (38, "Sport action learning set", ALS, SPORT, "", 1, "Feb / March", "2014-02-01", "2014-03-31", PLANNED, ALS_AUD, 5, ["SN"]),
    (40, "CTS Conference", CONF, CROSS, "", 2, "March", "2014-03-01", "2014-03-31", PLANNED, "", None, []),
]  # fmt: skip


def check_rows(parsed: ParsedPlan, expected: list[tuple]) -> None:
    scheduled = [r for r in parsed.rows if not r.activity.optional]
    assert len(scheduled) == len(expected)
    for row, exp in zip(scheduled, expected, strict=True):
        line, title, kind, theme, place, days, text, start, end, status, aud, places, leads = exp
        a = row.activity
        got = (
            row.line,
            a.title,
            a.kind,
            a.theme,
            a.place,
            a.days,
            a.when.text,
            a.when.start,
            a.when.end,
            a.status,
            a.audience,
            a.places,
            a.leads,
        )
        want = (line, title, kind, theme, place, days, text, d(start), d(end), status)
        assert got == (*want, aud, places, leads), f"line {line}"
        assert a.link == ("growth" if title != "CTS Conference" else "")
        assert a.optional is False and a.notes == "" and a.rag is Rag.UNRATED


def test_later_seed_every_activity():
    parsed = read_later()
    assert parsed.problems == []
    assert parsed.plan_year == Y13  # from the title "Annex A CTS Improvement Project Plan 2013/14"
    assert "2013/14" in parsed.title
    assert parsed.format == "tsv"
    check_rows(parsed, LATER_ROWS)
    optional = [r for r in parsed.rows if r.activity.optional]
    assert len(optional) == 3
    for row in optional:
        a = row.activity
        assert row.line == 32
        assert (a.title, a.kind, a.theme, a.place, a.days) == (
            "Sport action learning set",
            ALS,
            SPORT,
            "",
            1,
        )
        assert a.when.text == "" and a.when.precision is Precision.NONE
        assert a.status is PLANNED and a.optional is True
        assert a.notes == "Up to 3 more sport action learning sets, depending upon demand"


def test_earlier_seed_every_activity_including_wrapped_cells():
    parsed = read_earlier()
    assert parsed.problems == []
    assert parsed.plan_year == Y13
    check_rows(parsed, EARLIER_ROWS)
    assert not any(r.activity.optional for r in parsed.rows)
    wrapped = {r.activity.title: (r.line, r.end_line) for r in parsed.rows if r.line >= 27}
    assert wrapped["Visitor economy leadership seminar"] == (28, 29)
    assert wrapped[SPR] == (31, 32)


def test_ids_are_fresh_and_distinct():
    ids = [a.id for a in read_later().activities]
    assert len(set(ids)) == len(ids) == 28


# -- totals ----------------------------------------------------------------------------------


def test_later_seed_totals_reconcile():
    parsed = read_later()
    assert parsed.totals is not None
    assert parsed.totals.source == LATER
    assert parsed.totals.plan_year == "2013/14"
    assert parsed.totals.days == 41
    assert parsed.totals.councillors == 200
    assert parsed.totals.lines == [
        "41 days of improvement activity for councils",
        "over 200 councillors involved",
    ]
    # By hand, row by row: 1 + 2*6 (Derby .. North Yorkshire) + 1 + 1 + 2 + 1 + 2 + 2
    # + 3*1 (Nov sets) + 1 + 1 + 2 + 2 + 2 + 3*1 (Feb/March sets) + 2 (conference) = 38
    by_hand = [1, 2, 2, 2, 2, 2, 2, 1, 1, 2, 1, 2, 2, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 2]
    assert [row[5] for row in LATER_ROWS] == by_hand
    assert sum(by_hand) == 38
    check = parsed.check_totals()
    assert check.scheduled_days == 38
    assert check.optional_days == 3
    assert check.total_days == 41
    assert check.days_agree is True
    # Sport PHs 15 x3, Heritage 25, Library 25 x2, Culture 15 x2, action learning 5 x6
    assert check.councillor_places == 15 * 3 + 25 + 25 * 2 + 15 * 2 + 5 * 6


def test_earlier_seed_totals_wrapped_onto_two_lines():
    parsed = read_earlier()
    assert parsed.totals is not None
    assert parsed.totals.days == 41 and parsed.totals.councillors == 200
    assert parsed.totals.lines == [
        "41 days of improvement activity for councils",
        "over 200 councillors involved",
    ]
    check = parsed.check_totals()
    assert (check.scheduled_days, check.optional_days, check.days_agree) == (41, 0, True)


def test_totals_that_disagree_are_shown():
    text = seed_text(LATER).replace("41 days of", "45 days of")
    check = read_plan(text, "x").check_totals()
    assert check.days_agree is False
    report = import_report(read_plan(text, "x"), plan_merge([], []))
    assert "DIFFERS" in format_report([report])


def test_no_totals_block():
    text = "Plan 2013/14\nActivity\tDate\nSport Academy (2 days)\t12/13 November\n"
    parsed = read_plan(text, "t")
    assert parsed.totals is None
    assert parsed.check_totals().days_agree is None


# -- plan year ------------------------------------------------------------------------------


def test_plan_year_required_when_the_title_gives_none():
    with pytest.raises(PlanYearMissing) as caught:
        read_plan(seed_text(EARLIER), EARLIER)
    message = str(caught.value)
    assert EARLIER in message and "--plan-year" in message and caught.value.line == 1


def test_given_plan_year_wins_over_title_with_a_notice():
    parsed = read_plan(seed_text(LATER), LATER, plan_year=PlanYear(2014))
    assert parsed.plan_year == PlanYear(2014)
    assert parsed.rows[0].activity.when.start == d("2014-05-21")
    assert any("2013/14" in n for n in parsed.notices)


def test_bad_plan_year_text():
    with pytest.raises(PlanImportError):
        read_plan(seed_text(LATER), LATER, plan_year="2013/15")


# -- titles -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "title", "days"),
    [
        ("Officer peer training (1day)", "Officer peer training", 1),
        ("Sport Academy (2days)", "Sport Academy", 2),
        ("Sport Academy (2 days)", "Sport Academy", 2),
        ("Heritage seminar (1 day)", "Heritage seminar", 1),
        (SPR, SPR, 2),
        ("Workshop (half day)", "Workshop", 0.5),
        ("Libraries peer review Solihull (2 days)", "Libraries peer review Solihull", 2),
        ("CTS Conference", "CTS Conference", None),
        ("Deep dive (in 2-tier council)", "Deep dive (in 2-tier council)", None),
    ],
)
def test_split_duration(cell, title, days):
    assert split_duration(cell) == (title, days)


@pytest.mark.parametrize(
    ("title", "kind", "theme", "place"),
    [
        ("Libraries peer review Solihull", PR, LIB, "Solihull"),
        ("Libraries peer review North Yorkshire", PR, LIB, "North Yorkshire"),
        (SPR, PR, SPORT, ""),
        ("Culture peer challenge in Kent", PC, CUL, "Kent"),
        ("Sport action learning set", ALS, SPORT, ""),
        ("Visitor economy leadership seminar", SEM, TOUR, ""),
        ("Tourism deep dive Cornwall", Kind.DEEP_DIVE, TOUR, "Cornwall"),
        ("Officer peer training", TRN, CROSS, ""),
        ("CTS Conference", CONF, CROSS, ""),
        ("Sport Alumni Day", ALU, SPORT, ""),
        ("Leadership Essentials for culture", Kind.LEADERSHIP_ESSENTIALS, CUL, ""),
        ("Culture and sport away day", Kind.OTHER, CROSS, ""),
    ],
)
def test_kind_theme_place(title, kind, theme, place):
    assert derive_kind_theme_place(title) == (kind, theme, place)


# -- messy tables ---------------------------------------------------------------------------

HEAD = "Activity\tDate\tTarget audience\tLink to business plan\tLead officer"


def table(*rows: str, title: str = "Plan 2013/14") -> str:
    return "\n".join([title, HEAD, *rows]) + "\n"


def test_tags_blank_lines_dashes_and_repeated_header_are_skipped():
    text = table(
        "<b>Sport Academy (2 days)</b>\t<b>12/13 November</b>\tSport PHs (15)\tgrowth\tLC",
        "",
        "-",
        "\t\t\t\t",
        "<B>Activity</B>\t<b>Date</b>\tTarget audience\tLink to business\tLead officer",
        "-\t\t\tplan\t",
        "Libraries seminar (1 day)\tW/b 18 November\tLibrary PHs (25)\tgrowth\tLC",
        title="<b>Annex A Plan 2013/14</b>\t\t\t\t",
    )
    parsed = read_plan(text, "t")
    assert parsed.problems == []
    assert [(r.line, r.activity.title) for r in parsed.rows] == [
        (3, "Sport Academy"),
        (9, "Libraries seminar"),
    ]
    assert parsed.rows[0].activity.when.text == "12/13 November"


def test_html_entities_are_decoded():
    parsed = read_plan(table("Culture &amp; heritage seminar\tMay\tPHs\tgrowth\tJW"), "t")
    assert parsed.rows[0].activity.title == "Culture & heritage seminar"


def test_status_words_in_the_date_cell():
    parsed = read_plan(
        table(
            "A seminar\t21 May - completed\t\t\tJW",
            "B seminar\t14/15 May (CONFIRMED)\t\t\tJW",
            "C seminar\tSeptember TBC\t\t\tJW",
            "D seminar\tJanuary\t\t\tJW",
            "E seminar\t4/5 July(CONFIRMED)\t\t\tJW",
        ),
        "t",
    )
    assert [(a.when.text, a.status) for a in parsed.activities] == [
        ("21 May", COMPLETED),
        ("14/15 May", CONFIRMED),
        ("September", TBC),
        ("January", PLANNED),
        ("4/5 July", CONFIRMED),
    ]


def test_free_text_that_is_no_activity_is_reported():
    parsed = read_plan(
        table(
            "A seminar\tMay\t\t\tJW",
            "Please note all dates are provisional\t\t\t\t",
        ),
        "t",
    )
    assert len(parsed.rows) == 1
    [problem] = parsed.problems
    assert problem.line == 4 and "not imported" in problem.reason
    assert str(problem).startswith("t:4: Please note")


def test_bare_activity_line_is_an_undated_activity():
    parsed = read_plan(table("Sport peer review Derby (2 days)\t\t\t\t"), "t")
    [a] = parsed.activities
    assert (a.title, a.days, a.when.precision, a.status) == (
        "Sport peer review Derby",
        2,
        Precision.NONE,
        PLANNED,
    )


@pytest.mark.parametrize(
    ("line", "count", "title", "days"),
    [
        ("Up to 3 more sport action learning sets, depending upon demand", 3, "Sport action learning set", 1),
        ("Up to two further library peer reviews (2 days each)", 2, "Library peer review", 2),
        ("up to 1 more Culture Academy", 1, "Culture Academy", None),
    ],
)  # fmt: skip
def test_up_to_more_lines_become_optional_activities(line, count, title, days):
    parsed = read_plan(table("Sport action learning set (1 day)\tNovember\t\t\tSN", line), "t")
    optional = [a for a in parsed.activities if a.optional]
    assert len(optional) == count
    assert {(a.title, a.days, a.notes) for a in optional} == {(title, days, line)}
    if days is None:
        assert parsed.notices


def test_unknown_columns_are_ignored_and_columns_matched_loosely():
    text = (
        "Plan 2013/14\n"
        "ACTIVITY\tBudget\tDates\tAudience\tLead Officers\n"
        "Culture Academy (2 days)\t£5k\tOctober\tCulture PHs (15)\tSN\n"
    )
    [a] = read_plan(text, "t").activities
    assert (a.title, a.when.text, a.places, a.leads, a.link) == (
        "Culture Academy",
        "October",
        15,
        ["SN"],
        "",
    )


def test_no_header_is_an_error_for_the_whole_file():
    with pytest.raises(PlanImportError) as caught:
        read_plan("just some words\nand more\n", "notes.txt")
    assert "no table" in str(caught.value) and caught.value.line is None


# -- CSV / spreadsheet exports ----------------------------------------------------------------


def test_csv_with_quotes_and_a_header_row():
    text = (
        "Activity,Date,Target audience,Link to business plan,Lead officer\r\n"
        '"Visitor economy leadership seminar (1 day)",November,'
        '"Culture, tourism, planning and growth PHs",growth,JW/LC\r\n'
        '"Sport Academy (2 days)","12/13 November TBC","Sport PHs (15)",growth,LC\r\n'
    )
    parsed = read_plan(text, "plan.csv", plan_year="2013/14")
    assert parsed.format == "csv" and parsed.problems == []
    first, second = parsed.activities
    assert first.audience == "Culture, tourism, planning and growth PHs"
    assert first.leads == ["JW", "LC"]
    assert (second.title, second.status, second.places, parsed.rows[1].line) == (
        "Sport Academy",
        TBC,
        15,
        3,
    )


def test_semicolon_csv():
    text = "Activity;Date;Lead officer\nCulture Academy (2 days);October TBC;SN\n"
    [a] = read_plan(text, "plan.csv", plan_year="2013/14").activities
    assert (a.title, a.status, a.leads) == ("Culture Academy", TBC, ["SN"])


def test_ctstui_own_csv_export_round_trips(tmp_path):
    from io import StringIO

    from ctstui.cli.list_cmd import write_csv

    original = read_later().activities
    original[0].notes = "booked the room"
    original[0].programme = "Growth"
    buffer = StringIO()
    write_csv(original, buffer)
    parsed = read_plan(buffer.getvalue(), "export.csv", plan_year="2013/14")
    assert parsed.problems == []
    assert "notes" in parsed.fields and "programme" in parsed.fields
    for before, after in zip(original, parsed.activities, strict=True):
        assert before.diff(after) == {}


# -- merging ---------------------------------------------------------------------------------


def merge_earlier_then_later():
    earlier = read_earlier().activities
    return earlier, plan_merge(
        earlier, read_later().activities, source=LATER, today=d("2013-11-05"), whole=True
    )


def changes_by(merge, field_name):
    return {
        (c.old.title, c.old.when.text): tuple(c.diff[field_name])
        for c in merge.changed
        if field_name in c.diff
    }


def test_merge_report_earlier_then_later():
    earlier, merge = merge_earlier_then_later()
    assert merge.counts() == {
        "added": 3,
        "changed": 12,
        "missing": 3,
        "unchanged": 13,
        "renamed": 0,
        "conflicts": 0,
    }
    assert changes_by(merge, "status") == {
        ("Officer peer training", "21 May"): ("confirmed", "completed"),
        ("Sport peer review Derby", "14/15 May"): ("confirmed", "completed"),
        ("Libraries peer review Solihull", "23/24 May"): ("confirmed", "completed"),
        ("Libraries peer review Rochdale", "10/11 June"): ("confirmed", "completed"),
        ("Sport Academy", "26/27 June"): ("confirmed", "completed"),
        ("Libraries peer review Somerset", "June"): ("tbc", "completed"),
        ("Libraries peer review North Yorkshire", "4/5 July"): ("confirmed", "completed"),
        ("Sport Academy", "12/13 November"): ("tbc", "planned"),
    }
    assert changes_by(merge, "when") == {
        ("Libraries seminar for new PHs", "15 July"): ("15 July", "12 September"),
        ("Heritage seminar", "10 or 11 July"): ("10 or 11 July", "10 July"),
        ("Culture Academy", "W/b 2 December"): ("W/b 2 December", "4/5 December"),
        ("Sport Academy", "Mid Feb"): ("Mid Feb", "11/12 February"),
    }
    assert all(set(c.diff) <= {"status", "when"} for c in merge.changed)
    # the June/July action learning sets are no longer listed: flagged, not deleted
    assert sorted(m.old.when.text for m in merge.missing) == ["7 June", "June / July", "June/ July"]
    for m in merge.missing:
        assert m.old.title == "Sport action learning set"
        assert m.flagged.id == m.old.id
        assert m.flagged.notes == f"not in {LATER} (imported 2013-11-05)"
    assert [(a.title, a.optional) for a in merge.added] == [("Sport action learning set", True)] * 3
    # ids kept: every changed/unchanged activity is one of the earlier ones
    earlier_ids = {a.id for a in earlier}
    assert {c.new.id for c in merge.changed} | {a.id for a in merge.unchanged} <= earlier_ids
    assert len(merge.after) == 28 + 3


def test_identical_titles_pair_by_closest_window():
    _, merge = merge_earlier_then_later()
    sets = [a for a in merge.unchanged if a.title == "Sport action learning set"]
    assert sorted(a.when.text for a in sets) == ["Feb / March"] * 3 + ["November"] * 3


def test_merge_keeps_id_history_reviews_and_rag():
    earlier = read_earlier().activities
    derby = next(a for a in earlier if a.place == "Derby")
    derby.rag = Rag.AMBER
    derby.created = "2013-05-01T00:00:00Z"
    merge = plan_merge(earlier, read_later().activities, source=LATER)
    change = next(c for c in merge.changed if c.old is derby)
    assert change.new.id == derby.id
    assert change.new.rag is Rag.AMBER and change.new.created == derby.created
    assert change.diff == {"status": ["confirmed", "completed"]}


def test_reimporting_the_same_plan_changes_nothing():
    later = read_later().activities
    merge = plan_merge(later, read_later().activities, source=LATER)
    assert merge.counts() == {
        "added": 0,
        "changed": 0,
        "missing": 0,
        "unchanged": 28,
        "renamed": 0,
        "conflicts": 0,
    }


def test_missing_activity_that_returns_loses_its_flag():
    earlier = read_earlier().activities
    first = plan_merge(
        earlier, read_later().activities, source=LATER, today=d("2013-11-05"), whole=True
    )
    back = plan_merge(first.after, read_earlier().activities, source=EARLIER)
    returned = [c for c in back.changed if "notes" in c.diff]
    assert len(returned) == 3
    assert all(c.new.notes == "" for c in returned)


def test_activities_outside_the_plan_year_are_left_alone():
    other = Activity(title="Old seminar", when=read_later().rows[0].activity.when)
    other.when = type(other.when).parse("May 2011")
    merge = plan_merge([other], read_later().activities, plan_year=Y13, source=LATER)
    assert merge.outside == [other] and merge.missing == []


def test_missing_note_text():
    assert missing_note("a.txt", d("2013-11-05")) == "not in a.txt (imported 2013-11-05)"


# -- writing into a store --------------------------------------------------------------------


def fixed_clock(day: str):
    return lambda: datetime.fromisoformat(day + "T10:00:00").replace(tzinfo=UTC)


def test_apply_merge_is_one_undo_step_with_history(tmp_path):
    store = ActivityStore(tmp_path / "plan.json", who="test", clock=fixed_clock("2013-05-01"))
    first = plan_merge(store.activities(), read_earlier().activities, source=EARLIER)
    apply_merge(store, first, f"import {EARLIER}")
    assert len(store) == 28
    before = {a.id: a.to_dict() for a in store.activities()}

    store.clock = fixed_clock("2013-11-05")
    merge = plan_merge(
        store.activities(), read_later().activities, source=LATER, today=store.today(), whole=True
    )
    apply_merge(store, merge, f"import {LATER}")
    assert len(store) == 31
    heritage = next(a for a in store.activities() if a.title == "Heritage seminar")
    assert heritage.history[-1].action == f"import {LATER}"
    assert heritage.history[-1].changes == {"when": ["10 or 11 July", "10 July"]}
    flagged = [a for a in store.activities() if a.notes.startswith("not in")]
    assert len(flagged) == 3
    assert flagged[0].history[-1].changes["notes"][1] == f"not in {LATER} (imported 2013-11-05)"
    added = [a for a in store.activities() if a.optional]
    assert all(a.history[-1].action == f"import {LATER}" for a in added)

    assert store.undo() == f"import {LATER}"
    reopened = ActivityStore(tmp_path / "plan.json")
    assert {a.id: a.to_dict() for a in reopened.activities()} == before


def test_apply_merge_writes_once(tmp_path):
    store = ActivityStore(tmp_path / "plan.json", who="test")
    writes = []
    store.storage.write_hook = lambda path, payload: writes.append(path)
    merge = plan_merge([], read_later().activities, source=LATER)
    apply_merge(store, merge, "import")
    assert len(writes) == 1


# -- a damaged table -------------------------------------------------------------------------


def damage(text: str, rng: random.Random, done: set[int]) -> tuple[str, set[int], str]:
    """Cut a line short or swap two of its cells; (text, damaged line numbers, how)."""
    lines = text.split("\n")
    candidates = [
        i
        for i, line in enumerate(lines)
        if line.count("\t") == 4
        and all(line.split("\t"))
        and "Activity" not in line
        and i + 1 not in done
    ]
    i = rng.choice(candidates)
    cells = lines[i].split("\t")
    how = rng.choice(["cut", "swap-date", "swap-leads", "swap-title"])
    if how == "cut":
        cut = rng.randrange(1, len(lines[i]) - len(cells[-1]) - 1)
        lines[i] = lines[i][:cut]
    elif how == "swap-date":
        j = rng.choice([2, 4])
        cells[1], cells[j] = cells[j], cells[1]
        lines[i] = "\t".join(cells)
    elif how == "swap-leads":
        cells[3], cells[4] = cells[4], cells[3]
        lines[i] = "\t".join(cells)
    else:
        cells[0], cells[1] = cells[1], cells[0]
        lines[i] = "\t".join(cells)
    return "\n".join(lines), {i + 1}, f"{how} line {i + 1}: {lines[i]!r}"


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("name", [LATER, EARLIER])
def test_damaged_table_gives_line_numbered_problems(name, seed):
    rng = random.Random(seed)
    text, damaged = seed_text(name), set()
    hows = []
    for _ in range(rng.randint(1, 3)):
        text, lines, how = damage(text, rng, damaged)
        damaged |= lines
        hows.append(how)
    parsed = read_plan(text, name, plan_year="2013/14")
    reported = {p.line for p in parsed.problems}
    assert damaged <= reported, hows
    assert len(parsed.rows) + len(reported) >= 25  # nothing else lost
    for problem in parsed.problems:
        assert str(problem).startswith(f"{name}:{problem.line}: ")


def test_removed_header_and_wrapped_line_are_reported():
    lines = seed_text(LATER).split("\n")
    del lines[3]  # the first header row
    parsed = read_plan("\n".join(lines), LATER)
    assert sorted(p.line for p in parsed.problems) == list(range(4, 20))
    lines = seed_text(EARLIER).split("\n")
    del lines[28]  # "day)\t\tand growth PHs": the title's "(1" is left open
    parsed = read_plan("\n".join(lines), EARLIER, plan_year="2013/14")
    [problem] = parsed.problems
    assert problem.line == 28 and "never closed" in problem.reason


def test_problem_rows_are_imported_as_far_as_they_go_and_reported():
    parsed = read_plan(
        table(
            "Sport Academy (2 days)\tIndividual council\tSport PHs (15)\tgrowth\tSN",  # 3
            "Sport Academy (2 days)\t12/13 November\tSport PHs (15)\tSN\tgrowth",  # 4
            "Sport Academy (2 days)\t12/13 November",  # 5
            "\t\tcompleted an academy (5)\t\t",  # 6: continues row 5
            "Sport Academy (2 days)\t12/13 November\tA (5) b (6)\tgrowth\tSN",  # 7
            "Sport Academy (2 days)\t12/13 November\tA\tgrowth\tSN\textra",  # 8
            "Sport Academy (2 days\t12/13 November\tA\tgrowth\tSN",  # 9
        ),
        "t",
    )
    # no row is lost: every one comes in, each reported with its line and why
    assert [row.line for row in parsed.rows] == [3, 4, 5, 7, 8, 9]
    reasons = {p.line: p.reason for p in parsed.problems}
    assert set(reasons) == {3, 4, 5, 7, 8, 9}
    assert all(p.imported for p in parsed.problems)
    assert "date not understood: 'Individual council'" in reasons[3]
    assert "lead officer" in reasons[4]
    assert "cut short" in reasons[5]
    assert "places twice" in reasons[7]
    assert "beyond the header" in reasons[8]
    assert "never closed" in reasons[9]
    assert next(p for p in parsed.problems if p.line == 5).end_line == 6
    undated = parsed.rows[0].activity
    assert undated.when.text == "Individual council" and undated.when.start is None
    assert undated.date_problem == "date not understood: 'Individual council'"
    assert parsed.rows[2].activity.audience == "completed an academy"  # read as far as it goes
    assert parsed.rows[4].activity.notes == "extra"


def test_continuation_with_no_row_above():
    parsed = read_plan(table("\t\tcompleted an academy (5)\t\t"), "t")
    [problem] = parsed.problems
    assert problem.line == 3 and "continuation" in problem.reason


# -- arbitrary input ----------------------------------------------------------------------

CELL = st.one_of(
    st.text(max_size=25),
    st.sampled_from(
        [
            "",
            "-",
            "<b>Activity</b>",
            "Date",
            "TOTALS",
            "21 May - completed",
            "June/ July TBC",
            "Sport peer review Derby (2 days)",
            "Up to 3 more sport action learning sets",
            "Sport PHs (15)",
            "JW/LC",
            "(1",
            "day)",
            "up to 999999 more things",
            "41 days of improvement activity for",
            "&amp;",
            '"quoted, cell"',
        ]
    ),
)
LINE = st.lists(CELL, max_size=6).map("\t".join)
DOCUMENT = st.lists(LINE, max_size=12).map(lambda lines: "\n".join(["Plan 2013/14", HEAD, *lines]))


def read_or_plan_error(text: str, plan_year) -> None:
    try:
        parsed = read_plan(text, "fuzz", plan_year=plan_year)
    except PlanImportError:
        return
    for problem in parsed.problems:
        assert isinstance(problem, PlanImportError) and problem.line is not None
    plan_merge(parsed.activities, parsed.activities, source="fuzz")
    format_report([import_report(parsed, plan_merge([], parsed.activities))])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300), st.sampled_from([None, Y13]))
def test_arbitrary_text_raises_only_plan_import_errors(text, plan_year):
    read_or_plan_error(text, plan_year)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT, st.sampled_from([None, Y13]))
def test_arbitrary_tables_raise_only_plan_import_errors(text, plan_year):
    read_or_plan_error(text, plan_year)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(CELL, max_size=5), max_size=8))
def test_arbitrary_csv_raises_only_plan_import_errors(rows):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Activity", "Date", "Lead officer"])
    writer.writerows(rows)
    read_or_plan_error(buffer.getvalue().replace("\t", " "), Y13)


def test_imported_fields_never_include_identity_or_rag():
    assert not {"id", "created", "history", "reviews", "rag"} & set(IMPORTED_FIELDS)


def test_apply_merge_with_parsed_keeps_plan_facts(tmp_path):
    store = ActivityStore(tmp_path / "plan.json", who="test", clock=fixed_clock("2013-11-04"))
    writes = []
    store.storage.write_hook = lambda path, payload: writes.append(path)
    parsed = read_earlier()
    apply_merge(store, plan_merge([], parsed.activities), "import", parsed=parsed)
    assert len(writes) == 1
    assert store.meta("plan_year") == "2013/14"
    assert store.meta("stated_totals")[f"2013/14 {EARLIER}"]["source"] == EARLIER
    # planned without source/today (as a script might): the notes use the file and the store's day
    later = read_later()
    apply_merge(
        store, plan_merge(store.activities(), later.activities, whole=True), "import", parsed=later
    )
    reopened = ActivityStore(tmp_path / "plan.json")
    notes = sorted(a.notes for a in reopened.activities() if a.notes and not a.optional)
    assert notes == [f"not in {LATER} (imported 2013-11-04)"] * 3
    # one set of stated totals per plan year and source: the earlier's is not replaced
    assert sorted(reopened.meta("stated_totals")) == [f"2013/14 {LATER}", f"2013/14 {EARLIER}"]
    # nothing changes, but the facts are saved all the same
    store.set_meta("plan_year", "2012/13")
    store.storage.flush()
    apply_merge(store, plan_merge(store.activities(), later.activities), "import", parsed=later)
    assert ActivityStore(tmp_path / "plan.json").meta("plan_year") == "2013/14"
