"""Board-report figures on plans built in code, checked against numbers worked out by hand.

``plan_2013`` mirrors seed 000 (the 2013/14 CTS plan: 38 scheduled days + 3
optional = the stated 41); ``plan_2019`` and ``CONTRACTS`` mirror seed 004
(the board paper's Arts Council England and Sport England contracts).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from importlib import resources

import pytest

from ctstui.domain.dates import DateSpec, PlanYear
from ctstui.domain.model import (
    Activity,
    FunderContract,
    Kind,
    Rag,
    StatedTotals,
    Status,
    Target,
    Theme,
)
from ctstui.domain.text import cell_width
from ctstui.report.summary import (
    Window,
    audience_group,
    build_report,
    choose_window,
    days_chart,
    default_window,
    plan_year_from_meta,
    stated_totals_from_meta,
    to_csv,
    to_json,
    to_markdown,
    to_text,
)
from ctstui.store.activity_store import ActivityStore

PY13 = PlanYear(2013)
PY19 = PlanYear(2019)
TODAY_2013 = date(2013, 11, 5)
TODAY_2020 = date(2020, 1, 20)

C, F, P, T = Status.COMPLETED, Status.CONFIRMED, Status.PLANNED, Status.TBC

# Seed 000, row by row: (title, date, status, days, kind, theme, audience, places, leads)
SEED_000 = [
    ("Officer peer training", "21 May", C, 1, Kind.TRAINING, Theme.CROSS_CUTTING,
     "Culture and sport officer peers", 10, "JW"),
    ("Sport peer review Derby", "14/15 May", C, 2, Kind.PEER_REVIEW, Theme.SPORT,
     "Individual council", None, "SN"),
    ("Libraries peer review Solihull", "23/24 May", C, 2, Kind.PEER_REVIEW, Theme.LIBRARIES,
     "Individual council", None, "JW"),
    ("Libraries peer review Rochdale", "10/11 June", C, 2, Kind.PEER_REVIEW, Theme.LIBRARIES,
     "Individual council", None, "JW"),
    ("Sport Academy", "26/27 June", C, 2, Kind.ACADEMY, Theme.SPORT, "Sport PHs", 15, "SN"),
    ("Libraries peer review Somerset", "June", C, 2, Kind.PEER_REVIEW, Theme.LIBRARIES,
     "Individual council", None, "JW"),
    ("Libraries peer review North Yorkshire", "4/5 July", C, 2, Kind.PEER_REVIEW,
     Theme.LIBRARIES, "Individual council", None, "JW"),
    ("Heritage seminar", "10 July", P, 1, Kind.SEMINAR, Theme.HERITAGE,
     "Hertiage and planning PHs", 25, "LC"),
    ("Libraries seminar for new PHs", "12 September", F, 1, Kind.SEMINAR, Theme.LIBRARIES,
     "Library PHs", 25, "JW"),
    ("Libraries peer review Bournemouth", "September", T, 2, Kind.PEER_REVIEW, Theme.LIBRARIES,
     "Individual council", None, "JW"),
    ("Sport Alumni Day", "September", T, 1, Kind.ALUMNI_DAY, Theme.SPORT,
     "Graduates from leadership academies", None, "SN"),
    ("Culture Academy", "October", T, 2, Kind.ACADEMY, Theme.CULTURE, "Culture PHs", 15, "SN"),
    ("Sport Academy", "12/13 November", P, 2, Kind.ACADEMY, Theme.SPORT, "Sport PHs", 15, "LC"),
    *[
        ("Sport action learning set", "November", P, 1, Kind.ACTION_LEARNING_SET, Theme.SPORT,
         "Sport PHs who have completed an academy", 5, "SN")
    ] * 3,
    ("Libraries seminar", "W/b 18 November", P, 1, Kind.SEMINAR, Theme.LIBRARIES,
     "Library PHs", 25, "LC"),
    ("Visitor economy leadership seminar", "November", P, 1, Kind.SEMINAR, Theme.TOURISM,
     "Culture, tourism, planning and growth PHs", None, "JW/LC"),
    ("Culture Academy", "4/5 December", P, 2, Kind.ACADEMY, Theme.CULTURE, "Culture PHs", 15,
     "SN"),
    ("Sport peer review (in 2-tier council, 2 days TBC)", "January", P, 2, Kind.PEER_REVIEW,
     Theme.SPORT, "Individual council", None, "SN"),
    ("Sport Academy", "11/12 February", P, 2, Kind.ACADEMY, Theme.SPORT, "Sport PHs", 15, "SN"),
    *[
        ("Sport action learning set", "Feb / March", P, 1, Kind.ACTION_LEARNING_SET,
         Theme.SPORT, "Sport PHs who have completed an academy", 5, "SN")
    ] * 3,
    ("CTS Conference", "March", P, 2, Kind.CONFERENCE, Theme.CROSS_CUTTING, "", None, ""),
]  # fmt: skip
# "Up to 3 more sport action learning sets, depending upon demand": optional, undated, 1 day.
OPTIONAL_SETS = 3

STATED_000 = StatedTotals(
    source="000_ebe94f5f5048f06a.txt",
    plan_year="2013/14",
    days=41.0,
    councillors=200,
    lines=["41 days of improvement activity for councils", "over 200 councillors involved"],
)


def plan_2013() -> list[Activity]:
    out = []
    for title, when, status, days, kind, theme, audience, places, leads in SEED_000:
        out.append(
            Activity(
                title=title,
                when=DateSpec.parse(when, PY13),
                status=status,
                days=float(days),
                kind=kind,
                theme=theme,
                audience=audience,
                places=places,
                leads=leads.split("/") if leads else [],
                created="2013-06-03T09:00:00Z",
            )
        )
    for _ in range(OPTIONAL_SETS):
        out.append(
            Activity(
                title="Sport action learning set",
                kind=Kind.ACTION_LEARNING_SET,
                theme=Theme.SPORT,
                days=1.0,
                optional=True,
                notes="Up to 3 more sport action learning sets, depending upon demand",
                created="2013-11-04T09:00:00Z",
            )
        )
    return out


ACE = "Arts Council England"
SPORT_ENGLAND = "Sport England"
CONTRACTS = [
    FunderContract(
        funder=ACE,
        start=date(2019, 4, 1),
        end=date(2020, 3, 31),
        targets=[
            Target("Culture peer challenges", 'kind:"peer challenge" theme:culture', 3),
            Target("Library peer challenges", 'kind:"peer challenge" theme:libraries', 7),
        ],
        id="ace",
    ),
    FunderContract(
        funder=SPORT_ENGLAND,
        start=date(2020, 4, 1),
        end=date(2021, 3, 31),
        targets=[
            Target(
                "Leadership essentials events for councillors",
                'kind:"leadership essentials" audience:councillor',
                3,
            ),
            Target(
                "Leadership events for senior strategic officers",
                'kind:"leadership essentials" audience:officer',
                6,
            ),
            Target("Deep dive events", 'kind:"deep dive"', 5),
        ],
        id="se",
    ),
]


def _row(title, kind, theme, when, status, audience="Individual council", days=2.0):
    # Seed 004: ACE funds the peer challenges, Sport England the sport programmes.
    funder = ACE if kind is Kind.PEER_CHALLENGE else SPORT_ENGLAND if theme is Theme.SPORT else ""
    return Activity(
        funder=funder,
        title=title,
        kind=kind,
        theme=theme,
        when=DateSpec.parse(when, PY19),
        status=status,
        audience=audience,
        days=days,
        leads=["NH"],
    )


def plan_2019() -> list[Activity]:
    """Seed 004's 2019/20 activities, one earlier and some 2020/21 ones."""
    pc, le, dd = Kind.PEER_CHALLENGE, Kind.LEADERSHIP_ESSENTIALS, Kind.DEEP_DIVE
    lib, cul, sport = Theme.LIBRARIES, Theme.CULTURE, Theme.SPORT
    officers, councillors = "Senior strategic officers", "Councillors (PHs)"
    return [
        # 2018/19: before the ACE contract, must not count.
        _row("Library peer challenge Luton", pc, lib, "February 2019", C),
        # ACE 2019/20: 1 library delivered, 6 scheduled; 2 culture scheduled.
        _row("Library peer challenge Kingston upon Thames", pc, lib, "14th and 15th January", C),
        _row("Library peer challenge", pc, lib, "February", P),
        _row("Library peer challenge", pc, lib, "February", P),
        _row("Library peer challenge", pc, lib, "March", P),
        _row("Library peer challenge", pc, lib, "March", P),
        _row("Library peer challenge", pc, lib, "By 31st March 2020", T),
        _row("Library peer challenge", pc, lib, "By 31st March 2020", T),
        _row("Culture peer challenge", pc, cul, "March", P),
        _row("Culture peer challenge", pc, cul, "By 31st March 2020", T),
        # Sport England 2019/20 (the two-year contract, not modelled): before 2020/21.
        _row("Leadership Essentials Sport for councillors", le, sport, "7th and 8th November",
             C, councillors),
        _row("Leadership Essentials Sport for officers", le, sport, "4th - 6th December 2019",
             C, officers, 3.0),
        _row("Deep dive: public narrative", dd, sport, "17th - 18th November", C, officers),
        # Sport England 2020/21: 2 for councillors, 6 for officers, 3 deep dives + 1 cancelled.
        _row("Leadership Essentials for councillors", le, sport, "June 2020", P, councillors),
        _row("Leadership Essentials for councillors", le, sport, "November 2020", T, councillors),
        *[
            _row("Leadership Essentials for officers", le, sport, month, P, officers)
            for month in ("May 2020", "July 2020", "September 2020", "October 2020",
                          "January 2021", "March 2021")
        ],
        _row("Deep dive", dd, sport, "May 2020", P, officers),
        _row("Deep dive", dd, sport, "September 2020", P, officers),
        _row("Deep dive", dd, sport, "February 2021", T, officers),
        _row("Deep dive", dd, sport, "December 2020", Status.CANCELLED, officers),
    ]  # fmt: skip


