"""``ctstui add``, ``set``, ``rate`` and ``done``: the planner's changes from a shell.

Each bad input exits 2 with a message naming the field and what was expected,
and leaves the plan file's bytes as they were.
"""

from __future__ import annotations

from datetime import date

import pytest

from ctstui.cli.main import main
from ctstui.domain.dates import DateSpec, Precision
from ctstui.domain.model import Activity, Rag, Status
from ctstui.store.activity_store import ActivityStore

TODAY = "2013-10-01"  # plan year 2013/14


@pytest.fixture
def plan(store):
    academy = store.add(
        Activity(
            title="Sport Academy",
            when=DateSpec("12/13 Nov", date(2013, 11, 12), date(2013, 11, 13), Precision.DAYS),
            status=Status.CONFIRMED,
            audience="Sport PHs",
            places=15,
            leads=["JW"],
        )
    )
    derby = store.add(
        Activity(
            title="Sport peer review Derby",
            when=DateSpec("14/15 May", date(2013, 5, 14), date(2013, 5, 15), Precision.DAYS),
            status=Status.COMPLETED,
        )
    )
    return store.path, academy, derby


def ctstui(capsys, path, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(path), "--today", TODAY, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def reread(path) -> dict[str, Activity]:
    return {a.title: a for a in ActivityStore(path).activities()}


def short(activity: Activity) -> str:
    return activity.id[:6]


# -- add ---------------------------------------------------------------------------


def test_add_reads_the_date_as_a_plan_cell_and_shows_the_year(capsys, plan):
    path, _, _ = plan
    code, out, err = ctstui(
        capsys,
        path,
        "add",
        "Culture Academy",
        "date=Feb tbc",
        "lead=SN/LC",
        "audience=Culture PHs (10)",
        "kind=Academy",
        "theme=culture",
    )
    assert (code, err) == (0, "")
    added = reread(path)["Culture Academy"]
    assert added.when.start == date(2014, 2, 1)  # February of plan year 2013/14
    assert added.when.text == "Feb"
    assert added.status is Status.TBC  # the status word in the date cell
    assert (added.audience, added.places, added.leads) == ("Culture PHs", 10, ["SN", "LC"])
    assert (added.kind.value, added.theme.value) == ("academy", "culture")
    assert [h.action for h in added.history] == ["add"]
    assert f"added {added.id[:6]}" in out
    assert "Feb 2014 (plan year 2013/14)" in out


def test_add_uses_the_plan_year_the_plan_states(capsys, plan):
    path, _, _ = plan
    store = ActivityStore(path)
    store.set_meta("plan_year", "2014/15")
    store.save()
    assert ctstui(capsys, path, "add", "Seminar", "date=March")[0] == 0
    assert reread(path)["Seminar"].when.start == date(2015, 3, 1)


def test_add_with_title_as_a_field_and_model_defaults(capsys, plan):
    path, _, _ = plan
    assert ctstui(capsys, path, "add", "title=Alumni day", "date=12 Dec 2013")[0] == 0
    added = reread(path)["Alumni day"]
    # Not the form's first choices (tbc, peer review, sport): nothing was said about them.
    assert (added.status, added.kind.value, added.theme.value) == (
        Status.PLANNED,
        "other",
        "cross-cutting",
    )


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["add", "Seminar", "date=32 Nov"], ["date:", "32 November does not exist"]),
        (["add", "Seminar", "days=lots"], ["days:", "a number from 0 to 366", "'lots'"]),
        (["add", "Seminar", "places=-3"], ["places:", "whole number"]),
        (["add", "Seminar", "status=done"], ["status:", "tbc, planned, confirmed"]),
        (["add", "Seminar", "kind=party"], ["kind:", "peer review"]),
        (["add", "Seminar", "optional=maybe"], ["optional:", "yes or no"]),
        (["add", "Seminar", "colour=red"], ["no field 'colour'", "the fields are: title"]),
        (["add", "Seminar", "date"], ["expected FIELD=VALUE"]),
        (["add", "date=12 Nov"], ["title:", "a title is needed"]),
        (["add", "Seminar", "date=12 Nov tbc", "status=confirmed"], ["status:", "'tbc'"]),
        (["add", "Seminar", "rag=red"], ["ctstui rate"]),
        (["add", "Seminar", "date=1 May", "date=2 May"], ["date: given twice"]),
        (["add", "Seminar", "--plan-year", "2013"], ["--plan-year", "2013/14"]),
    ],
)
def test_bad_add_exits_2_naming_the_field_and_leaves_the_file(capsys, plan, argv, words):
    path, _, _ = plan
    before = path.read_bytes()
    code, out, err = ctstui(capsys, path, *argv)
    assert code == 2
    assert out == ""
    for word in words:
        assert word in err
    assert path.read_bytes() == before


