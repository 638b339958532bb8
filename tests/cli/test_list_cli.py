"""``ctstui list``: JSON, CSV and table output over a plan built in code."""

from __future__ import annotations

import csv
import importlib
import io
import json
from datetime import date

import pytest

from ctstui.cli import COMMANDS
from ctstui.cli.main import main
from ctstui.domain.dates import DateSpec, Precision
from ctstui.domain.model import Activity, Kind, Rag, Status, Theme
from ctstui.domain.text import printable
from ctstui.store.activity_store import ActivityStore

CONTRACT_KEYS = {
    "id",
    "title",
    "kind",
    "theme",
    "place",
    "days",
    "when",
    "start",
    "end",
    "precision",
    "status",
    "optional",
    "rag",
    "audience",
    "places",
    "leads",
    "link",
    "programme",
    "funder",
}

HOSTILE = "Evil \x1b[31mred\x1b[0m\ttitle\nnext line\x07"


@pytest.fixture
def plan(store, make_activity):
    """A small plan saved to ``plan_path``; returns the activities by key."""
    rows = {
        "derby": make_activity(
            "Sport peer review Derby",
            when=DateSpec("14/15 May", date(2013, 5, 14), date(2013, 5, 15), Precision.DAYS),
            kind=Kind.PEER_REVIEW,
            theme=Theme.SPORT,
            place="Derby",
            days=2,
            status=Status.COMPLETED,
            rag=Rag.GREEN,
            leads=["SN"],
            audience="Individual council",
            link="https://example.org/derby",
            programme="Sport improvement",
            funder="Sport England",
        ),
        "academy": make_activity(
            "Sport Academy",
            when=DateSpec("12/13 November", date(2013, 11, 12), date(2013, 11, 13), Precision.DAYS),
            kind=Kind.ACADEMY,
            theme=Theme.SPORT,
            days=2,
            status=Status.CONFIRMED,
            leads=["JW", "LC"],
            audience="Sport PHs",
            places=15,
        ),
        "culture": make_activity(
            "Culture Academy",
            when=DateSpec("October", date(2013, 10, 1), date(2013, 10, 31), Precision.MONTH),
            kind=Kind.ACADEMY,
            theme=Theme.CULTURE,
            days=1.5,
            status=Status.TBC,
            leads=["SN"],
            audience="Culture PHs",
            places=10,
            optional=True,
        ),
        "hostile": make_activity(HOSTILE, status=Status.TBC, leads=["JW"]),
    }
    with store.transaction("fixture"):
        for key, item in rows.items():
            rows[key] = store.add(item)
    return rows


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_the_contract_keys(capsys, plan_path, plan):
    code, out, err = run(capsys, "--db", str(plan_path), "list", "--format", "json")
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [r["title"] for r in rows] == [
        "Sport peer review Derby",
        "Culture Academy",
        "Sport Academy",
        HOSTILE,  # undated last; raw in JSON, which escapes it itself
    ]
    for row in rows:
        assert set(row) >= CONTRACT_KEYS
    academy = next(r for r in rows if r["id"] == plan["academy"].id)
    assert {k: academy[k] for k in CONTRACT_KEYS} == {
        "id": plan["academy"].id,
        "title": "Sport Academy",
        "kind": "academy",
        "theme": "sport",
        "place": "",
        "days": 2,
        "when": "12/13 November",
        "start": "2013-11-12",
        "end": "2013-11-13",
        "precision": "days",
        "status": "confirmed",
        "optional": False,
        "rag": "unrated",
        "audience": "Sport PHs",
        "places": 15,
        "leads": ["JW", "LC"],
        "link": "",
        "programme": "",
        "funder": "",
    }
    hostile = rows[-1]
    assert (hostile["when"], hostile["start"], hostile["end"], hostile["precision"]) == (
        "",
        None,
        None,
        "none",
    )
    assert "\x1b" not in out  # JSON escapes control characters