def report_2013(**kwargs):
    options = dict(
        window=Window.of_plan_year(PY13), today=TODAY_2013, stated=[STATED_000], undated_year=PY13
    )
    options.update(kwargs)
    return build_report(plan_2013(), **options)


# -- totals ---------------------------------------------------------------------------------


def test_seed_000_days_by_status_add_up_to_the_stated_41():
    # Each row's days, by status (seed 000 in order):
    completed = [1, 2, 2, 2, 2, 2, 2]  # training, Derby, Solihull, Rochdale, Academy, Somerset, NY
    confirmed = [1]  # Libraries seminar for new PHs
    tbc = [2, 1, 2]  # Bournemouth, Alumni Day, Culture Academy (October)
    planned = [1, 2, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 2]  # heritage ... CTS Conference
    optional = [1, 1, 1]  # "Up to 3 more sport action learning sets"
    assert sum(completed + confirmed + tbc + planned) == 38
    report = report_2013()
    figures = {k: (t.activities, t.days) for k, t in report.by_status.items()}
    assert figures == {
        "completed": (len(completed), sum(completed)),
        "confirmed": (len(confirmed), sum(confirmed)),
        "planned": (len(planned), sum(planned)),
        "tbc": (len(tbc), sum(tbc)),
        "optional": (len(optional), sum(optional)),
    }
    assert (report.total.activities, report.total.days) == (28, 38 + 3)
    assert "38 scheduled + 3 optional = 41 days." in to_text(report)