# -- set ---------------------------------------------------------------------------


def test_set_changes_only_the_given_fields_in_one_history_entry(capsys, plan):
    path, academy, _ = plan
    code, out, err = ctstui(
        capsys, path, "set", academy.id[:4], "date=W/b 18 November", "notes=Room booked"
    )
    assert (code, err) == (0, "")
    after = reread(path)["Sport Academy"]
    assert after.id == academy.id
    assert (after.when.start, after.when.text) == (date(2013, 11, 18), "W/b 18 November")
    assert after.notes == "Room booked"
    assert (after.audience, after.places, after.leads, after.status) == (
        "Sport PHs",
        15,
        ["JW"],
        Status.CONFIRMED,
    )
    assert after.history[-1].action == "edit"
    assert set(after.history[-1].changes) == {"when", "notes"}
    assert after.revision == academy.revision + 1
    assert "date: 12/13 Nov -> W/b 18 November" in out
    assert "2013" in out  # the date as read, with its year


def test_set_without_a_date_never_rereads_the_stored_one(capsys, plan):
    """A stored date written without a year stays in its year whatever the plan year."""
    path, academy, _ = plan
    assert ctstui(capsys, path, "set", short(academy), "notes=x", "--plan-year", "2020/21")[0] == 0
    assert reread(path)["Sport Academy"].when == academy.when


def test_set_audience_with_places_in_brackets(capsys, plan):
    path, academy, _ = plan
    assert ctstui(capsys, path, "set", short(academy), "audience=Culture PHs (20)")[0] == 0
    after = reread(path)["Sport Academy"]
    assert (after.audience, after.places) == ("Culture PHs", 20)


def test_set_with_the_same_values_writes_nothing(capsys, plan):
    path, academy, _ = plan
    before = path.read_bytes()
    code, out, _ = ctstui(capsys, path, "set", short(academy), "lead=JW")
    assert code == 0
    assert "nothing changed" in out
    assert path.read_bytes() == before


def test_status_does_not_move_backwards_without_force(capsys, plan):
    path, academy, derby = plan
    before = path.read_bytes()
    code, _, err = ctstui(capsys, path, "set", short(derby), "status=planned")
    assert code == 2
    assert "is completed" in err and "--force" in err
    code, _, err = ctstui(capsys, path, "set", short(academy), "date=12 Nov tbc")
    assert code == 2  # the status word in a date counts too
    assert "is confirmed" in err
    assert path.read_bytes() == before
    assert ctstui(capsys, path, "set", short(derby), "status=planned", "--force")[0] == 0
    assert reread(path)["Sport peer review Derby"].status is Status.PLANNED


def test_set_bad_value_exits_2_and_leaves_the_file(capsys, plan):
    path, academy, _ = plan
    before = path.read_bytes()
    code, out, err = ctstui(capsys, path, "set", short(academy), "title=", "places=many")
    assert code == 2 and out == ""
    assert "title: a title is needed" in err
    assert "places: places should be a whole number" in err
    assert path.read_bytes() == before


def test_an_ambiguous_id_names_the_candidates(capsys, store):
    with store.transaction("fixture"):
        first = store.add(Activity(title="First", id="abc123-1"))
        second = store.add(Activity(title="Second", id="abc456-2"))
        store.add(Activity(title="Third", id="def789-3"))
    before = store.path.read_bytes()
    code, _, err = ctstui(capsys, store.path, "set", "abc", "notes=x")
    assert code == 2
    assert "2 activities have ids starting with it" in err
    assert "First" in err and "Second" in err and "Third" not in err
    assert store.path.read_bytes() == before
    code, _, err = ctstui(capsys, store.path, "set", "xyz", "notes=x")
    assert code == 2 and "no activity's id starts with it" in err
    assert ctstui(capsys, store.path, "set", "ABC4", "notes=x")[0] == 0  # case does not matter
    assert reread(store.path)["Second"].notes == "x"
    assert reread(store.path)["First"].notes == first.notes
    assert second.id == "abc456-2"


def test_list_shows_the_short_ids_the_commands_accept(capsys, plan):
    path, academy, derby = plan
    code, out, _ = ctstui(capsys, path, "list")
    assert code == 0
    shown = [line.split()[0] for line in out.splitlines()[2:-1]]
    assert sorted(shown) == sorted([short(academy), short(derby)])
    assert ctstui(capsys, path, "done", short(academy))[0] == 0


# -- done and rate -----------------------------------------------------------------


