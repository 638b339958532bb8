"""Property tests: activity records through the store, query and date text, importer
input, arbitrary plan files.

Complements the fuzzing already in test_dates.py (arbitrary date text),
test_importer.py (arbitrary tables) and test_ical.py (folding).  Examples are
kept modest (max 200) so the whole file runs in a few seconds.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from ctstui.domain.dates import DateParseError, DateSpec, PlanYear, Precision
from ctstui.domain.draft import read_draft
from ctstui.domain.model import (
    Activity,
    HistoryEntry,
    Kind,
    Rag,
    RagReview,
    Status,
    Theme,
)
from ctstui.domain.query import Query, QueryError
from ctstui.domain.text import printable
from ctstui.importing.importer import (
    PlanImportError,
    apply_merge,
    format_report,
    import_report,
    plan_merge,
    read_plan,
)
from ctstui.store.activity_store import ActivityStore, StoreError, UnstorableValueError

NOW = datetime(2013, 11, 5, 9, 0, tzinfo=UTC)
Y13 = PlanYear(2013)
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE = st.sampled_from(
    [
        "[bold]x[/bold]",
        "[link=http://evil]click[/link]",
        "[/]",
        "\x1b[31mred\x1b[0m",
        "\x00\x07\x08\x7f\x9b",
        "\r\nX-INJECT:1",
        "\u202eevil\u202c",
        "עברית العربية",
        "e\u0301\u0301",
        "🎭👩‍👩‍👧🇬🇧",
        "T" * 10_000,
        '"quoted", back\\slash',
    ]
)
# Any text JSON can hold; lone surrogates are left to their own test.
TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    HOSTILE,
    st.lists(HOSTILE, min_size=1, max_size=3).map(" ".join),
)
DAYS = st.dates(date(1900, 1, 1), date(2200, 12, 31))


@st.composite
def date_specs(draw) -> DateSpec:
    precision = draw(st.sampled_from(list(Precision)))
    text = draw(TEXT)
    if precision in (Precision.NONE, Precision.ONGOING):
        return DateSpec(text, None, None, precision)
    first, second = sorted([draw(DAYS), draw(DAYS)])
    if precision is Precision.BY:
        return DateSpec(text, None, second, precision)
    if precision is Precision.FROM:
        return DateSpec(text, first, None, precision)
    if precision is Precision.DAY:
        return DateSpec(text, first, first, precision)
    if precision is Precision.OPTIONS:
        options = tuple(sorted(set(draw(st.lists(DAYS, min_size=2, max_size=4)))))
        assume(len(options) >= 2)
        return DateSpec(text, options[0], options[-1], precision, options)
    return DateSpec(text, first, second, precision)


JSON_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
JSON = st.recursive(
    JSON_SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
RAGS = st.sampled_from(list(Rag))


@st.composite
def activities(draw) -> Activity:
    reviews = draw(
        st.lists(
            st.builds(
                RagReview,
                on=DAYS,
                rating=RAGS,
                reason=TEXT,
                by=TEXT,
                next_action=TEXT,
                previous=st.one_of(st.none(), RAGS.filter(lambda r: r is not Rag.UNRATED)),
            ),
            max_size=2,
        )
    )
    history = draw(
        st.lists(
            st.builds(
                HistoryEntry,
                at=TEXT,
                who=TEXT,
                action=TEXT,
                changes=st.dictionaries(
                    st.text(max_size=10), st.lists(JSON, max_size=2), max_size=2
                ),
            ),
            max_size=2,
        )
    )
    return Activity(
        title=draw(TEXT),
        when=draw(date_specs()),
        kind=draw(st.sampled_from(list(Kind))),
        theme=draw(st.sampled_from(list(Theme))),
        place=draw(TEXT),
        days=draw(
            st.one_of(
                st.none(),
                st.floats(0, 366, allow_nan=False),
                st.integers(0, 366),
            )
        ),
        status=draw(st.sampled_from(list(Status))),
        optional=draw(st.booleans()),
        rag=draw(RAGS),
        reviews=reviews,
        audience=draw(TEXT),
        places=draw(st.one_of(st.none(), st.integers(0, 2**63 - 1))),
        leads=draw(st.lists(TEXT, max_size=3)),
        link=draw(TEXT),
        programme=draw(TEXT),
        funder=draw(TEXT),
        notes=draw(TEXT),
        created=draw(TEXT),
        updated=draw(TEXT),
        revision=draw(st.integers(0, 2**31)),
        history=history,
    )


def scratch() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="ctstui-fuzz-")


# -- activity records ---------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(activities())
def test_any_activity_round_trips_through_the_store(activity):
    assert Activity.from_dict(activity.to_dict()) == activity
    with scratch() as folder:
        path = Path(folder) / "plan.json"
        store = ActivityStore(path, who="fuzz", clock=lambda: NOW)
        added = store.add(activity)
        again = ActivityStore(path).get(activity.id)
        assert again == added
        assert again.to_dict() == added.to_dict()
        assert json.loads(path.read_text("utf-8"))  # valid UTF-8 JSON


@FAST
@given(
    activities(), st.dictionaries(st.text(min_size=1, max_size=10), JSON, min_size=1, max_size=3)
)
def test_unknown_fields_of_any_shape_survive_an_edit(activity, extra):
    assume(not extra.keys() & set(activity.to_dict()))
    with scratch() as folder:
        path = Path(folder) / "plan.json"
        store = ActivityStore(path, who="fuzz", clock=lambda: NOW)
        store.add(activity)
        data = json.loads(path.read_text("utf-8"))
        data["activities"]["1"].update(extra)
        path.write_text(json.dumps(data), encoding="utf-8")
        store = ActivityStore(path, who="fuzz", clock=lambda: NOW)
        store.update(store.get(activity.id).copy(title=activity.title + " (edited)"))
        saved = json.loads(path.read_text("utf-8"))["activities"]["1"]
        assert {k: saved[k] for k in extra} == json.loads(json.dumps(extra))


@FAST
@given(activities(), st.sampled_from(["title", "notes", "place", "funder"]), st.integers(0, 3))
def test_lone_surrogates_are_saved_as_replacement_characters(activity, name, where):
    text = "ab"[:where] + "\ud800" + "x\udfff"[:where]
    with scratch() as folder:
        path = Path(folder) / "plan.json"
        store = ActivityStore(path, who="fuzz", clock=lambda: NOW)
        store.add(activity.copy(**{name: text}))
        again = ActivityStore(path).get(activity.id)
        assert getattr(again, name) == text.replace("\ud800", "\ufffd").replace("\udfff", "\ufffd")


def test_numbers_the_file_could_not_hold_are_refused_not_written(tmp_path):
    path = tmp_path / "plan.json"
    store = ActivityStore(path, who="fuzz", clock=lambda: NOW)
    store.add(Activity("Fine"))
    before = path.read_bytes()
    with pytest.raises(UnstorableValueError, match=r"“Huge”: the number in 'places' is too large"):
        store.add(Activity("Huge", places=10**30))  # JSON readers would turn it into a float
    assert path.read_bytes() == before
    assert not store.dirty and len(store) == 1  # refused before anything changed
    assert [a.title for a in ActivityStore(path).activities()] == ["Fine"]


class StoreMachine(RuleBasedStateMachine):
    """Random adds, edits, deletes, undos, redos, saves and reloads on a planner's
    store: after a save, a fresh store reads exactly what the planner holds."""

    @initialize()
    def open(self):
        self.folder = tempfile.TemporaryDirectory(prefix="ctstui-machine-")
        self.path = Path(self.folder.name) / "plan.json"
        self.store = ActivityStore(self.path, autosave=False, who="m", clock=lambda: NOW)

    def teardown(self):
        self.folder.cleanup()

    @rule(activity=activities())
    def add(self, activity):
        if activity.id not in self.store:
            self.store.add(activity)

    @precondition(lambda self: len(self.store) > 0)
    @rule(data=st.data(), title=TEXT, notes=TEXT)
    def edit(self, data, title, notes):
        target = data.draw(st.sampled_from(self.store.activities()))
        self.store.update(target.copy(title=title, notes=notes))

    @precondition(lambda self: len(self.store) > 0)
    @rule(data=st.data())
    def delete(self, data):
        self.store.delete(data.draw(st.sampled_from(self.store.activities())).id)

    @rule()
    def undo(self):
        self.store.undo()

    @rule()
    def redo(self):
        self.store.redo()

    @rule(key=st.sampled_from(["plan_year", "x"]), value=JSON)
    def set_meta(self, key, value):
        self.store.set_meta(key, value)

    @rule()
    def save(self):
        self.store.save()
        again = ActivityStore(self.path)
        assert again.activities() == self.store.activities()
        assert again.meta("plan_year") == self.store.meta("plan_year")

    @rule()
    def reload_and_reapply(self):
        before = [a.to_dict() for a in self.store.activities()]
        self.store.reload_and_reapply()  # nobody else wrote: nothing can conflict
        assert [a.to_dict() for a in self.store.activities()] == before

    @invariant()
    def in_date_order(self):
        if hasattr(self, "store"):
            keys = [a.sort_key for a in self.store.activities()]
            assert keys == sorted(keys)


StoreMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=15, deadline=None, suppress_health_check=list(HealthCheck)
)
test_store_state_machine = StoreMachine.TestCase


# -- arbitrary plan files: refused with a StoreError, never anything else -----------------


def _plan_like() -> st.SearchStrategy:
    record = st.dictionaries(
        st.sampled_from(["id", "title", "when", "days", "leads", "status", "reviews", "history"]),
        JSON,
        max_size=6,
    )
    return st.fixed_dictionaries(
        {"_meta": st.just({"1": {"app": "ctstui", "schema": 1}})},
        optional={
            "activities": st.dictionaries(st.sampled_from(["1", "2", "x"]), record, max_size=2),
            "contracts": st.dictionaries(st.sampled_from(["1"]), record, max_size=1),
        },
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(JSON, _plan_like()), st.integers(0, 40))
def test_any_json_file_loads_or_is_refused_with_a_store_error(content, cut):
    raw = json.dumps(content).encode()
    with scratch() as folder:
        path = Path(folder) / "plan.json"
        for data in (raw, raw[: max(len(raw) - cut, 0)]):
            path.write_bytes(data)
            try:
                store = ActivityStore(path)
            except StoreError as exc:
                assert str(path) in str(exc)
            else:
                store.activities()
            assert path.read_bytes() == data  # never written by reading
            assert sorted(p.name for p in Path(folder).iterdir()) == ["plan.json"]


# -- query and date text ---------------------------------------------------------------------

QUERY_WORDS = st.sampled_from(
    [
        "status:", "tbc", "planned", "lead:", "SN", "kind:", '"peer review"', "month:", "nov",
        "2013-11", "before:", "after:", "2013-09-01", "-", ",", '"', ":", "theme:", "optional:",
        "yes", "title:", "derby", "rag:", "red", "funder:", "x", " ", "month:13", "before:2013-02-30",
    ]
)  # fmt: skip
SAMPLE = [
    Activity("Derby review", DateSpec("14 May", date(2013, 5, 14), date(2013, 5, 14), Precision.DAY),
             leads=["SN"], status=Status.TBC, kind=Kind.PEER_REVIEW, place="Derby"),
    Activity("Undated", leads=["LC"], optional=True),
    Activity("Ongoing", DateSpec("ongoing", None, None, Precision.ONGOING), rag=Rag.RED),
]  # fmt: skip


QUERY_TEXT = st.one_of(st.text(max_size=60), st.lists(QUERY_WORDS, max_size=8).map("".join))


@settings(max_examples=200, deadline=None)
@given(QUERY_TEXT)
def test_any_query_text_parses_or_raises_query_error(text):
    try:
        query = Query.parse(text)
    except QueryError as exc:
        assert 0 <= exc.position <= len(text) + 1
        assert str(exc)
        return
    result = query.filter(SAMPLE)
    assert all(a in SAMPLE for a in result)
    assert result == [a for a in SAMPLE if query.matches(a)]


@settings(max_examples=200, deadline=None)
@given(QUERY_TEXT)
@example('"status:tbc"')
@example('"-derby"')
@example('"a\tb"')
def test_a_parsed_query_reads_back_as_the_same_query(text):
    try:
        query = Query.parse(text)
    except QueryError:
        return
    again = Query.parse(" ".join(str(t) for t in query.terms))
    assert [str(t) for t in again.terms] == [str(t) for t in query.terms]
    assert again.filter(SAMPLE) == query.filter(SAMPLE)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.sampled_from([None, Y13]))
def test_parsed_date_text_round_trips_through_the_store(text, plan_year):
    try:
        when = DateSpec.parse(text, plan_year)
    except DateParseError:
        return
    activity = Activity("Dated", when)
    with scratch() as folder:
        path = Path(folder) / "plan.json"
        ActivityStore(path, clock=lambda: NOW).add(activity)
        assert ActivityStore(path).get(activity.id).when == when


# -- importer input ----------------------------------------------------------------------------------

HEAD = "Activity\tDate\tTarget audience\tLink to business plan\tLead officer"
CELL = st.one_of(
    TEXT.map(lambda t: t.replace("\t", " ").replace("\n", " ").replace("\r", " ")[:300]),
    st.sampled_from(["21 May", "June/ July TBC", "Sport PHs (15)", "JW/LC", "12/13 November"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL, min_size=1, max_size=5).map("\t".join), min_size=1, max_size=6))
def test_imported_hostile_tables_round_trip_through_the_store(lines):
    text = "\n".join(["Plan 2013/14", HEAD, *lines])
    try:
        parsed = read_plan(text, "fuzz", Y13)
    except PlanImportError:
        return
    merge = plan_merge([], parsed.activities)
    report = format_report([import_report(parsed, merge)])
    assert printable(report.replace("\n", "")) == report.replace("\n", "")
    with scratch() as folder:
        path = Path(folder) / "plan.json"
        store = ActivityStore(path, clock=lambda: NOW, who="fuzz")
        apply_merge(store, merge, "import fuzz", parsed=parsed)
        again = ActivityStore(path)
        assert again.activities() == store.activities()
        assert len(again) == len(parsed.activities)
        # Importing the same table again changes nothing.
        assert not plan_merge(again.activities(), read_plan(text, "fuzz", Y13).activities).changed


# -- the activity form ---------------------------------------------------------------------------------

FORM_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["nan", "inf", "-0", "1e3", "²", "٣", "9" * 5000, "1_0", " 2 ", "0x10"]),
)


@settings(max_examples=200, deadline=None)
@given(days=FORM_TEXT, places=FORM_TEXT, title=TEXT)
@example(days="nan", places="", title="x")
@example(days="", places="²", title="x")
@example(days="", places="9" * 5000, title="x")
def test_the_form_never_raises_and_never_accepts_a_number_the_file_cannot_hold(days, places, title):
    draft = read_draft({"title": title, "days": days, "places": places}, None, Y13)
    if draft.activity is not None:
        a = draft.activity
        assert a.days is None or 0 <= a.days <= 366
        assert a.places is None or 0 <= a.places < 2**63
