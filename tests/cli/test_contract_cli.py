"""``ctstui contract``: funder contracts as data, from the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ctstui.cli.main import main
from ctstui.domain.dates import DateSpec, PlanYear
from ctstui.domain.model import Activity, Kind, Status, Theme
from ctstui.store.activity_store import ActivityStore

PY19 = PlanYear(2019)
LIBRARY = 'Library peer challenges = 7 kind:"peer challenge" theme:libraries'
CULTURE = '3 kind:"peer challenge" theme:culture'


@pytest.fixture
def plan_file(tmp_path):
    """Seed 004's library peer challenges: Kingston done, two more planned, one unlinked."""
    path = tmp_path / "plan.json"
    store = ActivityStore(path, who="tester", clock=lambda: datetime(2020, 1, 20, tzinfo=UTC))
    with store.transaction("fixture"):
        for when, status, funder in (
            ("14th and 15th January", Status.COMPLETED, "Arts Council England"),
            ("February", Status.PLANNED, "arts council england"),
            ("March", Status.PLANNED, "Arts Council England"),
            ("March", Status.PLANNED, ""),
        ):
            store.add(
                Activity(
                    title="Library peer challenge",
                    kind=Kind.PEER_CHALLENGE,
                    theme=Theme.LIBRARIES,
                    when=DateSpec.parse(when, PY19),
                    status=status,
                    days=2,
                    funder=funder,
                )
            )
    store.save()
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def contracts(path) -> list[dict]:
    return [c.to_dict() for c in ActivityStore(path, autosave=False).contracts()]