def test_places_for_councillors_versus_officers():
    report = report_2013()
    # PHs rows: Sport Academy x3 (15 each), Heritage 25, Library PHs x2 (25 each),
    # Culture Academy x2 (15 each), action learning sets x6 (5 each); the visitor
    # economy seminar is for PHs but gives no number.
    councillor_places = 3 * 15 + 25 + 2 * 25 + 2 * 15 + 6 * 5
    assert councillor_places == 180
    councillors = report.audiences["councillors"]
    assert (councillors.activities, councillors.places, councillors.no_places) == (15, 180, 1)
    officers = report.audiences["officers"]
    assert (officers.activities, officers.places) == (1, 10)  # officer peer training
    other = report.audiences["other"]  # individual councils, graduates, conference, optional
    assert (other.activities, other.places) == (7 + 1 + 1 + 3, 0)
    assert report.total.places == 190
    assert "180 of the 190 places offered (95%) are for councillors" in to_text(report)


@pytest.mark.parametrize(
    ("audience", "group"),
    [
        ("Sport PHs (15)", "councillors"),
        ("Portfolio holders for culture", "councillors"),
        ("Elected members", "councillors"),
        ("Councillors (PHs)", "councillors"),
        ("Culture and sport officer peers", "officers"),
        ("Senior strategic officers", "officers"),
        ("Councillors and officers", "mixed"),
        ("Individual council", "other"),
        ("", "other"),
    ],
)
def test_audience_groups(audience, group):
    assert audience_group(audience) == group


def test_by_theme_kind_lead_and_month():
    report = report_2013()
    themes = {k: (t.activities, t.days) for k, t in report.themes.items()}
    assert themes == {
        # Derby 2, academies 2+2+2, alumni 1, 2-tier review 2, sets 3+3, optional 3
        "sport": (15, 20),
        # Solihull, Rochdale, Somerset, North Yorkshire, Bournemouth (2 each), 2 seminars
        "libraries": (7, 12),
        "culture": (2, 4),
        "heritage": (1, 1),
        "tourism": (1, 1),
        "cross-cutting": (2, 3),  # officer training 1, conference 2
    }
    kinds = {k: (t.activities, t.days) for k, t in report.kinds.items()}
    assert kinds == {
        "peer review": (7, 14),
        "academy": (5, 10),
        "seminar": (4, 4),
        "action learning set": (9, 9),
        "training": (1, 1),
        "alumni day": (1, 1),
        "conference": (1, 2),
    }
    leads = {load.lead: load for load in report.leads}
    assert list(leads) == ["JW", "LC", "SN", "(no lead)"]
    assert leads["JW"].by_month == {
        (2013, 5): 3,  # training 1 + Solihull 2
        (2013, 6): 4,  # Rochdale, Somerset
        (2013, 7): 2,  # North Yorkshire
        (2013, 9): 3,  # seminar 1 + Bournemouth 2
        (2013, 11): 1,  # visitor economy seminar (shared with LC)
    }
    assert leads["LC"].by_month == {(2013, 7): 1, (2013, 11): 4}
    assert leads["SN"].total == 2 + 2 + 1 + 2 + 3 + 2 + 2 + 5
    assert (leads["(no lead)"].by_month, leads["(no lead)"].undated) == ({(2014, 3): 2}, 3)
    months = {f"{y}-{m:02d}": (t.activities, t.days) for (y, m), t in report.months.items()}
    assert months == {
        "2013-04": (0, 0),
        "2013-05": (3, 5),
        "2013-06": (3, 6),
        "2013-07": (2, 3),
        "2013-08": (0, 0),
        "2013-09": (3, 4),
        "2013-10": (1, 2),
        "2013-11": (6, 7),
        "2013-12": (1, 2),
        "2014-01": (1, 2),
        "2014-02": (4, 5),  # Sport Academy + three "Feb / March" sets (first month)
        "2014-03": (1, 2),
    }
    assert (report.undated.activities, report.undated.days) == (3, 3)
    chart = days_chart(report, height=4)
    labels = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]
    assert chart[-1].split() == [*labels, "n/d"]
    assert "█" in chart[1]  # November, the busiest month, reaches the top


