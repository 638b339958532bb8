"""Tests for ctstui.domain.dates: fuzzy plan dates resolved to windows."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctstui.domain.dates import (
    DateParseError,
    DateSpec,
    PlanYear,
    Precision,
    parse_date_cell,
    split_date_cell,
)

P = Precision
Y13 = PlanYear(2013)  # 000/001: CTS Improvement Project Plan 2013/14
Y19 = PlanYear(2019)  # 004: board report, 2019/20


def d(text: str) -> date:
    return date.fromisoformat(text)


# (text, plan year, precision, start, end)
WINDOWS = [
    # 000 / 001: plan year 2013/14
    ("21 May", Y13, P.DAY, "2013-05-21", "2013-05-21"),
    ("7 June", Y13, P.DAY, "2013-06-07", "2013-06-07"),
    ("10 July", Y13, P.DAY, "2013-07-10", "2013-07-10"),
    ("12 September", Y13, P.DAY, "2013-09-12", "2013-09-12"),
    ("14/15 May", Y13, P.DAYS, "2013-05-14", "2013-05-15"),
    ("23/24 May", Y13, P.DAYS, "2013-05-23", "2013-05-24"),
    ("10/11 June", Y13, P.DAYS, "2013-06-10", "2013-06-11"),
    ("26/27 June", Y13, P.DAYS, "2013-06-26", "2013-06-27"),
    ("4/5 July", Y13, P.DAYS, "2013-07-04", "2013-07-05"),
    ("12/13 November", Y13, P.DAYS, "2013-11-12", "2013-11-13"),
    ("4/5 December", Y13, P.DAYS, "2013-12-04", "2013-12-05"),
    ("11/12 February", Y13, P.DAYS, "2014-02-11", "2014-02-12"),
    ("10 or 11 July", Y13, P.OPTIONS, "2013-07-10", "2013-07-11"),
    ("June", Y13, P.MONTH, "2013-06-01", "2013-06-30"),
    ("September", Y13, P.MONTH, "2013-09-01", "2013-09-30"),
    ("October", Y13, P.MONTH, "2013-10-01", "2013-10-31"),
    ("November", Y13, P.MONTH, "2013-11-01", "2013-11-30"),
    ("January", Y13, P.MONTH, "2014-01-01", "2014-01-31"),
    ("March", Y13, P.MONTH, "2014-03-01", "2014-03-31"),
    ("June/ July", Y13, P.MONTHS, "2013-06-01", "2013-07-31"),
    ("June / July", Y13, P.MONTHS, "2013-06-01", "2013-07-31"),
    ("Feb / March", Y13, P.MONTHS, "2014-02-01", "2014-03-31"),
    ("W/b 18 November", Y13, P.WEEK, "2013-11-18", "2013-11-24"),
    ("W/b 2 December", Y13, P.WEEK, "2013-12-02", "2013-12-08"),
    ("w/c 18 November", Y13, P.WEEK, "2013-11-18", "2013-11-24"),
    ("week beginning 18 November", Y13, P.WEEK, "2013-11-18", "2013-11-24"),
    ("Week commencing 2 Dec", Y13, P.WEEK, "2013-12-02", "2013-12-08"),
    ("Mid Feb", Y13, P.PART, "2014-02-11", "2014-02-20"),
    ("mid-February", Y13, P.PART, "2014-02-11", "2014-02-20"),
    ("early March", Y13, P.PART, "2014-03-01", "2014-03-10"),
    ("late Feb", Y13, P.PART, "2014-02-21", "2014-02-28"),
    ("end of February", Y13, P.PART, "2014-02-21", "2014-02-28"),
    ("By March", Y13, P.BY, None, "2014-03-31"),
    # 004: plan year 2019/20
    ("end of February", Y19, P.PART, "2020-02-21", "2020-02-29"),
    ("the end of February", Y19, P.PART, "2020-02-21", "2020-02-29"),
    ("14th and 15th January", Y19, P.DAYS, "2020-01-14", "2020-01-15"),
    ("7th and 8th November", Y19, P.DAYS, "2019-11-07", "2019-11-08"),
    ("9th and 10th November 2019", None, P.DAYS, "2019-11-09", "2019-11-10"),
    ("4th – 6th December 2019", None, P.DAYS, "2019-12-04", "2019-12-06"),
    ("9th-10th December", Y19, P.DAYS, "2019-12-09", "2019-12-10"),
    ("17th - 18th November", Y19, P.DAYS, "2019-11-17", "2019-11-18"),
    ("31st March 2020", None, P.DAY, "2020-03-31", "2020-03-31"),
    ("March 2020", None, P.MONTH, "2020-03-01", "2020-03-31"),
    ("April 2020 – March 2021", None, P.MONTHS, "2020-04-01", "2021-03-31"),
    ("October – December 2019", None, P.MONTHS, "2019-10-01", "2019-12-31"),
    ("between October – December 2019", None, P.MONTHS, "2019-10-01", "2019-12-31"),
    # 002 / 003: explicit (often two-digit) years
    ("April 11- March 12", None, P.MONTHS, "2011-04-01", "2012-03-31"),
    ("April 11-March 12", None, P.MONTHS, "2011-04-01", "2012-03-31"),
    ("June – Aug 11", None, P.MONTHS, "2011-06-01", "2011-08-31"),
    ("June-Aug 11", None, P.MONTHS, "2011-06-01", "2011-08-31"),
    ("Sept-Nov 11", None, P.MONTHS, "2011-09-01", "2011-11-30"),
    ("July 2011-March 2012", None, P.MONTHS, "2011-07-01", "2012-03-31"),
    ("May 11", None, P.MONTH, "2011-05-01", "2011-05-31"),
    ("Jan 12", None, P.MONTH, "2012-01-01", "2012-01-31"),
    ("By July 2011", None, P.BY, None, "2011-07-31"),
    ("by March 2012", None, P.BY, None, "2012-03-31"),
    ("by November 2011", None, P.BY, None, "2011-11-30"),
    ("By March\n2012", None, P.BY, None, "2012-03-31"),
    ("by end April 11", None, P.BY, None, "2011-04-30"),
    ("from Sept 2011", None, P.FROM, "2011-09-01", None),
    ("Sept 2011", None, P.MONTH, "2011-09-01", "2011-09-30"),
    ("Sept. 2011", None, P.MONTH, "2011-09-01", "2011-09-30"),
    ("Oct 2011", None, P.MONTH, "2011-10-01", "2011-10-31"),
    ("October 2011", None, P.MONTH, "2011-10-01", "2011-10-31"),
    ("January 2012", None, P.MONTH, "2012-01-01", "2012-01-31"),
    ("June 2011", None, P.MONTH, "2011-06-01", "2011-06-30"),
    ("April 2011", None, P.MONTH, "2011-04-01", "2011-04-30"),
    ("Ongoing", None, P.ONGOING, None, None),
    ("Ongoing.", None, P.ONGOING, None, None),
    ("ONGOING", Y13, P.ONGOING, None, None),
    # spellings, spacing, dashes
    ("21st May", Y13, P.DAY, "2013-05-21", "2013-05-21"),
    ("2nd June", Y13, P.DAY, "2013-06-02", "2013-06-02"),
    ("3rd June", Y13, P.DAY, "2013-06-03", "2013-06-03"),
    ("the 14th of May", Y13, P.DAY, "2013-05-14", "2013-05-14"),
    ("21 MAY", Y13, P.DAY, "2013-05-21", "2013-05-21"),
    ("21 Sep.", Y13, P.DAY, "2013-09-21", "2013-09-21"),
    ("21 Sept", Y13, P.DAY, "2013-09-21", "2013-09-21"),
    ("4–6 December", Y13, P.DAYS, "2013-12-04", "2013-12-06"),
    ("4—6 December", Y13, P.DAYS, "2013-12-04", "2013-12-06"),
    ("4 -6 December", Y13, P.DAYS, "2013-12-04", "2013-12-06"),
    ("4 to 6 December", Y13, P.DAYS, "2013-12-04", "2013-12-06"),
    ("between 4 and 6 December", Y13, P.DAYS, "2013-12-04", "2013-12-06"),
    ("7, 8 and 9 November", Y13, P.DAYS, "2013-11-07", "2013-11-09"),
    ("30 June - 2 July", Y13, P.DAYS, "2013-06-30", "2013-07-02"),
    ("30 June / 1 July", Y13, P.DAYS, "2013-06-30", "2013-07-01"),
    ("30 December - 2 January", Y13, P.DAYS, "2013-12-30", "2014-01-02"),
    ("30 December - 2 January 2014", None, P.DAYS, "2013-12-30", "2014-01-02"),
    ("10, 11 or 12 July", Y13, P.OPTIONS, "2013-07-10", "2013-07-12"),
    ("30 June or 1 July", Y13, P.OPTIONS, "2013-06-30", "2013-07-01"),
    ("June or July", Y13, P.MONTHS, "2013-06-01", "2013-07-31"),
    ("Dec / Jan", Y13, P.MONTHS, "2013-12-01", "2014-01-31"),
    ("from June to August", Y13, P.MONTHS, "2013-06-01", "2013-08-31"),
    ("from mid Feb", Y13, P.FROM, "2014-02-11", None),
    ("from 4 December", Y13, P.FROM, "2013-12-04", None),
    ("by 31st March 2020", None, P.BY, None, "2020-03-31"),
    ("by the end of March", Y13, P.BY, None, "2014-03-31"),
    ("until June", Y13, P.BY, None, "2013-06-30"),
    ("2013-05-21", None, P.DAY, "2013-05-21", "2013-05-21"),
    ("21/05/2013", None, P.DAY, "2013-05-21", "2013-05-21"),
    # a written year overrides the plan year
    ("21 May 2015", Y13, P.DAY, "2015-05-21", "2015-05-21"),
    ("January 2013", Y13, P.MONTH, "2013-01-01", "2013-01-31"),
    ("Mid Feb 2019", Y13, P.PART, "2019-02-11", "2019-02-20"),
    ("29 February 2020", Y13, P.DAY, "2020-02-29", "2020-02-29"),
]


@pytest.mark.parametrize(
    ("text", "plan_year", "precision", "start", "end"),
    WINDOWS,
    ids=[f"{w[0]}@{w[1]}" for w in WINDOWS],
)
def test_parse_window(text, plan_year, precision, start, end):
    spec = DateSpec.parse(text, plan_year)
    assert spec.precision is precision
    assert spec.start == (d(start) if start else None)
    assert spec.end == (d(end) if end else None)
    assert spec.text == text.strip()
    assert str(spec) == text.strip()


def test_options_lists_the_days():
    spec = DateSpec.parse("10 or 11 July", Y13)
    assert spec.options == (d("2013-07-10"), d("2013-07-11"))
    assert DateSpec.parse("12, 10 or 11 July", Y13).options == (
        d("2013-07-10"),
        d("2013-07-11"),
        d("2013-07-12"),
    )
    assert DateSpec.parse("14/15 May", Y13).options == ()


def test_text_is_kept_as_written():
    spec = DateSpec.parse("  June/ July \n", Y13)
    assert spec.text == "June/ July"


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_is_none(text):
    spec = DateSpec.parse(text)
    assert spec == DateSpec("", precision=P.NONE)
    assert spec.start is None and spec.end is None
    assert spec.describe() == "no date"
    assert spec.days() == []


@pytest.mark.parametrize(
    ("text", "plan_year", "needle"),
    [
        ("sometime soon", Y13, "expected a date"),
        ("32 May", Y13, "does not exist"),
        ("31 June", Y13, "does not exist"),
        ("31 June", None, "does not exist"),
        ("30/31 February", Y13, "does not exist"),
        ("0 May", Y13, "does not exist"),
        ("29 February", Y13, "not a leap year"),  # February 2014
        ("May", None, "plan year"),
        ("21 May", None, "plan year"),
        ("14/15 May", None, "plan year"),
        ("Feb / March", None, "plan year"),
        ("Mid Feb", None, "plan year"),
        ("W/b 18 November", None, "plan year"),
        ("14/16 May", Y13, "not consecutive"),
        ("June/ August", Y13, "consecutive"),
        ("6-4 December", Y13, "end after it starts"),
        ("April 2021 - March 2020", None, "end after it starts"),
        ("10 or 10 July", Y13, "twice"),
        ("10 or 11/12 July", Y13, "mixes"),
        ("14 May and June", Y13, "mixes days"),
        ("14/15", Y13, "needs a month"),
        ("w/b June", Y13, "week"),
        ("by 14/15 May", Y13, "single date"),
        ("between June", Y13, "two dates"),
        ("mid 14 May", Y13, "single month"),
        ("2013", Y13, "expected a date"),
        ("4 - 5 - 6 May", Y13, "exactly two"),
        ("13/13/2013", None, "no month 13"),
        ("Dec 9999 / Jan", None, "out of range"),
        ("by", Y13, "expected a date"),
        ("14 May,", Y13, "expected a date"),
    ],
)
def test_parse_errors(text, plan_year, needle):
    with pytest.raises(DateParseError) as info:
        DateSpec.parse(text, plan_year)
    message = str(info.value)
    assert repr(text.strip()) in message
    assert needle in message
    assert info.value.text == text.strip()
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "text", ["September TBC", "21 May - completed", "12 September (CONFIRMED)"]
)
def test_parse_refuses_status_words(text):
    # parse is strict: callers split the status off first (or use parse_date_cell)
    with pytest.raises(DateParseError, match="status"):
        DateSpec.parse(text, Y13)


@pytest.mark.parametrize(
    ("cell", "text", "status"),
    [
        ("21 May - completed", "21 May", "completed"),
        ("14/15 May - completed", "14/15 May", "completed"),
        ("12 September (CONFIRMED)", "12 September", "confirmed"),
        ("21 May (CONFIRMED)", "21 May", "confirmed"),
        ("4/5 July(CONFIRMED)", "4/5 July", "confirmed"),
        ("September TBC", "September", "tbc"),
        ("June/ July TBC", "June/ July", "tbc"),
        ("June / July TBC", "June / July", "tbc"),
        ("12/13 November TBC", "12/13 November", "tbc"),
        ("June - completed", "June", "completed"),
        ("June – Completed.", "June", "completed"),
        ("TBC", "", "tbc"),
        ("  tbc  ", "", "tbc"),
        ("(TBC)", "", "tbc"),
        ("June (t.b.c.)", "June", "tbc"),
        ("June to be confirmed", "June", "tbc"),
        ("TBC - June", "June", "tbc"),
        ("10 July", "10 July", None),
        ("  10 July ", "10 July", None),
        ("", "", None),
        ("W/b 18 November", "W/b 18 November", None),
        ("Incomplete", "Incomplete", None),
    ],
)
def test_split_date_cell(cell, text, status):
    assert split_date_cell(cell) == (text, status)


def test_parse_date_cell():
    spec, status = parse_date_cell("4/5 July(CONFIRMED)", Y13)
    assert status == "confirmed"
    assert (spec.text, spec.start, spec.end) == ("4/5 July", d("2013-07-04"), d("2013-07-05"))
    spec, status = parse_date_cell("TBC", Y13)
    assert (spec.precision, status) == (P.NONE, "tbc")


def test_every_seed_date_cell_parses():
    # the date column of 000 and 001, as written
    cells = [
        "21 May - completed",
        "14/15 May - completed",
        "26/27 June - completed",
        "June - completed",
        "4/5 July - completed",
        "12 September (CONFIRMED)",
        "September TBC",
        "October TBC",
        "W/b 18 November",
        "W/b 2 December",
        "January",
        "Mid Feb",
        "Feb / March",
        "March",
        "7 June (CONFIRMED)",
        "June/ July TBC",
        "June / July TBC",
        "4/5 July(CONFIRMED)",
        "10 or 11 July",
        "12/13 November TBC",
    ]
    for cell in cells:
        spec, _ = parse_date_cell(cell, Y13)
        assert Y13.start <= spec.start <= spec.end <= Y13.end, cell


@pytest.mark.parametrize(
    ("text", "plan_year", "expected"),
    [
        ("21 May", Y13, "Tue 21 May 2013"),
        ("14/15 May", Y13, "14–15 May 2013"),
        ("30 June - 2 July", Y13, "30 Jun – 2 Jul 2013"),
        ("30 December - 2 January", Y13, "30 Dec 2013 – 2 Jan 2014"),
        ("10 or 11 July", Y13, "10 or 11 Jul 2013"),
        ("10, 11 or 12 July", Y13, "10, 11 or 12 Jul 2013"),
        ("30 June or 1 July", Y13, "30 Jun or 1 Jul 2013"),
        ("W/b 18 November", Y13, "18–24 Nov 2013"),
        ("Mid Feb", Y13, "11–20 Feb 2014"),
        ("June", Y13, "Jun 2013"),
        ("Feb / March", Y13, "Feb–Mar 2014"),
        ("April 11- March 12", None, "Apr 2011 – Mar 2012"),
        ("By July 2011", None, "by 31 Jul 2011"),
        ("from Sept 2011", None, "from 1 Sep 2011"),
        ("Ongoing", None, "ongoing"),
        ("", None, "no date"),
    ],
)
def test_describe(text, plan_year, expected):
    assert DateSpec.parse(text, plan_year).describe() == expected


@pytest.mark.parametrize(
    ("text", "plan_year", "expected"),
    [
        ("21 May", Y13, ["2013-05-21"]),
        ("14/15 May", Y13, ["2013-05-14", "2013-05-15"]),
        ("4th – 6th December 2019", None, ["2019-12-04", "2019-12-05", "2019-12-06"]),
        ("30 June - 2 July", Y13, ["2013-06-30", "2013-07-01", "2013-07-02"]),
        ("10 or 11 July", Y13, []),  # OPTIONS: only one of the days will happen
        ("W/b 18 November", Y13, []),
        ("June", Y13, []),
        ("By March", Y13, []),
        ("Ongoing", None, []),
    ],
)
def test_days(text, plan_year, expected):
    spec = DateSpec.parse(text, plan_year)
    assert spec.days() == [d(x) for x in expected]
    assert spec.is_day_precise == bool(expected)


@pytest.mark.parametrize(
    ("text", "plan_year", "start", "end", "expected"),
    [
        ("21 May", Y13, "2013-05-21", "2013-05-21", True),
        ("21 May", Y13, "2013-05-22", "2013-05-31", False),
        ("21 May", Y13, "2013-05-01", "2013-05-20", False),
        ("June", Y13, "2013-05-01", "2013-06-01", True),
        ("June", Y13, "2013-06-30", "2013-07-31", True),
        ("June", Y13, "2013-07-01", "2013-07-31", False),
        ("By July 2011", None, "2000-01-01", "2000-01-31", True),
        ("By July 2011", None, "2011-07-31", "2011-08-31", True),
        ("By July 2011", None, "2011-08-01", "2011-08-31", False),
        ("from Sept 2011", None, "2030-01-01", "2030-01-31", True),
        ("from Sept 2011", None, "2011-08-01", "2011-08-31", False),
        ("10 or 11 July", Y13, "2013-07-11", "2013-07-20", True),
        ("Ongoing", None, "2000-01-01", "2099-12-31", False),
        ("", None, "2000-01-01", "2099-12-31", False),
    ],
)
def test_overlaps(text, plan_year, start, end, expected):
    assert DateSpec.parse(text, plan_year).overlaps(d(start), d(end)) is expected


@pytest.mark.parametrize(("text", "plan_year", "_p", "_s", "_e"), WINDOWS)
def test_dict_round_trip(text, plan_year, _p, _s, _e):
    spec = DateSpec.parse(text, plan_year)
    data = spec.to_dict()
    assert DateSpec.from_dict(data) == spec
    assert DateSpec.from_dict(data).to_dict() == data


def test_dict_round_trip_options_and_none():
    for spec in (DateSpec.parse("10 or 11 July", Y13), DateSpec.parse(""), DateSpec("x")):
        assert DateSpec.from_dict(spec.to_dict()) == spec


@pytest.mark.parametrize("text", ["2013/14", "2013-14", "2013/2014", "2013–14", " 2013 / 14 "])
def test_plan_year_parse(text):
    assert PlanYear.parse(text) == PlanYear(2013)


def test_plan_year_century():
    assert PlanYear.parse("1999/00") == PlanYear(1999)
    assert str(PlanYear(1999)) == "1999/00"


@pytest.mark.parametrize("text", ["2013", "2013/15", "13/14", "2013/2015", "plan", "", "2013/14x"])
def test_plan_year_errors(text):
    with pytest.raises(ValueError, match="plan year") as info:
        PlanYear.parse(text)
    assert repr(text) in str(info.value)


def test_plan_year_round_trips_through_str():
    for year in (2011, 2013, 2019):
        assert PlanYear.parse(str(PlanYear(year))) == PlanYear(year)


_DATE_ALPHABET = st.sampled_from(
    [
        *"0123456789 /-–—.,'&",
        *("may", "feb", "sept", "march", "w/b", "mid", "end of", "by", "from", "or", "and"),
        *("to", "between", "th", "st", "11", "2013", "9999", "ongoing", "tbc", "of"),
    ]
)


def _check_result(text: str, plan_year: PlanYear | None) -> None:
    try:
        spec = DateSpec.parse(text, plan_year)
    except DateParseError:
        return
    assert spec.text == text.strip()
    if spec.start is not None and spec.end is not None:
        assert spec.start <= spec.end
    if spec.options:
        assert spec.start == spec.options[0] and spec.end == spec.options[-1]
    assert DateSpec.from_dict(spec.to_dict()) == spec
    assert isinstance(spec.describe(), str)


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from([None, Y13, PlanYear(1), PlanYear(9998)]))
def test_parse_arbitrary_text(text, plan_year):
    _check_result(text, plan_year)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_DATE_ALPHABET, max_size=8).map(" ".join),
    st.sampled_from([None, Y13, PlanYear(9998)]),
)
def test_parse_date_like_text(text, plan_year):
    _check_result(text, plan_year)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_split_date_cell_arbitrary(cell):
    text, status = split_date_cell(cell)
    assert status in (None, "tbc", "confirmed", "completed", "cancelled", "postponed")
    assert text == text.strip()
    if status is None:
        assert text == cell.strip()


# -- the plan year settles ambiguity ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year", "start", "end"),
    [
        ("Jan 15", 2024, date(2025, 1, 15), date(2025, 1, 15)),  # 15 is no year of 2024/25
        ("Sept 30", 2024, date(2024, 9, 30), date(2024, 9, 30)),
        ("June 11", 2011, date(2011, 6, 1), date(2011, 6, 30)),  # 11 is: June 2011
        ("April 11 - March 12", 2011, date(2011, 4, 1), date(2012, 3, 31)),
        ("Wednesday 15 January", 2024, date(2025, 1, 15), date(2025, 1, 15)),
        ("autumn", 2024, date(2024, 9, 1), date(2024, 11, 30)),
        ("Q2", 2013, date(2013, 7, 1), date(2013, 9, 30)),
        ("3rd quarter", 2013, date(2013, 10, 1), date(2013, 12, 31)),
        ("by 14 May (deadline)", 2013, None, date(2013, 5, 14)),
        ("21.05.2013", 2013, date(2013, 5, 21), date(2013, 5, 21)),
        ("May 21, 2013", 2013, date(2013, 5, 21), date(2013, 5, 21)),  # python-dateutil
    ],
)
def test_the_plan_year_settles_ambiguity(text, year, start, end):
    spec = DateSpec.parse(text, PlanYear(year))
    assert (spec.start, spec.end) == (start, end)
    assert spec.text == text


def test_outside_plan_year_and_reading_notes():
    from ctstui.domain.dates import outside_plan_year, reading_notes

    py = PlanYear(2013)
    far = DateSpec.parse("10/07/2026", py)
    assert outside_plan_year(far, py) == (
        "'10/07/2026' is Fri 10 Jul 2026, outside the plan year 2013/14 (1 Apr 2013 – 31 Mar 2014)"
    )
    assert outside_plan_year(DateSpec.parse("10/07/2013", py), py) == ""
    assert outside_plan_year(DateSpec.parse("", py), py) == ""
    week = DateSpec.parse("w/c 19 November", py)  # a Tuesday in 2013
    assert reading_notes(week, py) == [
        "the week of 'w/c 19 November' begins on a Tuesday, not a Monday"
    ]
    wrong_day = DateSpec.parse("Monday 19 November", py)
    assert reading_notes(wrong_day, py) == [
        "'Monday 19 November': 19 Nov 2013 is a Tuesday, not a Monday"
    ]
    assert reading_notes(DateSpec.parse("Tuesday 19 November", py), py) == []
    assert reading_notes(DateSpec.parse("Jan 14", py), py) == [
        "'Jan 14' read as January 2014 (a year of the plan year 2013/14); write '14 Jan' for a day"
    ]
    assert reading_notes(DateSpec.parse("spring", py), py) == [
        "Mar–May 2013 runs partly outside the plan year 2013/14"
    ]


@pytest.mark.parametrize("word", ["postponed", "cancelled", "Canceled"])
def test_new_status_words_split_off(word):
    text, status = split_date_cell(f"June - {word}")
    assert text == "June" and status in ("postponed", "cancelled")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("May 21st", date(2013, 5, 21), date(2013, 5, 21)),
        ("Sept 30th, 2013", date(2013, 9, 30), date(2013, 9, 30)),
        ("June 3", date(2013, 6, 3), date(2013, 6, 3)),
        ("May 21st - 23rd", date(2013, 5, 21), date(2013, 5, 23)),
        ("Tuesday, May 21st", date(2013, 5, 21), date(2013, 5, 21)),
        ("June 3 - July 2", date(2013, 6, 3), date(2013, 7, 2)),
    ],
)
def test_month_first_days(text, start, end):
    spec = DateSpec.parse(text, PlanYear(2013))
    assert (spec.start, spec.end) == (start, end)


def test_the_plan_year_is_the_stated_one_else_the_one_holding_today():
    from ctstui.domain.dates import PlanYear

    assert PlanYear.stated_or_current("2013/14", date(2026, 12, 1)) == PlanYear(2013)
    assert PlanYear.stated_or_current(None, date(2026, 12, 1)) == PlanYear(2026)
    assert PlanYear.stated_or_current("not a year", date(2027, 3, 31)) == PlanYear(2026)
    assert PlanYear.containing(date(2014, 4, 1)) == PlanYear(2014)
