"""The filter language: every field, alternatives, negation, free words, and its errors."""

from __future__ import annotations

import calendar
from datetime import date

import pytest

from ctstui.domain.dates import DateSpec, Precision
from ctstui.domain.model import Activity, Kind, Rag, Status, Theme
from ctstui.domain.query import Query, QueryError, parse_query

P = Precision


def spec(text: str, start: date | None, end: date | None, precision: Precision) -> DateSpec:
    return DateSpec(text, start, end, precision)


PLAN = {
    "derby": Activity(
        "Sport peer review Derby",
        spec("14/15 May", date(2013, 5, 14), date(2013, 5, 15), P.DAYS),
        kind=Kind.PEER_REVIEW,
        theme=Theme.SPORT,
        place="Derby",
        status=Status.COMPLETED,
        rag=Rag.GREEN,
        leads=["SN"],
        audience="Individual council",
        programme="Sport improvement",
        funder="Sport England",
    ),
    "academy": Activity(
        "Sport Academy",
        spec("12/13 November", date(2013, 11, 12), date(2013, 11, 13), P.DAYS),
        kind=Kind.ACADEMY,
        theme=Theme.SPORT,
        place="Warwick",
        status=Status.CONFIRMED,
        rag=Rag.AMBER,
        leads=["LC"],
        audience="Sport PHs",
        places=15,
        programme="Leadership",
        funder="Sport England",
    ),
    "seminar": Activity(  # a week that runs from November into December
        "Libraries seminar",
        spec("W/b 28 November", date(2013, 11, 28), date(2013, 12, 4), P.WEEK),
        kind=Kind.SEMINAR,
        theme=Theme.LIBRARIES,
        status=Status.PLANNED,
        leads=["LC", "JW"],
        audience="Library PHs",
        funder="Arts Council",
        notes="Venue to book in Solihull",
    ),
    "culture": Activity(
        "Culture Academy",
        spec("October", date(2013, 10, 1), date(2013, 10, 31), P.MONTH),
        kind=Kind.ACADEMY,
        theme=Theme.CULTURE,
        status=Status.TBC,
        rag=Rag.RED,
        leads=["SN"],
        audience="new PHs",
    ),
    "yearend": Activity(  # spans the turn of the year
        "Tourism deep dive",
        spec("Dec / Jan", date(2013, 12, 1), date(2014, 1, 31), P.MONTHS),
        kind=Kind.DEEP_DIVE,
        theme=Theme.TOURISM,
        place="Blackpool",
        status=Status.PLANNED,
        leads=["JW"],
    ),
    "challenge": Activity(  # not dated yet
        "Heritage peer challenge",
        kind=Kind.PEER_CHALLENGE,
        theme=Theme.HERITAGE,
        status=Status.TBC,
        optional=True,
        plan_year="2013/14",
        date_problem="date not understood: 'after the elections'",
    ),
}
ALL = set(PLAN)