def test_undated_optional_activities_belong_to_their_plan_year():
    activities = plan_2013()
    # Without a stored plan year, the created stamp (November 2013) places them in 2013/14.
    report = build_report(activities, window=Window.of_plan_year(PY13), today=TODAY_2013)
    assert report.by_status["optional"].days == 3
    later = build_report(activities, window=Window.of_plan_year(PlanYear(2014)), today=TODAY_2013)
    assert later.total.activities == 0
    # The stored plan year wins over the created stamp.
    moved = build_report(
        activities,
        window=Window.of_plan_year(PlanYear(2014)),
        today=TODAY_2013,
        undated_year=PlanYear(2014),
    )
    assert moved.total.activities == 3
    # A window covering part of the plan year does not take undated activities.
    november = build_report(
        activities, window=Window(date(2013, 11, 1), date(2013, 11, 30)), today=TODAY_2013
    )
    assert (november.total.activities, november.total.days) == (6, 7)


def test_query_narrows_the_tables_but_not_the_reconciliation():
    report = report_2013(query="theme:sport")
    assert (report.total.activities, report.total.days) == (15, 20)
    assert report.reconciliations[0].total_days == 41


def test_cancelled_and_dropped_activities_are_listed_not_counted():
    activities = plan_2013()
    activities[1] = activities[1].copy(status=Status.CANCELLED)  # Derby (completed, 2 days)
    activities[12] = activities[12].copy(notes="not in 000.txt (imported 2013-11-04)")  # Academy
    report = build_report(
        activities, window=Window.of_plan_year(PY13), today=TODAY_2013, stated=[STATED_000]
    )
    assert (report.total.activities, report.total.days) == (26, 41 - 2 - 2)
    assert (report.cancelled.activities, report.dropped.activities) == (1, 1)
    text = to_text(report)
    assert "Cancelled, not in the total: 1 activity, 2 days." in text
    assert "Dropped (no longer in an imported plan), not in the total: 1 activity" in text
    assert report.reconciliations[0].days_agree is False
    assert "they do NOT agree (4 days fewer than 41)" in text


# -- reconciliation -------------------------------------------------------------------------------


def test_reconciliation_with_the_stated_totals_of_seed_000():
    report = report_2013()
    [rec] = report.reconciliations
    assert (rec.scheduled_days, rec.optional_days, rec.total_days) == (38, 3, 41)
    assert rec.days_agree is True
    assert rec.councillor_places == 180
    assert rec.councillors_qualifier == "over"
    assert rec.councillors_agree is False  # 180 is not "over 200"
    assert rec.councillor_no_places == ["Visitor economy leadership seminar"]
    statements = " ".join(rec.statements())
    assert "ctstui counts 38 scheduled + 3 optional = 41 days: they agree." in statements
    assert "states over 200" in statements and "180 is not over 200" in statements
    table = next(t for t in _tables(report) if t.key == "reconciliation")
    assert [row[-1] for row in table.rows] == ["agrees", "DOES NOT AGREE"]
    assert table.flagged == frozenset({1})


def test_reconciliation_skips_stated_totals_of_other_years():
    report = build_report(
        plan_2013(), window=Window.of_plan_year(PY19), today=TODAY_2020, stated=[STATED_000]
    )
    assert report.reconciliations == []
    assert "No stated totals for this window" in to_text(report)


