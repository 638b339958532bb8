"""The add/edit form's checks, without the UI."""

from __future__ import annotations

from datetime import date

from ctstui.domain.dates import PlanYear
from ctstui.domain.draft import form_values, read_draft
from ctstui.domain.model import Activity, Kind, Status

PY = PlanYear(2013)


def values(**overrides) -> dict[str, str]:
    base = form_values(Activity(title=""))
    base.update(overrides)
    return base


def test_a_good_form_builds_an_activity_with_the_resolved_window():
    draft = read_draft(
        values(
            title="Libraries seminar",
            when="W/b 18 November",
            days="1",
            leads="JW/LC",
            audience="Library PHs (25)",
            kind="seminar",
            status="tbc",
        ),
        None,
        PY,
    )
    assert draft.errors == {}
    assert draft.window == "18–24 Nov 2013"
    activity = draft.activity
    assert activity.when.start == date(2013, 11, 18)
    assert activity.leads == ["JW", "LC"]
    assert (activity.audience, activity.places) == ("Library PHs", 25)
    assert activity.kind is Kind.SEMINAR and activity.status is Status.TBC


def test_each_bad_field_is_explained_and_nothing_is_built():
    draft = read_draft(values(title=" ", when="sometime soon", days="two", places="x"), None, PY)
    assert draft.activity is None
    assert set(draft.errors) == {"title", "when", "days", "places"}
    assert "sometime soon" in draft.errors["when"]


def test_editing_keeps_identity_and_history():
    original = Activity(title="Old", leads=["SN"])
    draft = read_draft(form_values(original) | {"title": "New"}, original, PY)
    assert draft.activity.id == original.id
    assert draft.activity.title == "New"
    assert draft.activity.leads == ["SN"]


def test_round_trip_of_form_values():
    original = Activity(title="T", days=2.0, places=15, audience="Sport PHs", leads=["JW", "LC"])
    assert read_draft(form_values(original), original, PY).activity == original
