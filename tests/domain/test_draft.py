"""The add/edit form's checks, without the UI."""

from __future__ import annotations

from datetime import date

from ctstui.domain.dates import DateSpec, PlanYear
from ctstui.domain.draft import completion_question, firm_date, form_values, read_draft
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


def test_a_status_written_in_the_date_is_read_as_the_importer_reads_it():
    for text, window, status in (
        ("June TBC", "Jun 2013", Status.TBC),
        ("Feb / March TBC", "Feb", Status.TBC),
        ("12 July - confirmed", "12 Jul 2013", Status.CONFIRMED),
        ("14/15 May (completed)", "14–15 May 2013", Status.COMPLETED),
    ):
        draft = read_draft(values(title="Talk", when=text, status="planned"), None, PY)
        assert draft.errors == {}, text
        assert window in draft.window and f"status {status.value}" in draft.window
        assert draft.activity.status is status
        assert draft.status_from_date is status
        assert "TBC" not in draft.activity.when.text and "confirmed" not in draft.activity.when.text
    june = read_draft(values(title="Talk", when="June TBC"), None, PY).activity
    assert june.when.start == date(2013, 6, 1) and june.when.text == "June"


def test_date_messages_are_in_the_users_words():
    for text in ("TBC sometime", "31 November TBC", "June TBC maybe later"):
        draft = read_draft(values(title="Talk", when=text), None, PY)
        message = draft.errors.get("when", "")
        assert "split_date_cell" not in message and "_" not in message
    assert read_draft(values(title="T", when="TBC"), None, PY).activity.status is Status.TBC


def test_firming_up_keeps_a_written_year():
    fuzzy = DateSpec.parse("10 or 11 July 2014", PY)
    firm = firm_date("10 July", fuzzy, PlanYear(2014))
    assert firm.text == "10 July 2014" and firm.start == date(2014, 7, 10)
    assert firm_date("14/15 July", fuzzy, PlanYear(2014)).text == "14/15 July 2014"
    # No year written before: the text stays as typed.
    plain = firm_date("10 July", DateSpec.parse("10 or 11 July", PY), PY)
    assert plain.text == "10 July" and plain.start == date(2013, 7, 10)


def test_completing_a_future_activity_is_questioned():
    future = Activity(title="Talk", when=DateSpec.parse("21 November", PY))
    question = completion_question(future, date(2013, 11, 5))
    assert question and "after today (05 Nov 2013)" in question and "“Talk”" in question
    assert completion_question(future, date(2013, 11, 21)) is None
    assert completion_question(Activity(title="Undated"), date(2013, 11, 5)) is None