def test_seed_000_through_the_importer_reconciles_to_41():
    from ctstui.importing.importer import read_plan

    name = "000_ebe94f5f5048f06a.txt"
    text = resources.files("ctstui.data").joinpath("seeds", name).read_text(encoding="utf-8")
    parsed = read_plan(text, name)
    report = build_report(
        parsed.activities,
        window=Window.of_plan_year(parsed.plan_year),
        today=TODAY_2013,
        stated=[parsed.totals],
        undated_year=parsed.plan_year,
    )
    [rec] = report.reconciliations
    assert (rec.scheduled_days, rec.optional_days, rec.days_agree) == (38, 3, True)
    assert rec.councillor_places == 180


@pytest.mark.parametrize(
    ("value", "sources"),
    [
        (STATED_000.to_dict(), ["000_ebe94f5f5048f06a.txt"]),
        ([STATED_000.to_dict(), {**STATED_000.to_dict(), "source": "b"}], [STATED_000.source, "b"]),
        ({"a.txt": {**STATED_000.to_dict(), "source": ""}}, ["a.txt"]),
        (None, []),
        ("41 days", []),
        ([1, "x"], []),
    ],
)
def test_stated_totals_from_meta_accepts_what_the_importer_may_write(value, sources):
    assert [s.source for s in stated_totals_from_meta(value)] == sources


def test_plan_year_from_meta():
    assert plan_year_from_meta("2013/14") == PY13
    assert plan_year_from_meta(None, [STATED_000]) == PY13
    assert plan_year_from_meta("nonsense") is None


# -- contracts (seed 004) -------------------------------------------------------------------------


def test_arts_council_2019_20_peer_challenges_against_delivery():
    report = build_report(
        plan_2019(), window=Window.of_plan_year(PY19), today=TODAY_2020, contracts=CONTRACTS
    )
    ace = next(c for c in report.contracts if c.contract.id == "ace")
    # 20 Jan - 31 Mar 2020, today included: 12 + 29 (leap year) + 31 days.
    assert ace.days_left == 12 + 29 + 31 == 72
    culture, library = ace.targets
    # 3 culture peer challenges commissioned: none delivered, March + "by 31 March" scheduled.
    assert (culture.delivered, culture.scheduled, culture.needed) == (0, 2, 1)
    assert culture.flagged and culture.check == "SHORT by 1"
    # 7 library: Kingston delivered (Luton, Feb 2019, is before the contract), 6 to come.
    assert (library.delivered, library.scheduled, library.needed) == (1, 6, 0)
    assert not library.flagged and library.check == "on track"
    text = to_text(report)
    assert "Arts Council England: 1 Apr 2019 – 31 Mar 2020 (72 days left)" in text


def test_sport_england_2020_21_targets_before_the_period_starts():
    report = build_report(
        plan_2019(), window=Window.of_plan_year(PY19), today=TODAY_2020, contracts=CONTRACTS
    )
    se = next(c for c in report.contracts if c.contract.id == "se")
    assert se.state == "not started"
    assert se.days_left == 365  # April 2020 - March 2021
    figures = [(t.target, t.delivered, t.scheduled, t.needed, t.flagged) for t in se.targets]
    assert figures == [
        (3, 0, 2, 1, True),  # leadership essentials for councillors: June, November 2020
        (6, 0, 6, 0, False),  # six for officers
        (5, 0, 3, 2, True),  # deep dives: the cancelled one does not count
    ]


def test_overdue_activities_are_neither_delivered_nor_scheduled():
    # Mid-March: the two February library peer challenges are still only planned.
    report = build_report(
        plan_2019(), window=Window.of_plan_year(PY19), today=date(2020, 3, 15), contracts=CONTRACTS
    )
    library = next(c for c in report.contracts if c.contract.id == "ace").targets[1]
    assert (library.delivered, library.scheduled, library.overdue) == (1, 4, 2)
    assert library.check == "SHORT by 2"
    assert "2 past their dates and not completed" in to_text(report)


def test_contracts_of_other_years_are_left_out():
    report = build_report(
        plan_2013(), window=Window.of_plan_year(PY13), today=TODAY_2013, contracts=CONTRACTS
    )
    assert report.contracts == []


def test_a_target_with_a_bad_query_is_reported_not_raised():
    contract = FunderContract(
        "Funder", date(2019, 4, 1), date(2020, 3, 31), [Target("Broken", "kind:nope", 2)]
    )
    report = build_report(
        plan_2019(), window=Window.of_plan_year(PY19), today=TODAY_2020, contracts=[contract]
    )
    [target] = report.contracts[0].targets
    assert target.flagged and target.check == "query error" and "nope" in target.error


def test_only_activities_linked_to_the_contract_count_towards_it():
    rows = plan_2019()
    library = [a for a in rows if a.title == "Library peer challenge"]
    library[0].funder = ""  # names no funder: listed, not counted
    library[1].funder = "Another Funder"  # someone else's: not counted
    library[2].funder = "ace"  # the contract's id: counted
    library[3].funder = "ARTS COUNCIL ENGLAND"  # its funder, any case: counted
    report = build_report(
        rows, window=Window.of_plan_year(PY19), today=TODAY_2020, contracts=CONTRACTS
    )
    target = next(c for c in report.contracts if c.contract.id == "ace").targets[1]
    assert (target.delivered, target.scheduled, target.needed) == (1, 4, 2)
    assert target.unlinked == ["Library peer challenge"]
    assert (
        "1 activity names no funder, not counted: set its funder to 'Arts Council England'"
        in to_text(report)
    )
    data = json.loads(to_json(report))
    assert data["contracts"][0]["targets"][1]["unlinked_titles"] == ["Library peer challenge"]


