"""The board's plain logic: columns, the done toggle, filters, moves, review age,
the programme roll-up and the review round."""

from __future__ import annotations

from datetime import date

import pytest

from ctstui.domain.board import (
    DONE,
    NO_PROGRAMME,
    build_board,
    column_keys,
    column_of,
    days_since_review,
    is_programme_record,
    review_age,
    review_round,
    rollups,
    shift_rating,
)
from ctstui.domain.dates import DateSpec, PlanYear
from ctstui.domain.model import Activity, Rag, RagReview, Status, Theme
from ctstui.domain.query import Query

TODAY = date(2013, 11, 5)
PY = PlanYear(2013)


def act(title: str, when: str = "", status=Status.PLANNED, **fields) -> Activity:
    return Activity(title=title, when=DateSpec.parse(when, PY), status=status, **fields)


def in_order(activities: list[Activity]) -> list[Activity]:
    """As the store gives them: date-window order."""
    return sorted(activities, key=lambda a: a.sort_key)


def titles(activities: list[Activity]) -> list[str]:
    return [a.title for a in activities]


@pytest.fixture
def plan() -> list[Activity]:
    return in_order(
        [
            act("Sport academy", "12/13 November", Status.CONFIRMED, rag=Rag.GREEN, leads=["SN"],
                theme=Theme.SPORT),
            act("Libraries seminar", "W/b 18 November", rag=Rag.AMBER, leads=["LC"],
                theme=Theme.LIBRARIES),
            act("Sport ALS", "November", rag=Rag.AMBER, leads=["SN"], theme=Theme.SPORT),
            act("Culture academy", "October", Status.TBC, leads=["SN"], theme=Theme.CULTURE),
            act("Derby review", "14/15 May", Status.COMPLETED, rag=Rag.GREEN, leads=["SN"]),
            act("Dropped seminar", "June", Status.CANCELLED, rag=Rag.RED),
            act("Heritage seminar", "10 or 11 July", rag=Rag.RED, leads=["LC"]),
        ]
    )  # fmt: skip


# -- columns ---------------------------------------------------------------------------


def test_columns_in_display_order_with_optional_done():
    assert column_keys() == ("red", "amber", "green", "unrated")
    assert column_keys(show_done=True) == ("red", "amber", "green", "unrated", DONE)


def test_each_activity_goes_to_its_rating_column_done_or_nowhere():
    assert column_of(act("a", rag=Rag.AMBER)) == "amber"
    assert column_of(act("b", status=Status.TBC)) == "unrated"
    done = act("c", status=Status.COMPLETED, rag=Rag.GREEN)
    assert column_of(done) is None
    assert column_of(done, show_done=True) == DONE
    cancelled = act("d", status=Status.CANCELLED, rag=Rag.RED)
    assert column_of(cancelled) is None and column_of(cancelled, show_done=True) is None


def test_board_columns_keep_date_window_order_and_count(plan):
    board = build_board(plan)
    assert board.keys == column_keys()
    assert titles(board.cards("red")) == ["Heritage seminar"]
    assert titles(board.cards("amber")) == ["Sport ALS", "Libraries seminar"]  # Nov 1, Nov 18
    assert titles(board.cards("green")) == ["Sport academy"]
    assert titles(board.cards("unrated")) == ["Culture academy"]
    assert board.counts == {"red": 1, "amber": 2, "green": 1, "unrated": 1}
    assert len(board) == 5  # completed hidden, cancelled never shown
    with_done = build_board(plan, show_done=True)
    assert titles(with_done.cards(DONE)) == ["Derby review"]
    assert "Dropped seminar" not in titles(with_done.activities())


def test_board_takes_the_list_query(plan):
    board = build_board(plan, query=Query.parse("lead:SN theme:sport"))
    assert titles(board.activities()) == ["Sport ALS", "Sport academy"]
    assert titles(board.cards("amber")) == ["Sport ALS"]
    assert board.counts["red"] == 0


def test_locate_finds_a_card(plan):
    board = build_board(plan)
    libraries = next(a for a in plan if a.title == "Libraries seminar")
    assert board.locate(libraries.id) == (0, "amber", 1)
    assert board.locate("no such id") is None


# -- moving a rating, review age --------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "step", "expected"),
    [
        (Rag.RED, 1, Rag.AMBER),
        (Rag.AMBER, 1, Rag.GREEN),
        (Rag.GREEN, 1, Rag.UNRATED),
        (Rag.UNRATED, 1, Rag.UNRATED),  # stops at the right end
        (Rag.UNRATED, -1, Rag.GREEN),
        (Rag.AMBER, -1, Rag.RED),
        (Rag.RED, -1, Rag.RED),  # stops at the left end
    ],
)
def test_shift_rating_moves_one_column(rating, step, expected):
    assert shift_rating(rating, step) is expected


def test_days_since_last_review_and_its_short_form():
    activity = act("a")
    assert days_since_review(activity, TODAY) is None
    assert review_age(None) == "never"
    activity.reviews = [
        RagReview(date(2013, 10, 1), Rag.AMBER, "first"),
        RagReview(date(2013, 3, 31), Rag.GREEN, "older, recorded later"),
    ]
    assert days_since_review(activity, TODAY) == 35
    assert review_age(35) == "35d" and review_age(0) == "today"