def hits(query: str) -> set[str]:
    q = Query.parse(query)
    return {key for key, activity in PLAN.items() if q.matches(activity)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL),
        ("status:tbc", {"culture", "challenge"}),
        ("STATUS:TBC", {"culture", "challenge"}),
        ("status:conf", {"academy"}),  # an unambiguous prefix
        ("rag:red", {"culture"}),
        ("rag:amber", {"academy"}),
        ("rag:unrated", {"seminar", "yearend", "challenge"}),
        ("lead:sn", {"derby", "culture"}),
        ("lead:JW", {"seminar", "yearend"}),
        ("lead:S", set()),  # initials match whole, not by prefix
        ("theme:sport", {"derby", "academy"}),
        ("theme:visitor", {"yearend"}),  # tourism / visitor economy
        ('theme:"visitor economy"', {"yearend"}),
        ("theme:library", {"seminar"}),
        ('kind:"peer review"', {"derby"}),
        ("kind:peer_review", {"derby"}),
        ('kind:"peer challenge"', {"challenge"}),
        ("kind:academy", {"academy", "culture"}),
        ("place:derby", {"derby"}),
        ("place:pool", {"yearend"}),
        ("title:academy", {"academy", "culture"}),
        ("audience:PHs", {"academy", "seminar", "culture"}),
        ("programme:leadership", {"academy"}),
        ('funder:"sport england"', {"derby", "academy"}),
        ("funder:arts", {"seminar"}),
        ("optional:yes", {"challenge"}),
        ("optional:no", ALL - {"challenge"}),
        ("flagged:yes", {"challenge"}),  # its date was not understood on import
        ("-flagged:yes", ALL - {"challenge"}),
        ("year:2013/14", {"challenge"}),
        ("year:2013-14", {"challenge"}),
    ],
)
def test_field_terms(query, expected):
    assert hits(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("month:2013-11", {"academy", "seminar"}),
        ("month:nov", {"academy", "seminar"}),
        ("month:november", {"academy", "seminar"}),
        ("month:2013-12", {"seminar", "yearend"}),  # the week runs into December
        ("month:dec", {"seminar", "yearend"}),
        ("month:2014-01", {"yearend"}),  # across the year end
        ("month:jan", {"yearend"}),
        ("month:2013-1", set()),  # January 2013: nothing
        ("month:2013-10", {"culture"}),
        ("month:sept", set()),
        ("month:may", {"derby"}),
        ("month:2012-05", set()),  # May, but not that year
        ("month:oct,may", {"culture", "derby"}),
        ("before:2013-06", {"derby"}),
        ("before:2013-11-12", {"derby", "culture"}),  # starts before, not on, the day
        ("after:2013-12-31", {"yearend"}),
        ("after:2013-11", {"academy", "seminar", "yearend"}),
        ("after:2013-05-14", {"derby", "academy", "seminar", "culture", "yearend"}),
        ("after:2014-02", set()),
    ],
)
def test_date_terms(query, expected):
    assert hits(query) == expected


def test_undated_activities_never_match_a_date_term():
    for query in ("month:nov", "month:2013-11", "before:9999-12-31", "after:0001-01-01"):
        assert "challenge" not in hits(query), query


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status:tbc,planned", {"culture", "challenge", "seminar", "yearend"}),
        ("status:tbc,", {"culture", "challenge"}),
        ("lead:SN,JW", {"derby", "culture", "seminar", "yearend"}),
        ("theme:sport,culture", {"derby", "academy", "culture"}),
        ('kind:"peer review,peer challenge"', {"derby", "challenge"}),
        ("-status:completed", ALL - {"derby"}),
        ("-status:tbc,planned", {"derby", "academy"}),
        ("-lead:SN", {"academy", "seminar", "yearend", "challenge"}),
        ("-month:nov", {"derby", "culture", "yearend", "challenge"}),
        ("-academy", ALL - {"academy", "culture"}),
        ("lead:LC theme:sport", {"academy"}),
        ("theme:sport -status:completed", {"academy"}),
        ("status:tbc kind:academy", {"culture"}),
        ("lead:LC lead:JW", {"seminar"}),
        ("theme:sport theme:culture", set()),
    ],
)
def test_alternatives_negation_and(query, expected):
    assert hits(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("derby", {"derby"}),  # title and place
        ("DERBY", {"derby"}),
        ("solihull", {"seminar"}),  # notes
        ("blackpool", {"yearend"}),  # place
        ('"new PHs"', {"culture"}),  # audience, quoted words kept together
        ("new PHs", {"culture"}),  # two words: both must appear somewhere
        ("sport academy", {"academy"}),
        ("academy culture", {"culture"}),
        ("council", {"derby"}),  # audience
        ("nowhere", set()),
    ],
)
def test_free_words(query, expected):
    assert hits(query) == expected