def test_csv_has_a_header_and_a_row_per_activity(capsys, plan_path, plan):
    code, out, _ = run(capsys, "--db", str(plan_path), "list", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert set(rows[0]) >= CONTRACT_KEYS
    assert [r["id"] for r in rows] == [
        plan["derby"].id,
        plan["culture"].id,
        plan["academy"].id,
        plan["hostile"].id,
    ]
    academy = rows[2]
    assert academy["leads"] == "JW/LC"
    assert academy["start"] == "2013-11-12"
    assert academy["places"] == "15"
    assert rows[1]["optional"] == "True"
    assert rows[3]["title"] == printable(HOSTILE)  # escaped, on one line


def test_csv_of_nothing_still_has_the_header(capsys, plan_path, plan):
    code, out, _ = run(capsys, "--db", str(plan_path), "list", "--format", "csv", "nothing-matches")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 1
    assert set(lines[0].split(",")) >= CONTRACT_KEYS


def test_table_shows_columns_rows_and_totals(capsys, plan_path, plan):
    # (the long hostile title left out: at 100 columns it would squeeze the others)
    code, out, _ = run(capsys, "--db", str(plan_path), "list", "--", "-title:evil")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "Id",
        "Date",
        "Activity",
        "Kind",
        "Lead",
        "Audience",
        "Status",
        "RAG",
    ]
    body = lines[2:-1]
    assert len(body) == 3
    assert body[0].split()[0] == plan["derby"].id[:6]  # the short id comes first
    assert body[0].split(maxsplit=1)[1].startswith("14/15 May")
    assert "Sport peer review Derby" in body[0] and "completed" in body[0]
    assert "Culture Academy (optional)" in body[1]
    assert "Sport PHs" in body[2] and "JW/LC" in body[2]  # (audience cut to fit 100 columns)
    assert lines[-1] == "3 activities, 5.5 days, 25 places"


def test_the_table_footer_counts_one_activity_in_the_singular(capsys, plan_path, plan):
    code, out, _ = run(capsys, "--db", str(plan_path), "list", 'kind:"peer review"')
    assert code == 0
    assert out.splitlines()[-1] == "1 activity, 2 days, 0 places"


def test_table_escapes_control_characters(capsys, plan_path, plan):
    code, out, _ = run(capsys, "--db", str(plan_path), "list", "title:evil")
    assert code == 0
    for raw in ("\x1b", "\x07", "\t"):
        assert raw not in out
    lines = out.splitlines()
    assert len(lines) == 4  # header, rule, ONE row (the newline did not split it), totals
    assert "Evil \\x1b[31mred\\x1b[0m\\ttitle\\nnext" in lines[2]


def test_query_filters(capsys, plan_path, plan):
    code, out, _ = run(
        capsys, "--db", str(plan_path), "list", "--format", "json", "lead:SN", "status:tbc"
    )
    assert code == 0
    assert [r["id"] for r in json.loads(out)] == [plan["culture"].id]

    code, out, _ = run(
        capsys, "--db", str(plan_path), "list", "--format", "json", 'kind:"peer review"'
    )
    assert [r["id"] for r in json.loads(out)] == [plan["derby"].id]


def test_negated_term_after_double_dash(capsys, plan_path, plan):
    code, out, _ = run(
        capsys, "--db", str(plan_path), "list", "--format", "json", "--", "-status:tbc"
    )
    assert code == 0
    assert {r["id"] for r in json.loads(out)} == {plan["derby"].id, plan["academy"].id}


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("colour:red", ["unknown field 'colour'", "column 1"]),
        ("lead:SN status:done", ["status:done", "column 9"]),
        ('kind:"peer', ["unclosed quote", "column 6"]),
        ("month:smarch", ["month:smarch"]),
    ],
)
def test_bad_query_exits_2_with_the_message_on_stderr(capsys, plan_path, plan, query, words):
    before = plan_path.read_bytes()
    code, out, err = run(capsys, "--db", str(plan_path), "list", *query.split(" "))
    assert code == 2
    assert out == ""
    assert err.startswith("ctstui: ")
    for word in words:
        assert word in err
    assert plan_path.read_bytes() == before


