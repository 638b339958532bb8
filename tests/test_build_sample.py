"""The bundled sample plan: current with its builder, and what `ctstui --demo` shows."""

from __future__ import annotations

import json

from ctstui.cli.context import sample_plan_path
from ctstui.cli.main import main
from ctstui.store.activity_store import ActivityStore
from tools.build_sample import build_sample, deterministic_ids


def test_bundled_sample_is_what_the_builder_makes(tmp_path):
    target = tmp_path / "sample.json"
    with deterministic_ids():
        build_sample(target)
    assert target.read_bytes() == sample_plan_path().read_bytes(), (
        "data/sample_plan.json is stale: run python -m tools.build_sample"
    )


def test_list_json_on_the_sample_plan(capsys):
    assert main(["list", "--demo", "--format", "json", "lead:JW", 'kind:"peer review"']) == 0
    rows = json.loads(capsys.readouterr().out)
    places = [r["place"] for r in rows]
    assert places == ["Solihull", "Somerset", "Rochdale", "North Yorkshire", "Bournemouth"]
    derby_keys = {
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
    assert derby_keys <= set(rows[0])
    solihull = rows[0]
    assert solihull["when"] == "23/24 May"
    assert (solihull["start"], solihull["end"]) == ("2013-05-23", "2013-05-24")
    assert solihull["status"] == "completed" and solihull["days"] == 2


def test_demo_never_changes_the_bundled_file(tmp_path, capsys):
    before = sample_plan_path().read_bytes()
    assert main(["import", "--demo", str(tmp_path / "missing.tsv")]) == 2
    assert sample_plan_path().read_bytes() == before


def test_sample_carries_history_contracts_and_reviews():
    store = ActivityStore(sample_plan_path())
    heritage = next(a for a in store.activities() if a.title == "Heritage seminar")
    changes = [h.changes.get("when") for h in heritage.history if "when" in h.changes]
    assert changes == [["10 or 11 July", "10 July"]]  # from re-importing 000 over 001
    assert {c.funder for c in store.contracts()} == {"Arts Council England", "Sport England"}
    assert any(a.reviews for a in store.activities())
    assert store.meta("plan_year") == "2013/14"