def test_empty_query_is_falsy_and_keeps_order():
    activities = list(PLAN.values())
    q = parse_query("   ")
    assert not q
    assert q.filter(activities) == activities
    assert Query.parse("status:tbc")
    assert Query.parse("status:tbc").filter(activities) == [PLAN["culture"], PLAN["challenge"]]


def test_term_round_trips_to_text():
    q = Query.parse('-kind:"peer review" status:tbc,planned "new PHs" derby')
    assert [str(t) for t in q.terms] == [
        '-kind:"peer review"',
        "status:tbc,planned",
        '"new PHs"',
        "derby",
    ]
    again = Query.parse(" ".join(str(t) for t in q.terms))
    assert [str(t) for t in again.terms] == [str(t) for t in q.terms]
    assert [hits(str(t)) for t in again.terms] == [hits(str(t)) for t in q.terms]


def test_month_without_year_agrees_with_month_of_a_year():
    """month:nov matches exactly what month:2013-11 or month:2014-11 ... would."""
    extra = [
        Activity("By March", spec("by March", None, date(2014, 3, 31), P.BY)),
        Activity("From Sept", spec("from Sept", date(2013, 9, 1), None, P.FROM)),
        Activity("Ongoing", spec("Ongoing", None, None, P.ONGOING)),
        Activity("Long", spec("April 13 - May 14", date(2013, 4, 1), date(2014, 5, 31), P.MONTHS)),
    ]
    for activity in [*PLAN.values(), *extra]:
        for month in range(1, 13):
            name = calendar.month_abbr[month].lower()
            any_year = Query.parse(f"month:{name}").matches(activity)
            some_year = any(
                Query.parse(f"month:{year}-{month:02d}").matches(activity)
                for year in range(2012, 2016)
            )
            assert any_year == some_year, (activity.title, name)


# -- errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "position", "words"),
    [
        ("colour:red", 0, ["unknown field 'colour'", "status"]),
        ("status:tbc colour:red", 11, ["unknown field 'colour'"]),
        ("status:done", 0, ["status:done", "tbc, planned"]),
        ("lead:SN rag:purple", 8, ["rag:purple", "red, amber, green"]),
        ("kind:seminarr", 0, ["kind:seminarr"]),
        ("theme:space", 0, ["theme:space"]),
        ("status:c", 0, ["ambiguous", "confirmed", "completed", "cancelled"]),
        ("month:13", 0, ["month:13", "2013-11"]),
        ("month:2013-13", 0, ["month:2013-13"]),
        ("lead:SN month:smarch", 8, ["month:smarch"]),
        ("month:0000-01", 0, ["month:0000-01"]),
        ("before:yesterday", 0, ["yesterday", "2013-09-01"]),
        ("after:2013-02-30", 0, ["2013-02-30"]),
        ("before:0000-05", 0, ["0000-05"]),
        ("optional:maybe", 0, ["yes or no"]),
        ("flagged:perhaps", 0, ["flagged:perhaps", "yes or no"]),
        ("year:2013", 0, ["year:2013", "2013/14"]),
        ('kind:"peer review', 5, ["unclosed quote"]),
        ('status:tbc "new PHs', 11, ["unclosed quote"]),
        ('title:new"PHs"', 9, ["quote"]),
        ('title:"a"b', 8, ["space after the closing quote"]),
        ("-", 0, ["lone '-'"]),
        ("status:tbc -", 11, ["lone '-'"]),
        ("status:tbc - lead:SN", 11, ["lone '-'"]),
        ("status:", 0, ["needs a value"]),
        ("lead:SN status:", 8, ["needs a value"]),
        ('title:""', 0, ["needs a value"]),
        ("status:,", 0, ["needs a value"]),
        ('""', 0, ["empty quotes"]),
    ],
)
def test_errors_say_what_and_where(query, position, words):
    with pytest.raises(QueryError) as caught:
        Query.parse(query)
    error = caught.value
    assert error.position == position
    message = str(error)
    assert f"column {position + 1}" in message
    for word in words:
        assert word in message


def test_query_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_query("nosuchfield:x")