# -- since a date (history) -----------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2013, 6, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def at(self, day: date) -> None:
        self.now = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def history_store(path) -> ActivityStore:
    """A plan with a known history around a board meeting on 1 October 2013."""
    from ctstui.domain.markers import missing_note

    clock = Clock()
    store = ActivityStore(path, who="tester", clock=clock)

    def add(title: str, when: str, status: Status = P) -> str:
        activity = Activity(title=title, when=DateSpec.parse(when, PY13), status=status, days=1)
        return store.add(activity).id

    derby = add("Sport peer review Derby", "14/15 May", C)
    academy = add("Sport Academy", "12/13 November")
    culture = add("Culture Academy", "October", T)
    alumni = add("Sport Alumni Day", "September", T)
    sets = add("Sport action learning set", "June / July")
    summer = add("Summer seminar", "June")
    clock.at(date(2013, 9, 10))  # before the board meeting: not reported
    store.set_status(alumni, F)
    clock.at(date(2013, 10, 15))
    store.set_status(culture, C)
    clock.at(date(2013, 10, 20))
    store.rate(academy, Rag.AMBER, "venue not booked")
    clock.at(date(2013, 10, 22))
    tourism = add("Tourism seminar", "W/b 18 November")
    clock.at(date(2013, 10, 25))
    store.set_status(summer, Status.CANCELLED)
    clock.at(date(2013, 11, 4))
    old = store.get(sets)
    store.update(old.copy(notes=missing_note("000.txt", date(2013, 11, 4))), action="import")
    clock.at(date(2013, 11, 6))  # after "today" (5 November): not reported
    store.set_status(academy, F)
    store.ids = dict(  # type: ignore[attr-defined]
        derby=derby, academy=academy, culture=culture, sets=sets, summer=summer, tourism=tourism
    )
    return store


def test_since_the_last_board_from_history(tmp_path):
    store = history_store(tmp_path / "plan.json")
    ids = store.ids  # type: ignore[attr-defined]
    report = build_report(
        store.activities(),
        window=Window.of_plan_year(PY13),
        today=TODAY_2013,
        since=date(2013, 10, 1),
    )
    since = report.since
    assert since is not None
    assert [t.activity.id for t in since.took_place] == [ids["culture"]]  # completed 15 Oct
    assert [(c.title, c.old, c.new, c.on) for c in since.status_changes] == [
        ("Culture Academy", "tbc", "completed", date(2013, 10, 15)),
        ("Summer seminar", "planned", "cancelled", date(2013, 10, 25)),
    ]
    assert [(c.title, c.old, c.new) for c in since.rag_changes] == [
        ("Sport Academy", "unrated", "amber")
    ]
    assert [a.id for a in since.new] == [ids["tourism"]]
    assert [(a.id, why) for a, _, why in since.dropped] == [
        (ids["summer"], "cancelled"),
        (ids["sets"], "not in 000.txt"),
    ]
    assert [a.id for a in since.next_up] == [ids["academy"], ids["tourism"]]
    assert since.slipped == []  # the alumni day's September ended before the board
    text = to_text(report)
    assert "Took place (1 Oct 2013 – 5 Nov 2013)" in text
    assert "Sport Academy" in text and "RAG" in text


def since_store(path) -> tuple[ActivityStore, dict[str, str]]:
    """Changes between a board on 1 October 2013 and 5 November, in and out of 2013/14."""
    clock = Clock()
    store = ActivityStore(path, who="tester", clock=clock)

    def add(title: str, when: str, status: Status = P) -> str:
        activity = Activity(title=title, when=DateSpec.parse(when, PY13), status=status, days=1)
        return store.add(activity).id

    ids = {
        "july": add("Heritage seminar", "10 July"),  # held in July, marked completed in Nov
        "october": add("Culture seminar", "10 October"),  # held in the range, never marked
        "academy": add("Sport Academy", "12/13 November"),
        "later": add("Sport academy 2014", "July 2014"),  # 2014/15: not this report's
    }
    clock.at(date(2013, 10, 2))
    store.set_status(ids["academy"], F)
    store.set_status(ids["later"], F)
    clock.at(date(2013, 10, 20))
    store.set_status(ids["academy"], C)
    clock.at(date(2013, 11, 4))
    store.set_status(ids["july"], C, action="import")
    store.set_status(ids["later"], C)
    return store, ids