def test_done_completes_and_records_the_status_change(capsys, plan):
    path, academy, _ = plan
    code, out, err = ctstui(capsys, path, "done", short(academy))
    assert code == 0
    after = reread(path)["Sport Academy"]
    assert after.status is Status.COMPLETED
    assert after.history[-1].changes == {"status": ["confirmed", "completed"]}
    assert "completed" in out and "was confirmed" in out
    assert "after today" in err  # 12 Nov is after the 1 October "today": said, not refused


def test_done_twice_says_so_and_writes_nothing(capsys, plan):
    path, _, derby = plan
    before = path.read_bytes()
    code, out, _ = ctstui(capsys, path, "done", short(derby))
    assert code == 0 and "already completed" in out
    assert path.read_bytes() == before


def test_done_on_a_cancelled_activity_needs_force(capsys, plan):
    path, academy, _ = plan
    ActivityStore(path).set_status(academy.id, Status.CANCELLED)
    before = path.read_bytes()
    code, _, err = ctstui(capsys, path, "done", short(academy))
    assert code == 2 and "is cancelled" in err and "--force" in err
    assert path.read_bytes() == before


def test_rate_records_a_dated_review(capsys, plan):
    path, academy, _ = plan
    code, out, _ = ctstui(capsys, path, "rate", short(academy), "Amber", "--reason", "venue late")
    assert code == 0
    after = reread(path)["Sport Academy"]
    assert after.rag is Rag.AMBER
    review = after.reviews[-1]
    assert (review.on, review.rating, review.reason, review.previous) == (
        date(2013, 10, 1),
        Rag.AMBER,
        "venue late",
        Rag.UNRATED,
    )
    assert "amber (was unrated)" in out


def test_rate_with_a_bad_rating_exits_2_and_leaves_the_file(capsys, plan):
    path, academy, _ = plan
    before = path.read_bytes()
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(path), "rate", short(academy), "blue"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "RATING" in err and "'blue'" in err and "red" in err
    assert path.read_bytes() == before


def test_unknown_id_for_rate_and_done_exits_2(capsys, plan):
    path, _, _ = plan
    before = path.read_bytes()
    for argv in (["rate", "nothere", "red"], ["done", "nothere"]):
        code, _, err = ctstui(capsys, path, *argv)
        assert code == 2 and "'nothere'" in err
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "argv",
    [["set", "3f2a", "lead=JW"], ["rate", "3f2a", "red"], ["done", "3f2a"], ["undo"]],
)
def test_a_missing_plan_file_is_named_and_nothing_is_created(capsys, tmp_path, argv):
    """Not "no activity's id starts with it" or "no change to undo": the plan itself
    is not there (a mistyped --db)."""
    code, out, err = ctstui(capsys, tmp_path / "plna.json", *argv)
    assert code == 2 and out == ""
    assert "plna.json: no plan file to " in err
    assert list(tmp_path.iterdir()) == []


def test_a_file_name_with_terminal_sequences_is_escaped_in_messages(capsys, tmp_path):
    hostile = tmp_path / "plan\x1b]52;c;aGk=\x07\u202e.json"
    code, _, err = ctstui(capsys, hostile, "done", "3f2a")
    assert code == 2 and "no plan file to change" in err
    assert "\x1b" not in err and "\u202e" not in err
    assert "plan\\x1b]52;c;aGk=\\x07\\u202e.json" in err


def test_hostile_text_in_a_confirmation_is_escaped(capsys, plan):
    path, academy, _ = plan
    code, out, _ = ctstui(capsys, path, "set", short(academy), "notes=\x1b]52;c;eA==\x07")
    assert code == 0
    assert "\x1b" not in out and "\\x1b]52" in out
    assert reread(path)["Sport Academy"].notes == "\x1b]52;c;eA==\x07"  # stored as given


# -- when the plan cannot be written -----------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [["add", "Seminar"], ["set", "{id}", "notes=x"], ["done", "{id}"], ["rate", "{id}", "red"]],
)
def test_a_failed_save_says_the_file_is_unchanged_not_kept_in_memory(capsys, plan, argv):
    path, academy, _ = plan
    before = path.read_bytes()
    lock = path.with_name(path.name + ".lock")
    lock.unlink(missing_ok=True)
    lock.mkdir()  # the lock file cannot be created
    code, out, err = ctstui(capsys, path, *(a.format(id=short(academy)) for a in argv))
    assert (code, out) == (2, "")  # no "added"/"changed" line for a change not made
    assert "in memory" not in err
    assert "nothing was written and the file on disk is unchanged" in err
    assert "run the command again" in err
    assert path.read_bytes() == before