def test_add_list_edit_remove_and_the_report_counts_linked_activities(plan_file, capsys):
    db = ("--db", str(plan_file))
    code, out, _ = run(
        capsys, "contract", "add", *db, "--funder", "Arts Council England",
        "--from", "2019-04-01", "--to", "2020-03-31", "--target", LIBRARY, "--target", CULTURE,
        "--notes", "One-year grant contract",
    )  # fmt: skip
    assert code == 0 and out.startswith("added ")
    [saved] = contracts(plan_file)
    assert saved["funder"] == "Arts Council England"
    assert (saved["start"], saved["end"]) == ("2019-04-01", "2020-03-31")
    assert saved["targets"] == [
        {"label": "Library peer challenges", "query": 'kind:"peer challenge" theme:libraries',
         "count": 7},
        {"label": 'kind:"peer challenge" theme:culture',
         "query": 'kind:"peer challenge" theme:culture', "count": 3},
    ]  # fmt: skip
    code, out, _ = run(capsys, "contract", "list", *db)
    assert f"target: {LIBRARY}" in out and f"target: {CULTURE}" in out
    assert "notes: One-year grant contract" in out

    # The report counts the three linked library peer challenges, lists the unlinked one.
    code, out, _ = run(capsys, "report", *db, "--today", "2020-01-20", "--format", "json")
    [progress] = json.loads(out)["contracts"]
    library = progress["targets"][0]
    assert (library["delivered"], library["scheduled"], library["still_needed"]) == (1, 2, 4)
    assert library["unlinked_titles"] == ["Library peer challenge"]

    short = saved["id"][:8]
    code, out, _ = run(
        capsys, "contract", "edit", short, *db, "--to", "2020-06-30",
        "--remove-target", 'kind:"peer challenge" theme:culture',
        "--add-target", "Culture peer challenges = 3 kind:\"peer challenge\" theme:culture",
    )  # fmt: skip
    assert code == 0 and out.startswith("changed ")
    [edited] = contracts(plan_file)
    assert edited["id"] == saved["id"] and edited["end"] == "2020-06-30"
    assert [t["label"] for t in edited["targets"]] == [
        "Library peer challenges",
        "Culture peer challenges",
    ]
    assert edited["notes"] == "One-year grant contract"  # not given: kept
    code, out, _ = run(capsys, "contract", "remove", "arts council england", *db)
    assert code == 0 and out.startswith(f"removed {saved['id']}")
    assert contracts(plan_file) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--funder", "", "--from", "2019-04-01", "--to", "2020-03-31"),
         "--funder: expected the funder's name"),
        (("--funder", "ACE", "--from", "April 2019", "--to", "2020-03-31"),
         "--from: 'April 2019': expected a date such as 2019-04-01"),
        (("--funder", "ACE", "--from", "2019-04-01", "--to", "2019-03-31"),
         "--to: the period ends (2019-03-31) before it starts (2019-04-01)"),
        (("--funder", "ACE", "--from", "2019-04-01", "--to", "2020-03-31", "--target", "7"),
         "--target: '7': expected a query after the number"),
        (("--funder", "ACE", "--from", "2019-04-01", "--to", "2020-03-31", "--target",
          "x kind:seminar"), "the number of activities commissioned should be a whole number"),
        (("--funder", "ACE", "--from", "2019-04-01", "--to", "2020-03-31", "--target",
          "3 kind:lecture"), "--target: '3 kind:lecture': the query 'kind:lecture'"),
        (("--funder", "ACE", "--from", "2019-04-01", "--to", "2020-03-31", "--target",
          "A = 3 kind:seminar", "--target", "a = 2 kind:academy"),
         "two targets are both called 'A'"),
        # A control or text-direction character: shown escaped once (as typed at a
        # shell: \x1b), and the message says what is wrong with it.
        (("--funder", "ACE\u202e", "--from", "2019-04-01", "--to", "2020-03-31"),
         "--funder: 'ACE\\u202e': expected one line of plain text (no control or text-direction"),
        (("--funder", "ACE", "--from", "2019-04-01", "--to", "2020-03-31", "--target",
          "x\x1b[2J kind:seminar"), "--target: 'x\\x1b[2J kind:seminar': the number"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_naming_the_field_and_leaves_the_file_alone(
    plan_file, capsys, args, message
):
    before = plan_file.read_bytes()
    code, out, err = run(capsys, "contract", "add", "--db", str(plan_file), *args)
    assert code == 2 and out == ""
    assert message in err
    assert plan_file.read_bytes() == before


def test_edit_and_remove_name_the_contract_they_cannot_find(plan_file, capsys):
    db = ("--db", str(plan_file))
    for funder in ("Sport England", "Sport England"):
        run(capsys, "contract", "add", *db, "--funder", funder, "--from", "2020-04-01",
            "--to", "2021-03-31")  # fmt: skip
    before = plan_file.read_bytes()
    code, _, err = run(capsys, "contract", "remove", "Sport England", *db)
    assert code == 2 and "'Sport England' matches 2 contracts" in err and "give its id" in err
    code, _, err = run(capsys, "contract", "edit", "nope", *db, "--notes", "x")
    assert code == 2 and "CONTRACT: no contract 'nope'; the plan's contracts:" in err
    code, _, err = run(capsys, "contract", "edit", contracts(plan_file)[0]["id"], *db,
                       "--remove-target", "missing")  # fmt: skip
    assert code == 2 and "--remove-target: no target called 'missing'" in err
    assert plan_file.read_bytes() == before


def test_overlapping_contracts_of_one_funder_are_pointed_out(plan_file, capsys):
    db = ("--db", str(plan_file))
    run(capsys, "contract", "add", *db, "--funder", "Sport England", "--from", "2018-04-01",
        "--to", "2020-03-31")  # fmt: skip
    code, _, err = run(capsys, "contract", "add", *db, "--funder", "Sport England", "--from",
                       "2019-04-01", "--to", "2021-03-31")  # fmt: skip
    assert code == 0 and "overlaps this one's period" in err


def test_options_that_do_not_fit_the_action_are_refused(plan_file, capsys):
    db = ("--db", str(plan_file))
    for args, message in (
        (("list", "--funder", "X"), "--funder: not used by 'contract list'"),
        (("remove",), "contract remove: give the CONTRACT"),
        (("add", "--funder", "X"), "contract add: --from, --to required"),
        (("edit", "x", "--format", "json"), "--format is for 'contract list'"),
    ):
        code, _, err = run(capsys, "contract", *args, *db)
        assert code == 2 and message in err


def test_list_as_json_and_on_an_empty_plan(tmp_path, capsys):
    code, out, err = run(capsys, "contract", "list", "--db", str(tmp_path / "new.json"))
    assert code == 0 and "No contracts" in out
    # A mistyped --db must not pass for a plan with no contracts.
    assert "new.json does not exist (yet)" in err
    assert not (tmp_path / "new.json").exists()
    code, out, _ = run(capsys, "contract", "list", "--db", str(tmp_path / "new.json"),
                       "--format", "json")  # fmt: skip
    assert json.loads(out) == []


def test_list_as_json_escapes_terminal_controls_in_notes(plan_file, capsys):
    notes = "moved \u202eevil\u202c, see \x9b2J"  # bidi override, a C1 CSI
    code, _, _ = run(capsys, "contract", "add", "--db", str(plan_file), "--funder", "ACE",
                     "--from", "2019-04-01", "--to", "2020-03-31", "--notes", notes)  # fmt: skip
    assert code == 0
    code, out, _ = run(capsys, "contract", "list", "--db", str(plan_file), "--format", "json")
    assert code == 0 and "\u202e" not in out and "\x9b" not in out
    assert [c["notes"] for c in json.loads(out)] == [notes]


def test_a_funder_pasted_with_no_break_spaces_is_taken_with_plain_spaces(plan_file, capsys):
    """Word puts U+00A0 between words; the contract must still match 'Arts Council England'."""
    code, _, err = run(capsys, "contract", "add", "--db", str(plan_file), "--funder",
                         "Arts\u00a0Council\u2009England", "--from", "2019-04-01", "--to",
                         "2020-03-31")  # fmt: skip
    assert code == 0, err
    assert [c["funder"] for c in contracts(plan_file)] == ["Arts Council England"]