def test_since_is_consistent_and_limited_to_the_window(tmp_path):
    store, ids = since_store(tmp_path / "plan.json")
    report = build_report(
        store.activities(),
        window=Window.of_plan_year(PY13),
        today=TODAY_2013,
        since=date(2013, 10, 1),
    )
    since = report.since
    assert since is not None
    # Every activity that became completed in the range took place, listed once;
    # the July 2014 one belongs to 2014/15 and is nowhere in this report.
    took = {t.activity.id: t.how for t in since.took_place}
    assert took == {
        ids["july"]: "marked completed 4 Nov 2013",
        ids["academy"]: "marked completed 20 Oct 2013",
    }
    completed_changes = {c.activity_id for c in since.status_changes if c.new == "completed"}
    assert completed_changes == set(took)
    # Planned -> confirmed -> completed is one line.
    [academy] = [c for c in since.status_changes if c.activity_id == ids["academy"]]
    assert (academy.old, academy.new, academy.steps) == (
        "planned",
        "completed",
        "planned → confirmed → completed",
    )
    assert [a.id for a in since.slipped] == [ids["october"]]
    assert since.next_up == []
    text = to_text(report)
    assert "Nothing took place" not in text
    assert "Sport academy 2014" not in text
    assert "planned → confirmed → completed" in text
    assert "Slipped: past their dates, not completed" in text
    data = json.loads(to_json(report))["since"]
    assert len(data["took_place"]) == 2 and data["took_place_days"] == 2
    assert [a["title"] for a in data["slipped"]] == ["Culture seminar"]
    # The 2014/15 report has the July 2014 change and nothing of 2013/14.
    later = build_report(
        store.activities(),
        window=Window.of_plan_year(PlanYear(2014)),
        today=TODAY_2013,
        since=date(2013, 10, 1),
    )
    assert later.since is not None
    assert [t.activity.id for t in later.since.took_place] == [ids["later"]]
    assert {c.activity_id for c in later.since.status_changes} == {ids["later"]}


# -- formats ---------------------------------------------------------------------------------------


def _tables(report):
    from ctstui.report.summary import report_tables

    return report_tables(report)


def test_markdown_has_pipe_tables_and_escapes_user_text():
    activities = plan_2013()
    activities[0] = activities[0].copy(title="Training | *new* <b>")
    report = build_report(
        activities,
        window=Window.of_plan_year(PY13),
        today=TODAY_2013,
        stated=[STATED_000],
        since=date(2013, 5, 1),
    )
    md = to_markdown(report)
    assert md.startswith("# Board report: plan year 2013/14")
    assert "| Status | Activities | Days | Places |\n|---|---:|---:|---:|\n" in md
    assert "| Completed | 7 | 13 | 25 |" in md
    assert "| **Total** | **28** | **41** | **190** |" in md
    assert "Training \\| \\*new\\* \\<b\\>" in md
    assert "## Reconciliation with the plan's stated totals" in md


def test_json_parses_with_the_figures():
    data = json.loads(to_json(report_2013(since=date(2013, 10, 1))))
    assert data["window"]["plan_year"] == "2013/14"
    assert data["by_status"]["completed"]["days"] == 13
    assert (data["scheduled_days"], data["optional_days"], data["total"]["days"]) == (38, 3, 41)
    assert data["reconciliation"][0]["days_agree"] is True
    assert data["reconciliation"][0]["councillors_agree"] is False
    assert data["months"]["2013-11"]["days"] == 7
    assert data["since"]["since"] == "2013-10-01"


def test_csv_has_a_header_and_one_row_per_activity():
    rows = list(csv.DictReader(io.StringIO(to_csv(report_2013()))))
    assert len(rows) == 28
    header = list(rows[0])
    assert header[:3] == ["id", "title", "kind"]
    assert header[-3:] == ["report_month", "audience_group", "status_row"]
    visitor = next(r for r in rows if r["title"] == "Visitor economy leadership seminar")
    assert (visitor["leads"], visitor["report_month"], visitor["audience_group"]) == (
        "JW/LC",
        "2013-11",
        "councillors",
    )
    assert sum(1 for r in rows if r["status_row"] == "optional" and r["report_month"] == "") == 3


def test_text_keeps_control_characters_visible():
    activities = plan_2013()
    activities[0] = activities[0].copy(title="Evil \x1b[31mred", status=T)
    report = build_report(
        activities, window=Window.of_plan_year(PY13), today=TODAY_2013, since=date(2013, 1, 1)
    )
    text = to_text(report)
    assert "\x1b" not in text and "Evil \\x1b[31mred" in text