def test_db_before_or_after_the_subcommand(capsys, plan_path, plan):
    _, before, _ = run(capsys, "--db", str(plan_path), "list", "--format", "json")
    _, after, _ = run(capsys, "list", "--db", str(plan_path), "--format", "json")
    assert json.loads(before) == json.loads(after)
    assert len(json.loads(after)) == 4


def test_db_after_the_subcommand_wins_over_the_one_before(capsys, tmp_path, plan_path, plan):
    empty = tmp_path / "empty.json"
    _, out, _ = run(capsys, "--db", str(empty), "list", "--db", str(plan_path), "--format", "json")
    assert len(json.loads(out)) == 4


def test_ctstui_db_environment_variable(capsys, monkeypatch, plan_path, plan):
    monkeypatch.setenv("CTSTUI_DB", str(plan_path))
    code, out, _ = run(capsys, "list", "--format", "json")
    assert code == 0
    assert len(json.loads(out)) == 4


def test_listing_never_writes_the_plan(capsys, plan_path, plan):
    before = plan_path.read_bytes()
    mtime = plan_path.stat().st_mtime_ns
    for fmt in ("table", "csv", "json"):
        assert run(capsys, "--db", str(plan_path), "list", "--format", fmt)[0] == 0
    assert plan_path.read_bytes() == before
    assert plan_path.stat().st_mtime_ns == mtime


def test_listing_a_missing_plan_is_empty_and_creates_nothing(capsys, tmp_path):
    path = tmp_path / "new.json"
    code, out, err = run(capsys, "--db", str(path), "list", "--format", "json")
    assert (code, json.loads(out)) == (0, [])
    assert not path.exists()
    # Said, so a mistyped --db is not taken for an empty plan.
    assert f"{path} does not exist (yet)" in err


def test_listing_a_damaged_plan_exits_2_naming_the_file(capsys, plan_path):
    plan_path.write_bytes(b'{"_meta": {"1": {"app": "ctstui", "sch')
    code, out, err = run(capsys, "--db", str(plan_path), "list")
    assert code == 2
    assert out == ""
    assert str(plan_path) in err
    assert plan_path.read_bytes() == b'{"_meta": {"1": {"app": "ctstui", "sch'


def test_the_plan_reads_the_same_through_the_store(capsys, plan_path, plan):
    """The CLI lists what the store holds, in the store's order."""
    _, out, _ = run(capsys, "--db", str(plan_path), "list", "--format", "json")
    assert [r["id"] for r in json.loads(out)] == [
        a.id for a in ActivityStore(plan_path).activities()
    ]


SUBCOMMANDS = [spec.name for spec in COMMANDS]


@pytest.mark.parametrize("spec", COMMANDS, ids=lambda spec: spec.name)
def test_each_command_is_listed_under_the_name_its_module_gives(spec):
    assert spec.name == importlib.import_module(f"ctstui.cli.{spec.module}").NAME


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_help_for_every_subcommand(capsys, name):
    with pytest.raises(SystemExit) as caught:
        main([name, "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: ctstui {name}")
    assert "--db" in out


def test_top_level_help_lists_the_subcommands(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert name in out


def test_a_negated_term_as_the_first_argument_is_a_query_not_an_option(tmp_path, capsys):
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    store.add(Activity(title="Done one", status=Status.COMPLETED))
    store.add(Activity(title="Open one", status=Status.TBC))
    assert main(["list", "--db", str(path), "-status:completed", "--format", "json"]) == 0
    assert [r["title"] for r in json.loads(capsys.readouterr().out)] == ["Open one"]
    with pytest.raises(SystemExit) as exit_info:  # argparse: usage error, exit 2
        main(["list", "--db", str(path), "--nonsense"])
    assert exit_info.value.code == 2