def test_latest_review_of_a_day_is_the_last_recorded():
    activity = act("a")
    activity.reviews = [
        RagReview(date(2013, 3, 31), Rag.AMBER, "march"),
        RagReview(TODAY, Rag.RED, "first today"),
        RagReview(TODAY, Rag.GREEN, "second today"),
    ]
    assert activity.last_review.reason == "second today"
    assert [r.reason for r in activity.reviews_newest_first()] == [
        "second today",
        "first today",
        "march",
    ]
    assert act("b").last_review is None


# -- programmes ---------------------------------------------------------------------------

CSIT = "Programme 1.2: CSIT Efficiency Challenge"
PEER = "Peer Support – Peer Challenges"


@pytest.fixture
def programmes() -> list[Activity]:
    return in_order(
        [
            act(CSIT, "April 11- March 12", rag=Rag.GREEN, programme=CSIT),  # its own record
            act("Benchmark training", "May 11", rag=Rag.GREEN, programme=CSIT),
            act("Network survey", "Jan 12", rag=Rag.AMBER, programme=f"  {CSIT} "),
            act("Old workshop", "Feb 11", Status.COMPLETED, rag=Rag.RED, programme=CSIT),
            act("Dropped pilot", "June 11", Status.CANCELLED, rag=Rag.RED, programme=CSIT),
            act("Knowledge Hub launch", "Sept 2011", rag=Rag.RED, programme=PEER),
            act("Leadership Academy", "by March 2012", programme=PEER),
            act("Unfiled seminar", "June", rag=Rag.AMBER),
        ]
    )


def test_programme_record_is_the_activity_titled_as_its_programme(programmes):
    records = [a.title for a in programmes if is_programme_record(a)]
    assert records == [CSIT]
    assert not is_programme_record(act("Anything"))  # no programme at all


def test_rollup_is_worst_of_open_activities_beside_the_own_rating(programmes):
    summary = rollups(programmes)
    csit = summary[CSIT.casefold()]
    assert csit.programme == CSIT
    assert csit.own_rating is Rag.GREEN
    # Completed (red) and cancelled (red) do not count; nor does the record itself.
    assert csit.counts[Rag.GREEN] == 1 and csit.counts[Rag.AMBER] == 1
    assert csit.counts[Rag.RED] == 0
    assert csit.worst is Rag.AMBER
    assert csit.differs  # own green, roll-up amber: worth a look
    assert csit.describe() == "worst of 2 open: amber (1 amber, 1 green)"
    peer = summary[PEER.casefold()]
    assert peer.worst is Rag.RED and peer.own_rating is None and not peer.differs
    assert peer.describe() == "worst of 2 open: red (1 red, 1 unrated)"


def test_rollup_of_unrated_or_finished_programmes():
    quiet = rollups([act("a", programme="P"), act("b", programme="P")])["p"]
    assert quiet.worst is Rag.UNRATED
    finished = rollups([act("a", "May", Status.COMPLETED, rag=Rag.RED, programme="P")])["p"]
    assert finished.worst is Rag.UNRATED and finished.describe() == "no open activities"


def test_board_by_programme_has_a_lane_per_programme_with_its_rollup(programmes):
    board = build_board(programmes, by_programme=True)
    assert board.grouped
    assert [lane.title for lane in board.lanes] == [PEER, CSIT, NO_PROGRAMME]  # by name
    csit = board.lanes[1]
    assert titles(csit.columns["green"]) == [CSIT, "Benchmark training"]
    assert titles(csit.columns["amber"]) == ["Network survey"]
    assert csit.rollup.worst is Rag.AMBER
    assert board.lanes[2].rollup is None
    assert board.counts == {"red": 1, "amber": 2, "green": 2, "unrated": 1}
    # A filter narrows the cards, never the roll-up: it is the programme's.
    filtered = build_board(programmes, query=Query.parse("training"), by_programme=True)
    assert [lane.title for lane in filtered.lanes] == [CSIT]
    assert filtered.lanes[0].rollup.worst is Rag.AMBER


# -- review round ---------------------------------------------------------------------------


def test_review_round_walks_open_cards_lane_by_lane_in_date_order(plan, programmes):
    board = build_board(plan, show_done=True)
    assert titles(review_round(board)) == [
        "Heritage seminar",
        "Culture academy",
        "Sport ALS",
        "Sport academy",
        "Libraries seminar",
    ]  # not the completed Derby review, even with Done shown
    narrowed = build_board(plan, query=Query.parse("lead:LC"))
    assert titles(review_round(narrowed)) == ["Heritage seminar", "Libraries seminar"]
    grouped = build_board(programmes, by_programme=True)
    assert titles(review_round(grouped)) == [
        "Knowledge Hub launch",
        "Leadership Academy",
        CSIT,
        "Benchmark training",
        "Network survey",
        "Unfiled seminar",
    ]