def test_text_tables_line_up_in_terminal_columns_with_wide_characters():
    """A lead written in Chinese takes two columns per character on a terminal:
    the figures after it stay in line with the other leads' (and the header's)."""
    activities = plan_2013()
    activities[0] = activities[0].copy(leads=["李明"])
    report = build_report(activities, window=Window.of_plan_year(PY13), today=TODAY_2013)
    lines = to_text(report).splitlines()
    start = lines.index("Workload by lead officer (days per month)")
    table = lines[start + 2 : lines.index("", start)]
    header = table[0]
    rows = [t for t in table[2:] if not t.startswith(("-", "  "))]  # not the notes
    assert any(r.startswith("李明") for r in rows)
    assert {cell_width(r) for r in rows} == {cell_width(header)}  # "Total" is the last column


# -- windows ----------------------------------------------------------------------------------------


def test_choose_window():
    assert choose_window(TODAY_2013) == Window.of_plan_year(PY13)
    assert choose_window(date(2014, 3, 31)).plan_year == PY13
    assert choose_window(TODAY_2013, plan_year="2019/20").plan_year == PY19
    window = choose_window(TODAY_2013, start=date(2013, 9, 1), end=date(2013, 12, 31))
    assert (window.plan_year, len(window.months())) == (None, 4)
    assert choose_window(TODAY_2013, start=PY19.start, end=PY19.end).plan_year == PY19
    for bad in (
        dict(start=date(2013, 9, 1)),
        dict(start=date(2013, 9, 1), end=date(2013, 8, 1)),
        dict(plan_year="2013/14", start=date(2013, 9, 1), end=date(2013, 10, 1)),
        dict(plan_year="2013/15"),
        dict(start=date(2000, 1, 1), end=date(2020, 1, 1)),
    ):
        with pytest.raises(ValueError):
            choose_window(TODAY_2013, **bad)


def test_default_window_is_todays_plan_year_when_it_has_activities():
    window = default_window(plan_2013(), TODAY_2013)
    assert window.plan_year == PY13
    assert window.reason == "plan year 2013/14 holds today (5 Nov 2013)"


def test_default_window_falls_back_to_the_latest_plan_year_with_activities():
    # Today is 2026/27: nothing then. Seed 000 is 2013/14 only.
    window = default_window(plan_2013(), date(2026, 12, 1))
    assert window.plan_year == PY13
    assert window.reason == (
        "plan year 2026/27 (holding today, 1 Dec 2026) has no activities; "
        "showing 2013/14, the latest plan year that has some"
    )
    # With seed 004's rows too, 2020/21 (the Sport England renewal) is the latest.
    assert default_window([*plan_2013(), *plan_2019()], date(2026, 12, 1)).plan_year == PlanYear(
        2020
    )
    # An earlier today with activities of its own keeps its own year.
    assert default_window([*plan_2013(), *plan_2019()], TODAY_2020).plan_year == PY19


def test_default_window_counts_undated_activities_in_their_home_year():
    undated = Activity(title="Up to 3 more sets", optional=True, days=1)
    assert default_window([undated], date(2026, 12, 1), PY13).plan_year == PY13
    # An empty plan: today's year, and the report says so.
    empty = default_window([], date(2026, 12, 1))
    assert empty.plan_year == PlanYear(2026) and "the plan has no activities" in empty.reason


def test_the_report_says_which_year_and_why():
    window = default_window(plan_2013(), date(2026, 12, 1))
    report = build_report(plan_2013(), window=window, today=date(2026, 12, 1))
    text = to_text(report)
    assert text.startswith("Board report: plan year 2013/14")
    assert "Which year: plan year 2026/27 (holding today, 1 Dec 2026) has no activities" in text
    assert json.loads(to_json(report))["window"]["reason"] == window.reason
    assert "*Which year: plan year 2026/27" in to_markdown(report)
    # A year the user chose carries no reason line.
    chosen = build_report(plan_2013(), window=Window.of_plan_year(PY13), today=TODAY_2013)
    assert "Which year" not in to_text(chosen)


@pytest.mark.parametrize(
    ("start", "end"),
    [(PY13.start, PY13.end), (date(2013, 4, 1), date(2016, 3, 31)), (date(2013, 4, 1),
                                                                     date(2023, 3, 31))],
    ids=["one-year", "three-years", "ten-years"],
)  # fmt: skip
def test_the_text_chart_never_wraps_at_80_columns(start, end):
    report = build_report(
        plan_2013(), window=choose_window(TODAY_2013, start=start, end=end), today=TODAY_2013,
        undated_year=PY13,
    )  # fmt: skip
    text = to_text(report).splitlines()
    at = text.index("Days per month (n/d: no date)")
    chart = text[at + 1 : text.index("", at)]
    assert chart and all(len(line) <= 80 for line in chart)
    assert any("█" in line for line in chart)
    for width in (1, 5, 13, 30, 200):
        assert all(len(line) <= width for line in days_chart(report, width=width))
    # Every month (or group of months) with days shows a bar in the bottom row.
    bottom = days_chart(report, width=76)[-2 if len(report.months) <= 12 else -3]
    assert bottom.count("█") > 0
