"""Domain objects: records round-trip, damaged records are refused, the schedule-risk rule."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest

from ctstui.domain.dates import DateSpec, Precision
from ctstui.domain.model import (
    Activity,
    FunderContract,
    HistoryEntry,
    Kind,
    Rag,
    RagReview,
    RecordError,
    Status,
    Target,
    Theme,
    parse_audience,
    parse_leads,
    schedule_risk,
)

TODAY = date(2013, 11, 5)


def full_activity() -> Activity:
    return Activity(
        title="Sport peer review – Łódź",
        when=DateSpec(
            "10 or 11 July",
            date(2013, 7, 10),
            date(2013, 7, 11),
            Precision.OPTIONS,
            (date(2013, 7, 10), date(2013, 7, 11)),
        ),
        kind=Kind.PEER_REVIEW,
        theme=Theme.SPORT,
        place="Derby",
        days=1.5,
        status=Status.CONFIRMED,
        optional=True,
        rag=Rag.AMBER,
        reviews=[
            RagReview(date(2013, 6, 1), Rag.GREEN, "on track", "SN"),
            RagReview(date(2013, 7, 1), Rag.AMBER, "venue late", "LC", "chase venue", Rag.GREEN),
        ],
        audience="Sport PHs",
        places=15,
        leads=["SN", "LC"],
        link="https://example.org/plan",
        programme="Sport improvement",
        funder="Sport England",
        notes="line one\nline two",
        created="2013-04-01T09:00:00Z",
        updated="2013-07-01T10:00:00Z",
        revision=3,
        history=[
            HistoryEntry("2013-04-01T09:00:00Z", "SN", "add", {}),
            HistoryEntry("2013-07-01T10:00:00Z", "LC", "edit", {"days": [1, 1.5]}),
        ],
    )


def test_activity_round_trips_through_json():
    activity = full_activity()
    text = json.dumps(activity.to_dict(), ensure_ascii=False)
    back = Activity.from_dict(json.loads(text))
    assert back == activity
    assert back.reviews[1].previous is Rag.GREEN
    assert back.reviews[1].next_action == "chase venue"
    assert back.history[1].changes == {"days": [1, 1.5]}
    assert back.when.options == (date(2013, 7, 10), date(2013, 7, 11))
    assert back.last_review == activity.reviews[1]


def test_minimal_activity_round_trips_and_gets_a_uuid():
    a, b = Activity("One"), Activity("Two")
    assert uuid.UUID(a.id).version == 4
    assert a.id != b.id
    back = Activity.from_dict(a.to_dict())
    assert back == a
    assert back.when.precision is Precision.NONE
    assert back.status is Status.PLANNED


def test_copy_does_not_share_lists():
    original = full_activity()
    clone = original.copy(title="Changed")
    clone.leads.append("JW")
    clone.reviews.clear()
    assert original.leads == ["SN", "LC"]
    assert len(original.reviews) == 2
    assert original.title == "Sport peer review – Łódź"


def test_diff_names_changed_fields_with_old_and_new():
    old = full_activity()
    new = old.copy(status=Status.COMPLETED, leads=["SN"], when=DateSpec("12 July"))
    assert old.diff(new) == {
        "status": ["confirmed", "completed"],
        "leads": [["SN", "LC"], ["SN"]],
        "when": ["10 or 11 July", "12 July"],
    }
    assert old.diff(old.copy()) == {}


def test_contract_round_trip():
    contract = FunderContract(
        "Sport England",
        date(2013, 4, 1),
        date(2014, 3, 31),
        [Target("Peer reviews", 'kind:"peer review" theme:sport', 4)],
        "year one",
    )
    assert FunderContract.from_dict(json.loads(json.dumps(contract.to_dict()))) == contract


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"days": "two"}, ["'days'", "'two'"]),
        ({"days": True}, ["'days'"]),
        ({"places": 2.5}, ["'places'"]),
        ({"status": "done"}, ["'status'", "done", "tbc"]),
        ({"kind": "party"}, ["'kind'", "party"]),
        ({"rag": "blue"}, ["'rag'", "blue"]),
        ({"leads": "JW/LC"}, ["'leads'"]),
        ({"title": 7}, ["'title'", "str"]),
        ({"optional": "yes"}, ["'optional'"]),
        ({"revision": "3"}, ["'revision'"]),
        ({"notes": ["a"]}, ["'notes'"]),
        ({"when": "May"}, ["'when'"]),
        ({"when": {"text": "May", "precision": "fortnight"}}, ["'when'"]),
        ({"reviews": {}}, ["'reviews'"]),
        ({"reviews": [{"on": "yesterday", "rating": "red"}]}, ["'on'", "yesterday"]),
        ({"reviews": [{"on": "2013-05-01", "rating": "pink"}]}, ["'rating'", "pink"]),
    ],
)
def test_from_dict_refuses_wrong_types_naming_the_field(change, words):
    data = {**full_activity().to_dict(), **change}
    with pytest.raises(RecordError) as caught:
        Activity.from_dict(data)
    message = str(caught.value)
    assert data["id"] in message  # says which activity
    for word in words:
        assert word in message


def test_from_dict_refuses_missing_id_or_title():
    data = full_activity().to_dict()
    for name in ("id", "title", "when"):
        broken = {k: v for k, v in data.items() if k != name}
        with pytest.raises(RecordError, match=f"'{name}' is missing"):
            Activity.from_dict(broken)
    with pytest.raises(RecordError, match="expected an object"):
        Activity.from_dict(["not", "a", "dict"])  # type: ignore[arg-type]


def test_summary_is_flat_json():
    summary = full_activity().summary()
    assert summary["when"] == "10 or 11 July"
    assert summary["start"] == "2013-07-10"
    assert summary["end"] == "2013-07-11"
    assert summary["precision"] == "options"
    assert summary["leads"] == ["SN", "LC"]
    json.dumps(summary)  # nothing that JSON cannot hold


def test_sort_key_puts_undated_last_then_title():
    dated = Activity("Zeta", DateSpec("May", date(2013, 5, 1), date(2013, 5, 31), Precision.MONTH))
    later = Activity(
        "Alpha", DateSpec("June", date(2013, 6, 1), date(2013, 6, 30), Precision.MONTH)
    )
    undated = Activity("Aardvark")
    by_deadline = Activity("By", DateSpec("by May", None, date(2013, 5, 31), Precision.BY))
    ordered = sorted([undated, later, dated, by_deadline], key=lambda a: a.sort_key)
    assert [a.title for a in ordered] == ["Zeta", "By", "Alpha", "Aardvark"]


def test_rag_severity_orders_worst_last():
    assert sorted(Rag, key=lambda r: r.severity) == [Rag.UNRATED, Rag.GREEN, Rag.AMBER, Rag.RED]


# -- parsing helpers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "leads"),
    [
        ("JW/LC", ["JW", "LC"]),
        ("JW / LC", ["JW", "LC"]),
        ("JW, LC", ["JW", "LC"]),
        ("JW & LC", ["JW", "LC"]),
        ("JW and LC", ["JW", "LC"]),
        ("SN/LC/JW", ["SN", "LC", "JW"]),
        (" SN ", ["SN"]),
        ("", []),
    ],
)
def test_parse_leads(text, leads):
    assert parse_leads(text) == leads


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sport PHs (15)", ("Sport PHs", 15)),
        ("  Library PHs (25) ", ("Library PHs", 25)),
        ("Individual council", ("Individual council", None)),
        ("", ("", None)),
    ],
)
def test_parse_audience(text, expected):
    assert parse_audience(text) == expected


# -- schedule risk ----------------------------------------------------------------


def dated(status: Status, start: date, end: date | None = None, **fields) -> Activity:
    end = end or start
    return Activity("Risky", DateSpec("x", start, end, Precision.DAYS), status=status, **fields)


def test_tbc_seven_weeks_out_is_amber_and_says_why():
    risk = schedule_risk(dated(Status.TBC, TODAY + timedelta(weeks=7)), TODAY)
    assert risk is not None
    assert risk.suggested is Rag.AMBER
    assert "tbc" in risk.reason
    assert "49 days" in risk.reason
    assert "24 Dec 2013" in risk.reason


def test_planned_seven_weeks_out_is_amber_too():
    risk = schedule_risk(dated(Status.PLANNED, TODAY + timedelta(weeks=7)), TODAY)
    assert risk is not None and risk.suggested is Rag.AMBER
    assert "planned" in risk.reason


@pytest.mark.parametrize("weeks", [8, 9, 20])
def test_planned_eight_or_more_weeks_out_is_not_flagged(weeks):
    assert schedule_risk(dated(Status.PLANNED, TODAY + timedelta(weeks=weeks)), TODAY) is None


def test_just_under_eight_weeks_is_flagged():
    risk = schedule_risk(dated(Status.TBC, TODAY + timedelta(days=55)), TODAY)
    assert risk is not None and risk.suggested is Rag.AMBER


def test_confirmed_soon_is_not_flagged():
    assert schedule_risk(dated(Status.CONFIRMED, TODAY + timedelta(days=3)), TODAY) is None


@pytest.mark.parametrize("status", [Status.TBC, Status.PLANNED, Status.CONFIRMED])
def test_past_window_not_completed_is_red(status):
    activity = dated(status, date(2013, 10, 1), date(2013, 10, 2))
    risk = schedule_risk(activity, TODAY)
    assert risk is not None
    assert risk.suggested is Rag.RED
    assert "02 Oct 2013" in risk.reason
    assert status.value in risk.reason
    assert "not completed" in risk.reason


def test_window_started_but_still_tbc_is_red():
    activity = dated(Status.TBC, TODAY - timedelta(days=2), TODAY + timedelta(days=5))
    risk = schedule_risk(activity, TODAY)
    assert risk is not None and risk.suggested is Rag.RED
    assert "started" in risk.reason


@pytest.mark.parametrize(
    "activity",
    [
        dated(Status.COMPLETED, date(2013, 10, 1)),
        dated(Status.CANCELLED, date(2013, 10, 1)),
        dated(Status.CANCELLED, TODAY + timedelta(days=3)),
        dated(Status.TBC, date(2013, 10, 1), optional=True),
        dated(Status.TBC, TODAY + timedelta(days=3), optional=True),
        Activity("Undated", status=Status.TBC),
        Activity("Ongoing", DateSpec("Ongoing", None, None, Precision.ONGOING), status=Status.TBC),
    ],
    ids=[
        "completed",
        "cancelled-past",
        "cancelled-soon",
        "optional-past",
        "optional-soon",
        "undated",
        "ongoing",
    ],
)
def test_not_flagged(activity):
    assert schedule_risk(activity, TODAY) is None


def test_deadline_passed_is_red():
    activity = Activity("By", DateSpec("by Sept", None, date(2013, 9, 30), Precision.BY))
    risk = schedule_risk(activity, TODAY)
    assert risk is not None and risk.suggested is Rag.RED


def test_plan_year_hierarchy_date_problem_and_import_base_round_trip():
    activity = Activity(
        "Offer support for shared service",
        plan_year="2011/12",
        priority="Culture First Priority 1: Provide support",
        programme="Programme 1.1: Support organisations",
        detail="Undertake Shared Service Architects training",
        outcomes="Team equipped with the skills",
        targets="HACO audit – April 11\nEACLO speed-dating June 11",
        progress="3 Improvement Managers trained",
        date_problem="date not understood: 'soon'",
        source="002.txt",
        imported={"title": "Offer support for shared service", "leads": ["Culture First team"]},
        reviews=[RagReview(date(2011, 10, 31), Rag.GREEN, "Demo review", demo=True)],
    )
    data = activity.to_dict()
    assert data["targets"] == "HACO audit – April 11\nEACLO speed-dating June 11"
    assert data["reviews"][0]["demo"] is True
    again = Activity.from_dict(data)
    assert again == activity
    assert activity.diff(again.copy(date_problem="")) == {
        "date_problem": ["date not understood: 'soon'", ""]
    }
    # a plan written before these fields existed reads as it did
    plain = Activity("Old").to_dict()
    assert not {"plan_year", "date_problem", "imported", "priority"} & set(plain)
    assert Activity.from_dict(plain).plan_year == ""


def test_imported_must_be_an_object():
    data = Activity("x").to_dict()
    data["imported"] = ["not", "an", "object"]
    with pytest.raises(RecordError, match="'imported' should be an object"):
        Activity.from_dict(data)
